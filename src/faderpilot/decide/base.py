"""What every rule reads (the context) and returns (moves), and how moves land in a session.

A rule is a pure function ``(ctx, session) -> list[Move]``: it reads measurements and the
session as decided so far, and proposes values with one sentence each. Only :func:`apply`
writes, so rules stay testable on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..analysis.loudness import spectrum_loudness_change_db
from ..analysis.measure import TrackAnalysis
from ..prep.setup import REFERENCE_LUFS
from ..render.filters import chain_response_db
from ..session.model import Decision, Processor, Send, Session, Track
from ..session.roles import ROLE_LABELS

__all__ = ["REFERENCE_LUFS", "Context", "Move", "apply"]


@dataclass
class Move:
    """A proposed value for one parameter of one strip, with its reason."""

    target: str  # track or bus id
    param: str  # "fader_db" | "pan" | "width" | "trim_db" | "insert" | "processor" | "send"
    value: Any
    reason: str
    rule: str
    refs: dict[str, Any] = field(default_factory=dict)  # structured facts behind the reason


@dataclass
class Context:
    """Measurements the rules decide from: per-track analysis and naming facts."""

    sample_rate: int
    analyses: dict[str, TrackAnalysis]
    pair_keys: dict[str, str] = field(default_factory=dict)
    sides: dict[str, str | None] = field(default_factory=dict)
    lead_id: str | None = None
    #: Learned balance priors (``decide.priors``); None reads the committed ones.
    priors: dict[str, Any] | None = None


def label(track: Track) -> str:
    """A track's role in words for reasons ("lead vocal")."""
    return ROLE_LABELS.get(track.role.value, track.role.value).lower()


def a_label(track: Track) -> str:
    """The role with its indefinite article ("an electric guitar", "a snare")."""
    word = label(track)
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def labels(track: Track) -> str:
    """The role in the possessive ("the snare's", "the backing vocals'")."""
    word = label(track)
    return f"{word}'" if word.endswith("s") else f"{word}'s"


def audible_tracks(session: Session) -> list[Track]:
    """Tracks the rules should consider: not muted, and not flagged by prep as unusable (a file
    too short to be a stem, or one with no programme: FP-W040, FP-W041), which stays at unity."""
    return [t for t in session.tracks if not t.mute and not t.analysis.get("unusable")]


def eq_loudness_change_db(track: Track, a: TrackAnalysis, sr: int) -> float:
    """Change in K-weighted loudness (dB) the track's filters cause, from its long-term spectrum."""
    f = a.freqs[1:]
    if f.size == 0:
        return 0.0
    resp = chain_response_db(track.chain, f, sr)
    if not np.any(resp):
        return 0.0
    return spectrum_loudness_change_db(f, a.ltas_db[1:], resp, sr)


def width_loudness_change_db(track: Track, a: TrackAnalysis) -> float:
    """Loudness change (dB) of narrowing a stereo track to its width: the side signal is scaled by
    the width (``render.engine.pan_stereo``), so power goes from M + S to M + w^2 S, with the
    side-to-mid power ratio measured in the analysis."""
    if track.channels != 2 or track.width == 1.0:
        return 0.0
    r = 10 ** (a.side_db / 10)
    return float(10 * np.log10((1 + track.width**2 * r) / (1 + r)))


def _new_id(strip: Any, kind: str) -> str:
    n = sum(1 for p in strip.chain if p.kind == kind) + 1
    return f"{kind}{n}"


def apply(session: Session, moves: list[Move], origin: str = "rules") -> None:
    """Write moves into the session, each with its Decision (of ``origin``: the rules, or a
    profile). ``insert`` appends a processor; ``processor`` replaces the one with the same id."""
    by_id: dict[str, Any] = {t.id: t for t in session.tracks}
    by_id.update({b.id: b for b in session.buses})
    for m in moves:
        strip = by_id[m.target]
        d = Decision(value=None, reason=m.reason, origin=origin, rule=m.rule, refs=dict(m.refs))
        if m.param in ("insert", "processor"):
            p: Processor = m.value
            if not p.id:
                p.id = _new_id(strip, p.kind)
            d.value = dict(p.params)
            p.decision = d
            if m.param == "processor":
                strip.chain = [p if q.id == p.id else q for q in strip.chain]
            else:
                strip.chain.append(p)
        elif m.param == "send":
            s: Send = m.value
            d.value = s.level_db
            s.decision = d
            strip.sends = [x for x in strip.sends if x.bus != s.bus] + [s]
        else:
            setattr(strip, m.param, m.value)
            d.value = m.value
            strip.decisions[m.param] = d
