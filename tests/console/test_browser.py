"""The console page in a real browser (Debian's Chromium driven by Playwright): every track at its
fader value, the client-side mix equal to mix.wav, a fader moved and saved, a note and its undo,
transport, solo and A/B, no request outside the server and no script error; a screenshot.

The tests share one page load on one demo session and run in file order (each leaves the
session as the next expects it).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from pagewait import wait

from faderpilot.console.server import start, stop

from .conftest import copy_session

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (.ci/run installs it)"
)

#: Compares the page's offline render of its own graph with a decoded file: max |a - b| and peak
#: (the page's float mix clipped at full scale, as the 24-bit mix.wav is).
COMPARE_JS = """async ([overrides, url]) => {
  const fp = window.faderpilot;
  const ref = await fp.decode(url);
  const out = await fp.renderOffline(overrides);
  let err = 0, peak = 0;
  for (let c = 0; c < 2; c++) {
    const a = ref.getChannelData(c), b = out.getChannelData(c);
    for (let i = 0; i < a.length; i++) {
      err = Math.max(err, Math.abs(a[i] - Math.min(1, Math.max(-1, b[i]))));
      peak = Math.max(peak, Math.abs(a[i]));
    }
  }
  return {err, peak, frames: [ref.length, out.length]};
}"""

#: What a move does to the page's mix, against the move worked out by hand from one printed
#: stem: (new - old) render vs expected(stem) through the printed bus and master gains.
DELTA_JS = """async ([id, overrides, kind]) => {
  const fp = window.faderpilot, st = fp.state();
  const s = st.strips.find((x) => x.id === id), p = s.printed;
  const bus = st.strips.find((x) => x.id === p.output).printed;
  const master = st.strips.find((x) => x.kind === 'master').printed;
  const g = Math.pow(10, (bus.fader_db + master.fader_db) / 20);
  const stem = await fp.decode(`${s.stem}?v=${p.v}`);
  const a = await fp.renderOffline({}), b = await fp.renderOffline(overrides);
  const L = stem.getChannelData(0), R = stem.getChannelData(1);
  let err = 0, size = 0;
  const o = overrides[id];
  for (let i = 0; i < L.length; i++) {
    let dl, dr;
    if (kind === 'fader') {
      const k = Math.pow(10, (o.fader_db - p.fader_db) / 20) - 1;
      dl = k * L[i]; dr = k * R[i];
    } else {  // pan of a mono track: the source is a0 L + b0 R, placed again at the new pan
      const [a0, b0] = fp.panGains(p.pan, 1), [a1, b1] = fp.panGains(o.pan, 1);
      const x = a0 * L[i] + b0 * R[i];
      dl = a1 * x - L[i]; dr = b1 * x - R[i];
    }
    const gl = b.getChannelData(0)[i] - a.getChannelData(0)[i];
    const gr = b.getChannelData(1)[i] - a.getChannelData(1)[i];
    err = Math.max(err, Math.abs(gl - g * dl), Math.abs(gr - g * dr));
    size = Math.max(size, Math.abs(g * dl), Math.abs(g * dr));
  }
  return {err, size};
}"""


def doc(out: Path) -> dict:
    return json.loads((out / "session.json").read_text(encoding="utf-8"))


def track(out: Path, tid: str) -> dict:
    return next(t for t in doc(out)["tracks"] if t["id"] == tid)


def shown(pg, tid: str) -> float:
    """The fader value a strip shows (its readout's number)."""
    return float(pg.get_attribute(f'.strip[data-id="{tid}"] .fader-val', "data-value"))


@pytest.fixture(scope="module")
def env(demo_mix, tmp_path_factory):
    """One server, one browser, one page load on a copy of the demo session."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (dev extra)")
    out = copy_session(demo_mix, tmp_path_factory.mktemp("browser") / "out")
    server = start(out, port=0, workers=2)
    log: dict[str, list[str]] = {"requests": [], "errors": []}
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        try:
            pg = browser.new_page(viewport={"width": 1400, "height": 900})
            pg.on("request", lambda r: log["requests"].append(r.url))
            pg.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
            pg.on("pageerror", lambda e: log["errors"].append(str(e)))
            t0 = time.perf_counter()
            pg.goto(server.url, wait_until="load")
            wait(pg, "!!(window.faderpilot && window.faderpilot.ready)")
            log["load_s"] = [f"{time.perf_counter() - t0:.2f}"]
            yield pg, server, out, log
        finally:
            browser.close()
            stop(server)


def test_page_shows_every_track_with_its_fader_at_the_document_value(env):
    pg, _, out, _ = env
    d = doc(out)
    assert pg.title() == f"{d['name']} \u2013 faderpilot console"
    names = pg.locator(".strip .name").all_inner_texts()
    assert names == [t["name"] for t in d["tracks"]] + pg.evaluate(
        "faderpilot.state().strips.filter(s => s.type === 'bus').map(s => s.name)"
    )
    for t in d["tracks"]:
        sel = f'.strip[data-id="{t["id"]}"]'
        assert shown(pg, t["id"]) == pytest.approx(t["fader_db"], abs=1e-9)
        assert float(pg.get_attribute(f"{sel} .fader", "aria-valuenow")) == pytest.approx(
            t["fader_db"], abs=1e-9
        )
        want = "0.0" if abs(t["fader_db"]) < 0.05 else f"{t['fader_db']:+.1f}"
        assert pg.inner_text(f"{sel} .fader-val") == f"{want} dB"
        assert pg.locator(f"{sel} .chain .ci").count() == len(t["chain"])
        assert pg.locator(f"{sel} .sends .send").count() == len(t["sends"])
    assert pg.locator(".strip.master").count() == 1
    assert pg.is_disabled('#ab button[data-src="rough"]')  # the demo has no rough


def test_client_mix_is_mix_wav_and_moves_exactly(env):
    pg, _, _, _ = env
    r = pg.evaluate(COMPARE_JS, [{}, "/files/mix.wav"])
    assert r["frames"][0] == r["frames"][1] and r["peak"] > 0.5
    assert r["err"] < 1e-6  # the printed stems through unity corrections are mix.wav (24-bit)
    p = pg.evaluate("faderpilot.state().strips.find(s => s.id === 't10').printed")
    r = pg.evaluate(DELTA_JS, ["t10", {"t10": {"fader_db": p["fader_db"] + 6.0}}, "fader"])
    assert r["size"] > 0.05 and r["err"] < 1e-5  # vocal +6 dB: exact through its bus and the master
    r = pg.evaluate(DELTA_JS, ["t01", {"t01": {"pan": -0.5}}, "pan"])
    assert r["size"] > 0.05 and r["err"] < 1e-5  # kick to L50: the pan law's change, exactly


def test_a_fader_moved_in_the_browser_is_saved_by_that_amount(env):
    pg, server, out, _ = env
    keys = track(out, "t08")["fader_db"]
    pg.focus('.strip[data-id="t08"] .fader')
    for _ in range(6):  # 0.5 dB a press
        pg.keyboard.press("ArrowUp")
    assert shown(pg, "t08") == pytest.approx(keys + 3.0, abs=1e-9)
    c = pg.evaluate("faderpilot.corrections()")
    assert c["t08"]["r"] == pytest.approx(10 ** (3.0 / 20), rel=1e-6)  # heard before it is saved
    wait(pg, "faderpilot.settled()")
    t = track(out, "t08")
    assert t["fader_db"] - keys == pytest.approx(3.0, abs=0.05)
    assert t["decisions"]["fader_db"]["origin"] == "user"
    assert doc(out)["history"][-1]["kind"] == "user"
    assert pg.evaluate("faderpilot.corrections()")["t08"]["r"] == pytest.approx(1.0)  # new stem loaded
    # and with the mouse: drag the Gtr DI fader cap up 40 px
    before = track(out, "t07")["fader_db"]
    box = pg.locator('.strip[data-id="t07"] .knob').bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    pg.mouse.move(x, y)
    pg.mouse.down()
    pg.mouse.move(x, y - 40, steps=8)
    pg.mouse.up()
    moved = shown(pg, "t07") - before
    assert moved > 1.0
    wait(pg, "faderpilot.settled()")
    assert track(out, "t07")["fader_db"] - before == pytest.approx(moved, abs=0.05)


def test_a_note_in_the_prompt_box_changes_the_vocal_and_explains_it(env):
    pg, server, out, _ = env
    vox = track(out, "t10")["fader_db"]
    pg.fill("#note", "vocal up 2 dB")
    pg.press("#note", "Enter")
    wait(pg, "document.querySelector('#result').innerText.includes('Vox Ld: fader')")
    assert track(out, "t10")["fader_db"] == pytest.approx(vox + 2.0, abs=1e-9)
    assert shown(pg, "t10") == pytest.approx(vox + 2.0, abs=1e-9)
    assert pg.inner_text('.strip[data-id="t10"] .fader-val') == f"{vox + 2.0:+.1f} dB"
    wait(pg, "faderpilot.settled()")
    r = pg.evaluate(COMPARE_JS, [{}, "/files/mix.wav"])
    assert r["err"] < 1e-6  # re-rendered stems reloaded: the page plays the new mix.wav again
    pg.click('.strip[data-id="t10"] .fader-val')
    panel = pg.inner_text("#why")
    assert "a text note" in panel and "vocal up 2 dB" in panel
    assert "vocal up 2 dB" in pg.inner_text("#history")
    shots = ROOT / "test-output"
    shots.mkdir(exist_ok=True)
    pg.screenshot(path=str(shots / "console.png"))
    assert (shots / "console.png").stat().st_size > 50_000
    pg.click("#why-close")


def test_undo_puts_everything_back_exactly(env, demo_mix):
    pg, _, out, _ = env
    vox = track(out, "t10")["fader_db"]
    pg.click("#undo")
    wait(pg, "document.querySelector('#result').innerText.includes('undid')")
    assert track(out, "t10")["fader_db"] == pytest.approx(vox - 2.0, abs=1e-9)
    readout = "document.querySelector('.strip[data-id=\"t10\"] .fader-val').dataset.value"
    wait(pg, f"Math.abs({readout} - {vox - 2.0}) < 1e-6")
    for _ in range(2):  # the mouse and the keyboard edits
        n = len(doc(out)["history"])
        pg.click("#undo")
        wait(pg, f"faderpilot.state().history.length === {n - 1}")
    wait(pg, "faderpilot.settled()")
    assert (out / "session.json").read_bytes() == (demo_mix / "session.json").read_bytes()
    assert pg.is_disabled("#undo")
    assert shown(pg, "t08") == pytest.approx(track(out, "t08")["fader_db"], abs=1e-9)


def test_transport_solo_and_ab(env):
    pg, _, out, _ = env
    before = (out / "session.json").read_bytes()
    pg.click("#play")
    wait(pg, "faderpilot.playing() && faderpilot.position() > 0.3", timeout=10)
    box = pg.locator("#overview").bounding_box()
    pg.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)  # half way: 4 s
    wait(pg, "faderpilot.position() > 3.9", timeout=10)
    assert pg.evaluate("faderpilot.position()") < 5.5
    pg.click('.strip[data-id="t10"] .solo')
    c = pg.evaluate("faderpilot.corrections()")
    assert c["t10"]["r"] == pytest.approx(1.0) and c["vocals"]["r"] == pytest.approx(1.0)
    assert c["t01"]["r"] == 0 and c["drums"]["r"] == 0 and c["t11"]["r"] == 0
    assert c["reverb"]["r"] == pytest.approx(1.0)  # FX returns are solo-safe
    pg.click('.strip[data-id="t10"] .solo')
    assert pg.evaluate("faderpilot.corrections()")["t01"]["r"] == pytest.approx(1.0)
    pg.click('#ab button[data-src="assistant"]')
    wait(pg, "faderpilot.source() === 'assistant'")
    assert "on" in pg.get_attribute('#ab button[data-src="assistant"]', "class")
    pg.click('#ab button[data-src="current"]')
    pg.click("#stop")
    assert not pg.evaluate("faderpilot.playing()")
    assert (out / "session.json").read_bytes() == before  # solo and listening are not edits


def test_no_request_leaves_the_server_and_no_script_error(env):
    pg, server, _, log = env
    origin = server.url.rstrip("/")
    outside = [u for u in log["requests"] if not u.startswith((origin + "/", "data:"))]
    assert not outside, outside[:3]
    assert not log["errors"], log["errors"][:3]
