"""The note parser against the labelled set (tests/prompt/notes.jsonl) and its ground rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faderpilot.prompt.parse import AMOUNT_WORDS, DESCRIPTORS, label_matches, parse

NOTES = Path(__file__).with_name("notes.jsonl")


def _labelled() -> list[dict]:
    return [json.loads(line) for line in NOTES.read_text(encoding="utf-8").splitlines() if line.strip()]


def _matches(got: list[dict], want: list[dict]) -> bool:
    return label_matches(got, want)


def test_labelled_set_is_large_and_varied():
    rows = _labelled()
    assert len(rows) >= 250
    assert sum(1 for r in rows if not r["intents"]) >= 15  # non-instructions
    assert sum(1 for r in rows if len(r["intents"]) > 1) >= 15  # several notes in one line
    actions = {i["action"] for r in rows for i in r["intents"]}
    assert actions >= {"level", "eq", "highpass", "lowpass", "compression", "punch", "sustain", "deess"}
    assert actions >= {"reverb", "delay", "depth", "width", "pan"}


def test_accuracy_on_labelled_notes(capsys):
    rows = _labelled()
    wrong = []
    for r in rows:
        got = [i.as_label() for i in parse(r["text"]).intents]
        if not _matches(got, r["intents"]):
            wrong.append((r["text"], got, r["intents"]))
    acc = 1 - len(wrong) / len(rows)
    with capsys.disabled():
        print(f"\nprompt parser accuracy: {acc:.1%} on {len(rows)} labelled notes ({len(wrong)} wrong)")
    assert acc >= 0.95, wrong[:10]


@pytest.mark.parametrize(
    "text", ["love it!", "needs more vibe", "make it pop", "sounds great, thanks", "the vibe is off", "hmm"]
)
def test_non_instructions_are_not_understood(text):
    p = parse(text)
    assert p.intents == []
    assert p.not_understood


def test_amount_words_follow_the_scale_and_numbers_win():
    assert parse("vocal up a hair").intents[0].amount == AMOUNT_WORDS["a hair"] == 0.5
    assert parse("vocal up a touch").intents[0].amount == 1.0
    assert parse("vocal way louder").intents[0].amount == 6.0
    i = parse("vocal up a touch, 2 dB").intents[0]
    assert i.amount == 2.0 and i.explicit
    assert parse("vocal up").intents[0].amount is None  # the action's default applies


def test_several_notes_and_shared_targets():
    p = parse("vocal up 1 dB and more reverb on it, less delay on the snare")
    got = [(i.target, i.action, i.direction) for i in p.intents]
    assert got == [("lead_vocal", "level", "up"), ("lead_vocal", "reverb", "up"), ("snare", "delay", "down")]


def test_typos_are_corrected():
    assert parse("vocla up").intents[0].target == "lead_vocal"
    assert parse("more revreb on the snare").intents[0].action == "reverb"
    assert parse("piano donw").intents[0].direction == "down"


def test_descriptors_cover_the_issue_words():
    for (
        word
    ) in "bright dull dark muddy boxy harsh thin boomy warm airy nasal honky sibilant tinny crisp".split():
        p = parse(f"the vocal is {word}" if word != "airy" else "more air on the vocal")
        assert p.intents, word
        i = p.intents[0]
        assert i.action in ("eq", "deess"), word
        if i.action == "eq":
            assert i.descriptor in DESCRIPTORS


def test_sections_are_read():
    i = parse("Vocal up 2dB in the second verse").intents[0]
    assert i.section == {"name": "verse", "index": 2}
    assert parse("bass down during the last chorus").intents[0].section == {"name": "chorus", "index": -1}


def test_track_names_are_targets():
    i = parse("gtr di up 1 dB", ["Gtr DI", "Vox Ld"]).intents[0]
    assert i.target == "track:Gtr DI"
