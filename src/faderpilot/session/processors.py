"""Typed processors: one frozen dataclass per kind of the closed set, parameters in real units.

The session document stores a processor as plain JSON (``{id, kind, params, enabled, decision}``,
``session.model.Processor``); these classes are the same parameters as typed objects, the way
pedalboard's processors read. Every view (renderer, exporters, report, console) keeps one
registry from kind to its function and calls it with the typed processor, so a kind is defined
here once and added in one place per view (tests/test_processors.py checks every registry).

Example
-------
>>> t = typed("peak", {"freq_hz": 3000.0, "gain_db": -2.0, "q": 1.4})
>>> t
Peak(freq_hz=3000.0, gain_db=-2.0, q=1.4)
>>> params_of(t)
{'freq_hz': 3000.0, 'gain_db': -2.0, 'q': 1.4}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar, dataclass_transform


@dataclass_transform(frozen_default=True)
class TypedProcessor:
    """Base of every typed processor: each subclass is a frozen dataclass, and a kind of the
    closed set names itself in the class statement (``class Gate(TypedProcessor, kind="gate")``),
    with ``only_on="fx"`` or ``"master"`` where it may sit on those strips only."""

    #: the kind as the session document spells it ("" on the shared bases)
    kind: ClassVar[str] = ""
    #: "fx" (FX buses only), "master" (the master only), or "" (any strip)
    only_on: ClassVar[str] = ""

    def __init_subclass__(cls, kind: str = "", only_on: str = "", **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if kind:
            cls.kind = kind
        if only_on:
            cls.only_on = only_on
        dataclass(frozen=True)(cls)


class Filter(TypedProcessor):
    """A linear filter (the biquads of ``render.filters``; filters commute with one another).

    freq_hz: corner or centre frequency (Hz).
    """

    freq_hz: float


class PassFilter(Filter):
    """High- or low-pass: Butterworth of order slope / 6, -3.01 dB at ``freq_hz``.

    slope_db_oct: slope (dB per octave), 6 per order.
    """

    slope_db_oct: float = 12.0


class Highpass(PassFilter, kind="highpass"):
    """High-pass filter."""


class Lowpass(PassFilter, kind="lowpass"):
    """Low-pass filter."""


class BandFilter(Filter):
    """Bell or shelf: an RBJ Audio EQ Cookbook biquad.

    gain_db: gain at the centre, or of the shelf (dB); q: quality (unitless; a shelf's Q in the
    Cookbook's S-free form).
    """

    gain_db: float
    q: float = 0.707


class LowShelf(BandFilter, kind="low_shelf"):
    """Low shelf."""


class HighShelf(BandFilter, kind="high_shelf"):
    """High shelf."""


class Peak(BandFilter, kind="peak"):
    """Peak (bell) EQ."""


class Compressor(TypedProcessor, kind="compressor"):
    """Feed-forward hard-knee compressor (pedalboard's), then makeup gain.

    threshold_db (dBFS); ratio (N of N:1, at least 1); attack_ms and release_ms (ms);
    makeup_db (dB, after the compressor).
    """

    threshold_db: float
    ratio: float
    attack_ms: float
    release_ms: float
    makeup_db: float = 0.0


class Gate(TypedProcessor, kind="gate"):
    """Noise gate: pedalboard's NoiseGate, an expander of ratio 1 + |range| / 6.

    threshold_db (dBFS); attack_ms and release_ms (ms); range_db (dB, the most it turns down).
    """

    threshold_db: float
    attack_ms: float
    release_ms: float
    range_db: float


class Saturation(TypedProcessor, kind="saturation"):
    """Tanh saturation at unity small-signal gain: drive_db (dB into the tanh), mix_pct (wet %)."""

    drive_db: float
    mix_pct: float


class Reverb(TypedProcessor, kind="reverb", only_on="fx"):
    """Freeverb (pedalboard Reverb), 100 % wet: room_size, damping, width (each 0 to 1)."""

    room_size: float
    damping: float
    width: float


class Delay(TypedProcessor, kind="delay", only_on="fx"):
    """Feedback delay (pedalboard Delay), 100 % wet: time_ms (ms), feedback_pct (%)."""

    time_ms: float
    feedback_pct: float


class Limiter(TypedProcessor, kind="limiter", only_on="master"):
    """True-peak brickwall limiter (pedalboard's): ceiling_db (dBTP), release_ms (ms)."""

    ceiling_db: float
    release_ms: float


#: The closed processor set, in the document's order: kind -> its class.
KINDS: dict[str, type[TypedProcessor]] = {
    c.kind: c
    for c in (
        Highpass,
        Lowpass,
        LowShelf,
        HighShelf,
        Peak,
        Compressor,
        Gate,
        Saturation,
        Reverb,
        Delay,
        Limiter,
    )
}
#: The parameters (real units) each kind takes, in the order the document writes them.
PARAMS: dict[str, tuple[str, ...]] = {k: tuple(f.name for f in fields(c)) for k, c in KINDS.items()}
#: The parameters each kind cannot do without (those with no default).
_REQUIRED: dict[str, tuple[str, ...]] = {
    k: tuple(f.name for f in fields(c) if f.default is MISSING) for k, c in KINDS.items()
}
#: The linear filters (run together as second-order sections by the renderer).
FILTER_KINDS: tuple[str, ...] = tuple(k for k, c in KINDS.items() if issubclass(c, Filter))
#: Processors that only make sense on FX buses, and on the master.
FX_ONLY: tuple[str, ...] = tuple(k for k, c in KINDS.items() if c.only_on == "fx")
MASTER_ONLY: tuple[str, ...] = tuple(k for k, c in KINDS.items() if c.only_on == "master")


def typed(kind: str, params: Mapping[str, float]) -> TypedProcessor:
    """The typed processor of a document kind and its params (ValueError naming what is wrong).

    Values are taken as they are (no conversion), so ``params_of`` gives them back exactly;
    a parameter the document leaves out takes the class's default where it has one. Keys
    outside the kind's parameters mean nothing to any view and are left out.
    """
    names = PARAMS.get(kind)
    if names is None:
        raise ValueError(f"unknown processor kind {kind!r} (one of {', '.join(KINDS)})")
    missing = [k for k in _REQUIRED[kind] if k not in params]
    if missing:
        raise ValueError(f"a {kind} needs {', '.join(missing)} (it has {', '.join(params) or 'none'})")
    return KINDS[kind](**{k: params[k] for k in names if k in params})


def params_of(t: TypedProcessor) -> dict[str, float]:
    """A typed processor's parameters as the document's ``params`` dict, in the kind's order."""
    return {f.name: getattr(t, f.name) for f in fields(t)}
