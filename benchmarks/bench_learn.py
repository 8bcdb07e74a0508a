"""How long ``learn`` takes per past song: prep + decide + render + two rough-matcher fits.

Run: python benchmarks/bench_learn.py [--tracks 24] [--seconds 240] [--songs 2]
Each song is the cached benchmark song (mono stems at 48 kHz) with a final mix made by rendering
faderpilot's own default with the vocal-like tracks 3 dB up. Prints seconds per song, the ratio to
the song's length, and the profile's learned level for the changed tracks.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from songs import song_data  # noqa: E402


def main() -> None:
    """Build the past songs, learn, print the figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", type=int, default=24)
    ap.add_argument("--seconds", type=float, default=240.0)
    ap.add_argument("--songs", type=int, default=2)
    a = ap.parse_args()
    import numpy as np

    from faderpilot.audio.io import write_wav_atomic
    from faderpilot.decide import context, decide
    from faderpilot.pipeline import prep
    from faderpilot.profile import learn
    from faderpilot.render.engine import render

    stems = song_data(a.tracks, a.seconds)
    with tempfile.TemporaryDirectory() as tmp:
        past = Path(tmp)
        for k in range(a.songs):
            song = past / f"song{k}"
            (song / "stems").mkdir(parents=True)
            for f in stems.glob("*.wav"):
                os.symlink(f, song / "stems" / f.name)
            p = prep(song / "stems", None, workers=2)
            decide(p.session, context(p.session, p.analyses))
            for t in p.session.tracks[::4]:
                t.fader_db += 3.0
            mix = render(p.session, p.audio, workers=2).mix
            write_wav_atomic(song / "mix.wav", mix * np.float32(0.5), p.session.sample_rate, "FLOAT")
        t0 = time.perf_counter()
        profile, songs, left = learn(past, workers=2)
        dt = time.perf_counter() - t0
    per = dt / max(len(songs), 1)
    print(f"learn: {len(songs)} songs of {a.tracks} tracks x {a.seconds:g} s in {dt:.1f} s")
    print(f"per song: {per:.1f} s ({per / a.seconds:.2f}x the song's length); left out: {len(left)}")
    for role, st in profile["level_db"].items():
        print(f"  {role}: level {st['value']:+.2f} dB (mean {st['mean']:+.2f}, n {st['n']})")


if __name__ == "__main__":
    main()
