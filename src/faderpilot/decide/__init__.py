"""The assistant's mixing decisions: pure rules from measurements to parameters with reasons."""

from __future__ import annotations

from ..session.model import Session
from .balance import balance, choose_lead
from .base import Context, Move, apply
from .dynamics import compression, saturation
from .eq import highpass, resonances, unmask
from .master import headroom
from .space import depth, fx_buses, pan

__all__ = ["Context", "Move", "apply", "decide", "headroom"]


def decide(session: Session, ctx: Context) -> list[Move]:
    """Run every rule in mixing order, applying each rule's moves before the next reads them.

    Order: corrective EQ, dynamics, colour, balance (which compensates what EQ removed),
    unmasking (which needs the balance), pan, depth.
    """
    lead = choose_lead(ctx, session)
    ctx.lead_id = lead.id if lead else None
    applied: list[Move] = []
    for rule in (
        highpass,
        resonances,
        compression,
        saturation,
        balance,
        unmask,
        pan,
        depth,
        fx_buses,
    ):
        moves = rule(ctx, session)
        apply(session, moves)
        applied.extend(moves)
    return applied
