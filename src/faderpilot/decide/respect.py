"""Respect the rough: the producer's balance stays unless real mixes never put a part there.

The decisions keep their rule names (``match.respect``...), as sessions already record them.

"Make the rough 10% better" must never make it worse. The rough's balance is the producer's
intent for this song; the learned balance (``decide.priors``) says where real mixes put each kind
of part, with a spread: single tracks of a role sit about ``track_spread`` dB (one sd) around the
learned level across real songs. So a fader departs from the rough only when the rough puts a
part further from the learned level than ``SPREAD_SDS`` sds (and at least ``MIN_BAND_DB``), and
then only back to the edge of that range: a vocal buried 15 dB under the band comes up to where
real mixes still go, a balance inside the range real mixes use is kept exactly.

Levels are compared relative to the song (one common offset removed, since only the balance
counts), and as heard after the EQ the rules added on top of the rough's own fitted EQ (what an
unmasking cut removes is given back, so the cut carves its band without lowering the part).
"""

from __future__ import annotations

import numpy as np

from ..session.model import Session, Track
from . import priors as learned
from .balance import balance
from .base import Context, Move, eq_loudness_change_db, label

#: How many sds of real mixes' spread around the learned level a rough may sit and be kept.
SPREAD_SDS = 2.0
#: The narrowest range kept around the learned level (dB either way).
MIN_BAND_DB = 4.0


def added_eq_change_db(ctx: Context, t: Track) -> float:
    """Loudness change (dB) of the filters the rules added on top of the rough's fitted EQ."""
    own = [p for p in t.chain if p.decision is None or p.decision.origin != "rough"]
    if len(own) == len(t.chain):
        return eq_loudness_change_db(t, ctx.analyses[t.id], ctx.sample_rate)
    from dataclasses import replace

    return eq_loudness_change_db(replace(t, chain=own), ctx.analyses[t.id], ctx.sample_rate)


def respect_balance(ctx: Context, session: Session, matched: dict[str, float]) -> list[Move]:
    """Balance moves that keep the rough's fader unless the rough sits outside real mixes' range.

    ``matched``: track id -> the matched fader (dB). Tracks without a match keep the rule's move.
    """
    priors = ctx.priors if ctx.priors is not None else learned.load()
    wanted = balance(ctx, session)
    base = {
        m.target: matched[m.target] - added_eq_change_db(ctx, session.track(m.target))
        for m in wanted
        if m.target in matched
    }
    # only the balance counts: the learned faders and the rough's differ by one common offset
    offset = float(np.median([m.value - base[m.target] for m in wanted if m.target in base])) if base else 0.0
    moves = []
    for m in wanted:
        if m.target not in base:
            moves.append(m)
            continue
        t = session.track(m.target)
        spread = learned.track_spread(priors, t.role.value)
        band = max(MIN_BAND_DB, SPREAD_SDS * spread)
        delta = float(m.value) - offset - base[m.target]  # learned minus the rough, relative
        kept = base[m.target]
        refs = {
            **m.refs,
            "rough_fader_db": round(matched[m.target], 2),
            "added_eq_change_db": round(matched[m.target] - kept, 2),
            "range_db": round(band, 2),
        }
        eq_note = ""
        if abs(kept - matched[m.target]) >= 0.3:
            eq_note = f" ({kept - matched[m.target]:+.1f} dB for what the added EQ changed)"
        if abs(delta) <= band:
            value = round(float(np.clip(kept, -60.0, 12.0)), 1)
            why = (
                f"Fader {value:+.1f} dB: kept at the rough's balance{eq_note}; real mixes put "
                f"{a_or_the(t)} within {band:.1f} dB of where the rough has it ({delta:+.1f} dB from "
                "the learned level), so the producer's choice stands."
            )
            moves.append(Move(m.target, "fader_db", value, why, "match.respect", refs))
            continue
        step = delta - np.sign(delta) * band
        value = round(float(np.clip(kept + step, -60.0, 12.0)), 1)
        way = "buried" if delta > 0 else "too loud"
        why = (
            f"Fader {value:+.1f} dB: departs {step:+.1f} dB from the rough because the {label(t)} is "
            f"{way} there: {abs(delta):.1f} dB from where real mixes put it, beyond the {band:.1f} dB "
            f"they range over ({SPREAD_SDS:g} sd); moved only to the edge of that range. {m.reason}"
        )
        moves.append(Move(m.target, "fader_db", value, why, f"match.respect.{way.replace(' ', '_')}", refs))
    return moves


def a_or_the(t: Track) -> str:
    """The track's role in words, as a thing ("the electric guitar")."""
    return f"the {label(t)}"
