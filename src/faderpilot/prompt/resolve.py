"""Which strips of a session an intent applies to: tracks by name or role, group words, the mix."""

from __future__ import annotations

from dataclasses import dataclass

from ..session.model import Bus, Session, Track
from ..session.roles import ROLE_LABELS
from .parse import TARGET_ROLES, Intent


@dataclass
class Resolved:
    """The strips an intent lands on, and a sentence saying how the target was read."""

    strips: list[Track | Bus]
    how: str


def resolve(intent: Intent, session: Session) -> Resolved:
    """Tracks (or the master bus for "the mix") the intent's target names.

    A group word ("the drums", "low end") matches every track of those roles; a word that
    matches no track of its roles falls back to tracks whose names contain it; nothing found is
    an empty list, and the sentence says what was understood.
    """
    t = intent.target
    words = intent.target_words or "the mix"
    if t == "mix":
        return Resolved([session.master], f"'{words}' = the master bus")
    if t.startswith("track:"):
        name = t[6:]
        tracks = [tr for tr in session.tracks if tr.name == name]
        return Resolved(tracks, f"'{words}' = track {name}")  # type: ignore[arg-type]
    roles = TARGET_ROLES.get(t, ())
    tracks = [tr for tr in session.tracks if tr.role.value in roles]
    if not tracks and intent.target_words:
        key = intent.target_words.lower()
        tracks = [tr for tr in session.tracks if key in tr.name.lower()]
    if not tracks and t.startswith("unknown:"):
        return Resolved([], f"'{words}' is no track name or role faderpilot knows in this session")
    if not tracks:
        kinds = ", ".join(ROLE_LABELS.get(r, r).lower() for r in roles) or t
        return Resolved([], f"'{words}' means {kinds}, and this session has no such track")
    names = ", ".join(tr.name for tr in tracks)
    if len(tracks) == 1:
        return Resolved(tracks, f"'{words}' = {names}")  # type: ignore[arg-type]
    return Resolved(tracks, f"'{words}' matches {len(tracks)} tracks ({names}); applied to all")  # type: ignore[arg-type]
