"""Shared test helpers: generated signals only (no audio fixtures on disk)."""

from __future__ import annotations

import numpy as np
import pytest

SR = 48000


def tone(freq: float, seconds: float, sr: int = SR, amp: float = 0.5) -> np.ndarray:
    """A mono sine as (1, frames) float32."""
    t = np.arange(int(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)[None]


def noise(seconds: float, sr: int = SR, amp: float = 0.1, seed: int = 0) -> np.ndarray:
    """Mono white noise as (1, frames) float32."""
    rng = np.random.default_rng(seed)
    return (amp * rng.standard_normal(int(seconds * sr))).astype(np.float32)[None]


def db(x: float) -> float:
    """Level in dB of a linear amplitude or ratio."""
    return float(20 * np.log10(max(abs(x), 1e-12)))


def rms_db(x: np.ndarray) -> float:
    """RMS level in dBFS of an array."""
    return float(10 * np.log10(max(float(np.mean(np.asarray(x, dtype=np.float64) ** 2)), 1e-30)))


@pytest.fixture
def sr() -> int:
    return SR
