"""``mix()``: the whole job, read as the pipeline it is (load, check, analyse, prep, decide,
render, save). Every stage is a call into the module that owns it.

Names that moved to their owners stay importable from here (imported ``as`` themselves):
``prep`` and its parts from :mod:`faderpilot.prep.pipeline`, ``load_sources`` from
:mod:`faderpilot.audio.io`, ``FaderpilotError`` and ``Progress`` from :mod:`faderpilot.messages`.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .analysis.loudness import integrated_loudness, programme_loudness, true_peak_db
from .audio.io import check_destination, write_wav_atomic
from .audio.io import load_sources as load_sources
from .decide import apply, context, decide
from .decide import headroom as headroom_move
from .decide.base import Context, audible_tracks
from .decide.dynamics import calibrate_makeup
from .decide.master import PEAK_TARGET_DB
from .decide.priors import load as load_priors
from .decide.priors import provenance as priors_provenance
from .match import RoughMatch, match_session, provenance_entry
from .messages import FaderpilotError as FaderpilotError
from .messages import Progress as Progress
from .messages import message
from .messages import noop as _noop
from .prep.pipeline import PrepResult as PrepResult
from .prep.pipeline import find_stems as find_stems
from .prep.pipeline import load_stems as load_stems
from .prep.pipeline import prep as prep
from .prep.pipeline import session_rate as session_rate
from .prep.process import PrepReport
from .render.chain import db_to_gain, run_chain
from .render.engine import Rendered, compressor_changes_db, render, render_bus
from .render.plan import build as build_plan
from .render.plan import stem_paths as stem_paths
from .session.io import save, write_text_atomic
from .session.model import Decision, Processor, Session, Skipped, Track
from .version import __version__


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
    force: bool = False,
    ardour_native: bool = False,
) -> MixResult:
    """Mix a folder of stems into OUT_DIR: session.json, mix.wav, stems/ (and mix_master.wav).

    Sources are only read. Unreadable files are skipped and reported; the job goes on.
    With ``rough`` (the producer's rough mix), the session is first fitted to it (written as
    decisions of origin "rough", checked by rendering OUT_DIR/rough_match.wav), then the rules
    run in "respect the rough" mode.
    ``report=False`` skips OUT_DIR/report.html (``faderpilot report OUT_DIR`` writes it later).
    ``daws`` names the DAW sessions to write beside the mix (default: every writer available;
    ``()`` for none, ``faderpilot export`` writes them later). ``ardour_native``: the Ardour
    session on Ardour's ACE plugins (approximations) instead of faderpilot's own Lua processors.
    ``profile`` (from ``faderpilot learn``) applies the user's learned departures after the rules,
    as decisions of origin "profile", and sets the master loudness when ``target_lufs`` is not given.
    ``priors``: balance priors learned from other songs (``eval/balance_real.py``); default: the
    committed ones, learned from the real songs they list.
    An OUT_DIR whose session.json holds notes or edits (its history) is refused (FP-E022) unless
    ``force``; then that session is kept beside the new one as session.before-<time>.json
    (FP-W061), so nothing the user made is lost.
    """
    t0 = time.perf_counter()
    progress = progress or _noop
    workers = workers or min(4, os.cpu_count() or 1)
    stems_dir, out_dir = Path(stems_dir).resolve(), Path(out_dir).resolve()
    check_destination(out_dir, [stems_dir])
    edited = edited_history(out_dir)
    if edited and not force:
        raise FaderpilotError(f"{message('FP-E022', out_dir, edited, _kept_name())} [FP-E022]")
    p = prep(stems_dir, None, sample_rate=sample_rate, workers=workers, progress=progress, template=template)
    session, audio, sr = p.session, p.audio, p.session.sample_rate
    if edited:
        kept = out_dir / _kept_name()
        shutil.copy2(out_dir / "session.json", kept)
        session.warnings.append(Skipped(str(kept), "FP-W061", message("FP-W061", edited, kept.name)))
    ctx = context(session, p.analyses)
    ctx.priors = load_priors(priors)
    matched = None if rough is None else _match_rough(session, audio, rough, out_dir, workers, progress)
    # a track whose level the rough does not pin down (FP-W052) is balanced by the rules
    rough_faders = (
        None
        if matched is None
        else {
            t.id: t.fader_db
            for t in session.tracks
            if matched.matched.get(t.id, {}).get("gain_reliable", True)
        }
    )
    decide(session, ctx, rough=rough_faders)
    learned = None
    if profile is not None:
        learned, target_lufs = _apply_profile(session, ctx, profile, matched is None, target_lufs)
    keep_compressed_loudness(session, audio, workers)
    _record_provenance(session, ctx, p.report, matched, rough, learned, profile)

    if target_lufs is not None and "target_lufs" not in session.master.decisions:
        # stored so that a re-render after a note or an edit makes mix_master.wav again
        session.master.decisions["target_lufs"] = Decision(
            float(target_lufs),
            f"Master loudness {target_lufs:g} LUFS asked for (--target-lufs): mix_master.wav is "
            "mix.wav brought to it, true-peak limited at -1 dBTP; mix.wav keeps its headroom.",
            "user",
            "cli.target_lufs",
        )
    mix_audio, written = print_mix(session, audio, out_dir, workers=workers, progress=progress)
    if matched is not None:
        written.append(out_dir / "rough_match.wav")
    lufs, lra = programme_loudness(mix_audio, sr)
    if target_lufs is not None:
        written.append(master_to(mix_audio, sr, lufs, target_lufs, out_dir / "mix_master.wav"))
    peak, true_peak = _peak_db(mix_audio), true_peak_db(mix_audio, sr)
    result = MixResult(session, out_dir, 0.0, lufs, peak, true_peak, lra, [], p.ignored, p.report)
    session.provenance["mix"] = {
        "integrated_lufs": round(lufs, 2),
        "peak_db": round(result.mix_peak_db, 2),
        "true_peak_db": round(result.mix_true_peak_db, 2),
        "lra_lu": round(result.mix_lra_lu, 2),
    }
    save(session, out_dir / "session.json")
    # the time taken lives beside the session, not in it, so session.json stays byte-identical
    run = {"seconds": round(time.perf_counter() - t0, 2), "faderpilot": __version__, "ignored": p.ignored}
    write_text_atomic(out_dir / "run.json", json.dumps(run, indent=2) + "\n")
    written += [out_dir / "run.json", *write_views(session, out_dir, daws, report, progress, ardour_native)]
    result.files = sorted(written)
    result.seconds = time.perf_counter() - t0
    return result


def keep_compressed_loudness(session: Session, audio: dict[str, np.ndarray], workers: int) -> None:
    """Set every compressor's makeup from what it measurably takes on its track's audio
    (``decide.dynamics.calibrate_makeup``), keeping the decision's origin, so each printed stem
    lands at the loudness its fader was set for."""
    from concurrent.futures import ThreadPoolExecutor

    sr = session.sample_rate
    compressed = [t for t in audible_tracks(session) if any(p.kind == "compressor" for p in t.chain)]
    tracks = [t for t in compressed if t.source_id in audio]
    origin = {p.id: p.decision.origin for t in tracks for p in t.chain if p.decision is not None}
    for _ in range(3):  # a later pass measures a compressor made gentler in the one before
        with ThreadPoolExecutor(max(1, workers)) as pool:
            changes = dict(
                zip(
                    [t.id for t in tracks],
                    pool.map(lambda t: compressor_changes_db(t, audio[t.source_id], sr), tracks),
                    strict=True,
                )
            )
        moves = calibrate_makeup(session, changes)
        for m in moves:
            apply(session, [m], origin=origin.get(m.value.id, "rules"))
        # a move that kept its makeup raised the threshold instead (a makeup move always changes
        # it): that compressor is measured again
        again = {m.target for m in moves if m.value.params.get("makeup_db") == m.refs["static_makeup_db"]}
        tracks = [t for t in tracks if t.id in again]
        if not tracks:
            break


def edited_history(out_dir: Path) -> int:
    """How many notes and edits the session.json in OUT_DIR holds (0: none, no session, or one
    that cannot be read as a session: then there is no history to keep)."""
    try:
        d = json.loads((out_dir / "session.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    history = d.get("history") if isinstance(d, dict) else None
    return len(history) if isinstance(history, list) else 0


def _kept_name() -> str:
    """Where ``mix --force`` keeps the session it replaces (beside it, named by the time)."""
    return f"session.before-{time.strftime('%Y%m%d-%H%M%S')}.json"


def _match_rough(
    session: Session,
    audio: dict[str, np.ndarray],
    rough: str | Path,
    out_dir: Path,
    workers: int,
    progress: Progress,
) -> RoughMatch:
    """Fit the session to the producer's rough (decisions of origin "rough"); the matched render
    is written as OUT_DIR/rough_match.wav so the fit can be heard."""
    progress("matching", 0, 1)
    matched = match_session(session, audio, rough, workers=workers)
    session.warnings.extend(matched.notes)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_wav_atomic(out_dir / "rough_match.wav", matched.render, session.sample_rate)
    progress("matching", 1, 1)
    return matched


def _apply_profile(
    session: Session, ctx: Context, path: str | Path, balance: bool, target_lufs: float | None
) -> tuple[tuple[Any, int], float | None]:
    """The user's learned departures applied after the rules (origin "profile"), and the master
    loudness the profile asks for when none was given; returns ((profile, number of values
    changed), the master loudness target)."""
    from .profile import load_profile, master_target, profile_moves

    learned = load_profile(path)
    moves = profile_moves(ctx, session, learned, balance=balance)
    apply(session, moves, origin="profile")
    target = master_target(learned)
    if target is not None and target_lufs is None:
        target_lufs, why = target
        session.master.decisions["target_lufs"] = Decision(target_lufs, why, "profile", "profile.master")
    return (learned, len(moves)), target_lufs


def _record_provenance(
    session: Session,
    ctx: Context,
    prep_report: PrepReport,
    matched: RoughMatch | None,
    rough: str | Path | None,
    learned: tuple[Any, int] | None,
    profile: str | Path | None,
) -> None:
    """What shaped the session, in session.provenance: program, priors and training songs,
    the profile, the template, and the rough's match with the faders the rules then chose."""
    session.provenance = provenance(session)
    session.provenance["training"] = priors_provenance(ctx.priors)
    if learned is not None:
        from .profile import profile_provenance

        session.provenance["profile"] = profile_provenance(learned[0], profile)
        session.provenance["profile"]["changed"] = learned[1]
    if prep_report.template:
        session.provenance["template"] = prep_report.template
    if matched is not None:
        session.provenance["rough"] = provenance_entry(matched, rough, session.sample_rate)
        for t in session.tracks:
            if t.id in matched.matched and not t.mute:
                matched.matched[t.id]["improved_fader_db"] = t.fader_db
                matched.matched[t.id]["improved_pan"] = t.pan


def print_mix(
    session: Session,
    audio: dict[str, np.ndarray],
    out_dir: Path,
    *,
    strips: set[str] | None = None,
    workers: int = 2,
    progress: Progress = _noop,
    headroom: bool = True,
    printed: dict | None = None,
    rendered: Rendered | None = None,
) -> tuple[np.ndarray, list[Path]]:
    """Render the session into OUT_DIR: the printed stems of ``strips`` (track and bus ids; None:
    all) where the plan puts them, streamed as they are made, and mix.wav.

    With ``headroom`` the master fader is set by the headroom step (``decide.headroom``), as
    ``mix`` does; without it the master stays as the session holds it. ``printed``
    (``render.printed.current``): strips whose stems on disk are current, read back instead of
    rendered (and not written again). OUT_DIR/stems/.printed.json records which stems are current.
    ``rendered``: this session's render already made (by the headroom step, with the same
    ``printed``), written out instead of rendering again.
    Returns the mix as written and the files written.
    """
    from .render.printed import fingerprints, read_record, write_record

    paths = build_plan(session).stem_paths(out_dir)
    sr = session.sample_rate
    written: list[Path] = []
    done = 0
    digests = fingerprints(session)
    record = {k: v for k, v in read_record(out_dir).items() if digests.get(k) == v and k in (printed or {})}

    def wanted(sid: str) -> bool:  # a current stem on disk is already what a render would write
        return (strips is None or sid in strips) and sid not in (printed or {})

    def on_track(track: Track, stem: np.ndarray) -> None:
        nonlocal done
        if wanted(track.id):
            write_wav_atomic(paths[track.id], stem, sr, subtype="FLOAT")
            written.append(paths[track.id])
            record[track.id] = digests[track.id]
        done += 1
        progress("rendering", done, len(session.tracks))

    if rendered is None:
        rendered = render(session, audio, on_track=on_track, workers=workers, printed=printed)
        mix_audio = rendered.mix
    else:
        for t in session.tracks:
            if t.id in rendered.track_stems:
                on_track(t, rendered.track_stems[t.id])
        mix_audio = render_bus(session.master, rendered.pre_master, sr, session.pan_law)
    if headroom:
        apply(session, [headroom_move(unity_peak_db(session, rendered.pre_master))])
        mix_audio = render_bus(session.master, rendered.pre_master, sr, session.pan_law)
    for b in session.buses:
        if b.kind != "master" and wanted(b.id):
            write_wav_atomic(paths[b.id], rendered.bus_stems[b.id], sr, subtype="FLOAT")
            written.append(paths[b.id])
            record[b.id] = digests[b.id]
    write_record(out_dir, record)  # which stems on disk are current, for the next re-render
    write_wav_atomic(out_dir / "mix.wav", mix_audio, sr)
    written.append(out_dir / "mix.wav")
    progress("writing", 1, 1)
    return mix_audio, written


def unity_peak_db(session: Session, pre_master: np.ndarray) -> float:
    """Sample peak (dBFS) of the mix at a unity master fader: what the headroom step reads, so
    the same mix always gets the same fader whatever the master held before."""
    unity = replace(session.master, fader_db=0.0)
    return _peak_db(render_bus(unity, pre_master, session.sample_rate, session.pan_law))


def headroom_is_assistants(session: Session) -> bool:
    """Whether the master fader is the headroom step's to set: its decision is the step's
    (``master.headroom``) and still holds, or there is none. A master set by the user (console,
    note, by hand in session.json) or by a profile is left as it is."""
    d = session.master.decisions.get("fader_db")
    if d is None:
        return True
    if d.rule != "master.headroom" or not isinstance(d.value, int | float):
        return False
    return abs(float(d.value) - session.master.fader_db) <= 1e-6


def _current_and_sources(session: Session, out_dir: Path, workers: int) -> tuple[dict, dict[str, np.ndarray]]:
    """The strips whose printed stems in OUT_DIR are current (``render.printed``), and the
    sources of the audible tracks that must be rendered again: an edit decodes only those."""
    from .render.plan import audible_ids
    from .render.printed import current

    printed = current(session, out_dir)
    audible = audible_ids(session)
    need = {t.source_id for t in session.tracks if t.id in audible and t.id not in printed}
    return printed, load_sources(
        replace(session, sources=[s for s in session.sources if s.id in need]), workers
    )


def keep_headroom(
    session: Session,
    audio: dict[str, np.ndarray] | None = None,
    workers: int | None = None,
    out_dir: str | Path | None = None,
    keep: dict | None = None,
) -> tuple[str | None, str | None]:
    """Set the master fader as ``mix`` does (the mix peaks at ``decide.master.PEAK_TARGET_DB``),
    in memory, after an edit: the caller makes it part of the same change and history entry, so
    undo restores it and a re-render only prints what the document holds.

    Renders the mix once (no file written); with ``out_dir`` the printed stems there that are
    still current are read back instead of rendered (``render.printed``). Returns (the change
    line, "Master: fader -2.35 -> -6.10 dB (headroom ...)", or None when the fader stays; a
    warning, FP-W060, when the user's own master lets the mix come within 1 dB of full scale,
    else None). Nothing but the master
    fader and its decision is changed, so undo restores the document exactly. ``keep`` (a dict
    the caller owns): with ``out_dir``, the render is left there as ``keep["render"]`` for the
    :func:`rerender` that follows in the same edit (``kept=``), so the edit renders once."""
    workers = workers or min(4, os.cpu_count() or 1)
    printed = None
    if audio is None and out_dir is not None:  # read the current printed stems, render the rest
        printed, audio = _current_and_sources(session, Path(out_dir), workers)
    elif audio is None:
        audio = load_sources(session, workers)
    rendered = render(session, audio, workers=workers, printed=printed)
    if printed is not None and keep is not None:  # rerender(kept=) writes this render out
        from .render.printed import fingerprints

        keep["render"] = (fingerprints(session), printed, rendered)
    peak = unity_peak_db(session, rendered.pre_master)
    move = headroom_move(peak)
    master = session.master
    if not headroom_is_assistants(session):
        if peak + master.fader_db > -1.0:
            text = message("FP-W060", peak + master.fader_db, master.fader_db, move.value)
            return None, f"mix.wav: {text} [FP-W060]"
        return None, None
    if abs(move.value - master.fader_db) < 1e-9:
        return None, None
    before = master.fader_db
    apply(session, [move])
    why = f"headroom: the mix peaks at {PEAK_TARGET_DB:g} dBFS"
    return f"Master: fader {before:+.2f} -> {move.value:+.2f} dB ({why})", None


def _peak_db(x: np.ndarray) -> float:
    """Sample peak in dBFS (-180 for silence)."""
    return float(20 * np.log10(max(float(np.max(np.abs(x))) if x.size else 0.0, 1e-9)))


def write_views(
    session: Session,
    out_dir: Path,
    daws: tuple[str, ...] | None,
    report: bool,
    progress: Progress = _noop,
    ardour_native: bool = False,
) -> list[Path]:
    """The DAW sessions (``daws``; None: every writer available) and the report, from the saved
    session; returns the files written."""
    from concurrent.futures import ThreadPoolExecutor
    from copy import deepcopy

    from .export import available, export

    files = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        # the report (pure Python SVG, no shared drawing state) runs beside the exports, on its
        # own copy of the session so an exporter can never change what it reads
        page = None
        if report:
            from .export.report import write_report

            page = pool.submit(write_report, out_dir, deepcopy(session))
        for target in available() if daws is None else daws:
            progress(f"export {target}", 0, 1)
            files.append(export(session, out_dir, target, ardour_native))
            progress(f"export {target}", 1, 1)
        if page is not None:
            progress("report", 0, 1)
            files.append(page.result())
            progress("report", 1, 1)
    return files


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


def rerender(
    out_dir: str | Path,
    session: Session | None = None,
    strips: set[str] | None = None,
    workers: int | None = None,
    kept: tuple | None = None,
) -> list[Path]:
    """Render an existing OUT_DIR again from its session: mix.wav and the printed stems of
    ``strips`` (track and bus ids; None = every stem), as ``mix`` prints them. The session is
    read from OUT_DIR/session.json unless given. The master fader stays as the session holds it
    (the headroom ``mix`` set, kept by every note and edit through :func:`keep_headroom`): a
    re-render never changes the document. When the session holds a loudness target
    (``--target-lufs``, or a profile's), mix_master.wav is made again from the new mix.
    ``kept``: the render :func:`keep_headroom` left in its ``keep`` for this edit, written out
    when the session is still the one it rendered. Returns the files written."""
    out_dir = Path(out_dir)
    if session is None:
        from .session.io import load

        session = load(out_dir / "session.json")
    workers = workers or min(4, os.cpu_count() or 1)
    from .render.printed import fingerprints

    if kept is not None and kept[0] == fingerprints(session):  # the note's headroom step rendered it
        printed, audio, done = kept[1], {}, kept[2]
    else:
        (printed, audio), done = _current_and_sources(session, out_dir, workers), None
    mix_audio, written = print_mix(
        session,
        audio,
        out_dir,
        strips=strips,
        workers=workers,
        headroom=False,
        printed=printed,
        rendered=done,
    )
    target = session.master.decisions.get("target_lufs")
    if target is not None and isinstance(target.value, int | float):
        sr = session.sample_rate
        lufs, _ = programme_loudness(mix_audio, sr)
        written.append(master_to(mix_audio, sr, lufs, float(target.value), out_dir / "mix_master.wav"))
    return sorted(written)
