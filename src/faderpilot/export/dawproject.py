"""DAWproject export: ``<song>.dawproject`` for Bitwig Studio, Studio One, Cubase/Nuendo and others.

A DAWproject file is a ZIP holding ``project.xml``, ``metadata.xml`` (both valid against the
official XSDs) and, here, the audio: every track's source at the session rate, aligned at 0
(``export.media``), embedded under ``audio/`` so the one file can be moved, mailed or zipped.

What is written (details and units in docs/daw-dawproject.md):

- tracks as ``Track``/``Channel`` (role ``regular``), group buses as folder tracks
  (``contentType="tracks"``, channel role ``submix``) holding their members, FX buses as
  channels with role ``effect``, the master with role ``master``; routing by ``destination``.
- faders as ``Volume`` (unit ``linear``), pans as ``Pan`` (unit ``normalized``, 0.5 = centre),
  mute and solo; post-fader sends as ``Send type="post"`` with a linear ``Volume``.
- regions as clips (seconds) with fades, placed as ``render.plan.clips`` says (the delay moves
  them; the session's start and end cut them).
- filters as the built-in ``Equalizer`` (each band a second-order RBJ section, Butterworth
  high/low-pass slopes as cascaded bands), compressor, gate and limiter as the built-in
  ``Compressor``, ``NoiseGate`` and ``Limiter``; trim as the first equalizer's input gain.
- saturation, reverb and delay have no DAWproject device a host plays: they are written as
  generic ``Device`` elements carrying our parameters, and reported. What a host would then not
  play is printed (``printed``): each bus or track whose sound holds such a processor (or, for a
  track, a polarity flip or stereo width, which DAWproject cannot express) gets an audio track
  "<name> (printed)" playing its printed stem (``stems/``, as ``mix`` wrote it), routed where the
  strip goes and carrying its sends; the live strip stays beside it, muted, its sends and its
  unplayable device switched off, every parameter kept. So the project plays our mix.

``write()`` returns the path written; the approximations (what a DAW will not play as
faderpilot does) come from ``approximations(session)``, are logged, and are stored in the
project's metadata comment.
"""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import soundfile as sf

from ..audio.io import check_destination, load_sources, source_folders, write_wav_atomic
from ..filemode import replacing
from ..render.engine import render
from ..render.filters import FILTER_KINDS, sos
from ..render.plan import audible_ids, stem_names
from ..render.plan import clips as plan_clips
from ..session.model import Bus, Processor, Session, Track
from ..session.processors import (
    BandFilter,
    Compressor,
    Gate,
    Limiter,
    PassFilter,
    TypedProcessor,
    params_of,
)
from ..version import __version__
from .media import media_name, song_file, track_audio, written_media

log = logging.getLogger(__name__)

#: DAWproject format version written.
FORMAT_VERSION = "1.0"
#: Folder inside the container that holds the audio.
AUDIO_DIR = "audio"
#: Folder inside the container that holds the printed audio of strips no host plays as we do.
PRINTED_DIR = f"{AUDIO_DIR}/printed"
#: Appended to a strip's name to name its printed-audio track.
PRINTED_SUFFIX = " (printed)"
#: Processor kinds with no DAWproject device a host plays: a strip holding one is printed.
UNPLAYABLE = frozenset({"saturation", "reverb", "delay"})
#: Fixed timestamp for ZIP members, so re-exports of an unchanged session are byte-identical.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

#: Processors with no DAWproject built-in device are written as generic devices with our
#: parameters: key -> (parameter name, DAWproject unit, scale from our unit).
_GENERIC_PARAMS = {
    "drive_db": ("Drive", "decibel", 1.0),
    "mix_pct": ("Mix", "percent", 1.0),
    "room_size": ("Room Size", "normalized", 1.0),
    "damping": ("Damping", "normalized", 1.0),
    "width": ("Width", "normalized", 1.0),
    "time_ms": ("Time", "seconds", 0.001),
    "feedback_pct": ("Feedback", "percent", 1.0),
}


def num(v: float) -> str:
    """A number as DAWproject text: shortest exact repr, ``inf``/``-inf`` for infinities."""
    v = float(v)
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v)}.0"
    return repr(v)


def db_to_linear(db: float) -> float:
    """Linear gain of a level in dB."""
    return 10.0 ** (db / 20.0)


def pan_to_normalized(pan: float) -> float:
    """Our pan in [-1, 1] as DAWproject's normalized pan in [0, 1] (0.5 = centre)."""
    return (min(1.0, max(-1.0, pan)) + 1.0) / 2.0


def ratio_to_percent(ratio: float) -> float:
    """A compressor ratio N:1 as DAWproject's percent: 100 (1 - 1/N); 1:1 = 0 %, inf:1 = 100 %."""
    return 100.0 * (1.0 - 1.0 / max(1.0, ratio))


def percent_to_ratio(pct: float) -> float:
    """Inverse of ``ratio_to_percent``."""
    return math.inf if pct >= 100.0 else 1.0 / (1.0 - pct / 100.0)


def butterworth_qs(order: int) -> list[float]:
    """Q of each second-order section of a Butterworth filter of ``order`` (poles at angles
    (2k + 1)pi/2N from the negative real axis for even N, k pi/N for odd N; an odd order adds a
    first-order section, not listed)."""
    odd = order % 2
    return [1.0 / (2.0 * math.cos((2 * k + 1 + odd) * math.pi / (2 * order))) for k in range(order // 2)]


def section_qs(kind: str, slope_db_oct: float) -> list[float | None]:
    """Q of each section of the renderer's high/low-pass (``render.filters``), None for a
    first-order section: read back from its coefficients, so the bands follow the one filter
    definition."""
    sections = sos(kind, {"freq_hz": 1000.0, "slope_db_oct": slope_db_oct}, 48000)
    w0 = 2.0 * math.pi * 1000.0 / 48000
    out: list[float | None] = []
    for _b0, _b1, _b2, _a0, _a1, a2 in sections:
        if abs(a2) < 1e-15:
            out.append(None)
        else:
            alpha = (1.0 - a2) / (1.0 + a2)
            out.append(math.sin(w0) / (2.0 * alpha))
    return out


#: Largest dB step between automation points: DAWs interpolate volume automation linearly in
#: gain, faderpilot linearly in dB; at 0.1 dB steps the two differ by less than 0.0002 dB.
AUTOMATION_STEP_DB = 0.1


def gain_automation(track: Track) -> list[tuple[float, float]]:
    """(time s, dB offset on the fader) breakpoints of a track's summed ``gain_db`` lanes, with
    ramps subdivided into steps of at most ``AUTOMATION_STEP_DB``; [] when it has none."""
    lanes = []
    for lane in track.automation or []:
        if lane.get("param") == "gain_db" and lane.get("points"):
            pts = sorted((float(t), float(v)) for t, v in lane["points"])
            lanes.append((np.array([p[0] for p in pts]), np.array([p[1] for p in pts])))
    if not lanes:
        return []
    times = sorted({float(t) for xs, _ in lanes for t in xs})
    dbs = [float(sum(np.interp(t, xs, ys) for xs, ys in lanes)) for t in times]
    out: list[tuple[float, float]] = []
    for i in range(len(times) - 1):
        t0, d0, t1, d1 = times[i], dbs[i], times[i + 1], dbs[i + 1]
        n = max(1, math.ceil(abs(d1 - d0) / AUTOMATION_STEP_DB - 1e-9))
        out += [(t0 + (t1 - t0) * k / n, d0 + (d1 - d0) * k / n) for k in range(n)]
    out.append((times[-1], dbs[-1]))
    return out


def printed(session: Session) -> dict[str, str]:
    """Strips whose sound the project carries as printed audio, id -> what no host plays from
    the file (console order: tracks, then buses). A strip qualifies when its chain holds an
    enabled saturation, reverb or delay (``UNPLAYABLE``), or, for a track, a polarity flip or a
    stereo width (no DAWproject element); a strip that prints silence (muted, or not heard
    under solo) and the master (it cannot be printed into itself) are not printed."""
    heard = audible_ids(session)
    out: dict[str, str] = {}
    for t in session.tracks:
        why = [p.kind for p in t.chain if p.enabled and p.kind in UNPLAYABLE]
        if t.polarity_inverted:
            why.append("polarity inversion")
        if t.channels == 2 and abs(t.width - 1.0) > 1e-9:
            why.append(f"stereo width {t.width:g}")
        if why and t.id in heard:
            out[t.id] = ", ".join(why)
    for b in session.buses:
        why = [p.kind for p in b.chain if p.enabled and p.kind in UNPLAYABLE]
        if why and b.kind != "master" and not b.mute:
            out[b.id] = ", ".join(why)
    return out


class _Ids:
    """Sequential, deterministic XML ids (xs:ID): id0, id1, ..."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"id{self.n - 1}"


@dataclass
class Built:
    """A session converted to DAWproject: the two XML documents, the media, the approximations."""

    project: ET.Element
    metadata: ET.Element
    media: list[tuple[Track, str]] = field(default_factory=list)  # (track, path in container)
    notes: list[str] = field(default_factory=list)
    #: (strip id, path in container) of each printed-audio track's file
    printed: list[tuple[str, str]] = field(default_factory=list)


def _real(
    parent: ET.Element,
    tag: str,
    value: float,
    unit: str,
    ids: _Ids,
    name: str | None = None,
    lo: float | None = None,
    hi: float | None = None,
    comment: str | None = None,
) -> ET.Element:
    e = ET.SubElement(parent, tag)
    if hi is not None:
        e.set("max", num(hi))
    if lo is not None:
        e.set("min", num(lo))
    e.set("unit", unit)
    e.set("value", num(value))
    e.set("id", ids())
    if name:
        e.set("name", name)
    if comment:
        e.set("comment", comment)
    return e


def _bool(parent: ET.Element, tag: str, value: bool, ids: _Ids, name: str | None = None) -> ET.Element:
    e = ET.SubElement(parent, tag, {"value": "true" if value else "false", "id": ids()})
    if name:
        e.set("name", name)
    return e


class _Chain:
    """Builds a strip's ``Devices`` from its processor chain, collecting approximations."""

    def __init__(self, strip: str, ids: _Ids, notes: list[str], printed_as: str | None = None) -> None:
        self.strip = strip
        self.ids = ids
        self.notes = notes
        #: the name of the strip's printed-audio track, when it has one
        self.printed_as = printed_as

    def note(self, text: str) -> None:
        self.notes.append(f"{self.strip}: {text}")

    def device(self, parent: ET.Element, tag: str, name: str, enabled: bool = True) -> ET.Element:
        e = ET.SubElement(
            parent,
            tag,
            {"deviceName": name, "deviceRole": "audioFX", "deviceVendor": "faderpilot", "id": self.ids()},
        )
        e.set("name", name)
        _bool(e, "Enabled", enabled, self.ids, "On/Off")
        return e

    def equalizer(self, devices: ET.Element, filters: list[Processor], name: str = "EQ") -> ET.Element:
        eq = self.device(devices, "Equalizer", name)
        for p in filters:
            self.processor(eq, p)
        return eq

    def processor(self, parent: ET.Element, p: Processor) -> None:
        """One processor under ``parent`` by its kind's function in ``DAWPROJECT``: a filter's
        bands in an Equalizer, any other kind's device in Devices."""
        DAWPROJECT[p.kind](self, parent, p.typed(), p.enabled)

    def band(
        self,
        eq: ET.Element,
        btype: str,
        freq: float,
        gain: float | None,
        qv: float,
        enabled: bool,
        label: str,
    ) -> None:
        b = ET.SubElement(eq, "Band", {"type": btype})
        _real(b, "Freq", freq, "hertz", self.ids, label)
        if gain is not None:
            _real(b, "Gain", gain, "decibel", self.ids, "Gain")
        _real(b, "Q", qv, "linear", self.ids, "Q")
        _bool(b, "Enabled", enabled, self.ids, "Enabled")

    def build(self, devices: ET.Element, chain: list[Processor], trim_db: float = 0.0) -> None:
        """Append the chain's devices; ``trim_db`` becomes the first equalizer's input gain."""
        i = 0
        first = True
        while i < len(chain):
            p = chain[i]
            if p.kind in FILTER_KINDS:
                run = [p]
                while i + 1 < len(chain) and chain[i + 1].kind in FILTER_KINDS:
                    i += 1
                    run.append(chain[i])
                eq = self.equalizer(devices, run)
                if first and trim_db:
                    _real(eq, "InputGain", trim_db, "decibel", self.ids, "Trim")
                    trim_db = 0.0
            else:
                if first and trim_db:
                    trim = self.device(devices, "Equalizer", "Trim")
                    _real(trim, "InputGain", trim_db, "decibel", self.ids, "Trim")
                    trim_db = 0.0
                self.processor(devices, p)
            first = False
            i += 1
        if trim_db:
            trim = self.device(devices, "Equalizer", "Trim")
            _real(trim, "InputGain", trim_db, "decibel", self.ids, "Trim")


def _pass_bands(btype: str) -> Callable[[_Chain, ET.Element, PassFilter, bool], None]:
    """High/low-pass as cascaded bands of type ``btype``, one per section of the renderer's filter."""

    def write(c: _Chain, eq: ET.Element, t: PassFilter, enabled: bool) -> None:
        slope = float(t.slope_db_oct)
        qs = section_qs(t.kind, slope)
        if None in qs:
            c.note(
                f"{t.kind} {t.freq_hz:g} Hz at {slope:g} dB/oct: the first-order stage of an odd "
                "Butterworth order has no DAWproject band; written as a second-order band with Q 0.5"
            )
        qs = [0.5 if x is None else x for x in qs]
        for k, bq in enumerate(qs, 1):
            label = f"{t.kind} {slope:g} dB/oct" + (f", stage {k} of {len(qs)}" if len(qs) > 1 else "")
            c.band(eq, btype, t.freq_hz, None, bq, enabled, label)

    return write


def _rbj_band(btype: str) -> Callable[[_Chain, ET.Element, BandFilter, bool], None]:
    """A bell or shelf as one band of type ``btype``."""

    def write(c: _Chain, eq: ET.Element, t: BandFilter, enabled: bool) -> None:
        c.band(eq, btype, t.freq_hz, t.gain_db, t.q, enabled, t.kind)

    return write


def _ratio_release_threshold(
    c: _Chain, dev: ET.Element, ratio: float, comment: str, t: Compressor | Gate
) -> None:
    """The Ratio (as percent), Release and Threshold that DAWproject's Compressor and
    NoiseGate share, in schema order."""
    _real(dev, "Ratio", ratio_to_percent(ratio), "percent", c.ids, "Ratio", 0.0, 100.0, comment=comment)
    _real(dev, "Release", t.release_ms / 1000.0, "seconds", c.ids, "Release")
    _real(dev, "Threshold", t.threshold_db, "decibel", c.ids, "Threshold")


def _compressor(c: _Chain, devices: ET.Element, t: Compressor, enabled: bool) -> None:
    """The built-in Compressor (no auto makeup: ours is ``makeup_db`` as OutputGain)."""
    dev = c.device(devices, "Compressor", "Compressor", enabled)
    ratio = float(t.ratio)
    _real(dev, "Attack", t.attack_ms / 1000.0, "seconds", c.ids, "Attack")
    _bool(dev, "AutoMakeup", False, c.ids, "Auto Makeup")
    _real(dev, "OutputGain", t.makeup_db, "decibel", c.ids, "Makeup")
    _ratio_release_threshold(c, dev, ratio, f"{ratio:g}:1 written as 100 * (1 - 1/ratio) %", t)


def _gate(c: _Chain, devices: ET.Element, t: Gate, enabled: bool) -> None:
    """The built-in NoiseGate with our expander ratio 1 + |range| / 6."""
    dev = c.device(devices, "NoiseGate", "Gate", enabled)
    rng = -abs(float(t.range_db))
    ratio = max(1.5, 1.0 + abs(rng) / 6.0)
    _real(dev, "Attack", t.attack_ms / 1000.0, "seconds", c.ids, "Attack")
    _real(dev, "Range", rng, "decibel", c.ids, "Range")
    comment = f"expander ratio {ratio:g}:1 (1 + range/6) written as 100 * (1 - 1/ratio) %"
    _ratio_release_threshold(c, dev, ratio, comment, t)


def _limiter(c: _Chain, devices: ET.Element, t: Limiter, enabled: bool) -> None:
    """The built-in Limiter, reported: it has no true-peak setting."""
    lim = c.device(devices, "Limiter", "Limiter", enabled)
    _real(lim, "Release", t.release_ms / 1000.0, "seconds", c.ids, "Release")
    _real(lim, "Threshold", t.ceiling_db, "decibel", c.ids, "Ceiling")
    c.note(
        f"limiter ceiling {t.ceiling_db:g} dB is true-peak in faderpilot; DAWproject's "
        "Limiter has no true-peak setting"
    )


def _generic(name: str) -> Callable[[_Chain, ET.Element, TypedProcessor, bool], None]:
    """A kind with no DAWproject built-in device: a generic ``Device`` named ``name`` carrying
    our parameters (``_GENERIC_PARAMS``), which DAWs will not play; reported. On a printed strip
    it is switched off (the printed track plays its sound)."""

    def write(c: _Chain, devices: ET.Element, t: TypedProcessor, enabled: bool) -> None:
        q = params_of(t)
        d = ET.SubElement(
            devices,
            "Device",
            {
                "deviceID": f"faderpilot.{t.kind}",
                "deviceName": f"faderpilot {name}",
                "deviceRole": "audioFX",
                "deviceVendor": "faderpilot",
                "loaded": "false",
                "id": c.ids(),
                "name": f"faderpilot {name}",
                "comment": "no DAWproject built-in equivalent; parameters as faderpilot defines them"
                + ("" if c.printed_as is None else f"; switched off: its sound plays on '{c.printed_as}'"),
            },
        )
        params = ET.SubElement(d, "Parameters")
        for k, v in q.items():
            pname, unit, scale = _GENERIC_PARAMS.get(k, (k, "linear", 1.0))
            _real(params, "RealParameter", v * scale, unit, c.ids, pname, comment=k)
        _bool(d, "Enabled", enabled and c.printed_as is None, c.ids, "On/Off")
        what = f"{t.kind} ({', '.join(f'{k} {v:g}' for k, v in q.items())}) has no DAWproject built-in device"
        if c.printed_as is not None and enabled:
            c.note(
                f"{what}; its sound is printed as the audio track '{c.printed_as}', routed where "
                "the strip goes; the live strip is kept beside it, muted, with this device switched "
                "off and its parameters written (load your own to work live)"
            )
        else:
            c.note(f"{what}; written as a generic device with its parameters that DAWs will not play")

    return write


#: The DAWproject export's registry, kind -> (chain builder, parent, typed processor, enabled):
#: filters write their bands into the Equalizer ``parent``, other kinds a device into Devices.
DAWPROJECT: dict[str, Callable[..., None]] = {
    "highpass": _pass_bands("highPass"),
    "lowpass": _pass_bands("lowPass"),
    "low_shelf": _rbj_band("lowShelf"),
    "high_shelf": _rbj_band("highShelf"),
    "peak": _rbj_band("bell"),
    "compressor": _compressor,
    "gate": _gate,
    "saturation": _generic("Saturation"),
    "reverb": _generic("Reverb (Freeverb)"),
    "delay": _generic("Delay"),
    "limiter": _limiter,
}


def _channel(
    track_el: ET.Element,
    ids: _Ids,
    role: str,
    channels: int,
    fader_db: float,
    pan: float,
    mute: bool,
    solo: bool = False,
) -> tuple[ET.Element, ET.Element]:
    """A Channel under ``track_el`` (attributes set; Devices returned to fill)."""
    ch = ET.SubElement(
        track_el,
        "Channel",
        {"audioChannels": str(channels), "role": role, "solo": "true" if solo else "false", "id": ids()},
    )
    devices = ET.SubElement(ch, "Devices")
    _bool(ch, "Mute", mute, ids, "Mute")
    _real(ch, "Pan", pan_to_normalized(pan), "normalized", ids, "Pan", 0.0, 1.0)
    ch.append(ET.Element("Sends"))  # filled later (kept in schema order: before Volume)
    gain = db_to_linear(fader_db)
    _real(ch, "Volume", gain, "linear", ids, "Volume", 0.0, max(2.0, gain))
    return ch, devices


def build(session: Session) -> Built:
    """Convert a session to DAWproject documents (nothing is written)."""
    ids = _Ids()
    notes: list[str] = []
    project = ET.Element("Project", {"version": FORMAT_VERSION})
    ET.SubElement(project, "Application", {"name": "faderpilot", "version": __version__})
    transport = ET.SubElement(project, "Transport")
    _real(transport, "Tempo", 120.0, "bpm", ids, "Tempo", 20.0, 666.0)
    ET.SubElement(transport, "TimeSignature", {"denominator": "4", "numerator": "4", "id": ids()})
    structure = ET.SubElement(project, "Structure")

    buses = {b.id: b for b in session.buses}
    master = session.master
    sr = session.sample_rate
    frames = int(round(session.length_s * sr))
    length_s = frames / sr
    prints = printed(session)
    any_solo = any(t.solo for t in session.tracks)

    def printed_name(strip: Track | Bus) -> str | None:
        return f"{strip.name}{PRINTED_SUFFIX}" if strip.id in prints else None

    # channel ids are needed before routing can be written: allocate all strips first
    bus_track: dict[str, ET.Element] = {}
    bus_channel: dict[str, ET.Element] = {}
    pending_destinations: list[tuple[ET.Element, str | None]] = []

    def bus_element(b: Bus) -> ET.Element:
        role = {"group": "submix", "fx": "effect", "master": "master"}[b.kind]
        content = "tracks" if b.kind == "group" else "audio"
        tr = ET.Element(
            "Track",
            {"contentType": content, "loaded": "true", "id": ids(), "name": b.name, "color": b.colour},
        )
        live_muted = b.mute or b.id in prints  # a printed bus's sound comes from its printed track
        ch, devices = _channel(tr, ids, role, 2, b.fader_db, b.pan, live_muted)
        _Chain(f"{b.name} bus", ids, notes, printed_name(b)).build(devices, b.chain)
        bus_track[b.id] = tr
        bus_channel[b.id] = ch
        if b.kind != "master":
            pending_destinations.append((ch, b.output or "master"))
        return tr

    for b in session.buses:
        bus_element(b)

    def add_sends(ch: ET.Element, t: Track, enabled: bool) -> None:
        sends = ch.find("Sends")
        for s in t.sends:
            if s.bus not in buses:
                raise ValueError(f"track {t.name!r} sends to {s.bus!r}, which is not a bus of this session")
            se = ET.SubElement(
                sends, "Send", {"type": "post", "id": ids(), "name": f"to {buses[s.bus].name}"}
            )
            se.set("destination", "")  # resolved below, after all channel ids exist
            pending_destinations.append((se, s.bus))
            _bool(se, "Enable", enabled, ids, "Enable")
            g = db_to_linear(s.level_db)
            _real(se, "Volume", g, "linear", ids, "Send", 0.0, max(2.0, g))

    track_elements: dict[str, ET.Element] = {}
    track_channel: dict[str, ET.Element] = {}
    for t in session.tracks:
        tr = ET.Element(
            "Track",
            {"contentType": "audio", "loaded": "true", "id": ids(), "name": t.name, "color": t.colour},
        )
        pname = printed_name(t)
        # a printed track's live strip is muted and its sends are off: the printed track has them
        ch, devices = _channel(
            tr, ids, "regular", t.channels, t.fader_db, t.pan, t.mute or bool(pname), t.solo
        )
        _Chain(t.name, ids, notes, pname).build(devices, t.chain, t.trim_db)
        add_sends(ch, t, pname is None)
        pending_destinations.append((ch, t.output))
        fate = (
            "not written"
            if pname is None
            else f"its sound is printed as the audio track '{pname}' (live track muted)"
        )
        if t.polarity_inverted:
            notes.append(f"{t.name}: polarity inversion has no DAWproject element; {fate}")
        if t.channels == 2 and abs(t.width - 1.0) > 1e-9:
            notes.append(f"{t.name}: stereo width {t.width:g} has no DAWproject element; {fate}")
        track_elements[t.id] = tr
        track_channel[t.id] = ch

    # printed-audio tracks: a strip's printed stem at unity, centred (it is already panned),
    # routed where the strip goes, with the strip's sends
    strips: dict[str, Track | Bus] = {t.id: t for t in session.tracks} | buses
    printed_track: dict[str, ET.Element] = {}
    printed_channel: dict[str, ET.Element] = {}
    for sid, why in prints.items():
        strip = strips[sid]
        tr = ET.Element(
            "Track",
            {
                "contentType": "audio",
                "loaded": "true",
                "id": ids(),
                "name": f"{strip.name}{PRINTED_SUFFIX}",
                "color": strip.colour,
                "comment": f"{strip.name} as faderpilot printed it ({why} has no DAWproject "
                "equivalent); the live strip beside it is muted",
            },
        )
        ch, _ = _channel(tr, ids, "regular", 2, 0.0, 0.0, False, any_solo)
        if isinstance(strip, Track):
            add_sends(ch, strip, True)
            pending_destinations.append((ch, strip.output))
        else:
            pending_destinations.append((ch, strip.output or "master"))
        printed_track[sid] = tr
        printed_channel[sid] = ch

    for el, dest in pending_destinations:
        if dest not in bus_channel:
            raise ValueError(f"routing to {dest!r}, which is not a bus of this session")
        el.set("destination", bus_channel[dest].get("id"))

    # empty Sends elements are dropped to keep the XML tidy
    for ch in [*track_channel.values(), *bus_channel.values(), *printed_channel.values()]:
        s = ch.find("Sends")
        if s is not None and len(s) == 0:
            ch.remove(s)

    # structure: console order; a group's folder track appears where its first member does
    def parent_group(bus_id: str) -> str | None:
        out = buses[bus_id].output or "master"
        return out if out in buses and buses[out].kind == "group" else None

    def top_group(bus_id: str) -> str:
        seen = {bus_id}
        while (up := parent_group(bus_id)) is not None:
            if up in seen:
                raise ValueError(f"group buses route into each other in a loop ({' -> '.join(sorted(seen))})")
            seen.add(up)
            bus_id = up
        return bus_id

    for b in session.buses:
        if b.kind == "group":
            top_group(b.id)  # raises on a routing loop before any nesting
            if (up := parent_group(b.id)) is not None:
                bus_track[up].append(bus_track[b.id])
    placed: set[str] = set()
    for t in session.tracks:
        tr = track_elements[t.id]
        if t.output in buses and buses[t.output].kind == "group":
            bus_track[t.output].append(tr)
            top = top_group(t.output)
            if top not in placed:
                structure.append(bus_track[top])
                placed.add(top)
        else:
            structure.append(tr)
    for b in session.buses:
        if b.kind == "group" and b.id not in placed and parent_group(b.id) is None:
            structure.append(bus_track[b.id])
            placed.add(b.id)
    for b in session.buses:
        if b.kind == "fx":
            structure.append(bus_track[b.id])
    structure.append(bus_track[master.id])
    # each printed track sits right after its live strip, in the same folder
    parent_of = {c: p for p in structure.iter() for c in p}
    for sid, tr in printed_track.items():
        live = track_elements.get(sid, bus_track.get(sid))
        parent = parent_of[live]
        parent.insert(list(parent).index(live) + 1, tr)

    # arrangement: one lane per track, clips in seconds
    arrangement = ET.SubElement(project, "Arrangement", {"id": ids()})
    lanes = ET.SubElement(arrangement, "Lanes", {"timeUnit": "seconds", "id": ids()})
    media: list[tuple[Track, str]] = []
    any_fades = False
    for i, t in enumerate(session.tracks, 1):
        path = f"{AUDIO_DIR}/{media_name(i, t)}"
        media.append((t, path))
        tl = ET.SubElement(lanes, "Lanes", {"track": track_elements[t.id].get("id"), "id": ids()})
        clips = ET.SubElement(tl, "Clips", {"id": ids()})
        auto = gain_automation(t)
        for time, dur, off, fi, fo in (c.seconds(sr) for c in plan_clips(t, sr, frames)):
            clip = ET.SubElement(
                clips,
                "Clip",
                {
                    "time": num(time),
                    "duration": num(dur),
                    "contentTimeUnit": "seconds",
                    "playStart": num(off),
                    "playStop": num(off + dur),
                    "fadeTimeUnit": "seconds",
                    "fadeInTime": num(fi),
                    "fadeOutTime": num(fo),
                    "name": t.name,
                },
            )
            any_fades = any_fades or fi > 0 or fo > 0
            audio = ET.SubElement(
                clip,
                "Audio",
                {
                    "channels": str(t.channels),
                    "duration": num(length_s),
                    "sampleRate": str(sr),
                    "timeUnit": "seconds",
                    "id": ids(),
                },
            )
            ET.SubElement(audio, "File", {"path": path})
        if auto:
            volume = track_channel[t.id].find("Volume")
            g0 = db_to_linear(t.fader_db)
            pts = ET.SubElement(tl, "Points", {"unit": "linear", "id": ids(), "name": "Volume"})
            ET.SubElement(pts, "Target", {"parameter": volume.get("id")})
            top = 0.0
            for time, off_db in auto:
                v = g0 * db_to_linear(off_db)
                top = max(top, v)
                point = {"time": num(time), "value": num(v), "interpolation": "linear"}
                ET.SubElement(pts, "RealPoint", point)
            volume.set("max", num(max(float(volume.get("max")), top)))
    names = stem_names(session)
    printed_media: list[tuple[str, str]] = []
    for sid, tr in printed_track.items():
        path = f"{PRINTED_DIR}/{names[sid]}"
        printed_media.append((sid, path))
        tl = ET.SubElement(lanes, "Lanes", {"track": tr.get("id"), "id": ids()})
        clips = ET.SubElement(tl, "Clips", {"id": ids()})
        clip = ET.SubElement(
            clips,
            "Clip",
            {
                "time": num(0.0),
                "duration": num(length_s),
                "contentTimeUnit": "seconds",
                "playStart": num(0.0),
                "playStop": num(length_s),
                "name": tr.get("name"),
            },
        )
        audio = ET.SubElement(
            clip,
            "Audio",
            {
                "channels": "2",
                "duration": num(length_s),
                "sampleRate": str(sr),
                "timeUnit": "seconds",
                "id": ids(),
            },
        )
        ET.SubElement(audio, "File", {"path": path})
    if session.markers:
        markers = ET.SubElement(arrangement, "Markers", {"id": ids()})
        for m in session.markers:
            ET.SubElement(markers, "Marker", {"time": num(m.time_s), "name": m.name})

    if any_fades:
        notes.append(
            "fades: faderpilot's fades are linear; DAWproject stores no fade shape, so the DAW's own applies"
        )
    if any(t.channels == 1 for t in session.tracks) or any(abs(t.pan) > 1e-9 for t in session.tracks):
        notes.append(
            "pan law: DAWproject stores no pan law; the DAW applies its own (faderpilot: mono tracks "
            "constant power, -3.01 dB each side at centre; stereo tracks balance)"
        )

    metadata = ET.Element("MetaData")
    ET.SubElement(metadata, "Title").text = session.name
    comment = f"Written by faderpilot {__version__} from session.json."
    if notes:
        comment += " Approximations: " + " | ".join(notes)
    ET.SubElement(metadata, "Comment").text = comment
    return Built(project=project, metadata=metadata, media=media, notes=notes, printed=printed_media)


def approximations(session: Session) -> list[str]:
    """What a DAW will not play exactly as faderpilot renders it, one line each."""
    return build(session).notes


def xml_bytes(root: ET.Element) -> bytes:
    """An element as an indented UTF-8 XML document."""
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root, encoding="utf-8")


def project_path(session: Session, out_dir: str | Path) -> Path:
    """Where ``write`` puts the project: OUT_DIR/<song>.dawproject."""
    return song_file(session, out_dir, ".dawproject")


def _stem_fits(path: Path, session: Session) -> bool:
    """Whether ``path`` is a printed stem as ``mix`` writes it for this session: 32-bit float,
    stereo, at the session rate and exactly as long as the session."""
    try:
        info = sf.info(str(path))
    except (OSError, RuntimeError):  # missing or unreadable (soundfile's errors derive from these)
        return False
    frames = int(round(session.length_s * session.sample_rate))
    return (
        info.samplerate == session.sample_rate
        and info.channels == 2
        and info.frames == frames
        and info.subtype == "FLOAT"
    )


def printed_audio(session: Session, out_dir: str | Path, ids: list[str]) -> dict[str, Path | np.ndarray]:
    """The printed audio of the strips ``ids``: the printed stem in OUT_DIR/stems (``render.plan``
    names it) where ``mix``, a note, undo or the console left it; the strips whose stem is
    missing or not of this session's shape are rendered here, in one render of the session."""
    paths = {k: Path(out_dir) / "stems" / v for k, v in stem_names(session).items()}
    out: dict[str, Path | np.ndarray] = {k: paths[k] for k in ids if _stem_fits(paths[k], session)}
    missing = [k for k in ids if k not in out]
    if missing:
        log.info(
            "DAWproject export: no printed stem of this session in %s for %s; rendering them",
            Path(out_dir) / "stems",
            ", ".join(missing),
        )
        kept: dict[str, np.ndarray] = {}

        def keep(track: Track, stem: np.ndarray) -> None:  # only the track stems printed here
            if track.id in missing:
                kept[track.id] = stem

        rendered = render(session, load_sources(session), on_track=keep)
        for k in missing:
            out[k] = kept[k] if k in kept else rendered.bus_stems[k]
    return out


def write(session: Session, out_dir: str | Path) -> Path:
    """Write OUT_DIR/<song>.dawproject atomically (audio embedded); returns its path.

    The printed tracks' audio is taken from OUT_DIR/stems (``printed_audio``). The
    approximations are logged (INFO) and stored in the project (see ``approximations``)."""
    out_dir = Path(out_dir)
    check_destination(out_dir, source_folders(session))
    out_dir.mkdir(parents=True, exist_ok=True)
    built = build(session)
    for n in built.notes:
        log.info("DAWproject export: %s", n)
    dest = project_path(session, out_dir)
    with replacing(dest) as tmp:
        with tempfile.TemporaryDirectory(dir=out_dir, prefix=".dawproject-media.") as media_dir:
            with zipfile.ZipFile(tmp, "w") as zf:
                _add(zf, "project.xml", xml_bytes(built.project))
                _add(zf, "metadata.xml", xml_bytes(built.metadata))
                for k, (t, arcname) in enumerate(built.media):
                    have = written_media(session, t, "FLOAT")  # another export's copy of this run
                    if have is not None:
                        _add_file(zf, arcname, have)
                        continue
                    wav = Path(media_dir) / f"{k:04d}.wav"
                    write_wav_atomic(wav, np.asarray(track_audio(session, t)), session.sample_rate, "FLOAT")
                    _add_file(zf, arcname, wav)
                    wav.unlink()
                prints = printed_audio(session, out_dir, [sid for sid, _ in built.printed])
                for sid, arcname in built.printed:
                    audio = prints.pop(sid)
                    if isinstance(audio, Path):
                        _add_file(zf, arcname, audio)
                        continue
                    wav = Path(media_dir) / "printed.wav"
                    write_wav_atomic(wav, audio, session.sample_rate, "FLOAT")
                    _add_file(zf, arcname, wav)
                    wav.unlink()
    return dest


def _add_file(zf: zipfile.ZipFile, name: str, path: Path) -> None:
    """Copy a file into the container uncompressed (audio), with the fixed timestamp."""
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_STORED
    with open(path, "rb") as src, zf.open(info, "w", force_zip64=True) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)
