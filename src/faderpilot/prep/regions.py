"""Strip silence: the stretches where a track plays, as regions with pre-roll, post-roll and fades.

A track's level is followed on a 1 ms grid (the peak of each millisecond, all channels). Where it
stands above a threshold set from the track's own loud parts, the track plays; regions are those
stretches widened by a pre-roll (so no attack is cut) and a post-roll (so no tail is cut), with
gaps shorter than ``min_gap_s`` merged, and short fades at every edge so no edge clicks.

Close mics on a drum kit (kick, snare, toms) also hear the rest of the kit. For them a
millisecond only counts as playing where the track is clearly louder than the bleed the other
drum tracks predict: each other track's level times the coupling measured between them (the
median level difference where the other track plays its own hits). A tom mic that hears the
snare 12 dB under its own hits so makes no region around snare hits.

Example
-------
>>> import numpy as np
>>> sr = 48000
>>> x = np.zeros((1, 8 * sr), np.float32)
>>> x[0, sr : 3 * sr] = 0.5 * np.sin(2 * np.pi * 220 * np.arange(2 * sr) / sr)
>>> [(r.start_s, r.end_s) for r in strip_silence(envelope(x, sr), sr, 8 * sr)]
[(0.95, 3.2)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter1d

from ..session.model import Region
from ..session.roles import ROLES, StripKind, defaults
from .cleanup import PEAK_BLOCK_S, block_peaks, block_samples

#: Envelope resolution (seconds): region edges are placed to this precision.
HOP_S = PEAK_BLOCK_S
#: Roles recorded by close mics on a kit, whose activity is judged against the kit's bleed.
CLOSE_MIC_ROLES = tuple(r for r in ROLES if defaults(r).strip.kind == "close_mic")
#: Roles whose bleed can reach a close mic (every drum mic, not a printed kit: the role table's
#: ``strip.kit_mic``).
KIT_ROLES = tuple(r for r in ROLES if defaults(r).strip.kit_mic)
#: Bleed is at least this far (dB) under the track it comes from; a closer coupling means the
#: two tracks capture the same hits, not one bleeding into the other.
MAX_BLEED_DB = -6.0


@dataclass(frozen=True)
class StripSettings:
    """How silence is stripped from one track (times in seconds, levels in dB)."""

    below_top_db: float = 50.0  # threshold under the track's loud level (99.9th pct of the envelope)
    floor_dbfs: float = -80.0  # never lower than this
    pre_roll_s: float = 0.05
    post_roll_s: float = 0.2
    min_gap_s: float = 1.0  # silences shorter than this (after the rolls) are kept
    fill_s: float = 0.05  # dips shorter than this inside a note are not silence
    fade_in_ms: float = 5.0
    fade_out_ms: float = 10.0
    bleed_margin_db: float = 6.0  # a close mic must stand this far above its predicted bleed


#: Settings per kind of track: close mics are cut tighter, sustained parts keep long tails.
CLOSE_MIC = StripSettings(below_top_db=45.0)
PLAIN = StripSettings()
SUSTAINED = StripSettings(below_top_db=60.0, post_roll_s=0.5)
#: The settings of each kind the role table names (``Strip.kind``).
BY_KIND: dict[StripKind, StripSettings] = {"close_mic": CLOSE_MIC, "sustained": SUSTAINED, "plain": PLAIN}


def settings_for(role: str) -> StripSettings:
    """The strip-silence settings for a role, by the kind its row in the role table names."""
    return BY_KIND[defaults(role).strip.kind]


def level_db(peaks: np.ndarray) -> np.ndarray:
    """Linear block peaks as dBFS (-200 for digital silence)."""
    if peaks.size == 0:
        return np.full(1, -200.0, dtype=np.float32)
    return (20 * np.log10(np.maximum(peaks.astype(np.float32), np.float32(1e-10)))).astype(np.float32)


def block_s(sr: int) -> float:
    """The envelope's true step (seconds): ``HOP_S`` rounded to whole samples (44 samples =
    0.9977 ms at 44.1 kHz, so block i starts at i x 44 / 44100 s, not at i ms: read as
    milliseconds, region edges would drift 2 ms late every second, 0.2 s by 90 s)."""
    return block_samples(sr) / sr


def envelope(x: np.ndarray, sr: int) -> np.ndarray:
    """Peak level (dBFS) of every ``block_s(sr)`` (about a millisecond), over all channels."""
    return level_db(block_peaks(x, block_samples(sr)))


def threshold(env_db: np.ndarray, s: StripSettings) -> float:
    """The level (dBFS) above which the track plays: ``below_top_db`` under its loud parts."""
    sounding = env_db[env_db > -150.0]
    if sounding.size == 0:
        return 0.0
    top = float(np.percentile(sounding, 99.9))
    return max(s.floor_dbfs, top - s.below_top_db)


def _smooth(env_db: np.ndarray, ms: int = 10) -> np.ndarray:
    """Envelope held over +-``ms`` ms, so mics a few ms apart line up in level comparisons."""
    return maximum_filter1d(env_db, size=2 * ms + 1)


@dataclass
class KitTrack:
    """A drum track as a source of bleed: its level held over +-10 ms, and the milliseconds
    where it plays its own loud parts (within 10 dB of its top). Computed once per track."""

    smooth: np.ndarray
    loud: np.ndarray | None


def kit_track(env_db: np.ndarray) -> KitTrack:
    """The bleed view of a drum track's envelope."""
    o = _smooth(env_db)
    sounding = o[o > -150.0]
    if sounding.size == 0:
        return KitTrack(o, None)
    loud = o >= float(np.percentile(sounding, 99.9)) - 10.0
    return KitTrack(o, loud if loud.sum() >= 5 else None)


def bleed_coupling(env_db: np.ndarray, other: KitTrack) -> float | None:
    """How loud ``other``'s sound is in this track (dB): the median level difference over the
    milliseconds where ``other`` plays its own loud parts. None when ``other`` never plays."""
    if other.loud is None:
        return None
    loud = other.loud[: env_db.size]
    return float(np.median(_smooth(env_db)[: loud.size][loud] - other.smooth[: loud.size][loud]))


def bleed_level(env_db: np.ndarray, others: list[KitTrack]) -> np.ndarray | None:
    """Predicted bleed in this track (dBFS per ms): the loudest of the other tracks' levels
    shifted by their couplings. None when there is nothing to compare with.

    A track heard here within ``MAX_BLEED_DB`` of its own level is not bleed: it plays the
    same hits (a second mic on this drum, a copy, another take), so it predicts nothing.
    """
    pred: np.ndarray | None = None
    for o in others:
        g = bleed_coupling(env_db, o)
        if g is None or g > MAX_BLEED_DB:
            continue
        p = o.smooth + np.float32(g)
        pred = p if pred is None else np.maximum(pred, p)
    return pred


def playing(env_db: np.ndarray, s: StripSettings, bleed_db: np.ndarray | None = None) -> np.ndarray:
    """Boolean per millisecond: the track plays (above threshold, and above bleed + margin)."""
    on = env_db > threshold(env_db, s)
    if bleed_db is not None:
        own = _smooth(env_db, 2) > bleed_db + s.bleed_margin_db
        # a note that starts clear of the bleed keeps sounding while it stays above threshold
        # and while it keeps clear of the bleed by half the margin (its decay under a hit)
        keep = _smooth(env_db, 2) > bleed_db + s.bleed_margin_db / 2
        on = _grow(on & own, on & keep)
    fill = max(1, int(round(s.fill_s / HOP_S)))
    if on.any() and fill > 1:
        on = _close_holes(on, fill)
    return on


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = np.diff(mask.astype(np.int8), prepend=0, append=0)
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def _grow(seed: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """The runs of ``allowed`` that contain at least one ``seed`` frame."""
    starts, ends = _runs(allowed)
    out = np.zeros_like(allowed)
    if starts.size == 0:
        return out
    cs = np.concatenate([[0], np.cumsum(seed)])
    for a, b in zip(starts, ends, strict=True):
        if cs[b] - cs[a] > 0:
            out[a:b] = True
    return out


def _close_holes(mask: np.ndarray, n: int) -> np.ndarray:
    starts, ends = _runs(~mask)
    out = mask.copy()
    for a, b in zip(starts, ends, strict=True):
        if 0 < a and b < mask.size and b - a < n:
            out[a:b] = True
    return out


def strip_silence(
    env_db: np.ndarray,
    sr: int,
    frames: int,
    s: StripSettings = PLAIN,
    bleed_db: np.ndarray | None = None,
    cuts: list[tuple[float, float]] | None = None,
) -> list[Region]:
    """Regions (timeline = source time) where the track plays, with rolls, merged gaps, fades.

    ``cuts`` are (start_s, end_s) stretches of digital silence next to a hard edit (see
    :func:`edit_cuts`): regions never span them, so the region edge and its fade sit on the edit
    and it no longer clicks.
    """
    on = playing(env_db, s, bleed_db)
    length_s = frames / sr
    step_s = block_s(sr)
    starts, ends = _runs(on)
    spans: list[list[float]] = []
    for a, b in zip(starts, ends, strict=True):
        lo = max(0.0, float(a) * step_s - s.pre_roll_s)
        hi = min(length_s, float(b) * step_s + s.post_roll_s)
        if spans and lo - spans[-1][1] < s.min_gap_s:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    for t0, t1 in cuts or []:
        out: list[list[float]] = []
        for lo, hi in spans:
            if hi <= t0 or lo >= t1:
                out.append([lo, hi])
                continue
            if lo < t0:
                out.append([lo, t0])
            if hi > t1:
                out.append([t1, hi])
        spans = out
    regions = []
    for lo, hi in spans:
        if hi - lo <= 0.002:
            continue
        n_ms = (hi - lo) * 1000.0
        fi = min(s.fade_in_ms, n_ms / 2)
        fo = min(s.fade_out_ms, n_ms / 2)
        lo, hi = round(float(lo), 6), round(float(hi), 6)
        regions.append(Region(lo, hi, lo, round(float(fi), 3), round(float(fo), 3)))
    return regions


def edit_cuts(
    runs: list[tuple[int, int]], hard: list[tuple[int, str]], sr: int, s: StripSettings = PLAIN
) -> list[tuple[float, float]]:
    """Stretches (seconds) to keep out of regions around runs of digital silence with a hard
    edge. ``runs`` are (start, end) sample ranges of digital silence, ``hard`` the sample index
    and kind ("end": sound stops at the index; "start": sound starts at it) of each hard edit.

    At a hard edge the cut goes right up to the sound, so the region's fade lands on the edit;
    at a soft edge it stops a fade's length into the silence, so the fade touches nothing.
    """
    hard_end = {i for i, k in hard if k == "end"}  # last sample of sound before silence
    hard_start = {i for i, k in hard if k == "start"}  # first sample of sound after silence
    out = []
    for a, b in runs:
        he, hs = (a - 1) in hard_end, b in hard_start
        if not (he or hs):
            continue
        t0 = a / sr if he else min(a / sr + s.fade_out_ms / 1000, b / sr)
        t1 = b / sr if hs else max(b / sr - s.fade_in_ms / 1000, t0)
        out.append((t0, t1))
    return out
