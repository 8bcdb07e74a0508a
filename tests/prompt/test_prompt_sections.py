"""Section detection on synthesized demo songs whose form is known; markers and automation."""

from __future__ import annotations

import numpy as np
import pytest

from faderpilot.audio.io import fit_length, read_audio, resample
from faderpilot.demo import TEMPO, arrangement, generate_demo
from faderpilot.prompt.sections import (
    add_section_gain,
    detect_sections,
    lane_value,
    parse_markers,
    select,
    spans,
)
from faderpilot.session.model import Role, Track

BAR_S = 240.0 / TEMPO
SR = 44100


_SONGS: dict[float, np.ndarray] = {}


@pytest.fixture(scope="module")
def song(tmp_path_factory):
    def get(seconds: float) -> np.ndarray:
        if seconds not in _SONGS:
            _SONGS[seconds] = _song(tmp_path_factory.mktemp(f"song{seconds:g}"), seconds)
        return _SONGS[seconds]

    return get


def _song(tmp_path, seconds: float) -> np.ndarray:
    """The demo's stems summed (stereo), at 44.1 kHz: a stand-in for its mix."""
    frames = int(round(seconds * SR))
    out = np.zeros((2, frames), dtype=np.float32)
    for p in generate_demo(tmp_path, seconds=seconds):
        x = read_audio(p)
        a = fit_length(resample(x.audio, x.sample_rate, SR), frames)
        out += a if a.shape[0] == 2 else np.vstack([a, a])
    return out


def _truth(seconds: float) -> list[float]:
    bars = arrangement(seconds)
    return [i * BAR_S for i in range(1, len(bars)) if bars[i] != bars[i - 1]]


@pytest.mark.parametrize("seconds", [10.0, 24.0, 40.0])
def test_detected_boundaries_are_within_one_bar(song, seconds, capsys):
    found = [m.time_s for m in detect_sections(song(seconds), SR)]
    assert found[0] == 0.0
    truth = _truth(seconds)
    # every boundary with at least two bars of song after it is found within one bar
    errors = [min(abs(t - f) for f in found[1:]) for t in truth if seconds - t >= 2 * BAR_S]
    assert errors and max(errors) <= BAR_S, (found, truth)
    # and nothing is found away from a real boundary
    assert all(min(abs(f - t) for t in truth) <= BAR_S for f in found[1:]), (found, truth)
    with capsys.disabled():
        print(f"\nsections {seconds:g} s: worst boundary error {max(errors):.2f} s (a bar is {BAR_S:.2f} s)")


def test_detected_names_start_with_the_intro(song):
    marks = detect_sections(song(24.0), SR)
    assert marks[0].name == "intro"
    assert {m.name for m in marks[1:]} <= {"verse", "chorus", "bridge", "section"}


def test_markers_parse_and_select():
    marks = parse_markers(["intro=0:00", "verse=0:12", "chorus=0:41.5", "Verse 2=1:10", "hook=1:40"])
    s = spans(marks, 120.0)
    assert [k for k, _, _ in s] == ["intro", "verse", "chorus", "verse", "chorus"]
    assert select(s, "verse", 2) == [(70.0, 100.0)]
    assert select(s, "chorus", None) == [(41.5, 70.0), (100.0, 120.0)]
    assert select(s, "chorus", -1) == [(100.0, 120.0)]
    with pytest.raises(ValueError, match="name=time"):
        parse_markers(["verse"])


def test_section_gain_moves_add_up():
    t = Track("t1", "Vox", "/x.wav", "s01", Role("lead_vocal", "name", 1.0, ""), 1)
    add_section_gain(t, [(10.0, 20.0)], 2.0)
    pts = add_section_gain(t, [(15.0, 30.0)], -1.0)
    v = lane_value(pts, np.array([5.0, 12.0, 17.0, 25.0, 40.0]))
    np.testing.assert_allclose(v, [0.0, 2.0, 1.0, -1.0, 0.0], atol=1e-6)
    assert t.automation == [{"param": "gain_db", "points": pts}]
