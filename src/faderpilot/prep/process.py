"""Cleanup and edits on a draft session, done like a good assistant: non-destructive, explained.

:func:`inspect_sources` measures each decoded file before it is resampled (clipped runs, fake
stereo, duplicates); :func:`to_mono` makes fake-stereo audio mono in memory; :func:`tidy` then
works on the draft session from :func:`faderpilot.prep.setup.prepare`:

1. problems: duplicates and near-silent tracks muted, fake stereo used as mono, DC offset
   removed by a 5 Hz high-pass, clipped runs and hard edits reported, each with a code;
2. strip silence: regions where each track plays (bleed-aware for kick, snare and tom mics);
3. polarity and time alignment of mics on one source and of close mics against the overheads.

Every value set here carries a Decision with origin "prep"; every problem is a session warning
with a stable code (docs/messages.md). Sources are never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..analysis.measure import TrackAnalysis
from ..messages import message
from ..session.model import Decision, Processor, Region, Session, Skipped, Track
from . import align as align_mod
from . import cleanup
from . import regions as reg

#: A track whose peak stays under this (dBFS) but above the silence floor is near-silent.
NEAR_SILENT_DB = -60.0
#: The high-pass that removes a DC offset: far below any note (-0.02 dB at 20 Hz).
DC_HIGHPASS = {"freq_hz": 5.0, "slope_db_oct": 12.0}
#: A file shorter than this (seconds) is not a stem (a broken or stray export): left at unity.
MIN_STEM_S = 0.5


@dataclass
class SourceFacts:
    """What the decoded file itself shows, before resampling."""

    clipping: cleanup.Clipping
    fake_stereo: bool = False
    stereo_diff_db: float = 0.0
    duplicate_of: int | None = None  # index of the earlier source with identical audio
    seconds: float = 0.0  # the file's length
    dc_only: float | None = None  # the offset, when nothing but a DC offset is in the file


@dataclass
class RegionSummary:
    """Strip silence on one track: regions kept, seconds kept, whether bleed was judged."""

    track: str
    regions: int
    kept_s: float
    length_s: float
    bleed_aware: bool


@dataclass
class PrepReport:
    """What tidy found and did, for the summary (the session holds the same as warnings and
    decisions)."""

    problems: list[Skipped] = field(default_factory=list)
    alignments: list[align_mod.Step] = field(default_factory=list)
    align_notes: list[str] = field(default_factory=list)
    regions: list[RegionSummary] = field(default_factory=list)
    template: str | None = None


def inspect_sources(
    items: list[tuple[np.ndarray, int]], workers: int = 2, names: list[str] | None = None
) -> list[SourceFacts]:
    """Facts about each decoded file ((audio, rate) pairs in source order, and their file names):
    clipped runs, fake stereo, and which files repeat another. Run before resampling."""

    def one(item: tuple[np.ndarray, int]) -> SourceFacts:
        x, sr = item
        fake, diff = cleanup.fake_stereo(x)
        return SourceFacts(cleanup.clipped_runs(x, sr), fake, diff, None, x.shape[1] / sr, dc_only(x))

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        facts = list(pool.map(one, items))
    silent = {i for i, (x, _) in enumerate(items) if x.size == 0 or not np.any(x)}
    for dup, first in cleanup.duplicates(items, skip=silent, names=names).items():
        facts[dup].duplicate_of = first
    return facts


def dc_only(x: np.ndarray) -> float | None:
    """The DC offset of a file that holds nothing else (every channel stays within the
    near-silent level of its midpoint while the offset itself is louder), else None."""
    if x.size == 0:
        return None
    hi, lo = x.max(axis=1).astype(np.float64), x.min(axis=1).astype(np.float64)
    floor = 10 ** (NEAR_SILENT_DB / 20)
    mid = (hi + lo) / 2
    if float(np.max((hi - lo) / 2)) >= floor or float(np.max(np.abs(mid))) < floor:
        return None
    return float(mid[np.argmax(np.abs(mid))])


def _unusable(session: Session, report: PrepReport, t: Track, f: SourceFacts, mute: bool) -> None:
    """A file too short to be a stem, or with no programme (a DC offset only): reported, left at
    unity, flagged so no rule balances it, and muted while other stems can carry the mix."""
    muted = "; kept on the console, muted" if mute else ""
    if f.seconds < MIN_STEM_S:
        code = "FP-W040"
        text = _warn(session, report, t, code, f.seconds, MIN_STEM_S, muted)
    else:
        code = "FP-W041"
        text = _warn(session, report, t, code, f.dc_only, NEAR_SILENT_DB, muted)
    t.analysis["unusable"] = code
    t.trim_db = 0.0
    t.decisions["trim_db"] = Decision(0.0, f"Trim 0 dB: {text}.", "prep", "prep.unusable")
    if mute and not t.mute:
        t.mute = True
        t.decisions["mute"] = Decision(True, f"Muted: {text}; nothing is deleted.", "prep", "prep.unusable")


def _is_unusable(f: SourceFacts | None) -> bool:
    return f is not None and (f.seconds < MIN_STEM_S or f.dc_only is not None)


def to_mono(x: np.ndarray) -> np.ndarray:
    """Fake-stereo audio as one channel (the mean of two identical channels)."""
    return x.mean(axis=0, keepdims=True, dtype=np.float32) if x.shape[0] == 2 else x


def _warn(session: Session, report: PrepReport, t: Track, code: str, *args: object) -> str:
    text = message(code, *args)
    w = Skipped(t.source, code, text)
    session.warnings.append(w)
    report.problems.append(w)
    return text


def _problems(
    session: Session,
    audio: dict[str, np.ndarray],
    analyses: dict[str, TrackAnalysis],
    facts: dict[str, SourceFacts],
    peaks: dict[str, np.ndarray],
    report: PrepReport,
) -> dict[str, list[tuple[float, float]]]:
    """Handle and report every problem; returns the edit cuts (seconds) per track id."""
    sr = session.sample_rate
    by_source = {t.source_id: t for t in session.tracks}
    cuts: dict[str, list[tuple[float, float]]] = {}
    usable = any(not _is_unusable(facts.get(t.source_id)) for t in session.tracks)
    for t in session.tracks:
        f = facts.get(t.source_id)
        a = analyses[t.source_id]
        x = audio[t.source_id]
        if f is not None and _is_unusable(f):
            _unusable(session, report, t, f, mute=usable)
            continue
        if f is not None and f.duplicate_of is not None:
            first = session.sources[f.duplicate_of]
            ft = by_source.get(first.id)
            other = f"'{ft.name}'" if ft else Path(first.path).name
            text = _warn(session, report, t, "FP-W023", other)
            t.mute = True
            t.decisions["mute"] = Decision(
                True, f"Muted: {text}; nothing is deleted.", "prep", "prep.duplicate"
            )
            t.analysis["duplicate_of"] = first.path
        if not a.silent and a.peak_db < NEAR_SILENT_DB and not t.mute:
            text = _warn(session, report, t, "FP-W024", a.peak_db)
            t.mute = True
            t.decisions["mute"] = Decision(True, f"Muted: {text}.", "prep", "prep.silence")
        if f is not None and f.fake_stereo and t.channels == 2:
            text = _warn(session, report, t, "FP-W022", f.stereo_diff_db)
            t.channels = 1
            t.decisions["channels"] = Decision(
                1,
                f"Mono: both channels carry the same signal (L - R {f.stereo_diff_db:.0f} dB under it), "
                "so it is one source and pans as one.",
                "prep",
                "prep.fake_stereo",
            )
        if f is not None and f.clipping.runs:
            c = f.clipping
            _warn(session, report, t, "FP-W021", c.runs, c.longest, c.first_s or 0.0)
            t.analysis["clipped_runs"] = c.runs
            t.analysis["clipped_samples"] = c.samples
        if a.silent or t.mute:
            continue
        dc = cleanup.dc_offset(x, sr)
        if abs(dc) >= cleanup.DC_THRESHOLD:
            _warn(session, report, t, "FP-W020", dc, 20 * np.log10(abs(dc)), DC_HIGHPASS["freq_hz"])
            t.analysis["dc_offset"] = round(dc, 6)
            p = Processor(
                "highpass_dc",
                "highpass",
                dict(DC_HIGHPASS),
                decision=Decision(
                    dict(DC_HIGHPASS),
                    f"High-pass at {DC_HIGHPASS['freq_hz']:g} Hz: removes the DC offset of {dc:+.4f} "
                    f"({20 * np.log10(abs(dc)):.0f} dBFS) that eats headroom and thumps at every edit; "
                    "nothing audible is touched (-0.02 dB at 20 Hz).",
                    "prep",
                    "prep.dc",
                ),
            )
            t.chain.insert(0, p)
        z = cleanup.hard_edits(x, sr, peaks.get(t.source_id))
        if z.edits:
            first_edit = z.edits[0]
            _warn(session, report, t, "FP-W025", len(z.edits), first_edit.time_s)
            t.analysis["hard_edits"] = [e.time_s for e in z.edits[:20]]
            hard = [(e.index, e.kind) for e in z.edits]
            cuts[t.id] = reg.edit_cuts(z.runs, hard, sr, reg.settings_for(t.role.value))
    return cuts


def _strip(
    session: Session,
    peaks: dict[str, np.ndarray],
    cuts: dict[str, list[tuple[float, float]]],
    report: PrepReport,
    workers: int,
) -> None:
    """Strip silence on every audible track (bleed-aware for close mics on a kit)."""
    sr = session.sample_rate
    frames = int(round(session.length_s * sr))
    live = [t for t in session.tracks if not t.mute]
    envs = {t.id: reg.level_db(peaks[t.source_id]) for t in live}
    same_source = {}
    for g in align_mod.multi_mic_groups(live):
        for t in g:
            same_source[t.id] = {m.id for m in g}
    kit = {t.id: reg.kit_track(envs[t.id]) for t in live if t.role.value in reg.KIT_ROLES}

    def one(t: Track) -> tuple[list[Region], bool]:
        s = reg.settings_for(t.role.value)
        bleed = None
        if t.role.value in reg.CLOSE_MIC_ROLES:
            mine = same_source.get(t.id, {t.id})
            others = [k for tid, k in kit.items() if tid not in mine]
            if others:
                bleed = reg.bleed_level(envs[t.id], others)
        rs = reg.strip_silence(envs[t.id], sr, frames, s, bleed, cuts.get(t.id))
        return rs, bleed is not None

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(one, live))
    for t, (rs, bleed_aware) in zip(live, results, strict=True):
        if not rs:
            continue  # nothing clears the threshold: leave the track whole
        s = reg.settings_for(t.role.value)
        kept = sum(r.end_s - r.start_s for r in rs)
        t.regions = rs
        how = (
            f"where it plays clear of the kit's bleed (at least {s.bleed_margin_db:g} dB over what the "
            "other drum mics predict) and "
            if bleed_aware
            else ""
        )
        t.decisions["regions"] = Decision(
            len(rs),
            f"Kept {len(rs)} region{'s' if len(rs) != 1 else ''} ({kept:.1f} s of {session.length_s:.1f} s) "
            f"{how}above {s.below_top_db:g} dB under its loud parts, with {s.pre_roll_s * 1000:g} ms "
            f"pre-roll, {s.post_roll_s * 1000:g} ms post-roll, gaps under {s.min_gap_s:g} s kept and "
            f"{s.fade_in_ms:g}/{s.fade_out_ms:g} ms fades so no edge clicks.",
            "prep",
            "prep.strip_silence",
        )
        report.regions.append(RegionSummary(t.name, len(rs), round(kept, 2), session.length_s, bleed_aware))


def _align(session: Session, audio: dict[str, np.ndarray], report: PrepReport) -> None:
    """Polarity and time alignment; every value set gets its reason."""
    sr = session.sample_rate
    p = align_mod.plan(session.tracks, audio, sr)
    for t in session.tracks:
        d = p.delay.get(t.id, 0)
        why = " ".join(p.reasons.get(t.id, []))
        if d:
            t.delay_ms = round(d * 1000.0 / sr, 6)
            t.decisions["delay_ms"] = Decision(t.delay_ms, why, "prep", "prep.align")
        if p.flip.get(t.id, False):
            t.polarity_inverted = not t.polarity_inverted
            t.decisions["polarity_inverted"] = Decision(t.polarity_inverted, why, "prep", "prep.align")
    names = {t.id: t for t in session.tracks}
    for tid, other, corr in p.weak:
        t = names[tid]
        _warn(session, report, t, "FP-W026", f"'{other}'", corr)
    report.alignments = p.steps
    report.align_notes = p.skipped


def tidy(
    session: Session,
    audio: dict[str, np.ndarray],
    analyses: dict[str, TrackAnalysis],
    facts: dict[str, SourceFacts] | None = None,
    workers: int = 2,
    progress: Callable[[str, int, int], None] | None = None,
) -> PrepReport:
    """Clean up a draft session in place: problems, strip silence, alignment.

    ``audio`` and ``analyses`` are keyed by source id (audio at the session rate, aligned at 0);
    ``facts`` come from :func:`inspect_sources`, keyed by source id.
    """
    report = PrepReport()
    step = progress or (lambda stage, done, total: None)
    sr = session.sample_rate
    hop = cleanup.block_samples(sr)
    used = sorted({t.source_id for t in session.tracks})
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:  # the 1 ms peaks, read once
        peaks = dict(zip(used, pool.map(lambda sid: cleanup.block_peaks(audio[sid], hop), used), strict=True))
    cuts = _problems(session, audio, analyses, facts or {}, peaks, report)
    step("cleanup", 1, 3)
    _strip(session, peaks, cuts, report, workers)
    step("cleanup", 2, 3)
    _align(session, audio, report)
    step("cleanup", 3, 3)
    return report
