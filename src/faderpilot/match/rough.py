"""Fit a session to the producer's rough mix: offset, gain, pan, polarity and a tonal curve per track.

The method, in order:

1. **Offset.** The stems share one timeline, so one global offset is searched: the rough's mono
   sum is cross-correlated with every stem (FFT, decimated by 8 for the coarse search over
   ``max_lag_s``), and the squared correlations are summed so polarity and gain do not matter.
   The peak is then refined at the full rate to the sample.
2. **Tonal curve.** In the STFT domain, per band, the rough's L and R are fitted as complex
   weighted sums of the stems (band-limited least squares). Each track's band gains form a curve
   that is fitted with five parametric bands of the closed processor set (low shelf 150 Hz,
   bells at 400 Hz, 1.5 kHz and 4 kHz, high shelf 6 kHz) by Gauss-Newton on the dB curve.
3. **Gain, pan, polarity.** Each stem is run through its fitted EQ (``render.filters``, the one
   filter math) and the rough's L and R are fitted in the time domain as linear sums: a mono
   track contributes gL x and gR x, a stereo track gL xL and gR xR. Gains and pans follow from
   (gL, gR) under the session's pan law; polarity is the sign.
4. **Checks.** A track whose contribution is negligible is muted, not given a huge negative gain.
   When the fit explains too little of the rough, the rough is refused (wrong song).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

import numpy as np
from scipy import fft as sfft
from scipy.signal import sosfilt
from threadpoolctl import threadpool_limits

from ..messages import message
from ..render.filters import sos

#: The EQ bands a match can use: (kind, freq_hz, q).
EQ_BASIS: tuple[tuple[str, float, float], ...] = (
    ("low_shelf", 150.0, 0.707),
    ("peak", 400.0, 1.0),
    ("peak", 1500.0, 1.0),
    ("peak", 4000.0, 1.0),
    ("high_shelf", 6000.0, 0.707),
)
#: Band edges (Hz) of the band-limited least squares.
BAND_EDGES = (
    0.0,
    50.0,
    90.0,
    140.0,
    200.0,
    280.0,
    400.0,
    560.0,
    800.0,
    1120.0,
    1600.0,
    2240.0,
    3150.0,
    4500.0,
    6300.0,
    9000.0,
    12500.0,
    16000.0,
)
#: The largest gain (dB) a fitted EQ band may take.
EQ_LIMIT_DB = 18.0
#: EQ bands smaller than this (dB) are left out.
MIN_EQ_DB = 0.2
#: A track contributing less than this (dB re the rough's energy) is taken as muted.
MUTED_DB = -50.0
#: The fit must explain at least this much (dB of residual under the rough) or it is refused.
MIN_EXPLAINED_DB = 6.0
MIN_LAG_S = 2.0
#: How far (s) one track may sit from the others in the rough (a stem exported from its first
#: region, a part the producer nudged).
TRACK_LAG_S = 1.5
#: A track's own lag (a peak of its cross-correlation with the rough) is taken when it leaves this
#: fraction of the residual at lag 0 or less.
TRACK_LAG_GAIN = 0.98
#: Jackknife segments of the time-domain fit (gain and pan uncertainty per track).
SEGMENTS = 8
#: A track whose gain (dB) or pan moves more than this when a stretch is left out is unreliable.
RELIABLE_GAIN_DB = 1.5
RELIABLE_PAN = 0.15
#: Below this null (dB) the linear fit explains little: a master gain curve is tried, and if the
#: fit stays below WEAK_FIT_DB it is called weak (FP-W051).
LIMITER_TRY_DB = 35.0
WEAK_FIT_DB = 15.0
#: Block (samples) of the master gain curve; blocks where the rough is this close to its peak
#: (fraction) count as clipped.
GAIN_BLOCK = 256
CLIP_FRACTION = 0.995
#: Seconds of the stems the coarse offset search reads.
COARSE_S = 60.0


class RoughError(ValueError):
    """A rough that cannot be matched; the message carries a stable code."""

    def __init__(self, code: str, text: str, explained_db: float | None = None):
        super().__init__(f"{text} [{code}]")
        self.code = code
        self.text = text
        self.explained_db = explained_db  # FP-E007: how much of the rough the best fit explains


@dataclass
class TrackMatch:
    """What the producer did to one track, as estimated from the rough."""

    gain_db: float  # total gain (trim + fader in the session), constant-power for mono
    pan: float
    polarity_inverted: bool
    eq: list[tuple[str, dict[str, float]]] = field(default_factory=list)
    muted: bool = False
    contribution_db: float = 0.0  # the track's energy in the rough, re the rough's energy
    gl: float = 0.0
    gr: float = 0.0
    #: the track's own offset in the rough, re the global one (samples): > 0 = later in the rough
    lag: int = 0
    #: how far the gain and pan move when one stretch of the song is left out (jackknife sd)
    gain_se_db: float = 0.0
    pan_se: float = 0.0
    #: False when the gain or pan is not pinned down (see :data:`RELIABLE_GAIN_DB`)
    reliable: bool = True
    #: the gain (dB) and pan with each segment left out (NaN where that leave-out does not count),
    #: so that two fits of the same stems can be compared leave-out by leave-out
    gain_jk: list[float] = field(default_factory=list)
    pan_jk: list[float] = field(default_factory=list)


@dataclass
class RoughFit:
    """The fit of a rough to a set of stems."""

    offset: int  # rough[n] ~ mix[n - offset]: positive = the rough has pre-roll
    tracks: list[TrackMatch]
    fit_null_db: float  # rough energy over residual energy, on the fitted stretch
    seconds: float = 0.0
    mono_rough: bool = False
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage of the fit
    #: gain reduction of a master limiter/compressor on the rough at its loudest (dB, 95th
    #: percentile of the measured gain curve); 0 when the rough is not limited
    limited_db: float = 0.0
    #: samples of the rough at its ceiling (hard-clipped), left out of the fit
    clipped: int = 0
    #: null of the linear fit alone, before a master gain curve is modelled (dB)
    linear_null_db: float = 0.0
    #: tracks whose fitted EQ a weak fit dropped (all or the bands at the limits)
    eq_dropped: list[int] = field(default_factory=list)


# --- offset -------------------------------------------------------------------------------------


def _mono(x: np.ndarray) -> np.ndarray:
    return x[0] if x.shape[0] == 1 else x.mean(axis=0)


def _xcorr_energy(r: np.ndarray, xs: list[np.ndarray], max_lag: int) -> np.ndarray:
    """Sum over stems of squared, spectrally whitened cross-correlation with r (GCC-PHAT), at
    lags -max_lag..max_lag. Lag L means r[n] ~ x[n - L]. Whitening keeps the low, tonal parts
    (bass, pads) from smearing the peak.
    """
    n = max(len(r), max(len(x) for x in xs)) + max_lag + 1
    nfft = 1 << int(np.ceil(np.log2(n)))
    fr = sfft.rfft(r, nfft)
    ar = np.abs(fr)
    total = np.zeros(2 * max_lag + 1)
    for x in xs:
        fx = sfft.rfft(x, nfft)
        cs = fr * np.conj(fx)
        den = ar * np.abs(fx)
        cs = cs / (den + 1e-3 * max(float(den.max()), 1e-30))
        c = sfft.irfft(cs, nfft)
        seg = np.concatenate([c[-max_lag:], c[: max_lag + 1]]) if max_lag else c[:1]
        total += seg.astype(np.float64) ** 2
    return total


def _decimate(x: np.ndarray, dec: int) -> np.ndarray:
    """Block means of dec samples (a coarse low-pass and decimation; the fine search is exact)."""
    n = len(x) // dec
    return x[: n * dec].reshape(n, dec).mean(axis=1, dtype=np.float32)


def find_offset(rough: np.ndarray, stems: list[np.ndarray], sr: int, max_lag_s: float) -> int:
    """The global offset (samples) with rough[n] ~ mix[n - offset], resolved to the sample.

    Coarse: whitened cross-correlation at a decimated rate. Fine: a broadband least-squares fit
    of the rough by the stems on the loudest stretch, at every lag near the coarse one; the lag
    with the smallest residual wins.
    """
    frames = max(x.shape[1] for x in stems)
    max_lag = int(np.ceil(max_lag_s * sr))
    dec, a, n, lo, hi = _coarse_window(stems, frames, max_lag, sr)
    rd = _decimate(_cut(rough, lo, hi, lo, hi), dec)
    xd = [_decimate(_cut(x, a, a + n, lo, hi), dec) for x in stems]
    max_lag_d = int(np.ceil(max_lag / dec))
    coarse = int(np.argmax(_xcorr_energy(rd, xd, max_lag_d))) - max_lag_d
    lag0 = coarse * dec
    return refine_offset(rough, stems, lag0, 3 * dec)


def _coarse_window(
    stems: list[np.ndarray], frames: int, max_lag: int, sr: int
) -> tuple[int, int, int, int, int]:
    """Where a coarse lag search reads: (decimation, start a and length n of the loudest
    COARSE_S of the stems, or the whole song when shorter; the rough's span [lo, hi) around it,
    max_lag either side, all on one origin)."""
    dec = 8 if sr >= 32000 else 4
    n = min(frames, int(COARSE_S * sr))
    a = _loudest_window(stems, n) if n < frames else 0
    return dec, a, n, a - max_lag, a + n + max_lag


def _cut(x: np.ndarray, s0: int, s1: int, lo: int, hi: int) -> np.ndarray:
    """Mono ``x[s0:s1]`` placed on the window [lo, hi) (zeros where x has no samples)."""
    out = np.zeros(hi - lo, dtype=np.float32)
    s0, s1 = max(s0, 0), min(s1, x.shape[-1])
    if s1 > s0:
        out[s0 - lo : s1 - lo] = _mono(x[:, s0:s1])
    return out


def _loudest_window(stems: list[np.ndarray], w: int, lo: int = 0, hi: int | None = None) -> int:
    """Start of the loudest stretch of w frames within [lo, hi) (on 1024-frame block energies)."""
    frames = max(x.shape[1] for x in stems)
    hi = frames if hi is None else hi
    blk = 1024
    nb = frames // blk + 1
    total = np.zeros(nb)
    for x in stems:
        m = x.shape[1] // blk
        xb = x[:, : m * blk].reshape(x.shape[0], m, blk)
        total[:m] += np.einsum("cij,cij->i", xb, xb)
    cs = np.concatenate([[0.0], np.cumsum(total)])
    wb = max(1, w // blk)
    starts = np.arange(lo // blk + 1, max(lo // blk + 2, (hi - w) // blk + 1))
    starts = starts[starts + wb <= nb] if np.any(starts + wb <= nb) else starts[:1]
    best = int(starts[int(np.argmax(cs[np.minimum(starts + wb, nb)] - cs[starts]))]) * blk
    return int(np.clip(best, lo, max(lo, hi - w)))


def _whitener(x: np.ndarray, order: int = 24) -> np.ndarray:
    """An LPC prediction-error filter of x (so the fit is not ruled by the low end)."""
    from scipy.linalg import solve_toeplitz

    n = len(x)
    nfft = 1 << int(np.ceil(np.log2(2 * n)))
    ac = np.fft.irfft(np.abs(np.fft.rfft(x, nfft)) ** 2, nfft)[: order + 1]
    ac[0] *= 1.0 + 1e-6
    if ac[0] <= 0:
        return np.array([1.0])
    a = solve_toeplitz(ac[:-1], ac[1:])
    return np.concatenate([[1.0], -a])


def _fir(b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """A short FIR along the last axis, starting from silence (shifted sums: fast for ~25 taps)."""
    y = b[0] * x
    for k in range(1, len(b)):
        y[..., k:] += b[k] * x[..., :-k]
    return y


def refine_offset(
    rough: np.ndarray,
    stems: list[np.ndarray],
    lag0: int,
    span: int,
    eqs: list[list[tuple[str, dict[str, float]]]] | None = None,
    sr: int = 48000,
) -> int:
    """The lag within lag0 +- span where a broadband least-squares fit of the (whitened) rough
    by the (whitened, optionally EQ'd) stems leaves the smallest residual."""
    frames = max(x.shape[1] for x in stems)
    lo_ok, hi_ok = max(0, -lag0) + span, min(frames, rough.shape[1] - lag0) - span
    w = max(1, min(1 << 17, hi_ok - lo_ok, frames))
    a = _loudest_window(stems, w, max(0, lo_ok), max(lo_ok + w, hi_ok))
    warm = min(a, 4800)
    parts = []
    for i, x in enumerate(stems):
        seg = x[:, a - warm : a + w].astype(np.float64)
        if eqs is not None and eqs[i]:
            seg = sosfilt(np.vstack([sos(k, p, sr) for k, p in eqs[i]]), seg, axis=-1)
        parts.append(seg)
    lo = a + lag0 - span
    pre = 64
    seg = np.zeros((rough.shape[0], w + 2 * span + pre))
    s0, s1 = max(lo - pre, 0), min(lo + w + 2 * span, rough.shape[1])
    if s1 > s0:
        seg[:, s0 - lo + pre : s1 - lo + pre] = rough[:, s0:s1]
    wf = _whitener(seg.mean(axis=0))
    seg = _fir(wf, seg)[:, pre:]
    rows = np.vstack([_fir(wf, p)[:, warm:] for p in parts])
    gram = rows @ rows.T
    gram += 1e-9 * max(float(np.max(np.diag(gram))), 1e-30) * np.eye(len(rows))
    best, best_res = 0, np.inf
    for k in range(2 * span + 1):
        rr = seg[:, k : k + w]
        v = rr @ rows.T  # (ch, rows)
        explained = sum(float(vc @ np.linalg.solve(gram, vc)) for vc in v)
        res = float(np.sum(rr**2)) - explained
        if res < best_res:
            best, best_res = k, res
    return lo + best - a


def shift(x: np.ndarray, d: int) -> np.ndarray:
    """x delayed by d samples (advanced when d < 0), zero-filled, same length."""
    if d == 0:
        return x
    out = np.zeros_like(x)
    if abs(d) < x.shape[-1]:
        if d > 0:
            out[..., d:] = x[..., :-d]
        else:
            out[..., :d] = x[..., -d:]
    return out


def _seg(x: np.ndarray, start: int, n: int) -> np.ndarray:
    """x[:, start:start + n] as float64, zero outside x."""
    out = np.zeros((x.shape[0], n))
    s0, s1 = max(start, 0), min(start + n, x.shape[1])
    if s1 > s0:
        out[:, s0 - start : s1 - start] = x[:, s0:s1]
    return out


def track_lags(ra: np.ndarray, stems: list[np.ndarray], sr: int, max_lag_s: float = TRACK_LAG_S) -> list[int]:
    """Each stem's own offset (samples) in the rough ``ra`` (already on the stems' timeline):
    ``ra ~ sum of shift(stem, lag)``. Coarse: whitened cross-correlation of the rough with each
    stem at a decimated rate over +-max_lag_s. A stem whose peak is off zero is checked at the full
    rate: a broadband least-squares fit of the (whitened) rough by all stems, this one at every
    lag near the peak; its lag is taken only when it explains clearly more than lag 0 does."""
    m = ra.shape[1]
    lags = [0] * len(stems)
    max_lag = int(min(max_lag_s * sr, m // 4))
    if len(stems) < 2 or max_lag < 64:
        return lags
    dec, a, n, lo, hi = _coarse_window(stems, m, max_lag, sr)
    rd = _decimate(_cut(ra, lo, hi, lo, hi), dec)
    max_lag_d = int(np.ceil(max_lag / dec))
    cands = []
    for i, x in enumerate(stems):
        if not np.any(x):
            continue
        e = _xcorr_energy(rd, [_decimate(_cut(x, a, a + n, lo, hi), dec)], max_lag_d)
        k = int(np.argmax(e)) - max_lag_d
        if abs(k) > 1:
            cands.append((float(e.max()), i, k * dec))
        else:  # within a decimated step of zero: look at the full rate on the stem's loudest stretch
            w = min(1 << 17, m - 8 * dec)
            b = _loudest_window([x], w, 4 * dec, m - 4 * dec)
            ef = _xcorr_energy(
                _mono(ra[:, b - 4 * dec : b + w + 4 * dec]),
                [_seg(x, b - 4 * dec, w + 8 * dec).mean(axis=0)],
                3 * dec,
            )
            kf = int(np.argmax(ef)) - 3 * dec
            if kf:
                cands.append((float(e.max()), i, kf))
    # every candidate starts at its coarse lag, so that checking one is not spoilt by the others
    # still sitting at zero; two passes, then the lags are centred (the global offset takes the
    # common part)
    for _, i, lag0 in cands:
        lags[i] = lag0
    for k in range(2):
        for _, i, lag0 in sorted(cands, reverse=True):
            lags[i] = _refine_track_lag(ra, stems, lags, i, lags[i] or lag0, 3 * dec if k == 0 else 4)
    return lags


def _refine_track_lag(
    ra: np.ndarray,
    stems: list[np.ndarray],
    lags: list[int],
    i: int,
    lag0: int,
    span: int,
    need: float = TRACK_LAG_GAIN,
) -> int:
    """Stem i's lag near lag0 (others at ``lags``), or 0 when no lag there leaves ``need`` times
    the residual at lag 0 or less."""
    m = ra.shape[1]
    reach = abs(lag0) + span
    w = min(1 << 16, m - 2 * reach - 128)
    if w < 2048:
        return 0
    pre = 64
    a = _loudest_window([stems[i]], w, reach + pre, m - reach)
    r = _seg(ra, a - pre, w + pre)
    wf = _whitener(r.mean(axis=0))
    r = _fir(wf, r)[:, pre:]
    others = [_fir(wf, _seg(x, a - pre - lags[j], w + pre))[:, pre:] for j, x in enumerate(stems) if j != i]
    xo = np.vstack(others) if others else np.zeros((0, w))
    goo = xo @ xo.T
    vo = r @ xo.T  # (ch, rows)
    r_energy = float(np.sum(r**2))

    def residual(lag: int) -> float:
        xi = _fir(wf, _seg(stems[i], a - pre - lag, w + pre))[:, pre:]
        goi = xo @ xi.T
        gram = np.block([[goo, goi], [goi.T, xi @ xi.T]])
        gram = gram + 1e-9 * max(float(np.max(np.diag(gram))), 1e-30) * np.eye(len(gram))
        v = np.hstack([vo, r @ xi.T])
        return r_energy - sum(float(vc @ np.linalg.solve(gram, vc)) for vc in v)

    res0 = residual(0)
    best, best_res = 0, res0
    for lag in range(lag0 - span, lag0 + span + 1):
        res = residual(lag)
        if res < best_res:
            best, best_res = lag, res
    return best if best_res < need * res0 else 0


def align(rough: np.ndarray, offset: int, frames: int) -> np.ndarray:
    """The rough on the session timeline: out[m] = rough[m + offset], zero outside it."""
    out = np.zeros((rough.shape[0], frames), dtype=np.float32)
    s0, s1 = max(0, -offset), min(frames, rough.shape[1] - offset)
    if s1 > s0:
        out[:, s0:s1] = rough[:, s0 + offset : s1 + offset]
    return out


def to_rough_timeline(mix: np.ndarray, offset: int, frames: int) -> np.ndarray:
    """A session-timeline render placed on the rough's timeline (the inverse of :func:`align`)."""
    return align(mix, -offset, frames)


def null_depth_db(ref: np.ndarray, est: np.ndarray) -> float:
    """How far est cancels ref: ref energy over the energy of the difference, in dB."""
    ref = np.asarray(ref, dtype=np.float64)
    d = ref - np.asarray(est, dtype=np.float64)
    return float(10 * np.log10(max(np.sum(ref**2), 1e-30) / max(np.sum(d**2), 1e-30)))


# --- tonal curve --------------------------------------------------------------------------------


def _biquad_resp(sections: np.ndarray, z1: np.ndarray, z2: np.ndarray) -> np.ndarray:
    h = np.ones_like(z1)
    for b0, b1, b2, _, a1, a2 in sections:
        h = h * (b0 + b1 * z1 + b2 * z2) / (1 + a1 * z1 + a2 * z2)
    return h


def eq_sos(gains: np.ndarray, sr: int) -> list[tuple[str, dict[str, float]]]:
    """Parametric bands of the closed set for the basis gains (small ones left out)."""
    out = []
    for (kind, f, q), g in zip(EQ_BASIS, gains, strict=True):
        if abs(g) >= MIN_EQ_DB:
            out.append((kind, {"freq_hz": f, "gain_db": round(float(g), 2), "q": q}))
    return out


def _band_fit(
    ra: np.ndarray,
    regs: list[list[np.ndarray]],
    sr: int,
    nfft: int = 8192,
    max_frames: int = 64,
    resp: list[np.ndarray | None] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-band complex gains of every track in each rough channel.

    Returns (coef (channels, tracks, bands) complex, power (tracks, bins), band index per bin).
    ``regs[c][i]`` is track i's regressor for rough channel c.
    """
    n_ch, frames = ra.shape
    n = len(regs[0])
    n_frames = frames // nfft
    if n_frames == 0:
        nfft = 1 << int(np.log2(max(frames, 256)))
        n_frames = max(1, frames // nfft)
    idx = np.unique(np.linspace(0, n_frames - 1, min(n_frames, max_frames)).astype(int))
    freqs = np.fft.rfftfreq(nfft, 1.0 / sr)
    band = np.clip(np.searchsorted(np.asarray(BAND_EDGES), freqs, side="right") - 1, 0, len(BAND_EDGES) - 1)
    n_bands = len(BAND_EDGES)
    win = np.hanning(nfft).astype(np.float32)
    gram = np.zeros((n_ch, n_bands, n, n), dtype=np.complex128)
    cross = np.zeros((n_ch, n_bands, n), dtype=np.complex128)
    power = np.zeros((n, len(freqs)))

    def spec(x: np.ndarray) -> np.ndarray:
        segs = np.stack([x[k * nfft : (k + 1) * nfft] for k in idx]) * win
        return sfft.rfft(segs, axis=1).astype(np.complex64)  # (frames, bins)

    cache: dict[int, np.ndarray] = {}
    specs = []
    for c in range(n_ch):
        row = []
        for x in regs[c]:
            key = id(x)
            if key not in cache:
                cache[key] = spec(x)
            row.append(cache[key])
        specs.append(row)
    for i in range(n):
        for c in range(n_ch):
            power[i] += np.sum(np.abs(specs[c][i]) ** 2, axis=0) / n_ch
    for c in range(n_ch):
        rs = spec(ra[c])
        xs = np.stack(specs[c])  # (n, frames, bins)
        if resp is not None:
            for i, h in enumerate(resp):
                if h is not None:
                    xs[i] = xs[i] * h.astype(np.complex64)
        for b in range(n_bands):
            sel = band == b
            if not np.any(sel):
                continue
            a = xs[:, :, sel].reshape(n, -1)
            gram[c, b] = a.conj() @ a.T
            cross[c, b] = a.conj() @ rs[:, sel].reshape(-1)
    coef = np.zeros((n_ch, n, n_bands), dtype=np.complex128)
    for c in range(n_ch):
        for b in range(n_bands):
            g = gram[c, b]
            d = np.real(np.diag(g))
            if not np.any(d > 0):
                continue
            ridge = 1e-9 * max(float(d.max()), 1e-30)
            coef[c, :, b] = np.linalg.solve(g + ridge * np.eye(n), cross[c, b])
    return coef, power, band


def eq_response(eq: list[tuple[str, dict[str, float]]], sr: int, nfft: int) -> np.ndarray:
    """Complex response of a list of EQ bands at the rfft bins of nfft."""
    freqs = np.fft.rfftfreq(nfft, 1.0 / sr)
    z1 = np.exp(-1j * 2 * np.pi * freqs / sr)
    h = np.ones_like(z1)
    for kind, params in eq:
        h = h * _biquad_resp(sos(kind, params, sr), z1, z1 * z1)
    return h


def _band_db(h: np.ndarray, pw: np.ndarray, band: np.ndarray, n_bands: int) -> np.ndarray:
    wsum = np.maximum(np.bincount(band, weights=pw, minlength=n_bands), 1e-30)
    avg = (
        np.bincount(band, weights=pw * h.real, minlength=n_bands)
        + 1j * np.bincount(band, weights=pw * h.imag, minlength=n_bands)
    ) / wsum
    return 20 * np.log10(np.maximum(np.abs(avg), 1e-9))


def _fit_eq_curve(
    target_db: np.ndarray, weight: np.ndarray, pw: np.ndarray, band: np.ndarray, sr: int, nfft: int
) -> np.ndarray:
    """Basis gains (dB) whose band-averaged response best follows target_db (a free offset too)."""
    freqs = np.fft.rfftfreq(nfft, 1.0 / sr)
    # every 4th bin, carrying the power of its neighbours: the EQ basis is smooth at that spacing
    k = 4
    m = len(freqs) // k * k
    freqs = freqs[:m:k] + (k - 1) * (freqs[1] - freqs[0]) / 2
    pw = pw[:m].reshape(-1, k).sum(axis=1)
    band = band[:m:k]
    z1 = np.exp(-1j * 2 * np.pi * freqs / sr)
    z2 = z1 * z1
    n_bands = len(target_db)
    wsum = np.bincount(band, weights=pw, minlength=n_bands)
    wsum = np.maximum(wsum, 1e-30)

    def model(p: np.ndarray) -> np.ndarray:
        h = np.ones_like(z1)
        for (kind, f, q), g in zip(EQ_BASIS, p[1:], strict=True):
            h = h * _biquad_resp(sos(kind, {"freq_hz": f, "gain_db": g, "q": q}, sr), z1, z2)
        avg = (
            np.bincount(band, weights=pw * h.real, minlength=n_bands)
            + 1j * np.bincount(band, weights=pw * h.imag, minlength=n_bands)
        ) / wsum
        return p[0] + 20 * np.log10(np.maximum(np.abs(avg), 1e-9))

    sw = np.sqrt(weight)
    wn = weight / max(float(np.sum(weight)), 1e-30)
    p = np.zeros(len(EQ_BASIS) + 1)
    for _ in range(12):
        f0 = model(p) - p[0]
        p[0] = float(np.sum(wn * (target_db - f0)))
        jac = np.empty((n_bands, len(EQ_BASIS)))
        for k in range(len(EQ_BASIS)):
            dp = np.zeros_like(p)
            dp[k + 1] = 0.05
            jac[:, k] = (model(p + dp) - p[0] - f0) / 0.05
        # the offset takes whatever is constant over the track's bands, so a band that only
        # shifts this track's level (a high shelf on a hi-hat) is left out rather than traded
        # against the gain: centre both sides, then a truncated least-squares step
        jc = jac - wn @ jac
        res = target_db - f0 - p[0]
        res = res - float(wn @ res)
        step = np.linalg.lstsq(jc * sw[:, None], res * sw, rcond=0.05)[0]
        p[1:] = np.clip(p[1:] + step, -EQ_LIMIT_DB, EQ_LIMIT_DB)
        if np.max(np.abs(step)) < 0.005:
            break
    p[0] = float(np.sum(wn * (target_db - (model(p) - p[0]))))
    return p[1:]


# --- gains, pans, polarity ----------------------------------------------------------------------


def pan_from_gains(gl: float, gr: float, channels: int) -> tuple[float, float]:
    """(gain, pan) of a strip whose left and right gains are |gl|, |gr| (the session's pan law)."""
    gl, gr = abs(gl), abs(gr)
    if channels == 1:
        g = float(np.hypot(gl, gr))
        t = float(np.arctan2(gr, gl))
        return g, float(np.clip(4 * t / np.pi - 1, -1, 1))
    g = max(gl, gr)
    if g <= 0:
        return 0.0, 0.0
    if gl >= gr:
        t = float(np.arcsin(np.clip(gr / gl / np.sqrt(2), 0, 1)))
    else:
        t = float(np.arccos(np.clip(gl / gr / np.sqrt(2), 0, 1)))
    return g, float(np.clip(4 * t / np.pi - 1, -1, 1))


#: Above this many frames, the time-domain fit reads FIT_WINDOWS windows spread over the song
#: instead of every sample (gains and pans are constants: 20-odd seconds pin them down).
FULL_FIT_FRAMES = 1 << 21
FIT_WINDOWS = 24
FIT_WINDOW = 1 << 16
WARMUP = 1 << 13


def fit_windows(frames: int) -> list[tuple[int, int]]:
    """(start, end) stretches the time-domain fit reads."""
    if frames <= FULL_FIT_FRAMES:
        return [(0, frames)]
    starts = np.linspace(WARMUP, frames - FIT_WINDOW, FIT_WINDOWS).astype(int)
    return [(int(s), int(s) + FIT_WINDOW) for s in starts]


def _time_fit(
    ra: np.ndarray,
    stems: list[np.ndarray],
    eqs: list[list[tuple[str, dict[str, float]]]],
    sr: int,
    chunk: int = 1 << 19,
    segments: int = SEGMENTS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, np.ndarray, np.ndarray]:
    """Gram matrix of the EQ'd regressor signals, their cross terms with each rough channel.

    Rows: for each track, its channels (1 or 2). Returns (gram, cross (ch, rows), rows' track
    index, rough energy summed over channels, gram per segment, cross per segment), over
    :func:`fit_windows`; the segments (contiguous stretches, or groups of windows) are what the
    jackknife leaves out one at a time.
    """
    rows = [(i, c) for i, x in enumerate(stems) for c in range(x.shape[0])]
    n_rows = len(rows)
    n_ch, frames = ra.shape
    seg_gram = np.zeros((segments, n_rows, n_rows))
    seg_cross = np.zeros((segments, n_ch, n_rows))
    sos_of = [np.vstack([sos(k, p, sr) for k, p in eq]) if eq else None for eq in eqs]
    energy = 0.0
    windows = fit_windows(frames)
    if len(windows) == 1:
        chunk = min(chunk, max(1, -(-frames // segments)))
    for wi, (w0, w1) in enumerate(windows):
        # each window's filters start WARMUP frames early so their state has settled
        zi = [
            None if q is None else np.zeros((q.shape[0], stems[i].shape[0], 2)) for i, q in enumerate(sos_of)
        ]
        for i, q in enumerate(sos_of):
            if q is not None and w0 > 0:
                _, zi[i] = sosfilt(q, stems[i][:, max(0, w0 - WARMUP) : w0], axis=-1, zi=zi[i])
        buf = np.empty((n_rows, min(chunk, w1 - w0)), dtype=np.float32)
        for ci, s0 in enumerate(range(w0, w1, chunk)):
            s1 = min(w1, s0 + chunk)
            m = s1 - s0
            r = 0
            for i, x in enumerate(stems):
                seg = x[:, s0:s1]
                if sos_of[i] is not None:
                    seg, zi[i] = sosfilt(sos_of[i], seg, axis=-1, zi=zi[i])
                buf[r : r + x.shape[0], :m] = seg
                r += x.shape[0]
            b = buf[:, :m]
            k = (ci if len(windows) == 1 else wi) % segments
            seg_gram[k] += (b @ b.T).astype(np.float64)
            rc = ra[:, s0:s1].astype(np.float32)
            seg_cross[k] += (rc @ b.T).astype(np.float64)
            energy += float(np.sum(rc.astype(np.float64) ** 2))
    gram, cross = seg_gram.sum(axis=0), seg_cross.sum(axis=0)
    return gram, cross, np.array([i for i, _ in rows]), energy, seg_gram, seg_cross


def _fit_eqs(
    ra: np.ndarray, stems: list[np.ndarray], sr: int, frames: int, passes: int
) -> list[list[tuple[str, dict[str, float]]]]:
    """The fitted EQ of every track (the tonal-curve stage)."""
    n = len(stems)
    regs = [[x[c] if x.shape[0] == 2 else x[0] for x in stems] for c in range(2)]
    eqs: list[list[tuple[str, dict[str, float]]]] = [[] for _ in range(n)]
    nfft = 8192 if frames >= 8192 * 4 else 2048
    resp: list[np.ndarray | None] = [None] * n
    fitted_db: list[np.ndarray | None] = [None] * n
    for _ in range(passes):
        # pass 1 measures the curve; later passes measure what the fitted EQ still misses
        coef, power, band = _band_fit(ra, regs, sr, nfft=nfft, resp=resp)
        mag = np.sqrt(np.abs(coef[0]) ** 2 + np.abs(coef[1]) ** 2)  # (tracks, bands)
        n_bands = mag.shape[1]
        for i in range(n):
            pb = np.bincount(band, weights=power[i], minlength=n_bands)
            if pb.max() <= 0:
                continue
            rel = pb / pb.max()
            w = np.where(rel > 1e-3, np.sqrt(rel), 0.0) * (mag[i] > 0)
            if np.count_nonzero(w) < 3:
                continue
            tdb = 20 * np.log10(np.maximum(mag[i], 1e-12))
            if fitted_db[i] is not None:
                tdb = tdb + fitted_db[i]
            gains = _fit_eq_curve(tdb, w, power[i], band, sr, nfft)
            eqs[i] = eq_sos(gains, sr)
            h = eq_response(eqs[i], sr, nfft)
            resp[i] = h
            fitted_db[i] = _band_db(h, power[i], band, n_bands)
    return eqs


@dataclass
class _Solved:
    coefs: np.ndarray
    active: np.ndarray
    contrib: np.ndarray
    null_db: float
    energy: float
    gain_se_db: np.ndarray
    pan_se: np.ndarray
    gain_jk: np.ndarray  # (tracks, segments)
    pan_jk: np.ndarray


def _solve_all(
    ra: np.ndarray, stems: list[np.ndarray], eqs: list[list[tuple[str, dict[str, float]]]], sr: int
) -> _Solved:
    """Gains and pans by least squares (tracks under MUTED_DB muted), with jackknife spreads."""
    n = len(stems)
    gram, cross, owner, energy, seg_gram, seg_cross = _time_fit(ra, stems, eqs, sr)
    active = np.ones(n, dtype=bool)
    for _ in range(3):
        coefs, _ = _solve(gram, cross, owner, stems, active)
        contrib = _contributions(gram, coefs, owner, stems, energy)
        newly = active & (contrib < MUTED_DB)
        if not newly.any():
            break
        active &= ~newly
    coefs, explained = _solve(gram, cross, owner, stems, active)
    contrib = _contributions(gram, coefs, owner, stems, energy)
    null = float(10 * np.log10(max(energy, 1e-30) / max(energy - explained, 1e-30)))
    gse, pse, gjk, pjk = _jackknife(gram, cross, seg_gram, seg_cross, owner, stems, active)
    return _Solved(coefs, active, contrib, null, energy, gse, pse, gjk, pjk)


def _jackknife(
    gram: np.ndarray,
    cross: np.ndarray,
    seg_gram: np.ndarray,
    seg_cross: np.ndarray,
    owner: np.ndarray,
    stems: list[np.ndarray],
    active: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per track, how far the gain (dB) and pan move when one segment of the song is left out
    (jackknife standard error), and the leave-out values themselves (tracks, segments; NaN where
    one does not count). Only leave-outs that keep at least half of the track's energy count: a
    part that plays in one stretch alone is not called unreliable for it."""
    n = len(stems)
    gse, pse = np.zeros(n), np.zeros(n)
    gjk = np.full((n, seg_gram.shape[0]), np.nan)
    pjk = np.full((n, seg_gram.shape[0]), np.nan)
    first = [int(np.flatnonzero(owner == i)[0]) for i in range(n)]
    sols = []
    for k in range(seg_gram.shape[0]):
        if np.trace(seg_gram[k]) <= 0:
            continue
        c, _ = _solve(gram - seg_gram[k], cross - seg_cross[k], owner, stems, active)
        sols.append((k, c))
    for i, x in enumerate(stems):
        if not active[i]:
            continue
        rows = [first[i] + c for c in range(x.shape[0])]
        tot = sum(gram[r, r] for r in rows)
        gs, ps = [], []
        for k, c in sols:
            if tot <= 0 or sum(seg_gram[k][r, r] for r in rows) > 0.5 * tot:
                continue
            g, pan = pan_from_gains(c[i, 0], c[i, 1], x.shape[0])
            gs.append(20 * np.log10(max(g, 1e-6)))
            ps.append(pan)
            gjk[i, k], pjk[i, k] = gs[-1], pan
        if len(gs) >= 3:
            q = len(gs)
            gse[i] = float(np.sqrt((q - 1) / q * np.sum((np.array(gs) - np.mean(gs)) ** 2)))
            pse[i] = float(np.sqrt((q - 1) / q * np.sum((np.array(ps) - np.mean(ps)) ** 2)))
    return gse, pse, gjk, pjk


def _predict_on(
    stems: list[np.ndarray], eqs: list[list[tuple[str, dict[str, float]]]], coefs: np.ndarray, sr: int
) -> np.ndarray:
    """The linear model's rough (2, frames) on the fitted stretch."""
    out = np.zeros((2, stems[0].shape[1]), dtype=np.float32)
    for x, eq, (gl, gr) in zip(stems, eqs, coefs, strict=True):
        if gl == 0 and gr == 0:
            continue
        y = sosfilt(np.vstack([sos(k, p, sr) for k, p in eq]), x, axis=-1).astype(np.float32) if eq else x
        out[0] += np.float32(gl) * y[0]
        out[1] += np.float32(gr) * y[-1]
    return out


def _gain_curve(ra: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """A master gain curve per channel (limiters and compressors often work on each side alone):
    per block of GAIN_BLOCK samples, the gain that best maps the model's prediction onto the rough
    (samples at the rough's ceiling left out).

    Returns (gain (2, frames), normalised so each channel's 99th percentile block is 1; the scale of
    that reference per channel (2, 1); the clipped-sample mask; the curve's range in dB, 95th over
    5th percentile, the larger of the two channels)."""
    n_ch, m = ra.shape
    ones = np.ones((n_ch, m)), np.ones((n_ch, 1))
    peak = float(np.max(np.abs(ra))) if m else 0.0
    clip = np.any(np.abs(ra) >= CLIP_FRACTION * peak, axis=0) if peak > 0 else np.zeros(m, dtype=bool)
    if np.count_nonzero(clip) < 8:
        clip[:] = False
    nb = m // GAIN_BLOCK
    if nb < 4:
        return *ones, clip, 0.0
    keep = (~clip[: nb * GAIN_BLOCK]).astype(np.float64)
    r = (ra[:, : nb * GAIN_BLOCK].astype(np.float64) * keep).reshape(n_ch, nb, -1)
    pr = (pred[:, : nb * GAIN_BLOCK].astype(np.float64) * keep).reshape(n_ch, nb, -1)
    num = np.einsum("cbk,cbk->cb", r, pr)
    den = np.einsum("cbk,cbk->cb", pr, pr)
    g, ref, span = np.ones((n_ch, m)), np.ones((n_ch, 1)), 0.0
    for c in range(n_ch):
        valid = den[c] > 1e-3 * max(float(np.percentile(den[c], 99)), 1e-30)
        if np.count_nonzero(valid) < 4:
            continue
        gb = num[c, valid] / den[c, valid]
        rc = float(np.percentile(gb, 99))
        if rc <= 0:
            continue
        gb = np.clip(gb / rc, 0.05, 4.0)
        ref[c] = rc
        g[c] = np.interp(np.arange(m), (np.flatnonzero(valid) + 0.5) * GAIN_BLOCK, gb)
        span = max(span, float(20 * np.log10(np.percentile(gb, 95) / np.percentile(gb, 5))))
    return g, ref, clip, span


_P = ParamSpec("_P")
_R = TypeVar("_R")


def one_blas_thread(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``fn`` with BLAS/OpenMP capped at one thread: the fit's small solves gain nothing from
    more, and beside other busy processes (render workers, a second job) oversubscribed BLAS
    threads made the rough fit 12x slower (108 s against 8.6 s)."""

    @functools.wraps(fn)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with threadpool_limits(limits=1):
            return fn(*args, **kwargs)

    return run


@one_blas_thread
def fit_rough(
    rough: np.ndarray,
    stems: list[np.ndarray],
    sr: int,
    *,
    max_lag_s: float | None = None,
    eq: bool = True,
    eq_passes: int = 2,
    bandwidth_hz: float | None = None,
    min_explained_db: float = MIN_EXPLAINED_DB,
    track_lag_s: float = TRACK_LAG_S,
    limiter: bool = True,
) -> RoughFit:
    """Fit a stereo rough (2, frames) at rate ``sr`` as a mix of ``stems`` (each (ch, frames)).

    ``track_lag_s``: how far one stem may sit from the others (0: one global offset only).
    ``limiter``: when the linear fit explains little, model a master gain curve (a limiter,
    compressor or clipper on the rough's master) and fit the balance under it.

    Raises :class:`RoughError` (FP-E007) when the fit explains less than ``min_explained_db`` of
    the rough (it does not contain the stems).
    """
    t0 = time.perf_counter()
    frames = max(x.shape[1] for x in stems)
    mono_rough = rough.shape[0] == 1
    if bandwidth_hz is not None and bandwidth_hz < 0.45 * sr:
        # a rough that came at a lower rate has nothing above its Nyquist: fit both below it
        lp = sos("lowpass", {"freq_hz": 0.9 * bandwidth_hz, "slope_db_oct": 48.0}, sr)
        rough = sosfilt(lp, rough, axis=-1).astype(np.float32)
        stems = [sosfilt(lp, x, axis=-1).astype(np.float32) for x in stems]
    if mono_rough:
        rough = np.vstack([rough, rough])
    if max_lag_s is None:
        max_lag_s = MIN_LAG_S + abs(rough.shape[1] - frames) / sr
    max_lag_s = min(max_lag_s, max(frames, rough.shape[1]) / sr)
    stages: dict[str, float] = {}
    t1 = time.perf_counter()
    offset = find_offset(rough, stems, sr, max_lag_s)
    stages["offset"] = time.perf_counter() - t1
    full = base_stems = stems
    n = len(stems)

    def overlap(offset: int) -> tuple[np.ndarray, list[np.ndarray]]:
        # fit only where the rough exists: a rough that starts late or ends early says nothing
        # about the stems outside it
        s0, s1 = max(0, -offset), min(frames, rough.shape[1] - offset)
        if s1 - s0 < sr // 2:
            raise RoughError("FP-E007", message("FP-E007", 0.0), 0.0)
        return align(rough, offset, frames)[:, s0:s1], [x[:, s0:s1] for x in full]

    ra, stems = overlap(offset)
    lags = [0] * n
    if track_lag_s > 0 and n > 1:
        t1 = time.perf_counter()
        lags = track_lags(ra, stems, sr, track_lag_s)
        common = int(np.median(lags))
        if common:  # most tracks moved alike: that is the global offset, a few samples off
            offset += common
            lags = [d - common for d in lags]
        if any(lags):
            full = [shift(x, d) for x, d in zip(base_stems, lags, strict=True)]
            ra, stems = overlap(offset)
        stages["track_lags"] = time.perf_counter() - t1
    eqs: list[list[tuple[str, dict[str, float]]]] = [[] for _ in range(n)]
    if eq:
        t1 = time.perf_counter()
        eqs = _fit_eqs(ra, stems, sr, frames, eq_passes)
        stages["eq"] = time.perf_counter() - t1
        if any(eqs):  # the EQ's phase is now modelled: check the lag once more, and refit if it moved
            better = refine_offset(rough, full, offset, 4, eqs, sr)
            if better != offset:
                offset = better
                ra, stems = overlap(offset)
            for _ in range(2 if any(lags) else 0):  # and each track's own lag, through its EQ
                eqd = [
                    sosfilt(np.vstack([sos(k, p, sr) for k, p in e]), x, axis=-1) if e else x
                    for x, e in zip(stems, eqs, strict=True)
                ]
                zero = [0] * n
                moved = [_refine_track_lag(ra, eqd, zero, i, 0, 4, 1.0) if lags[i] else 0 for i in range(n)]
                if not any(moved):
                    break
                lags = [d + e for d, e in zip(lags, moved, strict=True)]
                full = [shift(x, d) for x, d in zip(base_stems, lags, strict=True)]
                ra, stems = overlap(offset)
                eqs = _fit_eqs(ra, stems, sr, frames, eq_passes)  # the EQ fitted at the old lag
    t2 = time.perf_counter()
    sol = _solve_all(ra, stems, eqs, sr)
    stages["time_fit"] = time.perf_counter() - t2
    linear_null = sol.null_db
    limited_db, clipped = 0.0, 0
    if limiter and linear_null < LIMITER_TRY_DB:
        t2 = time.perf_counter()
        cur_eqs, cur = eqs, sol
        for it in range(4):
            pred = _predict_on(stems, cur_eqs, cur.coefs, sr)
            g, ref, clip, span = _gain_curve(ra, pred)
            if it == 0 and span < 1.0 and not clip.any():
                break  # no gain curve to speak of: the linear fit stands
            ru = (ra / g).astype(np.float32)
            ru[:, clip] = pred[:, clip] * ref.astype(np.float32)
            cur_eqs = _fit_eqs(ru, stems, sr, frames, eq_passes) if eq else cur_eqs
            cur = _solve_all(ru, stems, cur_eqs, sr)
        else:
            # how well the model with its gain curve explains the rough (clipped samples left out)
            pred = _predict_on(stems, cur_eqs, cur.coefs, sr)
            g, ref, clip, span = _gain_curve(ra, pred)
            keep = ~clip
            model_null = null_depth_db(ra[:, keep], pred[:, keep] * g[:, keep] * ref)
            if model_null > linear_null + 2.0:
                eqs, sol = cur_eqs, cur
                sol.null_db = model_null
                limited_db, clipped = max(span, 0.0), int(np.count_nonzero(clip))
        stages["limiter"] = time.perf_counter() - t2
    dropped: list[int] = []
    if sol.null_db < WEAK_FIT_DB and eq:
        # a fit that explains little: EQ on a track the rough does not pin down, and EQ at the basis'
        # limits unless it earns its keep (over 1 dB of null), is the fit chasing what it cannot
        # model (reverb, saturation, bus compression)
        unsure = (sol.gain_se_db > RELIABLE_GAIN_DB) | (sol.pan_se > RELIABLE_PAN)
        base = [[] if unsure[i] else e for i, e in enumerate(eqs)]
        at_limit = [[(k, p) for k, p in e if abs(p["gain_db"]) < EQ_LIMIT_DB - 0.5] for e in base]
        target = ru if limited_db or clipped else ra
        for cand in (at_limit, base):
            if cand == eqs:
                break
            trial = _solve_all(target, stems, cand, sr)
            if cand is base or trial.null_db >= sol.null_db - 1.0:
                dropped = [i for i in range(n) if cand[i] != eqs[i]]
                eqs, sol = cand, trial
                break
    fit_null = sol.null_db
    if sol.energy <= 0 or fit_null < min_explained_db:
        raise RoughError("FP-E007", message("FP-E007", fit_null), fit_null)
    tracks: list[TrackMatch] = []
    for i, x in enumerate(full):
        gl, gr = sol.coefs[i]
        if not sol.active[i]:
            tracks.append(TrackMatch(-np.inf, 0.0, False, [], True, float(sol.contrib[i]), 0.0, 0.0, lags[i]))
            continue
        g, p = pan_from_gains(gl, gr, x.shape[0])
        dom = gl if abs(gl) >= abs(gr) else gr
        gse, pse = float(sol.gain_se_db[i]), 0.0 if mono_rough else float(sol.pan_se[i])
        tracks.append(
            TrackMatch(
                gain_db=float(20 * np.log10(max(g, 1e-12))),
                pan=0.0 if mono_rough else p,
                polarity_inverted=bool(dom < 0),
                eq=eqs[i],
                contribution_db=float(sol.contrib[i]),
                gl=float(gl),
                gr=float(gr),
                lag=lags[i],
                gain_se_db=gse,
                pan_se=pse,
                reliable=gse <= RELIABLE_GAIN_DB and pse <= RELIABLE_PAN,
                gain_jk=[float(v) for v in sol.gain_jk[i]],
                pan_jk=[float(v) for v in sol.pan_jk[i]],
            )
        )
    return RoughFit(
        offset,
        tracks,
        fit_null,
        time.perf_counter() - t0,
        mono_rough,
        stages,
        limited_db=limited_db,
        clipped=clipped,
        linear_null_db=linear_null,
        eq_dropped=dropped,
    )


def predict(fit: RoughFit, stems: list[np.ndarray], sr: int) -> np.ndarray:
    """The fit's own prediction of the rough, on the stems' timeline (2, frames): each stem
    moved by its own lag, through its fitted EQ, times its fitted left and right gains, summed."""
    frames = max(x.shape[1] for x in stems)
    out = np.zeros((2, frames), dtype=np.float32)
    for m, x in zip(fit.tracks, stems, strict=True):
        if m.muted:
            continue
        x = shift(x, m.lag)
        y = sosfilt(np.vstack([sos(k, p, sr) for k, p in m.eq]), x, axis=-1) if m.eq else x
        out[0, : y.shape[1]] += np.float32(m.gl) * y[0]
        out[1, : y.shape[1]] += np.float32(m.gr) * y[-1]
    return out


def _solve(
    gram: np.ndarray, cross: np.ndarray, owner: np.ndarray, stems: list[np.ndarray], active: np.ndarray
) -> tuple[np.ndarray, float]:
    """Per-track (gL, gR) by least squares, and the energy they explain (both channels)."""
    n = len(stems)
    coefs = np.zeros((n, 2))
    explained = 0.0
    for c in range(2):
        # rows used for channel c: mono tracks' only row, stereo tracks' row c
        rows = []
        for i, x in enumerate(stems):
            if not active[i]:
                continue
            first = int(np.flatnonzero(owner == i)[0])
            rows.append(first + (c if x.shape[0] == 2 else 0))
        rows_a = np.array(rows, dtype=int)
        if rows_a.size == 0:
            continue
        g = gram[np.ix_(rows_a, rows_a)]
        v = cross[c, rows_a]
        ridge = 1e-10 * max(float(np.max(np.diag(g))), 1e-30)
        sol = np.linalg.solve(g + ridge * np.eye(len(rows_a)), v)
        for k, row in enumerate(rows_a):
            coefs[owner[row], c] = sol[k]
        explained += 2 * sol @ v - sol @ g @ sol
    return coefs, explained


def _contributions(
    gram: np.ndarray, coefs: np.ndarray, owner: np.ndarray, stems: list[np.ndarray], energy: float
) -> np.ndarray:
    out = np.full(len(stems), -np.inf)
    for i, x in enumerate(stems):
        first = int(np.flatnonzero(owner == i)[0])
        e = 0.0
        for c in range(2):
            row = first + (c if x.shape[0] == 2 else 0)
            e += coefs[i, c] ** 2 * gram[row, row]
        out[i] = max(-120.0, 10 * np.log10(max(e, 1e-30) / max(energy, 1e-30)))
    return out
