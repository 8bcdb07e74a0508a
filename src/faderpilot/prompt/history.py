"""Note history in the session document, exact enough that undo restores the file byte for byte.

Each applied note appends one entry to ``session.history``::

    {"kind": "note", "note": "vocal up 2 dB", "understood": ["vocal: level up by 2 dB"],
     "changes": ["Vox Ld: fader -3.1 -> -1.1 dB"],
     "edits": [{"where": "tracks/t10", "field": "fader_db", "before": -3.1, "after": -1.1}, ...]}

``edits`` holds every top-level field of every strip (and any other top-level part of the
document) that the note changed, as JSON before and after. Undo writes the ``before`` values
back and drops the entry, so the document is exactly what it was. Edits made by hand in the
web console are recorded the same way with ``"kind": "user"``; undo reverts the newest entry of
either kind (:data:`UNDOABLE`).
"""

from __future__ import annotations

import copy
from typing import Any

from ..session.io import from_dict, to_dict
from ..session.model import Session

#: Top-level parts of the document a note may change besides tracks and buses.
_OTHER = ("markers", "provenance")
#: History entries undo reverts, newest first: text notes and edits by hand in the console.
UNDOABLE = ("note", "user")


def snapshot(session: Session) -> dict[str, Any]:
    """A deep JSON copy of the document (for diffing before and after a note)."""
    return copy.deepcopy(to_dict(session))


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """The edits (where, field, before, after) that turn ``before`` into ``after``."""
    edits: list[dict[str, Any]] = []
    for part in ("tracks", "buses"):
        old = {s["id"]: s for s in before[part]}
        for s in after[part]:
            o = old.get(s["id"])
            if o is None:
                continue
            for k, v in s.items():
                if o.get(k) != v:
                    edits.append({"where": f"{part}/{s['id']}", "field": k, "before": o.get(k), "after": v})
    for k in _OTHER:
        if before.get(k) != after.get(k):
            edits.append({"where": "", "field": k, "before": before.get(k), "after": after.get(k)})
    return edits


def record(session: Session, before: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """Append a history entry for the edits made since ``before`` (a :func:`snapshot`)."""
    entry = dict(entry)
    entry["edits"] = diff(before, to_dict(session))
    session.history.append(copy.deepcopy(entry))
    return entry


def last_note(session: Session) -> dict[str, Any] | None:
    """The newest note entry in the history, if any."""
    for h in reversed(session.history):
        if h.get("kind") == "note":
            return h
    return None


def undo(session: Session) -> tuple[Session, dict[str, Any] | None]:
    """The session with its last note or console edit reverted (and its entry), or (session, None)."""
    d = copy.deepcopy(to_dict(session))
    idx = next(
        (i for i in range(len(d["history"]) - 1, -1, -1) if d["history"][i].get("kind") in UNDOABLE), None
    )
    if idx is None:
        return session, None
    entry = d["history"].pop(idx)
    for e in reversed(entry["edits"]):
        if not e["where"]:
            d[e["field"]] = copy.deepcopy(e["before"])
            continue
        part, sid = e["where"].split("/", 1)
        for s in d[part]:
            if s["id"] == sid:
                if e["before"] is None and e["field"] not in s:
                    s.pop(e["field"], None)
                else:
                    s[e["field"]] = copy.deepcopy(e["before"])
    return from_dict(d), entry
