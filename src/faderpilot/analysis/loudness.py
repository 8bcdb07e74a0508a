"""BS.1770 loudness: K-weighting for any sample rate, gated integrated loudness, short-term
loudness, loudness range (EBU Tech 3342) and true peak.

References: ITU-R BS.1770-4 (2015) Annex 1 (K-weighting, 400 ms blocks with 75 % overlap,
-70 LUFS absolute gate, -10 LU relative gate); EBU Tech 3341 (test signals: a 1 kHz sine at
-23 dBFS on both channels reads -23.0 LUFS); EBU Tech 3342 (loudness range: 3 s short-term
loudness, -70 LUFS absolute and -20 LU relative gates, 10th to 95th percentile).
The shelf and high-pass that make up K-weighting are defined by their analog-prototype
parameters and mapped to any rate with the bilinear transform; at 48 kHz this reproduces the
coefficients printed in BS.1770-4 Table 1 and Table 2 (checked in tests).
"""

from __future__ import annotations

import numpy as np
from scipy.signal import resample_poly, sosfilt

#: Parameters of the two K-weighting stages (BS.1770-4 pre-filter and RLB high-pass).
_SHELF_F0 = 1681.974450955533
_SHELF_GAIN_DB = 3.999843853973347
_SHELF_Q = 0.7071752369554196
_HP_F0 = 38.13547087602444
_HP_Q = 0.5003270373238773

ABSOLUTE_GATE_LUFS = -70.0
SILENCE_LUFS = -120.0


def k_weighting_sos(sr: int) -> np.ndarray:
    """Second-order sections of the K-weighting filter at sample rate ``sr``."""
    k = np.tan(np.pi * _SHELF_F0 / sr)
    vh = 10.0 ** (_SHELF_GAIN_DB / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / _SHELF_Q + k * k
    shelf = [
        (vh + vb * k / _SHELF_Q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / _SHELF_Q + k * k) / a0,
        1.0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / _SHELF_Q + k * k) / a0,
    ]
    k = np.tan(np.pi * _HP_F0 / sr)
    a0 = 1.0 + k / _HP_Q + k * k
    hp = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / _HP_Q + k * k) / a0]
    return np.array([shelf, hp])


def k_weight(x: np.ndarray, sr: int) -> np.ndarray:
    """K-weighted copy of (channels, frames) audio."""
    return sosfilt(k_weighting_sos(sr).astype(x.dtype), x, axis=-1)


def chunk_power(x: np.ndarray, chunk: int) -> np.ndarray:
    """Mean square of consecutive ``chunk``-sample pieces, summed over channels (tail dropped)."""
    x = np.atleast_2d(x)
    n = x.shape[-1] // chunk
    if n == 0:
        return np.zeros(0)
    y = x[:, : n * chunk].reshape(x.shape[0], n, chunk)
    return np.sum(y * y, axis=(0, 2), dtype=np.float64) / chunk


def rolling_mean(p: np.ndarray, k: int) -> np.ndarray:
    """Mean of every run of k consecutive values (length len(p) - k + 1)."""
    if p.size < k:
        return np.array([float(np.mean(p))]) if p.size else np.zeros(1)
    cs = np.concatenate([[0.0], np.cumsum(p)])
    return (cs[k:] - cs[:-k]) / k


def block_power(xk: np.ndarray, sr: int, block_s: float, hop_s: float) -> np.ndarray:
    """Mean square per block summed over channels (channel weights 1.0, as for L, R and C).

    Blocks start every ``hop_s``; ``block_s`` must be a whole number of hops (400 ms / 100 ms,
    3 s / 100 ms), so the work is one pass of hop-sized sums, not one per block.
    """
    hop = int(round(hop_s * sr))
    k = int(round(block_s / hop_s))
    p = chunk_power(xk, hop)
    if p.size < k:
        return np.array([float(np.sum(np.mean(np.atleast_2d(xk).astype(np.float64) ** 2, axis=-1)))])
    return rolling_mean(p, k)


def power_to_lufs(p: np.ndarray | float) -> np.ndarray | float:
    """BS.1770 loudness of a mean-square power (with the -0.691 dB offset)."""
    return -0.691 + 10.0 * np.log10(np.maximum(p, 1e-30))


def gated_loudness(powers: np.ndarray, relative_gate_lu: float = -10.0) -> float:
    """Gated loudness of 400 ms block powers (absolute gate, then relative gate)."""
    lk = power_to_lufs(powers)
    kept = powers[lk > ABSOLUTE_GATE_LUFS]
    if kept.size == 0:
        return SILENCE_LUFS
    rel = power_to_lufs(np.mean(kept)) + relative_gate_lu
    kept = kept[power_to_lufs(kept) > rel]
    if kept.size == 0:
        return SILENCE_LUFS
    return float(power_to_lufs(np.mean(kept)))


def integrated_loudness(x: np.ndarray, sr: int) -> float:
    """Integrated loudness in LUFS of (channels, frames) audio (BS.1770-4)."""
    return gated_loudness(block_power(k_weight(x, sr), sr, 0.4, 0.1))


def short_term_loudness(x: np.ndarray, sr: int, hop_s: float = 0.1) -> np.ndarray:
    """Short-term loudness (3 s windows) in LUFS every ``hop_s`` seconds."""
    return np.asarray(power_to_lufs(block_power(k_weight(x, sr), sr, 3.0, hop_s)))


def programme_loudness(x: np.ndarray, sr: int) -> tuple[float, float]:
    """(integrated LUFS, loudness range LU) of a programme from one K-weighting pass."""
    xk = k_weight(x, sr)
    integrated = gated_loudness(block_power(xk, sr, 0.4, 0.1))
    return integrated, loudness_range(np.asarray(power_to_lufs(block_power(xk, sr, 3.0, 0.5))))


def loudness_range(short_term_lufs: np.ndarray) -> float:
    """Loudness range in LU from short-term values (EBU Tech 3342)."""
    st = short_term_lufs[short_term_lufs > ABSOLUTE_GATE_LUFS]
    if st.size == 0:
        return 0.0
    mean = power_to_lufs(np.mean(10.0 ** ((st + 0.691) / 10.0)))
    st = st[st > mean - 20.0]
    if st.size == 0:
        return 0.0
    return float(np.percentile(st, 95) - np.percentile(st, 10))


def true_peak_db(x: np.ndarray, sr: int, block: int = 1024, margin: int = 64) -> float:
    """True peak in dBTP: sample peak of a 4x oversampled signal (BS.1770-4 Annex 2).

    Inter-sample peaks rise only a few dB over the samples around them, so only the blocks
    whose sample peak is within 3 dB of the overall peak are oversampled (with margins so the
    interpolation filter sees their neighbours).
    """
    x = np.atleast_2d(np.asarray(x, dtype=np.float32))
    frames = x.shape[-1]
    if frames == 0:
        return SILENCE_LUFS
    mag = np.max(np.abs(x), axis=0)
    peak = float(np.max(mag))
    if peak == 0.0:
        return SILENCE_LUFS
    nb = -(-frames // block)
    padded = np.zeros(nb * block, dtype=np.float32)
    padded[:frames] = mag
    hot = np.flatnonzero(padded.reshape(nb, block).max(axis=1) >= 0.7 * peak)
    src = np.pad(x, ((0, 0), (margin, nb * block - frames + margin)))
    best = peak
    for ch in src:
        windows = np.stack([ch[b * block : (b + 1) * block + 2 * margin] for b in hot])
        up = resample_poly(windows, 4, 1, axis=1)[:, 4 * margin : -4 * margin]
        best = max(best, float(np.max(np.abs(up))))
    return 20.0 * np.log10(best)


def spectrum_loudness_change_db(
    freqs: np.ndarray, levels_db: np.ndarray, gain_db: np.ndarray, sr: int
) -> float:
    """K-weighted loudness change (dB) of a long-term spectrum (power levels in dB at ``freqs``)
    under a gain curve (dB at the same frequencies): how much louder or quieter BS.1770 would
    measure the signal after an EQ, assuming the spectrum describes it."""
    from scipy.signal import sosfreqz

    _, hk = sosfreqz(k_weighting_sos(sr), worN=np.asarray(freqs, dtype=float), fs=sr)
    p = 10 ** (np.asarray(levels_db) / 10) * np.abs(hk) ** 2
    before = np.sum(p)
    after = np.sum(p * 10 ** (np.asarray(gain_db) / 10))
    return float(10 * np.log10(max(after, 1e-30) / max(before, 1e-30)))
