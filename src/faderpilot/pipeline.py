"""``mix()``: the whole job, read as the pipeline it is (load, check, analyse, prep, decide,
render, save). Every stage is a call into the module that owns it.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__
from .analysis.loudness import (
    integrated_loudness,
    loudness_range,
    short_term_loudness,
    true_peak_db,
)
from .analysis.measure import TrackAnalysis, analyse
from .analysis.roles import classify
from .audio.io import (
    AUDIO_SUFFIXES,
    AudioReadError,
    Loaded,
    fit_length,
    read_audio,
    resample,
    safe_filename,
    write_wav_atomic,
)
from .decide import Context, apply, decide, headroom
from .messages import message
from .prep.setup import naming_facts, prepare
from .render.chain import db_to_gain, run_chain
from .render.engine import render
from .session.io import save
from .session.model import Processor, Session, Skipped, Source, Track

#: progress(stage, done, total)
Progress = Callable[[str, int, int], None]


class FaderpilotError(Exception):
    """A job that cannot go on; the message names the file or folder and the problem."""


@dataclass
class MixResult:
    """What ``mix`` made: the session, where it wrote things, and figures for the summary."""

    session: Session
    out_dir: Path
    seconds: float
    mix_lufs: float
    mix_peak_db: float
    mix_true_peak_db: float
    mix_lra_lu: float
    files: list[Path] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _noop(stage: str, done: int, total: int) -> None:
    return None


def find_stems(stems_dir: Path) -> tuple[list[Path], list[str]]:
    """Audio files in a folder (sorted, so runs are deterministic) and the other files ignored."""
    if not stems_dir.is_dir():
        raise FaderpilotError(f"{stems_dir}: not a folder of stems")
    files, ignored = [], []
    for p in sorted(stems_dir.iterdir(), key=lambda p: p.name.lower()):
        if p.name.startswith(".") or not p.is_file():
            continue
        (files if p.suffix.lower() in AUDIO_SUFFIXES else ignored).append(p)
    return files, [p.name for p in ignored]


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


def mix(
    stems_dir: str | Path,
    out_dir: str | Path,
    *,
    sample_rate: int | None = None,
    target_lufs: float | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> MixResult:
    """Mix a folder of stems into OUT_DIR: session.json, mix.wav, stems/ (and mix_master.wav).

    Sources are only read. Unreadable files are skipped and reported; the job goes on.
    """
    t0 = time.perf_counter()
    progress = progress or _noop
    workers = workers or min(4, os.cpu_count() or 1)
    stems_dir, out_dir = Path(stems_dir).resolve(), Path(out_dir).resolve()
    if out_dir == stems_dir or stems_dir in out_dir.parents:
        raise FaderpilotError(f"{out_dir}: {message('FP-E005')}")
    files, ignored = find_stems(stems_dir)
    loaded, skipped = load_stems(files, workers, progress)
    if not loaded:
        raise FaderpilotError(message("FP-E004", stems_dir))

    # align: one rate, all start at 0, padded to the longest
    sr = sample_rate or session_rate([x.sample_rate for x in loaded])
    for x in loaded:
        if x.sample_rate != sr:
            x.audio = resample(x.audio, x.sample_rate, sr)
    frames = max(x.audio.shape[1] for x in loaded)
    sources: list[Source] = []
    audio: dict[str, np.ndarray] = {}
    notes: list[Skipped] = []
    for i, x in enumerate(loaded, 1):
        sid = f"s{i:02d}"
        audio[sid] = fit_length(x.audio, frames)
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

    session = prepare(stems_dir.name, sr, frames, sources, analyses, guesses, skipped)  # type: ignore[arg-type]
    session.warnings[:0] = notes
    by_track = {t.id: analyses[int(t.source_id[1:]) - 1] for t in session.tracks}
    keys, sides = naming_facts(session)
    ctx = Context(sample_rate=sr, analyses=by_track, pair_keys=keys, sides=sides)  # type: ignore[arg-type]
    decide(session, ctx)
    session.provenance = provenance(session)

    # render: track stems stream to disk as they are made
    stems_out = out_dir / "stems"
    width = max(2, len(str(len(session.tracks) + len(session.buses))))
    written: list[Path] = []
    done = 0

    def on_track(track: Track, stem: np.ndarray) -> None:
        nonlocal done
        n = session.tracks.index(track) + 1
        path = stems_out / f"{n:0{width}d}_{safe_filename(track.name)}.wav"
        write_wav_atomic(path, stem, sr, subtype="FLOAT")
        written.append(path)
        done += 1
        progress("rendering", done, len(session.tracks))

    rendered = render(session, audio, on_track=on_track, workers=workers)
    peak = float(np.max(np.abs(rendered.mix))) if rendered.mix.size else 0.0
    peak_db = 20 * np.log10(max(peak, 1e-9))
    mv = headroom(peak_db)
    apply(session, [mv])
    mix_audio = rendered.mix * np.float32(db_to_gain(mv.value))
    n = len(session.tracks)
    for b in session.buses:
        if b.kind != "master":
            n += 1
            path = stems_out / f"{n:0{width}d}_{safe_filename(b.name)} Bus.wav"
            write_wav_atomic(path, rendered.bus_stems[b.id], sr, subtype="FLOAT")
            written.append(path)
    write_wav_atomic(out_dir / "mix.wav", mix_audio, sr)
    written.append(out_dir / "mix.wav")
    progress("writing", 1, 1)

    if target_lufs is not None:
        written.append(master_to(mix_audio, sr, target_lufs, out_dir / "mix_master.wav"))

    lufs = integrated_loudness(mix_audio, sr)
    result = MixResult(
        session=session,
        out_dir=out_dir,
        seconds=0.0,
        mix_lufs=lufs,
        mix_peak_db=float(20 * np.log10(max(float(np.max(np.abs(mix_audio))), 1e-9))),
        mix_true_peak_db=true_peak_db(mix_audio, sr),
        mix_lra_lu=loudness_range(short_term_loudness(mix_audio, sr, 0.5)),
        files=sorted(written),
        ignored=ignored,
    )
    session.provenance["mix"] = {
        "integrated_lufs": round(lufs, 2),
        "peak_db": round(result.mix_peak_db, 2),
        "true_peak_db": round(result.mix_true_peak_db, 2),
        "lra_lu": round(result.mix_lra_lu, 2),
    }
    save(session, out_dir / "session.json")
    result.seconds = time.perf_counter() - t0
    return result


def master_to(mix_audio: np.ndarray, sr: int, target_lufs: float, path: Path) -> Path:
    """Render a loudness-normalised master: gain to the target, true-peak limit at -1 dBTP."""
    gain = target_lufs - integrated_loudness(mix_audio, sr)
    lim = Processor("limiter", "limiter", {"ceiling_db": -1.0, "release_ms": 100.0})
    y = mix_audio * np.float32(db_to_gain(gain))
    for _ in range(3):  # the limiter lowers loudness a little: correct and re-run
        out = run_chain(y, [lim], sr)
        err = target_lufs - integrated_loudness(out, sr)
        if abs(err) < 0.1:
            break
        y = y * np.float32(db_to_gain(err))
    write_wav_atomic(path, out, sr)
    return path


def provenance(session: Session) -> dict:
    """What shaped this session: the program, the built-in priors and where they come from."""
    return {
        "program": f"faderpilot {__version__}",
        "profile": None,
        "notes": [],
        "priors": [
            {
                "what": "lead-to-accompaniment ratio +1 dB",
                "source": "Gerdes & Siedenburg, Lead-vocal level in recordings of popular music "
                "1946-2020, JASA Express Letters 3, 043201 (2023)",
            },
            {
                "what": "lead vocal about as loud as the rest; reverb about 9 LU under the dry signal",
                "source": "Pestana & Reiss, Intelligent audio production strategies informed by "
                "best practices, AES 53rd Int. Conf. on Semantic Audio (2014)",
            },
            {
                "what": "panning practice: low end and lead centred, similar sources spread",
                "source": "Perez-Gonzalez & Reiss, A real-time semiautonomous audio panning system "
                "for music mixing, EURASIP J. Adv. Signal Process. (2010)",
            },
            {
                "what": "loudness measurement (K-weighting, gating, loudness range)",
                "source": "ITU-R BS.1770-4; EBU Tech 3341 and 3342",
            },
            {
                "what": "role table shapes (relative levels, high-pass, compression, send levels)",
                "source": "faderpilot's documented engineering defaults (docs/decisions.md); "
                "no training data",
            },
        ],
    }
