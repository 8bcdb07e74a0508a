"""``ardour_check.render`` reruns Ardour's export tool when it dies by a signal (no Ardour needed:
the tool's runs are stood in for)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from faderpilot.export import ardour_check as check


@pytest.fixture
def session_file(tmp_path):
    folder = tmp_path / "song"
    folder.mkdir()
    (folder / "song.ardour").write_text("<Session/>", encoding="utf-8")
    return folder / "song.ardour"


def _fake_tool(monkeypatch, codes: list[int]) -> list[list[str]]:
    """Make ``_run`` answer with ``codes`` in turn (writing a tiny WAV on 0); returns the commands."""
    calls: list[list[str]] = []

    def run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess:
        calls.append(cmd)
        code = codes[len(calls) - 1]
        if code == 0:
            out = cmd[cmd.index("-o") + 1]
            sf.write(out, np.full((8, 2), 0.25, dtype=np.float32), 48000, subtype="FLOAT")
        crash = "munmap_chunk(): invalid pointer" if code < 0 else ""
        return subprocess.CompletedProcess(cmd, code, "", crash)

    monkeypatch.setattr(check, "find_tool", lambda names: f"/usr/bin/{names[-1]}")
    monkeypatch.setattr(check, "_run", run)
    return calls


def test_render_retries_after_a_crash(monkeypatch, session_file):
    calls = _fake_tool(monkeypatch, [-6, 0])
    y, sr = check.render(session_file)
    assert len(calls) == 2
    assert sr == 48000 and y.shape == (2, 8) and y.dtype == np.float32
    np.testing.assert_allclose(y, 0.25)
    assert calls[0][-2] != calls[1][-2]  # each try on a fresh copy of the session folder


def test_render_gives_up_after_three_crashes(monkeypatch, session_file):
    calls = _fake_tool(monkeypatch, [-6, -11, -6])
    with pytest.raises(check.ArdourToolError, match=r"exited -6 \(killed by a signal on all 3 tries\)"):
        check.render(session_file)
    assert len(calls) == check.RENDER_TRIES == 3


def test_render_does_not_rerun_a_plain_failure(monkeypatch, session_file):
    calls = _fake_tool(monkeypatch, [1, 0])
    with pytest.raises(check.ArdourToolError, match=r"exited 1:") as e:
        check.render(session_file)
    assert "tries" not in str(e.value)
    assert len(calls) == 1


def test_latency_extends_the_copys_range_and_drops_the_lead(tmp_path, monkeypatch):
    """``latency``: the copy's session range ends that many samples later; the render loses as
    many samples at its start (the limiter's lookahead that Ardour's headless export leaves in)."""
    folder = tmp_path / "song"
    folder.mkdir()
    xml = (
        '<Session sample-rate="48000"><Locations>'
        '<Location name="session" start="a0" end="a28224000" flags="IsSessionRange"/>'
        '<Location name="Verse" start="a0" end="a0" flags="IsMark"/></Locations></Session>'
    )
    (folder / "song.ardour").write_text(xml, encoding="utf-8")
    seen: list[str] = []

    def run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess:
        seen.append((Path(cmd[-2]) / f"{cmd[-1]}.ardour").read_text(encoding="utf-8"))
        x = np.arange(4800 + 300, dtype=np.float32)[:, None] * np.ones((1, 2), np.float32)
        sf.write(cmd[cmd.index("-o") + 1], x, 48000, subtype="FLOAT")
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(check, "find_tool", lambda names: f"/usr/bin/{names[-1]}")
    monkeypatch.setattr(check, "_run", run)
    y, sr = check.render(folder / "song.ardour", latency=300)
    assert 'end="a29988000"' in seen[0] and 'flags="IsMark"' in seen[0]  # 300 samples = 1764000 ticks
    assert (folder / "song.ardour").read_text(encoding="utf-8") == xml  # the original is untouched
    assert y.shape == (2, 4800) and y[0, 0] == 300.0
