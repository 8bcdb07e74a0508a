"""Benchmark: fit a rough mix for 24 mono tracks x 4 min at 48 kHz (target: under 10 s on 2 cores).

The rough is synthesized from the stems with known gains (+-12 dB), pans, polarity flips, EQ
bands (+-6 dB) and a 1.2 s pre-roll, so the benchmark also reports how well it was recovered.

Run: python benchmarks/bench_match.py [--tracks 24] [--seconds 240] [--threads 2]
(--threads caps the BLAS/FFT threads; run under `taskset -c 0,1` to pin to 2 cores as well).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from songs import song_data

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", type=int, default=24)
    ap.add_argument("--seconds", type=float, default=240.0)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    from faderpilot.audio.io import read_audio
    from faderpilot.match.rough import fit_rough, null_depth_db

    sys.path.insert(0, str(HERE.parent / "tests"))
    from match.synth import make_rough, random_settings

    data = song_data(args.tracks, args.seconds)
    stems = [read_audio(p).audio for p in sorted(data.glob("*.wav"))]
    sr = 48000
    settings = random_settings(len(stems), seed=11)
    offset = int(1.2 * sr)
    rough = make_rough(stems, settings, offset, sr)
    t0, c0 = time.perf_counter(), time.process_time()
    fit = fit_rough(rough, stems, sr)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    gain_err = [
        abs(m.gain_db - s["gain_db"]) for s, m in zip(settings, fit.tracks, strict=True) if not s["eq"]
    ]
    pan_err = [abs(m.pan - s["pan"]) for s, m in zip(settings, fit.tracks, strict=True)]
    pol_ok = all(m.polarity_inverted == s["flip"] for s, m in zip(settings, fit.tracks, strict=True))
    rebuilt = make_rough(
        stems,
        [{"gain_db": m.gain_db, "pan": m.pan, "flip": m.polarity_inverted, "eq": m.eq} for m in fit.tracks],
        fit.offset,
        sr,
        muted=[i for i, m in enumerate(fit.tracks) if m.muted],
    )
    null = null_depth_db(rough, rebuilt[:, : rough.shape[1]])
    print(
        f"tracks: {args.tracks} mono x {args.seconds:g} s at 48 kHz, {args.threads} threads, "
        f"{os.cpu_count()} cores"
    )
    print(f"fit time: {wall:.1f} s, CPU {cpu:.1f} s (all threads; target < 10 s on 2 cores)")
    print("stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in fit.stages.items()))
    print(f"offset {fit.offset} (true {offset}), polarity {'all right' if pol_ok else 'WRONG'}")
    if gain_err:
        print(f"gain error on tracks without EQ: max {max(gain_err):.3f} dB")
    print(f"pan error: max {max(pan_err):.4f}; null of the rebuilt rough: {null:.1f} dB")
    print(f"muted: {sum(m.muted for m in fit.tracks)}")


if __name__ == "__main__":
    main()
