"""The real-notes set (tests/prompt/notes_real.jsonl): collected from public writing about mixing,
each row with its source page, split by page so the held part is never tuned on. Its accuracy is
reported by eval/prompt_real.py; here the set's shape is kept honest and the parser is held to
never do worse than its recorded floor on the development part."""

from __future__ import annotations

import json
from pathlib import Path

from faderpilot.prompt.parse import label_matches, parse

REAL = Path(__file__).with_name("notes_real.jsonl")


def _rows() -> list[dict]:
    return [json.loads(line) for line in REAL.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_real_set_is_large_sourced_and_split_by_page():
    rows = _rows()
    assert len(rows) >= 500
    assert all(
        r["source"].strip() and r["split"] in ("dev", "held", "fresh2", "fresh3", "fresh4") for r in rows
    )
    assert len({r["source"] for r in rows}) >= 250
    assert sum(1 for r in rows if not r["intents"]) >= 36  # notes that are not instructions
    pages = {}
    for r in rows:
        pages.setdefault(r["source"], set()).add(r["split"])
    assert all(len(s) == 1 for s in pages.values())  # a page belongs to one split
    assert sum(1 for r in rows if r["split"] == "fresh2") >= 60  # issue 16's batch never tuned on
    assert sum(1 for r in rows if r["split"] == "fresh3") >= 60  # round 2's batch, never tuned on
    fresh4 = [r for r in rows if r["split"] == "fresh4"]  # round 4's batch, never tuned on
    assert len(fresh4) >= 50 and len({r["source"] for r in fresh4}) >= 25


def test_real_non_instructions_in_dev_are_mostly_not_understood():
    quiet = [r for r in _rows() if r["split"] == "dev" and not r["intents"]]
    guessed = [r["text"] for r in quiet if parse(r["text"]).intents]
    assert len(guessed) <= 0.20 * len(quiet), guessed[:10]


def test_labelled_notes_are_at_least_half_real():
    """The issue's bar: at least 600 labelled notes, at least half collected from real writing."""
    synthetic = (REAL.parent / "notes.jsonl").read_text(encoding="utf-8").splitlines()
    real = _rows()
    assert len(real) + len([x for x in synthetic if x.strip()]) >= 600
    assert len(real) >= len([x for x in synthetic if x.strip()])


def test_dev_real_notes_move_right_at_least_the_recorded_floor():
    """The development part may not fall under its recorded floor (68.4% moved right when
    recorded over 516 dev notes, 144 of them added after the last parser change; 74.4% after issue
    16's second pass of general rules, 75.4% after its third, 76.2% after its fourth; the floor
    leaves room for label-neutral rewording of rules)."""
    dev = [r for r in _rows() if r["split"] == "dev"]
    right = sum(
        label_matches([i.as_label() for i in parse(r["text"]).intents], r["intents"], moved_only=True)
        for r in dev
    )
    assert right / len(dev) >= 0.73, f"{right}/{len(dev)}"
