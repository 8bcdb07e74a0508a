"""Balance: equal loudness, plus the departures real mixes show.

Every audible track starts at the same integrated loudness (BS.1770, the measure a listener's
level matching follows best among simple ones), then moves by the departures learned from real,
disclosed songs (``decide.priors``): per role, and for situations the data speaks to (the lead
line of an instrumental song, parts sharing a role). A departure no song measured is zero, so
with no evidence the balance is plain equal loudness, the baseline that holds within about 1 dB
on printed stems of real recordings. What the track's EQ adds or removes, and what narrowing a
stereo track removes, is given back, so the track is heard at its target after its chain.
"""

from __future__ import annotations

import numpy as np

from ..session.model import Session, Track
from ..session.roles import defaults
from . import priors as learned
from .base import (
    REFERENCE_LUFS,
    Context,
    Move,
    a_label,
    audible_tracks,
    eq_loudness_change_db,
    width_loudness_change_db,
)

LEAD_WORDS = ("lead", "ld", "melody", "mel", "solo", "hook", "topline")


def choose_lead(ctx: Context, session: Session) -> Track | None:
    """The lead element: the loudest-named lead vocal, else the leading melodic part."""
    tracks = audible_tracks(session)
    vocals = [t for t in tracks if t.role.value == "lead_vocal"]
    if vocals:
        return max(vocals, key=lambda t: ctx.analyses[t.id].active_fraction)
    melodic = [t for t in tracks if defaults(t.role.value).melodic]
    named = [t for t in melodic if any(w in t.name.lower().split() for w in LEAD_WORDS)]
    pool = named or melodic
    if not pool:
        return None

    def salience(t: Track) -> float:
        a = ctx.analyses[t.id]
        from ..analysis.measure import BAND_CENTRES

        mid = (BAND_CENTRES >= 500) & (BAND_CENTRES <= 4000)
        share = np.sum(10 ** (a.band_db[mid] / 10)) / max(np.sum(10 ** (a.band_db / 10)), 1e-30)
        return a.active_fraction * (0.5 + share)

    return max(pool, key=salience)


def vocal_on_top(
    tracks: list[Track], deps: dict[str, learned.Departure], lead_id: str | None
) -> dict[str, str]:
    """In a song with a lead vocal, no other part is set over it and it is not set under equal
    loudness: the lead vocal sits about +1 dB over the whole accompaniment in released pop
    (Gerdes & Siedenburg, JASA Express Letters 3, 043201, 2023), so over each part of it. The
    learned departures come from songs with few vocals, so this published fact bounds them.
    Changes ``deps`` in place; returns track id -> the reason, for the tracks it moved."""
    lead = next((t for t in tracks if t.id == lead_id and t.role.value == "lead_vocal"), None)
    if lead is None:
        return {}
    why = {}
    top = max(deps[lead.id].db, 0.0)
    if top > deps[lead.id].db:
        deps[lead.id] = learned.Departure(top, deps[lead.id].parts)
        why[lead.id] = "raised to equal loudness: a lead vocal is not set under the parts it leads"
    for t in tracks:
        if t.id != lead.id and deps[t.id].db > top:
            deps[t.id] = learned.Departure(top, deps[t.id].parts)
            why[t.id] = f"held at {top:+.1f} dB, the lead vocal's level: no part is set over the lead vocal"
    return why


def balance(ctx: Context, session: Session) -> list[Move]:
    """Fader for every track: equal loudness plus its learned departure, EQ change given back."""
    priors = ctx.priors if ctx.priors is not None else learned.load()
    tracks = audible_tracks(session)
    facts = learned.track_facts(session, ctx.analyses, ctx.lead_id)
    deps = {t.id: learned.departure(priors, facts[t.id]) for t in tracks}
    capped = vocal_on_top(tracks, deps, ctx.lead_id)
    moves = []
    for t in tracks:
        a = ctx.analyses[t.id]
        dep = deps[t.id]
        eq_change = eq_loudness_change_db(t, a, ctx.sample_rate)
        width_change = width_loudness_change_db(t, a)
        level_now = a.integrated_lufs + t.trim_db + eq_change + width_change
        fader = float(np.clip(round(float(REFERENCE_LUFS + dep.db - level_now), 1), -60.0, 12.0))
        where = "at equal loudness" if not dep.parts else f"{dep.db:+.1f} dB from equal loudness"
        parts = [f"Fader {fader:+.1f} dB: {a_label(t)} {where} with the other tracks"]
        if dep.parts:
            parts.append("in real mixes " + learned.explain(dep))
        if t.id in capped:
            parts.append(capped[t.id])
        if abs(eq_change) >= 0.3:
            parts.append(f"{-eq_change:+.1f} dB back for what its EQ removed")
        if abs(width_change) >= 0.3:
            parts.append(f"{-width_change:+.1f} dB back for what narrowing its stereo image removed")
        why = "; ".join(parts) + " (integrated loudness)."
        refs = {
            "lead": ctx.lead_id,
            "departure_db": dep.db,
            "departures": dep.parts,
            "eq_change_db": round(eq_change, 2),
            "width_change_db": round(width_change, 2),
        }
        moves.append(Move(t.id, "fader_db", fader, why, "balance.learned", refs))
    return moves
