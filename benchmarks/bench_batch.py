"""Benchmark: `faderpilot batch` on 8 songs of 12 mono tracks x 2 min (48 kHz/24-bit) against the
sum of 8 single `faderpilot mix` runs, each in its own process (as a user would run them).

Run: python benchmarks/bench_batch.py [--songs 8] [--tracks 12] [--seconds 120] [--engine ray]
Prints each single mix's wall time, CPU time and peak memory, the batch's wall time, each batch
task's time, CPU time and peak memory (from batch.json), and the ratio batch / sequential; and,
for each run, the share of its wall time in which some task waited for a CPU or for I/O (Linux
pressure stall information): on a machine shared with other work, that says how much of the
machine the runs really had. The songs are
synthesized once (seeds 0..N-1) and cached under benchmarks/_data.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def songs_data(n: int, tracks: int, seconds: float) -> Path:
    """SONGS_DIR of ``n`` songs, each a folder of ``tracks`` stems, generated if missing."""
    from faderpilot.demo import generate_song

    root = HERE / "_data" / f"batch_{tracks}x{int(seconds)}"
    for i in range(n):
        d = root / f"song_{i + 1}"
        if not d.exists() or len(list(d.glob("*.wav"))) != tracks:
            t0 = time.perf_counter()
            generate_song(d, n_tracks=tracks, seconds=seconds, sample_rate=48000, seed=i)
            print(f"generated {d.name}: {tracks} stems x {seconds:g} s in {time.perf_counter() - t0:.1f} s")
    return root


def _stall_us() -> dict[str, int]:
    """Total microseconds some task waited for CPU and for I/O, from Linux pressure stall
    information (empty where the kernel does not give it)."""
    out = {}
    for kind in ("cpu", "io"):
        try:
            line = Path(f"/proc/pressure/{kind}").read_text().splitlines()[0]
        except OSError:
            continue
        out[kind] = int(line.rsplit("total=", 1)[1])
    return out


def _stalls(before: dict[str, int], wall: float) -> str:
    """Share of the wall time in which some task waited for CPU or I/O (the machine's load)."""
    after = _stall_us()
    parts = [f"{k} {100 * (after[k] - before[k]) / 1e6 / wall:.0f} %" for k in before if k in after]
    return "waiting: " + ", ".join(parts) if parts else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--songs", type=int, default=8)
    ap.add_argument("--tracks", type=int, default=12)
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--engine", default="ray", choices=("ray", "local"))
    ap.add_argument("--skip-sequential", action="store_true", help="time the batch only")
    a = ap.parse_args()
    root = songs_data(a.songs, a.tracks, a.seconds)
    fp = [sys.executable, "-m", "faderpilot.cli"]
    cpus = os.cpu_count() or 1
    print(f"{a.songs} songs x {a.tracks} tracks x {a.seconds:g} s, {cpus} CPUs, engine {a.engine}")
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        seq = []
        stall0, t_seq = _stall_us(), time.perf_counter()
        if not a.skip_sequential:
            for d in sorted(root.iterdir())[: a.songs]:
                # one process per song, so each peak memory is that mix's alone
                cmd = [sys.executable, "-c", _CHILD, d.as_posix(), f"{tmp}/seq/{d.name}"]
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                r = json.loads(out.strip().splitlines()[-1])
                seq.append(r)
                shutil.rmtree(f"{tmp}/seq/{d.name}")  # 2.4 GB a song: keep the disk free
                print(
                    f"  mix {d.name}: {r['wall_s']:.1f} s, cpu {r['cpu_s']:.1f} s, peak {r['peak_mb']:.0f} MB"
                )
            cpu = sum(r["cpu_s"] for r in seq)
            print(
                f"sequential: {sum(r['wall_s'] for r in seq):.1f} s for {len(seq)} single mixes, "
                f"cpu {cpu:.1f} s"
            )
            print(f"  {_stalls(stall0, time.perf_counter() - t_seq)}")
        stall0, t0 = _stall_us(), time.perf_counter()
        cmd = [*fp, "batch", root.as_posix(), "-o", f"{tmp}/batch", "--engine", a.engine]
        rc = subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL).returncode
        wall = time.perf_counter() - t0
        stalls = _stalls(stall0, wall)
        record = json.loads(Path(f"{tmp}/batch/batch.json").read_text())
        for name, v in record["songs"].items():
            print(
                f"  task {name}: {v['status']}, {v['seconds']} s, cpu {v['cpu_seconds']} s, "
                f"cpus {v['cpus']}, declared "
                f"{v['memory_mb']} MB, worker peak {v['peak_rss_mb']} MB"
            )
        print(f"batch ({a.engine}): {wall:.1f} s wall (exit {rc}), songs inside: {record['wall_seconds']} s")
        print(f"batch tasks' cpu: {sum(v['cpu_seconds'] or 0 for v in record['songs'].values()):.1f} s")
        print(f"  {stalls}")
        if seq:
            total = sum(r["wall_s"] for r in seq)
            print(f"batch / sequential = {wall / total:.2f} (target <= 0.60 on 2 cores)")


#: one single mix, as `faderpilot mix` runs it (every output), timed in its own process
_CHILD = """
import json, os, resource, sys, time
t0 = time.perf_counter()
import faderpilot
faderpilot.mix(sys.argv[1], sys.argv[2])
t = os.times()
print(json.dumps({"wall_s": time.perf_counter() - t0, "cpu_s": t.user + t.system,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

if __name__ == "__main__":
    main()
