"""AAF export: ``<song>.aaf`` (the prep session) and ``<song> printed.aaf`` for Pro Tools and Logic.

Written into OUT_DIR with pyaaf2 (details, units and what does not map in docs/daw-aaf.md):

- ``<song>.aaf``: one sound track (a TimelineMobSlot at the session rate, so every position is
  a sample) per session track, in console order, named as the track. Clips sit where the render
  plan puts them (``render.plan``: regions, the track's delay, cut at the session edges), each
  a SourceClip reading the track's media at the region's source offset. The trim is the clip
  gain (Mono Audio Gain, a constant Amplitude around the clip), the fader and any ``gain_db``
  automation the track volume (Mono Audio Gain around the track: volume automation, a
  VaryingValue of linear Amplitude at sample-exact times), the pan a Mono Audio Pan (0 = left,
  1/2 = centre, 1 = right). Region fades are Mono Audio Dissolve transitions from and to
  silence. Markers are DescriptiveMarkers on an event track. A track whose polarity prep
  inverted plays an inverted copy of its source, named "... (polarity inverted)".
- ``<song> printed.aaf``: the printed stems that feed the master (tracks routed straight to it
  and the group and FX buses), each on its own track at unity, through the master fader, so
  their sum is ``mix.wav``.
- ``<song> chains.txt``: per strip, what AAF cannot carry (EQ, dynamics, saturation, sends,
  width, routing, buses) in the report's words and units.

Media are embedded as 24-bit PCM (16-bit when every source is 16-bit) at the session rate, so
one file carries the session (Pro Tools' Import Session Data copies embedded media). A clip
whose media would pass full scale is written lower and its clip gain raised by the same amount.
"""

from __future__ import annotations

import datetime
import logging
import math
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aaf2
import numpy as np
import soundfile as sf
from aaf2.mobid import MobID
from aaf2.rational import AAFRational

from ..audio.io import check_destination, source_folders
from ..filemode import replacing
from ..messages import message
from ..render.plan import Clip, Plan
from ..render.plan import build as build_plan
from ..session.io import write_text_atomic
from ..session.model import Session, Track
from ..version import __version__
from .dawproject import gain_automation
from .media import media_name, song_file, track_audio

log = logging.getLogger(__name__)

#: AAF dictionary definitions (SMPTE/AAF SDK AUIDs, as pyaaf2's model lists them).
OP_MONO_AUDIO_GAIN = "9d2ea894-0968-11d3-8a38-0050040ef7d2"
OP_MONO_AUDIO_PAN = "9d2ea893-0968-11d3-8a38-0050040ef7d2"
OP_MONO_AUDIO_DISSOLVE = "0c3bea41-fc05-11d2-8a29-0050040ef7d2"
PARAM_AMPLITUDE = "e4962321-2267-11d3-8a4c-0050040ef7d2"
PARAM_PAN = "e4962322-2267-11d3-8a4c-0050040ef7d2"
PARAM_LEVEL = "e4962320-2267-11d3-8a4c-0050040ef7d2"
LINEAR_INTERP = "5b6c85a4-0ede-11d3-80a9-006008143e6f"
#: Fixed time stamps and id namespace, so re-exports of an unchanged session are identical.
_STAMP = datetime.datetime(2000, 1, 1)
_ID_NS = uuid.UUID("2f6f0a4e-9a57-4c1e-8f0e-5a1a7b3c9d21")


@dataclass(frozen=True)
class AafClip:
    """One clip of an AAF track, in samples: timeline start, media offset, length, fades, gain."""

    start: int
    offset: int
    length: int
    fade_in: int = 0
    fade_out: int = 0
    gain_db: float = 0.0


@dataclass(frozen=True)
class Media:
    """Audio embedded in the AAF: its name, channel count and how to get (channels, frames)."""

    name: str
    channels: int
    audio: Callable[[], np.ndarray]


@dataclass(frozen=True)
class AafTrack:
    """One AAF sound track: name, media, clips, track volume (dB, with automation as (sample,
    dB) points when it varies) and pan in [-1, 1]."""

    name: str
    media: Media
    clips: tuple[AafClip, ...]
    volume_db: float = 0.0
    volume_points: tuple[tuple[int, float], ...] = ()
    pan: float = 0.0


@dataclass
class Layout:
    """What one AAF file holds, before any pyaaf2 object exists."""

    name: str
    sample_rate: int
    frames: int
    bits: int
    tracks: list[AafTrack]
    markers: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def db(x: float) -> float:
    """Linear gain to dB (-inf for 0)."""
    return 20.0 * math.log10(x) if x > 0 else -math.inf


def session_bits(session: Session) -> int:
    """Bit depth of the embedded media: 16 when every source is 16-bit, else 24 (AAF PCM is
    integer; float sources are carried at 24 bits, 144 dB below full scale)."""
    subtypes = {s.subtype for s in session.sources}
    return 16 if subtypes and subtypes <= {"PCM_16", "PCM_S8", "PCM_U8"} else 24


def _fades(c: Clip) -> tuple[int, int]:
    """The clip's audible fades, shortened together when they would overlap (AAF transitions on
    both sides of a clip may not overlap each other)."""
    fi, fo = c.audible_fades()
    if fi + fo > c.length:
        fi = c.length * fi // (fi + fo)
        fo = c.length - fi
    return fi, fo


def prep_layout(session: Session, plan: Plan | None = None) -> Layout:
    """The prep AAF of a session: one track per session track, clips from the render plan."""
    plan = plan or build_plan(session)
    sr, frames = plan.sample_rate, plan.frames
    out = Layout(session.name, sr, frames, session_bits(session), [])
    for i, t in enumerate(session.tracks, 1):
        sp = plan.strip(t.id)
        name = media_name(i, t)[:-4] + (" (polarity inverted)" if t.polarity_inverted else "")
        media = Media(name, 2 if t.channels == 2 else 1, _track_media(session, t))
        clips: list[AafClip] = []
        for c in sorted(sp.clips, key=lambda c: c.start):
            fi, fo = _fades(c)
            if (fi, fo) != c.audible_fades():
                out.notes.append(
                    f"{t.name}: a region's fades overlap; shortened to {fi / sr * 1000:.1f} ms "
                    f"in and {fo / sr * 1000:.1f} ms out"
                )
            if clips and clips[-1].start + clips[-1].length > c.start:
                # an AAF track plays one clip at a time: the earlier region ends where this starts
                prev = clips.pop()
                n = max(0, c.start - prev.start)
                out.notes.append(
                    f"{t.name}: regions overlap at {c.start / sr:.3f} s; the earlier one ends there "
                    "(faderpilot plays both)"
                )
                if n:
                    clips.append(AafClip(prev.start, prev.offset, n, min(prev.fade_in, n), 0, prev.gain_db))
            clips.append(AafClip(c.start, c.offset, c.length, fi, fo, sp.trim_db))
        points: tuple[tuple[int, float], ...] = ()
        auto = gain_automation(t)
        if auto:
            pts = [(min(frames, max(0, int(round(s * sr)))), sp.fader_db + d) for s, d in auto]
            # hold the end values to the session's edges; a later point at a sample wins
            held = dict([(0, pts[0][1]), *pts, (frames, pts[-1][1])])
            points = tuple(sorted(held.items()))
        out.tracks.append(AafTrack(t.name, media, tuple(clips), sp.fader_db, points, sp.pan))
    out.markers = [(m.name, int(round(m.time_s * sr))) for m in session.markers]
    out.notes += prep_notes(session)
    return out


def _track_media(session: Session, t: Track) -> Callable[[], np.ndarray]:
    def read() -> np.ndarray:
        a = track_audio(session, t)
        return -a if t.polarity_inverted else a

    return read


def printed_sources(session: Session, plan: Plan) -> list[str]:
    """Ids of the strips whose printed stems sum (through the master) to ``mix.wav``: audible
    tracks routed straight to the master, then the group and FX buses that feed it."""
    master = session.master.id
    ids = [s.id for s in plan.strips if s.kind == "track" and s.audible and s.output == master]
    ids += [s.id for s in plan.strips if s.kind in ("group", "fx") and (s.output or master) == master]
    return ids


def printed_layout(session: Session, out_dir: Path, plan: Plan | None = None) -> Layout | None:
    """The printed AAF: each stem feeding the master as one clip from 0 to the end at unity, its
    media the stem through the master fader (named so), so the clips play mix.wav whatever the
    importer does with clip gain; None when a stem is missing (FP-W070 is logged)."""
    plan = plan or build_plan(session)
    paths = plan.stem_paths(out_dir)
    ids = printed_sources(session, plan)
    missing = [paths[i] for i in ids if not paths[i].is_file()]
    if missing or not (out_dir / "mix.wav").is_file():
        log.warning("%s [FP-W070]", message("FP-W070", missing[0] if missing else out_dir / "mix.wav"))
        return None
    out = Layout(f"{session.name} printed", plan.sample_rate, plan.frames, 24, [])
    g = session.master.fader_db
    label = "" if abs(g) < 5e-3 else f" (master {g:+.2f} dB)"
    for i in ids:
        sp = plan.strip(i)
        path = paths[i]
        media = Media(path.stem + label, 2, _stem_media(path, g))
        out.tracks.append(AafTrack(sp.name, media, (AafClip(0, 0, plan.frames),), 0.0, (), 0.0))
    out.markers = [(m.name, int(round(m.time_s * plan.sample_rate))) for m in session.markers]
    return out


def _stem_media(path: Path, gain_db: float) -> Callable[[], np.ndarray]:
    def read() -> np.ndarray:
        x, _ = sf.read(str(path), dtype="float32", always_2d=True)
        return np.ascontiguousarray(x.T) * np.float32(10 ** (gain_db / 20))

    return read


def prep_notes(session: Session) -> list[str]:
    """What the prep AAF does not play as faderpilot renders it, one line each."""
    notes = []
    kinds = sorted({p.kind for t in session.tracks for p in t.chain if p.enabled})
    if kinds:
        notes.append(
            "AAF carries no plug-ins: "
            + ", ".join(k.replace("_", " ") for k in kinds)
            + " are listed per track in chains.txt, to rebuild with your own"
        )
    if any(t.sends for t in session.tracks) or any(b.kind in ("group", "fx") for b in session.buses):
        notes.append("AAF has no buses or sends: every track plays straight out; routing is in chains.txt")
    if any(t.channels == 1 for t in session.tracks) or any(abs(t.pan) > 1e-9 for t in session.tracks):
        notes.append(
            "pan law: AAF stores pan positions only; the DAW applies its own law (faderpilot: mono "
            "constant power, -3.01 dB each side at centre; stereo balance)"
        )
    if any(t.channels == 2 and abs(t.width - 1.0) > 1e-9 for t in session.tracks):
        notes.append("stereo width is not carried (chains.txt lists it)")
    muted = [t.name for t in session.tracks if t.mute or t.solo]
    if muted:
        notes.append("mute and solo are not carried: " + ", ".join(muted))
    if any(p.enabled for p in session.master.chain) or abs(session.master.pan) > 1e-12:
        notes.append(
            "printed AAF: the master bus has a chain or a pan that AAF cannot carry; the stems "
            "sum to mix.wav before it (see chains.txt)"
        )
    return notes


# ---- writing with pyaaf2 -------------------------------------------------------------------


def _rational(v: float) -> AAFRational:
    """A gain or pan as an AAF Rational (32-bit numerator and denominator): the largest power-of-
    two denominator that keeps the numerator in range (2**30 for values under 2: 1e-9 relative)."""
    den = 1 << 30
    while abs(v) * den >= (1 << 31) - 1 and den > 1:
        den >>= 1
    return AAFRational(round(float(v) * den), den)


def _mob_id(*parts: str) -> MobID:
    """A MobID whose material number is derived from ``parts``, so re-exports keep their ids."""
    m = MobID.new()
    m.material = uuid.uuid5(_ID_NS, "/".join(parts))
    return m


class _Defs:
    """The operation, parameter and interpolation definitions the file uses, registered once."""

    def __init__(self, f) -> None:
        d = f.dictionary
        rational = d.lookup_typedef("Rational")
        self.amplitude = f.create.ParameterDef(PARAM_AMPLITUDE, "Amplitude", "linear gain", rational)
        self.pan = f.create.ParameterDef(PARAM_PAN, "Pan", "0 left, 1/2 centre, 1 right", rational)
        self.level = f.create.ParameterDef(PARAM_LEVEL, "Level", "dissolve level", rational)
        for p in (self.amplitude, self.pan, self.level):
            d.register_def(p)
        self.linear = f.create.InterpolationDef(LINEAR_INTERP, "LinearInterp", "linear interpolation")
        d.register_def(self.linear)
        self.gain = self._op(f, OP_MONO_AUDIO_GAIN, "Mono Audio Gain", [self.amplitude], 1)
        self.panop = self._op(f, OP_MONO_AUDIO_PAN, "Mono Audio Pan", [self.pan], 1)
        self.dissolve = self._op(f, OP_MONO_AUDIO_DISSOLVE, "Mono Audio Dissolve", [self.level], 2)

    @staticmethod
    def _op(f, auid: str, name: str, params: list, inputs: int):
        op = f.create.OperationDef(auid, name, "")
        op.media_kind = "sound"
        op["IsTimeWarp"].value = False
        op["Bypass"].value = 0
        op["NumberInputs"].value = inputs
        op["OperationCategory"].value = "OperationCategory_Effect"
        op["ParametersDefined"].extend(params)
        f.dictionary.register_def(op)
        return op


def _constant(f, pdef, value: float):
    c = f.create.ConstantValue()
    c.parameterdef = pdef
    c.value = _rational(value)
    return c


def _wrap(f, op, segment, param):
    """An OperationGroup applying ``op`` with ``param`` to ``segment``."""
    g = f.create.OperationGroup(op, segment.length, "sound")
    g.segments.append(segment)
    g.parameters.append(param)
    return g


def _embed(f, layout: Layout, media: Media, cache: dict[str, object]):
    """The MasterMob of ``media``, embedding its audio as PCM the first time (one per name)."""
    if media.name in cache:
        return cache[media.name]
    a = np.asarray(media.audio(), dtype=np.float32)
    if a.shape[0] != media.channels:
        a = a[: media.channels] if a.shape[0] > media.channels else np.repeat(a, media.channels, axis=0)
    peak = float(np.max(np.abs(a))) if a.size else 0.0
    lift_db = 0.0
    top = 1.0 - 2.0 ** (1 - layout.bits)
    if peak > top:  # written lower, the clip gain raised to match (AAF PCM has no overs)
        lift_db = math.ceil(db(peak / top) * 100) / 100
        a = a * np.float32(10 ** (-lift_db / 20))
    pcm = _pcm_bytes(a, layout.bits)
    sr = layout.sample_rate
    master = f.create.MasterMob(media.name)
    master.mob_id = _mob_id(layout.name, "master", media.name)
    f.content.mobs.append(master)
    source = f.create.SourceMob(f"{media.name}.PHYS")
    source.mob_id = _mob_id(layout.name, "source", media.name)
    f.content.mobs.append(source)
    essence, sslot = source.create_essence(sr, "sound")
    d = f.create.PCMDescriptor()
    source.descriptor = d
    d["Channels"].value = a.shape[0]
    d["BlockAlign"].value = a.shape[0] * layout.bits // 8
    d["SampleRate"].value = sr
    d["AverageBPS"].value = sr * a.shape[0] * layout.bits // 8
    d["QuantizationBits"].value = layout.bits
    d["AudioSamplingRate"].value = sr
    d.length = a.shape[1]
    sslot.segment.length = a.shape[1]
    stream = essence.open("w")
    step = 1 << 22
    for k in range(0, len(pcm), step):
        stream.write(pcm[k : k + step])
    mslot = master.create_timeline_slot(edit_rate=sr)
    mslot["PhysicalTrackNumber"].value = 1
    mslot.segment = source.create_source_clip(sslot.slot_id, media_kind="sound")
    mslot.segment.length = a.shape[1]
    for m in (master, source):
        m["CreationTime"].value = _STAMP
        m["LastModified"].value = _STAMP
    cache[media.name] = (master, mslot.slot_id, lift_db)
    return cache[media.name]


def _pcm_bytes(a: np.ndarray, bits: int) -> bytes:
    """(channels, frames) float audio as interleaved little-endian signed PCM (float32 all the
    way: scaling by a power of two and rounding are exact there)."""
    scale = np.float32(2 ** (bits - 1))
    y = np.empty((a.shape[1], a.shape[0]), dtype=np.float32)
    np.multiply(a.T, scale, out=y)
    np.rint(y, out=y)
    np.clip(y, -scale, scale - 1, out=y)
    if bits == 16:
        return y.astype("<i2").tobytes()
    q = y.astype("<i4")
    return q.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()


def _transition(f, defs: _Defs, length: int, fade_in: bool):
    """A linear fade from (``fade_in``) or to silence; the cut sits where the clip is heard
    whole, so readers that cut transitions (OpenTimelineIO) keep the clip's full span."""
    level = f.create.VaryingValue()
    level.parameterdef = defs.level
    level["Interpolation"].value = defs.linear
    for t, v in ((0, 0), (1, 1)):
        p = f.create.ControlPoint()
        p["EditHint"].value = "Proportional"
        p.time = _rational(t)
        p.value = _rational(v)
        level["PointList"].append(p)
    g = f.create.OperationGroup(defs.dissolve, length, "sound")
    g.parameters.append(level)
    tr = f.create.Transition("sound", length)
    tr["OperationGroup"].value = g
    tr["CutPoint"].value = 0 if fade_in else length
    return tr


def _sequence(f, defs: _Defs, track: AafTrack, master, slot_id: int, lift_db: float, frames: int):
    """The track's clips as a Sequence of fillers, fade transitions and gain-wrapped clips."""
    seq = f.create.Sequence("sound")
    comps = []
    cursor = 0  # where the timeline stands after the last segment (transitions overlap)
    pending_out = 0  # the fade-out of the previous clip, overlapping the next filler
    for c in sorted(track.clips, key=lambda c: c.start):
        if c.start < cursor:
            raise ValueError(f"track {track.name!r}: clips overlap at sample {c.start}")
        gap = c.start - cursor + pending_out + c.fade_in
        if gap > 0:
            comps.append(f.create.Filler("sound", gap))
            if pending_out:
                comps.insert(len(comps) - 1, _transition(f, defs, pending_out, False))
            if c.fade_in:
                comps.append(_transition(f, defs, c.fade_in, True))
        clip = master.create_source_clip(slot_id, start=c.offset, length=c.length, media_kind="sound")
        gain = _constant(f, defs.amplitude, 10 ** ((c.gain_db + lift_db) / 20))
        comps.append(_wrap(f, defs.gain, clip, gain))
        cursor = c.start + c.length
        pending_out = c.fade_out
    tail = frames - cursor + pending_out
    if tail > 0:
        comps.append(f.create.Filler("sound", tail))
        if pending_out:
            comps.insert(len(comps) - 1, _transition(f, defs, pending_out, False))
    if not comps:
        comps.append(f.create.Filler("sound", frames))
    seq.components.value = comps
    seq.length = frames
    return seq


def _volume(f, defs: _Defs, track: AafTrack, frames: int):
    """The track volume as volume automation (a VaryingValue, two points when it holds still):
    what Logic documents that it imports, and Pro Tools' "Import Volume Automation" takes."""
    points = track.volume_points or ((0, track.volume_db), (frames, track.volume_db))
    v = f.create.VaryingValue()
    v.parameterdef = defs.amplitude
    v["Interpolation"].value = defs.linear
    for s, d in points:
        p = f.create.ControlPoint()
        p["EditHint"].value = "Proportional"
        p.time = AAFRational(s, max(frames, 1))  # a fraction of the track, exact to the sample
        p.value = _rational(10 ** (d / 20))
        v["PointList"].append(p)
    return v


def write_layout(layout: Layout, dest: Path) -> Path:
    """Write one AAF file atomically (a temporary file renamed over ``dest``)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with replacing(dest, ".tmp.aaf") as tmp:
        os.unlink(tmp)  # pyaaf2 creates the file itself
        with aaf2.open(tmp, "w") as f:
            ident = f.header["IdentificationList"][0]
            ident["ProductName"].value = "faderpilot"
            ident["CompanyName"].value = "faderpilot"
            ident["ProductVersionString"].value = __version__
            ident["Date"].value = _STAMP
            ident["GenerationAUID"].value = uuid.uuid5(_ID_NS, layout.name)
            f.header["LastModified"].value = _STAMP
            defs = _Defs(f)
            sr, frames = layout.sample_rate, layout.frames
            comp = f.create.CompositionMob(layout.name)
            comp.mob_id = _mob_id(layout.name, "composition")
            comp.usage = "Usage_TopLevel"
            comp["CreationTime"].value = _STAMP
            comp["LastModified"].value = _STAMP
            f.content.mobs.append(comp)
            cache: dict[str, object] = {}
            for n, track in enumerate(layout.tracks, 1):
                master, mslot, lift_db = _embed(f, layout, track.media, cache)
                seq = _sequence(f, defs, track, master, mslot, lift_db, frames)
                vol = _wrap(f, defs.gain, seq, _volume(f, defs, track, frames))
                pan = _wrap(f, defs.panop, vol, _constant(f, defs.pan, (track.pan + 1.0) / 2.0))
                slot = comp.create_timeline_slot(edit_rate=sr, slot_id=n)
                slot.name = track.name
                slot["PhysicalTrackNumber"].value = n
                slot.segment = pan
            if layout.markers:
                _markers(f, comp, layout)
    return dest


def _markers(f, comp, layout: Layout) -> None:
    """The song's sections as DescriptiveMarkers on an event track, attached to track 1."""
    slot = f.create.EventMobSlot()
    slot["SlotID"].value = len(layout.tracks) + 1
    slot["EditRate"].value = layout.sample_rate
    slot["PhysicalTrackNumber"].value = 1
    slot.name = "Markers"
    seq = f.create.Sequence("DescriptiveMetadata")
    items = []
    for name, at in sorted(layout.markers, key=lambda m: m[1]):
        m = f.create.DescriptiveMarker()
        m["Position"].value = at
        m["Comment"].value = name
        m["CommentMarkerUser"].value = "faderpilot"
        m["DescribedSlots"].value = {1}
        items.append(m)
    seq.components.value = items
    slot.segment = seq
    comp.slots.append(slot)


# ---- chains.txt and the writer's interface ---------------------------------------------------


def chains_text(session: Session) -> str:
    """Per strip, in the report's words and units: what the AAF carries and what to rebuild."""
    from .report import strip_rows

    names = {b.id: b.name for b in session.buses}
    carried = {"Polarity", "Track delay", "Regions", "Trim", "Fader", "Pan", "Automation", "Channels"}
    lines = [
        f"{session.name}: what {session.name}.aaf cannot carry, per strip (faderpilot {__version__})",
        "Rebuild these with your own plug-ins and routing. Gains in dB, frequencies in Hz, times in ms.",
        "",
    ]
    for strip in [*session.tracks, *session.buses]:
        rows = strip_rows(strip, names)
        is_track = isinstance(strip, Track)
        rebuild = [r for r in rows if not (is_track and r.setting in carried)]
        kept = [r for r in rows if is_track and r.setting in carried]
        title = strip.name if is_track else f"{strip.name} bus ({strip.kind}, not in the AAF)"
        lines.append(title)
        lines.append("-" * len(title))
        for r in rebuild:
            why = f"  ({r.decision.reason})" if r.decision is not None and r.decision.reason else ""
            lines.append(f"  {r.setting}: {r.value}{why}")
        if not rebuild:
            lines.append("  nothing to rebuild")
        if kept:
            lines.append("  in the AAF: " + "; ".join(f"{r.setting} {r.value}" for r in kept))
        lines.append("")
    return "\n".join(lines)


def approximations(session: Session) -> list[str]:
    """What the AAF will not play exactly as faderpilot renders it, one line each."""
    return prep_layout(session).notes


def project_path(session: Session, out_dir: str | Path) -> Path:
    """Where ``write`` puts the prep session: OUT_DIR/<song>.aaf."""
    return song_file(session, out_dir, ".aaf")


def printed_path(session: Session, out_dir: str | Path) -> Path:
    """Where ``write`` puts the printed stems' session: OUT_DIR/<song> printed.aaf."""
    return song_file(session, out_dir, " printed.aaf")


def chains_path(session: Session, out_dir: str | Path) -> Path:
    """Where ``write`` lists what AAF cannot carry: OUT_DIR/<song> chains.txt."""
    return song_file(session, out_dir, " chains.txt")


def write(session: Session, out_dir: str | Path) -> Path:
    """Write OUT_DIR/<song>.aaf, <song> printed.aaf (when the stems are printed) and <song>
    chains.txt, each atomically; returns the prep AAF's path."""
    out_dir = Path(out_dir)
    check_destination(out_dir, source_folders(session))
    plan = build_plan(session)
    layout = prep_layout(session, plan)
    for n in layout.notes:
        log.info("AAF export: %s", n)
    dest = write_layout(layout, project_path(session, out_dir))
    printed = printed_layout(session, out_dir, plan)
    if printed is not None:
        write_layout(printed, printed_path(session, out_dir))
    write_text_atomic(chains_path(session, out_dir), chains_text(session))
    return dest
