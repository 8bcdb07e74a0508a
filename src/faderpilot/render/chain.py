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

import numpy as np
import pedalboard as pb
from scipy.signal import sosfilt

from ..session.model import Processor
from .filters import FILTER_KINDS, sos


def db_to_gain(db: float) -> float:
    """Linear gain of a level in dB."""
    return float(10.0 ** (db / 20.0))


def _plugin(p: Processor) -> pb.Plugin:
    q = p.params
    if p.kind == "compressor":
        return pb.Compressor(
            threshold_db=q["threshold_db"],
            ratio=max(1.0, q["ratio"]),
            attack_ms=q["attack_ms"],
            release_ms=q["release_ms"],
        )
    if p.kind == "gate":
        ratio = max(1.5, 1.0 + abs(q["range_db"]) / 6.0)
        return pb.NoiseGate(
            threshold_db=q["threshold_db"], ratio=ratio, attack_ms=q["attack_ms"], release_ms=q["release_ms"]
        )
    if p.kind == "reverb":
        return pb.Reverb(
            room_size=q["room_size"], damping=q["damping"], wet_level=1.0, dry_level=0.0, width=q["width"]
        )
    if p.kind == "delay":
        return pb.Delay(delay_seconds=q["time_ms"] / 1000.0, feedback=q["feedback_pct"] / 100.0, mix=1.0)
    if p.kind == "limiter":
        return pb.BrickwallLimiter(ceiling_db=q["ceiling_db"], release_ms=q["release_ms"], true_peak=True)
    raise ValueError(f"no plugin for processor kind {p.kind!r}")


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
        if p.kind in FILTER_KINDS:
            pending.append(sos(p.kind, p.params, sr))
            continue
        y = flush(y)
        if p.kind == "saturation":
            y = saturate(y, p.params["drive_db"], p.params["mix_pct"])
        else:
            y = _plugin(p)(np.ascontiguousarray(y, dtype=np.float32), sr, reset=True)
            if p.kind == "compressor" and p.params.get("makeup_db", 0.0):
                y = y * np.float32(db_to_gain(p.params["makeup_db"]))
    y = flush(y)
    return y if y is not x else x.copy()
