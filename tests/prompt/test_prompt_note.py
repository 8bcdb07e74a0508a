"""End to end: mix the demo, apply notes to OUT_DIR, check the session and the printed audio; undo."""

from __future__ import annotations

import shutil
import time

import numpy as np
import pytest
import soundfile as sf

import faderpilot
from faderpilot.audio.io import load_sources
from faderpilot.cli import main
from faderpilot.demo import generate_demo
from faderpilot.pipeline import mix, stem_paths
from faderpilot.render.engine import render as render_all
from faderpilot.session.io import load


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    generate_demo(root / "stems", seconds=10)
    mix(root / "stems", root / "out")
    return root / "out"


@pytest.fixture
def out(mixed, tmp_path):
    dst = tmp_path / "out"
    shutil.copytree(mixed, dst)
    return dst


def _rms_db(path) -> float:
    x, _ = sf.read(str(path), dtype="float64")
    return float(10 * np.log10(np.mean(x**2)))


def _role(session, role):
    return next(t for t in session.tracks if t.role.value == role)


def test_vocal_up_2_db_moves_the_fader_and_the_printed_stem(out, capsys):
    before = load(out / "session.json")
    vox = _role(before, "lead_vocal")
    stem = stem_paths(before, out)[vox.id]
    level_before = _rms_db(stem)
    t0 = time.perf_counter()
    res = faderpilot.note(out, "vocal up 2 dB")
    took = time.perf_counter() - t0
    after = load(out / "session.json")
    assert after.track(vox.id).fader_db == pytest.approx(vox.fader_db + 2.0, abs=1e-9)
    d = after.track(vox.id).decisions["fader_db"]
    assert d.origin == "prompt" and "vocal up 2 dB" in d.reason
    assert _rms_db(stem) - level_before == pytest.approx(2.0, abs=0.01)
    # the vocal's group bus and the FX buses its post-fader sends feed are printed again too
    assert {p.name for p in res.files} == {
        "mix.wav",
        stem.name,
        "15_Vocals Bus.wav",
        "16_Reverb Bus.wav",
        "17_Delay Bus.wav",
    }
    full = render_all(after, load_sources(after, 2))
    paths = stem_paths(after, out)
    for b in ("16_Reverb Bus.wav", "17_Delay Bus.wav"):
        bid = next(k for k, v in paths.items() if v.name == b)
        on_disk, _ = sf.read(str(paths[bid]), dtype="float32", always_2d=True)
        np.testing.assert_array_equal(on_disk.T, full.bus_stems[bid])  # not stale
    assert after.history[-1]["note"] == "vocal up 2 dB"
    with capsys.disabled():
        print(f"\nnote 'vocal up 2 dB' on the 10 s demo: {took:.2f} s ({res.render_seconds:.2f} s rendering)")


def test_eq_note_adds_a_peak_on_the_kick(out):
    faderpilot.note(out, "cut 300 Hz on the kick 3 dB")
    kick = _role(load(out / "session.json"), "kick")
    peaks = [p for p in kick.chain if p.kind == "peak"]
    assert len(peaks) == 1
    assert peaks[0].params["freq_hz"] == 300.0 and peaks[0].params["gain_db"] == -3.0
    assert peaks[0].decision.origin == "prompt"


def test_undo_restores_the_document_byte_for_byte(out):
    original = (out / "session.json").read_bytes()
    mix_before = sf.read(str(out / "mix.wav"))[0]
    faderpilot.note(out, "vocal up 2 dB, less reverb on the snare")
    faderpilot.note(out, "cut 300 Hz on the kick 3 dB")
    faderpilot.note(out, "wider keys, punchier drums, bass up a touch in the verse")
    assert (out / "session.json").read_bytes() != original
    for _ in range(3):
        assert faderpilot.undo(out).entry is not None
    assert (out / "session.json").read_bytes() == original
    assert faderpilot.undo(out).entry is None
    np.testing.assert_allclose(sf.read(str(out / "mix.wav"))[0], mix_before, atol=1e-6)


def test_a_target_that_matches_nothing_changes_nothing(out):
    original = (out / "session.json").read_bytes()
    res = faderpilot.note(out, "strings up 2 dB")
    assert res.understood and not res.changed
    assert any("no such track" in line for line in res.lines())
    assert (out / "session.json").read_bytes() == original


def test_not_understood_changes_nothing(out):
    original = (out / "session.json").read_bytes()
    res = faderpilot.note(out, "love it!")
    assert not res.understood
    assert res.lines()[0].startswith("not understood")
    assert (out / "session.json").read_bytes() == original


def test_a_group_target_applies_to_every_track_and_says_so(out):
    res = faderpilot.note(out, "drums down 1 dB")
    s = load(out / "session.json")
    drums = [t for t in s.tracks if t.output == "drums"]
    assert len(drums) > 1 and all(t.id in res.changed for t in drums)
    assert f"matches {len(drums)} tracks" in res.applied[0].how


def test_section_note_writes_automation_that_the_render_follows(out):
    assert main(["markers", str(out), "intro=0:00", "verse=0:02.31"]) == 0
    before = load(out / "session.json")
    vox = _role(before, "lead_vocal")
    stem = stem_paths(before, out)[vox.id]
    x0, sr = sf.read(str(stem), dtype="float64")
    faderpilot.note(out, "vocal up 3 dB in the verse")
    s = load(out / "session.json")
    lane = s.track(vox.id).automation[0]
    assert lane["param"] == "gain_db"
    assert max(v for _, v in lane["points"]) == pytest.approx(3.0)
    assert s.track(vox.id).fader_db == vox.fader_db
    x1, _ = sf.read(str(stem), dtype="float64")
    a, b = int(3.0 * sr), int(9.0 * sr)
    gain = 10 * np.log10(np.mean(x1[a:b] ** 2) / np.mean(x0[a:b] ** 2))
    assert gain == pytest.approx(3.0, abs=0.01)


def test_cli_note_and_undo(out, capsys):
    assert main(["note", str(out), "bass", "down", "a", "touch"]) == 0
    text = capsys.readouterr().out
    assert "understood" in text and "fader" in text and "re-rendered" in text
    assert main(["undo", str(out)]) == 0
    assert "undid" in capsys.readouterr().out
    assert main(["note", str(out), "needs more vibe"]) == 3


def test_the_rhythm_section_is_the_drums_and_the_bass(out):
    """A group word added in issue 16's second pass resolves through the roles like the others."""
    res = faderpilot.note(out, "the rhythm section is too loud")
    s = load(out / "session.json")
    want = {t.id for t in s.tracks if t.role.value in ("kick", "snare", "hihat", "toms", "overheads", "bass")}
    assert want and want <= set(res.changed)
    assert all(t.id not in res.changed for t in s.tracks if t.role.value == "lead_vocal")
