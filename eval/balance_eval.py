"""Balance quality harness: how far does `mix` land from a human balance?

For each song with a known human balance (raw stems plus either the human's per-track gains
``gain_db`` or each track's loudness as heard in the human's mix ``levels_lu``), the stems'
levels are scrambled (random gains of +-12 dB), `mix` runs on them, and each track's loudness
in our printed stems is compared with the human's. One common offset is removed (overall level
is not balance), and the per-track error in dB is reported beside the equal-loudness baseline
(every track at the same loudness).

Run: python eval/balance_eval.py [--songs eval/songs.json] [--real DIR ...]
A real song is a folder with its stems and a balance.json: {"tracks": {"file.wav": {"gain_db": -3.5}}}
or {"levels_lu": {"file.wav": -6.0}}.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from faderpilot.analysis.measure import analyse
from faderpilot.audio.io import read_audio, write_wav_atomic
from faderpilot.pipeline import mix

HERE = Path(__file__).resolve().parent


@dataclass
class SongResult:
    """Per-track errors (dB, common offset removed) of faderpilot and of the baseline."""

    name: str
    tracks: list[str]
    ours: np.ndarray
    baseline: np.ndarray


def human_levels(stems: Path, spec: dict) -> dict[str, float]:
    """Each track's loudness in the human's mix (LU; any common offset is fine)."""
    if "levels_lu" in spec:
        return {k: float(v) for k, v in spec["levels_lu"].items()}
    out = {}
    for name, t in spec["tracks"].items():
        x = read_audio(stems / name)
        out[name] = analyse(x.audio, x.sample_rate).active_lufs + float(t["gain_db"])
    return out


def centred(d: np.ndarray) -> np.ndarray:
    """Errors with their mean removed (the overall level is not part of the balance)."""
    return d - np.mean(d)


def evaluate(name: str, stems: Path, spec: dict, seed: int = 0) -> SongResult:
    """Scramble, mix and compare one song."""
    human = human_levels(stems, spec)
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        scr = Path(tmp) / "stems"
        for f in sorted(human):
            x = read_audio(stems / f)
            g = 10 ** (rng.uniform(-12, 12) / 20)
            write_wav_atomic(scr / (Path(f).stem + ".wav"), x.audio * np.float32(g), x.sample_rate, "FLOAT")
        result = mix(scr, Path(tmp) / "out")
        s = result.session
        ours = {}
        for i, t in enumerate(s.tracks, 1):
            stem = next((Path(tmp) / "out" / "stems").glob(f"{i:02d}_*.wav"))
            x = read_audio(stem)
            key = next(k for k in human if Path(k).stem == Path(t.source).stem)
            ours[key] = analyse(x.audio, x.sample_rate).active_lufs
    names = sorted(human)
    h = np.array([human[n] for n in names])
    o = np.array([ours[n] for n in names])
    return SongResult(name, names, centred(o - h), centred(-h))


def synth_songs(path: Path, root: Path) -> list[tuple[str, Path, dict]]:
    """Generate the synthesized songs listed in songs.json into root."""
    from faderpilot.demo import generate_demo

    songs = []
    for sp in json.loads(path.read_text())["songs"]:
        d = root / sp["name"]
        if not d.exists():
            generate_demo(d, seconds=sp["seconds"], seed=sp["seed"])
        songs.append((sp["name"], d, sp))
    return songs


def report(results: list[SongResult]) -> dict[str, float]:
    """Print per-track and summary errors; return the summary figures."""
    for r in results:
        print(f"\n{r.name}: per-track level error vs the human balance (dB, common offset removed)")
        print(f"  {'track':<16}{'faderpilot':>12}{'equal loudness':>16}")
        for n, a, b in zip(r.tracks, r.ours, r.baseline, strict=True):
            print(f"  {n:<16}{a:>+12.1f}{b:>+16.1f}")
        print(f"  {'mean |error|':<16}{np.mean(np.abs(r.ours)):>12.2f}{np.mean(np.abs(r.baseline)):>16.2f}")
    ours = np.concatenate([r.ours for r in results])
    base = np.concatenate([r.baseline for r in results])
    summary = {
        "songs": len(results),
        "tracks": int(ours.size),
        "mae_db": float(np.mean(np.abs(ours))),
        "rmse_db": float(np.sqrt(np.mean(ours**2))),
        "max_db": float(np.max(np.abs(ours))),
        "baseline_mae_db": float(np.mean(np.abs(base))),
        "baseline_rmse_db": float(np.sqrt(np.mean(base**2))),
    }
    print(
        f"\nall songs: faderpilot MAE {summary['mae_db']:.2f} dB (RMSE {summary['rmse_db']:.2f}, "
        f"max {summary['max_db']:.1f}) vs equal-loudness MAE {summary['baseline_mae_db']:.2f} dB "
        f"(RMSE {summary['baseline_rmse_db']:.2f}) over {summary['tracks']} tracks"
    )
    return summary


def main(argv: list[str] | None = None) -> dict[str, float]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--songs", type=Path, default=HERE / "songs.json")
    ap.add_argument("--real", type=Path, nargs="*", default=[], help="folders with stems + balance.json")
    ap.add_argument("--cache", type=Path, default=HERE / "_songs")
    args = ap.parse_args(argv)
    results = [evaluate(n, d, sp, seed=i) for i, (n, d, sp) in enumerate(synth_songs(args.songs, args.cache))]
    for d in args.real:
        results.append(evaluate(d.name, d, json.loads((d / "balance.json").read_text())))
    return report(results)


if __name__ == "__main__":
    main()
