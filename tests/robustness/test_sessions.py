"""Edits that clip, data that is lost, broken sessions and a misbehaving console client (issue 15).

Each case ends in a coded message that names the file (and the field), no traceback, nothing the
user made lost and the sources byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from faderpilot.analysis.loudness import integrated_loudness
from faderpilot.console import server as console_server
from faderpilot.console.server import start, stop
from faderpilot.messages import MESSAGES
from faderpilot.session.io import load, save
from faderpilot.session.model import Decision

from .harness import good_stems, run_cli

TARGET = -14.0


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): _sha(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def _peak_db(path: Path) -> tuple[float, int]:
    x, _ = sf.read(str(path), dtype="float64")
    return float(20 * np.log10(np.abs(x).max())), int((np.abs(x) >= 0.99997).sum())


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[Path, Path]:
    """Three small stems mixed once with --target-lufs (so mix_master.wav exists)."""
    root = tmp_path_factory.mktemp("sessions")
    good_stems(root / "stems", seconds=2.0)
    r = run_cli("mix", root / "stems", "-o", root / "out", "--target-lufs", str(TARGET))
    assert r.status == 0 and "Traceback" not in r.output, r.output
    return root / "stems", root / "out"


@pytest.fixture
def out(mixed, tmp_path) -> Path:
    """A private copy of the mixed folder (the tests change it)."""
    return Path(shutil.copytree(mixed[1], tmp_path / "out"))


def _edit_json(path: Path, change) -> None:
    d = json.loads(path.read_text())
    d = change(d) or d
    path.write_text(json.dumps(d, indent=2))


def _refused(r, code: str, *names: str) -> None:
    assert "Traceback" not in r.output, r.output
    assert r.status != 0, r.output
    lines = r.lines(code)
    assert lines, f"no {code}:\n{r.output}"
    for n in names:
        assert any(n in ln for ln in lines), f"{code} does not name {n!r}:\n{r.output}"


# ---------------------------------------------------------------------------- edits that clip


def test_three_notes_up_6_db_keep_the_headroom_and_undo_restores_the_bytes(out, mixed):
    sources = _digests(mixed[0])
    mix0, session0 = (out / "mix.wav").read_bytes(), (out / "session.json").read_bytes()
    master0 = (out / "mix_master.wav").read_bytes()
    assert _peak_db(out / "mix.wav")[0] == pytest.approx(-2.0, abs=0.05)
    for _ in range(3):
        r = run_cli("note", out, "keys up 6 dB")
        assert r.status == 0 and "Master: fader" in r.output, r.output
    peak, clipped = _peak_db(out / "mix.wav")
    assert peak == pytest.approx(-2.0, abs=0.05) and clipped == 0
    s = load(out / "session.json")
    assert s.master.decisions["fader_db"].rule == "master.headroom"
    assert len(s.history) == 3 and all(any("Master" in c for c in h["changes"]) for h in s.history)
    # mix_master.wav was made again from the new mix, at the stored target
    assert (out / "mix_master.wav").read_bytes() != master0
    m, sr = sf.read(str(out / "mix_master.wav"), dtype="float32", always_2d=True)
    assert integrated_loudness(m.T, sr) == pytest.approx(TARGET, abs=0.2)
    for _ in range(3):
        assert run_cli("undo", out).status == 0
    assert (out / "mix.wav").read_bytes() == mix0
    assert (out / "session.json").read_bytes() == session0
    assert (out / "mix_master.wav").read_bytes() == master0
    assert _digests(mixed[0]) == sources


def test_a_master_set_by_the_user_is_left_and_a_clip_is_warned(out):
    s = load(out / "session.json")
    s.master.fader_db = 6.0
    s.master.decisions["fader_db"] = Decision(6.0, "Set by you in the console.", "user", "console.fader_db")
    save(s, out / "session.json")
    r = run_cli("note", out, "keys up 6 dB")
    assert r.status == 0 and r.lines("FP-W060") and "mix.wav" in r.lines("FP-W060")[0], r.output
    assert load(out / "session.json").master.fader_db == 6.0


def test_a_note_of_1000_db_is_refused_and_nothing_changes(out):
    before = _digests(out)
    _refused(run_cli("note", out, "keys up 1000 dB"), "FP-E021", "1000 dB", "24 dB")
    _refused(run_cli("note", out, "keys down 30 dB"), "FP-E021", "30 dB")
    assert _digests(out) == before


def test_a_note_of_10000_characters_is_refused(out):
    before = _digests(out)
    _refused(run_cli("note", out, "keys up 1 dB " * 770), "FP-E020", "10010 characters", "1000")
    assert _digests(out) == before


def test_a_note_at_24_db_is_still_taken(out):
    r = run_cli("note", out, "keys down 24 dB")
    assert r.status == 0 and "Traceback" not in r.output, r.output


# ---------------------------------------------------------------------------- data that is lost


def test_mixing_again_over_notes_is_refused_without_force(out, mixed):
    assert run_cli("note", out, "keys up 2 dB").status == 0
    edited = (out / "session.json").read_bytes()
    r = run_cli("mix", mixed[0], "-o", out)
    _refused(r, "FP-E022", str(out), "1 note", "--force")
    assert (out / "session.json").read_bytes() == edited


def test_mixing_again_with_force_keeps_the_old_session_beside_it(out, mixed):
    assert run_cli("note", out, "keys up 2 dB").status == 0
    edited = (out / "session.json").read_bytes()
    r = run_cli("mix", mixed[0], "-o", out, "--force")
    assert r.status == 0 and "Traceback" not in r.output, r.output
    kept = sorted(out.glob("session.before-*.json"))
    assert len(kept) == 1 and kept[0].read_bytes() == edited
    assert any(kept[0].name in ln for ln in r.lines("FP-W061")), r.output
    assert json.loads((out / "session.json").read_text())["history"] == []


def test_mixing_again_without_notes_needs_no_force(out, mixed):
    r = run_cli("mix", mixed[0], "-o", out)
    assert r.status == 0 and not r.lines("FP-E022"), r.output


# ---------------------------------------------------------------------------- broken sessions


def _set_track(field: str, value):
    def change(d):
        d["tracks"][0][field] = value

    return change


@pytest.mark.parametrize(
    ("verb", "change", "field"),
    [
        (("export", "--to", "reaper"), _set_track("fader_db", 1e308), "tracks/0/fader_db"),
        (("note", "keys up 1 dB"), _set_track("fader_db", float("nan")), "tracks/0/fader_db"),
        (("undo",), _set_track("trim_db", float("-inf")), "tracks/0/trim_db"),
        (("report",), _set_track("delay_ms", 1e12), "tracks/0/delay_ms"),
        (("export", "--to", "ardour"), lambda d: d.update(length_s=1e308), "length_s"),
        (("note", "keys up 1 dB"), lambda d: d["buses"][-1].update(fader_db=float("nan")), "buses/"),
    ],
)
def test_a_session_value_out_of_range_is_refused_naming_the_field(out, mixed, verb, change, field):
    sources = _digests(mixed[0])
    _edit_json(out / "session.json", change)
    before = _digests(out)
    r = run_cli(verb[0], out, *verb[1:])
    _refused(r, "FP-E024", "session.json", field)
    assert _digests(out) == before and _digests(mixed[0]) == sources


def test_an_eq_above_nyquist_or_a_nan_region_is_refused(out):
    d = json.loads((out / "session.json").read_text())
    t = next(i for i, t in enumerate(d["tracks"]) if t["chain"])
    d["tracks"][t]["chain"][0]["params"]["freq_hz"] = d["sample_rate"]  # twice Nyquist
    (out / "session.json").write_text(json.dumps(d))
    _refused(run_cli("note", out, "keys up 1 dB"), "FP-E024", f"tracks/{t}/chain/0/params/freq_hz", "Nyquist")
    d["tracks"][t]["chain"][0]["params"]["freq_hz"] = 100.0
    d["tracks"][0]["regions"] = [{"start_s": float("nan"), "end_s": 1.0}]
    (out / "session.json").write_text(json.dumps(d))
    _refused(run_cli("export", out, "--to", "reaper"), "FP-E024", "tracks/0/regions/0/start_s")


@pytest.mark.parametrize(
    "verb",
    [
        ("note", "keys up 1 dB"),
        ("undo",),
        ("export", "--to", "reaper"),
        ("report",),
        ("markers",),
        ("console", "--port", "0"),
    ],
)
def test_a_top_level_array_is_refused_by_every_verb(out, verb):
    (out / "session.json").write_text("[1, 2, 3]\n")
    r = run_cli(verb[0], out, *verb[1:])
    _refused(r, "FP-E023", "session.json", "an array")
    assert (out / "session.json").read_text() == "[1, 2, 3]\n"


def test_a_schema_violation_is_coded_with_its_path(out):
    _edit_json(out / "session.json", _set_track("pan", "left"))
    _refused(run_cli("note", out, "keys up 1 dB"), "FP-E027", "session.json", "tracks/0/pan")


# ---------------------------------------------------------------------------- the console


@pytest.fixture
def served(out):
    server = start(out, port=0, workers=2)
    yield server, out
    stop(server)


def _post(server, path: str, data: bytes) -> tuple[int, dict]:
    req = urllib.request.Request(
        server.url.rstrip("/") + path, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_console_a_deeply_nested_body_is_answered_400(served):
    server, out = served
    before = (out / "session.json").read_bytes()
    for body in (b"[" * 30000 + b"]" * 30000, b'{"strip": ' * 5000 + b"1" + b"}" * 5000):
        status, r = _post(server, "/api/edit", body)
        assert status == 400 and "FP-E025" in r["error"], r
    assert _post(server, "/api/undo", b"{}")[0] == 200  # still serving
    assert (out / "session.json").read_bytes() == before


def test_console_a_body_shorter_than_its_content_length_is_answered_408(served, monkeypatch):
    server, out = served
    monkeypatch.setattr(console_server, "READ_TIMEOUT_S", 1.0)
    host, port = "127.0.0.1", server.port
    with socket.create_connection((host, port), timeout=10) as c:
        c.sendall(
            f"POST /api/edit HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            "Content-Length: 1000\r\n\r\n".encode()
            + b'{"strip": '
        )
        t0 = time.monotonic()
        chunks = []
        while chunk := c.recv(65536):  # headers and body may come in separate writes
            chunks.append(chunk)
        answer = b"".join(chunks).decode()
        assert time.monotonic() - t0 < 5
    assert answer.startswith("HTTP/1.1 408") and "FP-E026" in answer and "10 of 1000 bytes" in answer


def test_console_notes_are_refused_over_the_shared_limits(served):
    server, out = served
    before = (out / "session.json").read_bytes()
    status, r = _post(server, "/api/note", json.dumps({"text": "keys up 1000 dB"}).encode())
    assert status == 400 and "FP-E021" in r["error"]
    status, r = _post(server, "/api/note", json.dumps({"text": "x" * 1001}).encode())
    assert status == 400 and "FP-E020" in r["error"] and r["code"] == "FP-E020"
    assert (out / "session.json").read_bytes() == before


def test_console_edit_keeps_the_headroom_and_undo_restores_the_bytes(served):
    server, out = served
    mix0, session0 = (out / "mix.wav").read_bytes(), (out / "session.json").read_bytes()
    keys = next(t.id for t in load(out / "session.json").tracks if t.name == "Keys")
    status, r = _post(
        server, "/api/edit", json.dumps({"strip": keys, "field": "fader_db", "value": 20}).encode()
    )
    assert status == 200 and any(line.startswith("Master: fader") for line in r["lines"]), r["lines"]
    assert server.app.printer.wait_idle(60)
    peak, clipped = _peak_db(out / "mix.wav")
    assert peak == pytest.approx(-2.0, abs=0.05) and clipped == 0
    assert _post(server, "/api/undo", b"{}")[0] == 200
    assert server.app.printer.wait_idle(60)
    assert (out / "session.json").read_bytes() == session0
    assert (out / "mix.wav").read_bytes() == mix0


def test_every_code_used_here_is_written_down():
    docs = (Path(__file__).parents[2] / "docs" / "messages.md").read_text()
    for code in ("FP-E020", "FP-E021", "FP-E022", "FP-E023", "FP-E024", "FP-E025", "FP-E026", "FP-E027"):
        assert code in MESSAGES and f"| {code} |" in docs, code
    for code in ("FP-W060", "FP-W061"):
        assert code in MESSAGES and f"| {code} |" in docs, code
