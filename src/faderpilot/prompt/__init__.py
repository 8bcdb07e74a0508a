"""The prompt box: mix notes in plain language to explained, undoable session edits.

``note(out_dir, "vocal up a touch in the chorus")`` parses the note (``prompt.parse``), finds
the strips it names (``prompt.resolve``), edits the session with reasons (``prompt.apply``),
records the edits in ``session.history`` (``prompt.history``), saves session.json and renders
mix.wav and the stems that changed. ``undo(out_dir)`` reverts the last note. Offline, no model.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..messages import FaderpilotError, message
from ..session.io import load, save
from ..session.model import Session
from .apply import Applied, apply_intent
from .history import record, snapshot
from .history import undo as _undo
from .parse import Intent, Parsed, parse

__all__ = [
    "MAX_NOTE",
    "MAX_NOTE_DB",
    "Intent",
    "NoteError",
    "NoteResult",
    "Parsed",
    "apply_note",
    "note",
    "parse",
    "undo",
]

#: Longest note taken (characters), by ``faderpilot note`` and the console's prompt box alike.
MAX_NOTE = 1000
#: Largest level or EQ move one instruction of a note may ask for (dB, either way).
MAX_NOTE_DB = 24.0

#: Sets the master fader after an edit (``pipeline.keep_headroom``): (change line, warning).
MasterStep = Callable[[Session], tuple[str | None, str | None]]


class NoteError(FaderpilotError, ValueError):
    """A note refused before anything changed (FP-E020 too long, FP-E021 amount too large)."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{text} [{code}]")
        self.code = code


def check_note(text: str, parsed: Parsed | None = None) -> None:
    """Raise NoteError for a note over :data:`MAX_NOTE` characters, or one whose instructions ask
    for more than :data:`MAX_NOTE_DB` dB (checked on ``parsed`` when given)."""
    if len(text) > MAX_NOTE:
        raise NoteError("FP-E020", message("FP-E020", len(text), MAX_NOTE))
    for i in parsed.intents if parsed is not None else ():
        if i.unit == "dB" and i.amount is not None and abs(i.amount) > MAX_NOTE_DB:
            raise NoteError("FP-E021", message("FP-E021", i.text or text, i.amount, MAX_NOTE_DB))


@dataclass
class NoteResult:
    """What a note did: the session, what was understood, what changed and why, what was written."""

    session: Session
    note: str
    parsed: Parsed
    applied: list[Applied] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)
    #: the master fader's change that keeps the headroom (part of the same history entry)
    master_line: str | None = None
    warning: str | None = None
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    render_seconds: float = 0.0
    markers_detected: bool = False

    @property
    def understood(self) -> bool:
        """True when at least one instruction was understood."""
        return bool(self.parsed.intents)

    def lines(self) -> list[str]:
        """The summary: what was understood, what changed and why, what was not understood."""
        out: list[str] = []
        if not self.parsed.intents:
            out.append(f"not understood: '{self.note}' (no mix instruction found; nothing changed)")
            return out
        for r in self.parsed.readings:
            out.append(f"read: {r}")
        for a in self.applied:
            said = f"'{a.intent.text}' \u2192 " if a.intent.text else ""
            out.append(f"understood: {said}{a.intent.understood} [{a.how}]")
            out += [f"  {line}" for line in a.lines]
        if self.master_line:
            out.append(f"  {self.master_line}")
        if self.warning:
            out.append(f"warning: {self.warning}")
        for c in self.parsed.not_understood:
            out.append(f"not understood: '{c}' (ignored)")
        if self.markers_detected:
            marks = ", ".join(f"{m.name} {m.time_s:.2f} s" for m in self.session.markers)
            out.append(f"sections detected from the mix: {marks}")
        return out


def _sections_for(session: Session, out_dir: Path | None) -> tuple[list, bool]:
    from .sections import detect_sections, spans

    detected = False
    if not session.markers and out_dir is not None and (out_dir / "mix.wav").exists():
        from ..audio.io import read_audio

        mixed = read_audio(out_dir / "mix.wav")
        session.markers = detect_sections(mixed.audio, mixed.sample_rate)
        detected = True
    return spans(session.markers, session.length_s), detected


def apply_note(
    session: Session, text: str, out_dir: Path | None = None, *, master: MasterStep | None = None
) -> NoteResult:
    """Apply one note to a session in memory (no files written) and record it in the history.

    ``master`` (``pipeline.keep_headroom``) then sets the master fader so the mix keeps the
    headroom ``mix`` gave it; its change is part of the note's history entry, so undo reverts
    both. Raises NoteError (nothing changed) for a note too long or an amount too large."""
    check_note(text)
    parsed = parse(text, [t.name for t in session.tracks])
    check_note(text, parsed)
    res = NoteResult(session=session, note=text, parsed=parsed)
    if not parsed.intents:
        return res
    before = snapshot(session)
    sections: list = []
    if any(i.section for i in parsed.intents):
        sections, res.markers_detected = _sections_for(session, out_dir)
    for intent in parsed.intents:
        a = apply_intent(session, intent, text, sections)
        res.applied.append(a)
        res.changed |= a.changed
        if a.sends_changed:
            res.changed |= {b.id for b in session.buses if b.kind == "fx"}
    entry = {
        "kind": "note",
        "note": text,
        "understood": [i.understood for i in parsed.intents],
        "not_understood": list(parsed.not_understood),
        "changes": [line for a in res.applied for line in a.lines],
    }
    if res.changed and master is not None:
        res.master_line, res.warning = master(session)
        if res.master_line:
            entry["changes"].append(res.master_line)
    if res.changed or res.markers_detected:
        record(session, before, entry)
    return res


def note(
    out_dir: str | Path, text: str, *, render: bool = True, workers: int | None = None, headroom: bool = True
) -> NoteResult:
    """Apply one note to the session in OUT_DIR, save it, and re-render mix.wav and changed stems.

    With ``headroom`` (the default) the master fader is set as ``mix`` sets it, in the same
    history entry (``pipeline.keep_headroom``; this renders the mix once even without ``render``).
    A note that changes nothing (not understood, or a target that matches no track) leaves
    the folder untouched; a note refused (NoteError) too.
    """
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    check_note(text)
    session = load(out_dir / "session.json")
    step = None
    kept: dict = {}  # the headroom step's render, written out by the re-render below
    if headroom:
        from ..pipeline import keep_headroom

        # the printed stems still current are read back, so only the changed track renders
        step = partial(keep_headroom, workers=workers, out_dir=out_dir, keep=kept)
    res = apply_note(session, text, out_dir, master=step)
    if res.changed or res.markers_detected:
        save(session, out_dir / "session.json")
    if res.changed and render:
        from ..pipeline import rerender

        t1 = time.perf_counter()
        res.files = rerender(
            out_dir,
            session,
            strips=_with_buses(session, res.changed),
            workers=workers,
            kept=kept.get("render"),
        )
        res.render_seconds = time.perf_counter() - t1
    res.seconds = time.perf_counter() - t0
    return res


def _with_buses(session: Session, changed: set[str]) -> set[str]:
    """Changed strips plus every bus whose sound they reach: the group bus a strip feeds and the
    FX buses its (post-fader) sends feed, and on down the chain, so no printed stem goes stale
    (the DAWproject and AAF exports play them)."""
    strips = {s.id: s for s in [*session.tracks, *session.buses]}
    out = set(changed)
    todo = list(changed)
    while todo:
        s = strips.get(todo.pop())
        if s is None:
            continue
        for nxt in [s.output, *(x.bus for x in getattr(s, "sends", []))]:
            if nxt and nxt != "master" and nxt not in out:
                out.add(nxt)
                todo.append(nxt)
    out.discard("master")
    return out


@dataclass
class UndoResult:
    """What undo reverted (None when there was no note to undo) and the files re-rendered."""

    session: Session
    entry: dict | None
    files: list[Path] = field(default_factory=list)


def undo(out_dir: str | Path, *, render: bool = True, workers: int | None = None) -> UndoResult:
    """Revert the last note applied to the session in OUT_DIR and re-render what it changed."""
    out_dir = Path(out_dir)
    session = load(out_dir / "session.json")
    reverted, entry = _undo(session)
    if entry is None:
        return UndoResult(session, None)
    save(reverted, out_dir / "session.json")
    files: list[Path] = []
    if render:
        from ..pipeline import rerender

        strips = {e["where"].split("/", 1)[1] for e in entry["edits"] if e["where"]}
        if any(e["field"] == "sends" for e in entry["edits"]):
            strips |= {b.id for b in reverted.buses if b.kind == "fx"}
        files = rerender(out_dir, reverted, strips=_with_buses(reverted, strips), workers=workers)
    return UndoResult(reverted, entry, files)
