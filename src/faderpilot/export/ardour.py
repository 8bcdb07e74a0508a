"""Ardour 7 session writer: ``write(session, out_dir)`` -> ``out_dir/ardour/<song>/<song>.ardour``.

One Ardour track per faderpilot track (its regions and fades, polarity, delay, trim, chain,
fader and pan), the group buses, the reverb and delay buses fed by post-fader aux sends, and the
master. Every processor of a chain runs as one of faderpilot's own Lua DSP scripts, embedded in
the session ("faderpilot Reverb", …: ``export.ardour_lua``), and so does a track's fader ride
(its ``gain_db`` lanes: "faderpilot Gain ride", the last insert before a static fader), so Ardour
plays what the renderer printed; ``native=True`` (``--ardour-native``) maps filters, dynamics,
reverb and delay on Ardour's bundled ACE plugins and the ride on Ardour's fader automation
instead. Written by this module alone; Ardour is not needed. The audio is each track's source at
the session rate, aligned at 0, copied into the session's ``interchange/<song>/audiofiles``
(``export.media``) and referenced by file name, so the folder can be moved or zipped; the user's
stems are only read.

How each value maps, and what was measured against Ardour 7.3's own rendering, is in
docs/daw-ardour.md; ``export.ardour_map`` holds the math. Where Ardour cannot represent a
processor exactly the writer says so: ``plan(session).notes`` (also returned by
``approximations``, for the export summary) lists every approximation; they are logged and
written next to the session as ``faderpilot-notes.txt``.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

import soundfile as sf

from ..audio.io import check_destination, safe_filename, source_folders
from ..render.plan import clips
from ..session.model import Bus, Session, Track
from .ardour_map import (
    FADER_MAX_DB,
    LIMITER_NAME,
    RegionPlan,
    RoutePlan,
    SendPlan,
    SessionPlan,
    gain_automation,
    gain_plugins,
    gain_ride,
    limiter_latency,
    map_chain,
    mono_pan,
    split_fader,
    split_trim,
    stereo_pan,
)
from .ardour_xml import session_xml
from .media import media_name, relocated, write_media

log = logging.getLogger(__name__)

#: written next to the session: every approximation, for the user who opens it in Ardour
NOTES_FILE = "faderpilot-notes.txt"
#: route names Ardour keeps for itself
RESERVED_NAMES = {"master", "monitor", "click", "ltc", "auditioner", "live", "surround"}


def song_name(session: Session) -> str:
    """The session folder and file name: the session's name made safe for every file system."""
    return safe_filename(session.name or "session", 60)


def _route_names(session: Session) -> tuple[dict[str, str], dict[str, str]]:
    """Unique Ardour route names by track id and by bus id.

    Ardour reserves ':' for port names and a few names for its own routes; names are compared
    without case, as port names must differ.
    """
    taken = set(RESERVED_NAMES)
    tracks: dict[str, str] = {}
    buses: dict[str, str] = {"master": "Master"}
    strips: list[tuple[dict[str, str], Track | Bus]] = [(tracks, t) for t in session.tracks]
    strips += [(buses, b) for b in session.buses if b.kind != "master"]
    for table, s in strips:
        base = "".join(c if c.isprintable() else " " for c in (s.name or s.id))
        base = base.replace(":", "-").replace("/", "-").strip() or s.id
        name, k = base, 2
        while name.lower() in taken:
            name, k = f"{base} ({k})", k + 1
        taken.add(name.lower())
        table[s.id] = name
    return tracks, buses


def _regions(track: Track, sr: int, frames: int, notes: list[str], what: str) -> list[RegionPlan]:
    """The track's clips (``render.plan.clips``: regions moved by its delay, cut at the session
    edges) as Ardour regions."""
    out: list[RegionPlan] = []
    for c in clips(track, sr, frames):
        if c.head_cut and c.fade_in > c.head_cut:
            notes.append(f"{what}: a fade-in partly before the session start is shortened to fit")
        fi, fo = min(max(c.fade_in - c.head_cut, 0), c.length), min(c.fade_out, c.length)
        # Ardour's fade-in of L samples reaches 1 on its last sample (gain i / (L - 1)); ours
        # reaches 1 on the sample after it (i / fi): one sample longer in Ardour is the same curve
        out.append(RegionPlan(c.start, c.offset, c.length, min(fi + 1, c.length) if fi > 0 else 0, fo))
    return out


def _latency_before(plugins: list, sr: int) -> int:
    """Samples of latency the inserts ``plugins`` report (our limiter's lookahead)."""
    return sum(limiter_latency(sr) for p in plugins if p.active and p.name == LIMITER_NAME)


def plan(session: Session, media_channels: dict[str, int] | None = None, native: bool = False) -> SessionPlan:
    """How the session will look in Ardour (routes, plugins, gains, pans, regions) and the notes.

    Pure: no files are read or written. ``media_channels`` gives each track's channel count in
    its exported audio (default: the track's ``channels``). ``native``: dynamics, reverb and delay
    on Ardour's ACE plugins (each approximation noted) instead of our own Lua processors.
    """
    sr = session.sample_rate
    frames = int(round(session.length_s * sr))
    names, bus_names = _route_names(session)
    notes: list[str] = []
    routes: list[RoutePlan] = []
    bus_kind = {b.id: b.kind for b in session.buses}

    for i, t in enumerate(session.tracks, 1):
        what = f"track '{t.name}'"
        ch = (media_channels or {}).get(t.id, t.channels)
        trim, region_gain = split_trim(t.trim_db)
        width_plugin = None
        if ch == 1:
            pan = mono_pan(t.pan)
        else:
            pan, width_plugin = stereo_pan(t.pan, t.width)
        fader, extra = split_fader(t.fader_db + pan.fader_comp_db)
        plugins = map_chain(t.chain, sr, what, ch, native)
        if width_plugin is not None:
            plugins.append(width_plugin)
        plugins += gain_plugins(extra, "fader beyond Ardour's +6 dB:")
        lanes = getattr(t, "automation", None) or []
        ride = None if native else gain_ride(lanes, _latency_before(plugins, sr))
        if ride is not None:  # the renderer's ride, exact; Ardour's fader stays static
            plugins.append(ride)
        for p in plugins:
            notes += p.notes
        sends = []
        for s in t.sends:
            if bus_kind.get(s.bus) in (None, "master"):
                notes.append(f"{what}: send to '{s.bus}', which is not a bus of this session, left out")
                continue
            g = s.level_db
            if g > 6.0206:
                notes.append(f"{what}: send level {g:+.1f} dB is above Ardour's +6 dB; set to +6 dB")
                g = 6.0206
            sends.append(SendPlan(bus_names[s.bus], g))
        out = bus_names.get(t.output, "Master")
        auto, top = gain_automation(lanes, fader, sr, frames) if ride is None else ([], fader)
        if auto and top > FADER_MAX_DB + 1e-6:
            notes.append(
                f"{what}: its gain automation reaches {top:+.1f} dB on Ardour's fader, which stops at "
                f"+6 dB; the louder stretches play at +6 dB"
            )
            auto = [(n, min(g, 2.0)) for n, g in auto]
        if auto:
            notes.append(
                f"{what}: its gain automation plays on Ardour's fader, which smooths every change with a "
                f"25 Hz de-zipper and reads automation once per processing block: ramps land a few ms late "
                f"(levels between ramps are exact)"
            )
        routes.append(
            RoutePlan(
                name=names[t.id],
                kind="track",
                channels=ch,
                colour=t.colour,
                trim_db=trim,
                fader_db=fader,
                polarity=t.polarity_inverted,
                mute=t.mute,
                solo=t.solo,
                pan=pan,
                plugins=plugins,
                output=out,
                sends=sends,
                regions=_regions(t, sr, frames, notes, what),
                media=media_name(i, t),
                region_gain_db=region_gain,
                faderpilot_id=t.id,
                gain_automation=auto,
            )
        )
    for b in session.buses:
        if b.kind == "master":
            continue
        what = f"bus '{b.name}'"
        pan = stereo_pan(b.pan, 1.0)[0]
        fader, extra = split_fader(b.fader_db)
        plugins = map_chain(b.chain, sr, what, 2, native) + gain_plugins(
            extra, "fader beyond Ardour's +6 dB:"
        )
        for p in plugins:
            notes += p.notes
        out = bus_names.get(b.output or "master", "Master")
        routes.append(
            RoutePlan(
                name=bus_names[b.id],
                kind="bus",
                channels=2,
                colour=b.colour,
                fader_db=fader,
                mute=b.mute,
                pan=pan,
                plugins=plugins,
                output=out,
                aux=True,
                solo_isolate=b.kind == "fx",
                faderpilot_id=b.id,
            )
        )
    m = session.master
    fader, extra = split_fader(m.fader_db)
    plugins = map_chain(m.chain, sr, "the master", 2, native) + gain_plugins(
        extra, "fader beyond Ardour's +6 dB:"
    )
    for p in plugins:
        notes += p.notes
    master = RoutePlan(
        name="Master",
        kind="master",
        channels=2,
        colour=m.colour,
        fader_db=fader,
        mute=m.mute,
        pan=stereo_pan(m.pan, 1.0)[0] if m.pan else None,
        plugins=plugins,
        output=None,
        faderpilot_id="master",
    )
    markers = [(mk.name, int(round(mk.time_s * sr))) for mk in session.markers]
    latency = _latency_before(plugins, sr)
    return SessionPlan(song_name(session), sr, frames, [master, *routes], markers, notes, latency)


def approximations(session: Session, native: bool = False) -> list[str]:
    """Every place where the Ardour session cannot hold the session exactly, one line each."""
    return plan(session, native=native).notes


def write(session: Session, out_dir: str | Path, native: bool = False) -> Path:
    """Write ``out_dir/ardour/<song>/<song>.ardour`` with its audio; returns the ``.ardour`` path.

    ``native``: dynamics, reverb and delay on Ardour's ACE plugins (see ``plan``).
    The folder is built beside its final place and swapped in with renames, so an interrupted
    export leaves the previous one (or nothing) there, never half a session.
    """
    out_dir = Path(out_dir)
    song = song_name(session)
    parent = out_dir / "ardour"
    final = parent / song
    check_destination(final, source_folders(session))
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{song}.", suffix=".tmp"))
    backup = tmp.with_suffix(".old")
    try:
        audio_dir = tmp / "interchange" / song / "audiofiles"
        for sub in (
            "analysis",
            "dead",
            "export",
            "externals",
            "peaks",
            "plugins",
            f"interchange/{song}/midifiles",
        ):
            (tmp / sub).mkdir(parents=True, exist_ok=True)
        files = write_media(session, audio_dir)
        channels = {tid: sf.info(str(f)).channels for tid, f in files.items()}
        p = plan(session, channels, native)
        (tmp / f"{song}.ardour").write_bytes(session_xml(p))
        notes = "\n".join(f"- {n}" for n in p.notes) or "- none: every value is exact in Ardour"
        (tmp / NOTES_FILE).write_text(
            f"faderpilot export of '{session.name}' for Ardour 7\n\nApproximations:\n{notes}\n",
            encoding="utf-8",
        )
        for n in p.notes:
            log.info("ardour export: %s", n)
        if final.exists():
            os.replace(final, backup)
        os.replace(tmp, final)
        relocated(tmp, final)
    except BaseException:
        if backup.exists() and not final.exists():
            os.replace(backup, final)  # put the previous export back
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)
    return final / f"{song}.ardour"
