"""Name a track's tonal difference as one bell (frequency, gain), the one control to reach for.

The matcher's tonal curve is a fixed basis (shelves at 150 Hz and 6 kHz, bells at 400 Hz, 1.5 kHz
and 4 kHz): good for nulling, poor for naming ("+4.5 dB at 400 Hz" for a boost the user made at
300 Hz). Here the same band-limited least squares the matcher runs (``match.rough._band_fit``)
gives the track's measured band curve in the user's mix relative to the assistant's, and one
free bell (frequency on a 1/24-octave grid, Q from a short list, gain by least squares with a
free offset, then refined on the exact response) is fitted to it.
"""

from __future__ import annotations

import numpy as np

from ..match.rough import _band_db, _band_fit, eq_response

#: Frequencies (Hz) a named bell may sit at, and the Qs tried.
FREQS = 40.0 * 2.0 ** (np.arange(0, 24 * np.log2(14000 / 40) + 1) / 24)
QS = (0.5, 0.7, 1.0, 1.4, 2.0, 3.0)


def band_curves(
    mix: np.ndarray, regs: list[np.ndarray], sr: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Each regressor's measured band curve in ``mix`` (tracks, bands) in dB, its power per bin,
    the band of each bin and the FFT size (the matcher's band fit)."""
    frames = mix.shape[1]
    nfft = 8192 if frames >= 8192 * 4 else 2048
    two = [[x[c] if x.shape[0] == 2 else x[0] for x in regs] for c in range(2)]
    coef, power, band = _band_fit(mix, two, sr, nfft=nfft)
    mag = np.sqrt(np.abs(coef[0]) ** 2 + np.abs(coef[1]) ** 2)
    return 20 * np.log10(np.maximum(mag, 1e-12)), power, band, nfft


def name_bell(
    curve_db: np.ndarray, power: np.ndarray, band: np.ndarray, sr: int, nfft: int
) -> tuple[float, float, float]:
    """(freq_hz, gain_db, q) of the one bell that best explains a band curve (offset removed)."""
    n_bands = len(curve_db)
    pb = np.bincount(band, weights=power, minlength=n_bands)
    if pb.max() <= 0:
        return 1000.0, 0.0, 1.0
    rel = pb / pb.max()
    w = np.where(rel > 1e-3, np.sqrt(rel), 0.0)
    wn = w / max(float(w.sum()), 1e-30)
    t = curve_db - float(wn @ curve_db)

    def shape(f: float, q: float, g: float) -> np.ndarray:
        h = eq_response([("peak", {"freq_hz": f, "gain_db": g, "q": q})], sr, nfft)
        s = _band_db(h, power, band, n_bands)
        return s - float(wn @ s)

    best = (np.inf, 1000.0, 0.0, 1.0)
    for q in QS:
        for f in FREQS[FREQS < 0.45 * sr]:
            s = shape(float(f), q, 6.0) / 6.0
            den = float(wn @ (s * s))
            if den <= 1e-9:
                continue
            g = float(np.clip(wn @ (s * t) / den, -24.0, 24.0))
            err = float(wn @ (t - g * s) ** 2)
            if err < best[0]:
                best = (err, float(f), g, q)
    _, f, g, q = best
    for _ in range(3):  # the bell's shape changes a little with its gain: refine on the exact one
        s = shape(f, q, g if abs(g) > 0.1 else 1.0)
        den = float(wn @ (s * s))
        if den <= 1e-9:
            break
        g = float(g * (wn @ (s * t)) / den)
    return f, g, q
