"""Stems and roughs with known settings, for the match tests (generated in code)."""

from __future__ import annotations

import numpy as np
from scipy.signal import sosfilt

from faderpilot.demo import arrangement, bass, guitar, hihat, kick, lead_vocal, pad, rhodes, snare
from faderpilot.match.rough import EQ_BASIS
from faderpilot.render.engine import pan_gains
from faderpilot.render.filters import sos

SR = 48000
TEMPO = 120.0


def stems(seconds: float = 8.0, sr: int = SR, seed: int = 0) -> list[np.ndarray]:
    """Eight demo instruments (one stereo), each (channels, frames) float32 at about -12 dBFS peak."""
    sections = arrangement(seconds, TEMPO)
    out = []
    for k, synth in enumerate((kick, snare, hihat, bass, guitar, rhodes, pad, lead_vocal)):
        rng = np.random.default_rng([seed, k])
        if synth is guitar:
            x = synth(sr, seconds, TEMPO, rng, sections, 900.0, 0.0, 4.0)
        elif synth is lead_vocal:
            x = synth(sr, seconds, TEMPO, rng, sections, melody_seed=seed)
        else:
            x = synth(sr, seconds, TEMPO, rng, sections)
        if synth is not rhodes and x.shape[0] > 1:
            x = x.mean(axis=0, keepdims=True)
        x = x * np.float32(0.25 / max(float(np.max(np.abs(x))), 1e-9))
        out.append(x.astype(np.float32))
    return out


def random_settings(n: int, seed: int = 1, eq: bool = True) -> list[dict]:
    """Gains in +-12 dB, pans in [-1, 1], some polarity flips, EQ basis bands in +-6 dB."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        bands = []
        if eq:
            for kind, f, q in EQ_BASIS:
                if rng.random() < 0.5:
                    bands.append((kind, {"freq_hz": f, "gain_db": float(rng.uniform(-6, 6)), "q": q}))
        out.append(
            {
                "gain_db": float(rng.uniform(-12, 12)),
                "pan": float(rng.uniform(-1, 1)),
                "flip": bool(i % 3 == 1),
                "eq": bands,
            }
        )
    return out


def make_rough(xs: list[np.ndarray], settings: list[dict], offset: int, sr: int = SR, muted=()) -> np.ndarray:
    """The rough: each stem EQ'd, gained, flipped and panned, summed; rough[n] = mix[n - offset]."""
    frames = xs[0].shape[1]
    mix = np.zeros((2, frames))
    for i, (x, s) in enumerate(zip(xs, settings, strict=True)):
        if i in muted:
            continue
        y = x.astype(np.float64)
        if s["eq"]:
            y = sosfilt(np.vstack([sos(k, p, sr) for k, p in s["eq"]]), y, axis=-1)
        y = y * 10 ** (s["gain_db"] / 20) * (-1 if s["flip"] else 1)
        gl, gr = pan_gains(s["pan"], x.shape[0])
        if x.shape[0] == 1:
            mix += np.vstack([y[0] * gl, y[0] * gr])
        else:
            mix += np.vstack([y[0] * gl, y[1] * gr])
    if offset >= 0:
        return np.concatenate([np.zeros((2, offset)), mix], axis=1).astype(np.float32)
    return mix[:, -offset:].astype(np.float32)
