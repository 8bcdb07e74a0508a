"""Issue 16, third pass: general readings found by probing the parser with sentences written for
the test (verb x effect, state x target, review-style clauses), not taken from the labelled sets."""

from __future__ import annotations

import pytest
from promptkit import moves as _moves


@pytest.mark.parametrize(
    "effect,action", [("compression", "compression"), ("width", "width"), ("punch", "punch")]
)
@pytest.mark.parametrize(
    "verb", ["reduce the", "turn down the", "bring down the", "take out some of the", "I'd lose some of the"]
)
def test_a_taking_away_verb_lowers_every_effect(verb: str, effect: str, action: str):
    """'reduce the compression' read 'compression up' before: the verb now governs the effect."""
    assert _moves(f"{verb} {effect} on the snare") == [("snare", action, "down")]


def test_pull_back_an_effect_is_that_effect_not_depth():
    assert _moves("pull back the delay on the vocal") == [("lead_vocal", "delay", "down")]
    assert _moves("pull back the low end on the vocal") == [("lead_vocal", "eq", "down")]
    assert _moves("dial back the reverb on the vocals") == [("vocals", "reverb", "down")]
    assert _moves("dial the hats down a bit") == [("hihat", "level", "down")]


def test_a_wish_quality_said_of_the_part_is_a_complaint():
    """'a little bright' is too bright (a comparative 'brighter' stays a wish)."""
    assert _moves("the snare is a little bright, otherwise great") == [("snare", "eq", "down")]
    assert _moves("the vocal sounds a bit wet") == [("lead_vocal", "reverb", "down")]
    assert _moves("honestly the pads seem kind of wide to me") == [("synth", "width", "down")]
    assert _moves("the snare could be a little brighter") == [("snare", "eq", "up")]
    assert _moves("the stereo image is too narrow") == [("mix", "width", "up")]


def test_comparatives_with_any_intensifier():
    assert _moves("the vocals are quite a bit softer than the guitars") == [("vocals", "level", "up")]
    assert _moves("the keys are a lot louder than the vocal") == [("keys", "level", "down")]


def test_states_said_with_other_words():
    assert _moves("the guitars are far too echoey") == [("guitars", "reverb", "down")]
    assert _moves("the toms are struggling to cut through the mix") == [("toms", "level", "up")]
    assert _moves("I didn't notice the bass at all until the bridge") == [("bass", "level", "up")]
    assert _moves("the vocal sounds like it's coming through a telephone") == [("lead_vocal", "eq", "up")]
    assert _moves("the mix just cranks the high end") == [("mix", "eq", "down")]
    assert _moves("I wasn't a fan of how loud the cymbals are") == [("cymbals", "level", "down")]
    assert _moves("not sure about the delay on the guitar") == [("guitars", "delay", "down")]
    assert _moves("the synths are eating up all the space in the mix") == [("synth", "level", "down")]
    assert _moves("everything is panned to the center so the mix feels cramped") == [("mix", "width", "up")]
    assert _moves("Everything feels squashed, you've over-limited the master.") == [
        ("mix", "compression", "down")
    ]


def test_verbs_with_particles_and_verb_forms():
    assert _moves("equalize away the low tones in the pads") == [("synth", "eq", "down")]
    assert _moves("a shelf tapering off from 300 Hz on the mix") == [("mix", "eq", "down")]
    assert _moves("keep the pad fairly low") == [("synth", "level", "down")]
    assert _moves("increasing the volume of the vocal") == [("lead_vocal", "level", "up")]
    assert _moves("the guitars need to be tucked in a bit") == [("guitars", "level", "down")]
    assert _moves("go easy on the delay") == [("mix", "delay", "down")]
    assert _moves("hard-pan the doubled guitars") == [("guitars", "width", "up")]


def test_tutorial_placements_with_a_habit_word_are_advice():
    assert _moves("Most of the time, the bass guitar is panned in the center") == [("bass", "pan", "centre")]
    assert _moves("backing vocals are often double tracked, and they are panned hard left and right") == [
        ("backing_vocals", "width", "up")
    ]


def test_masking_and_its_victim():
    """A masker that hides something outside the mix comes down; a part hidden by a masker comes up."""
    assert _moves("the music drowns out the dialogue") == [("music", "level", "down")]
    assert _moves("the background music makes it hard to hear the narration") == [("music", "level", "down")]
    assert _moves("the guitars overpower the vocals so you can barely hear them") == [
        ("vocals", "level", "up")
    ]
    assert _moves("the vocal is getting masked by the guitars") == [("lead_vocal", "level", "up")]


def test_clauses_that_are_not_the_target():
    assert _moves("the vocals get buried whenever the guitars kick in") == [("vocals", "level", "up")]
    assert _moves("kick in louder") == [("kick", "level", "up")]  # the drum, not the verb
    assert _moves("The intro is gorgeous, but once the band comes in the vocal disappears.") == [
        ("lead_vocal", "level", "up")
    ]
    assert _moves("move the piano fader down so that the vocals are on top of it") == [
        ("keys", "level", "down")
    ]
    assert _moves("raise the vocal as well as lowering the guitars") == [
        ("lead_vocal", "level", "up"),
        ("guitars", "level", "down"),
    ]
    assert _moves("The overall mix is a bit dark, so maybe brighten it up a touch.") == [("mix", "eq", "up")]


def test_suggestions_and_reviews():
    assert _moves("Maybe dial back the reverb on the vocals?") == [("vocals", "reverb", "down")]
    assert _moves("Maybe the vocals are too loud?") == []  # a question asks, it does not move
    assert _moves("This has a lot of potential, keep it up!") == []
    assert _moves("The drums are punchy and the vocals sit nicely on top.") == []
    assert _moves("all the parts are clearly audible") == []
    assert _moves("While the guitars sound great, the vocals are getting lost behind them.") == [
        ("vocals", "level", "up")
    ]


def test_the_808_is_the_bass():
    assert _moves("the 808 is too loud") == [("bass", "level", "down")]
    assert _moves("the 808 kick needs more punch") == [("kick", "punch", "up")]
    assert _moves("the theremin is too loud") == [("unknown:theremin", "level", "down")]
