"""Ear training: a round renders exactly its hidden change, answers are graded and adapt the
difficulty, scores are kept in the session folder; the Train tab driven in Chromium."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from pagewait import wait

from faderpilot.coach import train
from faderpilot.console.server import start, stop
from faderpilot.demo import generate_demo
from faderpilot.pipeline import mix

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("train")
    generate_demo(root / "stems", seconds=8.0)
    mix(root / "stems", root / "out", workers=2, report=False, daws=())
    return root / "out"


def test_level_round_renders_its_change_and_grades(mixed, tmp_path):
    out = Path(shutil.copytree(mixed, tmp_path / "out"))
    r, s = train.new_round(out, category="level")
    a, sr = sf.read(out / r.a, dtype="float64")
    b, _ = sf.read(out / r.b, dtype="float64")
    assert a.shape == b.shape and a.shape[0] == pytest.approx(min(train.ROUND_S, 8.0) * sr, abs=1)
    # B - A is the track alone times (g - 1): its level says the size of the hidden change
    from faderpilot.audio.io import load_sources
    from faderpilot.render.engine import render

    stem = render(s, load_sources(s)).track_stems[r.track]
    s0 = int(round(r.start_s * sr))
    x = stem[:, s0 : s0 + a.shape[0]].T.astype(np.float64)
    g_common = float(np.sum(a * a) / max(np.sum(a * a), 1e-30))
    scale = np.linalg.lstsq(x.reshape(-1, 1), (b - a).reshape(-1), rcond=None)[0][0]
    ref = np.linalg.lstsq(x.reshape(-1, 1), a.reshape(-1), rcond=None)[0][0] * g_common
    moved = 20 * np.log10(1 + scale / ref)
    sign = 1 if r.change == "up" else -1
    assert moved == pytest.approx(sign * r.size, abs=0.5)  # a projection, other tracks correlate
    # exactly what was graded is what was played: B nulls against the renderer's own render of the
    # session with that one fader moved (one common gain for A and B, 24-bit files)
    ch = train.changed_session(s, r)
    moved_faders = [
        (t.id, t2.fader_db - t.fader_db)
        for t, t2 in zip(s.tracks, ch.tracks, strict=True)
        if t2.fader_db != t.fader_db
    ]
    assert moved_faders == [(r.track, pytest.approx(sign * r.size))]
    full_a = render(s, load_sources(s)).mix[:, s0 : s0 + a.shape[0]].T.astype(np.float64)
    full_b = render(ch, load_sources(s)).mix[:, s0 : s0 + a.shape[0]].T.astype(np.float64)
    c = float(np.sum(a * full_a) / np.sum(full_a * full_a))
    from faderpilot.match.rough import null_depth_db

    assert null_depth_db(b, c * full_b) > 60.0
    assert null_depth_db(a, c * full_a) > 60.0
    # a wrong answer: graded wrong, the next level change is larger; a right one: smaller
    size0 = train.read_scores(out)["categories"]["level"]["size"]
    wrong = "down" if r.change == "up" else "up"
    d = train.answer(out, {"round": r.number, "track": r.track, "change": wrong})
    assert not d["right"] and d["answer"]["track"] == r.track
    sc = json.loads((out / train.SCORES).read_text())
    assert sc["categories"]["level"] == {
        "rounds": 1,
        "right": 0,
        "size": min(6.0, round(size0 * train.GROW, 2)),
    }
    r2, _ = train.new_round(out, category="level")
    d = train.answer(out, {"round": r2.number, "track": r2.track, "change": r2.change})
    assert d["right"]
    sc = json.loads((out / train.SCORES).read_text())
    assert sc["categories"]["level"]["right"] == 1
    assert sc["categories"]["level"]["size"] == pytest.approx(r2.size * train.SHRINK, abs=0.01)
    with pytest.raises(train.TrainError):  # answered rounds are gone
        train.answer(out, {"round": r2.number, "track": r2.track, "change": r2.change})


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium")
def test_train_tab_in_chromium(mixed, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (dev extra)")
    out = Path(shutil.copytree(mixed, tmp_path / "out"))
    server = start(out, port=0, workers=2)
    errors: list[str] = []
    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM),
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"],
            )
            try:
                pg = browser.new_page()
                pg.on("pageerror", lambda e: errors.append(str(e)))
                pg.goto(server.url, wait_until="load")
                wait(pg, "!!(window.faderpilot && window.faderpilot.ready)", 30)
                pg.click("#train-open")
                assert pg.is_visible("#train")
                pg.click("#train-new")
                wait(pg, "window.faderpilotTrain.round !== null", 60)
                rnd = pg.evaluate("window.faderpilotTrain.round")
                pg.click("#train-play")
                wait(pg, "window.faderpilotTrain.played >= 1", 20)
                assert pg.evaluate("document.getElementById('train-a').currentTime") >= 0
                before = (out / train.SCORES).read_bytes() if (out / train.SCORES).exists() else b""
                pg.select_option("#train-track", rnd["tracks"][0]["id"])
                pg.select_option("#train-change", "up")
                t0 = time.time()
                pg.click("#train-answer")
                wait(pg, "window.faderpilotTrain.graded >= 1", 20)
                last = pg.evaluate("window.faderpilotTrain.last")
                assert pg.inner_text("#train-result").startswith(("Right", "Not quite"))
                assert last["truth"] in pg.inner_text("#train-result")
                after = (out / train.SCORES).read_bytes()
                assert after != before and time.time() - t0 < 20
                sc = json.loads(after)
                assert sc["rounds"] == 1 and sum(c["rounds"] for c in sc["categories"].values()) == 1
                if last["answer"]["track"]:
                    assert pg.get_attribute(f'.strip[data-id="{last["answer"]["track"]}"]', "class").count(
                        "train-hit"
                    )
                rows = pg.locator("#train-scores tbody tr").count()
                assert rows == len(train.RANGES)
            finally:
                browser.close()
    finally:
        stop(server)
    assert not errors, errors
