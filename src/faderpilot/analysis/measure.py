"""Per-track measurements that the assistant's decisions are made from.

Everything here is a measurement, never a decision: activity regions, loudness on the active
regions, level distribution, transients, the long-term spectrum with its prominent peaks and
stationary resonances, third-octave band levels over time (for masking), stereo correlation.

Example
-------
>>> import numpy as np
>>> x = (0.1 * np.sin(2 * np.pi * 440 * np.arange(48000) / 48000)).astype(np.float32)[None]
>>> a = analyse(x, 48000)
>>> round(a.active_lufs)
-23
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.ndimage import maximum_filter1d, uniform_filter1d

from .loudness import (
    block_power,
    chunk_power,
    gated_loudness,
    k_weight,
    loudness_range,
    power_to_lufs,
    rolling_mean,
)

#: Third-octave band centres (Hz) used for band levels and masking.
BAND_CENTRES = np.array(
    [
        25,
        31.5,
        40,
        50,
        63,
        80,
        100,
        125,
        160,
        200,
        250,
        315,
        400,
        500,
        630,
        800,
        1000,
        1250,
        1600,
        2000,
        2500,
        3150,
        4000,
        5000,
        6300,
        8000,
        10000,
        12500,
        16000,
    ]
)

SILENT_DB = -120.0


def _db(p: np.ndarray | float) -> np.ndarray:
    return 10.0 * np.log10(np.maximum(p, 1e-12))


@dataclass
class TrackAnalysis:
    """Measurements of one track (arrays stay in memory; ``summary()`` goes in the session)."""

    sample_rate: int
    frames: int
    channels: int
    peak_db: float
    rms_db: float
    dc_offset: float
    integrated_lufs: float
    active_lufs: float
    active_fraction: float
    regions: list[tuple[float, float]]
    lra_lu: float
    crest_db: float
    env_percentiles: list[float]
    transient_db: float
    onset_rate: float
    decay_ms: float
    freqs: np.ndarray
    ltas_db: np.ndarray
    band_db: np.ndarray
    band_frames_db: np.ndarray
    frame_active: np.ndarray
    frame_hop_s: float
    peaks: list[tuple[float, float, float]]
    resonances: list[tuple[float, float, float]]
    correlation: float
    side_db: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def silent(self) -> bool:
        """True when the track never rises above the noise floor."""
        return self.peak_db < -90.0 or self.active_fraction == 0.0

    def summary(self) -> dict[str, Any]:
        """The measurements a reader of the session document needs, rounded."""
        r = lambda v: round(float(v), 2)  # noqa: E731
        return {
            "peak_db": r(self.peak_db),
            "integrated_lufs": r(self.integrated_lufs),
            "active_lufs": r(self.active_lufs),
            "active_fraction": r(self.active_fraction),
            "lra_lu": r(self.lra_lu),
            "crest_db": r(self.crest_db),
            "transient_db": r(self.transient_db),
            "onset_rate_hz": r(self.onset_rate),
            "decay_ms": r(self.decay_ms),
            "correlation": r(self.correlation),
            "band_db": {f"{c:g}": r(v) for c, v in zip(BAND_CENTRES, self.band_db, strict=True)},
            # 0th..100th percentile of the 50 ms level (dBFS) on active regions, before trim
            "env_percentiles": [r(v) for v in self.env_percentiles],
        }


def activity(
    env_db: np.ndarray,
    hop_s: float,
    floor_db: float = -75.0,
    below_peak_db: float = 45.0,
    hold_s: float = 0.3,
    min_gap_s: float = 0.5,
) -> np.ndarray:
    """Boolean activity per envelope frame: above a floor relative to the loud parts, with hold
    (so note tails and short gaps stay active)."""
    if env_db.size == 0:
        return np.zeros(0, dtype=bool)
    top = np.percentile(env_db, 99.5)
    thr = max(floor_db, top - below_peak_db)
    on = env_db > thr
    hold = max(1, int(round((hold_s + min_gap_s) / hop_s)))
    # dilate forward by the hold (tails) and backward a little (pre-roll)
    on = maximum_filter1d(on.astype(np.uint8), size=hold, origin=-(hold // 2) + 0).astype(bool) | on
    pre = max(1, int(round(0.02 / hop_s)))
    on = maximum_filter1d(on.astype(np.uint8), size=2 * pre + 1).astype(bool)
    return on


def regions_from_mask(mask: np.ndarray, hop_s: float) -> list[tuple[float, float]]:
    """Contiguous True runs of a frame mask as (start_s, end_s) pairs."""
    if mask.size == 0 or not mask.any():
        return []
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1)
    return [
        (round(float(s * hop_s), 3), round(float(e * hop_s), 3)) for s, e in zip(starts, ends, strict=True)
    ]


def _spectral(mono: np.ndarray, sr: int, active_env: np.ndarray, env_hop: int):
    """Frame spectra (power) of active frames: LTAS, band levels per frame, frame mask."""
    nfft = int(2 ** round(np.log2(sr / 6.0)))  # about 6 Hz resolution at any rate
    n_frames = mono.size // nfft
    freqs = np.fft.rfftfreq(nfft, 1.0 / sr)
    if n_frames == 0:
        frames = np.zeros((1, nfft), dtype=np.float32)
        frames[0, : mono.size] = mono
        n_frames = 1
    else:
        frames = mono[: n_frames * nfft].reshape(n_frames, nfft)
    # frame activity from the envelope mask
    centres = ((np.arange(n_frames) + 0.5) * nfft / env_hop).astype(int)
    fa = active_env[np.clip(centres, 0, active_env.size - 1)] if active_env.size else np.ones(n_frames, bool)
    # analyse at most 400 frames, evenly spread, so long tracks cost the same
    idx = np.arange(n_frames)
    if n_frames > 400:
        idx = np.linspace(0, n_frames - 1, 400).astype(int)
    win = np.hanning(nfft).astype(np.float32)
    spec = np.abs(np.fft.rfft(frames[idx] * win, axis=1)) ** 2
    spec *= 2.0 / (np.sum(win**2) * sr)  # one-sided power spectral density
    act = fa[idx]
    use = spec[act] if act.any() else spec
    ltas = np.mean(use, axis=0)
    # third-octave band power per frame
    edges_lo = BAND_CENTRES / 2 ** (1 / 6)
    edges_hi = BAND_CENTRES * 2 ** (1 / 6)
    df = freqs[1] - freqs[0]
    band_frames = np.stack(
        [
            np.sum(spec[:, (freqs >= lo) & (freqs < hi)], axis=1) * df
            for lo, hi in zip(edges_lo, edges_hi, strict=True)
        ],
        axis=1,
    )
    band_lt = np.array(
        [np.sum(ltas[(freqs >= lo) & (freqs < hi)]) * df for lo, hi in zip(edges_lo, edges_hi, strict=True)]
    )
    return freqs, ltas, band_lt, band_frames, act, use


def spectral_peaks(
    freqs: np.ndarray,
    ltas_db: np.ndarray,
    fmax: float = 1200.0,
    min_prominence_db: float = 6.0,
    within_db: float = 40.0,
) -> list[tuple[float, float, float]]:
    """Prominent peaks of the long-term spectrum below fmax: (Hz, level dB, prominence dB).

    Prominence is measured against a median over +-1/3 octave, so broad humps are not peaks.
    """
    sel = (freqs > 15.0) & (freqs < fmax)
    f = freqs[sel]
    s = ltas_db[sel]
    if f.size < 5:
        return []
    top = float(np.max(ltas_db[(freqs > 15.0)]))
    out = []
    for i in range(1, f.size - 1):
        if s[i] >= s[i - 1] and s[i] > s[i + 1] and s[i] > top - within_db:
            lo, hi = f[i] / 2 ** (1 / 3), f[i] * 2 ** (1 / 3)
            near = (f >= lo) & (f <= hi)
            near[max(0, i - 12) : i + 13] = True
            ref = np.median(s[near])
            prom = s[i] - ref
            if prom >= min_prominence_db:
                # parabolic interpolation of the peak on the dB spectrum (sub-bin frequency)
                den = s[i - 1] - 2 * s[i] + s[i + 1]
                off = 0.5 * (s[i - 1] - s[i + 1]) / den if den < 0 else 0.0
                fp = f[i] + off * (f[1] - f[0])
                out.append((round(float(fp), 1), round(float(s[i]), 1), round(float(prom), 1)))
    return out


def log_grid_max(freqs: np.ndarray, spec_db: np.ndarray, fmin: float, fmax: float, per_oct: int):
    """Frame spectra (dB) max-pooled onto a log-frequency grid: (centres Hz, frames x cells)."""
    edges = fmin * 2 ** (np.arange(int(np.log2(fmax / fmin) * per_oct) + 2) / per_oct)
    idx = np.searchsorted(freqs, edges)
    centres = np.sqrt(edges[:-1] * edges[1:])
    out = np.empty((spec_db.shape[0], centres.size))
    for j in range(centres.size):
        lo, hi = idx[j], idx[j + 1]
        if hi > lo:
            out[:, j] = spec_db[:, lo:hi].max(axis=1)
        else:
            out[:, j] = spec_db[:, min(int(np.searchsorted(freqs, centres[j])), freqs.size - 1)]
    return centres, out


def stationary_resonances(
    freqs: np.ndarray,
    spec: np.ndarray,
    fmin: float = 150.0,
    fmax: float = 8000.0,
    min_excess_db: float = 4.0,
    per_oct: int = 24,
) -> list[tuple[float, float, float]]:
    """Bumps in the spectral envelope that stay put while the notes move: (Hz, excess dB, Q).

    Each frame's spectrum is max-pooled on a log grid and its peak envelope taken (a max over
    3/8 octave, which bridges the gaps between partials); the excess of that envelope over its
    one-octave average is a resonance candidate where it holds in at least 80 % of the frames
    (its 20th percentile over time), so a note that comes and goes does not count.
    """
    if spec.shape[0] < 4:
        return []
    c, g = log_grid_max(freqs, _db(spec), fmin / 1.5, min(fmax * 1.5, freqs[-1]), per_oct)
    env = maximum_filter1d(g, size=per_oct // 6 * 2 + 1, axis=1)
    excess = env - uniform_filter1d(env, size=per_oct + 1, axis=1, mode="nearest")
    held = np.percentile(excess, 20, axis=0)
    out: list[tuple[float, float, float]] = []
    for i in range(1, c.size - 1):
        if (
            fmin <= c[i] <= fmax
            and held[i] >= min_excess_db
            and held[i] >= held[i - 1]
            and held[i] > held[i + 1]
        ):
            lo, hi = i, i
            while lo > 0 and held[lo] > held[i] - 3.0:
                lo -= 1
            while hi < c.size - 1 and held[hi] > held[i] - 3.0:
                hi += 1
            q = float(c[i] / max(c[hi] - c[lo], 1e-9))
            out.append((round(float(c[i]), 1), round(float(held[i]), 1), round(q, 2)))
    out.sort(key=lambda t: -t[1])
    return out[:6]


def analyse(x: np.ndarray, sr: int) -> TrackAnalysis:
    """Measure one track: (channels, frames) float32 audio at the session rate."""
    channels, frames = x.shape
    peak = float(np.max(np.abs(x))) if frames else 0.0
    mono = x.mean(axis=0) if channels > 1 else x[0]
    # envelopes on a 5 ms chunk grid: 50 ms RMS every 10 ms, and a 10 ms peak-ish fast envelope
    c5 = max(1, int(round(0.005 * sr)))
    hop = 2 * c5
    hop_s = hop / sr
    p5 = chunk_power(mono, c5)
    m = p5.size // 2
    p10 = (p5[0 : 2 * m : 2] + p5[1 : 2 * m : 2]) / 2
    ms50 = rolling_mean(p10, 5)
    env_db = _db(ms50)
    active = activity(env_db, hop_s) if peak > 10 ** (-90 / 20) else np.zeros(env_db.size, bool)
    regions = regions_from_mask(active, hop_s)

    # loudness on active 400 ms blocks (BS.1770 gating inside them)
    xk = k_weight(x, sr)
    bp = block_power(xk, sr, 0.4, 0.1)
    bcentre = ((np.arange(bp.size) * 0.1 + 0.2) / hop_s).astype(int)
    bact = active[np.clip(bcentre, 0, max(active.size - 1, 0))] if active.size else np.zeros(bp.size, bool)
    integrated = gated_loudness(bp)
    active_lufs = gated_loudness(bp[bact]) if bact.any() else -120.0
    st = np.asarray(power_to_lufs(block_power(xk, sr, 3.0, 0.5)))
    lra = loudness_range(st)

    act_env = env_db[active] if active.any() else env_db
    pct = np.percentile(act_env, np.arange(0, 101)) if act_env.size else np.full(101, SILENT_DB)
    active_ms = float(np.mean(ms50[active])) if active.any() else float(np.mean(ms50))
    crest = 20 * np.log10(max(peak, 1e-9)) - float(_db(active_ms))

    # transients: the louder 5 ms piece of each 10 ms step against the 100 ms mean
    fast_p = np.maximum(p5[0 : 2 * m : 2], p5[1 : 2 * m : 2])
    n = min(fast_p.size, ms50.size)
    fast = _db(fast_p[:n])
    slow = uniform_filter1d(fast, size=10)
    rise = fast - np.concatenate([np.full(3, fast[0] if n else 0.0), fast[:-3]])
    onsets = np.flatnonzero((rise > 9.0) & (fast > pct[50] - 3) & active[:n])
    if onsets.size:
        onsets = onsets[np.concatenate([[True], np.diff(onsets) > 5])]
    active_s = max(active.sum() * hop_s, 1e-3)
    onset_rate = onsets.size / active_s if active.any() else 0.0
    transient_db = float(np.percentile((fast - slow)[active[:n]], 99)) if active[:n].any() else 0.0
    decays = []
    for o in onsets[:400]:
        seg = fast[o : o + 60]
        if seg.size < 3:
            continue
        pk = int(np.argmax(seg[:5]))
        below = np.flatnonzero(seg[pk:] < seg[pk] - 12.0)
        decays.append((below[0] if below.size else seg.size - pk) * hop_s * 1000)
    decay_ms = float(np.median(decays)) if decays else 600.0

    freqs, ltas, band_lt, band_frames, fact, use = _spectral(mono, sr, active, hop)
    ltas_db = _db(ltas)
    peaks = spectral_peaks(freqs, ltas_db)
    res = stationary_resonances(freqs, use)

    if channels == 2:
        left, right = x[0].astype(np.float64), x[1].astype(np.float64)
        den = np.sqrt(np.sum(left * left) * np.sum(right * right))
        corr = float(np.sum(left * right) / den) if den > 0 else 1.0
        side_p = np.mean(((left - right) / 2) ** 2) + 1e-30
        side = float(_db(side_p) - _db(np.mean(((left + right) / 2) ** 2) + 1e-30))
    else:
        corr, side = 1.0, SILENT_DB
    return TrackAnalysis(
        sample_rate=sr,
        frames=frames,
        channels=channels,
        peak_db=float(20 * np.log10(max(peak, 1e-9))),
        rms_db=float(_db(np.mean(p5))) if p5.size else SILENT_DB,
        dc_offset=float(np.mean(mono, dtype=np.float64)) if frames else 0.0,
        integrated_lufs=integrated,
        active_lufs=float(active_lufs),
        active_fraction=float(active.mean()) if active.size else 0.0,
        regions=regions,
        lra_lu=lra,
        crest_db=float(crest),
        env_percentiles=[round(float(v), 2) for v in pct],
        transient_db=transient_db,
        onset_rate=float(onset_rate),
        decay_ms=decay_ms,
        freqs=freqs,
        ltas_db=ltas_db,
        band_db=_db(band_lt),
        band_frames_db=_db(band_frames),
        frame_active=fact,
        frame_hop_s=hop_s,
        peaks=peaks,
        resonances=res,
        correlation=corr,
        side_db=side,
    )
