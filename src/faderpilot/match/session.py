"""Writing a rough-mix fit into a session, and checking it by rendering the match.

Trim stays gain staging; the matched gain goes to the fader (fader = matched gain - trim), with
pan, polarity and the fitted EQ bands, each as a ``Decision(origin="rough")`` whose reason says
what was matched. The global offset lines the rough up with the stems' timeline; it is kept in
``session.provenance["rough"]`` (the session's own timeline stays the stems'). A track's own
offset in the rough (a stem exported from its first region, a part the producer nudged) is the
track's ``delay_ms`` (whole samples), added to any delay prep set.

The fit reads what the renderer plays for each track before its fader (prep's regions, delay,
trim, polarity and chain), so what it finds is what rough_match.wav plays.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from ..audio.io import read_audio, resample
from ..messages import message
from ..render.chain import run_chain
from ..render.engine import place_clips, render
from ..render.plan import clips
from ..session.model import Decision, Processor, Session, Skipped
from .rough import (
    RELIABLE_GAIN_DB,
    RELIABLE_PAN,
    WEAK_FIT_DB,
    RoughError,
    RoughFit,
    fit_rough,
    null_depth_db,
    to_rough_timeline,
)

#: rough_match.wav may null this much (dB) less than the fit before FP-W053 says why.
RENDER_NULL_SLACK_DB = 3.0
#: What the session's written values can null at best: faders to 0.01 dB and pans to 0.001 leave
#: a residual about 60-70 dB down, so a fit deeper than this is compared at this depth.
RENDER_NULL_CEILING_DB = 60.0


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


def _lag_txt(ms: float) -> str:
    return f"starts {abs(ms):.1f} ms {'later' if ms > 0 else 'earlier'} in your rough: moved to match"


def apply_fit(
    session: Session, fit: RoughFit, path: str = "", played: bool = True
) -> tuple[dict[str, dict], list[Skipped]]:
    """Write a fit (tracks in session order) into the session as decisions of origin "rough".

    ``played``: the fit read what the renderer plays (:func:`played_inputs`: trim and polarity
    already in), so the fitted gain is the fader and the fitted sign flips prep's polarity;
    otherwise the fit read the raw sources (:func:`track_inputs`)."""
    matched: dict[str, dict] = {}
    notes: list[Skipped] = []
    sr = session.sample_rate
    weak = fit.fit_null_db < WEAK_FIT_DB
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
        pan_before, pan_decision = t.pan, t.decisions.get("pan")
        total = m.gain_db + t.trim_db if played else m.gain_db
        fader = round(total - t.trim_db, 2)
        t.fader_db = fader
        t.pan = round(m.pan, 3)
        polarity = (t.polarity_inverted != m.polarity_inverted) if played else m.polarity_inverted
        t.polarity_inverted = polarity
        eq_txt = ", ".join(
            f"{p['gain_db']:+.1f} dB {k.replace('_', ' ')} at {p['freq_hz']:g} Hz" for k, p in m.eq
        )
        lag_ms = m.lag * 1000.0 / sr
        head = f"matched to rough: {total:+.1f} dB, pan {_pan_txt(m.pan)}"
        if m.lag:
            before = int(round(t.delay_ms * sr / 1000.0))
            t.delay_ms = round((before + m.lag) * 1000.0 / sr, 6)
            t.decisions["delay_ms"] = Decision(
                t.delay_ms,
                f"matched to rough: the track {_lag_txt(lag_ms)} ({m.lag:+d} samples"
                + (f" on top of prep's {before:+d}" if before else "")
                + ").",
                "rough",
                "match.rough",
            )
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
                polarity,
                "matched to rough: the track is polarity-inverted in the rough.",
                "rough",
                "match.rough",
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
        gain_ok = m.gain_se_db <= RELIABLE_GAIN_DB
        pan_ok = fit.mono_rough or m.pan_se <= RELIABLE_PAN
        if not (gain_ok and pan_ok):
            what = " and ".join(w for w, ok in (("level", gain_ok), ("pan", pan_ok)) if not ok)
            moved = ", ".join(
                txt
                for txt, ok in ((f"{m.gain_se_db:.1f} dB", gain_ok), (f"pan by {m.pan_se:.2f}", pan_ok))
                if not ok
            )
            then = f"the {'balance' if not gain_ok else 'pan'} rule sets it"
            if not (gain_ok or pan_ok):
                then = "the balance and pan rules set it"
            notes.append(Skipped(t.source, "FP-W052", message("FP-W052", what, moved, then)))
            if not pan_ok:  # the pan rule places it (decide, under a rough)
                t.pan = pan_before
                if pan_decision is None:
                    t.decisions.pop("pan", None)
                else:
                    t.decisions["pan"] = pan_decision
        matched[t.id] = {
            "gain_db": round(total, 2),
            "fader_db": fader,
            "pan": round(m.pan, 3),
            "polarity_inverted": polarity,
            "eq": eq_txt,
            "contribution_db": round(m.contribution_db, 1),
            "muted": False,
            "lag_samples": int(m.lag),
            "gain_se_db": round(m.gain_se_db, 2),
            "pan_se": round(m.pan_se, 3),
            "gain_reliable": bool(gain_ok),
            "pan_reliable": bool(pan_ok),
        }
    if weak:
        names = [session.tracks[i].name for i in fit.eq_dropped if i < len(session.tracks)]
        done = (
            f"fitted EQ dropped on {', '.join(names)} (at its limits or not pinned down)"
            if names
            else "its fitted EQ is kept where it earns over 1 dB of null"
        )
        notes.append(Skipped(str(path), "FP-W051", message("FP-W051", fit.fit_null_db, done)))
    if fit.limited_db > 0 or fit.clipped:
        extra = f"; {fit.clipped} clipped samples left out" if fit.clipped else ""
        notes.append(Skipped(str(path), "FP-W050", message("FP-W050", fit.limited_db, extra)))
    return matched, notes


def played_inputs(session: Session, audio: dict[str, np.ndarray]) -> list[np.ndarray]:
    """What each track plays before its fader, in session order, as the renderer has it: the
    source (a stereo file used as mono folded to its mean) placed by prep's regions and delay,
    times trim and polarity, through the chain prep gave it (the regressors a rough fit reads)."""
    sr = session.sample_rate
    out = []
    for t, x in zip(session.tracks, track_inputs(session, audio), strict=True):
        frames = x.shape[1]
        y = place_clips(x, clips(t, sr, frames), frames)
        g = 10.0 ** (t.trim_db / 20.0) * (-1.0 if t.polarity_inverted else 1.0)
        y = (y * np.float32(g)).astype(np.float32)
        out.append(run_chain(y, t.chain, sr).astype(np.float32) if t.chain else y)
    return out


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
    stems = played_inputs(session, audio)
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
    if null < min(fit.fit_null_db, RENDER_NULL_CEILING_DB) - RENDER_NULL_SLACK_DB:
        notes.append(
            Skipped(
                str(rough_path),
                "FP-W053",
                message(
                    "FP-W053", null, fit.fit_null_db - null, fit.fit_null_db, _what_differs(fit, session)
                ),
            )
        )
    return RoughMatch(fit, matched, placed, null, notes)


def _what_differs(fit: RoughFit, session: Session) -> str:
    """Why the render of the match nulls less than the fit (for FP-W053)."""
    why = []
    if fit.limited_db > 0 or fit.clipped:
        why.append("the rough's master limiter or clipper (FP-W050) is not in the matched session")
    bad = [
        t.name
        for t, m in zip(session.tracks, fit.tracks, strict=True)
        if not m.muted and t.channels == 1 and m.gl * m.gr < 0 and min(abs(m.gl), abs(m.gr)) > 0.05
    ]
    if bad:
        why.append(f"the rough has {', '.join(bad)} in opposite polarity left and right (no pan places that)")
    return "; ".join(why) or "the rough's EQ, dynamics or effects go beyond what the fitted processors play"


def provenance_entry(m: RoughMatch, path: str | Path, sr: int) -> dict:
    """What session.provenance["rough"] records about a match."""
    return {
        "path": str(path),
        "offset_samples": int(m.fit.offset),
        "offset_s": round(m.fit.offset / sr, 6),
        "null_db": round(m.null_db, 2),
        "fit_null_db": round(m.fit.fit_null_db, 2),
        "linear_null_db": round(m.fit.linear_null_db, 2),
        "limited_db": round(m.fit.limited_db, 2),
        "clipped_samples": int(m.fit.clipped),
        "mono": m.fit.mono_rough,
        "tracks": m.matched,
    }
