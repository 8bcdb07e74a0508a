"""Issue 16, fourth pass: general mechanisms for notes as people write them, each checked on
sentences written for this test (not taken from any labelled set): discourse markers read past,
word classes (determiners, verbs of hearing with a limiting word, masking verbs with an object,
states of place, texture words, performers), pronouns with nothing named, result and relative
clauses, listening places, praise of a clause, and target words heard or written wrong."""

from __future__ import annotations

import pytest
from promptkit import moves as _moves

from faderpilot.prompt.parse import parse


@pytest.mark.parametrize(
    "text",
    [
        "As I said before, the vocal is drowning in reverb.",
        "To be honest, the vocal is drowning in reverb.",
        "Either way, the vocal is drowning in reverb.",
        "Anyway, the vocal is drowning in reverb.",
    ],
)
def test_discourse_markers_are_read_past(text):
    p = parse(text)
    assert _moves(text) == [("lead_vocal", "reverb", "down")]
    assert any("discourse marker" in r for r in p.readings)


def test_a_habit_after_a_discourse_marker_is_still_a_habit():
    assert _moves("As I mentioned in my last article, I usually compress the guitar a bit.") == []


def test_determiners_are_a_word_class_around_a_masked_part():
    assert _moves("the music drowns out any of the dialogue") == [("music", "level", "down")]
    assert _moves("the pads bury most of the backing vocals") == [("synth", "level", "down")]


def test_a_masking_verb_with_an_object_brings_the_masker_down():
    assert _moves("the hi-hat is drowning everything") == [("hihat", "level", "down")]
    assert _moves("the synth swamps the keys") == [("synth", "level", "down")]
    # without an object the part is the masked one
    assert _moves("the vocal is drowning") == [("lead_vocal", "level", "up")]
    assert _moves("the vocal is drowning in reverb") == [("lead_vocal", "reverb", "down")]


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("I can hardly hear the piano", "keys"),
        ("we could barely make out the bass", "bass"),
        ("the guitar was hardly audible", "guitars"),
        ("I could not hear the toms at all", "toms"),
        ("the toms are impossible to make out", "toms"),
        ("it is hard to pick out the shaker", "percussion"),
        ("the organ is scarcely noticeable", "keys"),
    ],
)
def test_a_limiting_word_before_a_verb_of_hearing_is_too_quiet(text, target):
    assert _moves(text) == [(target, "level", "up")]


def test_telling_two_parts_apart_is_not_a_level():
    assert _moves("you can't distinguish the kick from the bass") == []
    assert _moves("I can hear the bass fine") == []


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("the piano is too far left", ("keys", "pan", "right")),
        ("the guitar sits way over to the right", ("guitars", "pan", "left")),
        ("the bass sounds off-centre", ("bass", "pan", "centre")),
        ("the snare is off to one side", ("snare", "pan", "centre")),
    ],
)
def test_a_place_said_as_a_state_moves_back(text, move):
    assert _moves(text) == [move]


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("the overheads are a bit clanky", ("overheads", "eq", "down")),
        ("the acoustic sounds glassy", ("acoustic_guitar", "eq", "down")),
        ("the piano sounds veiled", ("keys", "eq", "up")),
        ("the vocal is kind of quacky", ("lead_vocal", "eq", "down")),
        ("the bass is too subby", ("bass", "eq", "down")),
    ],
)
def test_texture_words_map_to_their_region(text, move):
    assert _moves(text) == [move]


def test_a_pronoun_with_nothing_named_is_not_understood():
    assert _moves("turn it down") == []
    assert _moves("they're too loud") == []
    p = parse("turn it down")
    assert p.not_understood and any("'it'" in r for r in p.readings)
    # the whole mix is what a bare "it" means when the note says so
    assert _moves("turn it up a bit overall") == [("mix", "level", "up")]
    assert _moves("you're limiting it too much, back it off") == [("mix", "compression", "down")]
    # the person asking is not the thing to move
    assert _moves("he wanted more bass") == [("bass", "level", "up")]


def test_a_result_clause_names_no_target():
    assert _moves("The vocals dip a little lower, causing them to fade into the wall of the guitar.") == [
        ("vocals", "level", "up")
    ]
    assert _moves("the keys are too loud, making the vocal hard to follow") == [("keys", "level", "down")]


def test_a_relative_clause_state_belongs_to_its_noun_and_a_frame_is_read_past():
    assert _moves("Great tune. My only gripe is the reverb on the snare, which feels a bit much.") == [
        ("snare", "reverb", "down")
    ]
    # "the issue is still present" is no frame
    assert _moves("the music drowns out the dialogue and the issue is still present") == [
        ("music", "level", "down")
    ]


def test_a_bit_far_back_is_too_far_back():
    assert _moves("the backing vocals feel a bit far back there") == [("backing_vocals", "depth", "up")]


def test_where_it_was_heard_is_not_a_move():
    assert _moves(
        "I listened on my car stereo and on headphones, and the kick gets lost on the small speakers."
    ) == [("kick", "level", "up")]


@pytest.mark.parametrize(
    ("text", "moves"),
    [
        (
            "The arrangement works well and the guitars sound huge; I'd just pull the bass down a little.",
            [("bass", "level", "down")],
        ),
        (
            "The drums sound huge and the bass is tight, but I'd like to hear more of the piano.",
            [("keys", "level", "up")],
        ),
        (
            "The song builds nicely into the chorus, though the backing vocals feel a bit far back there.",
            [("backing_vocals", "depth", "up")],
        ),
        (
            "I think the mix is nearly there, just needs a little more high end on the vocal.",
            [("lead_vocal", "eq", "up")],
        ),
    ],
)
def test_a_praised_clause_lends_no_move(text, moves):
    assert _moves(text) == moves


def test_a_pronoun_subject_makes_the_compared_part_a_yardstick():
    assert _moves("The vocal performance is strong, but it sits too far behind the guitars.") == [
        ("lead_vocal", "depth", "up")
    ]
    assert _moves("the snare is nice, but it's way louder than the kick") == [("snare", "level", "down")]


def test_work_needed_on_a_band_is_a_cut():
    assert _moves("lows on the guitar need cleaning up below 120") == [("guitars", "eq", "down")]
    assert _moves("the hats need taming between 8 and 10 kHz") == [("hihat", "eq", "down")]
    p = parse("there's a whistle at around 3.2 kHz on the lead vocal")
    assert [(i.target, i.action, i.direction, i.freq) for i in p.intents] == [
        ("lead_vocal", "eq", "down", 3200.0)
    ]


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("the drummer is too loud", "drums"),
        ("the bassist is too loud", "bass"),
        ("the vocalist is too loud", "lead_vocal"),
        ("the keyboard player is too loud", "keys"),
    ],
)
def test_a_player_stands_for_the_part(text, target):
    assert _moves(text) == [(target, "level", "down")]


def test_players_in_general_and_their_playing_are_no_moves():
    assert _moves("the drummer rushed the fill") == []
    assert _moves("Moongel is a tool most drummers use") == []


@pytest.mark.parametrize(
    ("text", "move", "heard"),
    [
        ("the base is too loud", ("bass", "level", "down"), "bass"),
        ("the symbols are too harsh", ("cymbals", "eq", "down"), "cymbals"),
        ("the over heads are too bright", ("overheads", "eq", "down"), "overheads"),
    ],
)
def test_target_words_heard_or_written_wrong_where_a_track_is_named(text, move, heard):
    p = parse(text)
    assert [(i.target, i.action, i.direction) for i in p.intents] == [move]
    assert any(f"read as '{heard}'" in r for r in p.readings)


def test_a_sound_alike_word_elsewhere_stays_itself():
    assert _moves("the base of the mix is solid") == []


def test_a_place_in_front_said_as_a_state_comes_back():
    assert _moves("the snare is in your face") == [("snare", "depth", "down")]
    assert _moves("the vocal could be more upfront") == [("lead_vocal", "depth", "up")]
    assert _moves("the vocal is somewhat low") == [("lead_vocal", "level", "up")]
    assert _moves("the vocal is fairly high") == [("lead_vocal", "level", "down")]


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("The vocal is not loud enough.", ("lead_vocal", "level", "up")),
        ("The bass isn't quite loud enough in the chorus.", ("bass", "level", "up")),
        ("the mix isn't bright enough", ("mix", "eq", "up")),
        ("the guitars aren't wide enough", ("guitars", "width", "up")),
    ],
)
def test_a_quality_denied_is_its_opposite(text, move):
    assert _moves(text) == [move]


@pytest.mark.parametrize(
    "text",
    [
        "The vocals are never buried, even in the loudest choruses.",
        "The kick isn't too boomy at all.",
        "The reverb is never too much.",
        "The drums don't overpower the vocals.",
    ],
)
def test_a_complaint_denied_asks_for_nothing(text):
    assert _moves(text) == []


def test_a_denied_complaint_leaves_the_other_clause():
    assert _moves("the vocal isn't harsh, but the cymbals are too loud") == [("cymbals", "level", "down")]


@pytest.mark.parametrize(
    "text",
    [
        "The guitars on this record are thick and heavy, exactly what you want from a doom band.",
        "The mix is loud and compressed, as you'd expect from a modern pop record.",
        "The vocals are mixed low, which suits the shoegaze aesthetic perfectly.",
        "There's a lot of room sound on the drums, which gives the record its vintage feel.",
    ],
)
def test_an_approved_description_asks_for_nothing(text):
    assert _moves(text) == []


def test_an_approval_with_a_but_still_asks():
    assert _moves("the snare is too loud, which works in the chorus but not in the verse") == [
        ("snare", "level", "down")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "I used to mix everything way too loud when I started out.",
        "Back in the 80s, gated reverb on the snare was everywhere.",
        "A lot of beginners boost the low end too much.",
        "Their first album had a much drier vocal sound than this one.",
    ],
)
def test_other_mixes_and_other_times_are_not_this_mix(text):
    assert _moves(text) == []


def test_a_later_sentence_lends_no_target_and_an_empty_it_is_no_pronoun():
    assert _moves("add some room. the guitars are too loud.") == [
        ("mix", "reverb", "up"),
        ("guitars", "level", "down"),
    ]
    assert _moves("it might be worth raising the piano a touch") == [("keys", "level", "up")]


def _eq(text: str) -> list[tuple[str, str, str, float | None]]:
    return [(i.target, i.action, i.direction, i.freq) for i in parse(text).intents]


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("the vocal is harsh between two and four kilohertz", ("lead_vocal", "eq", "down", 2828.4)),
        ("cut three k on the guitar", ("guitars", "eq", "down", 3000.0)),
        ("cut the piano at eight hundred hertz", ("keys", "eq", "down", 800.0)),
        ("a couple hundred hertz of cut on the toms", ("toms", "eq", "down", 200.0)),
        ("boost two and a half k on the vocal", ("lead_vocal", "eq", "up", 2500.0)),
        ("notch out 800 on the snare", ("snare", "eq", "down", 800.0)),
        ("the snare has a ring at 1.2kHz", ("snare", "eq", "down", 1200.0)),
    ],
)
def test_frequencies_in_words_and_faults_at_a_frequency(text, move):
    assert _eq(text) == [move]


def test_number_words_that_are_not_frequencies_stay_words():
    assert _moves("one of the guitars is too loud") == [("guitars", "level", "down")]


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("Why is the snare so loud?", ("snare", "level", "down")),
        ("Does the kick really need to be that loud?", ("kick", "level", "down")),
        ("do the guitars have to be so bright?", ("guitars", "eq", "down")),
        ("Is it possible to lower the bass a little?", ("bass", "level", "down")),
        ("What do you think about turning the guitars down?", ("guitars", "level", "down")),
    ],
)
def test_a_suggestion_or_complaint_put_as_a_question_is_a_move(text, move):
    assert _moves(text) == [move]


def test_a_question_asking_for_an_opinion_stays_a_question():
    assert _moves("Is my kick too soft?") == []
    assert _moves("Why is the mix so good?") == []


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("Clean up the low end on the piano.", ("keys", "eq", "down")),
        ("I'd clean up the low mids on the guitars", ("guitars", "eq", "down")),
        ("Fatten up the snare.", ("snare", "eq", "up")),
        ("beef up the kick a little", ("kick", "eq", "up")),
    ],
)
def test_work_on_a_band_or_on_body_is_eq(text, move):
    assert _moves(text) == [move]


def test_a_band_already_cleaned_up_is_praise():
    assert _moves("it cleans up the low end nicely") == []


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("the pads crowd out the vocal", ("synth", "level", "down")),
        ("the keys are crowding the vocal", ("keys", "level", "down")),
        ("the guitars step on the vocal", ("guitars", "level", "down")),
        ("the cymbals are stepping all over the vocal", ("cymbals", "level", "down")),
        ("the bass is eating into the kick", ("bass", "level", "down")),
        # said the other way round, the covered part is the one that comes up
        ("the vocal is crowded by the guitars", ("lead_vocal", "level", "up")),
        ("the vocal gets stepped on by the guitars", ("lead_vocal", "level", "up")),
    ],
)
def test_masking_verbs_are_a_word_class(text, move):
    assert _moves(text) == [move]


def test_the_whole_record_as_subject_borrows_no_track():
    assert _moves("The production on this EP is muddy, and the vocals are buried under a wall of fuzz.") == [
        ("mix", "eq", "down"),
        ("vocals", "level", "up"),
    ]
    assert _moves("The recording is thin and the drums sound like cardboard boxes.") == [
        ("mix", "eq", "up"),
        ("drums", "eq", "down"),
    ]


def test_a_likeness_to_a_small_room_is_a_complaint_not_a_description():
    assert _moves("Everything sounds like it was recorded in a tin can.") == [("mix", "eq", "up")]
    assert _moves("the guitar was recorded with two mics") == []


@pytest.mark.parametrize(
    ("text", "moves"),
    [
        ("The mix is crystal clear and every instrument has its own space.", []),
        (
            "The vocals could stand to be a little higher in the mix on a couple of tracks.",
            [("vocals", "level", "up")],
        ),
        ("The bass is mixed so low you can barely tell it's there.", [("bass", "level", "up")]),
        ("the kick is mixed way too loud", [("kick", "level", "down")]),
    ],
)
def test_place_in_the_mix_and_praise_of_separation(text, moves):
    assert _moves(text) == moves


def test_a_tail_that_does_not_end_is_too_long():
    assert _moves("In the outro the reverb tail on the vocal goes on forever.") == [
        ("lead_vocal", "reverb", "down")
    ]
    assert _moves("the delay on the guitar lasts for ages") == [("guitars", "delay", "down")]
    assert _moves("the song goes on forever") == []


@pytest.mark.parametrize(
    ("text", "moves"),
    [
        (
            "less reverb on the snare, more on the vocal",
            [("snare", "reverb", "down"), ("lead_vocal", "reverb", "up")],
        ),
        (
            "more delay on the guitar and less on the keys",
            [("guitars", "delay", "up"), ("keys", "delay", "down")],
        ),
    ],
)
def test_more_or_less_on_a_second_target_repeats_the_effect(text, moves):
    assert _moves(text) == moves


def test_an_arrow_heading_names_the_group_and_the_note_its_part():
    assert _moves("Drums -> snare too loud") == [("snare", "level", "down")]
    assert _moves("Bass > needs more low end") == [("bass", "eq", "up")]


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("Backing vocals should usually sit a few dB under the lead.", ("backing_vocals", "level", "down")),
        ("keep the pads tucked under the vocal", ("synth", "level", "down")),
        ("the vocal sits under the guitars", ("lead_vocal", "level", "up")),
    ],
)
def test_under_another_part_is_down_when_asked_and_up_when_found(text, move):
    assert _moves(text) == [move]


def test_it_as_the_subject_of_a_state_is_the_song():
    assert _moves("It's way too compressed.") == [("mix", "compression", "down")]


def test_tired_ears_and_kinds_of_band_are_no_moves():
    assert _moves("I've been staring at this mix for hours and can't hear it anymore.") == []
    assert _moves("This is my first attempt at mixing a full band.") == []
    assert _moves("I can't hear the bass") == [("bass", "level", "up")]
    assert _moves("the mix needs to be fuller") == [("mix", "eq", "up")]
