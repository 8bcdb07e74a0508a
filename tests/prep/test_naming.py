"""Display names, stereo sides and pair keys from stem file names."""

from __future__ import annotations

import pytest

from faderpilot.prep.naming import clean_name, pair_key, side_hint, split_words


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("KICK_IN_01.wav", "Kick In"),
        ("LeadVox_comp.wav", "Lead Vox Comp"),
        ("snr btm.aif", "Snr Btm"),
        ("OH L.wav", "OH L"),
        ("BGV 3.flac", "BGV 3"),
        ("EG Rhy L", "EG Rhy L"),
        ("Tom 1.wav", "Tom 1"),
        ("KIK_OUT.wav", "Kik Out"),
        ("SN TOP.wav", "SN Top"),
        ("FT.wav", "FT"),
        ("bd.wav", "BD"),
        ("hh.wav", "HH"),
        ("Gtr DI.wav", "Gtr DI"),
        ("AG.aiff", "AG"),
        ("BassGtr.wav", "Bass Gtr"),
        ("Hi-Hat.wav", "Hi Hat"),
        ("piano.L.wav", "Piano L"),
        ("Vox.Ld", "Vox Ld"),
        ("01_Kick_In.wav", "Kick In"),
        ("Vox_Take_003.wav", "Vox Take"),
        ("BVs.wav", "BVs"),
        ("B3.wav", "B3"),
        ("stems/Drums/Snare Top.wav", "Snare Top"),
        ("  double   space .wav", "Double Space"),
        ("01.wav", "01"),
    ],
)
def test_clean_name(filename: str, expected: str) -> None:
    assert clean_name(filename) == expected


@pytest.mark.parametrize("filename", ["", "___.wav", ".wav", "-"])
def test_clean_name_never_empty(filename: str) -> None:
    assert clean_name(filename).strip() != ""


def test_split_words_handles_camel_case_and_numbers() -> None:
    assert split_words("LeadVox_comp.wav") == ["Lead", "Vox", "comp"]
    assert split_words("BGVHarm2") == ["BGV", "Harm", "2"]
    assert split_words("Tom1") == ["Tom", "1"]
    assert split_words("B3") == ["B3"]


@pytest.mark.parametrize(
    ("name", "side"),
    [
        ("OH L", "L"),
        ("OH R.wav", "R"),
        ("Room Left", "L"),
        ("Piano_Right", "R"),
        ("Gtr Lt", "L"),
        ("Gtr Rt", "R"),
        ("Piano_L.wav", "L"),
        ("Pad_R", "R"),
        ("PianoL", "L"),
        ("EG Rhy L", "L"),
        ("Lead Vox", None),
        ("Rhodes", None),
        ("Kick In", None),
        ("OH L R", None),
        ("Tom 1", None),
    ],
)
def test_side_hint(name: str, side: str | None) -> None:
    assert side_hint(name) == side


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("OH L", "OH R"),
        ("OH_L.wav", "OH R.wav"),
        ("Room Left", "Room Right"),
        ("Piano.L.wav", "Piano.R.wav"),
        ("EG Rhy L", "EG Rhy R"),
    ],
)
def test_pair_key_matches_sides(left: str, right: str) -> None:
    assert pair_key(left) == pair_key(right)
    assert pair_key(left) == pair_key(left).lower()


def test_pair_key_values() -> None:
    assert pair_key("OH L") == "oh"
    assert pair_key("Lead Vox") == "lead vox"
    assert pair_key("Room L") != pair_key("OH R")
