"""Running a processor chain on audio, with the exact meaning each processor has in the document.

- Filters: the biquads of ``render.filters`` (consecutive filters run as one ``sosfilt`` call).
- compressor: pedalboard's feed-forward compressor (hard knee) followed by ``makeup_db``.
- gate: pedalboard's NoiseGate with a ratio derived from ``range_db``.
- saturation: y = (1 - m) x + m tanh(g x) / g, with g = 10^(drive_db / 20) and m = mix_pct / 100:
  unity gain for quiet signals, soft-clipped harmonics on the loud parts.
- reverb: Freeverb (pedalboard Reverb), 100 % wet on an FX bus.
- delay: a feedback delay (pedalboard Delay), 100 % wet on an FX bus.
- limiter: pedalboard's BrickwallLimiter with a true-peak ceiling (master only).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pedalboard as pb
from scipy.signal import sosfilt

from ..session.model import Processor
from ..session.processors import Compressor, Delay, Filter, Gate, Limiter, Reverb, Saturation
from .filters import filter_sos

#: What one processor does to (channels, frames) float32 audio.
Run = Callable[[np.ndarray], np.ndarray]


def db_to_gain(db: float) -> float:
    """Linear gain of a level in dB."""
    return float(10.0 ** (db / 20.0))


def _pedalboard(plugin: pb.Plugin, sr: int) -> Run:
    """A pedalboard plugin as a Run: contiguous float32 in, state reset for each call."""
    return lambda y: plugin(np.ascontiguousarray(y, dtype=np.float32), sr, reset=True)


def _compressor(t: Compressor, sr: int) -> Run:
    """pedalboard's Compressor (ratio at least 1), then ``makeup_db`` as a plain gain."""
    comp = _pedalboard(
        pb.Compressor(
            threshold_db=t.threshold_db,
            ratio=max(1.0, t.ratio),
            attack_ms=t.attack_ms,
            release_ms=t.release_ms,
        ),
        sr,
    )
    if not t.makeup_db:
        return comp
    return lambda y: comp(y) * np.float32(db_to_gain(t.makeup_db))


def _gate(t: Gate, sr: int) -> Run:
    """pedalboard's NoiseGate, an expander whose ratio 1 + |range| / 6 stands for ``range_db``."""
    ratio = max(1.5, 1.0 + abs(t.range_db) / 6.0)
    return _pedalboard(
        pb.NoiseGate(
            threshold_db=t.threshold_db, ratio=ratio, attack_ms=t.attack_ms, release_ms=t.release_ms
        ),
        sr,
    )


def _saturation(t: Saturation, sr: int) -> Run:
    return lambda y: saturate(y, t.drive_db, t.mix_pct)


def _reverb(t: Reverb, sr: int) -> Run:
    return _pedalboard(
        pb.Reverb(room_size=t.room_size, damping=t.damping, wet_level=1.0, dry_level=0.0, width=t.width), sr
    )


def _delay(t: Delay, sr: int) -> Run:
    return _pedalboard(
        pb.Delay(delay_seconds=t.time_ms / 1000.0, feedback=t.feedback_pct / 100.0, mix=1.0), sr
    )


def _limiter(t: Limiter, sr: int) -> Run:
    return _pedalboard(
        pb.BrickwallLimiter(ceiling_db=t.ceiling_db, release_ms=t.release_ms, true_peak=True), sr
    )


#: The renderer's registry, kind -> what the typed processor becomes at rate ``sr``: a filter's
#: second-order sections (consecutive filters run as one ``sosfilt`` call), or a function of the
#: audio for every other kind.
RENDER: dict[str, Callable[..., np.ndarray | Run]] = {
    "highpass": filter_sos,
    "lowpass": filter_sos,
    "low_shelf": filter_sos,
    "high_shelf": filter_sos,
    "peak": filter_sos,
    "compressor": _compressor,
    "gate": _gate,
    "saturation": _saturation,
    "reverb": _reverb,
    "delay": _delay,
    "limiter": _limiter,
}


def saturate(x: np.ndarray, drive_db: float, mix_pct: float) -> np.ndarray:
    """Tanh saturation at unity small-signal gain, blended with the dry signal."""
    g = db_to_gain(drive_db)
    m = float(np.clip(mix_pct / 100.0, 0.0, 1.0))
    return ((1.0 - m) * x + m * np.tanh(g * x) / g).astype(np.float32)


def run_chain(x: np.ndarray, chain: list[Processor], sr: int) -> np.ndarray:
    """Process (channels, frames) float32 audio through a chain; returns a new array."""
    y = x
    pending: list[np.ndarray] = []

    def flush(sig: np.ndarray) -> np.ndarray:
        if not pending:
            return sig
        out = sosfilt(np.vstack(pending), sig, axis=-1).astype(np.float32)
        pending.clear()
        return out

    for p in chain:
        if not p.enabled:
            continue
        t = p.typed()
        stage = RENDER[p.kind](t, sr)
        if isinstance(t, Filter):
            pending.append(stage)
            continue
        y = stage(flush(y))
    y = flush(y)
    return y if y is not x else x.copy()
