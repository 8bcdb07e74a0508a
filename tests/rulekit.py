"""Build a session and decision context from generated tracks, as the pipeline does."""

from __future__ import annotations

import numpy as np

from faderpilot.analysis.measure import analyse
from faderpilot.analysis.roles import RoleGuess
from faderpilot.decide import Context
from faderpilot.prep.setup import naming_facts, prepare
from faderpilot.session.model import Source


def build(tracks: dict[str, tuple[np.ndarray, str]], sr: int = 48000):
    """tracks: file name -> (audio (channels, frames), role). Returns (session, ctx, audio)."""
    frames = max(a.shape[1] for a, _ in tracks.values())
    sources, analyses, guesses, audio = [], [], [], {}
    for i, (name, (x, role)) in enumerate(tracks.items(), 1):
        x = np.pad(x, ((0, 0), (0, frames - x.shape[1])))
        sid = f"s{i:02d}"
        audio[sid] = x.astype(np.float32)
        sources.append(Source(sid, f"/stems/{name}", "0" * 64, sr, x.shape[0], frames))
        analyses.append(analyse(audio[sid], sr))
        guesses.append(RoleGuess(role, 1.0, "name", "test"))
    s = prepare("test", sr, frames, sources, analyses, guesses, [])
    by_track = {t.id: analyses[int(t.source_id[1:]) - 1] for t in s.tracks}
    keys, sides = naming_facts(s)
    return s, Context(sr, by_track, keys, sides), audio


def harmonic(f0s, seconds, sr=48000, n_harm=8, amp=0.2, seed=0):
    """A harmonic instrument playing the given fundamentals in turn (equal lengths)."""
    rng = np.random.default_rng(seed)
    seg = int(seconds * sr / len(f0s))
    out = []
    for f0 in f0s:
        t = np.arange(seg) / sr
        y = sum(
            (1 / k) * np.sin(2 * np.pi * k * f0 * t + rng.uniform(0, 6.28))
            for k in range(1, n_harm + 1)
            if k * f0 < sr / 2
        )
        env = np.minimum(1, t / 0.01) * np.exp(-t / 1.5)
        out.append(y * env)
    y = np.concatenate(out)
    return (amp * y / np.max(np.abs(y))).astype(np.float32)[None]
