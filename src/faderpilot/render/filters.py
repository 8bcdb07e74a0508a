"""The one definition of every filter in the processor set, as second-order sections.

High-pass and low-pass are Butterworth of order slope/6 (12 dB/oct = one biquad with
Q = 1/sqrt(2)); peak and shelves are the biquads of R. Bristow-Johnson's "Cookbook formulae
for audio EQ biquad filter coefficients" (with the shelves' Q as given, S-free form).
The renderer runs these with scipy's ``sosfilt``; exporters and tests read their responses from
here, so every view of a session shares one filter math.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import sosfreqz

FILTER_KINDS = ("highpass", "lowpass", "low_shelf", "high_shelf", "peak")


def _butter_sections(kind: str, f0: float, slope_db_oct: float, sr: int) -> list[list[float]]:
    order = max(1, int(round(slope_db_oct / 6.0)))
    w0 = 2 * np.pi * f0 / sr
    cos, sin = np.cos(w0), np.sin(w0)
    sections: list[list[float]] = []
    for k in range(order // 2):
        # Butterworth pole angles: (2k+1)pi/2N for even orders, (k+1)pi/N for odd ones (whose
        # remaining real pole is the first-order section below)
        theta = (2 * k + 1) * np.pi / (2 * order) if order % 2 == 0 else (k + 1) * np.pi / order
        q = 1.0 / (2.0 * np.cos(theta))
        alpha = sin / (2 * q)
        a0 = 1 + alpha
        if kind == "highpass":
            b = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2]
        else:
            b = [(1 - cos) / 2, 1 - cos, (1 - cos) / 2]
        sections.append([b[0] / a0, b[1] / a0, b[2] / a0, 1.0, -2 * cos / a0, (1 - alpha) / a0])
    if order % 2:
        k = np.tan(w0 / 2)
        if kind == "highpass":
            sections.append([1 / (1 + k), -1 / (1 + k), 0.0, 1.0, (k - 1) / (k + 1), 0.0])
        else:
            sections.append([k / (1 + k), k / (1 + k), 0.0, 1.0, (k - 1) / (k + 1), 0.0])
    return sections


def _rbj(kind: str, f0: float, gain_db: float, q: float, sr: int) -> list[float]:
    a = 10 ** (gain_db / 40.0)
    w0 = 2 * np.pi * f0 / sr
    cos, sin = np.cos(w0), np.sin(w0)
    alpha = sin / (2 * q)
    if kind == "peak":
        b = [1 + alpha * a, -2 * cos, 1 - alpha * a]
        den = [1 + alpha / a, -2 * cos, 1 - alpha / a]
    elif kind == "low_shelf":
        sq = 2 * np.sqrt(a) * alpha
        b = [
            a * ((a + 1) - (a - 1) * cos + sq),
            2 * a * ((a - 1) - (a + 1) * cos),
            a * ((a + 1) - (a - 1) * cos - sq),
        ]
        den = [(a + 1) + (a - 1) * cos + sq, -2 * ((a - 1) + (a + 1) * cos), (a + 1) + (a - 1) * cos - sq]
    elif kind == "high_shelf":
        sq = 2 * np.sqrt(a) * alpha
        b = [
            a * ((a + 1) + (a - 1) * cos + sq),
            -2 * a * ((a - 1) + (a + 1) * cos),
            a * ((a + 1) + (a - 1) * cos - sq),
        ]
        den = [(a + 1) - (a - 1) * cos + sq, 2 * ((a - 1) - (a + 1) * cos), (a + 1) - (a - 1) * cos - sq]
    else:
        raise ValueError(f"not an RBJ filter kind: {kind}")
    return [b[0] / den[0], b[1] / den[0], b[2] / den[0], 1.0, den[1] / den[0], den[2] / den[0]]


def sos(kind: str, params: dict[str, float], sr: int) -> np.ndarray:
    """Second-order sections (n, 6) of one filter processor at sample rate ``sr``."""
    nyq = sr / 2.0
    f0 = float(np.clip(params["freq_hz"], 5.0, nyq * 0.95))
    if kind in ("highpass", "lowpass"):
        return np.array(_butter_sections(kind, f0, params.get("slope_db_oct", 12.0), sr))
    return np.array([_rbj(kind, f0, params["gain_db"], max(params.get("q", 0.707), 0.05), sr)])


def response_db(kind: str, params: dict[str, float], freqs: np.ndarray, sr: int) -> np.ndarray:
    """Magnitude response in dB of one filter processor at the given frequencies (Hz)."""
    _, h = sosfreqz(sos(kind, params, sr), worN=np.asarray(freqs, dtype=float), fs=sr)
    return 20 * np.log10(np.maximum(np.abs(h), 1e-12))


def chain_response_db(processors: list, freqs: np.ndarray, sr: int) -> np.ndarray:
    """Summed magnitude response (dB) of the enabled filters in a chain (other kinds ignored)."""
    total = np.zeros(len(freqs))
    for p in processors:
        if p.enabled and p.kind in FILTER_KINDS:
            total += response_db(p.kind, p.params, freqs, sr)
    return total
