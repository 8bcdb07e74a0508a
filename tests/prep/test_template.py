"""Session templates: applied after the automatic setup, captured back from an edited session,
and the `faderpilot prep` / `faderpilot template save` verbs."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from faderpilot.cli import main
from faderpilot.pipeline import mix, prep
from faderpilot.prep.template import TemplateError, capture, load, parse
from faderpilot.session.io import load as load_session
from faderpilot.session.io import save as save_session
from faderpilot.session.model import Processor

SR = 48000

TEMPLATE = {
    "faderpilot_template": 1,
    "names": [
        {"match": "re:^gtr_(\\d+)$", "name": "Guitar \\1"},
        {"match": "Audio 07", "name": "Piano", "role": "keys"},
    ],
    "colours": {"roles": {"kick": "#ff0000"}, "tracks": [{"match": "Lead*", "colour": "#00ff00"}]},
    "order": ["name:Lead*", "kick", "keys"],
    "buses": [
        {
            "id": "rhythm",
            "name": "Rhythm",
            "colour": "#112233",
            "roles": ["kick", "electric_guitar", "bass"],
            "chain": [
                {
                    "kind": "compressor",
                    "params": {
                        "threshold_db": -18,
                        "ratio": 2,
                        "attack_ms": 30,
                        "release_ms": 200,
                        "makeup_db": 0,
                    },
                }
            ],
        },
        {"id": "vox", "name": "Vox", "tracks": ["Lead*", "BGV*"]},
    ],
    "inserts": {
        "roles": {"lead_vocal": [{"kind": "highpass", "params": {"freq_hz": 90, "slope_db_oct": 12}}]},
        "tracks": [
            {
                "match": "Guitar 1",
                "chain": [{"kind": "peak", "params": {"freq_hz": 3000, "gain_db": -2, "q": 1.5}}],
            }
        ],
    },
}


@pytest.fixture(scope="module")
def stems(tmp_path_factory):
    d = tmp_path_factory.mktemp("tpl_stems")
    rng = np.random.default_rng(3)
    t = np.arange(2 * SR) / SR
    kick = np.zeros(t.size)
    for i in range(4):
        n = int(0.3 * SR)
        kick[i * SR // 2 : i * SR // 2 + n] = np.sin(2 * np.pi * 55 * t[:n]) * np.exp(-t[:n] / 0.08)
    files = {
        "KICK_IN_01.wav": 0.8 * kick,
        "gtr_1.wav": 0.3 * np.sign(np.sin(2 * np.pi * 196 * t)) * 0.5,
        "gtr_2.wav": 0.3 * np.sin(2 * np.pi * 247 * t) + 0.01 * rng.standard_normal(t.size),
        "LeadVox.wav": 0.3 * np.sin(2 * np.pi * 262 * t + 3 * np.sin(2 * np.pi * 5 * t)),
        "BGV 1.wav": 0.2 * np.sin(2 * np.pi * 330 * t + 3 * np.sin(2 * np.pi * 4 * t)),
        "Bass DI.wav": 0.5 * np.sin(2 * np.pi * 55 * t),
        "Audio 07.wav": 0.2 * np.sin(2 * np.pi * 440 * t) * np.exp(-(t % 0.5) / 0.3),
    }
    for name, x in files.items():
        sf.write(d / name, x.astype(np.float32), SR, subtype="PCM_24")
    return d


@pytest.fixture(scope="module")
def template_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("tpl") / "my.template.json"
    p.write_text(json.dumps(TEMPLATE))
    return p


def test_template_sets_names_roles_colours_order_buses_and_inserts(stems, template_file, tmp_path):
    r = prep(stems, tmp_path / "out", template=template_file, workers=1)
    s = r.session
    names = [t.name for t in s.tracks]
    assert names[:3] == ["Lead Vox", "Kick In", "Piano"]
    assert names[3:] == ["Bass DI", "Guitar 1", "Guitar 2", "BGV 1"]  # the rest in console order
    assert [t.id for t in s.tracks] == [f"t{i:02d}" for i in range(1, 8)]
    t = {x.name: x for x in s.tracks}
    assert t["Piano"].role.value == "keys" and t["Piano"].role.signal == "template"
    assert t["Kick In"].colour == "#ff0000" and t["Lead Vox"].colour == "#00ff00"
    assert [b.id for b in s.buses] == ["rhythm", "vox", "reverb", "delay", "master"]
    assert s.bus("rhythm").chain[0].kind == "compressor" and s.bus("rhythm").colour == "#112233"
    assert {n: x.output for n, x in t.items()} == {
        "Lead Vox": "vox",
        "Kick In": "rhythm",
        "Piano": "master",
        "Bass DI": "rhythm",
        "Guitar 1": "rhythm",
        "Guitar 2": "rhythm",
        "BGV 1": "vox",
    }
    hp = t["Lead Vox"].chain[0]
    assert hp.kind == "highpass" and hp.params == {"freq_hz": 90.0, "slope_db_oct": 12.0}
    assert hp.decision.origin == "user" and hp.decision.reason == "From template my.template."
    assert [p.kind for p in t["Guitar 1"].chain] == ["peak"] and t["Guitar 2"].chain == []
    assert t["Guitar 1"].decisions["name"].reason == "From template my.template."
    assert r.report.template == "my.template"
    assert load_session(tmp_path / "out" / "session.json").provenance["template"] == "my.template"


def test_mix_runs_the_same_prep_and_keeps_the_template(stems, template_file, tmp_path):
    r = mix(stems, tmp_path / "mixed", template=template_file, workers=1, report=False)
    s = r.session
    assert [t.name for t in s.tracks][:3] == ["Lead Vox", "Kick In", "Piano"]
    assert s.provenance["template"] == "my.template" and r.prep is not None
    lead = next(t for t in s.tracks if t.name == "Lead Vox")
    assert lead.chain[0].decision.origin == "user"  # the template's insert stays first
    assert (tmp_path / "mixed" / "mix.wav").exists()


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"faderpilot_template": 2}, "at faderpilot_template"),
        ({"nmaes": []}, "(top level)"),
        ({"buses": [{"id": "master", "name": "M"}]}, "buses/0/id"),
        ({"order": ["re:("]}, "bad regular expression"),
        (
            {"inserts": {"roles": {"kick": [{"kind": "highpass", "params": {"freq_hz": 80}}]}}},
            "missing slope_db_oct",
        ),
        ({"inserts": {"roles": {"kick": [{"kind": "reverb", "params": {}}]}}}, "inserts/roles/kick/0/kind"),
        ({"colours": {"roles": {"kazoo": "#000000"}}}, "colours/roles"),
    ],
)
def test_bad_templates_are_refused_with_the_place(change, where, tmp_path):
    p = tmp_path / "bad.template.json"
    p.write_text(json.dumps({"faderpilot_template": 1, **change}))
    with pytest.raises(TemplateError, match=None) as e:
        load(p)
    assert where in str(e.value) and str(p) in str(e.value)


def test_template_save_captures_an_edited_session_and_reproduces_it(stems, tmp_path, capsys):
    out = tmp_path / "first"
    assert main(["prep", str(stems), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "prepared 7 tracks" in printed and "wrote" in printed
    s = load_session(out / "session.json")
    # the user's edits: a name, a colour, an order, a bus, an insert
    t = {x.name: x for x in s.tracks}
    t["Lead Vox"].name = "Lead Vocal"
    t["BGV 1"].colour = "#abcdef"
    s.tracks.remove(t["BGV 1"])
    s.tracks.insert(0, t["BGV 1"])
    t["Bass DI"].chain.append(
        Processor("comp1", "compressor", dict(TEMPLATE["buses"][0]["chain"][0]["params"]))
    )
    s.buses.insert(0, type(s.buses[0])(id="low", name="Low End", kind="group", colour="#204060"))
    t["Bass DI"].output = "low"
    save_session(s, out / "session.json")

    tpl_path = tmp_path / "mine.template.json"
    assert main(["template", "save", str(out), "-o", str(tpl_path)]) == 0
    d = json.loads(tpl_path.read_text())
    parse(d)  # a saved template reads back
    assert {"match": "LeadVox", "name": "Lead Vocal"} in d["names"]

    again = tmp_path / "second"
    assert main(["prep", str(stems), "-o", str(again), "--template", str(tpl_path)]) == 0
    s2 = load_session(again / "session.json")
    assert [x.name for x in s2.tracks] == [x.name for x in s.tracks]
    for a, b in zip(s.tracks, s2.tracks, strict=True):
        assert (a.colour, a.output) == (b.colour, b.output), a.name
    bass = next(x for x in s2.tracks if x.name == "Bass DI")
    assert [p.kind for p in bass.chain] == ["compressor"] and bass.chain[0].decision.origin == "user"
    assert s2.bus("low").name == "Low End"


def test_capture_of_an_untouched_session_is_neutral(stems, tmp_path):
    r = prep(stems, None, workers=1)
    d = capture(r.session)
    assert "names" not in d and "colours" not in d and "inserts" not in d
    again = prep(stems, None, workers=1)
    before = [(t.name, t.colour, t.output) for t in again.session.tracks]
    from faderpilot.prep.template import apply

    apply(again.session, parse(d))
    assert [(t.name, t.colour, t.output) for t in again.session.tracks] == before
