"""Ear training on the user's own song: one hidden change, rendered by the mix's own renderer.

A round picks a category (a track's level, an EQ bell on one octave band of one track, a pan
move, the reverb return), a track and a direction, and renders the busiest few seconds of the
session twice with :func:`faderpilot.render.engine.render`: as it is (A) and with the change (B),
both scaled by one common gain so neither clips (the difference stays what was rendered). The
answer stays on the server until the user answers; grading compares track and change. Each
category has its own difficulty (the size of the change): smaller after a right answer, larger
after a wrong one, within the ranges below. Scores are kept per category in
``OUT/train_scores.json``; the pending round in ``OUT/train/round.json``.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..audio.io import load_sources, write_wav_atomic
from ..render.engine import render
from ..session.io import load, write_text_atomic
from ..session.model import Processor, Session
from .ab import busiest

#: Size of the change per category: (easiest, hardest), in dB (pan: pan units).
RANGES: dict[str, tuple[float, float]] = {
    "level": (6.0, 1.0),
    "eq": (9.0, 3.0),
    "pan": (0.8, 0.2),
    "reverb": (8.0, 2.0),
}
#: Octave bands an EQ round may move (Hz), and the bell's Q (about one octave wide).
OCTAVES = (125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0)
EQ_Q = 1.4
#: After a right answer the change shrinks by this factor; after a wrong one it grows by GROW.
SHRINK, GROW = 0.75, 1.3
#: Seconds of song a round plays.
ROUND_S = 6.0
#: Every change a user can name, by category.
CHANGES: dict[str, tuple[str, str]] = {
    "level": ("up", "down"),
    "eq": ("boost", "cut"),
    "pan": ("left", "right"),
    "reverb": ("more", "less"),
}
SCORES = "train_scores.json"


class TrainError(ValueError):
    """A round or an answer that cannot be taken (no round pending, an unknown change)."""


def _empty_scores() -> dict[str, Any]:
    return {
        "format": "faderpilot-train-scores",
        "rounds": 0,
        "categories": {k: {"rounds": 0, "right": 0, "size": lo} for k, (lo, _) in RANGES.items()},
        "history": [],
    }


def read_scores(out_dir: str | Path) -> dict[str, Any]:
    """The scores kept in the session folder (empty ones when none yet)."""
    p = Path(out_dir) / SCORES
    if not p.is_file():
        return _empty_scores()
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise TrainError(f"{p}: not a scores file ({e})") from None
    base = _empty_scores()
    base.update({k: v for k, v in d.items() if k in base})
    for k, v in _empty_scores()["categories"].items():
        base["categories"].setdefault(k, v)
    return base


@dataclass
class Round:
    """One round: what the page gets (no answer) and the hidden change."""

    number: int
    category: str
    track: str | None
    change: str
    size: float
    freq_hz: float | None
    a: str
    b: str
    start_s: float
    seconds: float

    def public(self, session: Session) -> dict[str, Any]:
        """What the page may see before the answer: the two files and the choices."""
        return {
            "round": self.number,
            "a": self.a,
            "b": self.b,
            "start_s": self.start_s,
            "seconds": self.seconds,
            "tracks": [{"id": t.id, "name": t.name} for t in session.tracks if not t.mute],
            "changes": [{"category": k, "change": c} for k, cs in CHANGES.items() for c in cs],
        }

    def truth(self, session: Session) -> str:
        """The hidden change in words."""
        names = {t.id: t.name for t in session.tracks}
        who = names.get(self.track or "", "the reverb return")
        if self.category == "level":
            return f"{who} {self.change} {self.size:.1f} dB"
        if self.category == "eq":
            return f"{who}: {self.change} of {self.size:.1f} dB at {self.freq_hz:g} Hz"
        if self.category == "pan":
            return f"{who} panned {self.size:.2f} further {self.change}"
        return f"{self.change} reverb: return {'+' if self.change == 'more' else '-'}{self.size:.1f} dB"


def _reverb_bus(s: Session) -> str | None:
    for b in s.buses:
        if b.kind == "fx" and any(p.kind == "reverb" for p in b.chain) and not b.mute:
            return b.id
    return None


def changed_session(s: Session, r: Round) -> Session:
    """The session with the round's hidden change."""
    out = copy.deepcopy(s)
    sign = 1.0 if r.change in ("up", "boost", "right", "more") else -1.0
    if r.category == "level":
        out.track(r.track or "").fader_db += sign * r.size
    elif r.category == "eq":
        t = out.track(r.track or "")
        t.chain.append(
            Processor("train_eq", "peak", {"freq_hz": r.freq_hz, "gain_db": sign * r.size, "q": EQ_Q})
        )
    elif r.category == "pan":
        t = out.track(r.track or "")
        t.pan = float(np.clip(t.pan + sign * r.size, -1.0, 1.0))
    else:
        out.bus(_reverb_bus(out) or "").fader_db += sign * r.size
    return out


def new_round(
    out_dir: str | Path,
    session: Session | None = None,
    audio: dict[str, np.ndarray] | None = None,
    workers: int = 2,
    category: str | None = None,
) -> tuple[Round, Session]:
    """Choose and render a round; keep it (with its answer) in OUT/train/round.json."""
    out = Path(out_dir)
    s = session if session is not None else load(out / "session.json")
    audio = audio if audio is not None else load_sources(s)
    scores = read_scores(out)
    n = int(scores["rounds"]) + 1
    rng = np.random.default_rng([1818, n])
    cats = [c for c in RANGES if c != "reverb" or _reverb_bus(s)]
    tracks = [t for t in s.tracks if not t.mute]
    if not tracks:
        raise TrainError(f"{out / 'session.json'}: no audible track to train on")
    cat = category if category in cats else str(rng.choice(cats))
    size = float(scores["categories"][cat]["size"])
    track = str(rng.choice([t.id for t in tracks])) if cat != "reverb" else None
    change = str(rng.choice(CHANGES[cat]))
    freq = float(rng.choice(OCTAVES)) if cat == "eq" else None
    if cat == "pan" and track is not None:  # a move that the pan range leaves room for
        p = s.track(track).pan
        change = "left" if p + size > 1.0 else "right" if p - size < -1.0 else change
    sr = s.sample_rate
    r = Round(n, cat, track, change, round(size, 2), freq, "", "", 0.0, 0.0)
    a_mix = render(s, audio, workers=workers).mix
    b_mix = render(changed_session(s, r), audio, workers=workers).mix
    start, length = busiest(a_mix, sr, ROUND_S)
    a_x, b_x = a_mix[:, start : start + length], b_mix[:, start : start + length]
    peak = max(float(np.max(np.abs(a_x))), float(np.max(np.abs(b_x))), 1e-9)
    g = np.float32(min(1.0, 0.89 / peak))
    folder = out / "train"
    write_wav_atomic(folder / f"round_{n:04d}_a.wav", a_x * g, sr, "PCM_24")
    write_wav_atomic(folder / f"round_{n:04d}_b.wav", b_x * g, sr, "PCM_24")
    r.a, r.b = f"train/round_{n:04d}_a.wav", f"train/round_{n:04d}_b.wav"
    r.start_s, r.seconds = round(start / sr, 3), round(length / sr, 3)
    for old in folder.glob("round_*.wav"):  # only the pending round's files are kept
        if old.name not in (Path(r.a).name, Path(r.b).name):
            old.unlink(missing_ok=True)
    write_text_atomic(folder / "round.json", json.dumps(r.__dict__, indent=2) + "\n")
    return r, s


def pending(out_dir: str | Path) -> Round | None:
    """The round waiting for an answer, if any."""
    p = Path(out_dir) / "train" / "round.json"
    if not p.is_file():
        return None
    return Round(**json.loads(p.read_text(encoding="utf-8")))


def answer(out_dir: str | Path, body: Any, session: Session | None = None) -> dict[str, Any]:
    """Grade an answer {"round", "track", "change"}, adapt the difficulty, save the scores."""
    out = Path(out_dir)
    s = session if session is not None else load(out / "session.json")
    r = pending(out)
    if not isinstance(body, dict):
        raise TrainError('an answer is {"round": N, "track": "t01", "change": "up"}')
    if r is None or body.get("round") != r.number:
        raise TrainError(
            f"{out / 'train' / 'round.json'}: no round {body.get('round')!r} is waiting for an answer"
        )
    change = body.get("change")
    if change not in {c for cs in CHANGES.values() for c in cs}:
        raise TrainError(
            f"unknown change {str(change)[:40]!r}; one of "
            + ", ".join(c for cs in CHANGES.values() for c in cs)
        )
    right_change = change == r.change and change in CHANGES[r.category]
    right_track = r.category == "reverb" or body.get("track") == r.track
    right = bool(right_change and right_track)
    scores = read_scores(out)
    cat = scores["categories"][r.category]
    easiest, hardest = RANGES[r.category]
    cat["rounds"] += 1
    cat["right"] += int(right)
    size = r.size * (SHRINK if right else GROW)
    cat["size"] = round(float(np.clip(size, min(easiest, hardest), max(easiest, hardest))), 2)
    scores["rounds"] = r.number
    scores["history"] = (
        scores["history"] + [{"round": r.number, "category": r.category, "size": r.size, "right": right}]
    )[-200:]
    write_text_atomic(out / SCORES, json.dumps(scores, indent=2) + "\n")
    (out / "train" / "round.json").unlink(missing_ok=True)
    return {
        "right": right,
        "right_track": right_track,
        "right_change": right_change,
        "answer": {
            "category": r.category,
            "track": r.track,
            "change": r.change,
            "size": r.size,
            "freq_hz": r.freq_hz,
        },
        "truth": r.truth(s),
        "scores": scores,
    }
