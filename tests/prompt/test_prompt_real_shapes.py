"""Notes as people write them (issue 16): states, prose ranges, hedges, slips, mute/solo, FX
levels everywhere, group levels over sections, amounts refused; on a small in-memory session."""

from __future__ import annotations

import pytest

from faderpilot.prompt import MAX_NOTE_DB, NoteError, apply_note, parse
from faderpilot.prompt.parse import _phonetic
from faderpilot.session.model import Bus, Marker, Processor, Role, Send, Session, Track


def _track(tid: str, name: str, role: str, sends=(), channels: int = 1) -> Track:
    return Track(
        id=tid,
        name=name,
        source=f"/stems/{name}.wav",
        source_id=tid,
        role=Role(role, "name", 0.9, f"name says {role}"),
        channels=channels,
        fader_db=-3.0,
        sends=[Send(b, lvl) for b, lvl in sends],
    )


@pytest.fixture
def session() -> Session:
    return Session(
        name="small",
        sample_rate=48000,
        length_s=20.0,
        tracks=[
            _track("t1", "Vox Ld", "lead_vocal", [("rev", -12.0), ("dly", -20.0)]),
            _track("t2", "Kick", "kick", [("rev", -24.0)]),
            _track("t3", "HiHat", "hihat"),
            _track("t4", "Gtr L", "electric_guitar", [("rev", -18.0)]),
            _track("t5", "Gtr R", "electric_guitar"),
            _track("t6", "Bass", "bass"),
            _track("t7", "Pad", "synth", channels=2),
        ],
        buses=[
            Bus("rev", "Reverb", "fx", chain=[Processor("reverb1", "reverb", {})]),
            Bus("dly", "Delay", "fx", chain=[Processor("delay1", "delay", {})]),
            Bus("master", "Master", "master", None),
        ],
        markers=[Marker("verse", 0.0), Marker("chorus", 8.0), Marker("outro", 16.0)],
    )


def _t(session: Session, name: str) -> Track:
    return next(t for t in session.tracks if t.name == name)


def _label(text: str) -> list[dict]:
    return [i.as_label() for i in parse(text).intents]


def test_less_reverb_on_everything_lowers_every_reverb_send(session):
    res = apply_note(session, "less reverb on everything, 2 dB")
    assert [s.level_db for s in _t(session, "Vox Ld").sends] == [-14.0, -20.0]  # the delay send stays
    assert _t(session, "Kick").sends[0].level_db == -26.0
    assert _t(session, "Gtr L").sends[0].level_db == -20.0
    assert not _t(session, "Gtr R").sends  # no send: none added by a "less"
    text = "\n".join(res.lines())
    assert "every send to Reverb (3: Vox Ld, Kick, Gtr L)" in text
    assert session.master.fader_db == 0.0


def test_more_delay_with_no_target_moves_the_delay_sends(session):
    apply_note(session, "more delay")
    assert _t(session, "Vox Ld").sends[1].level_db == -17.0


def test_mute_unmute_and_solo(session):
    res = apply_note(session, "mute the hi hat")
    assert _t(session, "HiHat").mute is True and "HiHat: mute off -> on" in "\n".join(res.lines())
    apply_note(session, "mute the vocal")
    assert _t(session, "Vox Ld").mute is True
    apply_note(session, "unmute the vocal")
    assert _t(session, "Vox Ld").mute is False
    apply_note(session, "solo the bass")
    assert _t(session, "Bass").solo is True
    assert session.history[-1]["changes"] == ["Bass: solo off -> on"]


def test_hyatt_resolves_to_the_hi_hat_with_a_score(session):
    assert _phonetic("hyatt") == _phonetic("hihat") == "ht"
    res = apply_note(session, "the Hyatt is too loud")
    assert _t(session, "HiHat").fader_db == -4.5
    read = [line for line in res.lines() if line.startswith("read:")]
    assert read and "'hyatt' read as 'hi hat'" in read[0] and "score" in read[0]


def test_typo_match_reports_its_score():
    p = parse("the snaer is boxy")
    assert [i.target for i in p.intents] == ["snare"]
    assert any("typo, score" in r for r in p.readings)


def test_pull_the_guitars_back_in_the_chorus_is_a_group_level_over_the_section(session):
    assert _label("pull the guitars back 2dB in the chorus") == [
        {"target": "guitars", "action": "level", "direction": "down", "amount": 2.0, "section": "chorus"}
    ]
    res = apply_note(session, "pull the guitars back 2dB in the chorus")
    for name in ("Gtr L", "Gtr R"):
        t = _t(session, name)
        assert t.fader_db == -3.0 and t.automation, name
        pts = t.automation[0]["points"]
        assert min(v for _, v in pts) == pytest.approx(-2.0)
    assert not _t(session, "Vox Ld").automation
    assert sum("gain automation -2 dB" in line for line in res.lines()) == 2


@pytest.mark.parametrize(
    "text", ["vocal down 1e308 dB", "vocal up 30 dB", "vocal down inf dB", "kick up 1e3 db"]
)
def test_amounts_past_the_limit_are_refused_in_full(session, text):
    amount = parse(text).intents[0].amount
    assert amount > MAX_NOTE_DB and amount != 308.0
    with pytest.raises(NoteError) as e:
        apply_note(session, text)
    assert e.value.code == "FP-E021"
    assert _t(session, "Vox Ld").fader_db == -3.0 and not session.history


def test_states_read_as_the_move_that_fixes_them(session):
    res = apply_note(session, "the kick is fairly low in the mix")
    assert _t(session, "Kick").fader_db == -1.5
    assert any("'fairly low in the mix' read as" in line for line in res.lines())
    assert _label("the pads are too front-and-center") == [
        {"target": "synth", "action": "depth", "direction": "down"}
    ]
    assert _label("your sustained sounds crowd out the transients") == [
        {"target": "mix", "action": "sustain", "direction": "down"}
    ]
    eq = parse("the snare is boxy").intents[0]
    assert (eq.action, eq.direction, eq.descriptor) == ("eq", "down", "boxy")


def test_prose_ranges_give_the_geometric_centre():
    i = parse("a few dB out at 2.5 to 3.5 kHz on the vocal").intents[0]
    assert (i.action, i.direction, i.amount, i.freq_range) == ("eq", "down", 3.0, (2500.0, 3500.0))
    assert i.freq == pytest.approx((2500 * 3500) ** 0.5, abs=0.1)
    i = parse("a lift at 10 to 15 or 16 kHz on the overheads").intents[0]
    assert i.direction == "up" and i.freq_range == (10000.0, 16000.0)
    i = parse("Smoothness: apply some cut in a narrow band between 1 and 2 kHz on the vocal").intents[0]
    assert (i.target, i.direction, i.freq_range) == ("lead_vocal", "down", (1000.0, 2000.0))
    i = parse("somewhere in the 2 kHz to 6 kHz range, typically less than 6 dB").intents[0]
    assert i.freq_range == (2000.0, 6000.0) and i.amount == 3.0


def test_hedges_are_dropped():
    assert _label("I'd suggest bringing the bass up 2 dB") == [
        {"target": "bass", "action": "level", "direction": "up", "amount": 2.0}
    ]
    assert _label("try cutting around 400 Hz on the kick") == [
        {"target": "kick", "action": "eq", "direction": "down", "freq": 400.0}
    ]


@pytest.mark.parametrize(
    "text", ["love it!", "needs more vibe", "Overall: great work, love it", "try it again"]
)
def test_non_instructions_stay_not_understood(text):
    assert parse(text).intents == []
