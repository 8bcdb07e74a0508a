"""Problems a good assistant finds in a folder of stems before anything is mixed.

Every function here is a measurement on decoded audio (float32, ``(channels, frames)``); none
changes the audio. What is done about a problem (a mute, a high-pass, mono use, a region edge)
is decided in :mod:`faderpilot.prep.process` and written into the session, never into a file.

- :func:`dc_offset`: a constant offset (median of one-second block means, per channel).
- :func:`clipped_runs`: runs of three or more consecutive samples stuck at full scale.
- :func:`fake_stereo`: a stereo file whose channels are identical (L - R far below the signal).
- :func:`fingerprint` / :func:`duplicates`: identical decoded audio under different names.
- :func:`hard_edits`: places where the audio jumps to or from digital silence in one sample
  (an edit without a fade, which clicks).

Example
-------
>>> import numpy as np
>>> x = np.zeros((1, 48000), np.float32); x[0, 1000:1010] = 1.0
>>> clipped_runs(x).runs
1
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

#: A sample at or above this magnitude (-0.1 dBFS) counts as full scale.
CLIP_LEVEL = 10 ** (-0.1 / 20)
#: Consecutive identical full-scale samples that make a clipped run.
CLIP_MIN_RUN = 3
#: A DC offset at or above this (-60 dBFS, 0.1 % of full scale) is removed.
DC_THRESHOLD = 10 ** (-60 / 20)
#: Channels closer than this (dB of L - R under the louder channel) are the same signal.
FAKE_STEREO_DB = -90.0
#: A jump from digital silence to at least this level (-40 dBFS) in one sample is a hard edit.
HARD_EDIT_LEVEL = 10 ** (-40 / 20)
#: ...when it is also this many times larger than the typical sample-to-sample step after it.
HARD_EDIT_RATIO = 4.0
#: Shortest run of digital silence (seconds) whose edges are checked for hard edits.
MIN_ZERO_RUN_S = 0.002


def _db(v: float) -> float:
    return float(20 * np.log10(max(abs(v), 1e-12)))


def dc_offset(x: np.ndarray, sr: int) -> float:
    """The constant offset of the audio (signed), or 0.0 when there is none.

    Per channel, two medians must agree: that of its one-second block means, which must be
    steady (at least 80 % of the blocks within half of it), and that of its 10 ms block means.
    A converter's offset is the same in every second and between the notes; a held low note or
    a lopsided synth tilts some seconds one way and others the other, and a train of lopsided
    hits tilts every second but not the silence between the hits. The channel with the larger
    offset wins.
    """
    if x.shape[1] == 0:
        return 0.0
    n = max(1, min(sr, x.shape[1]))
    m = x.shape[1] // n
    h = max(1, sr // 100)
    k = x.shape[1] // h
    best = 0.0
    for ch in x:
        means = ch[: m * n].reshape(m, n).mean(axis=1, dtype=np.float64)
        v = float(np.median(means))
        if abs(v) <= abs(best) or float(np.mean(np.abs(means - v) <= 0.5 * abs(v))) < 0.8:
            continue
        short = float(np.median(ch[: k * h].reshape(k, h).mean(axis=1, dtype=np.float64)))
        if abs(short - v) <= 0.5 * abs(v):
            best = v
    return best


@dataclass
class Clipping:
    """Clipped runs in a file: how many, the longest (samples), where the first starts (s)."""

    runs: int = 0
    longest: int = 0
    first_s: float | None = None
    samples: int = 0


def clipped_runs(
    x: np.ndarray, sr: int = 48000, level: float = CLIP_LEVEL, min_run: int = CLIP_MIN_RUN
) -> Clipping:
    """Runs of ``min_run`` or more consecutive, identical samples at or above full scale.

    Measured on the decoded file before any resampling (resampling smears the plateaus). Only
    the few samples near full scale are examined, so this costs one comparison per sample.
    """
    out = Clipping()
    first: int | None = None
    for ch in x:
        idx = np.flatnonzero(np.abs(ch) >= level)
        if idx.size < min_run:
            continue
        vals = ch[idx]
        # a new run starts where the index is not consecutive or the value changes
        brk = np.ones(idx.size, dtype=bool)
        brk[1:] = (np.diff(idx) != 1) | (vals[1:] != vals[:-1])
        starts = np.flatnonzero(brk)
        lengths = np.diff(np.append(starts, idx.size))
        long_ = lengths >= min_run
        if not long_.any():
            continue
        out.runs += int(long_.sum())
        out.samples += int(lengths[long_].sum())
        out.longest = max(out.longest, int(lengths[long_].max()))
        f = int(idx[starts[long_][0]])
        first = f if first is None else min(first, f)
    if first is not None:
        out.first_s = round(first / sr, 3)
    return out


def fake_stereo(x: np.ndarray, within_db: float = FAKE_STEREO_DB) -> tuple[bool, float]:
    """(True, difference dB) when a stereo file's channels are the same signal: the peak of
    L - R is at least ``-within_db`` dB under the file's peak (exactly equal channels give
    -inf, reported as -200). Mono files give (False, 0).
    """
    if x.shape[0] != 2 or x.shape[1] == 0:
        return False, 0.0
    peak = float(np.max(np.abs(x)))
    if peak == 0.0:
        return False, 0.0  # silence: handled as a silent track, not as mono
    diff = float(np.max(np.abs(x[0] - x[1])))
    rel = -200.0 if diff == 0.0 else _db(diff) - _db(peak)
    return rel <= within_db, round(rel, 1)


def fingerprint(x: np.ndarray, sr: int) -> tuple:
    """A cheap key that identical audio always shares: shape, rate and a hash of one second at
    each end and one in the middle. Files that share it are compared by :func:`audio_hash`."""
    n = x.shape[1]
    h = hashlib.blake2b(digest_size=16)
    for s in (0, max(0, n // 2 - sr // 2), max(0, n - sr)):
        h.update(np.ascontiguousarray(x[:, s : s + sr]).tobytes())
    return (x.shape, sr, h.hexdigest())


def audio_hash(x: np.ndarray) -> str:
    """Hash of the whole decoded audio (shape included)."""
    h = hashlib.blake2b(digest_size=20)
    h.update(repr(x.shape).encode())
    h.update(memoryview(np.ascontiguousarray(x)).cast("B"))
    return h.hexdigest()


def duplicates(
    items: list[tuple[np.ndarray, int]], skip: set[int] | None = None, names: list[str] | None = None
) -> dict[int, int]:
    """Which items repeat another: {index of the copy: index of the one kept}.

    ``items`` are (audio, rate) pairs in source order; indices in ``skip`` (silent files, which
    are all alike) are never compared. Only items sharing a :func:`fingerprint` are hashed in full.
    Of identical items the one with the shortest name is kept (copies carry suffixes: "Vox 2",
    "Vox copy"), the first in order on a tie.
    """
    skip = skip or set()
    groups: dict[tuple, list[int]] = {}
    for i, (x, sr) in enumerate(items):
        if i not in skip:
            groups.setdefault(fingerprint(x, sr), []).append(i)
    out: dict[int, int] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        seen: dict[str, int] = {}
        if names is not None:
            members = sorted(members, key=lambda i: (len(names[i]), i))
        for i in members:
            h = audio_hash(items[i][0])
            if h in seen:
                out[i] = seen[h]
            else:
                seen[h] = i
    return out


@dataclass
class HardEdit:
    """A one-sample jump between digital silence and sound: where (s), which way, how loud."""

    time_s: float
    kind: str  # "start" (silence -> sound) or "end" (sound -> silence)
    level_db: float
    index: int = 0  # the sample of sound next to the silence


@dataclass
class ZeroRuns:
    """Runs of digital silence (sample indices, end exclusive) and the hard edits at their edges."""

    runs: list[tuple[int, int]] = field(default_factory=list)
    edits: list[HardEdit] = field(default_factory=list)


def _is_hard(x: np.ndarray, i: int, step: int, span: int) -> float | None:
    """Level of the sample at ``i`` when it jumps from silence (the sample beyond it, in the
    direction ``-step``, is zero or outside the file) much harder than the signal moves next."""
    v = float(np.max(np.abs(x[:, i])))
    if v < HARD_EDIT_LEVEL:
        return None
    if step > 0:
        nxt = x[:, i : i + span + 1]
    else:
        nxt = x[:, max(0, i - span) : i + 1]
    if nxt.shape[1] < 3:
        return v
    typical = float(np.median(np.max(np.abs(np.diff(nxt, axis=1)), axis=0)))
    return v if v >= HARD_EDIT_RATIO * typical else None


#: The peak envelope's block (seconds), before it is rounded to whole samples.
PEAK_BLOCK_S = 0.001


def block_samples(sr: int) -> int:
    """The peak envelope's block in whole samples (44 at 44.1 kHz: 0.9977 ms, not 1 ms)."""
    return max(1, int(round(PEAK_BLOCK_S * sr)))


def block_peaks(x: np.ndarray, hop: int) -> np.ndarray:
    """Peak magnitude of every block of ``hop`` samples over all channels (the last block may be
    shorter); computed from block maxima and minima, without a full-length copy."""
    ch, n = x.shape
    m = n // hop
    v = x[:, : m * hop].reshape(ch, m, hop)
    out = np.maximum(v.max(axis=2), -v.min(axis=2)).max(axis=0) if m else np.zeros(0, x.dtype)
    if n > m * hop:
        out = np.append(out, np.abs(x[:, m * hop :]).max())
    return out


def hard_edits(x: np.ndarray, sr: int, peaks: np.ndarray | None = None) -> ZeroRuns:
    """Runs of digital silence (every channel exactly 0, at least ``MIN_ZERO_RUN_S``) and hard
    edits at their edges. A jump is hard when the first (or last) sample of sound is at least
    -40 dBFS and four times the typical step of the samples that follow (so a natural attack
    ramping up from zero is not one). The file's own start and end are not edits: every region
    there gets a fade.

    ``peaks`` are the 1 ms :func:`block_peaks` when the caller has them: runs are found on
    whole silent milliseconds and their exact edges in the blocks either side.
    """
    out = ZeroRuns()
    n = x.shape[1]
    if n == 0:
        return out
    hop = block_samples(sr)
    if peaks is None:
        peaks = block_peaks(x, hop)
    zb = peaks == 0
    if not zb.any():
        return out
    span = max(4, hop)
    min_run = max(1, int(MIN_ZERO_RUN_S * sr))
    d = np.diff(zb.view(np.int8), prepend=0, append=0)
    for b0, b1 in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True):
        s, e = int(b0) * hop, min(n, int(b1) * hop)
        if b0 > 0:  # the silence starts inside the block before: after its last non-zero sample
            nz = np.flatnonzero(np.any(x[:, s - hop : s] != 0, axis=0))
            s = s - hop + (int(nz[-1]) + 1 if nz.size else 0)
        if e < n:  # and ends inside the block after: at its first non-zero sample
            nz = np.flatnonzero(np.any(x[:, e : e + hop] != 0, axis=0))
            e = e + (int(nz[0]) if nz.size else min(hop, n - e))
        if e - s >= min_run:
            out.runs.append((s, e))
    checks: list[tuple[int, int, str]] = []  # (sample index of sound, direction, kind)
    for s, e in out.runs:
        if s > 0:
            checks.append((s - 1, -1, "end"))
        if e < n:
            checks.append((e, 1, "start"))
    for i, step, kind in sorted(checks):
        v = _is_hard(x, i, step, span)
        if v is not None:
            out.edits.append(HardEdit(round(i / sr, 4), kind, round(_db(v), 1), i))
    return out
