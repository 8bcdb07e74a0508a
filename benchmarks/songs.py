"""The benchmark songs: synthesized once with faderpilot.demo and cached under benchmarks/_data."""

from __future__ import annotations

import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def song_data(tracks: int, seconds: float) -> Path:
    """Folder of ``tracks`` mono stems x ``seconds`` at 48 kHz/24-bit, generated if missing."""
    from faderpilot.demo import generate_song

    data = HERE / "_data" / f"song_{tracks}x{int(seconds)}"
    if not data.exists() or len(list(data.glob("*.wav"))) != tracks:
        t0 = time.perf_counter()
        generate_song(data, n_tracks=tracks, seconds=seconds, sample_rate=48000, seed=0)
        print(f"generated {tracks} stems x {seconds:g} s in {time.perf_counter() - t0:.1f} s")
    return data
