"""DAWproject export: schema validity, every value read back in its unit, audio, re-export, safety."""

from __future__ import annotations

import io
import json
import logging
import math
import os
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest
import soundfile as sf

from faderpilot import filemode
from faderpilot.cli import main
from faderpilot.export import dawproject, export
from faderpilot.export.media import track_audio
from faderpilot.session.io import load, save

try:
    from .test_dawproject_fixtures import (
        NAME_60,
        QUOTES,
        UNICODE,
        demo_session,
        every_processor_session,
        tree_digest,
    )
except ImportError:  # collected without the package
    from test_dawproject_fixtures import (
        NAME_60,
        QUOTES,
        UNICODE,
        demo_session,
        every_processor_session,
        tree_digest,
    )

SHARED = Path(__file__).resolve().parents[3] / "shared" / "dawproject"


def _schemas():
    xmlschema = pytest.importorskip("xmlschema")
    if not (SHARED / "Project.xsd").exists():
        pytest.skip(f"official DAWproject XSDs not found in {SHARED}")
    return xmlschema.XMLSchema(str(SHARED / "Project.xsd")), xmlschema.XMLSchema(str(SHARED / "MetaData.xsd"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    session, out = demo_session(tmp_path_factory)
    return session, out, dawproject.write(session, out)


@pytest.fixture(scope="module")
def odd(tmp_path_factory):
    root = tmp_path_factory.mktemp("odd")
    session = every_processor_session(root / "stems")
    out = root / "out"
    save(session, out / "session.json")
    before = tree_digest(root / "stems")
    path = dawproject.write(session, out)
    return session, root, out, path, before


def _read(path: Path) -> tuple[ET.Element, ET.Element, zipfile.ZipFile]:
    z = zipfile.ZipFile(path)
    return ET.fromstring(z.read("project.xml")), ET.fromstring(z.read("metadata.xml")), z


def _val(e: ET.Element | None) -> float:
    assert e is not None
    return float(e.get("value"))  # float() reads "inf" and "-inf" too


def _db(x: float) -> float:
    return 20 * math.log10(x)


def _tracks(project: ET.Element) -> dict[str, ET.Element]:
    return {t.get("name"): t for t in project.find("Structure").iter("Track")}


# ---------------------------------------------------------------------------------------------


def test_demo_project_and_metadata_validate_against_the_official_xsds(demo):
    project_xsd, meta_xsd = _schemas()
    _, _, path = demo
    z = zipfile.ZipFile(path)
    project_xsd.validate(z.read("project.xml").decode("utf-8"))
    meta_xsd.validate(z.read("metadata.xml").decode("utf-8"))


def test_every_processor_session_validates(odd):
    project_xsd, meta_xsd = _schemas()
    *_, path, _ = odd
    z = zipfile.ZipFile(path)
    project_xsd.validate(z.read("project.xml").decode("utf-8"))
    meta_xsd.validate(z.read("metadata.xml").decode("utf-8"))


def test_demo_structure_routing_faders_pans_and_sends(demo):
    session, _, path = demo
    project, _, _ = _read(path)
    tracks = _tracks(project)
    channels = {c.get("id"): c for c in project.iter("Channel")}
    by_bus = {b.id: tracks[b.name].find("Channel") for b in session.buses}
    assert by_bus["master"].get("role") == "master"
    for b in session.buses:
        ch = by_bus[b.id]
        assert ch.get("role") == {"group": "submix", "fx": "effect", "master": "master"}[b.kind]
        assert _db(_val(ch.find("Volume"))) == pytest.approx(b.fader_db, abs=1e-9)
        if b.kind != "master":
            assert ch.get("destination") == by_bus[b.output or "master"].get("id")
    for t in session.tracks:
        el = tracks[t.name]
        ch = el.find("Channel")
        assert ch.get("role") == "regular" and int(ch.get("audioChannels")) == t.channels
        assert _db(_val(ch.find("Volume"))) == pytest.approx(t.fader_db, abs=1e-9)
        assert ch.find("Pan").get("unit") == "normalized"
        assert _val(ch.find("Pan")) * 2 - 1 == pytest.approx(t.pan, abs=1e-12)
        assert channels[ch.get("destination")] is by_bus[t.output]
        # a group's members sit inside its folder track
        if session.bus(t.output).kind == "group":
            assert el in list(tracks[session.bus(t.output).name])
        sends = {s.get("destination"): s for s in ch.iter("Send")}
        assert len(sends) == len(t.sends)
        for s in t.sends:
            se = sends[by_bus[s.bus].get("id")]
            assert se.get("type") == "post"
            assert _db(_val(se.find("Volume"))) == pytest.approx(s.level_db, abs=1e-9)


def test_every_value_reads_back_in_its_unit(odd):
    session, _, _, path, _ = odd
    project, meta, z = _read(path)
    tracks = _tracks(project)
    printed = {f"{n} (printed)" for n in ("Keys L+R", "Reverb", "Delay")}  # what keys' solo lets sound
    assert set(tracks) == {t.name for t in session.tracks} | {b.name for b in session.buses} | printed
    ids = {e.get("id"): e for e in project.iter() if e.get("id")}

    vox = session.track("t01")
    ch = tracks[UNICODE].find("Channel")
    devs = list(ch.find("Devices"))
    # consecutive filters are one Equalizer; trim is its input gain
    eq = devs[0]
    assert eq.tag == "Equalizer"
    assert _val(eq.find("InputGain")) == pytest.approx(vox.trim_db)
    bands = eq.findall("Band")
    hp_q = [1 / (2 * math.cos((2 * k + 1) * math.pi / 8)) for k in range(2)]
    assert dawproject.section_qs("highpass", 24) == pytest.approx(hp_q, rel=1e-9)  # Butterworth
    # 18 dB/oct: the renderer's second-order section, and the first-order stage written with Q 0.5
    lp_q = [q if q is not None else 0.5 for q in dawproject.section_qs("lowpass", 18)]
    assert len(lp_q) == 2
    expect = [("highPass", 90, None, q) for q in hp_q]
    expect += [("bell", 350, -3.5, 1.4), ("lowShelf", 120, 2.0, 0.7), ("highShelf", 9000, 1.5, 0.8)]
    expect += [("lowPass", 14000, None, q) for q in lp_q]
    assert len(bands) == len(expect)
    for b, (typ, f, g, q) in zip(bands, expect, strict=True):
        assert b.get("type") == typ and b.get("order") is None
        assert b.find("Freq").get("unit") == "hertz" and _val(b.find("Freq")) == pytest.approx(f)
        assert b.find("Q").get("unit") == "linear" and _val(b.find("Q")) == pytest.approx(q, rel=1e-12)
        if g is None:
            assert b.find("Gain") is None
        else:
            assert b.find("Gain").get("unit") == "decibel" and _val(b.find("Gain")) == pytest.approx(g)
        assert b.find("Enabled").get("value") == "true"
    comp, gate, sat, eq2 = devs[1:5]
    assert comp.tag == "Compressor"
    assert _val(comp.find("Threshold")) == pytest.approx(-22)
    ratio = comp.find("Ratio")
    assert ratio.get("unit") == "percent"
    assert dawproject.percent_to_ratio(_val(ratio)) == pytest.approx(3.5)
    assert comp.find("Attack").get("unit") == "seconds" and _val(comp.find("Attack")) == pytest.approx(0.008)
    assert _val(comp.find("Release")) == pytest.approx(0.150)
    assert _val(comp.find("OutputGain")) == pytest.approx(2.0)
    assert comp.find("AutoMakeup").get("value") == "false"
    assert gate.tag == "NoiseGate"
    assert _val(gate.find("Threshold")) == pytest.approx(-45)
    assert _val(gate.find("Range")) == pytest.approx(-24)
    assert dawproject.percent_to_ratio(_val(gate.find("Ratio"))) == pytest.approx(1 + 24 / 6)
    assert _val(gate.find("Attack")) == pytest.approx(0.001) and _val(gate.find("Release")) == pytest.approx(
        0.12
    )
    assert sat.tag == "Device" and sat.get("deviceID") == "faderpilot.saturation"
    params = {p.get("comment"): p for p in sat.find("Parameters")}
    assert _val(params["drive_db"]) == 9 and params["drive_db"].get("unit") == "decibel"
    assert _val(params["mix_pct"]) == 40 and params["mix_pct"].get("unit") == "percent"
    # a disabled processor keeps its values, switched off
    assert eq2.tag == "Equalizer" and eq2.find("Band").find("Enabled").get("value") == "false"
    assert _val(eq2.find("Band").find("Gain")) == 4.0

    # routing: the vocal goes to the inner group, nested inside the outer group
    inner = tracks["Vocals"]
    outer = tracks["All Vox & Keys"]
    assert inner in list(outer) and tracks[UNICODE] in list(inner) and tracks[NAME_60] in list(inner)
    assert inner.get("contentType") == "tracks" and inner.find("Channel").get("role") == "submix"
    assert ids[inner.find("Channel").get("destination")] is outer.find("Channel")
    assert _val(inner.find("Channel").find("Pan")) == pytest.approx((-0.25 + 1) / 2)
    # a track routed straight into an FX bus
    gtr = tracks[QUOTES].find("Channel")
    assert ids[gtr.get("destination")] is tracks["Delay"].find("Channel")
    assert gtr.find("Mute").get("value") == "true"
    assert tracks["Keys L+R"].find("Channel").get("solo") == "true"
    # sends, by destination channel
    sends = {ids[s.get("destination")]: _db(_val(s.find("Volume"))) for s in ch.iter("Send")}
    assert sends == {
        tracks["Reverb"].find("Channel"): pytest.approx(-14.0),
        tracks["Delay"].find("Channel"): pytest.approx(-18.5),
    }
    # FX buses: reverb and delay as generic devices; master limiter
    rev = [d for d in tracks["Reverb"].find("Channel").find("Devices")]
    assert [d.tag for d in rev] == ["Equalizer", "Device", "Equalizer"]
    rp = {p.get("comment"): _val(p) for p in rev[1].find("Parameters")}
    assert rp == {"room_size": 0.6, "damping": 0.4, "width": 0.9}
    dly = tracks["Delay"].find("Channel").find("Devices")[0]
    dp = {p.get("comment"): (_val(p), p.get("unit")) for p in dly.find("Parameters")}
    assert dp["time_ms"] == (pytest.approx(0.25), "seconds") and dp["feedback_pct"] == (30.0, "percent")
    lim = tracks["Master"].find("Channel").find("Devices")[0]
    assert lim.tag == "Limiter" and _val(lim.find("Threshold")) == -1.0 and _val(lim.find("Release")) == 0.1
    assert _db(_val(tracks["Master"].find("Channel").find("Volume"))) == pytest.approx(-1.5)

    # clips: positions after the delay, offsets, fades in seconds
    lanes = {ln.get("track"): ln for ln in project.find("Arrangement").find("Lanes").findall("Lanes")}
    clips = lanes[tracks[UNICODE].get("id")].find("Clips").findall("Clip")
    assert [float(c.get("time")) for c in clips] == pytest.approx([0.005, 1.005])
    assert [float(c.get("duration")) for c in clips] == pytest.approx([0.8, 0.9])
    assert [float(c.get("playStart")) for c in clips] == pytest.approx([0.0, 1.0])
    assert [float(c.get("fadeInTime")) for c in clips] == pytest.approx([0.01, 0.02])
    assert [float(c.get("fadeOutTime")) for c in clips] == pytest.approx([0.05, 0.1])
    assert all(c.get("fadeTimeUnit") == "seconds" and c.get("contentTimeUnit") == "seconds" for c in clips)
    markers = project.find("Arrangement").find("Markers")
    assert [(m.get("name"), float(m.get("time"))) for m in markers] == [("Intro", 0.0), ("Verse 1", 1.25)]
    assert meta.find("Title").text == session.name


def test_audio_is_embedded_by_relative_path_and_matches_the_sources(odd):
    session, _, _, path, _ = odd
    project, _, z = _read(path)
    names = set(z.namelist())
    audio = list(project.iter("Audio"))
    assert audio
    for a in audio:
        f = a.find("File")
        p = f.get("path")
        assert f.get("external") in (None, "false")
        assert not p.startswith("/") and ".." not in p.split("/") and p in names
    for i, t in enumerate(session.tracks, 1):
        p = next(
            a.find("File").get("path")
            for a in audio
            if a.find("File").get("path").startswith(f"audio/{i:02d}_")
        )
        data, sr = sf.read(io.BytesIO(z.read(p)), dtype="float32", always_2d=True)
        assert sr == session.sample_rate and data.shape[1] == t.channels
        assert np.array_equal(data.T, track_audio(session, t))
    assert any(UNICODE in n for n in names)


def test_approximations_are_reported_logged_and_stored(odd, tmp_path, caplog):
    session, *_ = odd
    notes = dawproject.approximations(session)
    text = "\n".join(notes)
    for what in (
        "saturation",
        "reverb",
        "delay",
        "polarity",
        "stereo width 0.7",
        "18 dB/oct",
        "6 dB/oct",
        "true-peak",
        "pan law",
        "fades",
    ):
        assert what in text, what
    with caplog.at_level(logging.INFO, logger="faderpilot.export.dawproject"):
        path = dawproject.write(session, tmp_path / "out")
    logged = [r.getMessage() for r in caplog.records if r.name == "faderpilot.export.dawproject"]
    assert [m for m in logged if "rendering them" not in m] == [f"DAWproject export: {n}" for n in notes]
    _, meta, _ = _read(path)
    assert all(n in meta.find("Comment").text for n in notes)


def test_gain_automation_becomes_volume_points(odd, tmp_path):
    session, *_ = odd
    s = load(odd[2] / "session.json")
    vox = s.track("t01")
    vox.automation = [{"param": "gain_db", "points": [[0.5, 0.0], [0.53, 3.0], [1.2, 3.0], [1.23, 0.0]]}]
    path = dawproject.write(s, tmp_path / "out")
    project_xsd, _ = _schemas()
    z = zipfile.ZipFile(path)
    project_xsd.validate(z.read("project.xml").decode("utf-8"))
    project, _, _ = _read(path)
    tracks = _tracks(project)
    volume = tracks[UNICODE].find("Channel").find("Volume")
    pts = next(p for p in project.iter("Points"))
    assert pts.find("Target").get("parameter") == volume.get("id") and pts.get("unit") == "linear"
    t = np.array([float(p.get("time")) for p in pts.findall("RealPoint")])
    v = np.array([_db(float(p.get("value"))) for p in pts.findall("RealPoint")])
    # linear in gain between points stays within 0.0005 dB of faderpilot's linear-in-dB ramps
    grid = np.linspace(0.4, 1.3, 2000)
    ours = vox.fader_db + np.interp(grid, [0.5, 0.53, 1.2, 1.23], [0, 3, 3, 0])
    theirs = 20 * np.log10(np.interp(grid, t, 10 ** (v / 20)))
    assert np.max(np.abs(ours - theirs)) < 0.0005
    assert float(volume.get("max")) >= 10 ** (v.max() / 20)


def test_reexport_after_editing_session_json_changes_exactly_that_value(odd, tmp_path):
    _, _, out, _, _ = odd
    work = tmp_path / "work"
    work.mkdir()
    d = json.loads((out / "session.json").read_text(encoding="utf-8"))
    (work / "session.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    assert main(["export", str(work), "--to", "dawproject"]) == 0
    first = dawproject.project_path(load(work / "session.json"), work)
    z1 = zipfile.ZipFile(first)
    before = {n: z1.read(n) for n in z1.namelist()}
    d["tracks"][1]["fader_db"] = -3.25  # the 60-character backing vocal
    (work / "session.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    assert main(["export", str(work), "--to", "dawproject"]) == 0
    z2 = zipfile.ZipFile(first)
    after = {n: z2.read(n) for n in z2.namelist()}
    assert set(before) == set(after)
    changed = [n for n in before if before[n] != after[n]]
    assert changed == ["project.xml"]
    old = before["project.xml"].decode().splitlines()
    new = after["project.xml"].decode().splitlines()
    diff = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert len(diff) == 1
    vol = ET.fromstring(diff[0][1])
    assert vol.tag == "Volume" and _db(_val(vol)) == pytest.approx(-3.25)


def test_writes_are_atomic_and_the_stems_folder_is_never_touched(odd, tmp_path, monkeypatch):
    session, root, out, path, before = odd
    dest = tmp_path / "atomic"
    first = dawproject.write(session, dest)
    content = first.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(filemode.os, "replace", boom)  # every atomic writer renames there
    with pytest.raises(OSError):
        dawproject.write(session, dest)
    monkeypatch.undo()
    assert first.read_bytes() == content  # the old file is intact
    assert sorted(p.name for p in dest.iterdir()) == [first.name]  # no temporary files left
    assert tree_digest(root / "stems") == before
    # the export never points into the stems folder and refuses to write there
    with pytest.raises(ValueError, match="stems folder"):
        dawproject.write(session, root / "stems")
    with pytest.raises(ValueError, match="stems folder"):
        export(session, root / "stems" / "sub", "dawproject")
    assert tree_digest(root / "stems") == before
    assert not (root / "stems" / "sub").exists()


def test_reexport_is_byte_identical(odd, tmp_path):
    session, *_ = odd
    a = dawproject.write(session, tmp_path / "a").read_bytes()
    b = dawproject.write(session, tmp_path / "b").read_bytes()
    assert a == b


def test_unit_conversions():
    assert dawproject.ratio_to_percent(1.0) == 0.0
    assert dawproject.ratio_to_percent(4.0) == 75.0
    assert dawproject.percent_to_ratio(75.0) == pytest.approx(4.0)
    assert dawproject.pan_to_normalized(-1) == 0.0 and dawproject.pan_to_normalized(1) == 1.0
    assert dawproject.butterworth_qs(2) == pytest.approx([math.sqrt(0.5)])
    assert dawproject.num(-math.inf) == "-inf" and dawproject.num(2) == "2.0"
    assert os.sep not in dawproject.AUDIO_DIR
