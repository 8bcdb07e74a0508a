"""``mix()``: the whole job, read as the pipeline it is (load, check, analyse, prep, decide,
render, save). Every stage is a call into the module that owns it.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__
from .analysis.loudness import integrated_loudness, programme_loudness, true_peak_db
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
from .decide import apply, context, decide, headroom
from .decide.priors import load as load_priors
from .decide.priors import provenance as priors_provenance
from .messages import message
from .prep import template as templates
from .prep.process import PrepReport, SourceFacts, inspect_sources, tidy, to_mono
from .prep.setup import prepare
from .render.chain import db_to_gain, run_chain
from .render.engine import render
from .session.io import save, write_text_atomic
from .session.model import Decision, Processor, Session, Skipped, Source, Track

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
    prep: PrepReport | None = None


def _noop(stage: str, done: int, total: int) -> None:
    return None


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
    progress = progress or _noop
    workers = workers or min(4, os.cpu_count() or 1)
    stems_dir = Path(stems_dir).resolve()
    if out_dir is not None:
        out_dir = Path(out_dir).resolve()
        if out_dir == stems_dir or stems_dir in out_dir.parents:
            raise FaderpilotError(f"{out_dir}: {message('FP-E005')}")
    tpl = templates.load(template) if template is not None else None
    files, ignored = find_stems(stems_dir, exclude)
    loaded, skipped = load_stems(files, workers, progress)
    if not loaded:
        raise FaderpilotError(message("FP-E004", stems_dir))

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


def mix(
    stems_dir: str | Path,
    out_dir: str | Path,
    *,
    sample_rate: int | None = None,
    target_lufs: float | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    rough: str | Path | None = None,
    template: str | Path | None = None,
    report: bool = True,
    daws: tuple[str, ...] | None = None,
    profile: str | Path | None = None,
    priors: str | Path | None = None,
) -> MixResult:
    """Mix a folder of stems into OUT_DIR: session.json, mix.wav, stems/ (and mix_master.wav).

    Sources are only read. Unreadable files are skipped and reported; the job goes on.
    With ``rough`` (the producer's rough mix), the session is first fitted to it (written as
    decisions of origin "rough", checked by rendering OUT_DIR/rough_match.wav), then the rules
    run in "respect the rough" mode.
    ``report=False`` skips OUT_DIR/report.html (``faderpilot report OUT_DIR`` writes it later).
    ``daws`` names the DAW sessions to write beside the mix (default: every writer available;
    ``()`` for none, ``faderpilot export`` writes them later).
    ``profile`` (from ``faderpilot learn``) applies the user's learned departures after the rules,
    as decisions of origin "profile", and sets the master loudness when ``target_lufs`` is not given.
    ``priors``: balance priors learned from other songs (``eval/balance_real.py``); default: the
    committed ones, learned from the real songs they list.
    """
    t0 = time.perf_counter()
    progress = progress or _noop
    workers = workers or min(4, os.cpu_count() or 1)
    stems_dir, out_dir = Path(stems_dir).resolve(), Path(out_dir).resolve()
    if out_dir == stems_dir or stems_dir in out_dir.parents:
        raise FaderpilotError(f"{out_dir}: {message('FP-E005')}")
    p = prep(stems_dir, None, sample_rate=sample_rate, workers=workers, progress=progress, template=template)
    session, audio, sr, ignored = p.session, p.audio, p.session.sample_rate, p.ignored
    ctx = context(session, p.analyses)
    ctx.priors = load_priors(priors)
    matched = None
    if rough is not None:
        from .match import match_session, provenance_entry

        progress("matching", 0, 1)
        matched = match_session(session, audio, rough, workers=workers)
        session.warnings.extend(matched.notes)
        out_dir.mkdir(parents=True, exist_ok=True)
        write_wav_atomic(out_dir / "rough_match.wav", matched.render, sr)
        progress("matching", 1, 1)
    decide(session, ctx, rough=None if matched is None else {t.id: t.fader_db for t in session.tracks})
    learned = None
    if profile is not None:
        from .profile import load_profile, master_target, profile_moves, profile_provenance

        learned = load_profile(profile)
        moves = profile_moves(ctx, session, learned, balance=matched is None)
        apply(session, moves, origin="profile")
        target = master_target(learned)
        if target is not None and target_lufs is None:
            target_lufs, why = target
            session.master.decisions["target_lufs"] = Decision(target_lufs, why, "profile", "profile.master")
    session.provenance = provenance(session)
    session.provenance["training"] = priors_provenance(ctx.priors)
    if learned is not None:
        session.provenance["profile"] = profile_provenance(learned, profile)
        session.provenance["profile"]["changed"] = len(moves)
    if p.report.template:
        session.provenance["template"] = p.report.template
    if matched is not None:
        session.provenance["rough"] = provenance_entry(matched, rough, sr)
        for t in session.tracks:
            if t.id in matched.matched and not t.mute:
                matched.matched[t.id]["improved_fader_db"] = t.fader_db
                matched.matched[t.id]["improved_pan"] = t.pan

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
    if matched is not None:
        written.append(out_dir / "rough_match.wav")
    progress("writing", 1, 1)

    lufs, lra = programme_loudness(mix_audio, sr)
    if target_lufs is not None:
        written.append(master_to(mix_audio, sr, lufs, target_lufs, out_dir / "mix_master.wav"))

    result = MixResult(
        session=session,
        out_dir=out_dir,
        seconds=0.0,
        mix_lufs=lufs,
        mix_peak_db=float(20 * np.log10(max(float(np.max(np.abs(mix_audio))), 1e-9))),
        mix_true_peak_db=true_peak_db(mix_audio, sr),
        mix_lra_lu=lra,
        files=sorted(written),
        ignored=ignored,
        prep=p.report,
    )
    session.provenance["mix"] = {
        "integrated_lufs": round(lufs, 2),
        "peak_db": round(result.mix_peak_db, 2),
        "true_peak_db": round(result.mix_true_peak_db, 2),
        "lra_lu": round(result.mix_lra_lu, 2),
    }
    save(session, out_dir / "session.json")
    result.seconds = time.perf_counter() - t0
    # the time taken lives beside the session, not in it, so session.json stays byte-identical
    run = {"seconds": round(result.seconds, 2), "faderpilot": __version__, "ignored": ignored}
    write_text_atomic(out_dir / "run.json", json.dumps(run, indent=2) + "\n")
    result.files = sorted([*result.files, out_dir / "run.json"])
    from .export import available, export

    for target in available() if daws is None else daws:
        progress(f"export {target}", 0, 1)
        result.files = sorted([*result.files, export(session, out_dir, target)])
        progress(f"export {target}", 1, 1)
    if report:
        from .export.report import write_report

        progress("report", 0, 1)
        result.files = sorted([*result.files, write_report(out_dir, session)])
        progress("report", 1, 1)
    result.seconds = time.perf_counter() - t0
    return result


def master_to(mix_audio: np.ndarray, sr: int, mix_lufs: float, target_lufs: float, path: Path) -> Path:
    """Render a loudness-normalised master: gain to the target, true-peak limit at -1 dBTP."""
    gain = target_lufs - mix_lufs
    lim = Processor("limiter", "limiter", {"ceiling_db": -1.0, "release_ms": 100.0})
    y = mix_audio * np.float32(db_to_gain(gain))
    for _ in range(8):  # the limiter lowers loudness a little: correct and re-run
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
                "what": "lead vocal about +1 dB over the accompanying parts, weighted as a few "
                "songs in the learned balance",
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
                "what": "balance: equal loudness plus departures learned from real songs",
                "source": "the training songs listed under 'training' (package, file, licence, "
                "SHA-256), fitted by eval/balance_real.py (docs/decisions.md)",
            },
            {
                "what": "role table shapes (high-pass, compression, send levels)",
                "source": "faderpilot's documented engineering defaults (docs/decisions.md)",
            },
        ],
    }


def stem_paths(session: Session, out_dir: str | Path) -> dict[str, Path]:
    """Where ``mix`` prints each stem: track and bus id -> path under OUT_DIR/stems."""
    stems_out = Path(out_dir) / "stems"
    width = max(2, len(str(len(session.tracks) + len(session.buses))))
    paths = {
        t.id: stems_out / f"{n:0{width}d}_{safe_filename(t.name)}.wav"
        for n, t in enumerate(session.tracks, 1)
    }
    n = len(session.tracks)
    for b in session.buses:
        if b.kind != "master":
            n += 1
            paths[b.id] = stems_out / f"{n:0{width}d}_{safe_filename(b.name)} Bus.wav"
    return paths


def load_sources(session: Session, workers: int | None = None) -> dict[str, np.ndarray]:
    """The session's sources decoded and aligned as ``mix`` aligns them: the session rate, all
    starting at 0, padded or cut to the session length (source id -> (channels, frames))."""
    sr = session.sample_rate
    frames = int(round(session.length_s * sr))
    workers = workers or min(4, os.cpu_count() or 1)

    def one(src: Source) -> tuple[str, np.ndarray]:
        try:
            x = read_audio(src.path)
        except AudioReadError as e:
            raise FaderpilotError(f"{src.path}: {e.text}") from None
        return src.id, fit_length(resample(x.audio, x.sample_rate, sr), frames)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(one, session.sources))


def rerender(
    out_dir: str | Path,
    session: Session | None = None,
    strips: set[str] | None = None,
    workers: int | None = None,
) -> list[Path]:
    """Render an existing OUT_DIR again from its session: mix.wav and the printed stems of
    ``strips`` (track and bus ids; None = every stem). The session is read from
    OUT_DIR/session.json unless given. Returns the files written."""
    out_dir = Path(out_dir)
    if session is None:
        from .session.io import load

        session = load(out_dir / "session.json")
    workers = workers or min(4, os.cpu_count() or 1)
    audio = load_sources(session, workers)
    paths = stem_paths(session, out_dir)
    sr = session.sample_rate
    written: list[Path] = []

    def on_track(track: Track, stem: np.ndarray) -> None:
        if strips is None or track.id in strips:
            write_wav_atomic(paths[track.id], stem, sr, subtype="FLOAT")
            written.append(paths[track.id])

    rendered = render(session, audio, on_track=on_track, workers=workers)
    for b in session.buses:
        if b.kind != "master" and (strips is None or b.id in strips):
            write_wav_atomic(paths[b.id], rendered.bus_stems[b.id], sr, subtype="FLOAT")
            written.append(paths[b.id])
    write_wav_atomic(out_dir / "mix.wav", rendered.mix, sr)
    written.append(out_dir / "mix.wav")
    return sorted(written)
