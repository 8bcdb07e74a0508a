"""A/B excerpts: the busiest stretch of the user's mix, and the same stretch with one change.

B is the user's own mix plus what that one change does (the fitted session rendered with the
change, minus the fitted session rendered without it, both by the project's renderer), so
everything the fit did not capture stays as the user made it. B is then brought to A's
integrated loudness (BS.1770), so the louder one does not win by loudness alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..analysis.loudness import integrated_loudness, k_weight
from ..audio.io import safe_filename, write_wav_atomic
from ..render.engine import render
from .critique import Critique, undo_one
from .fit import Assistant, UserFit

#: Length (s) of an excerpt: the busiest stretch of this long (or the whole song when shorter).
EXCERPT_S = 9.0


def busiest(mix: np.ndarray, sr: int, seconds: float) -> tuple[int, int]:
    """(start, length) in samples of the loudest stretch (K-weighted energy, 0.1 s steps)."""
    n = mix.shape[1]
    w = min(n, int(round(seconds * sr)))
    if w >= n:
        return 0, n
    hop = max(1, sr // 10)
    e = np.sum(k_weight(mix.astype(np.float64), sr) ** 2, axis=0)
    cs = np.concatenate([[0.0], np.cumsum(e)])
    starts = np.arange(0, n - w + 1, hop)
    best = int(starts[int(np.argmax(cs[starts + w] - cs[starts]))])
    return best, w


def match_loudness(ref: np.ndarray, x: np.ndarray, sr: int) -> tuple[np.ndarray, float]:
    """x brought to ref's integrated loudness, and the gain (dB) that took."""
    la, lb = integrated_loudness(ref, sr), integrated_loudness(x, sr)
    if not (np.isfinite(la) and np.isfinite(lb)):
        return x, 0.0
    g = la - lb
    return (x * np.float32(10 ** (g / 20))).astype(np.float32), float(g)


def write_excerpts(
    a: Assistant,
    u: UserFit,
    c: Critique,
    offset: float,
    out: Path,
    *,
    top: int = 3,
    excerpt_s: float | None = None,
    workers: int = 2,
) -> None:
    """Write OUT/ab/your_mix.wav and one B file per top difference; record them in the critique."""
    sr = a.session.sample_rate
    start, n = busiest(u.mix, sr, excerpt_s or EXCERPT_S)
    a_x = u.mix[:, start : start + n].astype(np.float32)
    ab = out / "ab"
    write_wav_atomic(ab / "your_mix.wav", a_x, sr, "FLOAT")
    base = render(u.fitted, a.audio, workers=workers).mix
    lufs_a = integrated_loudness(a_x, sr)
    for k, d in enumerate(c.differences[:top], 1):
        changed = render(undo_one(a, u, d, offset), a.audio, workers=workers).mix
        b_x = (a_x + (changed - base)[:, start : start + n]).astype(np.float32)
        b_m, g = match_loudness(a_x, b_x, sr)
        name = f"{k:02d}_{d.kind}_{safe_filename('_'.join(d.names))[:40]}.wav".replace(" ", "_")
        write_wav_atomic(ab / name, b_m, sr, "FLOAT")
        d.ab = {
            "a": "ab/your_mix.wav",
            "b": f"ab/{name}",
            "start_s": round(start / sr, 3),
            "seconds": round(n / sr, 3),
            "lufs_a": round(lufs_a, 2),
            "lufs_b": round(integrated_loudness(b_m, sr), 2),
            "match_gain_db": round(g, 2),
            "what": f"B is your mix with only this change: {d.try_}",
        }
