"""An edit re-renders only what changed: stems still current are read back from OUT_DIR/stems
(``render.printed``), and the result is bit-identical to rendering every track again."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import soundfile as sf

import faderpilot
from faderpilot.demo import generate_demo
from faderpilot.pipeline import mix, rerender, stem_paths
from faderpilot.render import printed as printed_mod
from faderpilot.render.printed import RECORD, current, fingerprints
from faderpilot.session.io import load, save


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    root = tmp_path_factory.mktemp("reuse")
    generate_demo(root / "stems", seconds=8)
    mix(root / "stems", root / "out", workers=2, report=False, daws=())
    return root / "out"


def _copy(mixed, dst):
    shutil.copytree(mixed, dst)
    return dst


def _bytes(out):
    s = load(out / "session.json")
    return {p.name: p.read_bytes() for p in [out / "mix.wav", *stem_paths(s, out).values()]}


def test_after_mix_every_printed_stem_is_current(mixed):
    s = load(mixed / "session.json")
    cur = current(s, mixed)
    assert (
        set(cur)
        == set(fingerprints(s))
        == {t.id for t in s.tracks} | {b.id for b in s.buses if b.kind != "master"}
    )
    t = s.tracks[0]
    x, _ = sf.read(str(stem_paths(s, mixed)[t.id]), dtype="float32", always_2d=True)
    assert np.array_equal(cur[t.id](), np.ascontiguousarray(x.T))


def test_a_one_track_note_decodes_one_source_and_matches_a_full_render(mixed, tmp_path, monkeypatch):
    fast = _copy(mixed, tmp_path / "fast")
    full = _copy(mixed, tmp_path / "full")
    (full / "stems" / RECORD).unlink()  # no record: every stem is rendered again
    decoded: list[int] = []
    real = faderpilot.pipeline.load_sources

    def counting(session, workers=None):
        decoded.append(len(session.sources))
        return real(session, workers)

    monkeypatch.setattr(faderpilot.pipeline, "load_sources", counting)
    faderpilot.note(fast, "vocal up 1.5 dB")
    assert decoded == [1]  # the headroom step decodes the vocal only; the re-render reuses its render
    decoded.clear()
    faderpilot.note(full, "vocal up 1.5 dB")
    n = len(load(full / "session.json").sources)
    assert decoded == [n]
    assert (fast / "session.json").read_bytes() == (full / "session.json").read_bytes()
    a, b = _bytes(fast), _bytes(full)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []  # mix.wav and every printed stem, bit for bit


def test_a_hand_edit_is_never_served_from_a_stale_stem(mixed, tmp_path):
    out = _copy(mixed, tmp_path / "edited")
    ref = _copy(mixed, tmp_path / "ref")
    for d in (out, ref):  # a bus fader changed by hand in session.json, then a re-render
        s = load(d / "session.json")
        bus = next(b for b in s.buses if b.kind == "group")
        bus.fader_db -= 3.0
        save(s, d / "session.json")
    (ref / "stems" / RECORD).unlink()
    s = load(out / "session.json")
    cur = current(s, out)
    assert bus.id not in cur and all(t.id in cur for t in s.tracks)
    rerender(out)
    rerender(ref)
    assert _bytes(out) == _bytes(ref)


def test_a_stem_of_the_wrong_length_is_not_reused(mixed, tmp_path):
    out = _copy(mixed, tmp_path / "short")
    s = load(out / "session.json")
    t = s.tracks[0]
    p = stem_paths(s, out)[t.id]
    x, sr = sf.read(str(p), dtype="float32")
    sf.write(str(p), x[:-10], sr, subtype="FLOAT")
    assert t.id not in current(s, out)
    assert printed_mod.read_record(out)[t.id] == fingerprints(s)[t.id]


def test_undo_reuses_current_stems_and_matches_a_full_render(mixed, tmp_path):
    fast = _copy(mixed, tmp_path / "fast")
    full = _copy(mixed, tmp_path / "full")
    for d in (fast, full):
        faderpilot.note(d, "bass down 2 dB")
    (full / "stems" / RECORD).unlink()
    faderpilot.undo(fast)
    faderpilot.undo(full)
    assert (fast / "session.json").read_bytes() == (full / "session.json").read_bytes()
    a, b = _bytes(fast), _bytes(full)
    assert [k for k in a if a[k] != b[k]] == []
    assert _bytes(fast)["mix.wav"] == _bytes(mixed)["mix.wav"]  # undo restores the mix exactly
