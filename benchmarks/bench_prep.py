"""Benchmark: `prep` (load, check, analyse, set up, clean up, strip silence, align; session.json
written) on the same data as bench_mix.py: 48 mono tracks x 4 min at 48 kHz/24-bit.

Run: python benchmarks/bench_prep.py [--tracks 48] [--seconds 240] [--workers N]
Prints the wall time of each stage, the total wall and CPU time (CPU time is the fairer figure on
a shared machine), peak memory (ru_maxrss of a child process that runs only prep) and what prep
found.
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

from songs import song_data

HERE = Path(__file__).resolve().parent


def _child(stems: str, out: str, workers: int) -> None:
    import resource

    from faderpilot.pipeline import prep

    t0 = time.perf_counter()
    c0 = time.process_time()
    marks: dict[str, float] = {}

    cpu_marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks[stage + ":end"] = time.perf_counter() - t0
        cpu_marks[stage + ":end"] = time.process_time() - c0

    r = prep(stems, out, workers=workers, progress=progress)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    s = r.session
    print(
        json.dumps(
            {
                "wall_s": wall,
                "cpu_s": cpu,
                "peak_mb": rss_mb,
                "stages": {k: round(v, 2) for k, v in marks.items()},
                "cpu_stages": {k: round(v, 2) for k, v in cpu_marks.items()},
                "regions": sum(len(t.regions) for t in s.tracks),
                "stripped": sum(1 for x in r.report.regions if x.regions > 1 or x.kept_s < x.length_s - 0.01),
                "alignments": len(r.report.alignments),
                "problems": sorted({w.code for w in s.warnings}),
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", type=int, default=48)
    ap.add_argument("--seconds", type=float, default=240.0)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        stems, out, workers = args.child
        _child(stems, out, int(workers))
        return
    data = song_data(args.tracks, args.seconds)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, __file__, "--child", str(data), str(Path(tmp) / "out"), str(args.workers)]
        res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    r = json.loads(res.stdout.strip().splitlines()[-1])
    print(
        f"tracks: {args.tracks} mono x {args.seconds:g} s at 48 kHz/24-bit, {args.workers} workers, "
        f"{os.cpu_count()} cores"
    )
    prev = prev_cpu = 0.0
    for stage, end in r["stages"].items():
        cpu = r["cpu_stages"][stage]
        print(
            f"  {stage[:-4]:<10} done at {end:6.1f} s (+{end - prev:.1f} s wall, +{cpu - prev_cpu:.1f} s CPU)"
        )
        prev, prev_cpu = end, cpu
    print(
        f"prep (session.json written): {r['wall_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU (all threads), "
        f"peak {r['peak_mb']:.0f} MB"
    )
    print(
        f"found: {r['regions']} regions ({r['stripped']} tracks stripped), {r['alignments']} alignments, "
        f"codes {', '.join(r['problems']) or 'none'}"
    )


if __name__ == "__main__":
    main()
