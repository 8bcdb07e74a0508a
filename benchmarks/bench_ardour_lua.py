"""Benchmark: what faderpilot's Lua processors cost inside Ardour, on the synthesized demo song.

Run: python benchmarks/bench_ardour_lua.py [--seconds 24] [--repeat 2]
Mixes the demo once, then renders its Ardour session with Ardour's headless export
(``ardour7-export``, one DSP thread, freewheeling) in three forms: our own Lua processors (the
default), the same with the reverb bus's reverb disabled, and the ACE mapping
(``--ardour-native``). Prints each render's best CPU time (the export tool's own, fairer than wall
time on a shared machine) and, from the difference with and without the reverb, the Lua reverb's
cost per stereo sample and its share of one core in real time: the DSP load it adds in Ardour.
"""

from __future__ import annotations

import argparse
import copy
import logging
import resource
import tempfile
import time
from pathlib import Path


def _child_cpu() -> float:
    """CPU seconds (user + system) used by finished child processes so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=None, help="demo length (default: the demo's own)")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()

    from faderpilot.demo import generate_demo
    from faderpilot.export import ardour, ardour_check
    from faderpilot.pipeline import mix
    from faderpilot.session.io import load

    if ardour_check.find_tool(ardour_check.EXPORT_TOOLS) is None:
        raise SystemExit("no ardour7-export on this machine (Debian: apt-get install ardour)")
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        stems, out = Path(tmp) / "stems", Path(tmp) / "out"
        kw = {} if args.seconds is None else {"seconds": args.seconds}
        generate_demo(stems, **kw)
        mix(stems, out, report=False, daws=())
        session = load(out / "session.json")
        no_reverb = copy.deepcopy(session)
        for b in no_reverb.buses:
            for p in b.chain:
                if p.kind == "reverb":
                    p.enabled = False
        audio_s = session.length_s
        frames = int(round(audio_s * session.sample_rate))
        cases = {
            "own Lua processors": (session, False),
            "own, reverb disabled": (no_reverb, False),
            "ACE (--ardour-native)": (session, True),
        }
        best: dict[str, tuple[float, float]] = {}
        for name, (s, native) in cases.items():
            path = ardour.write(s, Path(tmp) / name.replace(" ", "_"), native=native)
            for _ in range(args.repeat):
                w0, c0 = time.perf_counter(), _child_cpu()
                ardour_check.render(path, latency=ardour.plan(s, native=native).latency)
                wall, cpu = time.perf_counter() - w0, _child_cpu() - c0
                if name not in best or cpu < best[name][1]:
                    best[name] = (wall, cpu)
        print(f"demo: {audio_s:g} s at {session.sample_rate} Hz, {len(session.tracks)} tracks")
        for name, (wall, cpu) in best.items():
            print(
                f"  {name:24s} render CPU {cpu:6.1f} s (wall {wall:6.1f} s), {cpu / audio_s:.2f} x real time"
            )
        reverb = best["own Lua processors"][1] - best["own, reverb disabled"][1]
        print(
            f"  faderpilot Reverb: {reverb:.1f} s CPU for {audio_s:g} s = {reverb / frames * 1e6:.2f} us per "
            f"stereo sample, {100 * reverb / audio_s:.0f} % of one core in real time (Ardour's DSP load)"
        )


if __name__ == "__main__":
    main()
