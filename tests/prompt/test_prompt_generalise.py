"""Issue 16, second pass: general readings of real-note shapes (synonyms, morphology, states, word
order), each checked on sentences written for the test, not taken from the labelled sets."""

from __future__ import annotations

from promptkit import moves as _moves

from faderpilot.prompt.parse import parse


def test_plural_and_extra_target_words():
    """Plurals of the target words, bare "music" and instrument names a mixer uses all resolve."""
    assert _moves("the voices are too quiet") == [("vocals", "level", "up")]
    assert _moves("the kick drums are too loud") == [("kick", "level", "down")]
    assert _moves("background music is much too loud") == [("music", "level", "down")]
    assert _moves("the cello is buried") == [("orchestral", "level", "up")]
    assert _moves("back ground singer in mono") == [("backing_vocals", "width", "down")]
    assert _moves("vocla up") == [("lead_vocal", "level", "up")]  # a swap wins a tie over 'viola'


def test_states_become_the_move_that_fixes_them():
    assert _moves("I couldn't understand a word the singer was saying") == [("vocals", "level", "up")]
    assert _moves("the backing vocals fall under the mix") == [("backing_vocals", "level", "up")]
    assert _moves("the piano sounds like it was recorded in a cathedral") == [("keys", "reverb", "down")]
    assert _moves("the vocal sounds like it was done under water") == [("lead_vocal", "eq", "up")]
    assert _moves("the keys are obliterated by the guitars") == [("keys", "level", "up")]
    assert _moves("the vocal level drifts between too loud and too quiet") == [
        ("lead_vocal", "compression", "up")
    ]
    assert _moves("leave some headroom on the master") == [("mix", "level", "down")]


def test_no_compression_asked_is_less_compression():
    assert _moves("no limiting on the master bus, please") == [("mix", "compression", "down")]
    assert _moves("don't use any compression on the mix bus") == [("mix", "compression", "down")]
    assert _moves("you're limiting it too much, back it off") == [("mix", "compression", "down")]


def test_arrangement_mutes_and_pan_positions():
    assert _moves("save the piano for the last chorus") == [("keys", "mute", "on")]
    assert _moves("the shaker should sit out the first verse") == [("percussion", "mute", "on")]
    assert _moves("keep the bass centered") == [("bass", "pan", "centre")]
    assert _moves("the lead vocal should sit right in the middle of the mix") == [
        ("lead_vocal", "pan", "centre")
    ]
    assert _moves("put the backing vocals just left of centre") == [("backing_vocals", "pan", "left")]
    assert _moves("the hats are panned too far left") == [("hihat", "pan", "right")]


def test_what_is_not_the_target():
    # a parenthesis saying what the target is made of
    assert _moves("the music (a piano and strings) is too loud") == [("music", "level", "down")]
    # when, not what
    assert _moves("the kick gets lost whenever the guitars come in") == [("kick", "level", "up")]
    # leakage of a track into another mic
    assert _moves("high-pass the snare to remove kick bleed") == [("snare", "highpass", "up")]
    # the rest of the mix lends no target of its own
    p = parse("bring the vocal up and everything else down")
    assert [(i.target, i.direction) for i in p.intents] == [("lead_vocal", "up")]
    assert p.not_understood  # the rest is said back, not guessed


def test_levels_said_as_states_and_bands_said_with_level_words():
    assert _moves("the drums are too loud and present") == [("drums", "level", "down")]
    assert _moves("the voice is also lower") == [("lead_vocal", "level", "up")]
    assert _moves("the guitars are still drowned out by all that high end") == [("guitars", "level", "up")]
    assert _moves("get rid of the resonant frequencies in the toms") == [("toms", "eq", "down")]


def test_effects_directions_from_their_faults():
    assert _moves("the echoes on the vocal are cluttering up the mix") == [("lead_vocal", "delay", "down")]
    assert _moves("the reverb is smearing the piano") == [("keys", "reverb", "down")]
    assert _moves("a tape delay on the vocal would add space") == [("lead_vocal", "delay", "up")]


def test_filters_shared_by_a_list_and_lows_not_needed():
    assert _moves("high-pass the guitars, keys and vocals around 100 Hz") == [
        ("guitars", "highpass", "up"),
        ("keys", "highpass", "up"),
        ("vocals", "highpass", "up"),
    ]
    assert _moves("the cymbals don't need anything below 300 Hz") == [("cymbals", "highpass", "up")]


def test_property_statements_and_praise_are_not_instructions():
    for text in (
        "Male vocals typically have sibilance around 6 kHz.",
        "The mix on most trap records usually has a huge 808.",
        "My favourite part was the breakdown.",
        "The instruments are taken care of nicely.",
    ):
        assert parse(text).intents == [], text


def test_word_order_and_verb_forms():
    # a pronoun subject stands for the part named before it
    assert _moves("the guitars sound huge, but they're drowning out the vocal") == [
        ("guitars", "level", "down")
    ]
    # louder than the other: the other is the yardstick
    assert _moves("the backing vocals are louder than the lead") == [("backing_vocals", "level", "down")]
    # move verbs in any form
    assert [
        (i.target, i.action, i.direction, i.freq) for i in parse("I dipped 2-3 kHz on the guitars").intents
    ] == [("guitars", "eq", "down", 2449.5)]
    assert _moves("try notching out the ring in the snare around 900 Hz") == [("snare", "eq", "down")]
    # a move named as the subject of "can help" is advice, not a general truth
    assert _moves("a little boost at 5 kHz can help the vocal cut through") == [("lead_vocal", "eq", "up")]
    assert _moves("the mix is very bass heavy") == [("mix", "eq", "down")]
    assert _moves("the reverb on the guitars is muddying up the low end") == [("guitars", "reverb", "down")]


def test_width_advice_and_width_complaints():
    # a tutorial's "usually panned/spread" is advice, not this mix described
    assert _moves("stereo-miked piano is usually spread across the field") == [("keys", "width", "up")]
    assert _moves("the hi-hat is usually panned slightly to the left") == [("hihat", "pan", "left")]
    # the wish for width denied
    assert _moves("the pads don't need to be super wide") == [("synth", "width", "down")]
    assert _moves("avoid making the bass stereo") == [("bass", "width", "down")]
    # everything in the middle is a complaint
    assert _moves("the backing vocals are stacked in the center") == [("backing_vocals", "width", "up")]
    assert _moves("everything is panned dead center, so the mix sounds small") == [("mix", "width", "up")]
    assert _moves("widening the chorus guitars will make them sound bigger") == [("guitars", "width", "up")]
    assert _moves("a stereo widener on the synth can make it feel huge") == [("synth", "width", "up")]


def test_dynamics_and_band_amounts_said_in_prose():
    assert _moves("the mix has been limited to death") == [("mix", "compression", "down")]
    assert _moves("there is no dynamic range left in the master") == [("mix", "compression", "down")]
    assert _moves("the toms ring out for too long") == [("toms", "sustain", "down")]
    assert _moves("there's not enough low end in the mix") == [("mix", "eq", "up")]  # too little, not too


def test_more_vocal_part_names():
    assert _moves("the adlibs are too loud") == [("backing_vocals", "level", "down")]
    assert _moves("the vocal doubles are too loud") == [("backing_vocals", "level", "down")]
    assert _moves("the vocal harmonies are too loud") == [("backing_vocals", "level", "down")]
    assert _moves("the topline needs to come up") == [("lead_vocal", "level", "up")]
    assert _moves("the rhythm section is too loud") == [("rhythm_section", "level", "down")]


def test_frequencies_said_loosely():
    p = parse("dip the guitars around the 250 mark")
    assert [(i.target, i.action, i.direction, i.freq) for i in p.intents] == [
        ("guitars", "eq", "down", 250.0)
    ]
    p = parse("the vocal needs a notch at 2.5k")  # the cut named beats the wish verb
    assert [(i.action, i.direction, i.freq) for i in p.intents] == [("eq", "down", 2500.0)]
