"""The prompt box: mix notes in plain language to explained, undoable session edits.

``note(out_dir, "vocal up a touch in the chorus")`` parses the note (``prompt.parse``), finds
the strips it names (``prompt.resolve``), edits the session with reasons (``prompt.apply``),
records the edits in ``session.history`` (``prompt.history``), saves session.json and renders
mix.wav and the stems that changed. ``undo(out_dir)`` reverts the last note. Offline, no model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from ..session.io import load, save
from ..session.model import Session
from .apply import Applied, apply_intent
from .history import record, snapshot
from .history import undo as _undo
from .parse import Intent, Parsed, parse

__all__ = ["Intent", "NoteResult", "Parsed", "apply_note", "note", "parse", "undo"]


@dataclass
class NoteResult:
    """What a note did: the session, what was understood, what changed and why, what was written."""

    session: Session
    note: str
    parsed: Parsed
    applied: list[Applied] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)
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
        for a in self.applied:
            out.append(f"understood: {a.intent.understood} [{a.how}]")
            out += [f"  {line}" for line in a.lines]
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


def apply_note(session: Session, text: str, out_dir: Path | None = None) -> NoteResult:
    """Apply one note to a session in memory (no files written) and record it in the history."""
    parsed = parse(text, [t.name for t in session.tracks])
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
    if res.changed or res.markers_detected:
        record(session, before, entry)
    return res


def note(out_dir: str | Path, text: str, *, render: bool = True, workers: int | None = None) -> NoteResult:
    """Apply one note to the session in OUT_DIR, save it, and re-render mix.wav and changed stems.

    A note that changes nothing (not understood, or a target that matches no track) leaves
    the folder untouched.
    """
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    session = load(out_dir / "session.json")
    res = apply_note(session, text, out_dir)
    if res.changed or res.markers_detected:
        save(session, out_dir / "session.json")
    if res.changed and render:
        from ..pipeline import rerender

        t1 = time.perf_counter()
        res.files = rerender(out_dir, session, strips=_with_buses(session, res.changed), workers=workers)
        res.render_seconds = time.perf_counter() - t1
    res.seconds = time.perf_counter() - t0
    return res


def _with_buses(session: Session, changed: set[str]) -> set[str]:
    """Changed strips plus the group buses their tracks feed."""
    out = set(changed)
    for t in session.tracks:
        if t.id in changed:
            out.add(t.output)
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
