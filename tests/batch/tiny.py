"""Tiny songs for the batch tests, synthesized here (2-3 tracks of a few seconds), and the
comparison of an output folder with a plain ``mix``'s."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import time
from pathlib import Path

import numpy as np
import soundfile as sf

SR = 48000


def _tracks(seconds: float, seed: int) -> dict[str, np.ndarray]:
    """Kick, bass and a vocal-like tone: different levels, so the mix has work to do."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    beat = (np.mod(t, 0.5) < 0.08).astype(np.float32)
    kick = 0.6 * np.sin(2 * np.pi * 55 * t) * beat * np.exp(-np.mod(t, 0.5) * 30)
    bass = 0.1 * np.sin(2 * np.pi * (98 + 12 * seed) * t) + 0.01 * rng.standard_normal(t.size)
    vox = 0.3 * np.sin(2 * np.pi * 392 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 2 * t))
    return {"Kick.wav": kick, "Bass.wav": bass, "Lead Vox.wav": vox}


def write_song(folder: Path, seconds: float = 2.0, seed: int = 0, n: int = 3) -> dict[str, np.ndarray]:
    """Write ``n`` stems (24-bit mono WAV) into ``folder``; returns them."""
    folder.mkdir(parents=True, exist_ok=True)
    tracks = dict(list(_tracks(seconds, seed).items())[:n])
    for name, x in tracks.items():
        sf.write(folder / name, x.astype(np.float32), SR, subtype="PCM_24")
    return tracks


def make_songs(root: Path) -> Path:
    """SONGS_DIR with: alpha (3 stems in the song folder), beta (2 stems in stems/, a rough
    beside them and a faderpilot.toml asking for -16 LUFS), broken (no audio)."""
    write_song(root / "alpha", seed=1)
    beta = write_song(root / "beta" / "stems", seed=2, n=2)
    rough = 0.5 * beta["Kick.wav"] + 0.8 * beta["Bass.wav"]
    sf.write(root / "beta" / "rough.wav", np.stack([rough, rough], 1).astype(np.float32), SR)
    (root / "beta" / "faderpilot.toml").write_text("target_lufs = -16\n")
    (root / "broken").mkdir()
    (root / "broken" / "notes.txt").write_text("the stems are coming\n")
    return root


#: the report's line that says how long the mix took (the only thing two runs differ in)
_TIME = re.compile(r"<dt>Time taken</dt><dd>[^<]*</dd>")


def fingerprint(out: Path) -> dict[str, str]:
    """SHA-256 of every file under a song's output folder, with the time taken left out (run.json's
    seconds and the report's line stating them): all else must be byte-identical."""
    out = Path(out)
    prints = {}
    for p in sorted(out.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        if p.name == "run.json":
            d = json.loads(data)
            d.pop("seconds")
            data = json.dumps(d, sort_keys=True).encode()
        elif p.name == "report.html":
            data = _TIME.sub("", data.decode("utf-8")).encode()
        prints[str(p.relative_to(out))] = hashlib.sha256(data).hexdigest()
    return prints


def kill_first_attempt(pid_dir: Path, song: str, killed: list[int]) -> None:
    """Wait for the song's first task to say its process id, then kill that process."""
    pid_file = pid_dir / f"{song}.0.pid"
    deadline = time.monotonic() + 120
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    pid = int(pid_file.read_text())
    os.kill(pid, signal.SIGKILL)
    killed.append(pid)
