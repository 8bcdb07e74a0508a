"""The one definition of every filter in the processor set, as second-order sections.

High-pass and low-pass are Butterworth of order slope/6 (12 dB/oct = one biquad with
Q = 1/sqrt(2)); peak and shelves are the biquads of R. Bristow-Johnson's "Cookbook formulae
for audio EQ biquad filter coefficients" (with the shelves' Q as given, S-free form).
The renderer runs these with scipy's ``sosfilt``; exporters and tests read their responses from
here, so every view of a session shares one filter math.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.signal import sosfreqz

from ..session.processors import FILTER_KINDS, BandFilter, Filter, PassFilter, typed


def _butter_sections(f0: float, slope_db_oct: float, sr: int, high: bool) -> list[list[float]]:
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
        if high:
            b = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2]
        else:
            b = [(1 - cos) / 2, 1 - cos, (1 - cos) / 2]
        sections.append([b[0] / a0, b[1] / a0, b[2] / a0, 1.0, -2 * cos / a0, (1 - alpha) / a0])
    if order % 2:
        k = np.tan(w0 / 2)
        if high:
            sections.append([1 / (1 + k), -1 / (1 + k), 0.0, 1.0, (k - 1) / (k + 1), 0.0])
        else:
            sections.append([k / (1 + k), k / (1 + k), 0.0, 1.0, (k - 1) / (k + 1), 0.0])
    return sections


#: An RBJ biquad's (numerator, denominator) from A = 10^(gain/40), cos w0 and alpha.
_Ba = Callable[[float, float, float], tuple[list[float], list[float]]]


def _peak_ba(a: float, cos: float, alpha: float) -> tuple[list[float], list[float]]:
    return [1 + alpha * a, -2 * cos, 1 - alpha * a], [1 + alpha / a, -2 * cos, 1 - alpha / a]


def _low_shelf_ba(a: float, cos: float, alpha: float) -> tuple[list[float], list[float]]:
    sq = 2 * np.sqrt(a) * alpha
    b = [
        a * ((a + 1) - (a - 1) * cos + sq),
        2 * a * ((a - 1) - (a + 1) * cos),
        a * ((a + 1) - (a - 1) * cos - sq),
    ]
    return b, [(a + 1) + (a - 1) * cos + sq, -2 * ((a - 1) + (a + 1) * cos), (a + 1) + (a - 1) * cos - sq]


def _high_shelf_ba(a: float, cos: float, alpha: float) -> tuple[list[float], list[float]]:
    sq = 2 * np.sqrt(a) * alpha
    b = [
        a * ((a + 1) + (a - 1) * cos + sq),
        -2 * a * ((a - 1) + (a + 1) * cos),
        a * ((a + 1) + (a - 1) * cos - sq),
    ]
    return b, [(a + 1) - (a - 1) * cos + sq, 2 * ((a - 1) - (a + 1) * cos), (a + 1) - (a - 1) * cos - sq]


def _rbj(ba: _Ba, f0: float, gain_db: float, q: float, sr: int) -> list[float]:
    """One normalised Cookbook biquad (a0 = 1) from its (numerator, denominator) formulae."""
    a = 10 ** (gain_db / 40.0)
    w0 = 2 * np.pi * f0 / sr
    cos, sin = np.cos(w0), np.sin(w0)
    b, den = ba(a, cos, sin / (2 * q))
    return [b[0] / den[0], b[1] / den[0], b[2] / den[0], 1.0, den[1] / den[0], den[2] / den[0]]


def _highpass(t: PassFilter, f0: float, sr: int) -> list[list[float]]:
    return _butter_sections(f0, t.slope_db_oct, sr, high=True)


def _lowpass(t: PassFilter, f0: float, sr: int) -> list[list[float]]:
    return _butter_sections(f0, t.slope_db_oct, sr, high=False)


def _band(ba: _Ba) -> Callable[[BandFilter, float, int], list[list[float]]]:
    """A bell or shelf's sections: one Cookbook biquad, its Q kept above 0.05."""

    def sections(t: BandFilter, f0: float, sr: int) -> list[list[float]]:
        return [_rbj(ba, f0, t.gain_db, max(t.q, 0.05), sr)]

    return sections


#: The renderer's filter math, kind -> second-order sections of the typed filter at the
#: (clamped) frequency ``f0`` and rate ``sr``.
SECTIONS: dict[str, Callable[..., list[list[float]]]] = {
    "highpass": _highpass,
    "lowpass": _lowpass,
    "low_shelf": _band(_low_shelf_ba),
    "high_shelf": _band(_high_shelf_ba),
    "peak": _band(_peak_ba),
}


def filter_sos(t: Filter, sr: int) -> np.ndarray:
    """Second-order sections (n, 6) of one typed filter at sample rate ``sr``."""
    nyq = sr / 2.0
    f0 = float(np.clip(t.freq_hz, 5.0, nyq * 0.95))
    return np.array(SECTIONS[t.kind](t, f0, sr))


def sos(kind: str, params: dict[str, float], sr: int) -> np.ndarray:
    """Second-order sections (n, 6) of one filter processor (document kind and params) at ``sr``."""
    t = typed(kind, params)
    if not isinstance(t, Filter):
        raise ValueError(f"not a filter kind: {kind}")
    return filter_sos(t, sr)


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


#: half a third-octave band's width, as a frequency ratio (band edges are fc / HALF_THIRD, fc * HALF_THIRD)
HALF_THIRD = 2 ** (1 / 6)


def chain_band_response_db(chain: list, fc: np.ndarray, sr: int) -> np.ndarray:
    """Power-average gain (dB) of a chain's filters across each third-octave band around ``fc``.

    Averaging over the band (not reading the curve at its centre) lets a narrow cut count for
    what it removes from a band's energy, assuming the spectrum is flat inside the band.
    """
    if not any(p.enabled and p.kind in FILTER_KINDS for p in chain):
        return np.zeros(len(fc))
    sub = np.asarray(fc, dtype=float)[:, None] * HALF_THIRD ** np.linspace(-1, 1, 17)[None, :]
    sub = np.minimum(sub, sr * 0.499)
    resp = chain_response_db(chain, sub.ravel(), sr).reshape(sub.shape)
    return 10 * np.log10(np.mean(10 ** (resp / 10), axis=1))
