"""`mix --rough` end to end: the match is written into the session, renders to a null, and the
rules then respect it."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from faderpilot.cli import main
from faderpilot.match.rough import null_depth_db
from faderpilot.pipeline import mix
from faderpilot.session.io import load

from .synth import SR, make_rough, random_settings, stems

NAMES = ("Kick", "Snare", "HiHat", "Bass", "Gtr", "Rhodes", "Pad", "Vox Lead")


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    xs = stems(8.0)
    folder = tmp_path_factory.mktemp("stems")
    for name, x in zip(NAMES, xs, strict=True):
        sf.write(folder / f"{name}.wav", x.T, SR, subtype="FLOAT")
    settings = random_settings(len(xs), seed=2)
    rough = make_rough(xs, settings, 24000, muted=(6,))
    rough_path = tmp_path_factory.mktemp("rough") / "rough.wav"
    sf.write(rough_path, rough.T, SR, subtype="FLOAT")
    out = tmp_path_factory.mktemp("out")
    r = mix(folder, out, workers=2, rough=rough_path)
    return xs, settings, rough, out, r


def test_match_written_with_reasons_and_nulls(job):
    xs, settings, rough, out, r = job
    s = load(out / "session.json")
    info = s.provenance["rough"]
    assert info["offset_samples"] == 24000
    assert info["null_db"] >= 30.0
    m, _ = sf.read(out / "rough_match.wav", dtype="float32")
    assert m.shape[0] == rough.shape[1]
    assert null_depth_db(rough, m.T) >= 29.0  # after 24-bit rounding
    by_name = {t.source.rsplit("/", 1)[-1][:-4]: t for t in s.tracks}
    pad = by_name["Pad"]
    assert pad.mute and pad.decisions["mute"].origin == "rough"
    assert "FP-W007" in [w.code for w in s.warnings]
    for name, st in zip(NAMES, settings, strict=True):
        if name == "Pad":
            continue
        mt = info["tracks"][by_name[name].id]
        assert mt["polarity_inverted"] == st["flip"]
        assert abs(mt["pan"] - st["pan"]) < 0.05
        t = by_name[name]
        assert t.decisions["pan"].origin == "rough"
        assert t.decisions["pan"].reason.startswith("matched to rough")
        assert any(p.decision.origin == "rough" for p in t.chain) == bool(mt["eq"])


def test_rules_respect_the_rough(job):
    _, _, _, out, _ = job
    s = load(out / "session.json")
    info = s.provenance["rough"]["tracks"]
    kept = 0
    for t in s.tracks:
        if t.mute:
            continue
        d = t.decisions["fader_db"]
        assert t.pan == info[t.id]["pan"]  # pans stay the producer's
        assert d.refs["rough_fader_db"] == pytest.approx(info[t.id]["fader_db"], abs=0.01)
        if d.rule == "match.respect":  # kept: the rough's fader, less only what added EQ removed
            kept += 1
            assert t.fader_db == pytest.approx(
                info[t.id]["fader_db"] - d.refs["added_eq_change_db"], abs=0.06
            )
            assert "kept at the rough's balance" in d.reason
        else:  # a departure says why, names the range real mixes use, and goes only to its edge
            assert d.rule in ("match.respect.buried", "match.respect.too_loud"), (t.name, d.reason)
            assert "beyond the" in d.reason and d.refs["range_db"] >= 4.0
    assert kept >= 1
    d = json.loads((out / "session.json").read_text())
    assert d["provenance"]["rough"]["null_db"] >= 30.0


def test_wrong_song_refused_by_cli(job, tmp_path, capsys):
    xs, _, _, out, _ = job
    other = stems(8.0, seed=5)
    wrong = make_rough(other, random_settings(len(other), seed=1), 0)
    path = tmp_path / "wrong.wav"
    sf.write(path, wrong.T, SR, subtype="FLOAT")
    stems_dir = next(iter({p.parent for p in out.parent.glob("stems*/*.wav")}))
    rc = main(["mix", str(stems_dir), "-o", str(tmp_path / "o"), "--rough", str(path)])
    assert rc == 1
    assert "FP-E007" in capsys.readouterr().err


def test_without_rough_no_match(job):
    _, _, _, out, r = job
    assert "rough" in r.session.provenance
    assert np.isfinite(r.mix_lufs)
