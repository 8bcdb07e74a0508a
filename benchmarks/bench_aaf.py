"""Benchmark: the AAF export (``<song>.aaf``, ``<song> printed.aaf``, ``<song> chains.txt``) beside
the mix it comes from, on the synthesized demo song.

Run: python benchmarks/bench_aaf.py [--seconds 24] [--repeat 3]
Mixes the demo once (no report, no DAW sessions), then writes the AAF export ``--repeat`` times;
prints the mix's wall and CPU time and the export's best wall and CPU time (CPU time is the
fairer figure on a shared machine) and the sizes of the files written.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=None, help="demo length (default: the demo's own)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from faderpilot.demo import generate_demo
    from faderpilot.export import aaf
    from faderpilot.pipeline import mix
    from faderpilot.session.io import load

    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        stems, out = Path(tmp) / "stems", Path(tmp) / "out"
        kw = {} if args.seconds is None else {"seconds": args.seconds}
        generate_demo(stems, **kw)
        w0, c0 = time.perf_counter(), time.process_time()
        mix(stems, out, report=False, daws=())
        mix_wall, mix_cpu = time.perf_counter() - w0, time.process_time() - c0
        session = load(out / "session.json")
        walls, cpus = [], []
        for _ in range(args.repeat):
            w0, c0 = time.perf_counter(), time.process_time()
            aaf.write(session, out)
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
        files = [f(session, out) for f in (aaf.project_path, aaf.printed_path, aaf.chains_path)]
        print(f"demo: {len(session.tracks)} tracks x {session.length_s:.1f} s at {session.sample_rate} Hz")
        print(f"mix (no report, no DAW sessions): wall {mix_wall:.2f} s, CPU {mix_cpu:.2f} s")
        print(f"AAF export, best of {args.repeat}: wall {min(walls):.2f} s, CPU {min(cpus):.2f} s")
        for f in files:
            print(f"  {f.name}: {f.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
