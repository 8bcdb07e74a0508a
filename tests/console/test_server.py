"""The console server over HTTP (no browser): state, edits, notes and undo saved to session.json,
stale stems re-rendered, and the refusals (paths outside the folder, big bodies, other origins)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from faderpilot.cli import main
from faderpilot.console.server import MAX_BODY, start, stop
from faderpilot.pipeline import stem_paths
from faderpilot.prompt import note
from faderpilot.session.io import load, save

from .conftest import copy_session


@pytest.fixture
def served(demo_mix, tmp_path):
    """A fresh copy of the demo session served on an ephemeral port (for tests that change it)."""
    out = copy_session(demo_mix, tmp_path / "out")
    server = start(out, port=0, workers=2)
    yield server, out
    stop(server)


@pytest.fixture(scope="module")
def shared(demo_mix, tmp_path_factory):
    """One served copy for the tests that only read, or whose requests are all refused."""
    out = copy_session(demo_mix, tmp_path_factory.mktemp("shared") / "out")
    server = start(out, port=0, workers=2)
    yield server, out
    stop(server)


def _get(server, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(server.url.rstrip("/") + path, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def _post(server, path: str, obj, headers: dict | None = None) -> tuple[int, dict]:
    data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    h = {"Content-Type": "application/json", **(headers or {})}
    req = urllib.request.Request(server.url.rstrip("/") + path, data=data, headers=h, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def _raw(server, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    """A request with the path exactly as given (urllib would tidy it)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    hdrs = {"Host": f"127.0.0.1:{server.port}", **(headers or {})}
    for k, v in hdrs.items():
        conn.putheader(k, v)
    conn.endheaders(body)
    r = conn.getresponse()
    out = r.status, dict(r.getheaders()), r.read()
    conn.close()
    return out


def _read(path: Path) -> np.ndarray:
    return sf.read(str(path), dtype="float64", always_2d=True)[0]


def _rms_db(path: Path) -> float:
    return float(10 * np.log10(np.mean(_read(path) ** 2)))


def _top_level_sum(out: Path) -> tuple[np.ndarray, np.ndarray]:
    """(sum of the stems routed to the master x master fader, mix.wav): what the page plays at unity."""
    s = load(out / "session.json")
    paths = stem_paths(s, out)
    top = [t.id for t in s.tracks if t.output == "master"] + [
        b.id for b in s.buses if b.kind != "master" and (b.output or "master") == "master"
    ]
    total = sum(_read(paths[i]) for i in top) * 10 ** (s.master.fader_db / 20)
    return np.clip(total, -1.0, 1.0), _read(out / "mix.wav")  # a 24-bit mix.wav clips at full scale


def test_state_lists_every_strip_in_console_order_with_the_document_values(shared):
    server, out = shared
    status, headers, body = _get(server, "/api/state")
    assert status == 200 and headers["Content-Type"] == "application/json"
    state = json.loads(body)
    s = load(out / "session.json")
    ids = [x["id"] for x in state["strips"]]
    assert ids[: len(s.tracks)] == [t.id for t in s.tracks]
    assert ids[-1] == "master"  # groups, then FX returns, then the master
    kinds = [x["kind"] for x in state["strips"][len(s.tracks) :]]
    assert kinds == sorted(kinds, key=["group", "fx", "master"].index)
    by_id = {x["id"]: x for x in state["strips"]}
    for t in s.tracks:
        x = by_id[t.id]
        assert x["name"] == t.name and x["fader_db"] == t.fader_db and x["pan"] == t.pan
        assert x["colour"] == t.colour and x["printed"]["fader_db"] == t.fader_db
        assert x["why"]["fader_db"]["reason"] == t.decisions["fader_db"].reason
        assert x["why"]["fader_db"]["who"] == "assistant"  # the report's words for origin "rules"
        assert [p["id"] for p in x["chain"]] == [p.id for p in t.chain]
        assert x["stem"].startswith("/files/stems/")
    vox = next(x for x in state["strips"] if x["role"] == "lead_vocal")
    assert vox["chain"][0]["short"].startswith("HPF ") and vox["eq"] is not None
    assert [x["bus"] for x in vox["sends"]] == ["reverb", "delay"]
    assert state["rough"]["available"] is False and state["can_undo"] is False
    page = _get(server, "/")
    assert page[0] == 200 and b"/static/console.js" in page[2]
    assert "default-src 'self'" in page[1]["Content-Security-Policy"]
    assert _get(server, "/static/console.js")[1]["Content-Type"].startswith("text/javascript")


def test_printed_stems_routed_to_the_master_sum_to_mix_wav(shared):
    """The page's exactness rests on this: stems of the strips feeding the master, times the
    master fader, are mix.wav (to 24-bit resolution)."""
    _, out = shared
    total, mixed = _top_level_sum(out)
    assert np.max(np.abs(total - mixed)) < 2e-6


def test_a_fader_edit_is_saved_as_yours_undoable_and_rerendered(served):
    server, out = served
    before = load(out / "session.json")
    vox = next(t for t in before.tracks if t.role.value == "lead_vocal")
    stem = stem_paths(before, out)[vox.id]
    level = _rms_db(stem)
    status, r = _post(
        server, "/api/edit", {"strip": vox.id, "field": "fader_db", "value": vox.fader_db - 3.0}
    )
    assert status == 200 and r["changed"]
    after = load(out / "session.json")  # validated against the schema on load
    t = after.track(vox.id)
    assert t.fader_db == pytest.approx(vox.fader_db - 3.0, abs=1e-9)
    assert t.decisions["fader_db"].origin == "user" and "console" in t.decisions["fader_db"].reason
    assert after.history[-1]["kind"] == "user" and after.history[-1]["edits"][0]["field"] == "fader_db"
    printed = next(x for x in r["state"]["strips"] if x["id"] == vox.id)["printed"]
    assert server.app.printer.wait_idle(60)
    state = json.loads(_get(server, "/api/state")[2])
    now = next(x for x in state["strips"] if x["id"] == vox.id)["printed"]
    assert now["fader_db"] == t.fader_db and now["v"] > printed["v"]  # the page reloads this stem
    assert _rms_db(stem) - level == pytest.approx(-3.0, abs=0.01)
    total, mixed = _top_level_sum(out)
    assert np.max(np.abs(total - mixed)) < 2e-6  # mix.wav re-rendered with the stems
    # the same value again changes nothing and records nothing
    status, r = _post(server, "/api/edit", {"strip": vox.id, "field": "fader_db", "value": t.fader_db})
    assert status == 200 and not r["changed"] and len(load(out / "session.json").history) == 1


def _track(out: Path, role: str) -> dict:
    """A track of the saved document, as JSON (quicker than a validated load)."""
    doc = json.loads((out / "session.json").read_text(encoding="utf-8"))
    return next(t for t in doc["tracks"] if t["role"]["value"] == role)


def test_note_and_undo_go_through_the_prompt_code_and_restore_the_file_exactly(served):
    server, out = served
    original = (out / "session.json").read_bytes()
    vox, kick = _track(out, "lead_vocal"), _track(out, "kick")
    assert _post(server, "/api/edit", {"strip": kick["id"], "field": "pan", "value": -0.25})[0] == 200
    assert _post(server, "/api/edit", {"strip": kick["id"], "field": "mute", "value": True})[0] == 200
    status, r = _post(server, "/api/note", {"text": "vocal up 2 dB"})
    assert status == 200 and r["understood"] and r["changed"] == [vox["id"]]
    assert any("fader" in line for line in r["lines"])
    now = _track(out, "lead_vocal")
    assert now["fader_db"] == pytest.approx(vox["fader_db"] + 2.0, abs=1e-9)
    assert now["decisions"]["fader_db"]["origin"] == "prompt"
    status, r = _post(server, "/api/note", {"text": "love it!"})
    assert status == 200 and not r["understood"] and r["lines"][0].startswith("not understood")
    status, r = _post(server, "/api/undo", {})
    assert r["undone"] == "vocal up 2 dB"
    # `faderpilot undo` reverts a console edit too (prompt.history.UNDOABLE)
    assert main(["undo", str(out), "--no-render"]) == 0
    assert _track(out, "kick")["mute"] is False
    status, r = _post(server, "/api/undo", {})
    assert status == 200 and "pan" in r["undone"]
    assert (out / "session.json").read_bytes() == original
    status, r = _post(server, "/api/undo", {})
    assert r["undone"] is None and r["lines"] == ["nothing to undo"]
    assert server.app.printer.wait_idle(60)
    total, mixed = _top_level_sum(out)
    assert np.max(np.abs(total - mixed)) < 2e-6


def test_chain_and_send_edits_are_checked_saved_and_rerendered(served):
    server, out = served
    s = load(out / "session.json")
    vox = next(t for t in s.tracks if t.role.value == "lead_vocal")
    hpf = vox.chain[0]
    stem = stem_paths(s, out)[vox.id]
    before = _read(stem)
    edit = {"strip": vox.id, "processor": hpf.id, "param": "freq_hz", "value": 300.0}
    assert _post(server, "/api/edit", edit)[0] == 200
    assert _post(server, "/api/edit", {"strip": vox.id, "send": "reverb", "value": -30.0})[0] == 200
    assert (
        _post(
            server, "/api/edit", {"strip": vox.id, "processor": hpf.id, "field": "enabled", "value": False}
        )[0]
        == 200
    )
    after = load(out / "session.json").track(vox.id)
    assert after.chain[0].params["freq_hz"] == 300.0 and after.chain[0].enabled is False
    assert after.chain[0].decision.origin == "user" and after.chain[0].decision.value["freq_hz"] == 300.0
    assert after.sends[0].level_db == -30.0 and after.sends[0].decision.origin == "user"
    assert server.app.printer.wait_idle(60)
    assert not np.allclose(_read(stem), before)  # the stem follows the bypassed filter
    paths = stem_paths(s, out)
    assert server.app.printer.snapshot()["reverb"]["v"] > 1  # the FX return it feeds re-rendered
    assert paths["reverb"].exists()


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        ({"strip": "t99", "field": "fader_db", "value": 0}, "no strip 't99'"),
        ({"field": "fader_db", "value": 0}, "names no strip"),
        ({"strip": "t01", "field": "gain", "value": 0}, "field 'gain' cannot be edited"),
        ({"strip": "t01", "field": "fader_db", "value": "loud"}, "is not a number"),
        ({"strip": "t01", "field": "fader_db", "value": 400}, "outside"),
        ({"strip": "t01", "field": "pan", "value": 1.5}, "outside -1 .. 1"),
        ({"strip": "t01", "field": "mute", "value": 1}, "not true or false"),
        ({"strip": "master", "field": "mute", "value": True}, "master cannot be muted"),
        ({"strip": "t10", "processor": "nope", "param": "freq_hz", "value": 100}, "no processor 'nope'"),
        ({"strip": "t10", "send": "chorus", "value": -10}, "no send to 'chorus'"),
        (["not", "an", "object"], "JSON object"),
    ],
)
def test_bad_edits_are_refused_with_a_clear_400(shared, edit, words):
    server, out = shared
    original = (out / "session.json").read_bytes()
    status, r = _post(server, "/api/edit", edit)
    assert status == 400 and words in r["error"], r
    assert (out / "session.json").read_bytes() == original


def test_unknown_processor_parameter_names_the_ones_it_has(shared):
    server, out = shared
    vox = load(out / "session.json").track("t10")
    status, r = _post(
        server, "/api/edit", {"strip": "t10", "processor": vox.chain[0].id, "param": "q", "value": 1}
    )
    assert status == 400 and "no parameter 'q'" in r["error"] and "freq_hz" in r["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/files/../../etc/passwd",
        "/files/../session.json",
        "/files/%2e%2e/%2e%2e/etc/passwd",
        "/files/..%2f..%2fetc%2fpasswd",
        "/files/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
        "/files/stems/../../../etc/passwd",
        "/files//etc/passwd",
        "/files/%2fetc%2fpasswd",
        "/files/..\\..\\etc\\passwd",
        "/files/stems/%00.wav",
    ],
)
def test_paths_outside_the_session_folder_are_403(shared, path):
    server, _ = shared
    status, headers, body = _raw(server, "GET", path)
    assert status == 403, (path, status, body)
    err = json.loads(body)
    assert err["status"] == 403 and err["path"] and err["reason"] and "forbidden" in err["error"]


def test_a_symlink_out_of_the_folder_is_403_and_files_inside_are_served(served, tmp_path):
    server, out = served
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours")
    os.symlink(secret, out / "link.txt")
    status, _, body = _raw(server, "GET", "/files/link.txt")
    assert status == 403 and "outside the session folder" in json.loads(body)["error"]
    status, headers, body = _raw(server, "GET", "/files/session.json")
    assert status == 200 and headers["Content-Type"] == "application/json" and json.loads(body)["tracks"]
    status, _, body = _raw(server, "GET", "/files/nothing.wav")
    assert status == 404 and "no file 'nothing.wav'" in json.loads(body)["error"]


def test_oversized_and_malformed_requests_are_refused_clearly(shared):
    server, out = shared
    original = (out / "session.json").read_bytes()
    big = json.dumps({"text": "x" * (MAX_BODY + 1)}).encode()
    status, headers, body = _raw(
        server,
        "POST",
        "/api/note",
        {"Content-Type": "application/json", "Content-Length": str(len(big))},
        big,
    )
    assert status == 413
    err = json.loads(body)
    assert f"{len(big)} bytes" in err["error"] and str(MAX_BODY) in err["error"] and err["limit"] == MAX_BODY
    status, _, body = _raw(server, "POST", "/api/note", {"Content-Type": "application/json"})
    assert status == 411 and "Content-Length" in json.loads(body)["error"]
    assert _post(server, "/api/note", b"{nope", {"Content-Type": "application/json"})[0] == 400
    status, r = _post(server, "/api/note", b'{"text": "vocal up"}', {"Content-Type": "text/plain"})
    assert status == 415 and "application/json" in r["error"]
    status, r = _post(server, "/api/note", {"text": "vocal up"}, {"Origin": "http://evil.example"})
    assert status == 403 and "evil.example" in r["error"]
    status, r = _post(server, "/api/note", {"text": "v" * 1001})
    assert status == 400 and "1001 characters" in r["error"]
    status, _, body = _raw(server, "GET", "/api/state", {"Host": "evil.example:80"})
    assert status == 403 and "DNS-rebinding" in json.loads(body)["error"]
    assert _raw(server, "PUT", "/api/state", {"Content-Length": "0"}, b"")[0] == 405
    assert _raw(server, "GET", "/static/../session.json")[0] == 404
    assert (out / "session.json").read_bytes() == original


def test_audio_is_served_with_its_type_and_byte_ranges(shared):
    server, out = shared
    data = (out / "mix.wav").read_bytes()
    status, headers, body = _raw(server, "GET", "/files/mix.wav")
    assert status == 200 and headers["Content-Type"] == "audio/wav" and headers["Accept-Ranges"] == "bytes"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin" and headers["Cache-Control"] == "no-store"
    assert body == data
    status, headers, body = _raw(server, "GET", "/files/mix.wav", {"Range": "bytes=100-199"})
    assert (
        status == 206 and body == data[100:200] and headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    )
    status, headers, body = _raw(server, "GET", "/files/mix.wav", {"Range": "bytes=-10"})
    assert status == 206 and body == data[-10:]
    status, headers, body = _raw(server, "GET", "/files/mix.wav", {"Range": f"bytes={len(data)}-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(data)}"


def test_overview_peaks_follow_mix_wav(shared):
    server, out = shared
    o = json.loads(_get(server, "/api/overview?n=200")[2])
    x = np.abs(_read(out / "mix.wav")).max(axis=1)
    edges = np.linspace(0, x.size, 201).astype(int)
    want = [x[a:b].max() for a, b in zip(edges[:-1], edges[1:], strict=True)]
    assert o["n"] == 200 and o["length_s"] == pytest.approx(8.0, abs=1e-3)
    np.testing.assert_allclose(o["peak"], want, atol=1e-4)


def test_assistant_mix_is_the_mix_before_any_note_or_edit(served):
    server, out = served
    original = _read(out / "mix.wav")
    s = load(out / "session.json")
    assert _post(server, "/api/edit", {"strip": s.tracks[0].id, "field": "fader_db", "value": 6.0})[0] == 200
    assert _post(server, "/api/note", {"text": "cut 300 Hz on the kick 3 dB"})[0] == 200
    status, headers, body = _get(server, "/api/mix/assistant")
    assert status == 200 and headers["Content-Type"] == "audio/wav"
    assistant = _read(out / "console" / "assistant.wav")
    assert np.max(np.abs(assistant - original)) < 1e-5  # mix.wav from `mix` is 24-bit
    made = (out / "console" / "assistant.wav").stat().st_mtime_ns
    assert _get(server, "/api/mix/assistant")[0] == 200
    assert (out / "console" / "assistant.wav").stat().st_mtime_ns == made  # cached, not rendered again
    assert json.loads((out / "session.json").read_text())["history"]  # the document kept its edits


def test_rough_is_served_lined_up_with_the_session_or_explained(served, tmp_path):
    server, out = served
    status, _, body = _get(server, "/api/mix/rough")
    assert status == 404 and "not fitted to a rough mix" in json.loads(body)["error"]
    s = load(out / "session.json")
    sr, offset = s.sample_rate, 441
    rng = np.random.default_rng(1)
    rough = (0.1 * rng.standard_normal((int(s.length_s * sr) + 2000, 2))).astype(np.float32)
    sf.write(str(tmp_path / "rough.wav"), rough, sr, subtype="FLOAT")
    s.provenance["rough"] = {
        "path": str(tmp_path / "rough.wav"),
        "offset_samples": offset,
        "offset_s": offset / sr,
    }
    save(s, out / "session.json")
    status, headers, _ = _get(server, "/api/mix/rough")
    assert status == 200 and headers["Content-Type"] == "audio/wav"
    got = _read(out / "console" / "rough.wav")
    assert got.shape == (int(round(s.length_s * sr)), 2)
    np.testing.assert_allclose(
        got[:1000], rough[offset : offset + 1000], atol=1e-7
    )  # out[m] = rough[m + offset]
    assert json.loads(_get(server, "/api/state")[2])["rough"]["available"] is True
    (tmp_path / "rough.wav").unlink()
    (out / "console" / "rough.wav.json").unlink()
    status, _, body = _get(server, "/api/mix/rough")
    assert status == 404 and "not there any more" in json.loads(body)["error"]


def test_a_note_from_the_terminal_is_picked_up_and_rendered(served):
    server, out = served
    assert server.app.printer.wait_idle(60)
    rev = json.loads(_get(server, "/api/status")[2])["rev"]
    note(out, "bass down 3 dB", render=False)  # as `faderpilot note --no-render` in another terminal
    st = json.loads(_get(server, "/api/status")[2])
    assert st["rev"] != rev
    assert server.app.printer.wait_idle(60)
    total, mixed = _top_level_sum(out)
    assert np.max(np.abs(total - mixed)) < 2e-6
    bass = next(x for x in json.loads(_get(server, "/api/state")[2])["strips"] if x["role"] == "bass")
    assert bass["printed"]["fader_db"] == bass["fader_db"]


def test_console_verb_serves_until_interrupted(demo_mix, tmp_path, capsys):
    assert main(["console", str(tmp_path / "nowhere")]) == 1
    assert "no session.json here" in " ".join(capsys.readouterr().err.split())  # rich may wrap it
    out = copy_session(demo_mix, tmp_path / "out")
    proc = subprocess.Popen(
        [sys.executable, "-m", "faderpilot.cli", "console", str(out), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "300"},
    )
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split(" at ")[1].split()[0]
        with urllib.request.urlopen(url + "api/state", timeout=30) as r:
            assert json.loads(r.read())["name"]
    finally:
        proc.send_signal(signal.SIGINT)
        rc = proc.wait(30)
    assert rc == 0 and "stopped" in proc.stdout.read()
