"""How each part of a session becomes Ardour 7: pan laws, gain ranges and the ACE plugins.

Pure math, no files: ``export.ardour`` turns these values into a session file. Everything here
was matched against Ardour 7.3 itself (see docs/daw-ardour.md for the measurements).

By default every processor becomes one of our own Lua DSP plugins (``OWN`` and ``_lua_filter``:
the renderer's algorithms, ``export.ardour_lua``); with ``native=True`` the ACE mapping below
(``ARDOUR``) is used and its approximations are noted:

- **Mono pan.** Ardour's "Mono to Stereo Panner" follows g(x) = x (s x + 1 - s) with
  s = 2 - 4 * 10^(-3/20), an approximation of a -3 dB law. Our law is exact constant power
  (cos/sin). The azimuth is chosen so Ardour's left/right *ratio* equals ours exactly, and the
  small level difference (-0.01 dB at centre, at most +0.09 dB) is folded into the fader, which
  sits just before the panner: the audio is then identical, the fader reads a few hundredths off.
- **Stereo pan.** Ardour's "Stereo Balance" panner keeps the near channel at unity and scales
  the far one linearly (2 x azimuth). Our far channel is sqrt(2) sin t, so azimuth = that / 2:
  exact, no compensation. Width other than 1 on a centred strip uses Ardour's "Equal Power
  Stereo" panner (the mono panner's law applied to each input at azimuth -/+ width/2) with the
  width that gives our cross-feed ratio and a fader correction: exact. Width with pan, or
  outside 0..1, is our own mid/side Lua plugin before the fader plus the balance panner: exact.
- **Filters.** ``render.filters`` defines high/low-pass as Butterworth biquad sections with
  Q_k = 1 / (2 cos((2k-1) pi / 2N)), and the ACE High/Low Pass Filter runs RBJ Cookbook biquads
  (ARDOUR::DSP::Biquad) with a given Q: one ACE instance per section, 12 dB/oct with that
  section's Q, is the same filter. Odd orders need a first-order section that the ACE filter does
  not have: the next even order is used and said so.
- **Bells and shelves.** ACE EQ (a-EQ) runs Andrew Simper's trapezoidal SVF, which is the same
  bilinear transform (pre-warped at the band frequency) as the RBJ Cookbook. Its bell takes a
  bandwidth in octaves: Q = 2^(bw/2) / (2^bw - 1), inverted exactly here. Its shelves have a
  fixed Q of 1/sqrt(2) and put the SVF corner where the Cookbook puts it times sqrt(A)^(+/-1)
  (A = 10^(gain/40)), so the frequency is moved by that factor in the pre-warped domain: exact
  for our shelves at Q = 0.7071; other shelf Qs are approximated.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..session.processors import (
    FILTER_KINDS,
    BandFilter,
    Compressor,
    Delay,
    Filter,
    Gate,
    Limiter,
    PassFilter,
    Reverb,
    Saturation,
)
from .ardour_lua import gain_ride_script

#: Ardour 7's time unit: superclock ticks per second (positions are written as "a<ticks>").
SUPERCLOCK_RATE = 282_240_000

#: Ardour's gain ranges (dB): fader (and send) up to +6.02 dB, trim +/-20 dB, a-EQ master +/-20.
FADER_MAX_DB = 20 * math.log10(2.0)
TRIM_RANGE_DB = 20.0
AMP_RANGE_DB = 20.0  # a-EQ master gain

#: Ardour 7.3's pan law constant (panner_1in2out.cc, panner_2in2out.cc), computed in float.
_PAN_SCALE = float(np.float32(2.0) - np.float32(4.0) * np.float32(10.0 ** (-3.0 / 20.0)))

PANNER_MONO = "http://ardour.org/plugin/panner_1in2out"
PANNER_STEREO = "http://ardour.org/plugin/panner_2in2out"
PANNER_BALANCE = "http://ardour.org/plugin/panner_balance"

#: LV2 URIs of the ACE plugins bundled with Ardour (Debian: ardour-lv2-plugins).
URI_EQ = "urn:ardour:a-eq"
URI_COMP = "urn:ardour:a-comp"
URI_EXP = "urn:ardour:a-exp"
URI_DELAY = "urn:ardour:a-delay"
URI_REVERB = "urn:ardour:a-reverb"


def superclock(samples: int, sr: int) -> int:
    """Ardour 7 superclock ticks of a sample count at rate ``sr``."""
    return int(round(samples * SUPERCLOCK_RATE / sr))


def db_to_gain(db: float) -> float:
    """Linear gain of a level in dB."""
    return float(10.0 ** (db / 20.0))


# --------------------------------------------------------------------------------------------
# pan laws


def ardour_pan_gain(x: float) -> float:
    """Gain Ardour's equal-power panners give a channel at lr-fraction ``x`` (0 = none, 1 = all)."""
    x = min(max(float(x), 0.0), 1.0)
    return x * (_PAN_SCALE * x + 1.0 - _PAN_SCALE)


def our_pan_gains(pan: float, channels: int) -> tuple[float, float]:
    """(left, right) of the session's pan law (docs/signal-flow.md), as ``render.engine`` does."""
    p = min(max(float(pan), -1.0), 1.0)
    t = (p + 1.0) * math.pi / 4.0
    if channels == 1:
        return math.cos(t), math.sin(t)
    if p <= 0:
        return 1.0, math.sqrt(2.0) * math.sin(t)
    return math.sqrt(2.0) * math.cos(t), 1.0


@dataclass
class PanSetting:
    """What Ardour gets for one strip's pan: panner, azimuth, width and a fader correction."""

    panner: str
    azimuth: float
    width: float = 0.0
    fader_comp_db: float = 0.0
    #: largest difference (dB, any of the 2x2 channel gains) left after the mapping
    error_db: float = 0.0


def mono_pan(pan: float) -> PanSetting:
    """Azimuth for Ardour's mono panner with our left/right ratio, plus the fader correction."""
    gl, gr = our_pan_gains(pan, 1)
    target = math.atan2(gr, gl)
    lo, hi = 0.0, 1.0
    for _ in range(64):
        mid = 0.5 * (lo + hi)
        if math.atan2(ardour_pan_gain(mid), ardour_pan_gain(1.0 - mid)) < target:
            lo = mid
        else:
            hi = mid
    a = 0.5 * (lo + hi)
    norm = math.hypot(ardour_pan_gain(1.0 - a), ardour_pan_gain(a))
    return PanSetting(PANNER_MONO, a, 0.0, -20 * math.log10(norm))


def _stereo_matrix(azimuth: float, width: float) -> np.ndarray:
    """Ardour's Equal Power Stereo panner as a 2x2 matrix [[L<-L, L<-R], [R<-L, R<-R]]."""
    pl, pr = azimuth - width / 2.0, azimuth + width / 2.0
    return np.array(
        [
            [ardour_pan_gain(1.0 - pl), ardour_pan_gain(1.0 - pr)],
            [ardour_pan_gain(pl), ardour_pan_gain(pr)],
        ]
    )


def our_stereo_matrix(pan: float, width: float) -> np.ndarray:
    """Our width (mid/side) then balance pan as a 2x2 matrix [[L<-L, L<-R], [R<-L, R<-R]]."""
    gl, gr = our_pan_gains(pan, 2)
    a, b = (1.0 + width) / 2.0, (1.0 - width) / 2.0
    return np.array([[gl * a, gl * b], [gr * b, gr * a]])


def _matrix_error_db(m: np.ndarray, target: np.ndarray) -> float:
    with np.errstate(divide="ignore"):
        a = 20 * np.log10(np.maximum(np.abs(m), 1e-9))
        b = 20 * np.log10(np.maximum(np.abs(target), 1e-9))
    live = np.abs(target) > 1e-6
    bad_zero = np.any((~live) & (np.abs(m) > 1e-6))
    err = float(np.max(np.abs(a - b)[live])) if np.any(live) else 0.0
    return float("inf") if bad_zero else err


def stereo_pan(pan: float, width: float) -> tuple[PanSetting, Plugin | None]:
    """Panner settings for a stereo strip, and the width plugin it needs (if any).

    Width 1: the Stereo Balance panner, exact. Another width with the strip centred: Ardour's
    Equal Power Stereo panner with the width that gives our cross-feed ratio and a fader
    correction, exact. Any other case: our mid/side width as a small Lua plugin before the fader
    (width is linear, so it commutes with the fader) and the balance panner, exact.
    """
    p = min(max(float(pan), -1.0), 1.0)
    gl, gr = our_pan_gains(p, 2)
    balance = PanSetting(PANNER_BALANCE, 0.5 if p == 0 else (gr / 2.0 if p < 0 else 1.0 - gl / 2.0))
    if abs(width - 1.0) < 1e-9:
        return balance, None
    if p == 0 and 0.0 <= width < 1.0:
        want = (1.0 - width) / (1.0 + width)  # cross-feed / direct gain
        lo, hi = 0.0, 1.0
        for _ in range(64):
            mid = 0.5 * (lo + hi)
            m = _stereo_matrix(0.5, mid)
            if m[0, 1] / m[0, 0] > want:
                lo = mid
            else:
                hi = mid
        w = 0.5 * (lo + hi)
        m = _stereo_matrix(0.5, w)
        comp = 20 * math.log10(((1.0 + width) / 2.0) / m[0, 0])
        err = _matrix_error_db(m * db_to_gain(comp), our_stereo_matrix(p, width))
        return PanSetting(PANNER_STEREO, 0.5, w, comp, err), None
    plugin = Plugin(
        "lua", "", WIDTH_NAME, {0: float(width)}, script=WIDTH_NAME, label=f"stereo width {width:g}"
    )
    return balance, plugin


# --------------------------------------------------------------------------------------------
# plugins


@dataclass
class Plugin:
    """One plugin insert for Ardour: an LV2 URI or a Lua DSP script, with its parameter values.

    ``params`` maps LV2 port symbols (or Lua parameter indices) to values; ``per_channel``
    means a mono plugin that Ardour replicates once per channel (independent channels).
    """

    kind: str  # "lv2" | "lua"
    uri: str  # LV2 URI, or the Lua script's unique id
    name: str
    params: dict
    per_channel: bool = False
    active: bool = True
    #: for "lua": the script's name as Ardour lists it, and where its text comes from
    script: str | None = None
    label: str = ""  # what it stands for in the session ("hp 80 Hz 24 dB/oct, section 1/2")
    notes: list[str] = field(default_factory=list)
    #: for a Lua script written for this one insert (``faderpilot Gain ride``): its text
    text: str | None = None


#: a-EQ port order (Ardour 7: lv2 symbols with their index) and defaults
AEQ_PORTS: tuple[tuple[str, float], ...] = (
    ("freql", 160.0),
    ("gl", 0.0),
    ("freq1", 300.0),
    ("g1", 0.0),
    ("bw1", 1.0),
    ("freq2", 1000.0),
    ("g2", 0.0),
    ("bw2", 1.0),
    ("freq3", 2500.0),
    ("g3", 0.0),
    ("bw3", 1.0),
    ("freq4", 6000.0),
    ("g4", 0.0),
    ("bw4", 1.0),
    ("freqh", 9000.0),
    ("gh", 0.0),
    ("master", 0.0),
    ("filtogl", 0.0),
    ("filtog1", 0.0),
    ("filtog2", 0.0),
    ("filtog3", 0.0),
    ("filtog4", 0.0),
    ("filtogh", 0.0),
    ("enable", 1.0),
)
#: a-comp and a-exp: (symbol, index) of their input controls, with defaults
DYN_PORTS: tuple[tuple[str, int, float], ...] = (
    ("att", 0, 10.0),
    ("rel", 1, 80.0),
    ("kn", 2, 0.0),
    ("rat", 3, 4.0),
    ("thr", 4, 0.0),
    ("mak", 5, 0.0),
    ("sidech", 9, 0.0),
    ("enable", 10, 1.0),
)
DELAY_PORTS: tuple[tuple[str, int, float], ...] = (
    ("inv", 3, 0.0),
    ("sync", 4, 0.0),
    ("time", 5, 160.0),
    ("div", 6, 4.0),
    ("drywet", 7, 50.0),
    ("feedback", 8, 20.0),
    ("lpf", 9, 6000.0),
    ("gain", 10, 0.0),
    ("enable", 12, 1.0),
    ("dot", 13, 0.0),
)
REVERB_PORTS: tuple[tuple[str, int, float], ...] = (("blend", 4, 0.3), ("roomsz", 5, 0.5), ("enable", 6, 1.0))

#: the ACE High/Low Pass Filter's (Lua) parameters: index -> (name, default)
HPLP_PARAMS: tuple[tuple[str, float], ...] = (
    ("High Pass Steepness", 1.0),
    ("High Pass Cut off frequency", 100.0),
    ("High Pass Resonance", 0.707),
    ("Low Pass Steepness", 1.0),
    ("Low Pass Cut off frequency", 18000.0),
    ("Low Pass Resonance", 0.707),
    ("Enable", 1.0),
)
SAT_PARAMS: tuple[tuple[str, float], ...] = (("Drive", 0.0), ("Mix", 100.0))
COMP_PARAMS: tuple[tuple[str, float], ...] = (
    ("Threshold", -20.0),
    ("Ratio", 4.0),
    ("Attack", 10.0),
    ("Release", 100.0),
    ("Makeup", 0.0),
)
GATE_PARAMS: tuple[tuple[str, float], ...] = (
    ("Threshold", -50.0),
    ("Attack", 1.0),
    ("Release", 100.0),
    ("Range", 20.0),
)
DELAY_PARAMS: tuple[tuple[str, float], ...] = (("Time", 375.0), ("Feedback", 25.0))
REVERB_PARAMS: tuple[tuple[str, float], ...] = (("Room size", 0.5), ("Damping", 0.5), ("Width", 1.0))
LIMITER_PARAMS: tuple[tuple[str, float], ...] = (("Ceiling", -1.0), ("Release", 100.0))
FILTER_PARAMS: tuple[tuple[str, float], ...] = (
    ("Kind", 4.0),
    ("Frequency", 1000.0),
    ("Gain", 0.0),
    ("Q", 0.7071),
    ("Slope", 12.0),
)
WIDTH_PARAMS: tuple[tuple[str, float], ...] = (("Width", 1.0),)

#: Lua script names (as Ardour lists them) of the Lua DSP plugins we use
HPLP_NAME = "ACE High/Low Pass Filter"
SAT_NAME = "faderpilot Saturation"
WIDTH_NAME = "faderpilot Stereo Width"
COMP_NAME = "faderpilot Compressor"
GATE_NAME = "faderpilot Gate"
DELAY_NAME = "faderpilot Delay"
REVERB_NAME = "faderpilot Reverb"
LIMITER_NAME = "faderpilot Limiter"
FILTER_NAME = "faderpilot Filter"
RIDE_NAME = "faderpilot Gain ride"
#: ``faderpilot Filter``'s Kind parameter: the filter kinds in order
FILTER_ORDER = ("highpass", "lowpass", "low_shelf", "high_shelf", "peak")


def butterworth_qs(slope_db_oct: float) -> tuple[list[float], bool]:
    """Section Qs of our Butterworth high/low-pass (``render.filters``) and whether it is exact.

    Odd orders have a first-order section the ACE filter cannot run; they become the next even
    order (returned with ``exact=False``).
    """
    order = max(1, int(round(slope_db_oct / 6.0)))
    exact = order % 2 == 0
    if not exact:
        order += 1
    return [1.0 / (2.0 * math.cos((2 * k + 1) * math.pi / (2 * order))) for k in range(order // 2)], exact


def peak_bandwidth_octaves(q: float) -> float:
    """a-EQ bandwidth (octaves) of a bell with quality ``q``: inverts Q = 2^(bw/2) / (2^bw - 1)."""
    return 2.0 / math.log(2.0) * math.asinh(1.0 / (2.0 * q))


def peak_q(bw: float) -> float:
    """Quality of an a-EQ bell of bandwidth ``bw`` octaves (a-eq.c)."""
    return 2.0 ** (bw / 2.0) / (2.0**bw - 1.0)


def shelf_frequency(kind: str, freq_hz: float, gain_db: float, sr: int) -> float:
    """a-EQ shelf frequency whose response equals our RBJ shelf (Q = 1/sqrt 2) at ``freq_hz``."""
    sqrt_a = 10.0 ** (gain_db / 80.0)
    w = math.tan(math.pi * freq_hz / sr)
    w = w / sqrt_a if kind == "low_shelf" else w * sqrt_a
    return sr / math.pi * math.atan(w)


def jucetime_to_ardour(ms: float) -> float:
    """An attack or release (ms) of pedalboard's JUCE ballistics filter as an ACE time constant.

    JUCE's one-pole coefficient is exp(-2 pi 1000 / (ms fs)), a time constant of ms / (2 pi);
    the ACE dynamics use exp(-1000 / (ms fs)). Same time constant: ms / (2 pi).
    """
    return ms / (2.0 * math.pi)


def _clamp(name: str, value: float, lo: float, hi: float, notes: list[str], what: str) -> float:
    if value < lo or value > hi:
        c = min(max(value, lo), hi)
        notes.append(f"{what}: {name} {value:g} is outside Ardour's range ({lo:g} to {hi:g}); set to {c:g}")
        return c
    return value


def hplp_plugin(kind: str, freq: float, q: float, label: str) -> Plugin:
    """One ACE High/Low Pass Filter instance running one 12 dB/oct RBJ section."""
    hp = kind == "highpass"
    params = {
        0: 1.0 if hp else 0.0,
        1: freq if hp else 100.0,
        2: q if hp else 0.707,
        3: 0.0 if hp else 1.0,
        4: 18000.0 if hp else freq,
        5: 0.707 if hp else q,
        6: 1.0,
    }
    return Plugin("lua", "", HPLP_NAME, params, script=HPLP_NAME, label=label)


def gain_plugins(gain_db: float, label: str) -> list[Plugin]:
    """Plain gain as ACE EQ instances with every band off and the master gain set (+/-20 dB each).

    a-EQ's master gain is an exact linear gain and an LV2 port (a stable URI in every Ardour
    version), unlike the Lua ACE Amplifier, which Ardour identifies by its script's hash.
    """
    out: list[Plugin] = []
    left = gain_db
    while abs(left) > 1e-9:
        step = max(-AMP_RANGE_DB, min(AMP_RANGE_DB, left))
        params = dict(AEQ_PORTS)
        params["master"] = step
        out.append(Plugin("lv2", URI_EQ, "ACE EQ", params, per_channel=True, label=f"{label} {step:+.2f} dB"))
        left -= step
    return out


@dataclass
class _Where:
    """The strip a chain is mapped for: its rate, its name in notes ("track 'Kick'"), channels."""

    sr: int
    what: str
    channels: int = 2


@dataclass
class _Band:
    """A bell or shelf waiting for an a-EQ slot ("l", "h" or one of 4 "p"): port values by
    prefix ("freq", "g", "bw"), its label and its notes."""

    slot: str
    enabled: bool
    ports: dict[str, float]
    label: str
    notes: list[str]


def _pass(lowest_hz: float) -> Callable[[PassFilter, bool, _Where], list[Plugin]]:
    """High/low-pass as one ACE High/Low Pass Filter per 12 dB/oct section (down to ``lowest_hz``)."""

    def plugins(t: PassFilter, enabled: bool, w: _Where) -> list[Plugin]:
        f = float(np.clip(t.freq_hz, 5.0, w.sr / 2.0 * 0.95))
        qs, exact = butterworth_qs(t.slope_db_oct)
        label = f"{t.kind} {f:g} Hz {t.slope_db_oct:g} dB/oct"
        notes = []
        if not exact:
            notes.append(
                f"{w.what}: {label} has a first-order section the ACE High/Low Pass Filter "
                f"cannot run; exported as {len(qs) * 12} dB/oct Butterworth"
            )
        f = _clamp("frequency", f, lowest_hz, min(20000.0, 0.499 * w.sr), notes, w.what)
        out = []
        for k, qk in enumerate(qs):
            pl = hplp_plugin(t.kind, f, qk, f"{label}, section {k + 1}/{len(qs)} (Q {qk:.4f})")
            pl.active = enabled
            pl.notes = notes if k == 0 else []
            out.append(pl)
        return out

    return plugins


def _shelf(slot: str) -> Callable[[BandFilter, bool, _Where], _Band]:
    """A shelf for a-EQ's low ("l") or high ("h") shelf slot."""

    def band(t: BandFilter, enabled: bool, w: _Where) -> _Band:
        notes: list[str] = []
        gain = _clamp("gain", float(t.gain_db), -20.0, 20.0, notes, w.what)
        f0 = float(np.clip(t.freq_hz, 5.0, w.sr / 2.0 * 0.95))
        fa = shelf_frequency(t.kind, f0, gain, w.sr)
        sq = float(t.q)
        name = t.kind.replace("_", " ")
        if abs(sq - 1 / math.sqrt(2)) > 0.01:
            notes.append(
                f"{w.what}: {name} at {f0:g} Hz has Q {sq:g}; a-EQ shelves have "
                f"Q 0.707 (gain and half-gain frequency kept)"
            )
        fa = _clamp("shelf frequency", fa, 20.0, 20000.0, notes, w.what)
        return _Band(slot, enabled, {"freq": fa, "g": gain}, f"{name} {f0:g} Hz {gain:+g} dB", notes)

    return band


def _bell(t: BandFilter, enabled: bool, w: _Where) -> _Band:
    """A bell for one of a-EQ's four bands (Q as bandwidth in octaves, exact)."""
    notes: list[str] = []
    gain = _clamp("gain", float(t.gain_db), -20.0, 20.0, notes, w.what)
    f0 = float(np.clip(t.freq_hz, 5.0, w.sr / 2.0 * 0.95))
    f0 = _clamp("frequency", f0, 20.0, 20000.0, notes, w.what)
    bw = peak_bandwidth_octaves(max(float(t.q), 0.05))
    bw = _clamp("bandwidth (octaves)", bw, 0.1, 4.0, notes, w.what)
    label = f"bell {f0:g} Hz {gain:+g} dB Q {float(t.q):g}"
    return _Band("p", enabled, {"freq": f0, "g": gain, "bw": bw}, label, notes)


def _filter_group(procs: list, w: _Where) -> list[Plugin]:
    """A run of consecutive linear filters as ACE HP/LP sections and a-EQ instances.

    Linear time-invariant filters commute, so the run is regrouped: high/low-pass sections
    first, then bells and shelves packed into as few a-EQ instances as fit (1 low shelf,
    4 bells, 1 high shelf each).
    """
    out: list[Plugin] = []
    bands: list[_Band] = []
    for p in procs:
        part = ARDOUR[p.kind](p.typed(), p.enabled, w)
        if isinstance(part, _Band):
            bands.append(part)
        else:
            out += part
    # pack bells and shelves
    groups: list[dict] = []
    for b in bands:
        for g in groups:
            if g["active"] != b.enabled:
                continue
            if b.slot in "lh" and b.slot not in g:
                g[b.slot] = b
                break
            if b.slot == "p" and len(g["p"]) < 4:
                g["p"].append(b)
                break
        else:
            g = {"p": [], "active": b.enabled}
            if b.slot == "p":
                g["p"].append(b)
            else:
                g[b.slot] = b
            groups.append(g)
    for g in groups:
        params = dict(AEQ_PORTS)
        slots = [(sym, g[sym]) for sym in "lh" if sym in g] + [(str(i), b) for i, b in enumerate(g["p"], 1)]
        for sym, b in slots:
            for prefix, v in b.ports.items():
                params[prefix + sym] = v
            params["filtog" + sym] = 1.0
        out.append(
            Plugin(
                "lv2",
                URI_EQ,
                "ACE EQ",
                params,
                per_channel=True,
                active=g["active"],
                label="; ".join(b.label for _, b in slots),
                notes=[n for _, b in slots for n in b.notes],
            )
        )
    return out


def map_chain(chain: list, sr: int, what: str, channels: int = 2, native: bool = False) -> list[Plugin]:
    """A processor chain as Ardour plugins, in order; every approximation is in ``Plugin.notes``.

    ``what`` names the strip for the notes ("track 'Kick'"). ``native``: filters, dynamics, reverb
    and delay on Ardour's ACE plugins (approximations, noted) instead of our own Lua processors.
    """
    w = _Where(sr, what, channels)
    out: list[Plugin] = []
    run: list = []
    for p in list(chain) + [None]:
        if p is not None and p.kind in FILTER_KINDS and not native:
            out += _lua_filter(p.typed(), p.enabled, w)
            continue
        if p is not None and p.kind in FILTER_KINDS:
            run.append(p)
            continue
        if run:
            out += _filter_group(run, w)
            run = []
        if p is None:
            break
        registry = ARDOUR if native or p.kind not in OWN else OWN
        out += registry[p.kind](p.typed(), p.enabled, w)
    return out


def _dyn_params() -> dict[str, float]:
    """a-comp / a-exp port values at their defaults, to be set by each dynamics kind."""
    return {sym: d for sym, _, d in DYN_PORTS}


def _ace_compressor(t: Compressor, enabled: bool, w: _Where) -> list[Plugin]:
    notes: list[str] = []
    what = w.what
    params = _dyn_params()
    params["thr"] = _clamp("threshold", float(t.threshold_db), -60.0, 0.0, notes, what)
    params["rat"] = _clamp("ratio", max(1.0, float(t.ratio)), 1.0, 20.0, notes, what)
    params["att"] = _clamp("attack", jucetime_to_ardour(t.attack_ms), 0.1, 100.0, notes, what)
    params["rel"] = _clamp("release", jucetime_to_ardour(t.release_ms), 1.0, 2000.0, notes, what)
    makeup = float(t.makeup_db)
    params["mak"] = min(max(makeup, 0.0), 30.0)
    label = (
        f"compressor {t.threshold_db:g} dB {t.ratio:g}:1, attack {t.attack_ms:g} ms, "
        f"release {t.release_ms:g} ms, makeup {makeup:g} dB"
    )
    notes.append(
        f"{what}: {label} runs on ACE Compressor (gain smoothed in dB after the static curve) "
        f"instead of pedalboard's (envelope smoothed before it); same threshold, ratio, makeup and "
        f"time constants, different detail on transients"
    )
    pl = Plugin("lv2", URI_COMP, "ACE Compressor", params, per_channel=True, active=enabled, label=label)
    pl.notes = notes
    extra = makeup - params["mak"]
    more = gain_plugins(extra, "compressor makeup beyond ACE Compressor's 0 to 30 dB:")
    for g in more:
        g.active = enabled
    return [pl] + more


def _ace_limiter(t: Limiter, enabled: bool, w: _Where) -> list[Plugin]:
    notes: list[str] = []
    params = _dyn_params()
    params["thr"] = _clamp("ceiling", float(t.ceiling_db), -60.0, 0.0, notes, w.what)
    params["rat"] = 20.0
    params["att"] = 0.1
    params["rel"] = _clamp("release", jucetime_to_ardour(t.release_ms), 1.0, 2000.0, notes, w.what)
    label = f"limiter ceiling {t.ceiling_db:g} dB"
    notes.append(
        f"{w.what}: {label} becomes ACE Compressor at 20:1 with 0.1 ms attack: Ardour 7 bundles no "
        f"true-peak brickwall limiter, so peaks can pass the ceiling briefly"
    )
    uri = URI_COMP + "#stereo" if w.channels == 2 else URI_COMP
    return [Plugin("lv2", uri, "ACE Compressor", params, active=enabled, label=label, notes=notes)]


def _ace_expander(t: Gate, enabled: bool, w: _Where) -> list[Plugin]:
    """pedalboard's NoiseGate as a downward expander."""
    notes: list[str] = []
    what = w.what
    params = _dyn_params()
    ratio = max(1.5, 1.0 + abs(float(t.range_db)) / 6.0)
    params["thr"] = _clamp("threshold", float(t.threshold_db), -60.0, 0.0, notes, what)
    params["rat"] = _clamp("ratio", ratio, 1.0, 100.0, notes, what)
    params["att"] = _clamp("attack", jucetime_to_ardour(t.attack_ms), 0.1, 100.0, notes, what)
    params["rel"] = _clamp("release", jucetime_to_ardour(t.release_ms), 1.0, 2000.0, notes, what)
    label = f"gate {t.threshold_db:g} dB, range {t.range_db:g} dB (expander {ratio:.2f}:1)"
    notes.append(
        f"{what}: {label} runs on ACE Expander (peak detector, gain smoothed in dB) instead of "
        f"pedalboard's NoiseGate (RMS detector); same threshold, ratio and time constants"
    )
    return [
        Plugin(
            "lv2", URI_EXP, "ACE Expander", params, per_channel=True, active=enabled, label=label, notes=notes
        )
    ]


def _lua_saturation(t: Saturation, enabled: bool, w: _Where) -> list[Plugin]:
    params = {0: float(t.drive_db), 1: float(t.mix_pct)}
    label = f"saturation drive {t.drive_db:g} dB, mix {t.mix_pct:g} %"
    return [Plugin("lua", "", SAT_NAME, params, active=enabled, script=SAT_NAME, label=label)]


def _ace_reverb(t: Reverb, enabled: bool, w: _Where) -> list[Plugin]:
    params = {sym: d for sym, _, d in REVERB_PORTS}
    params["blend"] = 1.0
    params["roomsz"] = 0.5 + 0.5 * min(max(float(t.room_size), 0.0), 1.0)
    label = f"reverb room {t.room_size:g}, damping {t.damping:g}, width {t.width:g}"
    note = (
        f"{w.what}: {label} (Freeverb) becomes ACE Reverb, 100 % wet, room {params['roomsz']:.2f}: "
        f"a different reverb; damping and width have no equivalent"
    )
    return [Plugin("lv2", URI_REVERB, "ACE Reverb", params, active=enabled, label=label, notes=[note])]


def _ace_delay(t: Delay, enabled: bool, w: _Where) -> list[Plugin]:
    notes: list[str] = []
    params = {sym: d for sym, _, d in DELAY_PORTS}
    params["time"] = _clamp("time", float(t.time_ms), 1.0, 8000.0, notes, w.what)
    params["feedback"] = _clamp("feedback", float(t.feedback_pct), 0.0, 100.0, notes, w.what)
    params["drywet"] = 100.0
    params["lpf"] = 20000.0
    label = f"delay {t.time_ms:g} ms, feedback {t.feedback_pct:g} %"
    notes.append(
        f"{w.what}: {label} becomes ACE Delay, 100 % wet: its wet path has a 20 kHz low-pass "
        f"(-1.2 dB at 16 kHz) and each repeat lands one sample later than the one before"
    )
    return [
        Plugin(
            "lv2", URI_DELAY, "ACE Delay", params, per_channel=True, active=enabled, label=label, notes=notes
        )
    ]


def _lua(name: str, params: list[float], enabled: bool, label: str) -> list[Plugin]:
    """One of our own Lua DSP plugins (``ardour_lua``), its parameters in the script's order."""
    values = {i: float(v) for i, v in enumerate(params)}
    return [Plugin("lua", "", name, values, active=enabled, script=name, label=label)]


def _lua_filter(t: Filter, enabled: bool, w: _Where) -> list[Plugin]:
    """Any filter as ``faderpilot Filter``: the biquads of ``render.filters``, exact."""
    gain = float(getattr(t, "gain_db", 0.0))
    q = float(getattr(t, "q", 0.7071))
    slope = float(getattr(t, "slope_db_oct", 12.0))
    label = f"{t.kind.replace('_', ' ')} {t.freq_hz:g} Hz" + (
        f" {slope:g} dB/oct" if t.kind in ("highpass", "lowpass") else f" {gain:+g} dB Q {q:g}"
    )
    p = [FILTER_ORDER.index(t.kind), t.freq_hz, gain, q, slope]
    return _lua(FILTER_NAME, p, enabled, label)


def _lua_compressor(t: Compressor, enabled: bool, w: _Where) -> list[Plugin]:
    label = (
        f"compressor {t.threshold_db:g} dB {t.ratio:g}:1, attack {t.attack_ms:g} ms, "
        f"release {t.release_ms:g} ms, makeup {t.makeup_db:g} dB"
    )
    p = [t.threshold_db, max(1.0, t.ratio), t.attack_ms, t.release_ms, t.makeup_db]
    return _lua(COMP_NAME, p, enabled, label)


def _lua_gate(t: Gate, enabled: bool, w: _Where) -> list[Plugin]:
    label = f"gate {t.threshold_db:g} dB, range {t.range_db:g} dB"
    return _lua(GATE_NAME, [t.threshold_db, t.attack_ms, t.release_ms, abs(t.range_db)], enabled, label)


#: the longest delay faderpilot Delay holds (ms): its line is a Lua table per channel
LUA_DELAY_MAX_MS = 30000.0


def _lua_delay(t: Delay, enabled: bool, w: _Where) -> list[Plugin]:
    label = f"delay {t.time_ms:g} ms, feedback {t.feedback_pct:g} %"
    notes: list[str] = []
    time_ms = _clamp("time", float(t.time_ms), 0.0, LUA_DELAY_MAX_MS, notes, w.what)
    out = _lua(DELAY_NAME, [time_ms, t.feedback_pct], enabled, label)
    out[0].notes = notes
    return out


def _lua_reverb(t: Reverb, enabled: bool, w: _Where) -> list[Plugin]:
    label = f"reverb room {t.room_size:g}, damping {t.damping:g}, width {t.width:g}"
    return _lua(REVERB_NAME, [t.room_size, t.damping, t.width], enabled, label)


#: our limiter's lookahead beyond pedalboard's 5 ms: its oversampler's latency (samples, any rate)
LIMITER_UPSAMPLE_LATENCY = 60


def limiter_latency(sr: int) -> int:
    """Samples of latency ``faderpilot Limiter`` reports at rate ``sr`` (5 ms lookahead + oversampler)."""
    return max(1, int(sr * 5 / 1000)) + LIMITER_UPSAMPLE_LATENCY


def _lua_limiter(t: Limiter, enabled: bool, w: _Where) -> list[Plugin]:
    label = f"limiter ceiling {t.ceiling_db:g} dB, release {t.release_ms:g} ms"
    return _lua(LIMITER_NAME, [t.ceiling_db, t.release_ms], enabled, label)


#: The Ardour export's registry, kind -> (typed processor, enabled, strip) -> its plugins. Linear
#: filters are regrouped first (``_filter_group``): high/low-pass give their ACE sections, bells
#: and shelves a ``_Band`` that is packed into a-EQ instances.
ARDOUR: dict[str, Callable[..., list[Plugin] | _Band]] = {
    "highpass": _pass(5.0),
    "lowpass": _pass(20.0),
    "low_shelf": _shelf("l"),
    "high_shelf": _shelf("h"),
    "peak": _bell,
    "compressor": _ace_compressor,
    "gate": _ace_expander,
    "saturation": _lua_saturation,
    "reverb": _ace_reverb,
    "delay": _ace_delay,
    "limiter": _ace_limiter,
}

#: The default: our own Lua processors where Ardour's ACE plugins differ from the renderer (the
#: ACE mapping above, with its approximations reported, is ``native=True``: ``--ardour-native``).
OWN: dict[str, Callable[..., list[Plugin]]] = {
    "compressor": _lua_compressor,
    "gate": _lua_gate,
    "reverb": _lua_reverb,
    "delay": _lua_delay,
    "limiter": _lua_limiter,
}


# --------------------------------------------------------------------------------------------
# gains


#: largest dB step between two written automation points: whatever curve Ardour draws between
#: them, it stays within 0.004 dB of our dB-linear ramp
AUTOMATION_STEP_DB = 0.25


def gain_automation(
    lanes: list, base_db: float, sr: int, frames: int
) -> tuple[list[tuple[int, float]], float]:
    """Our ``gain_db`` lanes on top of a fader at ``base_db`` as Ardour fader automation points.

    Returns ((sample, linear gain) points, the highest level in dB they ask for). Lanes add in
    dB, ramps are linear in dB between points (``render.engine``); extra points are put in so
    no step between written points exceeds ``AUTOMATION_STEP_DB``.
    """
    lanes = [a for a in lanes if a.get("param") == "gain_db" and a.get("points")]
    pts = [np.asarray(a["points"], dtype=float) for a in lanes]
    if not pts:
        return [], base_db
    length = frames / sr
    times = sorted({0.0, length, *[float(t) for p in pts for t in p[:, 0] if 0.0 <= t <= length]})

    def level(t: np.ndarray) -> np.ndarray:
        return base_db + sum(np.interp(t, p[:, 0], p[:, 1]) for p in pts)

    dense: list[float] = []
    for a, b in zip(times[:-1], times[1:], strict=True):
        step = abs(float(level(np.array([b]))[0] - level(np.array([a]))[0]))
        n = max(1, int(math.ceil(step / AUTOMATION_STEP_DB)))
        dense += list(np.linspace(a, b, n, endpoint=False))
    dense.append(times[-1])
    t = np.unique(np.round(np.asarray(dense) * sr).astype(np.int64))
    db = level(t / sr)
    out = [(int(s), db_to_gain(float(d))) for s, d in zip(t, db, strict=True)]
    # drop points in the middle of flat stretches
    keep = [out[0]]
    for i in range(1, len(out) - 1):
        if not (out[i - 1][1] == out[i][1] == out[i + 1][1]):
            keep.append(out[i])
    if len(out) > 1:
        keep.append(out[-1])
    return keep, float(np.max(db))


def gain_ride(lanes: list, upstream: int = 0) -> Plugin | None:
    """Our ``gain_db`` lanes as a ``faderpilot Gain ride`` insert (None when there are none).

    The plugin plays the lanes as ``render.engine`` does, every sample linear in dB between the
    points, where Ardour's fader automation would smooth them; the fader itself stays static.
    ``upstream``: latency of the inserts before it (samples, ``gain_ride_script``).
    """
    rides = [
        ([float(t) for t, _ in a["points"]], [float(d) for _, d in a["points"]])
        for a in lanes
        if a.get("param") == "gain_db" and a.get("points")
    ]
    if not rides:
        return None
    n = sum(len(t) for t, _ in rides)
    label = f"gain ride, {n} point{'s' if n != 1 else ''}"
    text = gain_ride_script(rides, upstream)
    return Plugin("lua", "", RIDE_NAME, {}, script=RIDE_NAME, label=label, text=text)


def split_trim(trim_db: float) -> tuple[float, float]:
    """(Ardour trim, region gain) in dB: trim holds +/-20 dB, the rest goes on the regions."""
    t = max(-TRIM_RANGE_DB, min(TRIM_RANGE_DB, trim_db))
    return t, trim_db - t


def split_fader(fader_db: float) -> tuple[float, float]:
    """(Ardour fader, extra gain before it) in dB: the fader tops out at +6.02 dB."""
    if not math.isfinite(fader_db) or fader_db <= FADER_MAX_DB:
        return fader_db, 0.0
    return FADER_MAX_DB, fader_db - FADER_MAX_DB


# --------------------------------------------------------------------------------------------
# the whole session, as Ardour will hold it


@dataclass
class RegionPlan:
    """One region in samples: where it sits, where in the media file it starts, its fades."""

    position: int
    start: int
    length: int
    fade_in: int = 0
    fade_out: int = 0


@dataclass
class SendPlan:
    """A post-fader aux send to an FX bus (by route name)."""

    target: str
    gain_db: float


@dataclass
class RoutePlan:
    """One Ardour route: a track, a bus or the master, with everything Ardour will show."""

    name: str
    kind: str  # "track" | "bus" | "master"
    channels: int
    colour: str = "#8c8c8c"
    trim_db: float = 0.0
    fader_db: float = 0.0
    polarity: bool = False
    mute: bool = False
    solo: bool = False
    pan: PanSetting | None = None
    plugins: list[Plugin] = field(default_factory=list)
    output: str | None = None  # route name it feeds; None = the master's own outputs
    aux: bool = False  # a bus: it has an internal return, so sends can feed it
    solo_isolate: bool = False  # FX returns: soloing a track keeps its reverb audible
    sends: list[SendPlan] = field(default_factory=list)
    regions: list[RegionPlan] = field(default_factory=list)
    media: str = ""  # file name under interchange/<song>/audiofiles
    region_gain_db: float = 0.0
    faderpilot_id: str = ""
    #: fader automation (Ardour plays it; ``--ardour-native`` only): (sample, linear gain) points
    gain_automation: list[tuple[int, float]] = field(default_factory=list)


@dataclass
class SessionPlan:
    """The Ardour session to write: names, routes in console order, markers and the notes."""

    name: str
    sample_rate: int
    length: int  # samples
    routes: list[RoutePlan]
    markers: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: samples of latency our plugins report on the master (the limiter's lookahead)
    latency: int = 0
