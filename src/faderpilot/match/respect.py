"""Respect the rough: the balance rule in a mode that keeps the producer's fader intent.

Fader moves stay within ``LIMIT_DB`` of the match unless a measured problem justifies more:

- **buried**: the role table wants the track more than ``BURIED_DB`` louder than the rough has it
  (measured loudness on active regions, relative to the lead), so it is lost in the mix;
- **masking the lead**: the track would come down more than the limit and, at the rough's level,
  it comes within 3 dB of the lead in the lead's key band at least half the time they play
  together (the same measure as the unmasking EQ rule).

Every departure names the problem it fixes; every clamp says what the role table wanted.
"""

from __future__ import annotations

import numpy as np

from ..decide.balance import balance
from ..decide.base import Context, Move, label
from ..decide.eq import KEY_BANDS
from ..session.model import Session

LIMIT_DB = 2.0
BURIED_DB = 6.0


def masks_lead(ctx: Context, session: Session, track_id: str, gains: dict[str, float]) -> float | None:
    """Share of shared playing frames where the track comes within 3 dB of the lead in the lead's
    key band (None when there is no lead or no key band)."""
    from ..analysis.measure import BAND_CENTRES

    if not ctx.lead_id or ctx.lead_id == track_id:
        return None
    lead = session.track(ctx.lead_id)
    flo, fhi = KEY_BANDS[lead.role.value][1] if lead.role.value in KEY_BANDS else (1000.0, 4000.0)
    bands = np.flatnonzero((BAND_CENTRES >= flo) & (BAND_CENTRES <= fhi))
    ah, al = ctx.analyses[lead.id], ctx.analyses[track_id]
    both = ah.frame_active & al.frame_active
    if both.sum() < 3 or bands.size == 0:
        return None
    h = ah.band_frames_db[both][:, bands] + gains[lead.id]
    lo = al.band_frames_db[both][:, bands] + gains[track_id]
    return float(np.max(np.mean(lo - h > -3.0, axis=0)))


def respect_balance(ctx: Context, session: Session, matched: dict[str, float]) -> list[Move]:
    """Balance moves clamped to the match +- LIMIT_DB unless a measured problem justifies more.

    ``matched``: track id -> the matched fader (dB). Tracks without a match keep the rule's move.
    """
    moves = []
    gains = {t.id: t.trim_db + t.fader_db for t in session.tracks}
    for m in balance(ctx, session):
        if m.target not in matched:
            moves.append(m)
            continue
        t = session.track(m.target)
        base = matched[m.target]
        want = float(m.value)
        delta = want - base
        if abs(delta) <= LIMIT_DB:
            why = f"Within {LIMIT_DB:g} dB of the rough ({base:+.1f} dB): {m.reason}"
            moves.append(Move(m.target, "fader_db", round(want, 1), why, "match.respect"))
            continue
        if delta > BURIED_DB:
            why = (
                f"Departs {delta:+.1f} dB from the rough ({base:+.1f} dB) to fix a buried track: at the "
                f"rough's level the {label(t)} sits {delta:.1f} dB under where its role sits relative "
                f"to the lead. {m.reason}"
            )
            moves.append(Move(m.target, "fader_db", round(want, 1), why, "match.respect.buried"))
            continue
        share = masks_lead(ctx, session, m.target, gains) if delta < 0 else None
        if share is not None and share >= 0.5:
            why = (
                f"Departs {delta:+.1f} dB from the rough ({base:+.1f} dB) to stop masking the lead: at "
                f"the rough's level it comes within 3 dB of the lead in the lead's key band "
                f"{share:.0%} of the time they play together. {m.reason}"
            )
            moves.append(Move(m.target, "fader_db", round(want, 1), why, "match.respect.masking"))
            continue
        kept = round(base + float(np.clip(delta, -LIMIT_DB, LIMIT_DB)), 1)
        why = (
            f"Fader {kept:+.1f} dB: kept within {LIMIT_DB:g} dB of the rough ({base:+.1f} dB); the role "
            f"table wanted {want:+.1f} dB, but no measured problem (buried, masking the lead) "
            "justifies moving further from the producer's balance."
        )
        moves.append(Move(m.target, "fader_db", kept, why, "match.respect"))
    return moves
