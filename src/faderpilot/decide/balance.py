"""Balance: faders from per-role loudness targets relative to the lead element.

Targets are loudness (LUFS on active regions) relative to the lead. Two published facts anchor
them:

- Gerdes & Siedenburg, "Lead-vocal level in recordings of popular music 1946-2020", JASA
  Express Letters 3, 043201 (2023): the lead-to-accompaniment ratio (LAR) of charting pop has
  been steady at about +1 dB since the mid-1970s (about 0 dB for rock, higher for pop, rap and
  country). We scale the accompaniment as a whole so the song's LAR lands at +1 dB, within
  +-3 dB of the role table (the table keeps its shape; density sets the common offset).
- Pestana & Reiss, "Intelligent audio production strategies informed by best practices",
  AES 53rd Int. Conf. on Semantic Audio (2014): the lead vocal is set about as loud as the rest
  of the mix, which the same +1 dB LAR expresses.

The shape of the role table (kick and bass close under the lead; pads, hats and room lower) is
engineering practice, stated here so a user can disagree with it: it is not a measured
statistic. Tracks sharing a role share its loudness (each gets -10 log10(n) dB), so four
backing vocals together sound like one part, not four times as loud.
"""

from __future__ import annotations

import numpy as np

from ..session.model import Session, Track
from .base import REFERENCE_LUFS, Context, Move, a_label, audible_tracks, eq_loudness_change_db, label

#: role -> loudness of the role (all its tracks together) relative to the lead, in LU.
ROLE_OFFSET_LU: dict[str, float] = {
    "lead_vocal": 0.0,
    "kick": -6.0,
    "snare": -7.0,
    "toms": -14.0,
    "hihat": -16.0,
    "overheads": -13.0,
    "percussion": -15.0,
    "bass": -6.0,
    "electric_guitar": -9.0,
    "acoustic_guitar": -9.0,
    "keys": -9.0,
    "synth": -11.0,
    "orchestral": -11.0,
    "backing_vocals": -10.0,
    "fx": -16.0,
}
TARGET_LAR_DB = 1.0
MAX_DENSITY_SHIFT_DB = 3.0
MELODIC = ("synth", "electric_guitar", "keys", "orchestral", "acoustic_guitar")
LEAD_WORDS = ("lead", "ld", "melody", "mel", "solo", "hook", "topline")


def choose_lead(ctx: Context, session: Session) -> Track | None:
    """The lead element: the loudest-named lead vocal, else the leading melodic part."""
    tracks = audible_tracks(session)
    vocals = [t for t in tracks if t.role.value == "lead_vocal"]
    if vocals:
        return max(vocals, key=lambda t: ctx.analyses[t.id].active_fraction)
    named = [
        t for t in tracks if t.role.value in MELODIC and any(w in t.name.lower().split() for w in LEAD_WORDS)
    ]
    pool = named or [t for t in tracks if t.role.value in MELODIC]
    if not pool:
        return None

    def salience(t: Track) -> float:
        a = ctx.analyses[t.id]
        from ..analysis.measure import BAND_CENTRES

        mid = (BAND_CENTRES >= 500) & (BAND_CENTRES <= 4000)
        share = np.sum(10 ** (a.band_db[mid] / 10)) / max(np.sum(10 ** (a.band_db / 10)), 1e-30)
        return a.active_fraction * (0.5 + share)

    return max(pool, key=salience)


def balance(ctx: Context, session: Session) -> list[Move]:
    """Fader for every track so each role sits at its loudness relative to the lead."""
    tracks = audible_tracks(session)
    lead = session.track(ctx.lead_id) if ctx.lead_id else None
    counts: dict[str, int] = {}
    for t in tracks:
        counts[t.role.value] = counts.get(t.role.value, 0) + 1
    lead_role = lead.role.value if lead else None

    def base_offset(t: Track) -> float:
        if lead is not None and t.role.value == lead_role:
            return 0.0
        return ROLE_OFFSET_LU.get(t.role.value, -12.0)

    share = {t.id: -10 * np.log10(counts[t.role.value]) for t in tracks}
    # density: shift the accompaniment so LAR lands on the published +1 dB
    shift = 0.0
    if lead is not None:
        acc = [t for t in tracks if t.role.value != lead_role]
        if acc:
            frac = {t.id: max(ctx.analyses[t.id].active_fraction, 0.05) for t in tracks}
            lead_p = sum(frac[t.id] * 10 ** (share[t.id] / 10) for t in tracks if t.role.value == lead_role)
            acc_p = sum(frac[t.id] * 10 ** ((base_offset(t) + share[t.id]) / 10) for t in acc)
            lar = 10 * np.log10(lead_p / acc_p)
            shift = float(np.clip(lar - TARGET_LAR_DB, -MAX_DENSITY_SHIFT_DB, MAX_DENSITY_SHIFT_DB))
    moves = []
    lead_txt = f"the {label(lead)} '{lead.name}'" if lead else "the mix reference"
    for t in tracks:
        a = ctx.analyses[t.id]
        is_lead_role = lead is not None and t.role.value == lead_role
        rel = base_offset(t) + share[t.id] + (0.0 if is_lead_role else shift)
        eq_change = eq_loudness_change_db(t, a, ctx.sample_rate)
        level_now = a.active_lufs + t.trim_db + eq_change
        fader = round(float(REFERENCE_LUFS + rel - level_now), 1)
        fader = float(np.clip(fader, -60.0, 12.0))
        if is_lead_role and counts[t.role.value] == 1 and lead is not None and t.id == lead.id:
            why = (
                f"Fader {fader:+.1f} dB: the lead sets the reference; the accompaniment is placed "
                f"so the lead sits {TARGET_LAR_DB:+g} dB over it (published pop average)."
            )
        else:
            parts = [f"Fader {fader:+.1f} dB: {a_label(t)} sits {rel:+.1f} LU from {lead_txt}"]
            if counts[t.role.value] > 1:
                parts.append(f"sharing its role's level with {counts[t.role.value] - 1} other track(s)")
            if shift and not is_lead_role:
                parts.append(f"accompaniment {shift:+.1f} dB for this arrangement's density")
            if abs(eq_change) >= 0.3:
                parts.append(f"{-eq_change:+.1f} dB back for what its EQ removed")
            why = "; ".join(parts) + " (measured on active regions)."
        moves.append(Move(t.id, "fader_db", fader, why, "balance.role_targets"))
    return moves
