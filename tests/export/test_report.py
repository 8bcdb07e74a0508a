"""The HTML report on the demo song: every track and reason on the page, pictures present and
drawn, nothing fetched from the network, and `faderpilot report` refreshing it after an edit."""

from __future__ import annotations

import base64
import io
import json
import shutil
import time
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from faderpilot.cli import main
from faderpilot.demo import generate_demo
from faderpilot.export.report import build_report, fmt_processor, read_run
from faderpilot.pipeline import mix
from faderpilot.session.io import load
from faderpilot.session.model import Decision, Processor

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")


class Page(HTMLParser):
    """Text nodes (per <article> id too), pictures and every src/href of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.by_article: dict[str, list[str]] = defaultdict(list)
        self.images: list[dict[str, str]] = []
        self.svgs: list[str] = []
        self.refs: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[str] = []
        self._article: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "article":
            self._article = a.get("id")
        if tag == "img":
            self.images.append(a)
        if tag == "svg":
            self.svgs.append("")
        for k in ("src", "href", "action", "poster", "srcset"):
            if k in a:
                self.refs.append(a[k])

    def handle_endtag(self, tag):
        if tag == "article":
            self._article = None

    def handle_data(self, data):
        self.texts.append(data)
        if self._article:
            self.by_article[self._article].append(data)


def parse(html: str) -> Page:
    p = Page()
    p.feed(html)
    p.close()
    return p


def has_text(texts: list[str], s: str) -> bool:
    """True when ``s`` is inside one text node (so it reads as one piece on the page)."""
    return any(s in t for t in texts)


def decode(src: str) -> tuple[str, bytes]:
    head, _, data = src.partition(",")
    assert head.startswith("data:image/") and head.endswith(";base64"), head[:40]
    return head[5:-7], base64.b64decode(data)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    stems = tmp_path_factory.mktemp("stems")
    generate_demo(stems, seconds=10.0)
    out = tmp_path_factory.mktemp("out")
    result = mix(stems, out, workers=2)
    return out, result


@pytest.fixture(scope="module")
def page(demo):
    out, _ = demo
    return parse((out / "report.html").read_text(encoding="utf-8"))


def test_mix_writes_the_report_and_the_time_beside_the_session(demo):
    out, r = demo
    assert (out / "report.html").stat().st_size > 10_000
    run = read_run(out)
    assert run is not None and run["seconds"] > 0 and run["faderpilot"]
    assert "README.txt" in run["ignored"]
    assert "seconds" not in (out / "session.json").read_text()  # session.json stays deterministic
    assert out / "report.html" in r.files and out / "run.json" in r.files
    assert not list(out.glob(".*.tmp"))  # atomic writes leave nothing behind


def test_every_track_and_every_reason_is_on_the_page(demo, page):
    out, _ = demo
    s = load(out / "session.json")
    reasons = []
    for t in s.tracks:
        assert has_text(page.texts, t.name), t.name
        art = page.by_article[f"track-{t.id}"]
        assert art, f"no section for {t.name}"
        assert has_text(art, t.role.reason)
        reasons += [(t.name, k, d.reason) for k, d in t.decisions.items()]
        reasons += [(t.name, p.kind, p.decision.reason) for p in t.chain if p.decision]
        reasons += [(t.name, f"send {x.bus}", x.decision.reason) for x in t.sends if x.decision]
        # the values themselves, in the track's own table
        assert has_text(art, f"{t.trim_db:+.1f} dB") and has_text(art, f"{t.fader_db:+.1f} dB")
        for p in t.chain:
            assert has_text(art, fmt_processor(p)), (t.name, p.kind)
        for x in t.sends:
            assert has_text(art, f"{x.level_db:+.1f} dB")
    for b in s.buses:
        reasons += [(b.name, k, d.reason) for k, d in b.decisions.items()]
        reasons += [(b.name, p.kind, p.decision.reason) for p in b.chain if p.decision]
    assert len(reasons) > 40
    missing = [x for x in reasons if not has_text(page.texts, x[2])]
    assert not missing, missing[:3]
    # summary facts
    mix_info = s.provenance["mix"]
    assert has_text(page.texts, f"{mix_info['integrated_lufs']:.1f} LUFS integrated")
    for w in s.warnings:
        assert has_text(page.texts, w.message)
    for prior in s.provenance["priors"]:
        assert has_text(page.texts, prior["source"])


def test_every_picture_is_present_and_drawn(demo, page):
    out, _ = demo
    s = load(out / "session.json")
    assert page.images, "no pictures"
    for img in page.images:
        assert img.get("alt"), "picture without alt text"
        mime, data = decode(img["src"])
        if mime == "image/png":
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1024
            im = Image.open(io.BytesIO(data)).convert("RGB")
            assert im.width >= 400 and im.height >= 200
            colours = im.getcolors(maxcolors=1 << 20)
            assert colours is None or len(colours) > 50, img["alt"]  # drawn, not blank
        else:
            assert mime == "image/svg+xml" and b"<path" in data
    alts = [i["alt"] for i in page.images]
    assert any(a.startswith("Levels: as recorded vs in the mix") for a in alts)
    assert any(a.startswith("Pan position and loudness") for a in alts)
    for t in s.tracks:
        assert any(a.startswith("Long-term spectrum of " + t.name) for a in alts), t.name
        for p in t.chain:
            if p.kind == "compressor":
                assert any(a.startswith(f"Transfer curve of the compressor on {t.name}") for a in alts)
            if p.decision and p.decision.rule == "eq.unmask":
                assert any(a.startswith("Spectra of ") and f" and {t.name} in the mix" in a for a in alts)


def test_nothing_is_fetched_from_anywhere(demo, page):
    out, _ = demo
    html = (out / "report.html").read_text(encoding="utf-8")
    for ref in page.refs:
        assert ref.startswith(("#", "data:")), ref[:60]
    assert "script" not in page.tags and "link" not in page.tags and "iframe" not in page.tags
    assert "@import" not in html and "url(" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


def test_size_and_time_stay_small(demo):
    out, _ = demo
    s = load(out / "session.json")
    t0 = time.perf_counter()
    html = build_report(s, read_run(out))
    took = time.perf_counter() - t0
    assert len(html.encode()) < 3_000_000
    assert took < 30.0  # about 2-4 s on a 2-core machine; generous for shared CI runners


def test_report_verb_rewrites_the_page_from_an_edited_session(demo, tmp_path):
    out, _ = demo
    # only the session document: the report needs no audio (export never analyses audio)
    shutil.copy(out / "session.json", tmp_path / "session.json")
    d = json.loads((tmp_path / "session.json").read_text())
    kick = next(t for t in d["tracks"] if t["role"]["value"] == "kick")
    kick["fader_db"] = -3.5
    kick["decisions"]["fader_db"] = {
        "value": -3.5,
        "reason": "Kick up: the producer wants it punchier in the verses.",
        "origin": "user",
        "rule": "",
    }
    old_pan = d["tracks"][2]["pan"]
    d["tracks"][2]["pan"] = 0.6  # changed by hand without a new reason
    (tmp_path / "session.json").write_text(json.dumps(d, indent=2))
    assert main(["report", str(tmp_path)]) == 0
    p = parse((tmp_path / "report.html").read_text(encoding="utf-8"))
    art = p.by_article[f"track-{kick['id']}"]
    assert has_text(art, "-3.5 dB")
    assert has_text(art, "Kick up: the producer wants it punchier in the verses.")
    assert has_text(art, "you, by hand")
    third = p.by_article[f"track-{d['tracks'][2]['id']}"]
    assert has_text(third, "Right 60%")
    assert any(f"changed by hand; was {'Centre' if abs(old_pan) < 0.005 else ''}" in x for x in third)
    assert not has_text(p.texts, "Time taken")  # no run.json in this folder: nothing invented


def test_report_verb_names_a_missing_session(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 1
    assert "no session document" in " ".join(capsys.readouterr().err.split())


def test_names_are_escaped(demo, tmp_path):
    out, _ = demo
    s = load(out / "session.json")
    s.tracks = s.tracks[:2]  # two tracks draw faster than eleven, and are enough here
    s.tracks[0].name = "Kick <b>&\"'"
    html = build_report(s)
    assert "<b>&" not in html
    p = parse(html)
    assert has_text(p.texts, "Kick <b>&\"'")


def test_compressor_and_masking_pictures_from_the_document(demo):
    out, _ = demo
    s = load(out / "session.json")
    vox = next(t for t in s.tracks if t.role.value == "lead_vocal")
    gtr = next(t for t in s.tracks if t.role.value == "electric_guitar")
    comp = {"threshold_db": -20.0, "ratio": 3.0, "attack_ms": 5.0, "release_ms": 120.0, "makeup_db": 2.0}
    vox.chain = [c for c in vox.chain if c.kind != "compressor"] + [
        Processor("compressor9", "compressor", comp, decision=Decision(comp, "Hand-set compressor.", "user"))
    ]
    cut = {"freq_hz": 2000.0, "gain_db": -3.0, "q": 1.4}
    why = f"Cut 3 dB at 2000 Hz to unmask the lead vocal '{vox.name}'."
    gtr.chain = [c for c in gtr.chain if not (c.decision and c.decision.rule == "eq.unmask")] + [
        Processor("peak9", "peak", cut, decision=Decision(cut, why, "rules", "eq.unmask", {"masked": vox.id}))
    ]
    s.tracks = [gtr, vox]
    p = parse(build_report(s))
    alts = [i["alt"] for i in p.images]
    assert any(
        a.startswith(f"Transfer curve of the compressor on {vox.name}: 3:1 above -20 dB") for a in alts
    )
    assert any("above the threshold" in a for a in alts)  # drawn over the measured level distribution
    assert any(a.startswith(f"Spectra of {vox.name} and {gtr.name} in the mix") for a in alts)
    assert has_text(p.texts, why) and has_text(p.texts, "Hand-set compressor.")


def test_rough_and_profile_sections_only_when_the_session_has_them(demo):
    out, _ = demo
    s = load(out / "session.json")
    s.tracks = s.tracks[:3]
    p = parse(build_report(s))
    assert "rough" not in p.ids and "profile" not in p.ids
    t = s.tracks[1]
    t.decisions["pan"] = Decision(t.pan, "Your past mixes keep the snare centred.", "profile", "profile.pan")
    s.provenance["rough"] = {
        "path": "/somewhere/rough.wav",
        "offset_s": 0.012,
        "null_db": -24.0,
        "tracks": {x.id: {"gain_db": x.trim_db - 6.0, "fader_db": -6.0} for x in s.tracks},
    }
    p = parse(build_report(s))
    assert "rough" in p.ids and "profile" in p.ids
    assert has_text(p.texts, "Your past mixes keep the snare centred.")
    assert any(i["alt"].startswith("Faders: matched to your rough vs in this mix") for i in p.images)


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (CI installs it)"
)
def test_opens_in_headless_chromium_with_no_requests(demo):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (dev extra)")
    out, _ = demo
    shots = ROOT / "test-output"
    shots.mkdir(exist_ok=True)
    shutil.copy(out / "report.html", shots / "report.html")
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        try:
            pg = browser.new_page(viewport={"width": 1280, "height": 900})
            pg.on("request", lambda r: requests.append(r.url))
            pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.goto((out / "report.html").as_uri(), wait_until="load")
            drawn = pg.evaluate(
                "Array.from(document.images)"
                ".map(i => i.complete && i.naturalWidth > 0 && i.clientWidth > 300)"
            )
            overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            pg.screenshot(path=str(shots / "report.png"), full_page=True)
        finally:
            browser.close()
    outside = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert not outside, outside[:3]
    assert drawn and all(drawn)
    assert overflow <= 0  # nothing wider than the window
    assert not errors, errors[:3]
    assert (shots / "report.png").stat().st_size > 100_000


def test_odd_sessions_still_render(demo):
    """A muted silent track, a track without measurements, a low rate, and no tracks at all."""
    out, _ = demo
    s = load(out / "session.json")
    s.tracks = s.tracks[:3]
    silent = s.tracks[0]
    silent.mute = True
    silent.analysis = dict(silent.analysis, active_lufs=-120.0)
    silent.analysis["band_db"] = {k: -120.0 for k in silent.analysis["band_db"]}
    s.tracks[1].analysis = {}
    s.sample_rate = 22050
    p = parse(build_report(s))
    assert all(has_text(p.texts, t.name) for t in s.tracks)
    s.tracks = []
    assert "<h2>Summary</h2>" in build_report(s)
