"""``prep()``: a folder of stems to a prepared session (load, check, analyse, set up, clean up),
read as the stage it is. ``mix`` runs it first; ``faderpilot prep`` runs it alone.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..analysis.measure import TrackAnalysis, analyse
from ..analysis.roles import classify
from ..audio.io import (
    AUDIO_SUFFIXES,
    AudioReadError,
    Loaded,
    check_destination,
    fit_length,
    read_audio,
    resample,
)
from ..messages import FaderpilotError, Progress, message, noop
from ..session.io import save
from ..session.model import Session, Skipped, Source
from ..version import __version__
from . import template as templates
from .process import PrepReport, SourceFacts, inspect_sources, tidy, to_mono
from .setup import prepare


def find_stems(stems_dir: Path, exclude: tuple[Path, ...] = ()) -> tuple[list[Path], list[str]]:
    """Audio files in a folder (sorted, so runs are deterministic) and the other files ignored;
    ``exclude`` names files that are not stems (a past song's own mix beside them)."""
    if not stems_dir.is_dir():
        raise FaderpilotError(f"{stems_dir}: not a folder of stems")
    files, ignored = [], []
    skip = {Path(p).resolve() for p in exclude}
    for p in sorted(stems_dir.iterdir(), key=lambda p: p.name.lower()):
        if p.name.startswith(".") or not p.is_file() or p.resolve() in skip:
            continue
        (files if p.suffix.lower() in AUDIO_SUFFIXES else ignored).append(p)
    return files, [p.name for p in ignored]


def unread_entries(stems_dir: Path) -> list[Skipped]:
    """What ``find_stems`` passes over that a user may have meant as stems, each with a code: a
    link that loops or leads nowhere (FP-W045), a subfolder holding audio files (FP-W046; stems
    in subfolders are not read, so alternates or old bounces kept there never slip into a mix)."""
    out: list[Skipped] = []
    for p in sorted(stems_dir.iterdir(), key=lambda p: p.name.lower()):
        if p.name.startswith("."):
            continue
        if p.is_symlink() and not p.exists():
            out.append(Skipped(str(p), "FP-W045", message("FP-W045")))
        elif p.is_dir():
            try:
                n = sum(
                    1
                    for q in p.iterdir()
                    if not q.name.startswith(".") and q.suffix.lower() in AUDIO_SUFFIXES and q.is_file()
                )
            except OSError:
                n = 0
            if n:
                out.append(Skipped(str(p), "FP-W046", message("FP-W046", n)))
    return out


#: Folder names that say "the stems" rather than the song: the song is named after the folder above.
GENERIC_FOLDERS = frozenset(
    "stems stem audio tracks bounces export exports multitracks multitrack wav wavs".split()
    + ["audio files", "bounced files", "stem export", "stem exports"]
)


def song_name(stems_dir: Path) -> str:
    """The song's name: the stems folder's, or its parent's when the folder is called "stems",
    "Audio Files", "Bounces", "export"... (a name that says what is in it, not which song)."""
    name = stems_dir.name
    if name.strip().lower() in GENERIC_FOLDERS and stems_dir.parent.name:
        return stems_dir.parent.name
    return name


def session_rate(rates: list[int]) -> int:
    """The most common sample rate among the stems (ties go to the higher rate)."""
    counts = Counter(rates)
    return max(counts, key=lambda r: (counts[r], r))


def load_stems(files: list[Path], workers: int, progress: Progress) -> tuple[list[Loaded], list[Skipped]]:
    """Decode every stem; unreadable ones become Skipped entries naming the file and the reason."""
    loaded: list[Loaded | None] = [None] * len(files)
    skipped: list[Skipped] = []
    done = 0

    def one(i: int) -> None:
        try:
            loaded[i] = read_audio(files[i])
        except AudioReadError as e:
            skipped.append(Skipped(str(files[i]), e.code, e.text))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in pool.map(one, range(len(files))):
            done += 1
            progress("loading", done, len(files))
    skipped.sort(key=lambda s: s.path)
    return [x for x in loaded if x is not None], skipped


@dataclass
class PrepResult:
    """What ``prep`` made: the prepared session, the decoded audio and measurements it was made
    from (keyed by source id), and what cleanup found."""

    session: Session
    audio: dict[str, np.ndarray]
    analyses: dict[str, TrackAnalysis]
    report: PrepReport
    out_dir: Path | None = None
    seconds: float = 0.0
    ignored: list[str] = field(default_factory=list)


def prep(
    stems_dir: str | Path,
    out_dir: str | Path | None = None,
    *,
    sample_rate: int | None = None,
    template: str | Path | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    exclude: tuple[Path, ...] = (),
) -> PrepResult:
    """Prepare a folder of stems: load, check, analyse, set up (names, roles, colours, order,
    buses, gain staging, a template), clean up (problems, strip silence, alignment).

    No mixing decision beyond gain staging. With ``out_dir`` the session is written to
    OUT_DIR/session.json; ``mix`` runs this first, without writing. ``exclude``: files in the
    folder that are not stems.
    """
    t0 = time.perf_counter()
    progress = progress or noop
    workers = workers or min(4, os.cpu_count() or 1)
    stems_dir = Path(stems_dir).resolve()
    if out_dir is not None:
        out_dir = Path(out_dir).resolve()
        check_destination(out_dir, [stems_dir])
    tpl = templates.load(template) if template is not None else None
    files, ignored = find_stems(stems_dir, exclude)
    loaded, skipped = load_stems(files, workers, progress)
    skipped = sorted(skipped + unread_entries(stems_dir), key=lambda s: s.path)
    if not loaded:
        if skipped:  # name every file and why it could not be used
            why = "; ".join(f"{Path(s.path).name}: {s.message} [{s.code}]" for s in skipped)
            raise FaderpilotError(f"{message('FP-E010', stems_dir, why)} [FP-E010]")
        raise FaderpilotError(f"{message('FP-E004', stems_dir)} [FP-E004]")

    # facts the files show before resampling: clipped runs, fake stereo, duplicates
    names = [x.path.name for x in loaded]
    facts_list = inspect_sources([(x.audio, x.sample_rate) for x in loaded], workers, names)

    # align: one rate, all start at 0, padded to the longest
    sr = sample_rate or session_rate([x.sample_rate for x in loaded])
    for x in loaded:
        if x.sample_rate != sr:
            x.audio = resample(x.audio, x.sample_rate, sr)
    frames = max(x.audio.shape[1] for x in loaded)
    sources: list[Source] = []
    audio: dict[str, np.ndarray] = {}
    notes: list[Skipped] = []
    facts: dict[str, SourceFacts] = {}
    for i, x in enumerate(loaded, 1):
        sid = f"s{i:02d}"
        audio[sid] = fit_length(x.audio, frames)
        facts[sid] = facts_list[i - 1]
        if facts[sid].fake_stereo:  # identical channels: analysed and rendered as mono
            audio[sid] = to_mono(audio[sid])
        sources.append(
            Source(
                sid,
                str(x.path),
                x.sha256,
                x.sample_rate,
                x.audio.shape[0],
                int(round(x.audio.shape[1] * x.sample_rate / sr)),
                x.format,
                x.subtype,
            )
        )
        if x.sample_rate != sr:
            notes.append(Skipped(str(x.path), "FP-W001", message("FP-W001", x.sample_rate, sr)))
        notes.extend(Skipped(str(x.path), code, text) for code, text in x.notes)

    # analyse (threads: numpy/scipy release the GIL in the heavy parts)
    analyses: list[TrackAnalysis | None] = [None] * len(sources)
    guesses = [None] * len(sources)
    done = 0

    def one(i: int) -> None:
        x = audio[sources[i].id]
        analyses[i] = analyse(x, sr)
        guesses[i] = classify(Path(sources[i].path).name, x, sr)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in pool.map(one, range(len(sources))):
            done += 1
            progress("analysis", done, len(sources))

    session = prepare(song_name(stems_dir), sr, frames, sources, analyses, guesses, skipped)  # type: ignore[arg-type]
    session.warnings[:0] = notes
    by_source = {src.id: a for src, a in zip(sources, analyses, strict=True)}
    if tpl is not None:
        templates.apply(session, tpl)
    report = tidy(session, audio, by_source, facts, workers, progress)  # type: ignore[arg-type]
    report.template = tpl.label if tpl is not None else None
    result = PrepResult(session, audio, by_source, report, out_dir, 0.0, ignored)  # type: ignore[arg-type]
    if out_dir is not None:
        session.provenance = {
            "program": f"faderpilot {__version__}",
            "stage": "prep",
            "template": report.template,
        }
        save(session, out_dir / "session.json")
    result.seconds = time.perf_counter() - t0
    return result
