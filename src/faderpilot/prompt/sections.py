"""Song sections: markers from the user or detected from the mix, and notes that follow them.

Detection (``detect_sections``): log band energies of the mix every 0.1 s, a self-similarity
matrix of those frames, and Foote's checkerboard-kernel novelty along its diagonal (J. Foote,
"Automatic audio segmentation using a measure of audio novelty", ICME 2000); the novelty's
peaks are boundaries. Segments are then grouped by similarity and named: a first segment
unlike any other is the intro, the loudest repeating group the chorus, the next the verse.

Section notes ("vocal up 2 dB in the chorus", applied by :mod:`.apply`) become gain automation
on the track, written to ``Track.automation`` as ``{"param": "gain_db", "points": [[t_s, dB],
...]}``: a dB offset on top of the fader, linear between points, holding the first and last value
outside them.
"""

from __future__ import annotations

import re

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import find_peaks, stft

from ..session.model import Marker, Track
from .parse import SECTION_WORDS

#: Length of the ramp into and out of a section move (s), so automation never clicks.
RAMP_S = 0.03


def parse_time(text: str) -> float:
    """Seconds from "1:23.5", "83.5" or "83.5s"."""
    t = text.strip().lower().rstrip("s")
    if ":" in t:
        parts = [float(p) for p in t.split(":")]
        secs = 0.0
        for p in parts:
            secs = secs * 60 + p
        return secs
    return float(t)


def parse_markers(items: list[str]) -> list[Marker]:
    """Markers from ``name=time`` items ("intro=0:00", "verse=0:12")."""
    out = []
    for it in items:
        if "=" not in it:
            raise ValueError(f"marker {it!r}: write it as name=time, e.g. verse=0:12")
        name, t = it.split("=", 1)
        try:
            out.append(Marker(name.strip(), parse_time(t)))
        except ValueError:
            raise ValueError(f"marker {it!r}: {t!r} is not a time (use m:ss or seconds)") from None
    return sorted(out, key=lambda m: m.time_s)


def base_name(name: str) -> str:
    """A marker's section kind ("Verse 2" -> "verse", "Hook" -> "chorus")."""
    n = re.sub(r"[\d_#]+", " ", name.lower()).strip()
    n = re.sub(r"\s+", " ", n)
    return SECTION_WORDS.get(n, SECTION_WORDS.get(n.replace(" ", ""), n))


def spans(markers: list[Marker], length_s: float) -> list[tuple[str, float, float]]:
    """(kind, start, end) of every section: from each marker to the next (or the end)."""
    ms = sorted(markers, key=lambda m: m.time_s)
    return [
        (base_name(m.name), m.time_s, ms[i + 1].time_s if i + 1 < len(ms) else length_s)
        for i, m in enumerate(ms)
    ]


def select(
    sections: list[tuple[str, float, float]], name: str, index: int | None
) -> list[tuple[float, float]]:
    """The spans of one kind: all of them, the nth (1-based) or the last (-1)."""
    hits = [(a, b) for kind, a, b in sections if kind == name]
    if index is None or not hits:
        return hits
    if index == -1:
        return hits[-1:]
    return hits[index - 1 : index] if index <= len(hits) else []


# ---------------------------------------------------------------------------------------------
# Automation


def lane_value(points: list[list[float]], t: np.ndarray) -> np.ndarray:
    """A lane's value at times t (linear between points, holding the ends)."""
    if not points:
        return np.zeros_like(t, dtype=np.float64)
    p = np.asarray(points, dtype=np.float64)
    return np.interp(t, p[:, 0], p[:, 1])


def gain_envelope(track: Track, frames: int, sr: int) -> np.ndarray | None:
    """Linear gain per sample from the track's gain_db automation (None when it has none)."""
    lanes = [
        a for a in getattr(track, "automation", []) or [] if a.get("param") == "gain_db" and a.get("points")
    ]
    if not lanes:
        return None
    t = np.arange(frames) / sr
    db = sum(lane_value(a["points"], t) for a in lanes)
    return (10.0 ** (db / 20.0)).astype(np.float32)


def add_section_gain(track: Track, where: list[tuple[float, float]], delta_db: float) -> list[list[float]]:
    """Add delta_db over each (start, end) to the track's gain_db lane; returns the new points."""
    lane = next((a for a in track.automation if a.get("param") == "gain_db"), None)
    if lane is None:
        lane = {"param": "gain_db", "points": []}
        track.automation.append(lane)
    new: list[list[float]] = []
    for a, b in where:
        r = min(RAMP_S, (b - a) / 4)
        new += [[a, 0.0], [a + r, delta_db], [b - r, delta_db], [b, 0.0]]
    times = sorted({round(p[0], 4) for p in lane["points"]} | {round(p[0], 4) for p in new})
    t = np.asarray(times)
    old_v = lane_value(lane["points"], t)
    # new moves are 0 outside their spans (not holding), so sum span by span
    add = np.zeros_like(t)
    for a, b in where:
        r = min(RAMP_S, (b - a) / 4)
        add += np.interp(t, [a, a + r, b - r, b], [0.0, delta_db, delta_db, 0.0], left=0.0, right=0.0)
    lane["points"] = [[float(x), round(float(v), 3)] for x, v in zip(t, old_v + add, strict=True)]
    return lane["points"]


# ---------------------------------------------------------------------------------------------
# Detection

HOP_S = 0.1


def _features(x: np.ndarray, sr: int, smooth_s: float = 1.0) -> np.ndarray:
    mono = x.mean(axis=0) if x.ndim == 2 else x
    hop = int(sr * HOP_S)
    nfft = 1 << int(np.ceil(np.log2(2 * hop)))
    f, _, z = stft(mono, fs=sr, nperseg=nfft, noverlap=nfft - hop, boundary=None, padded=False)
    power = np.abs(z) ** 2
    edges = np.geomspace(40.0, min(16000.0, sr / 2 - 1), 17)
    bands = np.stack(
        [power[(f >= lo) & (f < hi)].sum(axis=0) for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    )
    feats = np.log10(bands + 1e-10)
    # a second view: how busy each band is (onsets), so sparse and dense parts differ too
    flux = np.maximum(np.diff(feats, axis=1, prepend=feats[:, :1]), 0.0)
    feats = np.vstack([feats, flux])
    return uniform_filter1d(feats, size=max(1, int(round(smooth_s / HOP_S))), axis=1, mode="nearest")


def novelty(feats: np.ndarray, half_s: float = 2.0) -> np.ndarray:
    """Foote novelty of (features, frames): a Gaussian-tapered checkerboard along the diagonal."""
    z = (feats - feats.mean(axis=1, keepdims=True)) / (feats.std(axis=1, keepdims=True) + 1e-9)
    z = z / (np.linalg.norm(z, axis=0, keepdims=True) + 1e-9)
    ssm = z.T @ z
    n = ssm.shape[0]
    L = max(2, int(round(half_s / HOP_S)))
    g = np.exp(-0.5 * (np.linspace(-1.5, 1.5, 2 * L)) ** 2)
    k = np.outer(g, g) * np.block([[np.ones((L, L)), -np.ones((L, L))], [-np.ones((L, L)), np.ones((L, L))]])
    pad = np.pad(ssm, L, mode="edge")
    nov = np.array([np.sum(pad[i : i + 2 * L, i : i + 2 * L] * k) for i in range(n)])
    return np.maximum(nov, 0.0) / (nov.max() + 1e-9)


def detect_sections(
    x: np.ndarray,
    sr: int,
    min_section_s: float = 4.0,
    smooth_s: float = 2.3,
    half_s: float = 4.6,
    height: float = 0.5,
) -> list[Marker]:
    """Markers (name, start) for the sections of a mix, from its novelty over time.

    ``smooth_s`` averages the band energies (about a bar at 104 BPM, so chord changes inside a
    section do not read as boundaries); ``half_s`` is the half width of the checkerboard kernel;
    peaks of the normalised novelty above ``height`` and ``min_section_s`` apart are boundaries.
    Tuned on the synthesized demo songs only (tests/prompt/test_sections.py).
    """
    feats = _features(x, sr, smooth_s)
    n = feats.shape[1]
    if n * HOP_S < 2 * min_section_s:
        return [Marker("verse", 0.0)]
    nov = novelty(feats, half_s=min(half_s, n * HOP_S / 4))
    peaks, _ = find_peaks(nov, height=height, distance=int(min_section_s / HOP_S))
    # boundaries too near the ends are edge effects of the kernel
    peaks = [p for p in peaks if min_section_s / 2 <= p * HOP_S <= n * HOP_S - min_section_s / 2]
    bounds = [0, *peaks, n]
    segs = [feats[:16, a:b].mean(axis=1) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    energy = [float(np.log10(np.sum(10.0**s))) for s in segs]
    groups: list[int] = []
    for i, s in enumerate(segs):
        for j in range(i):
            if np.sqrt(np.mean((s - segs[j]) ** 2)) < 0.25:
                groups.append(groups[j])
                break
        else:
            groups.append(max(groups, default=-1) + 1)
    names: dict[int, str] = {}
    if len(segs) > 1 and groups.count(groups[0]) == 1:
        names[groups[0]] = "intro"
    rest = sorted(
        {g for g in groups if g not in names},
        key=lambda g: -max(e for e, h in zip(energy, groups, strict=True) if h == g),
    )
    repeating = [g for g in rest if groups.count(g) > 1] or rest
    if repeating:
        names[repeating[0]] = "chorus" if len(rest) > 1 else "verse"
    for g in rest:
        if g not in names:
            names[g] = (
                "verse"
                if "verse" not in names.values()
                else ("bridge" if "bridge" not in names.values() else "section")
            )
    return [Marker(names[g], round(a * HOP_S, 2)) for g, a in zip(groups, bounds[:-1], strict=True)]
