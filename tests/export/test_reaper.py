"""REAPER export: the RPP parses with the ``rpp`` package, every value reads back, a model of
REAPER's mixer plays it as faderpilot renders it, re-export changes only what was edited, safety."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from faderpilot.cli import main
from faderpilot.export import export, reaper
from faderpilot.export.media import track_audio
from faderpilot.export.reaper_jsfx import FILTER_ORDER, SLIDERS, SOURCES
from faderpilot.render.chain import run_chain
from faderpilot.render.engine import pan_gains, render
from faderpilot.session.io import load, save
from faderpilot.session.model import PROCESSOR_PARAMS, Processor

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

rpp = pytest.importorskip("rpp")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    session, out = demo_session(tmp_path_factory)
    return session, out, reaper.write(session, out)


@pytest.fixture(scope="module")
def odd(tmp_path_factory):
    root = tmp_path_factory.mktemp("odd")
    session = every_processor_session(root / "stems")
    out = root / "out"
    save(session, out / "session.json")
    before = tree_digest(root / "stems")
    return session, root, out, reaper.write(session, out), before


def _load(path: Path):
    return rpp.loads(path.read_text(encoding="utf-8"))


def _line(el, tag: str) -> list[str]:
    for c in el.children:
        if isinstance(c, list) and c and c[0] == tag:
            return c[1:]
    raise KeyError(tag)


def _lines(el, tag: str) -> list[list[str]]:
    return [c[1:] for c in el.children if isinstance(c, list) and c and c[0] == tag]


def _tracks(proj) -> list:
    return [c for c in proj.children if not isinstance(c, list) and c.tag == "TRACK"]


def _db(x: float) -> float:
    return 20 * math.log10(abs(x))


# ---------------------------------------------------------------------------------------------
# A model of REAPER's mixer, reading only the RPP and the files beside it


def _reaper_pan(pan: float, law: float) -> tuple[float, float]:
    """Channel gains of REAPER's stereo balance/mono pan mode at the pan laws the exporter writes:
    the -3 dB law with a sine taper is cos/sin of (p + 1) pi/4; the 0 dB law is unity at centre."""
    if abs(law - math.sqrt(0.5)) < 1e-9:
        t = (pan + 1) * math.pi / 4
        return math.cos(t), math.sin(t)
    assert law == 1.0 and pan == 0.0, "the exporter only uses the 0 dB law at centre"
    return 1.0, 1.0


def _processors(fxchain) -> tuple[list[Processor], float | None]:
    """The JS effects of an FX chain as faderpilot processors (and a width, if any)."""
    procs: list[Processor] = []
    width = None
    bypass = False
    for c in fxchain.children:
        if isinstance(c, list):
            if c[0] == "BYPASS":
                bypass = c[1] == "1"
            continue
        assert c.tag == "JS"
        name = c.attrib[0].split("/", 1)[1]
        values = [float(v) for v in c.children[0] if v != "-"]
        kind = next(k for k, (f, _) in SLIDERS.items() if f == name)
        names = SLIDERS[kind][1]
        if kind == "width":
            width = values[0]
            continue
        params = dict(zip(names, values, strict=True))
        if kind == "filter":
            kind = FILTER_ORDER[int(params.pop("kind"))]
            params = {k: params[k] for k in PROCESSOR_PARAMS[kind]}
        procs.append(Processor(f"fx{len(procs)}", kind, params, not bypass))
    return procs, width


def render_rpp(path: Path, sr: int, frames: int) -> np.ndarray:
    proj = _load(path)
    tracks = _tracks(proj)
    # folder structure from ISBUS
    parent: list[int | None] = []
    stack: list[int] = []
    for i, t in enumerate(tracks):
        parent.append(stack[-1] if stack else None)
        a, b = (int(x) for x in _line(t, "ISBUS"))
        if a == 1:
            stack.append(i)
        elif a == 2:
            for _ in range(-b):
                stack.pop()
    cache: dict[int, np.ndarray] = {}

    def strip(y: np.ndarray, el, vol_line: list[str], env=None) -> np.ndarray:
        fx = next(
            (c for c in el.children if not isinstance(c, list) and c.tag in ("FXCHAIN", "MASTERFXLIST")), None
        )
        if fx is not None:
            procs, width = _processors(fx)
            y = run_chain(y.astype(np.float32), procs, sr)
            if width is not None:
                mid, side = (y[0] + y[1]) * 0.5, (y[0] - y[1]) * 0.5 * width
                y = np.vstack([mid + side, mid - side])
        vol, pan, law = (float(v) for v in vol_line[:3])
        y = y * vol
        if env is not None:
            y = y * env
        gl, gr = _reaper_pan(pan, law)
        return np.vstack([y[0] * gl, y[1] * gr])

    def out(i: int) -> np.ndarray:
        if i in cache:
            return cache[i]
        t = tracks[i]
        y = np.zeros((2, frames))
        for item in (c for c in t.children if not isinstance(c, list) and c.tag == "ITEM"):
            pos = round(float(_line(item, "POSITION")[0]) * sr)
            n = round(float(_line(item, "LENGTH")[0]) * sr)
            off = round(float(_line(item, "SOFFS")[0]) * sr)
            fi = int(float(_line(item, "FADEIN")[1]) * sr)
            fo = int(float(_line(item, "FADEOUT")[1]) * sr)
            assert _line(item, "FADEIN")[0] == "0" and _line(item, "FADEOUT")[0] == "0"  # linear
            take_vol = float(_line(item, "VOLPAN")[2])
            src_el = next(c for c in item.children if not isinstance(c, list) and c.tag == "SOURCE")
            rel = _line(src_el, "FILE")[0]
            assert not Path(rel).is_absolute() and ".." not in Path(rel).parts
            data, fsr = sf.read(path.parent / rel, dtype="float64", always_2d=True)
            assert fsr == sr
            x = data.T
            if x.shape[0] == 1:  # REAPER plays a mono item on both channels
                x = np.vstack([x, x])
            n = min(n, x.shape[1] - off, frames - pos)
            seg = x[:, off : off + n].copy()
            if fi:
                seg[:, :fi] *= np.linspace(0.0, 1.0, fi, endpoint=False)
            if fo:
                seg[:, n - fo :] *= np.linspace(1.0, 0.0, fo)
            y[:, pos : pos + n] += seg * take_vol
        if _line(t, "IPHASE")[0] == "1":
            y = -y
        for j, p in enumerate(parent):
            if p == i and _line(tracks[j], "MAINSEND")[0] == "1":
                y = y + out(j)
        for rec in _lines(t, "AUXRECV"):
            assert rec[1] == "0"  # post-fader (post-pan)
            y = y + out(int(rec[0])) * float(rec[2])
        env = None
        volenv = next((c for c in t.children if not isinstance(c, list) and c.tag == "VOLENV2"), None)
        if volenv is not None:
            pts = np.array([[float(v) for v in p[:2]] for p in _lines(volenv, "PT")])
            env = np.interp(np.arange(frames) / sr, pts[:, 0], pts[:, 1])
        y = strip(y, t, _line(t, "VOLPAN"), env)
        if _line(t, "MUTESOLO")[0] == "1":
            y = np.zeros_like(y)
        cache[i] = y
        return y

    master_in = sum(
        out(i) for i, t in enumerate(tracks) if parent[i] is None and _line(t, "MAINSEND")[0] == "1"
    )
    return strip(master_in, proj, _line(proj, "MASTER_VOLUME"))


def _faderpilot_mix(session) -> np.ndarray:
    audio = {t.source_id: track_audio(session, t) for t in session.tracks}
    return render(session, audio).mix


# ---------------------------------------------------------------------------------------------


def test_parses_with_rpp_and_dump_load_is_stable(demo, odd):
    for _, _, path in (demo, odd[:2] + odd[3:4]):
        proj = _load(path)
        assert proj.tag == "REAPER_PROJECT" and proj.attrib[0] == "0.1"
        once = rpp.dumps(proj)
        assert rpp.dumps(rpp.loads(once)) == once


def test_demo_tracks_folders_faders_pans_sends_and_items(demo):
    session, out, path = demo
    proj = _load(path)
    tracks = _tracks(proj)
    names = [_line(t, "NAME")[0] for t in tracks]
    groups = [b for b in session.buses if b.kind == "group"]
    fx = [b for b in session.buses if b.kind == "fx"]
    assert len(tracks) == len(session.tracks) + len(groups) + len(fx)
    assert names[-len(fx) :] == [b.name for b in fx]
    by_name = dict(zip(names, tracks, strict=True))
    index = {n: i for i, n in enumerate(names)}
    for g in groups:
        assert _line(by_name[g.name], "ISBUS")[0] == "1"
        members = [t.name for t in session.tracks if t.output == g.id]
        # the folder's members follow it; the last one closes the folder
        assert names[index[g.name] + 1 : index[g.name] + 1 + len(members)] == members
        assert _line(by_name[members[-1]], "ISBUS") == ["2", "-1"]
    for t in session.tracks:
        el = by_name[t.name]
        vol, pan, law = (float(v) for v in _line(el, "VOLPAN")[:3])
        gl, gr = _reaper_pan(pan, law)
        want = pan_gains(t.pan, t.channels)
        g = 10 ** (t.fader_db / 20)
        assert vol * gl == pytest.approx(g * want[0], rel=1e-9) and vol * gr == pytest.approx(
            g * want[1], rel=1e-9
        )
        if t.channels == 1 or t.pan == 0:
            assert _db(vol) == pytest.approx(t.fader_db, abs=1e-9)
            assert pan == pytest.approx(t.pan, abs=1e-12)
        item = next(c for c in el.children if not isinstance(c, list) and c.tag == "ITEM")
        assert float(_line(item, "VOLPAN")[2]) == pytest.approx(10 ** (t.trim_db / 20), rel=1e-12)
        file = out / _line(next(c for c in item.children if not isinstance(c, list)), "FILE")[0]
        assert file.exists() and file.parent == out / reaper.MEDIA_DIR
    for b in fx:
        recs = {int(r[0]): float(r[2]) for r in _lines(by_name[b.name], "AUXRECV")}
        want = {
            index[t.name]: 10 ** (s.level_db / 20) for t in session.tracks for s in t.sends if s.bus == b.id
        }
        assert recs == pytest.approx(want, rel=1e-12)
    assert _db(float(_line(proj, "MASTER_VOLUME")[0])) == pytest.approx(session.master.fader_db, abs=1e-9)


def test_every_value_reads_back(odd):
    session, _, out, path, _ = odd
    proj = _load(path)
    tracks = _tracks(proj)
    names = [_line(t, "NAME")[0] for t in tracks]
    assert names == ["All Vox & Keys", "Vocals", UNICODE, NAME_60, "Keys L+R", QUOTES, "Reverb", "Delay"]
    isbus = [tuple(_line(t, "ISBUS")) for t in tracks]
    assert isbus == [
        ("1", "1"),
        ("1", "1"),
        ("0", "0"),
        ("2", "-1"),
        ("2", "-1"),
        ("0", "0"),
        ("0", "0"),
        ("0", "0"),
    ]
    by = dict(zip(names, tracks, strict=True))
    vox = by[UNICODE]
    assert _line(vox, "IPHASE") == ["1"]
    assert _line(by[QUOTES], "MUTESOLO")[0] == "1" and _line(by[QUOTES], "MAINSEND")[0] == "0"
    assert _line(by["Keys L+R"], "MUTESOLO")[1] == "2"
    # the guitar is routed straight into the delay bus: a unity post-fader receive
    assert ["5", "0", "1"] in [r[:3] for r in _lines(by["Delay"], "AUXRECV")]
    # items: delay moves them, offsets, fades, trim as take volume, relative media
    items = [c for c in vox.children if not isinstance(c, list) and c.tag == "ITEM"]
    assert [float(_line(i, "POSITION")[0]) for i in items] == pytest.approx([0.005, 1.005])
    assert [float(_line(i, "LENGTH")[0]) for i in items] == pytest.approx([0.8, 0.9])
    assert [float(_line(i, "SOFFS")[0]) for i in items] == pytest.approx([0.0, 1.0])
    assert [float(_line(i, "FADEIN")[1]) for i in items] == pytest.approx([0.01, 0.02])
    assert [float(_line(i, "FADEOUT")[1]) for i in items] == pytest.approx([0.05, 0.1])
    assert all(float(_line(i, "VOLPAN")[2]) == pytest.approx(10 ** (3 / 20)) for i in items)
    for t in session.tracks:
        for item in (c for c in by[t.name].children if not isinstance(c, list) and c.tag == "ITEM"):
            rel = _line(next(c for c in item.children if not isinstance(c, list)), "FILE")[0]
            assert rel.startswith("media/") and (out / rel).exists()
            data, sr = sf.read(out / rel, dtype="float32", always_2d=True)
            assert np.array_equal(data.T, track_audio(session, t))
    # FX: every processor as readable slider numbers, in order, disabled ones bypassed
    procs, width = _processors(
        next(c for c in vox.children if not isinstance(c, list) and c.tag == "FXCHAIN")
    )
    want = session.track("t01").chain
    assert [(p.kind, p.enabled) for p in procs] == [(p.kind, p.enabled) for p in want]
    for got, exp in zip(procs, want, strict=True):
        for k in PROCESSOR_PARAMS[exp.kind]:
            assert got.params[k] == pytest.approx(exp.params[k]), (exp.kind, k)
    assert width is None
    _, bgv_width = _processors(
        next(c for c in by[NAME_60].children if not isinstance(c, list) and c.tag == "FXCHAIN")
    )
    assert bgv_width == pytest.approx(0.7)
    master_fx, _ = _processors(
        next(c for c in proj.children if not isinstance(c, list) and c.tag == "MASTERFXLIST")
    )
    assert [(p.kind, p.params) for p in master_fx] == [("limiter", {"ceiling_db": -1.0, "release_ms": 100.0})]
    marks = _lines(proj, "MARKER")
    assert [(m[2], float(m[1])) for m in marks] == [("Intro", 0.0), ("Verse 1", 1.25)]
    # the effects travel with the project
    for name, src in SOURCES.items():
        assert (out / reaper.EFFECTS_DIR / "faderpilot" / name).read_text(encoding="utf-8") == src


def test_pan_law_gives_faderpilots_channel_gains_at_every_position():
    for channels in (1, 2):
        for p in np.linspace(-1, 1, 41):
            rp, law, v = reaper.reaper_pan(float(p), channels)
            gl, gr = _reaper_pan(rp, law)
            want = pan_gains(float(p), channels)
            assert v * gl == pytest.approx(want[0], abs=1e-12) and v * gr == pytest.approx(want[1], abs=1e-12)
    assert reaper.reaper_pan(0.0, 2) == (0.0, 1.0, 1.0)  # a centred stereo strip keeps its fader
    assert reaper.reaper_pan(-0.5, 1) == (-0.5, math.sqrt(0.5), 1.0)  # mono: the pan as it is


@pytest.mark.parametrize("which", ["demo", "odd"])
def test_a_model_of_reapers_mixer_plays_the_project_as_faderpilot_renders_it(which, demo, odd, tmp_path):
    if which == "demo":
        session = demo[0]
    else:
        session = load(odd[2] / "session.json")
        for t in session.tracks:
            t.solo = False  # REAPER's solo follows its own routing rules; the mix is compared without
        session.track("t02").automation = [
            {"param": "gain_db", "points": [[0.2, 0.0], [0.4, -6.0], [1.5, 2.0]]}
        ]
    path = reaper.write(session, tmp_path)
    frames = int(round(session.length_s * session.sample_rate))
    ours = _faderpilot_mix(session)
    theirs = render_rpp(path, session.sample_rate, frames)
    peak = np.max(np.abs(ours))
    assert peak > 0.01
    assert 20 * np.log10(np.max(np.abs(theirs - ours)) / peak) < -80


def test_approximations_are_reported_logged_and_in_the_project_notes(odd, tmp_path, caplog):
    session, *_ = odd
    notes = reaper.approximations(session)
    text = "\n".join(notes)
    assert "limiter" in text and "true-peak" in text
    assert f"{NAME_60}: stereo pan +0.30" in text and "Vocals bus: stereo pan -0.25" in text
    with caplog.at_level(logging.INFO, logger="faderpilot.export.reaper"):
        path = reaper.write(session, tmp_path / "out")
    assert len([r for r in caplog.records if r.name == "faderpilot.export.reaper"]) == len(notes)
    proj = _load(path)
    lines = [c for c in proj.find("NOTES").children]
    assert any("REAPER Effects/faderpilot" in x for x in lines)
    for n in notes:
        assert any(n in x for x in lines)


def test_reexport_after_editing_session_json_changes_exactly_that_value(odd, tmp_path):
    _, _, out, _, _ = odd
    work = tmp_path / "work"
    work.mkdir()
    d = json.loads((out / "session.json").read_text(encoding="utf-8"))
    (work / "session.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    assert main(["export", str(work), "--to", "reaper"]) == 0
    path = reaper.project_path(load(work / "session.json"), work)
    before = path.read_text(encoding="utf-8").splitlines()
    media = tree_digest(work / reaper.MEDIA_DIR)
    d["tracks"][0]["fader_db"] = -2.5  # the unicode vocal (mono)
    (work / "session.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    assert main(["export", str(work), "--to", "reaper"]) == 0
    after = path.read_text(encoding="utf-8").splitlines()
    diff = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(diff) == 1
    tokens = diff[0][1].split()
    assert tokens[0] == "VOLPAN" and _db(float(tokens[1])) == pytest.approx(-2.5, abs=1e-9)
    assert tree_digest(work / reaper.MEDIA_DIR) == media


def test_writes_are_atomic_and_the_stems_folder_is_never_touched(odd, tmp_path, monkeypatch):
    session, root, out, path, before = odd
    dest = tmp_path / "atomic"
    first = reaper.write(session, dest)
    content = first.read_bytes()
    import faderpilot.filemode as fm  # every atomic writer renames there

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(fm.os, "replace", boom)
    with pytest.raises(OSError):
        reaper.write(session, dest)
    monkeypatch.undo()
    assert first.read_bytes() == content
    leftovers = [p for p in dest.rglob("*") if p.name.startswith(".")]
    assert leftovers == []
    assert tree_digest(root / "stems") == before
    with pytest.raises(ValueError, match="stems folder"):
        reaper.write(session, root / "stems")
    with pytest.raises(ValueError, match="stems folder"):
        export(session, root / "stems" / "sub", "reaper")
    assert tree_digest(root / "stems") == before
    assert not (root / "stems" / "sub").exists()


def test_quoting_and_numbers():
    assert reaper.quote("plain") == '"plain"'
    assert reaper.quote('say "hi"') == "'say \"hi\"'"
    assert reaper.quote('it\'s "x"') == '`it\'s "x"`'
    assert reaper.quote("a\nb") == '"a b"'
    assert (
        reaper.fmt(0.0) == "0" and reaper.fmt(1.0) == "1" and float(reaper.fmt(1 / 3)) == pytest.approx(1 / 3)
    )
    assert reaper.peakcol("#ff8000") == 0x01000000 | 0x0080FF
