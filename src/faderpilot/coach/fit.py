"""Fit the user's own mix with the rough matcher, relative to what the assistant would do.

The regressors are what the assistant's session plays for each track before its fader
(``match.session.played_inputs``: regions, delay, trim, polarity and the assistant's chain), plus
the return of every FX bus (reverb, delay) as the assistant's session renders it. So the fit reads
directly as differences: a track's fitted gain is the user's fader where the assistant has its own,
its fitted EQ is the tonal curve the user added on top of the assistant's chain, and an FX return's
fitted gain is how much louder the user's reverb or delay sits. The FX returns depend on the
faders and EQ that feed them, so the fit is done twice: the second time with the returns rendered
from the first fit's faders, pans and EQ.

A mix that the stems do not explain is refused with the matcher's own check (FP-E007).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..decide import context, decide
from ..decide.priors import load as load_priors
from ..match.rough import RoughError, RoughFit, align, fit_rough, pan_from_gains
from ..match.session import load_rough, played_inputs, rough_bandwidth
from ..prep.pipeline import prep
from ..render.engine import render
from ..session.model import Decision, Processor, Session

#: Most passes of the fit (the FX returns are re-rendered from the previous pass's faders and EQ),
#: and the change (dB) in every gain under which the passes stop.
PASSES = 4
SETTLED_DB = 0.05


@dataclass
class Assistant:
    """What the assistant would do with the stems: its session, the aligned sources, the priors."""

    session: Session
    audio: dict[str, np.ndarray]
    priors: dict


@dataclass
class UserFit:
    """The user's mix as fitted against the assistant's session."""

    fit: RoughFit
    fitted: Session  # the assistant's session with the user's faders, pans, polarity, EQ, returns
    mix: np.ndarray  # the user's mix on the session timeline (2, frames)
    fx_gain_db: dict[str, float] = field(default_factory=dict)  # FX bus id -> user minus assistant
    notes: list = field(default_factory=list)


def assistant_session(stems_dir: str | Path, workers: int = 2, priors: str | Path | None = None) -> Assistant:
    """Prep and decide on the stems exactly as ``mix`` does, without writing anything."""
    p = prep(stems_dir, None, workers=workers)
    ctx = context(p.session, p.analyses)
    ctx.priors = load_priors(priors)
    decide(p.session, ctx)
    return Assistant(p.session, p.audio, ctx.priors)


def fx_buses(session: Session) -> list:
    """The FX buses (reverb and delay returns) of a session, in console order."""
    return [b for b in session.buses if b.kind == "fx"]


def apply_user(session: Session, fit: RoughFit, fx_db: dict[str, float] | None = None) -> Session:
    """A copy of the assistant's session with the fitted faders, pans, polarity and EQ (and FX
    return levels moved by ``fx_db``), each marked as fitted from the user's mix."""
    s = copy.deepcopy(session)
    for t, m in zip(s.tracks, fit.tracks, strict=False):
        if t.mute:
            continue
        if m.muted:
            t.mute = True
            continue
        t.fader_db = round(float(m.gain_db), 3)
        t.pan = round(float(m.pan), 4)
        t.polarity_inverted = t.polarity_inverted != m.polarity_inverted
        for k, (kind, params) in enumerate(m.eq, 1):
            p = Processor(f"user_eq{k}", kind, dict(params))
            p.decision = Decision(dict(params), "matched to your mix: part of its tone", "rough", "coach.fit")
            t.chain.append(p)
    for b in fx_buses(s):
        b.fader_db = round(b.fader_db + (fx_db or {}).get(b.id, 0.0), 3)
    return s


def session_mix(a: Assistant, rpp_path: str | Path, workers: int = 2) -> np.ndarray:
    """The user's REAPER session played through the assistant's session: each track's level,
    pan and mute from the ``.RPP`` (``profile.reaper``), everything else (chains, sends, returns)
    the assistant's, since plugin state is opaque. Critiquing this bounce compares balance and
    pans only."""
    from ..profile.estimate import SongSkipped, map_daw_tracks
    from ..profile.reaper import read_rpp

    path = Path(rpp_path)
    try:
        mapped = map_daw_tracks(a.session, read_rpp(path), path)
    except SongSkipped as e:
        raise ValueError(f"{e.skipped.message} [{e.skipped.code}]; not critiqued") from None
    s = copy.deepcopy(a.session)
    for t in s.tracks:
        d = mapped.get(t.id)
        if d is None:
            t.mute = True  # a stem the session does not play
            continue
        bus = next((b for b in s.buses if b.id == t.output and b.kind == "group"), None)
        t.fader_db = round(d.gain_db - t.trim_db - (bus.fader_db if bus is not None else 0.0), 3)
        t.pan = d.pan
        t.mute = d.mute
    return render(s, a.audio, workers=workers).mix


def fit_user_mix(a: Assistant, mix_path: str | Path, workers: int = 2) -> UserFit:
    """Fit the user's mix (a stereo or mono bounce) against the assistant's session."""
    s = a.session
    sr = s.sample_rate
    mix, notes = load_rough(mix_path, sr)
    dry = played_inputs(s, a.audio)
    frames = dry[0].shape[1]
    fxs = fx_buses(s)
    fit: RoughFit | None = None
    fx_db: dict[str, float] = {}
    before: np.ndarray | None = None
    for _ in range(PASSES):
        # the FX returns as the current estimate of the user's faders and EQ feeds them
        probe = s if fit is None else apply_user(s, fit)
        returns = render(probe, a.audio, workers=workers).bus_stems if fxs else {}
        regs = dry + [returns[b.id] for b in fxs]
        try:
            fit = fit_rough(mix, regs, sr, bandwidth_hz=rough_bandwidth(notes, sr), track_lag_s=0.0)
        except RoughError as e:
            raise RoughError(e.code, f"{mix_path}: {e.text}; not critiqued", e.explained_db) from None
        fx_db = {}
        for b, m in zip(fxs, fit.tracks[len(dry) :], strict=True):
            g, _ = pan_from_gains(m.gl, m.gr, 2)
            fx_db[b.id] = float(20 * np.log10(max(g, 1e-6)))
        gains = np.array([m.gain_db if not m.muted else -120.0 for m in fit.tracks])
        if before is not None and np.max(np.abs(gains - before)) < SETTLED_DB:
            break
        before = gains
    assert fit is not None
    fitted = apply_user(s, fit, fx_db)
    aligned = align(mix if mix.shape[0] == 2 else np.vstack([mix, mix]), fit.offset, frames)
    return UserFit(fit, fitted, aligned, fx_db, notes)
