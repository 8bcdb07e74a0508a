"""`faderpilot batch --engine local` (a process per song, no Ray): byte-identical to a plain mix,
a killed worker process retried, and what stops a batch or a song before it runs."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from faderpilot.batch import BatchError, batch, discover
from faderpilot.batch.jobs import MEMORY_PER_AUDIO_BYTE
from faderpilot.batch.worker import place_sources
from faderpilot.messages import FaderpilotError

from .tiny import fingerprint, kill_first_attempt, write_song


def test_local_engine_is_byte_identical_to_a_plain_mix(songs, plain, tmp_path):
    r = batch(songs, tmp_path / "out", engine="local", num_cpus=2)
    for name in ("alpha", "beta"):
        assert r.songs[name]["status"] == "ok"
        assert fingerprint(tmp_path / "out" / name) == plain[name], name
    assert r.songs["broken"]["status"] == "failed" and r.songs["broken"]["attempts"] == 2
    assert r.songs["alpha"]["blas_threads_at_start"] == "1"  # set before the process started
    assert json.loads((tmp_path / "out" / "batch.json").read_text())["engine"] == "local"


def test_a_killed_local_worker_is_retried(tmp_path):
    src = tmp_path / "songs"
    write_song(src / "long", seconds=8.0, seed=3)
    pids, killed = tmp_path / "pids", []
    pids.mkdir()
    t = threading.Thread(target=kill_first_attempt, args=(pids, "long", killed))
    t.start()
    r = batch(src, tmp_path / "out", engine="local", num_cpus=2, pid_dir=pids)
    t.join()
    long = r.songs["long"]
    assert killed and long["status"] == "ok" and long["attempts"] == 2
    assert "killed by signal 9" in long["errors"][0]
    assert (tmp_path / "out" / "long" / "mix.wav").is_file()


def test_options_files_and_layouts_that_cannot_be_mixed(tmp_path):
    write_song(tmp_path / "s" / "one", n=2)
    (tmp_path / "s" / "faderpilot.toml").write_text("target_lufs = -14\nlimiter = true\n")
    with pytest.raises(BatchError, match=r"faderpilot.toml: limiter must be one of .*FP-E081"):
        discover(tmp_path / "s", tmp_path / "o")
    (tmp_path / "s" / "faderpilot.toml").write_text("target_lufs = [\n")
    with pytest.raises(BatchError, match="FP-E080"):
        discover(tmp_path / "s", tmp_path / "o")
    (tmp_path / "s" / "faderpilot.toml").write_text('target_lufs = -14\nprofile = "me.profile.json"\n')
    (tmp_path / "s" / "one" / "rough.wav").write_bytes((tmp_path / "s" / "one" / "Kick.wav").read_bytes())
    (job,) = discover(tmp_path / "s", tmp_path / "o")
    assert job.options == {
        "profile": str((tmp_path / "s" / "me.profile.json").resolve()),
        "target_lufs": -14.0,
    }
    assert "rough.wav sits among the stems" in job.error and "FP-E083" in job.error
    with pytest.raises(BatchError, match="FP-E082"):
        discover(tmp_path / "nope", tmp_path / "o")


def test_a_song_asks_for_cpus_and_memory_by_its_size(tmp_path):
    write_song(tmp_path / "s" / "small", seconds=1.0, n=2)
    big = tmp_path / "s" / "big"
    for i in range(6):
        write_song(big / f"take{i}", seconds=4.0)
        for p in (big / f"take{i}").iterdir():
            p.rename(big / f"{i}_{p.name}")
    small, large = sorted(discover(tmp_path / "s", tmp_path / "o", max_cpus=4), key=lambda j: j.tracks)
    assert (small.tracks, large.tracks) == (2, 18) and (small.cpus, large.cpus) == (1, 2)
    # memory grows with the decoded audio: 18 x 4 s against 2 x 1 s
    assert large.memory - small.memory == pytest.approx(
        MEMORY_PER_AUDIO_BYTE * 4 * 48000 * (18 * 4 - 2 * 1), rel=1e-6
    )


def test_shipped_sources_are_placed_at_their_paths_and_never_overwrite(tmp_path):
    place_sources({"/album/one/Kick.wav": b"RIFF1"}, prefix=str(tmp_path))
    assert (tmp_path / "album" / "one" / "Kick.wav").read_bytes() == b"RIFF1"
    place_sources({"/album/one/Kick.wav": b"RIFF1"}, prefix=str(tmp_path))  # same bytes: used
    with pytest.raises(FaderpilotError, match="FP-E085"):
        place_sources({"/album/one/Kick.wav": b"RIFF2"}, prefix=str(tmp_path))
    assert (tmp_path / "album" / "one" / "Kick.wav").read_bytes() == b"RIFF1"


def test_songs_dir_holding_the_output_is_not_a_song(tmp_path: Path):
    write_song(tmp_path / "s" / "one", n=2)
    (tmp_path / "s" / "out").mkdir()
    assert [j.name for j in discover(tmp_path / "s", tmp_path / "s" / "out")] == ["one"]


def test_batch_codes_are_documented():
    from faderpilot.messages import MESSAGES

    table = (Path(__file__).resolve().parents[2] / "docs" / "messages.md").read_text(encoding="utf-8")
    for code in [f"FP-E08{i}" for i in range(8)]:
        assert code in MESSAGES and f"| {code} |" in table
