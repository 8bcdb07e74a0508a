"""The assistant's mixing decisions: pure rules from measurements to parameters with reasons."""

from __future__ import annotations

from ..analysis.measure import TrackAnalysis
from ..session.model import Session
from .balance import balance, choose_lead
from .base import Context, Move, apply
from .dynamics import compression, saturation
from .eq import highpass, resonances, unmask
from .master import headroom
from .respect import respect_balance
from .space import depth, fx_buses, pan

__all__ = ["Context", "Move", "apply", "context", "decide", "headroom"]


def context(session: Session, analyses: dict[str, TrackAnalysis]) -> Context:
    """The context the rules read for a prepared session (``analyses`` keyed by source id)."""
    from ..prep.setup import naming_facts

    keys, sides = naming_facts(session)
    by_track = {t.id: analyses[t.source_id] for t in session.tracks}
    return Context(sample_rate=session.sample_rate, analyses=by_track, pair_keys=keys, sides=sides)


def decide(session: Session, ctx: Context, rough: dict[str, float] | None = None) -> list[Move]:
    """Run every rule in mixing order, applying each rule's moves before the next reads them.

    Order: corrective EQ, dynamics, colour, balance (which compensates what EQ removed),
    unmasking (which needs the balance), pan, balance again (so an unmasking cut carves its band
    without lowering the part, and a stereo track made narrower keeps its loudness), depth.

    ``rough`` (track id -> matched fader dB) turns on "respect the rough": faders stay within
    2 dB of the match unless a measured problem justifies more, and the matched pans are kept.
    """
    lead = choose_lead(ctx, session)
    ctx.lead_id = lead.id if lead else None
    applied: list[Move] = []
    rules: tuple = (
        highpass,
        resonances,
        compression,
        saturation,
        balance,
        unmask,
        pan,
        balance,
        depth,
        fx_buses,
    )
    if rough is not None:

        def respect(c: Context, s: Session) -> list[Move]:
            return respect_balance(c, s, rough)

        def unmatched_pans(c: Context, s: Session) -> list[Move]:
            # pans the rough does not pin down (FP-W052) were left to the pan rule
            return [m for m in pan(c, s) if _pan_unmatched(s, m.target)]

        rules = (
            highpass,
            resonances,
            compression,
            saturation,
            respect,
            unmask,
            unmatched_pans,
            respect,
            depth,
            fx_buses,
        )
    for rule in rules:
        moves = rule(ctx, session)
        apply(session, moves)
        applied.extend(moves)
    return applied


def _pan_unmatched(session: Session, target: str) -> bool:
    """Whether a track's pan is left to the pan rule under a rough: the rough did not set it."""
    try:
        d = session.track(target).decisions.get("pan")
    except (KeyError, ValueError):
        return False
    return d is None or d.origin != "rough"
