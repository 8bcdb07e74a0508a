"""REAPER export: ``<song>.RPP`` with the media and faderpilot's JSFX effects beside it.

Written into OUT_DIR (details, units and the pan law in docs/daw-reaper.md):

- ``<song>.RPP``: one ``<TRACK>`` per track; group buses as folder tracks (``ISBUS``) holding
  their members, FX buses as tracks fed by ``AUXRECV`` post-fader sends, the master as the
  ``MASTER_*`` lines; faders and pans in ``VOLPAN`` (linear gain, pan -1..1) with per-track pan
  laws that reproduce faderpilot's pan law; regions as ``<ITEM>``s with linear fades, the trim as
  the take volume, polarity as ``IPHASE``, a track's delay in the item positions.
- ``media/``: each track's source audio at the session rate, aligned at 0 (``export.media``);
  items reference it by relative path, never the user's stems folder.
- ``REAPER Effects/faderpilot/*.jsfx``: the processors as JSFX whose settings are plain slider
  numbers in the RPP (``export.reaper_jsfx``). Copy the ``faderpilot`` folder into REAPER's
  Effects folder once.

``write()`` returns the RPP's path; ``approximations(session)`` lists what REAPER will not play
exactly as faderpilot renders it (logged, and written into the project notes).
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..audio.io import check_destination, source_folders
from ..render.engine import pan_gains
from ..render.filters import response_db
from ..render.plan import clips as plan_clips
from ..session.io import write_text_atomic
from ..session.model import Bus, Processor, Session, Track
from ..session.processors import BandFilter, Filter, Limiter, PassFilter, TypedProcessor
from ..version import __version__
from .dawproject import butterworth_qs, gain_automation, section_qs
from .media import media_name, song_file, write_media
from .reaper_jsfx import FILTER_ORDER, FOLDER, SLIDERS, SOURCES

log = logging.getLogger(__name__)

MEDIA_DIR = "media"
EFFECTS_DIR = "REAPER Effects"
#: REAPER pan-law values (linear gain at centre): D_PANLAW in REAPER's API.
LAW_0DB = 1.0
LAW_3DB = math.sqrt(0.5)
_GUID_NS = uuid.UUID("6c1f3c52-6f0e-4a36-9a53-6b1f0f2d6a11")


def fmt(v: float) -> str:
    """A number as REAPER writes it: plain decimal, up to 14 significant digits."""
    v = float(v)
    if v == 0:
        return "0"
    return format(v, ".14g")


def quote(s: str) -> str:
    """A string token, quoted the way REAPER quotes: "..." unless it holds a double quote, then
    '...', then `...` (a backquote in a string holding all three becomes ')."""
    s = s.replace("\r", " ").replace("\n", " ")
    if '"' not in s:
        return f'"{s}"'
    if "'" not in s:
        return f"'{s}'"
    return "`" + s.replace("`", "'") + "`"


def peakcol(colour: str) -> int:
    """A '#rrggbb' colour as REAPER's PEAKCOL (0x01bbggrr)."""
    try:
        c = int(colour.lstrip("#")[:6], 16)
    except ValueError:
        return 16576
    r, g, b = (c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF
    return 0x01000000 | (b << 16) | (g << 8) | r


def reaper_pan(pan: float, channels: int) -> tuple[float, float, float]:
    """(REAPER pan, track pan law, gain to multiply into the fader) that give the channel gains of
    faderpilot's pan law (``render.engine.pan_gains``) in REAPER's stereo balance/mono pan mode.

    REAPER plays a mono item on both channels of a track and pans the pair with the track's law:
    at the -3 dB law with a sine taper the gains are exactly cos t, sin t (t = (p + 1) pi/4),
    faderpilot's mono law. A centred stereo strip uses the 0 dB law, unity at centre by
    definition. An off-centre stereo strip (balance: near side 0 dB, far side sqrt(2) sin t) uses
    the -3 dB sine law at the pan with the same left/right ratio and puts the level difference on
    the fader.
    """
    p = min(1.0, max(-1.0, float(pan)))
    if channels == 1:
        return p, LAW_3DB, 1.0
    if abs(p) < 1e-12:
        return 0.0, LAW_0DB, 1.0
    gl, gr = pan_gains(p, 2)
    theta = math.atan2(gr, gl)
    rp = 4.0 * theta / math.pi - 1.0
    v = max(gl, gr) / max(math.cos(theta), math.sin(theta))
    return rp, LAW_3DB, v


def guid(*parts: str) -> str:
    """A deterministic GUID ({...}) for a part of the project, so re-exports differ only in edits."""
    return "{" + str(uuid.uuid5(_GUID_NS, "/".join(parts))).upper() + "}"


@dataclass
class _Strip:
    """A REAPER track: a session track or a group/FX bus."""

    kind: str  # "track" | "group" | "fx"
    id: str
    name: str
    obj: Track | Bus
    children: list[_Strip] = field(default_factory=list)
    isbus: tuple[int, int] = (0, 0)
    index: int = -1


@dataclass
class Built:
    """The RPP text, the approximations and the JSFX sources (file name -> text) to ship."""

    text: str
    notes: list[str]
    jsfx: dict[str, str]


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    def line(self, *tokens: str) -> None:
        self.lines.append("  " * self.depth + " ".join(tokens))

    def open(self, *tokens: str) -> None:
        self.line("<" + " ".join(tokens))
        self.depth += 1

    def close(self) -> None:
        self.depth -= 1
        self.line(">")


def _sliders(values: list[float]) -> str:
    """A JSFX slider line: the values, then '-' for the unused sliders (64 in all)."""
    out = [fmt(v) for v in values] + ["-"] * (64 - len(values))
    return " ".join(out)


class JsFx(NamedTuple):
    """One processor as a JSFX: file, slider values, display name, and a note when REAPER will
    not play it exactly as faderpilot renders it."""

    path: str
    values: list[float]
    label: str
    note: str | None = None


def _filter_sliders(t: Filter, gain_db: float, q: float, slope_db_oct: float) -> list[float]:
    """fp_filter's sliders: kind (its index in FILTER_ORDER), frequency, gain, Q, slope."""
    return [float(v) for v in (FILTER_ORDER.index(t.kind), t.freq_hz, gain_db, q, slope_db_oct)]


def _pass_fx(side: str) -> Callable[[PassFilter], JsFx]:
    """High/low-pass ("HP"/"LP") on fp_filter, with a note when the renderer's filter differs."""

    def fx(t: PassFilter) -> JsFx:
        vals = _filter_sliders(t, 0.0, 0.707, t.slope_db_oct)
        label = f"{side} {t.freq_hz:g} Hz {t.slope_db_oct:g} dB/oct"
        return JsFx(SLIDERS["filter"][0], vals, label, _renderer_filter_note(t))

    return fx


def _band_fx(t: BandFilter) -> JsFx:
    """A bell or shelf on fp_filter."""
    label = f"{t.kind.replace('_', ' ')} {t.freq_hz:g} Hz {t.gain_db:+g} dB Q {t.q:g}"
    return JsFx(SLIDERS["filter"][0], _filter_sliders(t, t.gain_db, t.q, 12.0), label)


def _own_fx(t: TypedProcessor) -> JsFx:
    """A kind with its own JSFX, whose sliders are its parameters (``SLIDERS``)."""
    path, names = SLIDERS[t.kind]
    vals = [float(getattr(t, n)) for n in names]
    label = f"{t.kind} " + " ".join(f"{n}={getattr(t, n):g}" for n in names)
    return JsFx(path, vals, label)


def _limiter_fx(t: Limiter) -> JsFx:
    note = (
        f"limiter ceiling {t.ceiling_db:g} dB: faderpilot's limiter is true-peak "
        "with lookahead; the REAPER JSFX limits sample peaks without lookahead"
    )
    return _own_fx(t)._replace(note=note)


#: The REAPER export's registry, kind -> the typed processor as a JSFX.
REAPER: dict[str, Callable[..., JsFx]] = {
    "highpass": _pass_fx("HP"),
    "lowpass": _pass_fx("LP"),
    "low_shelf": _band_fx,
    "high_shelf": _band_fx,
    "peak": _band_fx,
    "compressor": _own_fx,
    "gate": _own_fx,
    "saturation": _own_fx,
    "reverb": _own_fx,
    "delay": _own_fx,
    "limiter": _limiter_fx,
}


def _fx_values(p: Processor) -> tuple[str, list[float], str]:
    """(jsfx file, slider values, display name) for one processor."""
    fx = REAPER[p.kind](p.typed())
    return fx.path, fx.values, fx.label


def _renderer_filter_note(t: PassFilter) -> str | None:
    """A note when the renderer's high/low-pass is not the Butterworth filter the JSFX plays
    (its sections' Qs differ), with the renderer's level at the corner frequency."""
    slope = float(t.slope_db_oct)
    order = max(1, int(round(slope / 6.0)))
    ours = [q for q in section_qs(t.kind, slope) if q is not None]
    if all(abs(a - b) < 1e-9 for a, b in zip(ours, butterworth_qs(order), strict=False)):
        return None
    at = float(response_db(t.kind, {"freq_hz": 1000.0, "slope_db_oct": slope}, np.array([1000.0]), 48000)[0])
    return (
        f"{t.kind} at {slope:g} dB/oct: faderpilot's renderer computes this odd order with other "
        f"section Qs ({at:.2f} dB at the frequency); the JSFX plays the Butterworth filter of "
        "docs/signal-flow.md (-3.01 dB)"
    )


def _fxchain(
    w: _Writer, tag: str, chain: list[Processor], owner: str, notes: list[str], width: float | None
) -> None:
    items: list[tuple[str, list[float], str, bool]] = []
    for p in chain:
        fx = REAPER[p.kind](p.typed())
        items.append((fx.path, fx.values, fx.label, p.enabled))
        if fx.note:
            notes.append(f"{owner}: {fx.note}")
    if width is not None:
        items.append((SLIDERS["width"][0], [width], f"width {width:g}", True))
    if not items:
        return
    w.open(tag)
    w.line("SHOW", "0")
    w.line("LASTSEL", "0")
    w.line("DOCKED", "0")
    for k, (path, vals, label, enabled) in enumerate(items):
        w.line("BYPASS", "0" if enabled else "1", "0", "0")
        w.open("JS", f"{FOLDER}/{path}", quote(label))
        w.line(_sliders(vals))
        w.close()
        w.line("FLOATPOS", "0", "0", "0", "0")
        w.line("FXID", guid(owner, tag, str(k)))
        w.line("WAK", "0", "0")
    w.close()


def _tree(session: Session) -> list[_Strip]:
    """Strips in REAPER order: a folder per group bus holding what routes to it, FX buses last."""
    buses = {b.id: b for b in session.buses}
    strips: dict[str, _Strip] = {}
    for t in session.tracks:
        strips[t.id] = _Strip("track", t.id, t.name, t)
    for b in session.buses:
        if b.kind in ("group", "fx"):
            strips[b.id] = _Strip(b.kind, b.id, b.name, b)
    for dest in [t.output for t in session.tracks] + [b.output or "master" for b in session.buses]:
        if dest not in buses:
            raise ValueError(f"routing to {dest!r}, which is not a bus of this session")

    def parent(s: _Strip) -> str | None:
        out = s.obj.output if s.kind == "track" else (s.obj.output or "master")
        return out if out in buses and buses[out].kind == "group" else None

    for s in strips.values():
        seen = {s.id}
        up = parent(s)
        while up is not None:
            if up in seen:
                raise ValueError(f"group buses route into each other in a loop ({' -> '.join(sorted(seen))})")
            seen.add(up)
            up = parent(strips[up])

    track_pos = {t.id: i for i, t in enumerate(session.tracks)}
    bus_pos = {b.id: i for i, b in enumerate(session.buses)}
    big = len(session.tracks) + 1

    def key(s: _Strip) -> tuple[int, int]:
        if s.kind == "track":
            return (0, track_pos[s.id])
        if s.kind == "group":
            ks = [key(c) for c in s.children]
            first = min(ks) if ks else (1, big + bus_pos[s.id])
            return first
        return (2, bus_pos[s.id])

    top: list[_Strip] = []
    for s in strips.values():
        up = parent(s)
        (strips[up].children if up else top).append(s)

    def sort(nodes: list[_Strip]) -> None:
        for n in nodes:
            sort(n.children)
        nodes.sort(key=key)

    sort(top)
    flat: list[_Strip] = []

    def flatten(nodes: list[_Strip]) -> None:
        for n in nodes:
            flat.append(n)
            if n.children:
                n.isbus = (1, 1)
                flatten(n.children)
                last = flat[-1]
                last.isbus = (2, last.isbus[1] - 1 if last.isbus[0] == 2 else -1)

    flatten(top)
    for i, s in enumerate(flat):
        s.index = i
    return flat


def _items(w: _Writer, session: Session, t: Track, index: int, trim_gain: float) -> None:
    sr = session.sample_rate
    path = f"{MEDIA_DIR}/{media_name(index, t)}"
    for k, c in enumerate(plan_clips(t, sr, int(round(session.length_s * sr)))):
        pos, dur, off, fi, fo = c.seconds(sr)
        w.open("ITEM")
        w.line("POSITION", fmt(pos))
        w.line("SNAPOFFS", "0")
        w.line("LENGTH", fmt(dur))
        w.line("LOOP", "0")
        w.line("ALLTAKES", "0")
        w.line("FADEIN", "0", fmt(fi), "0", "0", "0", "0", "0")
        w.line("FADEOUT", "0", fmt(fo), "0", "0", "0", "0", "0")
        w.line("MUTE", "0", "0")
        w.line("SEL", "0")
        w.line("IGUID", guid(session.name, t.id, "item", str(k)))
        w.line("IID", str(k + 1))
        w.line("NAME", quote(t.name))
        w.line("VOLPAN", "1", "0", fmt(trim_gain), "-1")
        w.line("SOFFS", fmt(off))
        w.line("PLAYRATE", "1", "1", "0", "-1", "0", "0.0025")
        w.line("CHANMODE", "0")
        w.line("GUID", guid(session.name, t.id, "take", str(k)))
        w.open("SOURCE", "WAVE")
        w.line("FILE", quote(path))
        w.close()
        w.close()


def build(session: Session) -> Built:
    """The RPP text of a session and its approximations (nothing is written)."""
    notes: list[str] = []
    buses = {b.id: b for b in session.buses}
    flat = _tree(session)
    track_index = {t.id: i for i, t in enumerate(session.tracks, 1)}

    # receives: the FX bus track lists every post-fader send into it (and strips routed straight to it)
    receives: dict[str, list[tuple[int, float]]] = {s.id: [] for s in flat if s.kind == "fx"}
    for s in flat:
        if s.kind == "track":
            for snd in s.obj.sends:
                if snd.bus not in receives:
                    raise ValueError(f"track {s.name!r} sends to {snd.bus!r}, not an FX bus of this session")
                receives[snd.bus].append((s.index, 10.0 ** (snd.level_db / 20.0)))
        out = s.obj.output if s.kind == "track" else (s.obj.output or "master")
        if out in receives:
            receives[out].append((s.index, 1.0))

    w = _Writer()
    w.open("REAPER_PROJECT", "0.1", quote(f"7.0/faderpilot-{__version__}"), "0")
    w.line("RIPPLE", "0")
    w.line("GROUPOVERRIDE", "0", "0", "0")
    w.line("AUTOXFADE", "129")
    w.line("ENVATTACH", "3")
    w.line("POOLEDENVATTACH", "0")
    w.line("MIXERUIFLAGS", "11", "48")
    w.line("PEAKGAIN", "1")
    w.line("FEEDBACK", "0")
    w.line("PANLAW", fmt(LAW_0DB))
    w.line("PROJOFFS", "0", "0", "0")
    w.line("MAXPROJLEN", "0", "600")
    w.line("GRID", "3199", "8", "1", "8", "1", "0", "0", "0")
    w.line("TIMEMODE", "1", "5", "-1", "30", "0", "0", "-1")
    w.line("VIDEO_CONFIG", "0", "0", "256")
    w.line("PANMODE", "3")
    w.line("PANLAWFLAGS", "3")
    w.line("CURSOR", "0")
    w.line("ZOOM", "100", "0", "0")
    w.line("VZOOMEX", "6", "0")
    w.line("USE_REC_CFG", "0")
    w.line("RECMODE", "1")
    w.line("SMPTESYNC", "0", "30", "100", "40", "1000", "300", "0", "0", "1", "0", "0")
    w.line("LOOP", "0")
    w.line("LOOPGRAN", "0", "4")
    w.line("RECORD_PATH", '""', '""')
    w.line("RENDER_FILE", '""')
    w.line("RENDER_PATTERN", '""')
    w.line("RENDER_FMT", "0", "2", str(session.sample_rate))
    w.line("RENDER_1X", "0")
    w.line("RENDER_RANGE", "1", "0", "0", "18", "1000")
    w.line("RENDER_RESAMPLE", "3", "0", "1")
    w.line("RENDER_ADDTOPROJ", "0")
    w.line("RENDER_STEMS", "0")
    w.line("RENDER_DITHER", "0")
    w.line("TIMELOCKMODE", "1")
    w.line("TEMPOENVLOCKMODE", "1")
    w.line("ITEMMIX", "1")
    w.line("DEFPITCHMODE", "589824", "0")
    w.line("TAKELANE", "1")
    w.line("SAMPLERATE", str(session.sample_rate), "0", "0")
    w.line("LOCK", "1")
    w.line("GLOBAL_AUTO", "-1")
    w.line("TEMPO", "120", "4", "4")
    w.line("PLAYRATE", "1", "0", "0.25", "4")
    w.line("SELECTION", "0", "0")
    w.line("SELECTION2", "0", "0")
    w.line("MASTERAUTOMODE", "0")
    w.line("MASTERTRACKHEIGHT", "0", "0")
    master = session.master
    w.line("MASTERPEAKCOL", str(peakcol(master.colour)))
    w.line("MASTERMUTESOLO", "1" if master.mute else "0")
    w.line("MASTERTRACKVIEW", "0", "0.6667", "0.5", "0.5", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0")
    w.line("MASTERHWOUT", "0", "0", "1", "0", "0", "0", "0", "-1")
    w.line("MASTER_NCH", "2", "2")
    mp, mlaw, mgain = reaper_pan(master.pan, 2)
    if mgain != 1.0:
        notes.append(_pan_note(f"{master.name} bus", master.fader_db, mgain, master.pan, mp))
    w.line("MASTER_VOLUME", fmt(10 ** (master.fader_db / 20) * mgain), fmt(mp), fmt(mlaw), "-1", "1")
    w.line("MASTER_PANMODE", "3")
    w.line("MASTER_FX", "1")
    w.line("MASTER_SEL", "0")
    _fxchain(w, "MASTERFXLIST", master.chain, f"{master.name} bus", notes, None)
    for k, m in enumerate(session.markers, 1):
        w.line("MARKER", str(k), fmt(m.time_s), quote(m.name), "0")

    body = _Writer()
    body.depth = w.depth
    for s in flat:
        _track(body, session, s, buses, receives, track_index, notes)

    # project notes: what this is, how to load the effects, what is approximate
    w.open("NOTES", "0", "2")
    text = [
        f"Exported by faderpilot {__version__} from session.json ({session.name}).",
        f"Effects: copy the folder '{EFFECTS_DIR}/{FOLDER}' next to this project into REAPER's",
        "Effects folder (Options > Show REAPER resource path), then reopen the project.",
    ]
    if notes:
        text.append("Approximations:")
        text += [f"- {n}" for n in notes]
    for t in text:
        w.line("|" + t.replace("\r", " ").replace("\n", " "))
    w.close()
    w.lines += body.lines
    w.close()
    return Built(text="\n".join(w.lines) + "\n", notes=notes, jsfx=dict(SOURCES))


def _pan_note(owner: str, fader_db: float, gain: float, pan: float, rp: float) -> str:
    return (
        f"{owner}: stereo pan {pan:+.2f} is written as REAPER pan {rp:+.3f} with the fader at "
        f"{fader_db + 20 * math.log10(gain):+.2f} dB (session {fader_db:+.2f} dB), so each channel's gain is "
        "faderpilot's balance law exactly"
    )


def _track(
    w: _Writer,
    session: Session,
    s: _Strip,
    buses: dict[str, Bus],
    receives: dict[str, list[tuple[int, float]]],
    track_index: dict[str, int],
    notes: list[str],
) -> None:
    obj = s.obj
    channels = obj.channels if isinstance(obj, Track) else 2
    pan, law, gain = reaper_pan(obj.pan, channels)
    owner = s.name if s.kind == "track" else f"{s.name} bus"
    if gain != 1.0:
        notes.append(_pan_note(owner, obj.fader_db, gain, obj.pan, pan))
    out = obj.output if isinstance(obj, Track) else (obj.output or "master")
    to_parent = out == "master" or (out in buses and buses[out].kind == "group")
    w.open("TRACK", guid(session.name, s.kind, s.id))
    w.line("NAME", quote(s.name))
    w.line("PEAKCOL", str(peakcol(obj.colour)))
    w.line("BEAT", "-1")
    w.line("AUTOMODE", "0")
    w.line("PANLAWFLAGS", "0" if law == LAW_3DB else "3")
    w.line("VOLPAN", fmt(10 ** (obj.fader_db / 20) * gain), fmt(pan), fmt(law), "-1", "1")
    solo = isinstance(obj, Track) and obj.solo
    w.line("MUTESOLO", "1" if obj.mute else "0", "2" if solo else "0", "0")
    w.line("IPHASE", "1" if isinstance(obj, Track) and obj.polarity_inverted else "0")
    w.line("PLAYOFFS", "0", "1")
    w.line("ISBUS", str(s.isbus[0]), str(s.isbus[1]))
    w.line("BUSCOMP", "0", "0", "0", "0", "0")
    w.line("SHOWINMIX", "1", "0.6667", "0.5", "1", "0.5", "0", "0", "0")
    w.line("SEL", "0")
    w.line("REC", "0", "0", "0", "0", "0", "0", "0", "0")
    w.line("VU", "2")
    w.line("TRACKHEIGHT", "0", "0", "0", "0", "0", "0", "0")
    w.line("INQ", "0", "0", "0", "0.5", "100", "0", "0", "100")
    w.line("NCHAN", "2")
    w.line("FX", "1")
    w.line("TRACKID", guid(session.name, s.kind, s.id))
    w.line("PERF", "0")
    w.line("MIDIOUT", "-1")
    w.line("MAINSEND", "1" if to_parent else "0", "0")
    for src, g in receives.get(s.id, []):
        # source, mode 0 = post-fader (post-pan), volume, pan, mute, mono, phase, channels, pan law
        w.line("AUXRECV", str(src), "0", fmt(g), "0", "0", "0", "0", "0", "0", "-1:U", "0", "-1", "''")
    auto = gain_automation(obj) if isinstance(obj, Track) else []
    if auto:
        # post-FX volume envelope; in REAPER's default trim/read mode it multiplies the fader
        w.open("VOLENV2")
        w.line("EGUID", guid(session.name, s.kind, s.id, "volenv"))
        w.line("ACT", "1", "-1")
        w.line("VIS", "1", "1", "1")
        w.line("LANEHEIGHT", "0", "0")
        w.line("ARM", "0")
        w.line("DEFSHAPE", "0", "-1", "-1")
        for time, off_db in auto:
            w.line("PT", fmt(time), fmt(10 ** (off_db / 20)), "0")
        w.close()
    width = None
    if isinstance(obj, Track) and channels == 2 and abs(obj.width - 1.0) > 1e-12:
        width = obj.width
    _fxchain(w, "FXCHAIN", obj.chain, owner, notes, width)
    if isinstance(obj, Track):
        trim = 10 ** (obj.trim_db / 20)
        _items(w, session, obj, track_index[obj.id], trim)
    w.close()


def approximations(session: Session) -> list[str]:
    """What REAPER will not play exactly as faderpilot renders it, one line each."""
    return build(session).notes


def project_path(session: Session, out_dir: str | Path) -> Path:
    """Where ``write`` puts the project: OUT_DIR/<song>.RPP."""
    return song_file(session, out_dir, ".RPP")


def write(session: Session, out_dir: str | Path) -> Path:
    """Write OUT_DIR/<song>.RPP, its media and effects, each file atomically; returns the RPP path.

    The approximations are logged (INFO) and stored in the project (see ``approximations``)."""
    out_dir = Path(out_dir)
    check_destination(out_dir, source_folders(session))
    built = build(session)
    for n in built.notes:
        log.info("REAPER export: %s", n)
    write_media(session, out_dir / MEDIA_DIR)
    fx_dir = out_dir / EFFECTS_DIR / FOLDER
    for name, src in built.jsfx.items():
        write_text_atomic(fx_dir / name, src)
    dest = project_path(session, out_dir)
    write_text_atomic(dest, built.text)
    return dest
