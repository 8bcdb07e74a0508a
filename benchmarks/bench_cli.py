"""Benchmark: what a user waits for. `faderpilot mix` as the CLI runs it (session, mix, printed
stems, the report and every DAW export) on 24 mono tracks x 2 min and 48 x 4 min at 48 kHz/24-bit,
beside a floor measured in the same run (decode every stem + one 6-stage filter chain per track).

Run: python benchmarks/bench_cli.py [--sizes 24x120,48x240] [--note]
Prints, per size: the floor, the whole job and each stage (wall time, CPU time, and the process's
peak RSS when the stage ended), and the job's ratio to the floor. With ``--note``, also a one-track
note ("vocal up 1 dB") on the mixed song. Each measurement runs in its own process so its peak
memory (ru_maxrss) belongs to it alone.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_mix import _child as _floor_child
from songs import song_data

HERE = Path(__file__).resolve().parent


def _usage() -> tuple[float, float]:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime, r.ru_maxrss / 1024


def _job(stems: str, out: str, workers: int) -> None:
    """The whole `faderpilot mix`, with each stage's wall and CPU time from the progress calls."""
    from faderpilot.pipeline import mix

    stages: list[dict] = []
    state = {"name": "start", "t": time.perf_counter(), "cpu": _usage()[0]}

    def progress(name: str, done: int, total: int) -> None:
        stage = name.split(" ")[0] if not name.startswith("export") else name
        if stage == state["name"]:
            return
        now, (cpu, rss) = time.perf_counter(), _usage()
        stages.append(
            {"stage": state["name"], "wall_s": now - state["t"], "cpu_s": cpu - state["cpu"], "rss_mb": rss}
        )
        state.update(name=stage, t=now, cpu=cpu)

    t0 = time.perf_counter()
    mix(stems, out, workers=workers, progress=progress)
    progress("end", 1, 1)
    cpu, rss = _usage()
    print(json.dumps({"wall_s": time.perf_counter() - t0, "cpu_s": cpu, "peak_mb": rss, "stages": stages}))


def _note(out: str) -> None:
    """A one-track note on the mixed song, as `faderpilot note` applies it."""
    from faderpilot.prompt import note

    t0 = time.perf_counter()
    note(out, "vocal up 1 dB")
    cpu, rss = _usage()
    print(json.dumps({"wall_s": time.perf_counter() - t0, "cpu_s": cpu, "peak_mb": rss}))


def _run(kind: str, stems: str, out: str, workers: int) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    r = subprocess.run(
        [sys.executable, __file__, "--child", kind, stems, out, str(workers)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="24x120,48x240", help="TRACKSxSECONDS, comma separated")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--note", action="store_true", help="also time a one-track note")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, stems, out, workers = a.child
        if kind == "floor":
            _floor_child("floor", stems, out, int(workers))
        elif kind == "job":
            _job(stems, out, int(workers))
        else:
            _note(out)
        return
    for size in a.sizes.split(","):
        tracks, seconds = (int(v) for v in size.lower().split("x"))
        stems = str(song_data(tracks, seconds))
        with tempfile.TemporaryDirectory() as tmp:
            floor = _run("floor", stems, tmp, a.workers)
            job = _run("job", stems, str(Path(tmp) / "out"), a.workers)
            print(f"\n{tracks} tracks x {seconds} s, {a.workers} workers")
            print(
                f"  floor            {floor['wall_s']:7.1f} s                 peak {floor['peak_mb']:7.0f} MB"
            )
            print(
                f"  faderpilot mix   {job['wall_s']:7.1f} s  cpu {job['cpu_s']:7.1f} s"
                f"  peak {job['peak_mb']:7.0f} MB"
                f"  = {job['wall_s'] / floor['wall_s']:.2f}x the floor"
            )
            for s in job["stages"]:
                print(
                    f"    {s['stage']:<18} {s['wall_s']:6.1f} s  cpu {s['cpu_s']:6.1f} s"
                    f"  rss {s['rss_mb']:6.0f} MB"
                )
            if a.note:
                note = _run("note", stems, str(Path(tmp) / "out"), a.workers)
                print(f"  note 'vocal up 1 dB'  {note['wall_s']:5.1f} s  peak {note['peak_mb']:6.0f} MB")


if __name__ == "__main__":
    main()
