"""Benchmark: `mix` on 48 mono tracks x 4 min at 48 kHz/24-bit, against a floor measured in the
same run (decode every stem + one pass of a 6-stage filter chain per track, same thread count).

Run: python benchmarks/bench_mix.py [--tracks 48] [--seconds 240]
Prints wall time and peak memory of each, and their ratio. Each measurement runs in its own
process so peak memory (ru_maxrss) belongs to it alone.
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


def _child(kind: str, stems: str, out: str, workers: int) -> None:
    import resource
    from concurrent.futures import ThreadPoolExecutor

    t0 = time.perf_counter()
    if kind == "floor":
        from faderpilot.audio.io import read_audio
        from faderpilot.render.chain import run_chain
        from faderpilot.session.model import Processor

        chain = [
            Processor("a", "highpass", {"freq_hz": 80.0, "slope_db_oct": 12.0}),
            Processor("b", "peak", {"freq_hz": 300.0, "gain_db": -3.0, "q": 1.0}),
            Processor("c", "peak", {"freq_hz": 1200.0, "gain_db": 2.0, "q": 1.0}),
            Processor("d", "peak", {"freq_hz": 3000.0, "gain_db": -2.0, "q": 2.0}),
            Processor("e", "high_shelf", {"freq_hz": 8000.0, "gain_db": 2.0, "q": 0.707}),
            Processor("f", "lowpass", {"freq_hz": 18000.0, "slope_db_oct": 12.0}),
        ]
        files = sorted(Path(stems).glob("*.wav"))

        def one(p: Path) -> float:
            x = read_audio(p)
            return float(run_chain(x.audio, chain, x.sample_rate)[0, -1])

        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one, files))
    else:
        from faderpilot.pipeline import mix

        # the engine's job (issue 2): session, mix.wav and printed stems; the report and the DAW
        # exports are views written after it and are timed separately
        mix(stems, out, workers=workers, report=False, daws=())
    wall = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall_s": wall, "peak_mb": rss_mb}))


def _measure(kind: str, stems: Path, out: Path, workers: int) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, str(stems), str(out), str(workers)]
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", type=int, default=48)
    ap.add_argument("--seconds", type=float, default=240.0)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, stems, out, workers = args.child
        _child(kind, stems, out, int(workers))
        return
    data = song_data(args.tracks, args.seconds)
    with tempfile.TemporaryDirectory() as tmp:
        floor = _measure("floor", data, Path(tmp) / "floor", args.workers)
        mixed = _measure("mix", data, Path(tmp) / "out", args.workers)
    print(
        f"tracks: {args.tracks} mono x {args.seconds:g} s at 48 kHz/24-bit, {args.workers} workers, "
        f"{os.cpu_count()} cores"
    )
    print(f"floor (decode + 6-stage filter chain): {floor['wall_s']:.1f} s, peak {floor['peak_mb']:.0f} MB")
    print(
        f"mix (session.json, mix.wav, printed stems): {mixed['wall_s']:.1f} s, peak {mixed['peak_mb']:.0f} MB"
    )
    print(f"ratio mix/floor: {mixed['wall_s'] / floor['wall_s']:.2f}x (target <= 3x; target wall < 30 s)")


if __name__ == "__main__":
    main()
