"""`faderpilot critique`: planted departures found, named, ranked; equal mixes give no lessons;
another song refused; A/B excerpts carry the named change, loudness-matched."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from faderpilot.analysis.loudness import integrated_loudness
from faderpilot.cli import main
from faderpilot.coach.critique import critique_fit, undo_one
from faderpilot.coach.fit import assistant_session, fit_user_mix
from faderpilot.coach.run import critique
from faderpilot.demo import generate_demo
from faderpilot.render.engine import render

from .songs import (
    BASS_DB,
    GTR_DB,
    GTR_HZ,
    REVERB_DB,
    SECONDS,
    SR,
    VOCAL_DB,
    by_role,
    departed,
    other_song,
    write_mix,
)

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def song(tmp_path_factory):
    stems = tmp_path_factory.mktemp("stems")
    generate_demo(stems, seconds=SECONDS, sample_rate=SR)
    a = assistant_session(stems)
    mixes = tmp_path_factory.mktemp("mixes")
    return stems, a, mixes


@pytest.fixture(scope="module")
def departed_critique(song, tmp_path_factory):
    stems, a, mixes = song
    path = write_mix(departed(a), a, mixes / "my_mix.wav")
    out = tmp_path_factory.mktemp("critique")
    return critique(stems, path, out, top=5), out


def _one(c, kind, name=None):
    found = [d for d in c.differences if d.kind == kind and (name is None or name in d.names)]
    assert len(found) == 1, (kind, name, [(d.kind, d.names) for d in c.differences])
    return found[0]


def test_each_departure_named_right_way_and_size(departed_critique, song):
    c, _ = departed_critique
    _, a, _ = song
    vox, bass_ = by_role(a.session, "lead_vocal"), by_role(a.session, "bass")
    gtr = by_role(a.session, "electric_guitar")
    v = _one(c, "level", vox.name)
    assert v.delta == pytest.approx(VOCAL_DB, abs=1.0)
    assert "under" in v.hears
    b = _one(c, "level", bass_.name)
    assert b.delta == pytest.approx(BASS_DB, abs=1.0)
    assert "over" in b.hears
    t = _one(c, "tone", gtr.name)
    assert t.delta == pytest.approx(GTR_DB, abs=1.0)
    assert abs(np.log2(t.freq_hz / GTR_HZ)) < 1 / 3  # within a third of an octave
    assert "more" in t.hears
    w = _one(c, "width")
    panned = {x.id for x in a.session.tracks if abs(x.pan) >= 0.15}
    assert set(w.tracks) == panned
    assert all(abs(p) < 0.05 for p in w.user.values())
    r = _one(c, "reverb")
    assert r.delta == pytest.approx(REVERB_DB, abs=3.0)
    assert "louder" in r.hears
    # the planted departures rank above anything smaller the fit found
    planted = {id(x) for x in (v, b, t, w, r)}
    ranks = [k for k, d in enumerate(c.differences) if id(d) in planted]
    assert ranks == list(range(5))
    for d in c.differences:
        assert "wrong" not in (d.hears + d.why + d.try_).lower()
        assert d.control and d.why and d.try_
        if d.kind == "level":  # taste exactly where the real-mix spread covers the choice
            assert (d.verdict == "taste") == (abs(d.delta) <= d.real["spread_db"])
            assert f"in {d.real['songs']} real song" in d.hears


def test_page_plays_the_excerpts(departed_critique):
    c, out = departed_critique
    page = (out / "critique.html").read_text()
    assert page.count("<audio") == 2 * 5
    assert "data:audio/flac;base64," in page
    assert "http://" not in page and "https://" not in page  # self-contained
    assert (out / "critique.json").is_file()
    if not CHROMIUM.exists():
        return
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (dev extra)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        try:
            pg = browser.new_page()
            pg.goto((out / "critique.html").as_uri(), wait_until="load")
            pg.evaluate("() => { for (const a of document.querySelectorAll('audio')) a.load(); }")
            js = "() => [...document.querySelectorAll('audio')].map((a) => [a.readyState, a.duration])"
            end = time.monotonic() + 20
            while time.monotonic() < end and not all(r >= 1 for r, _ in pg.evaluate(js)):
                time.sleep(0.1)
            got = pg.evaluate(js)
        finally:
            browser.close()
    seconds = c.differences[0].ab["seconds"]
    assert len(got) == 10 and all(r >= 1 and d == pytest.approx(seconds, abs=0.05) for r, d in got), got


def test_ab_measures_the_named_change_and_is_loudness_matched(departed_critique, song):
    c, out = departed_critique
    _, a, mixes = song
    a_x, sr = sf.read(out / "ab" / "your_mix.wav", dtype="float64", always_2d=True)
    for d in c.differences:
        b_x, _ = sf.read(out / d.ab["b"], dtype="float64", always_2d=True)
        la, lb = integrated_loudness(a_x.T, sr), integrated_loudness(b_x.T, sr)
        assert abs(la - lb) < 0.5, (d.kind, la, lb)
    # the vocal-only change moves the vocal against the rest by the stated dB: B = alpha A + beta v
    vox = by_role(a.session, "lead_vocal")
    d = _one(c, "level", vox.name)
    u = c.fit
    s0 = int(round(d.ab["start_s"] * sr))
    n = a_x.shape[0]
    stem = render(u.fitted, a.audio).track_stems[vox.id][:, s0 : s0 + n].astype(np.float64)
    b_x, _ = sf.read(out / d.ab["b"], dtype="float64", always_2d=True)
    design = np.stack([a_x.T.ravel(), stem.ravel()], axis=1)
    alpha, beta = np.linalg.lstsq(design, b_x.T.ravel(), rcond=None)[0]
    moved = 20 * np.log10((alpha + beta) / alpha)
    assert moved == pytest.approx(-d.delta, abs=0.5)
    assert moved == pytest.approx(-VOCAL_DB, abs=1.0)
    assert d.ab["match_gain_db"] < 0  # B had the vocal up, so it was brought down to A's loudness
    _ = undo_one  # the same undo the page's B renders


def test_equal_mix_gives_only_taste(song):
    stems, a, mixes = song
    path = write_mix(a.session, a, mixes / "same.wav")
    c, _ = critique_fit(a, fit_user_mix(a, path), str(path))
    assert all(d.verdict == "taste" for d in c.differences), [
        (d.kind, d.names, d.delta) for d in c.differences
    ]


def test_other_song_is_refused(song, tmp_path, capsys):
    stems, a, _ = song
    path = other_song(tmp_path / "other.wav")
    assert main(["critique", str(stems), "--mix", str(path), "-o", str(tmp_path / "out")]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "FP-E007" in err and "not critiqued" in err and path.name in err
    assert not (tmp_path / "out" / "critique.html").exists()


def test_reaper_session_critiqued_for_balance_and_pans(song, tmp_path, capsys):
    """`--session my.RPP`: levels, pans and mutes read from the project; the vocal 6 dB down and
    the bass 4 dB up are named, nothing about tone or returns (the project's plugins are opaque)."""
    stems, a, _ = song
    s = a.session
    src = {x.id: x.path for x in s.sources}
    planted = {by_role(s, "lead_vocal").id: VOCAL_DB, by_role(s, "bass").id: BASS_DB}
    lines = ['<REAPER_PROJECT 0.1 "7.0"']
    for t in s.tracks:
        if t.mute:
            continue
        bus = next((b for b in s.buses if b.id == t.output and b.kind == "group"), None)
        db = t.trim_db + t.fader_db + (bus.fader_db if bus else 0.0) + planted.get(t.id, 0.0)
        lines += [
            "  <TRACK",
            f"    NAME {t.name.replace(' ', '_')}",
            f"    VOLPAN {10 ** (db / 20):.8f} {t.pan:.4f} 0.70710678 -1 1",
            "    <ITEM",
            "      <SOURCE WAVE",
            f'        FILE "{src[t.source_id]}"',
            "      >",
            "    >",
            "  >",
        ]
    rpp = tmp_path / "my.RPP"
    rpp.write_text("\n".join(lines + [">"]) + "\n")
    out = tmp_path / "out"
    assert main(["critique", str(stems), "--session", str(rpp), "-o", str(out), "--top", "1"]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    d = json.loads((out / "critique.json").read_text())
    levels = {x["names"][0]: x["delta"] for x in d["differences"] if x["kind"] == "level"}
    assert levels[by_role(s, "lead_vocal").name] == pytest.approx(VOCAL_DB, abs=1.0)
    assert levels[by_role(s, "bass").name] == pytest.approx(BASS_DB, abs=1.0)
    assert {x["kind"] for x in d["differences"]} == {"level"}
    assert "levels, pans and mutes only" in d["notes"][0]
    assert "critique.html" in printed and by_role(s, "lead_vocal").name in printed


def test_a_missing_mix_is_named_before_any_work(tmp_path):
    """A mix file that is not there is reported at once, by name, with its code, and nothing is written."""
    from faderpilot.messages import FaderpilotError

    with pytest.raises(FaderpilotError, match=r"nope\.wav: no such file or folder \[FP-E031\]"):
        critique(tmp_path / "stems", tmp_path / "nope.wav", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_mono_bounce_is_not_critiqued_for_pans(song):
    """A mono bounce cannot show pans: none is named, and the critique says why."""
    from faderpilot.coach.critique import is_mono

    stems, a, mixes = song
    stereo = write_mix(a.session, a, mixes / "same_for_mono.wav")
    x, sr = sf.read(str(stereo), dtype="float32", always_2d=True)
    mono = mixes / "mono.wav"
    sf.write(str(mono), x.mean(axis=1), sr, subtype="FLOAT")
    u = fit_user_mix(a, mono)
    assert is_mono(u.mix) and not is_mono(np.asarray(x.T))
    c, _ = critique_fit(a, u, str(mono))
    assert not [d for d in c.differences if d.kind in ("pan", "width")]
    assert any(n.startswith("your mix is mono") for n in c.notes)
