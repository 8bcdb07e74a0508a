"""Edits made by hand in the console: checked, written as decisions of origin "user" and recorded
in the session history (``prompt.history``), so ``faderpilot undo`` and the console's Undo revert
them exactly as they revert a note.

One edit is one JSON object:

- ``{"strip": "t10", "field": "fader_db" | "pan" | "mute", "value": ...}``
- ``{"strip": "t02", "processor": "hpf", "param": "freq_hz", "value": 120}``
- ``{"strip": "t02", "processor": "hpf", "field": "enabled", "value": false}``
- ``{"strip": "t02", "send": "reverb", "value": -18}``
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..export.report import ORIGIN_WORDS, PROCESSOR_WORDS, fmt_pan
from ..prompt.history import record, snapshot
from ..session.model import PROCESSOR_PARAMS, Bus, Decision, Processor, Session, Track

#: Limits of the values a hand edit may set (inclusive), in the document's units.
FIELD_RANGES: dict[str, tuple[float, float]] = {"fader_db": (-120.0, 24.0), "pan": (-1.0, 1.0)}
SEND_RANGE = (-120.0, 12.0)
PARAM_RANGES: dict[str, tuple[float, float]] = {
    "freq_hz": (10.0, 24000.0),
    "slope_db_oct": (6.0, 48.0),
    "gain_db": (-30.0, 30.0),
    "q": (0.05, 30.0),
    "threshold_db": (-100.0, 0.0),
    "ratio": (1.0, 100.0),
    "attack_ms": (0.01, 1000.0),
    "release_ms": (1.0, 10000.0),
    "makeup_db": (-30.0, 30.0),
    "range_db": (-120.0, 0.0),
    "drive_db": (0.0, 48.0),
    "mix_pct": (0.0, 100.0),
    "room_size": (0.0, 1.0),
    "damping": (0.0, 1.0),
    "width": (0.0, 1.0),
    "time_ms": (1.0, 5000.0),
    "feedback_pct": (0.0, 95.0),
    "ceiling_db": (-30.0, 0.0),
}
#: Rule name recorded on every decision a hand edit writes.
RULE = "console"
FIELD_LABELS_LOWER = {"fader_db": "fader", "pan": "pan", "mute": "mute"}


class EditError(ValueError):
    """An edit the console cannot make; the message names the strip, field or value at fault."""


def _strip(session: Session, sid: Any) -> Track | Bus:
    """The track or bus with this id, or EditError naming it."""
    if not isinstance(sid, str) or not sid:
        raise EditError("edit names no strip: give 'strip' as a track or bus id")
    for s in (*session.tracks, *session.buses):
        if s.id == sid:
            return s
    raise EditError(f"no strip {sid!r} in this session")


def _number(value: Any, what: str, lo: float, hi: float) -> float:
    """A finite number inside [lo, hi], or EditError saying what was wrong with it."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise EditError(f"{what}: {value!r} is not a number")
    if not lo <= float(value) <= hi:
        raise EditError(f"{what}: {value:g} is outside {lo:g} .. {hi:g}")
    return float(value)


def _was(d: Decision | None) -> str:
    """Who set the value before the hand edit, for the new decision's reason."""
    return "no earlier decision" if d is None else f"before: {ORIGIN_WORDS.get(d.origin, d.origin)}"


def _fmt(field: str, v: Any) -> str:
    if field == "fader_db":
        return f"{v:+.1f} dB"
    if field == "pan":
        return fmt_pan(v)
    if field == "mute":
        return "muted" if v else "playing"
    return f"{v:g}" if isinstance(v, float) else str(v)


def _set_field(s: Track | Bus, field: str, value: Any) -> str | None:
    """Set fader, pan or mute on a strip with a "user" decision; the change line, or None if equal."""
    if field == "mute":
        if not isinstance(value, bool):
            raise EditError(f"{s.id} mute: {value!r} is not true or false")
        if isinstance(s, Bus) and s.kind == "master":
            raise EditError("the master cannot be muted (the renderer plays it always)")
        new: Any = value
    elif field in FIELD_RANGES:
        new = round(_number(value, f"{s.id} {field}", *FIELD_RANGES[field]), 2 if field == "fader_db" else 3)
    else:
        raise EditError(f"{s.id}: field {field!r} cannot be edited here (fader_db, pan or mute)")
    before = getattr(s, field)
    if before == new:
        return None
    setattr(s, field, new)
    line = f"{s.name}: {FIELD_LABELS_LOWER[field]} {_fmt(field, before)} -> {_fmt(field, new)}"
    s.decisions[field] = Decision(
        new, f"Set by you in the console ({_was(s.decisions.get(field))}).", "user", f"{RULE}.{field}"
    )
    return line


def _processor(s: Track | Bus, pid: Any) -> Processor:
    for p in s.chain:
        if p.id == pid:
            return p
    raise EditError(f"{s.id}: no processor {pid!r} in its chain")


def _set_processor(s: Track | Bus, edit: dict[str, Any]) -> str | None:
    """Change one parameter of a processor, or bypass it; the change line, or None if equal."""
    p = _processor(s, edit.get("processor"))
    label = PROCESSOR_WORDS.get(p.kind, p.kind)
    if edit.get("field") == "enabled":
        if not isinstance(edit.get("value"), bool):
            raise EditError(f"{s.id} {p.id} enabled: {edit.get('value')!r} is not true or false")
        if p.enabled == edit["value"]:
            return None
        p.enabled = edit["value"]
        line = f"{s.name}: {label} {'on' if p.enabled else 'bypassed'}"
    else:
        param = edit.get("param")
        if param not in PROCESSOR_PARAMS.get(p.kind, ()) and param not in p.params:
            allowed = ", ".join(PROCESSOR_PARAMS.get(p.kind, ()))
            raise EditError(f"{s.id} {p.id}: a {p.kind} has no parameter {param!r} ({allowed})")
        lo, hi = PARAM_RANGES.get(param, (-1e6, 1e6))
        new = round(_number(edit.get("value"), f"{s.id} {p.id} {param}", lo, hi), 3)
        before = p.params.get(param)
        if before == new:
            return None
        p.params[param] = new
        line = f"{s.name}: {label} {param} {before if before is not None else '-'} -> {new:g}"
    p.decision = Decision(
        dict(p.params), f"Set by you in the console ({_was(p.decision)}).", "user", f"{RULE}.{p.kind}"
    )
    return line


def _set_send(s: Track | Bus, edit: dict[str, Any]) -> str | None:
    """Change a send level; the change line, or None if equal."""
    if not isinstance(s, Track):
        raise EditError(f"{s.id}: buses have no sends")
    send = next((x for x in s.sends if x.bus == edit.get("send")), None)
    if send is None:
        raise EditError(f"{s.id}: no send to {edit.get('send')!r}")
    new = round(_number(edit.get("value"), f"{s.id} send to {send.bus}", *SEND_RANGE), 2)
    if send.level_db == new:
        return None
    before = send.level_db
    send.level_db = new
    send.decision = Decision(
        new, f"Set by you in the console ({_was(send.decision)}).", "user", f"{RULE}.send"
    )
    return f"{s.name}: send to {send.bus} {before:+.1f} -> {new:+.1f} dB"


def apply_edit(
    session: Session,
    edit: Any,
    master: Callable[[Session], tuple[str | None, str | None]] | None = None,
) -> dict[str, Any] | None:
    """Make one hand edit on the session in memory and record it in the history.

    ``master`` (``pipeline.keep_headroom``) then sets the master fader so the mix keeps its
    headroom, as part of the same entry (undo reverts both); not after an edit of the master
    itself, which is the user's from then on. Returns the history entry (kind "user"), or None
    when the value was already that; raises EditError for an unknown strip, processor, send or
    parameter, or a value out of range.
    """
    if not isinstance(edit, dict):
        raise EditError('an edit is a JSON object such as {"strip": "t01", "field": "fader_db", ...}')
    s = _strip(session, edit.get("strip"))
    nyquist = session.sample_rate / 2
    value = edit.get("value")
    if edit.get("param") == "freq_hz" and isinstance(value, int | float) and value > nyquist:
        raise EditError(
            f"{s.id} {edit.get('processor')} freq_hz: {value:g} is above {nyquist:g} (the Nyquist frequency)"
        )
    before = snapshot(session)
    if "processor" in edit:
        line = _set_processor(s, edit)
    elif "send" in edit:
        line = _set_send(s, edit)
    else:
        line = _set_field(s, edit.get("field"), edit.get("value"))
    if line is None:
        return None
    changes = [line]
    if master is not None and not (isinstance(s, Bus) and s.kind == "master"):
        master_line, _ = master(session)
        if master_line:
            changes.append(master_line)
    return record(session, before, {"kind": "user", "note": f"{line} (console)", "changes": changes})
