"""Writing a rough-mix fit into a session, and checking it by rendering the match.

Trim stays gain staging; the matched gain goes to the fader (fader = matched gain - trim), with
pan, polarity and the fitted EQ bands, each as a ``Decision(origin="rough")`` whose reason says
what was matched. The global offset lines the rough up with the stems' timeline; it is kept in
``session.provenance["rough"]`` (the session's own timeline stays the stems').
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from ..audio.io import read_audio, resample
from ..messages import message
from ..render.engine import render
from ..session.model import Decision, Processor, Session, Skipped
from .rough import RoughError, RoughFit, fit_rough, null_depth_db, to_rough_timeline


@dataclass
class RoughMatch:
    """The match of a session to a rough: the fit, the render of the match and how deep it nulls."""

    fit: RoughFit
    matched: dict[str, dict] = field(default_factory=dict)  # track id -> gain_db, fader_db, pan, ...
    render: np.ndarray | None = None  # the matched session on the rough's timeline
    null_db: float = 0.0
    notes: list[Skipped] = field(default_factory=list)


def load_rough(path: str | Path, sr: int) -> tuple[np.ndarray, list[Skipped]]:
    """Read a rough mix at the session rate; refuse more than two channels (FP-E006).

    See :func:`rough_bandwidth` for the bandwidth a resampled rough still has."""
    try:
        channels = sf.info(str(path)).channels
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError):
        channels = 0  # read_audio below says what is wrong with the file
    if channels > 2:
        raise RoughError("FP-E006", f"{path}: {message('FP-E006', channels)}")
    x = read_audio(path)
    notes = []
    audio = x.audio
    if x.sample_rate != sr:
        audio = resample(audio, x.sample_rate, sr)
        notes.append(Skipped(str(path), "FP-W005", message("FP-W005", x.sample_rate, sr)))
    if audio.shape[0] == 1:
        notes.append(Skipped(str(path), "FP-W006", message("FP-W006")))
    return audio, notes


def rough_bandwidth(notes: list[Skipped], sr: int) -> float | None:
    """The Nyquist of the rate a rough came at, when it was resampled up (None otherwise)."""
    for n in notes:
        if n.code == "FP-W005":
            rate = int(n.message.split(" Hz")[0].split()[-1])
            return rate / 2 if rate < sr else None
    return None


def _pan_txt(p: float) -> str:
    return "C" if abs(p) < 0.005 else f"{abs(p):.2f} {'L' if p < 0 else 'R'}"


def apply_fit(session: Session, fit: RoughFit, path: str = "") -> tuple[dict[str, dict], list[Skipped]]:
    """Write a fit (tracks in session order) into the session as decisions of origin "rough"."""
    matched: dict[str, dict] = {}
    notes: list[Skipped] = []
    for t, m in zip(session.tracks, fit.tracks, strict=True):
        if t.mute:
            continue  # silent stems stay as prep left them
        if m.muted:
            t.mute = True
            why = message("FP-W007", m.contribution_db)
            t.decisions["mute"] = Decision(True, f"matched to rough: {why}", "rough", "match.rough")
            notes.append(Skipped(t.source, "FP-W007", why))
            matched[t.id] = {"muted": True}
            continue
        fader = round(m.gain_db - t.trim_db, 2)
        t.fader_db = fader
        t.pan = round(m.pan, 3)
        t.polarity_inverted = m.polarity_inverted
        eq_txt = ", ".join(
            f"{p['gain_db']:+.1f} dB {k.replace('_', ' ')} at {p['freq_hz']:g} Hz" for k, p in m.eq
        )
        head = f"matched to rough: {m.gain_db:+.1f} dB, pan {_pan_txt(m.pan)}"
        t.decisions["fader_db"] = Decision(
            fader,
            f"{head} (fader {fader:+.1f} dB over the {t.trim_db:+.1f} dB trim).",
            "rough",
            "match.rough",
        )
        pan_why = "the rough is mono, so its pan cannot be measured" if fit.mono_rough else head
        t.decisions["pan"] = Decision(t.pan, f"{pan_why}.", "rough", "match.rough")
        if m.polarity_inverted:
            t.decisions["polarity_inverted"] = Decision(
                True, "matched to rough: the track is polarity-inverted in the rough.", "rough", "match.rough"
            )
        for k, (kind, params) in enumerate(m.eq, 1):
            p = Processor(f"rough_eq{k}", kind, dict(params))
            p.decision = Decision(
                dict(params),
                f"matched to rough: {params['gain_db']:+.1f} dB {kind.replace('_', ' ')} at "
                f"{params['freq_hz']:g} Hz, part of the tone the rough gives it.",
                "rough",
                "match.rough",
            )
            t.chain.append(p)
        matched[t.id] = {
            "gain_db": round(m.gain_db, 2),
            "fader_db": fader,
            "pan": t.pan,
            "polarity_inverted": m.polarity_inverted,
            "eq": eq_txt,
            "contribution_db": round(m.contribution_db, 1),
            "muted": False,
        }
    return matched, notes


def track_inputs(session: Session, audio: dict[str, np.ndarray]) -> list[np.ndarray]:
    """What each track plays, in session order: a stereo file used as mono is its channels' mean,
    as the renderer has it (the regressors a fit reads)."""
    return [
        audio[t.source_id].mean(axis=0, keepdims=True, dtype=np.float32)
        if t.channels == 1 and audio[t.source_id].shape[0] == 2
        else audio[t.source_id]
        for t in session.tracks
    ]


def match_session(
    session: Session,
    audio: dict[str, np.ndarray],
    rough_path: str | Path,
    workers: int = 2,
) -> RoughMatch:
    """Fit the session's tracks to a rough mix, write the match in, render it and measure the null."""
    sr = session.sample_rate
    rough, notes = load_rough(rough_path, sr)
    stems = track_inputs(session, audio)
    try:
        fit = fit_rough(rough, stems, sr, bandwidth_hz=rough_bandwidth(notes, sr))
    except RoughError as e:
        raise RoughError(e.code, f"{rough_path}: {e.text}") from None
    frames = stems[0].shape[1]
    if rough.shape[1] != frames:
        notes.append(
            Skipped(
                str(rough_path),
                "FP-W008",
                message("FP-W008", (rough.shape[1] - frames) / sr, fit.offset / sr),
            )
        )
    matched, more = apply_fit(session, fit, str(rough_path))
    notes.extend(more)
    # the match alone: no rules yet, no sends, buses and master at unity
    probe = copy.deepcopy(session)
    for b in probe.buses:
        b.chain, b.fader_db, b.mute = [], 0.0, False
    for t in probe.tracks:
        t.sends = []
    mix = render(probe, audio, workers=workers).mix
    placed = to_rough_timeline(mix, fit.offset, rough.shape[1])
    ref = rough if rough.shape[0] == 2 else np.vstack([rough, rough])
    if rough.shape[0] == 1:
        placed_cmp = placed.mean(axis=0, keepdims=True) * np.float32(np.sqrt(2.0))
        null = null_depth_db(rough, placed_cmp)
    else:
        null = null_depth_db(ref, placed)
    return RoughMatch(fit, matched, placed, null, notes)


def provenance_entry(m: RoughMatch, path: str | Path, sr: int) -> dict:
    """What session.provenance["rough"] records about a match."""
    return {
        "path": str(path),
        "offset_samples": int(m.fit.offset),
        "offset_s": round(m.fit.offset / sr, 6),
        "null_db": round(m.null_db, 2),
        "fit_null_db": round(m.fit.fit_null_db, 2),
        "mono": m.fit.mono_rough,
        "tracks": m.matched,
    }
