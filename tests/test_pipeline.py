"""End to end on the demo song: outputs, levels, alignment, determinism, sources untouched."""

import hashlib
import json

import numpy as np
import pytest
import soundfile as sf

from faderpilot.analysis.loudness import integrated_loudness
from faderpilot.cli import main
from faderpilot.demo import generate_demo
from faderpilot.pipeline import FaderpilotError, mix
from faderpilot.session.io import load


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    stems = tmp_path_factory.mktemp("stems")
    generate_demo(stems, seconds=10.0)
    (stems / "broken.wav").write_text("not audio at all")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in stems.iterdir()}
    out = tmp_path_factory.mktemp("out")
    result = mix(stems, out, workers=2)
    return stems, out, result, before


def test_writes_session_mix_and_aligned_stems(demo):
    stems, out, r, _ = demo
    s = load(out / "session.json")
    assert len(s.tracks) == 11
    info = sf.info(out / "mix.wav")
    assert info.subtype == "PCM_24" and info.channels == 2 and info.samplerate == s.sample_rate
    m, _ = sf.read(out / "mix.wav", dtype="float32")
    assert 20 * np.log10(np.max(np.abs(m))) < -1.0
    printed = sorted((out / "stems").glob("*.wav"))
    n_bus = len([b for b in s.buses if b.kind != "master"])
    assert len(printed) == len(s.tracks) + n_bus
    assert printed[0].name == "01_Kick In.wav"
    for p in printed:
        i = sf.info(p)
        assert i.frames == info.frames and i.channels == 2
    # bus stems x master fader sum to the mix (24-bit rounding aside)
    buses = [p for p in printed if p.name.endswith(" Bus.wav")]
    total = sum(sf.read(p, dtype="float64")[0] for p in buses) * 10 ** (s.master.fader_db / 20)
    assert np.max(np.abs(total - m)) < 1e-4


def test_every_assistant_value_has_a_reason(demo):
    _, out, _, _ = demo
    d = json.loads((out / "session.json").read_text())
    for t in d["tracks"]:
        for key in ("trim_db", "fader_db", "pan", "output"):
            assert t["decisions"][key]["reason"], (t["name"], key)
        for p in t["chain"]:
            assert p["decision"]["reason"]
        for snd in t["sends"]:
            assert snd["decision"]["reason"]
        assert t["role"]["signal"] in ("name", "audio") and 0 < t["role"]["confidence"] <= 1


def test_balance_lands_each_track_at_equal_loudness_plus_its_learned_departure(demo):
    _, out, r, _ = demo
    s = r.session
    stems = {
        p.name.split("_", 1)[1][:-4]: sf.read(p, dtype="float32")[0].T for p in (out / "stems").glob("*.wav")
    }
    heard, want = [], []
    for t in s.tracks:
        if t.mute:
            continue
        heard.append(integrated_loudness(stems[t.name], s.sample_rate))
        want.append(t.decisions["fader_db"].refs["departure_db"])
    err = np.array(heard) - np.array(want)
    err -= np.median(err)
    # the deliberately loud hi-hat and every other track land where the balance put them
    assert np.max(np.abs(err)) < 1.5, err
    assert np.median(np.abs(err)) < 0.5, err
    assert -30 < r.mix_lufs < -10


def test_skipped_files_are_reported_and_sources_untouched(demo):
    stems, out, r, before = demo
    assert [(sk.path.split("/")[-1], sk.code) for sk in r.session.skipped] == [("broken.wav", "FP-E001")]
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in stems.iterdir()}
    assert after == before
    assert not list(stems.glob(".*"))  # nothing written into the stems folder
    for src in r.session.sources:
        assert src.sha256 == before[src.path.split("/")[-1]]


def test_rerun_is_deterministic(demo, tmp_path):
    stems, out, _, _ = demo
    mix(stems, tmp_path / "again", workers=1)
    a = (out / "session.json").read_text()
    b = (tmp_path / "again" / "session.json").read_text()
    assert a == b
    assert (out / "mix.wav").read_bytes() == (tmp_path / "again" / "mix.wav").read_bytes()


def test_target_lufs_writes_a_master(tmp_path, demo):
    stems, _, _, _ = demo
    mix(stems, tmp_path / "m", target_lufs=-14.0)
    x, sr = sf.read(tmp_path / "m" / "mix_master.wav", dtype="float32")
    assert integrated_loudness(x.T, sr) == pytest.approx(-14.0, abs=0.3)
    from faderpilot.analysis.loudness import true_peak_db

    assert true_peak_db(x.T, sr) <= -0.9


def test_cli_errors_are_clear(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["mix", str(tmp_path / "empty"), "-o", str(tmp_path / "o")]) == 1
    assert "no audio files found" in capsys.readouterr().err
    assert main(["mix", str(tmp_path / "nope"), "-o", str(tmp_path / "o")]) == 1
    with pytest.raises(FaderpilotError, match="inside the stems folder"):
        mix(tmp_path / "empty", tmp_path / "empty" / "out")


def test_vocal_reverb_return_sits_about_ten_lu_under_the_dry_voice(demo):
    from faderpilot.analysis.measure import analyse
    from faderpilot.audio.io import fit_length, read_audio, resample
    from faderpilot.render.chain import db_to_gain
    from faderpilot.render.engine import render_bus, render_track

    _, _, r, _ = demo
    s = r.session
    sr = s.sample_rate
    vox = next(t for t in s.tracks if t.role.value == "lead_vocal")
    x = read_audio(vox.source)
    a = fit_length(resample(x.audio, x.sample_rate, sr), int(round(s.length_s * sr)))
    dry = render_track(vox, a, sr, s.pan_law)
    send = next(sd for sd in vox.sends if sd.bus == "reverb")
    wet = render_bus(s.bus("reverb"), dry * np.float32(db_to_gain(send.level_db)), sr, s.pan_law)
    gap = analyse(dry, sr).active_lufs - analyse(wet, sr).active_lufs
    assert 7.0 < gap < 14.0, gap  # Pestana & Reiss 2014: about 9 LU preferred


def test_rerender_prints_what_mix_printed(demo, tmp_path):
    import shutil

    from faderpilot.pipeline import rerender

    _, out, _, _ = demo
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    files = rerender(copy)  # nothing edited: the same bytes as mix wrote, the document untouched
    assert (copy / "mix.wav").read_bytes() == (out / "mix.wav").read_bytes()
    stems = sorted((out / "stems").iterdir())
    assert [(copy / "stems" / p.name).read_bytes() for p in stems] == [p.read_bytes() for p in stems]
    assert (copy / "session.json").read_bytes() == (out / "session.json").read_bytes()
    assert copy / "session.json" not in files
