"""`faderpilot batch` on a real local Ray (2 CPUs, started once for this module): every song
byte-identical to a plain mix, a broken song retried then reported, a killed worker's song
retried, an interrupted batch resumed by hash, sources shipped to the worker."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from faderpilot.batch import batch
from faderpilot.cli import main

from .tiny import fingerprint, kill_first_attempt, write_song

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    """One local Ray for the module; the batch uses it (and leaves it running)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def first(songs: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("ray") / "out"
    return out, batch(songs, out, engine="ray")


def test_every_song_is_byte_identical_to_a_plain_mix(first, plain):
    out, r = first
    assert r.songs["alpha"]["status"] == "ok" and r.songs["beta"]["status"] == "ok"
    for name in ("alpha", "beta"):
        assert fingerprint(out / name) == plain[name], name
    assert (out / "beta" / "rough_match.wav").is_file() and (out / "beta" / "mix_master.wav").is_file()
    assert r.songs["beta"]["options"]["target_lufs"] == -16.0


def test_a_broken_song_is_retried_once_then_reported_and_the_others_finish(first):
    out, r = first
    broken = r.songs["broken"]
    assert broken["status"] == "failed" and broken["attempts"] == 2
    assert len(broken["errors"]) == 2 and all("FP-E004" in e and "broken" in e for e in broken["errors"])
    assert r.failed == ["broken"]
    assert not (out / "broken" / "session.json").exists()


def test_batch_json_and_index_hold_each_songs_figures(first):
    out, r = first
    d = json.loads((out / "batch.json").read_text())
    assert d["engine"] == "ray" and set(d["songs"]) == {"alpha", "beta", "broken"}
    page = (out / "index.html").read_text()
    for name in ("alpha", "beta"):
        s = json.loads((out / name / "session.json").read_text())
        assert d["songs"][name]["integrated_lufs"] == s["provenance"]["mix"]["integrated_lufs"]
        assert d["songs"][name]["peak_db"] == s["provenance"]["mix"]["peak_db"]
        assert d["songs"][name]["tracks"] == len(s["tracks"])
        assert f'href="{name}/report.html"' in page
        assert f"<td>{s['provenance']['mix']['integrated_lufs']:.1f}</td>" in page
    # the worker process started with its BLAS pool limited to the song's CPUs
    assert d["songs"]["alpha"]["blas_threads_at_start"] == "1"
    assert d["songs"]["alpha"]["cpus"] == 1 and d["songs"]["alpha"]["memory_mb"] >= 1000
    assert "FP-E004" in page and "class=failed" in page


def test_a_rerun_skips_unchanged_songs_and_mixes_a_changed_one(songs, tmp_path):
    src = tmp_path / "songs"
    shutil.copytree(songs, src)
    shutil.rmtree(src / "broken")
    out = tmp_path / "out"
    batch(src, out, engine="ray")
    mtime = (out / "beta" / "mix.wav").stat().st_mtime_ns
    write_song(src / "alpha", seed=7)  # new takes of alpha's stems
    r = batch(src, out, engine="ray")
    assert r.songs["beta"]["status"] == "unchanged" and r.songs["beta"]["attempts"] == 0
    assert (out / "beta" / "mix.wav").stat().st_mtime_ns == mtime
    assert r.songs["beta"]["integrated_lufs"] is not None  # figures carried over
    assert r.songs["alpha"]["status"] == "ok" and r.songs["alpha"]["attempts"] == 1
    (src / "beta" / "faderpilot.toml").write_text("target_lufs = -18\n")  # options count too
    assert batch(src, out, engine="ray").songs["beta"]["status"] == "ok"


def test_a_killed_worker_is_retried(tmp_path):
    src = tmp_path / "songs"
    write_song(src / "long", seconds=8.0, seed=3)
    pids, killed = tmp_path / "pids", []
    pids.mkdir()
    t = threading.Thread(target=kill_first_attempt, args=(pids, "long", killed))
    t.start()
    r = batch(src, tmp_path / "out", engine="ray", pid_dir=pids)
    t.join()
    long = r.songs["long"]
    assert killed and long["status"] == "ok" and long["attempts"] == 2
    assert "died" in long["errors"][0] and long["errors"][0].startswith("attempt 1:")
    assert int((pids / "long.1.pid").read_text()) != killed[0]
    assert json.loads((tmp_path / "out" / "long" / "session.json").read_text())["tracks"]


def test_shipped_sources_give_the_same_output(first, songs, tmp_path):
    out, _ = first
    r = batch(songs, tmp_path / "shipped", engine="ray", ship_sources=True)
    assert r.songs["alpha"]["status"] == "ok"
    assert fingerprint(tmp_path / "shipped" / "alpha") == fingerprint(out / "alpha")


def test_cli_prints_each_song_and_fails_when_one_failed(first, songs, capsys):
    out, _ = first
    assert main(["batch", str(songs), "-o", str(out)]) == 1  # broken fails again
    text = capsys.readouterr().out
    assert "unchanged" in text and "failed broken" in text and "FP-E004" in text
