"""A synthesized demo song: multitrack stems generated in code, for demos, tests and benchmarks.

Everything here is made from numpy/scipy at run time (no samples, no downloads) and is
deterministic for a seed. The song is a pop ballad in A minor at ``TEMPO`` BPM over the
progression Am-F-C-G, arranged as intro (no vocal), verses and choruses (vocal, busier drums,
backing vocals). ``generate_demo`` writes a small, deliberately unbalanced session with realistic
studio file names and a few planted problems; ``generate_song`` writes many long stems quickly.

Every synthesizer takes ``(sample_rate, seconds, tempo, rng, sections)`` and returns float32
audio shaped ``(channels, frames)``, peaking at ``PART_PEAK``. The groove (event timing and
velocities) comes from a fixed seed shared by every part, so close mics and overheads line up;
``rng`` varies the timbre.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy import signal

from .filemode import replacing

__all__ = [
    "DEMO_LEVELS",
    "DEMO_STEMS",
    "MIN_DEMO_SECONDS",
    "PART_PEAK",
    "PROGRESSION",
    "SECTIONS",
    "TEMPO",
    "DemoStem",
    "arrangement",
    "backing_vocals",
    "bass",
    "generate_demo",
    "generate_song",
    "guitar",
    "hihat",
    "kick",
    "lead_vocal",
    "overheads",
    "pad",
    "rhodes",
    "snare",
    "toms",
]

TEMPO = 104.0
"""Song tempo in BPM."""
PROGRESSION = ("Am", "F", "C", "G")
"""One chord per bar, looping; verses and choruses start on the first chord."""
SECTIONS = ("intro", "verse", "chorus")
"""Section names an arrangement may use (intro: no vocal; chorus: vocal and more energy)."""
PART_PEAK = 0.9
"""Sample peak of every synthesizer's output; levels are set when stems are written."""
MIN_DEMO_SECONDS = 8.0
"""Shortest demo in which every stem (the backing vocal included) has sound."""

Rng = np.random.Generator
Audio = np.ndarray
_Synth = Callable[..., Audio]

_GROOVE_SEED = 1041  # one "performance" shared by all parts, so hits line up across mics
_SCALE_PCS = frozenset({0, 2, 4, 5, 7, 9, 11})  # C major / A minor
_CHORD_PCS = {"Am": (9, 0, 4), "F": (5, 9, 0), "C": (0, 4, 7), "G": (7, 11, 2)}
_BASS_ROOT = {"Am": 33, "F": 29, "C": 36, "G": 31}  # A1 55 Hz, F1 43.7, C2 65.4, G1 49.0
_RHODES_VOICING = {"Am": (57, 60, 64, 67), "F": (53, 57, 60, 64), "C": (55, 60, 64, 67),
                   "G": (55, 59, 62, 67)}  # fmt: skip
_PAD_VOICING = {"Am": (57, 64, 69, 72), "F": (53, 60, 65, 69), "C": (55, 60, 64, 72),
                "G": (55, 62, 67, 71)}  # fmt: skip
_GUITAR_SHAPE = {"Am": (45, 52, 57, 60, 64), "F": (41, 48, 53, 57, 60, 65),
                 "C": (48, 52, 55, 60, 64), "G": (43, 47, 50, 55, 59, 67)}  # fmt: skip


def _hz(midi: float | np.ndarray) -> float | np.ndarray:
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=np.float64) - 69.0) / 12.0)


def _rng(rng: Rng | None) -> Rng:
    return rng if rng is not None else np.random.default_rng(0)


# ---------------------------------------------------------------------------------------------
# Song structure


def arrangement(seconds: float, tempo: float = TEMPO) -> list[str]:
    """Section name of every bar of a song this long: intro, then alternating verse and chorus.

    Shared by all parts so that they agree on the form; short songs get short sections.
    """
    if seconds <= 0 or tempo <= 0:
        raise ValueError("seconds and tempo must be positive")
    n_bars = max(1, int(np.ceil(seconds * tempo / 240.0 - 1e-9)))
    n_intro = 1 if n_bars <= 6 else 2 if n_bars <= 16 else 4
    length = 4 if n_bars <= 24 else 8
    bars = ["intro"] * n_intro
    block = 0
    while len(bars) < n_bars:
        bars += ["verse" if block % 2 == 0 else "chorus"] * length
        block += 1
    return bars[:n_bars]


@dataclass(frozen=True)
class _Grid:
    sample_rate: int
    frames: int
    tempo: float
    sections: tuple[str, ...]

    @property
    def step(self) -> float:  # a 16th note in seconds
        return 15.0 / self.tempo

    @property
    def bar(self) -> float:
        return 240.0 / self.tempo

    @property
    def n_intro(self) -> int:
        return sum(1 for s in self.sections if s == "intro")

    def chord(self, bar: int) -> str:
        return PROGRESSION[(bar - self.n_intro) % len(PROGRESSION)]

    def pos(self, t: float) -> int:
        return max(0, int(round(t * self.sample_rate)))


def _grid(sample_rate: int, seconds: float, tempo: float, sections: Sequence[str] | None) -> _Grid:
    if sample_rate <= 0:
        raise ValueError("sample_rate must be positive")
    secs = tuple(arrangement(seconds, tempo) if sections is None else sections)
    bad = sorted(set(secs) - set(SECTIONS))
    if bad:
        raise ValueError(f"unknown section names {bad}; use {SECTIONS}")
    return _Grid(int(sample_rate), int(round(seconds * sample_rate)), float(tempo), secs)


def _place(out: Audio, shot: Audio, pos: int, gain: float = 1.0, length: int | None = None) -> None:
    """Mix ``shot`` into ``out`` (both (..., n)) at ``pos``, optionally cut to ``length`` samples."""
    n = shot.shape[-1] if length is None else min(length, shot.shape[-1])
    end = min(out.shape[-1], pos + n)
    if end <= pos:
        return
    seg = shot[..., : end - pos]
    if n < shot.shape[-1]:  # choked/muted note: short fade instead of a click
        fade = min(seg.shape[-1], 96)
        seg = seg.copy()
        seg[..., -fade:] *= np.linspace(1.0, 0.0, fade)
    out[..., pos:end] += gain * seg


def _finish(x: Audio, sample_rate: int) -> Audio:
    """Fade out the last quarter second (the song is cut, not ended), set the sample peak to
    ``PART_PEAK`` (silence stays silent) and return float32."""
    n = x.shape[-1]
    f = min(n, int(0.25 * sample_rate))
    if f > 1:
        x[..., n - f :] *= 0.5 * (1.0 + np.cos(np.linspace(0.0, np.pi, f)))
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    gain = PART_PEAK / peak if peak > 0 else 1.0
    return np.multiply(x, gain, dtype=np.float32)


def _part(body: Callable[..., Audio]) -> _Synth:
    """The public synthesizer for ``body(grid, rng, *own) -> (channels, frames)``.

    It takes what every part takes, ``(sample_rate, seconds, tempo=TEMPO, rng=None,
    sections=None)``, then the body's own arguments; it lays out the grid, defaults the rng and
    finishes the body's audio with ``_finish``, the same for every part.
    """

    @functools.wraps(body, assigned=("__module__", "__name__", "__qualname__", "__doc__"))
    def synth(
        sample_rate: int,
        seconds: float,
        tempo: float = TEMPO,
        rng: Rng | None = None,
        sections: Sequence[str] | None = None,
        *own: object,
        **own_by_name: object,
    ) -> Audio:
        g = _grid(sample_rate, seconds, tempo, sections)
        return _finish(body(g, _rng(rng), *own, **own_by_name), g.sample_rate)

    # help() and inspect show the call as it is: the shared parameters, then the body's own.
    shared = list(inspect.signature(synth, follow_wrapped=False).parameters.values())[:5]
    own = list(inspect.signature(body).parameters.values())[2:]
    synth.__signature__ = inspect.signature(body).replace(parameters=[*shared, *own])  # type: ignore[attr-defined]
    return synth


def _decay(n: int, sample_rate: int, tau: float) -> Audio:
    return np.exp(-np.arange(n) / (tau * sample_rate))


def _attack(x: Audio, sample_rate: int, seconds: float = 0.001) -> Audio:
    a = min(x.shape[-1], max(1, int(seconds * sample_rate)))
    x[..., :a] *= np.linspace(0.0, 1.0, a)
    return x


def _pan(p: float) -> tuple[float, float]:
    """Constant-power pan gains for p in [0 (left), 1 (right)]."""
    return float(np.cos(p * np.pi / 2)), float(np.sin(p * np.pi / 2))


# ---------------------------------------------------------------------------------------------
# Drums

_KICK_STEPS = {
    "intro": ((0, 0.9), (8, 0.8)),
    "verse": ((0, 1.0), (8, 0.9), (10, 0.75)),
    "chorus": ((0, 1.0), (6, 0.8), (8, 0.95), (10, 0.8), (14, 0.7)),
}
_SNARE_STEPS = {
    "intro": (),
    "verse": ((4, 0.9), (12, 0.95)),
    "chorus": ((4, 1.0), (12, 1.0), (15, 0.3)),
}
_HAT_STEPS = {
    "intro": tuple((s, 0.5 if s % 4 == 0 else 0.35, "closed") for s in range(0, 16, 2)),
    "verse": tuple((s, 0.8 if s % 4 == 0 else 0.55, "closed") for s in range(0, 16, 2)),
    "chorus": tuple(
        (s, (0.85, 0.4, 0.6, 0.4)[s % 4], "open" if s == 14 else "closed")
        for s in range(15)  # the open hat on 14 rings through 15
    ),
}
_TOM_FILL = ((12, 0.9, "hi"), (13, 0.8, "hi"), (14, 0.9, "mid"), (15, 1.0, "floor"))
_SNARE_PICKUP = ((12, 0.5), (14, 0.7), (15, 0.85))

_Event = tuple[float, float, str]  # (time s, velocity, kind)


@lru_cache(maxsize=64)
def _drum_events(sections: tuple[str, ...], tempo: float) -> dict[str, tuple[_Event, ...]]:
    """The drummer's performance: hit times/velocities per kit piece, with a fixed human feel."""
    groove = np.random.default_rng(_GROOVE_SEED)
    step = 15.0 / tempo
    ev: dict[str, list[_Event]] = {"kick": [], "snare": [], "hat": [], "tom": [], "crash": []}

    def add(piece: str, bar: int, s: int, vel: float, kind: str = "") -> None:
        t = (bar * 16 + s) * step + groove.normal(0.0, 0.003)
        v = float(np.clip(vel * (1.0 + groove.normal(0.0, 0.06)), 0.1, 1.2))
        ev[piece].append((max(0.0, t), v, kind))

    for b, sec in enumerate(sections):
        nxt = sections[b + 1] if b + 1 < len(sections) else sec
        prev = sections[b - 1] if b > 0 else sec
        tom_fill = nxt != sec and sec != "intro"
        cut = 12 if tom_fill else 16  # a tom fill replaces the last beat of the bar
        if prev != sec:
            add("crash", b, 0, 0.9)
        for s, v in _KICK_STEPS[sec]:
            if s < cut:
                add("kick", b, s, v)
        for s, v in _SNARE_STEPS[sec]:
            if s < cut:
                add("snare", b, s, v)
        if nxt != sec and sec == "intro":
            for s, v in _SNARE_PICKUP:
                add("snare", b, s, v)
        for s, v, kind in _HAT_STEPS[sec]:
            if s < cut:
                add("hat", b, s, v, kind)
        if tom_fill:
            for s, v, kind in _TOM_FILL:
                add("tom", b, s, v, kind)
    return {k: tuple(sorted(v)) for k, v in ev.items()}


def _kick_shot(sr: int, rng: Rng) -> Audio:
    n = int(0.6 * sr)
    t = np.arange(n) / sr
    f = (46.0 + rng.uniform(-2.0, 2.0)) + 120.0 * np.exp(-t / 0.03)
    body = np.sin(2 * np.pi * np.cumsum(f) / sr) * np.exp(-t / 0.17)
    beater = np.sin(2 * np.pi * 1800.0 * t) * np.exp(-t / 0.006) * 0.25
    click = rng.standard_normal(n) * np.exp(-t / 0.0025) * 0.35
    x = np.tanh(1.6 * (body + beater + click)) / np.tanh(1.6)
    x[-int(0.02 * sr) :] *= np.linspace(1.0, 0.0, int(0.02 * sr))
    return _attack(x, sr, 0.0005)


def _snare_shot(sr: int, rng: Rng) -> Audio:
    n = int(0.5 * sr)
    t = np.arange(n) / sr
    f0 = 185.0 + rng.uniform(-6.0, 6.0)
    tone = 0.7 * np.sin(2 * np.pi * f0 * t) * np.exp(-t / 0.07)
    tone += 0.35 * np.sin(2 * np.pi * 1.78 * f0 * t) * np.exp(-t / 0.045)
    sos = signal.butter(2, [900.0, min(9000.0, 0.45 * sr)], "bandpass", fs=sr, output="sos")
    wires = signal.sosfilt(sos, rng.standard_normal(n)) * np.exp(-t / 0.13)
    x = tone + 1.4 * wires
    x *= np.linspace(1.0, 0.0, n) ** 0.5
    return _attack(x / np.max(np.abs(x)), sr)


_METAL_HZ = (205.3, 304.4, 369.6, 522.7, 540.0, 800.0)  # inharmonic square-wave cluster


def _metal(n: int, sr: int, rng: Rng, scale: float) -> Audio:
    t = np.arange(n) / sr
    ph = rng.uniform(0, 2 * np.pi, len(_METAL_HZ))
    return sum(np.sign(np.sin(2 * np.pi * f * scale * t + p)) for f, p in zip(_METAL_HZ, ph, strict=True))


def _hat_shot(sr: int, rng: Rng, open_: bool) -> Audio:
    n = int((0.9 if open_ else 0.15) * sr)
    x = 0.15 * _metal(n, sr, rng, 1.6 * rng.uniform(0.96, 1.04)) + rng.standard_normal(n)
    x = signal.sosfilt(signal.butter(4, 7000.0, "highpass", fs=sr, output="sos"), x)
    x *= _decay(n, sr, 0.28 if open_ else 0.022)
    x[-int(0.01 * sr) :] *= np.linspace(1.0, 0.0, int(0.01 * sr))
    return _attack(x / np.max(np.abs(x)), sr)


def _crash_shot(sr: int, rng: Rng) -> Audio:
    n = int(2.5 * sr)
    x = 0.05 * _metal(n, sr, rng, 2.3 * rng.uniform(0.96, 1.04)) + rng.standard_normal(n)
    x = signal.sosfilt(signal.butter(2, 3500.0, "highpass", fs=sr, output="sos"), x)
    x *= _decay(n, sr, 0.8) * np.linspace(1.0, 0.0, n)
    return _attack(x / np.max(np.abs(x)), sr, 0.002)


_TOM_HZ = {"hi": 190.0, "mid": 140.0, "floor": 98.0}


def _tom_shot(sr: int, rng: Rng, kind: str) -> Audio:
    n = int(0.8 * sr)
    t = np.arange(n) / sr
    f = _TOM_HZ[kind] * rng.uniform(0.98, 1.02) * (1.0 + 0.25 * np.exp(-t / 0.05))
    x = np.sin(2 * np.pi * np.cumsum(f) / sr) * np.exp(-t / 0.35)
    x += 0.3 * rng.standard_normal(n) * np.exp(-t / 0.015)
    x *= np.linspace(1.0, 0.0, n)
    return _attack(x / np.max(np.abs(x)), sr)


def _render_hits(
    g: _Grid,
    events: Sequence[_Event],
    shots: dict[str, list[Audio]],
    rng: Rng,
    out: Audio | None = None,
    choke: frozenset[str] = frozenset(),
) -> Audio:
    """Mix one-shots in at event times (variant picked by ``rng``); kinds in ``choke`` are cut
    off by the next event. Accumulates into ``out`` when given."""
    if out is None:
        channels = next(iter(shots.values()))[0].shape[:-1]
        out = np.zeros((*channels, g.frames))
    for i, (t, vel, kind) in enumerate(events):
        variants = shots[kind]
        shot = variants[int(rng.integers(len(variants)))]
        length = None
        if kind in choke and i + 1 < len(events):
            length = g.pos(events[i + 1][0]) - g.pos(t)
        _place(out, shot, g.pos(t), vel, length)
    return out


def _close_mic(
    g: _Grid, r: Rng, piece: str, shots: dict[str, list[Audio]], choke: frozenset[str] = frozenset()
) -> Audio:
    """One kit piece's close mic, mono (1, frames): its one-shots at the drummer's hits."""
    return _render_hits(g, _drum_events(g.sections, g.tempo)[piece], shots, r, choke=choke)[None]


@_part
def kick(g: _Grid, r: Rng) -> Audio:
    """Kick drum close mic, mono (1, frames): pitch-swept sine with a beater click."""
    return _close_mic(g, r, "kick", {"": [_kick_shot(g.sample_rate, r) for _ in range(3)]})


@_part
def snare(g: _Grid, r: Rng) -> Audio:
    """Snare top mic, mono (1, frames): two drum-head modes plus band-passed wire noise."""
    return _close_mic(g, r, "snare", {"": [_snare_shot(g.sample_rate, r) for _ in range(3)]})


@_part
def hihat(g: _Grid, r: Rng) -> Audio:
    """Hi-hat close mic, mono (1, frames): 8ths, 16ths with an open hat (choked) in choruses."""
    shots = {
        "closed": [_hat_shot(g.sample_rate, r, False) for _ in range(4)],
        "open": [_hat_shot(g.sample_rate, r, True) for _ in range(2)],
    }
    return _close_mic(g, r, "hat", shots, choke=frozenset({"open"}))


@_part
def toms(g: _Grid, r: Rng) -> Audio:
    """Tom close mic, mono (1, frames): three toms, heard only in the fills before new sections."""
    return _close_mic(g, r, "tom", {k: [_tom_shot(g.sample_rate, r, k) for _ in range(2)] for k in _TOM_HZ})


def _room_ir(sr: int, rng: Rng) -> Audio:
    """A short stereo room: the direct sound plus a decorrelated, darkening noise tail."""
    n = int(0.25 * sr)
    t = np.arange(n) / sr
    tail = rng.standard_normal((2, n)) * np.exp(-t / 0.06) * (t > 0.004)
    tail = signal.sosfilt(signal.butter(1, 5000.0, fs=sr, output="sos"), tail, axis=-1)
    ir = 0.025 * np.sqrt(44100.0 / sr) * tail  # reverberant energy about half the direct
    ir[:, 0] += 1.0
    return ir


def _from_overheads(shot: Audio, ir: Audio, pan: float, delay_s: float, sr: int) -> Audio:
    """One kit piece as a spaced overhead pair hears it: room, pan, and arrival-time difference."""
    gl, gr = _pan(pan)
    spread = int(round(0.0006 * sr * (2 * pan - 1)))  # nearer mic hears it first
    d = int(round(delay_s * sr))
    dl, dr = d + max(0, spread), d + max(0, -spread)
    out = np.zeros((2, shot.shape[-1] + ir.shape[-1] + max(dl, dr)))
    for c, (gain, dd) in enumerate(((gl, dl), (gr, dr))):
        wet = signal.fftconvolve(shot, ir[c])
        out[c, dd : dd + wet.shape[-1]] += gain * wet
    # Drop the inaudible end of the tail (cheaper to place, many hits per bar).
    loud = np.flatnonzero(np.max(np.abs(out), axis=0) > 3e-4 * np.max(np.abs(out)))
    return out[:, : loud[-1] + 1] if loud.size else out


_OH_MIX = {  # piece: (gain, pan 0=L..1=R, extra distance delay s)
    "kick": (0.3, 0.5, 0.004),
    "snare": (0.7, 0.42, 0.002),
    "hat": (0.5, 0.22, 0.0015),
    "tom": (0.65, 0.5, 0.002),
    "crash": (0.8, 0.72, 0.001),
}
_TOM_PAN = {"hi": 0.35, "mid": 0.55, "floor": 0.78}


@_part
def overheads(g: _Grid, r: Rng) -> Audio:
    """Overhead pair (2, frames) as [L, R]: the whole kit in a small room, plus crash cymbals.

    Plays the same performance as the close mics, with its own (distant) timbre per piece.
    """
    sr = g.sample_rate
    ir = _room_ir(sr, r)
    ev = _drum_events(g.sections, g.tempo)
    out = np.zeros((2, g.frames))

    def oh(piece: str, shot: Audio, pan: float | None = None) -> Audio:
        gain, p, delay = _OH_MIX[piece]
        return gain * _from_overheads(shot, ir, p if pan is None else pan, delay, sr)

    # Drums sound thinner from above: take off most of the kick's and toms' low end.
    hp = signal.butter(2, 150.0, "highpass", fs=sr, output="sos")
    kicks = [oh("kick", signal.sosfilt(hp, _kick_shot(sr, r))) for _ in range(2)]
    _render_hits(g, ev["kick"], {"": kicks}, r, out)
    _render_hits(g, ev["snare"], {"": [oh("snare", _snare_shot(sr, r)) for _ in range(2)]}, r, out)
    hats = {
        "closed": [oh("hat", _hat_shot(sr, r, False)) for _ in range(3)],
        "open": [oh("hat", _hat_shot(sr, r, True)) for _ in range(2)],
    }
    _render_hits(g, ev["hat"], hats, r, out, choke=frozenset({"open"}))
    hp = signal.butter(1, 100.0, "highpass", fs=sr, output="sos")
    tom_shots = {k: [oh("tom", signal.sosfilt(hp, _tom_shot(sr, r, k)), _TOM_PAN[k])] for k in _TOM_HZ}
    _render_hits(g, ev["tom"], tom_shots, r, out)
    _render_hits(g, ev["crash"], {"": [oh("crash", _crash_shot(sr, r))]}, r, out)
    return out


# ---------------------------------------------------------------------------------------------
# Tonal parts


def _harmonics(theta: Audio, amps: Sequence[Audio | float]) -> Audio:
    """Sum of amps[k-1] * sin(k * theta) via the Chebyshev recurrence (no per-harmonic sin)."""
    s_prev = np.zeros_like(theta)
    s_cur = np.sin(theta)
    c2 = 2.0 * np.cos(theta)
    out = np.zeros_like(theta)
    for a in amps:
        out += a * s_cur
        s_prev, s_cur = s_cur, c2 * s_cur - s_prev
    return out


def _saw(freq: float, n: int, sr: int, phase0: float = 0.0) -> Audio:
    """Band-limited (polyBLEP) sawtooth in [-1, 1] at a fixed frequency."""
    dt = freq / sr
    p = (phase0 + dt * np.arange(n)) % 1.0
    x = 2.0 * p - 1.0
    lo = p < dt
    u = p[lo] / dt
    x[lo] -= u + u - u * u - 1.0
    hi = p > 1.0 - dt
    u = (p[hi] - 1.0) / dt
    x[hi] -= u * u + u + u + 1.0
    return x


def _note_env(n: int, sr: int, dur: float, attack: float, release: float) -> Audio:
    """Linear attack, hold until ``dur``, raised-cosine release to exactly zero."""
    env = np.ones(n)
    a = max(1, min(n, int(attack * sr)))
    env[:a] = np.linspace(0.0, 1.0, a)
    off = min(n, int(dur * sr))
    r = min(n - off, max(1, int(release * sr)))
    env[off : off + r] *= 0.5 * (1.0 + np.cos(np.linspace(0.0, np.pi, r)))
    env[off + r :] = 0.0
    return env


_BASS_STEPS = {  # (step, length in 16ths, interval above the root, velocity)
    "intro": ((0, 16, 0, 0.6),),
    "verse": ((0, 6, 0, 0.9), (6, 2, 0, 0.6), (8, 4, 0, 0.8), (12, 2, 12, 0.7), (14, 2, 7, 0.7)),
    "chorus": tuple(
        (s, 2, iv, v)
        for s, iv, v in zip(
            range(0, 16, 2),
            (0, 0, 12, 0, 0, 7, 12, 7),
            (1.0, 0.7, 0.8, 0.7, 0.9, 0.7, 0.8, 0.7),
            strict=True,
        )
    ),
}


def _bass_midi(root: int, interval: int) -> int:
    m = root + interval
    while _hz(m) > 112.0:  # keep fundamentals in 41-110 Hz
        m -= 12
    return m if _hz(m) >= 41.0 else root


def _bass_note(sr: int, midi: int, dur: float, rng: Rng) -> Audio:
    n = int((dur + 0.05) * sr)
    t = np.arange(n) / sr
    f = float(_hz(midi))
    theta = 2 * np.pi * f * t + rng.uniform(0, 2 * np.pi)
    k_max = max(2, min(24, int(2500.0 / f)))
    # Saw harmonics that die away faster the higher they are: a plucked, closing-filter body.
    fall = np.exp(-2.5 * t)
    decays = [np.ones(n)]
    for _ in range(k_max - 1):
        decays.append(decays[-1] * fall)
    saw = _harmonics(theta, [d / k for k, d in enumerate(decays, start=1)])
    x = 0.75 * np.sin(theta) + 0.5 * saw
    x *= _note_env(n, sr, dur, 0.004, 0.04) * np.exp(-t / 1.5)
    return np.tanh(1.3 * x)


@_part
def bass(g: _Grid, r: Rng) -> Audio:
    """Bass DI, mono (1, frames): sine+saw line on the chord roots, fifths and octaves (41-110 Hz)."""
    groove = np.random.default_rng([_GROOVE_SEED, 1])
    out = np.zeros(g.frames)
    cache: dict[tuple[int, int], Audio] = {}
    for b, sec in enumerate(g.sections):
        root = _BASS_ROOT[g.chord(b)]
        for s, length, iv, vel in _BASS_STEPS[sec]:
            m = _bass_midi(root, iv)
            key = (m, length)
            if key not in cache:
                legato = 0.97 if length > 2 else 0.85
                cache[key] = _bass_note(g.sample_rate, m, length * g.step * legato, r)
            t = (b * 16 + s) * g.step + groove.normal(0.0, 0.004)
            _place(out, cache[key], g.pos(t), vel * (1.0 + groove.normal(0.0, 0.05)))
    return out[None]


_RHODES_STEPS = {  # (step, length in 16ths)
    "intro": ((0, 16),),
    "verse": ((0, 6), (6, 4), (10, 6)),
    "chorus": ((0, 3), (3, 3), (6, 2), (8, 3), (11, 3), (14, 2)),
}
_RHODES_VEL = {"intro": 0.55, "verse": 0.7, "chorus": 0.9}


def _rhodes_note(sr: int, midi: int, dur: float, vel: float, rng: Rng) -> Audio:
    n = int((dur + 0.3) * sr)
    t = np.arange(n) / sr
    f = float(_hz(midi)) * 2.0 ** (rng.normal(0.0, 3.0) / 1200.0)
    w = 2 * np.pi * f * t
    index = 1.8 * vel * np.exp(-t / 0.15) + 0.15  # bark on the attack, mellow sustain
    x = np.sin(w + index * np.sin(w))
    x += 0.12 * vel * np.sin(7.0 * w) * np.exp(-t / 0.03)  # tine ping
    x *= np.exp(-t / (1.3 * np.sqrt(262.0 / f))) * _note_env(n, sr, dur, 0.002, 0.12)
    return x


@_part
def rhodes(g: _Grid, r: Rng) -> Audio:
    """Electric piano, stereo (2, frames): FM tine chords with a suitcase-style auto-pan."""
    sr = g.sample_rate
    groove = np.random.default_rng([_GROOVE_SEED, 2])
    out = np.zeros(g.frames)
    cache: dict[tuple[str, int, str], Audio] = {}
    for b, sec in enumerate(g.sections):
        chord = g.chord(b)
        for s, length in _RHODES_STEPS[sec]:
            key = (chord, length, sec)
            if key not in cache:
                dur = length * g.step * 0.95
                notes = [_rhodes_note(sr, m, dur, _RHODES_VEL[sec], r) for m in _RHODES_VOICING[chord]]
                roll = [int(r.uniform(0.0, 0.008) * sr) for _ in notes]
                acc = np.zeros(max(len(x) + d for x, d in zip(notes, roll, strict=True)))
                for x, d in zip(notes, roll, strict=True):
                    acc[d : d + len(x)] += x
                cache[key] = acc
            t = (b * 16 + s) * g.step + groove.normal(0.0, 0.005)
            _place(out, cache[key], g.pos(t), 1.0 + groove.normal(0.0, 0.05))
    lfo = np.sin(np.arange(g.frames, dtype=np.float32) * np.float32(2 * np.pi * 4.2 / sr))
    lfo *= np.float32(0.6)
    mono = out.astype(np.float32)
    stereo = np.empty((2, g.frames), dtype=np.float32)
    np.multiply(mono, 1.0 + lfo, out=stereo[0])
    np.multiply(mono, 1.0 - lfo, out=stereo[1])
    return stereo


_PAD_CUTOFF = {"intro": 800.0, "verse": 1200.0, "chorus": 2200.0}


@_part
def pad(g: _Grid, r: Rng) -> Audio:
    """Synth pad, stereo (2, frames): detuned saw chords, slow attack, opening up in choruses."""
    sr = g.sample_rate
    out = np.zeros((2, g.frames))
    n = int((g.bar + 0.8) * sr)
    env = _note_env(n, sr, g.bar, 0.9, 0.75)
    env[: int(0.9 * sr)] **= 2  # slow, swelling attack
    raw: dict[str, Audio] = {}
    cache: dict[tuple[str, str], Audio] = {}
    for b, sec in enumerate(g.sections):
        chord = g.chord(b)
        if chord not in raw:
            x = np.zeros((2, n))
            for m in _PAD_VOICING[chord]:
                f = float(_hz(m))
                for c, cents in enumerate(((7.0, -3.0), (-7.0, 3.0))):
                    for ct in cents:
                        x[c] += _saw(f * 2.0 ** (ct / 1200.0), n, sr, r.uniform())
            raw[chord] = x
        if (chord, sec) not in cache:
            sos = signal.butter(2, _PAD_CUTOFF[sec], fs=sr, output="sos")
            cache[(chord, sec)] = signal.sosfilt(sos, raw[chord], axis=-1) * env
        _place(out, cache[(chord, sec)], g.pos(b * g.bar))
    return out


_STRUM_STEPS = {  # (step, direction, velocity)
    "intro": (),
    "verse": ((0, "D", 0.9), (6, "D", 0.7), (8, "D", 0.85), (12, "U", 0.6), (14, "D", 0.7)),
    "chorus": ((0, "D", 1.0), (4, "D", 0.8), (6, "U", 0.6), (10, "U", 0.65), (12, "D", 0.85),
               (14, "U", 0.6)),
}  # fmt: skip


def _pluck(sr: int, midi: int, seconds: float, rng: Rng) -> Audio:
    """Karplus-Strong string, computed one period at a time (vectorised within a period)."""
    f = float(_hz(midi))
    period = max(2, int(round(sr / f - 0.5)))  # the averaging filter adds half a sample
    n = int(seconds * sr)
    exc = rng.uniform(-1.0, 1.0, period)
    exc -= np.roll(exc, max(1, int(0.18 * period)))  # picked near the bridge
    exc = signal.lfilter([0.4], [1.0, -0.6], exc)  # a softer pick
    exc -= exc.mean()
    t60 = 4.5 * (110.0 / f) ** 0.4
    gain = 10.0 ** (-3.0 * period / (sr * t60))
    y = np.zeros(1 + n + period)  # y[0] is the sample "before" the string starts
    y[1 : 1 + period] = exc
    for p in range(1, n // period + 1):
        a, b = 1 + p * period, 1 + (p + 1) * period
        y[a:b] = 0.5 * gain * (y[a - period : b - period] + y[a - period - 1 : b - period - 1])
    x = y[1 : 1 + n]
    x[-int(0.02 * sr) :] *= np.linspace(1.0, 0.0, int(0.02 * sr))
    return x


def _peaking(sr: int, f0: float, gain_db: float, q: float) -> tuple[Audio, Audio]:
    """RBJ cookbook peaking-EQ biquad (b, a)."""
    a_lin = 10.0 ** (gain_db / 40.0)
    w0 = 2 * np.pi * f0 / sr
    alpha = np.sin(w0) / (2.0 * q)
    b = np.array([1.0 + alpha * a_lin, -2.0 * np.cos(w0), 1.0 - alpha * a_lin])
    a = np.array([1.0 + alpha / a_lin, -2.0 * np.cos(w0), 1.0 - alpha / a_lin])
    return b / a[0], a / a[0]


@_part
def guitar(
    g: _Grid,
    r: Rng,
    resonance_hz: float | None = None,
    resonance_db: float = 10.0,
    resonance_q: float = 8.0,
) -> Audio:
    """Electric guitar DI, mono (1, frames): strummed Karplus-Strong chords in verses and choruses.

    ``resonance_hz`` bakes in a narrow peaking resonance (a planted problem for the EQ rules).
    """
    sr = g.sample_rate
    groove = np.random.default_rng([_GROOVE_SEED, 3])
    strums: list[tuple[float, str, float, str]] = []
    for b, sec in enumerate(g.sections):
        for s, direction, vel in _STRUM_STEPS[sec]:
            t = (b * 16 + s) * g.step + groove.normal(0.0, 0.004)
            strums.append((max(0.0, t), direction, vel, g.chord(b)))
    notes: dict[tuple[int, int], Audio] = {}
    out = np.zeros(g.frames)
    for i, (t, direction, vel, chord) in enumerate(strums):
        shape = _GUITAR_SHAPE[chord]
        strings = shape if direction == "D" else shape[::-1][:4]
        gap = 0.011 if direction == "D" else 0.007
        end = g.pos(strums[i + 1][0]) + int(0.01 * sr) if i + 1 < len(strums) else None
        for j, m in enumerate(strings):
            key = (m, int(r.integers(2)))
            if key not in notes:
                notes[key] = _pluck(sr, m, 2.5, r)
            pos = g.pos(t + j * gap + groove.uniform(0.0, 0.002))
            length = None if end is None else max(0, end - pos)
            _place(out, notes[key], pos, vel * (1.0 - 0.05 * j) * groove.uniform(0.85, 1.0), length)
    if resonance_hz is not None:
        out = signal.lfilter(*_peaking(sr, resonance_hz, resonance_db, resonance_q), out)
    return out[None]


# ---------------------------------------------------------------------------------------------
# Voice

_VOWELS = {  # formant frequencies F1-F3 (Hz) and bandwidths (Hz)
    "a": ((800.0, 1150.0, 2800.0), (80.0, 90.0, 120.0)),
    "e": ((450.0, 2000.0, 2700.0), (60.0, 100.0, 120.0)),
    "i": ((300.0, 2300.0, 3000.0), (50.0, 100.0, 140.0)),
    "o": ((480.0, 850.0, 2600.0), (70.0, 80.0, 120.0)),
    "u": ((330.0, 750.0, 2450.0), (50.0, 80.0, 120.0)),
}
_F4 = (3500.0, 250.0)
_DRIFT_ST = 0.1  # slow random pitch wander of the singer (semitones)
_AIR = 2.0  # level of the breath noise that bypasses the formants
_PHRASE_RHYTHMS = (  # (onset, length) in 8th notes over a two-bar phrase; rests fill the rest
    ((0, 2), (2, 1), (3, 1), (4, 2), (6, 2), (8, 1), (9, 3)),
    ((1, 1), (2, 2), (4, 1), (5, 1), (6, 2), (8, 2), (10, 2)),
    ((0, 1), (1, 1), (2, 2), (4, 4), (8, 1), (9, 1), (10, 3)),
    ((0, 3), (3, 1), (4, 2), (6, 2), (8, 1), (9, 1), (10, 2)),
)
_VOCAL_RANGE = {"verse": (52, 64), "chorus": (57, 67)}  # E3-E4, A3-G4: f0 within 150-400 Hz
_SCALE_MIDI = tuple(m for m in range(24, 96) if m % 12 in _SCALE_PCS)

_Note = tuple[int, int, int, str, str]  # (onset 8ths, length 8ths, midi, vowel, consonant)
_CONSONANTS = ("", "", "", "s", "t", "k")
_VOX_PRE = 0.12  # seconds of lead-in before a phrase's first note (room for a consonant)


@lru_cache(maxsize=64)
def _melody(melody_seed: int, section: str, chords: tuple[str, str]) -> tuple[_Note, ...]:
    """A two-bar sung phrase: chord tones on the beats, scale steps between, a rise and fall."""
    rng = np.random.default_rng([melody_seed, SECTIONS.index(section), *map(PROGRESSION.index, chords)])
    lo, hi = _VOCAL_RANGE[section]
    scale = np.array([m for m in _SCALE_MIDI if lo <= m <= hi])
    rhythm = _PHRASE_RHYTHMS[int(rng.integers(len(_PHRASE_RHYTHMS)))]
    centre = (lo + hi) / 2.0
    prev = float(scale[np.argmin(np.abs(scale - (centre - 2)))])
    notes: list[_Note] = []
    for i, (on, length) in enumerate(rhythm):
        last = i == len(rhythm) - 1
        pcs = _CHORD_PCS[chords[0] if on < 8 else chords[1]]
        chord_tone = on % 2 == 0 or last
        cands = np.array([m for m in scale if not chord_tone or m % 12 in pcs])
        contour = centre + 3.0 * np.sin(np.pi * i / (len(rhythm) - 1)) - (2.0 if last else 0.0)
        aim = prev + 0.5 * (contour - prev)
        w = np.exp(-np.abs(cands - aim) / 1.5) * np.where(cands == prev, 0.6, 1.0)
        m = int(rng.choice(cands, p=w / w.sum()))
        vowel, consonant = str(rng.choice(list(_VOWELS))), str(rng.choice(_CONSONANTS))
        notes.append((on, length, m, vowel, consonant))
        prev = m
    return tuple(notes)


def _harmony(midi: int, steps: int) -> int:
    """The note ``steps`` scale degrees away (e.g. -2: a diatonic third below)."""
    return _SCALE_MIDI[_SCALE_MIDI.index(midi) + steps]


def _one_pole(x: Audio, tau_samples: float, axis: int = -1) -> Audio:
    """Exponential smoothing that starts at the first value (glides, not a fade-in)."""
    a = 1.0 - np.exp(-1.0 / max(tau_samples, 1e-9))
    first = np.take(x, [0], axis=axis)
    zi = (1.0 - a) * first
    y, _ = signal.lfilter([a], [1.0, a - 1.0], x, axis=axis, zi=zi)
    return y


def _consonant(sr: int, kind: str, rng: Rng) -> Audio:
    """An unvoiced consonant ending at the vowel onset: 's' hiss, or 't'/'k' plosive burst."""
    length, band, tau, level = {
        "s": (0.09, (4500.0, 9000.0), None, 0.10),
        "t": (0.025, (2500.0, 6500.0), 0.006, 0.25),
        "k": (0.03, (1500.0, 4000.0), 0.008, 0.22),
    }[kind]
    n = int(length * sr)
    band = (band[0], min(band[1], 0.45 * sr))
    x = signal.sosfilt(signal.butter(2, band, "bandpass", fs=sr, output="sos"), rng.standard_normal(n))
    if tau is None:
        x *= np.sin(np.linspace(0.0, np.pi, n))  # hiss swells and fades
    else:
        x *= np.exp(-np.arange(n) / (tau * sr))  # release burst, decaying into the vowel
    return level * x / np.max(np.abs(x))


def _sing(
    sr: int, notes: Sequence[tuple[float, float, int, str, str]], bright: float, rng: Rng, clamp: bool
) -> Audio:
    """Render one phrase: harmonic glottal source, vibrato, gliding pitch, 4 formant resonators.

    ``notes`` are (start s, length s, midi, vowel, consonant) relative to the first note, which
    sounds ``_VOX_PRE`` seconds into the returned audio; it ends in exact silence.
    """
    pre, tail = _VOX_PRE, 0.3
    n = int((pre + max(s + d for s, d, *_ in notes) + tail) * sr)
    t = np.arange(n) / sr
    starts = np.array([int((pre + s) * sr) for s, *_ in notes])
    target = np.empty(n)
    amp = np.zeros(n)
    vib_depth = np.zeros(n)
    for i, (_s, d, m, *_) in enumerate(notes):
        a = starts[i]
        b = starts[i + 1] if i + 1 < len(notes) else n
        target[a:b] = m
        if i == 0:
            target[:a] = m
        env = _note_env(n - a, sr, max(0.05, d - 0.02), 0.04, 0.12)
        loud = rng.uniform(0.85, 1.0) * (0.8 + 0.02 * (m - 52))
        amp[a:] = np.maximum(amp[a:], loud * env)
        ramp = np.clip((t[: n - a] - 0.15) / 0.3, 0.0, 1.0) * (env > 0)
        vib_depth[a:] = np.maximum(vib_depth[a:], 0.22 * ramp)
    # Pitch: glide between notes, scoop into the first, vibrato and a slow drift (in semitones).
    pitch = _one_pole(target, 0.03 * sr) - 0.6 * np.exp(-np.maximum(t - pre, 0.0) / 0.08)
    pitch += vib_depth * np.sin(2 * np.pi * rng.uniform(5.0, 6.0) * t + rng.uniform(0, 2 * np.pi))
    knots = rng.standard_normal(int(n / sr * 8) + 2)
    pitch += _DRIFT_ST * np.interp(t, np.linspace(0.0, t[-1], len(knots)), knots)
    f0 = _hz(pitch)
    if clamp:
        f0 = np.clip(f0, 152.0, 398.0)
    theta = 2 * np.pi * np.cumsum(f0) / sr + rng.uniform(0, 2 * np.pi)
    # Source: glottal-pulse spectrum after lip radiation (louder = flatter), faded out 5-7 kHz.
    tilt = 0.75 - 0.2 * bright
    k_max = int(7000.0 / float(f0.min()))
    amps = [
        k**-tilt * (np.clip((7000.0 - k * f0) / 2000.0, 0.0, 1.0) if k * f0.max() > 5000 else 1.0)
        for k in range(1, k_max + 1)
    ]
    src = _harmonics(theta, amps)
    breath = 0.05 * rng.standard_normal(n) * (1.0 + np.sin(theta)) * amp  # pulse-synchronous
    x = src * amp + breath
    # Vocal tract: per 10 ms chunk, a cascade of unity-DC-gain resonators gliding between vowels
    # (run as two 4th-order sections: F1*F2 and F3*F4).
    chunk = max(32, sr // 100)
    n_chunks = -(-n // chunk)
    centres = np.arange(n_chunks) * chunk + chunk // 2
    idx = np.clip(np.searchsorted(starts, centres, side="right") - 1, 0, len(notes) - 1)
    vowel = [_VOWELS[notes[i][3]] for i in idx]
    freqs = np.array([[*v[0], _F4[0]] for v in vowel])
    bws = np.array([[*v[1], _F4[1]] for v in vowel])
    tau_chunks = 0.04 * sr / chunk
    freqs, bws = _one_pole(freqs, tau_chunks, axis=0), _one_pole(bws, tau_chunks, axis=0)
    radius = np.exp(-np.pi * bws / sr)
    a1 = -2.0 * radius * np.cos(2 * np.pi * freqs / sr)
    a2 = radius**2
    dens, gains = [], []
    for i, j in ((0, 1), (2, 3)):  # product of two biquad denominators, for every chunk
        p1, p2, q1, q2 = a1[:, i], a2[:, i], a1[:, j], a2[:, j]
        ones = np.ones_like(p1)
        dens.append(np.stack([ones, p1 + q1, p2 + q2 + p1 * q1, p1 * q2 + p2 * q1, p2 * q2], 1))
        gains.append((1.0 + p1 + p2) * (1.0 + q1 + q2))
    zi1, zi2 = np.zeros(4), np.zeros(4)
    y = np.empty(n)
    for c in range(n_chunks):
        sl = slice(c * chunk, min(n, (c + 1) * chunk))
        u, zi1 = signal.lfilter(gains[0][c : c + 1], dens[0][c], x[sl], zi=zi1)
        y[sl], zi2 = signal.lfilter(gains[1][c : c + 1], dens[1][c], u, zi=zi2)
    # "Air": breath noise above 4 kHz, which the all-pole cascade alone takes away.
    air = signal.butter(2, min(4000.0, 0.4 * sr), "highpass", fs=sr, output="sos")
    y += _AIR * signal.sosfilt(air, breath)
    fade = int(0.02 * sr)
    y[-fade:] *= np.linspace(1.0, 0.0, fade)
    y /= np.max(np.abs(y))
    for start, (*_, consonant) in zip(starts, notes, strict=True):
        if consonant:
            c = _consonant(sr, consonant, rng)
            a = max(0, start + int(0.01 * sr) - c.shape[-1])
            y[a : a + c.shape[-1]] += c[: n - a]
    return y


def _vocal_part(
    g: _Grid, rng: Rng, melody_seed: int, harmony: int, sings: Callable[[str, int], bool]
) -> tuple[Audio, list[tuple[int, int]]]:
    """Place sung phrases on the grid; returns the mono track and its (start, end) regions."""
    sr = g.sample_rate
    eighth = g.step * 2
    groove = np.random.default_rng([_GROOVE_SEED, 4])
    out = np.zeros(g.frames)
    regions: list[tuple[int, int]] = []
    cache: dict[tuple[str, tuple[str, str], int], Audio] = {}
    seen: dict[tuple[str, tuple[str, str]], int] = {}
    block_start = 0
    for b, sec in enumerate(g.sections):
        if b > 0 and g.sections[b - 1] != sec:
            block_start = b
        rel = b - block_start
        if sec == "intro" or rel % 2:
            continue
        late = groove.normal(0.0, 0.01)
        if not sings(sec, (rel // 2) % 2):
            continue
        chords = (g.chord(b), g.chord(b + 1))
        occurrence = seen.get((sec, chords), 0)
        seen[(sec, chords)] = occurrence + 1
        key = (sec, chords, occurrence % 2)  # two takes per line, reused like comped repeats
        if key not in cache:
            melody = _melody(melody_seed, sec, chords)
            notes = [
                (on * eighth, length * eighth, _harmony(m, harmony) if harmony else m, v, c)
                for on, length, m, v, c in melody
            ]
            level = 1.0 if sec == "chorus" else 0.7
            cache[key] = level * _sing(sr, notes, level, rng, clamp=harmony == 0)
        start = g.pos(b * g.bar + late - _VOX_PRE)
        phrase = cache[key]
        _place(out, phrase, start)
        if start < g.frames:
            regions.append((start, min(g.frames, start + phrase.shape[-1])))
    return out, regions


def _region_mask(frames: int, regions: Sequence[tuple[int, int]], sr: int, pad_s: float) -> Audio:
    """1 inside the recorded regions (padded), 0 between them, with 10 ms fades."""
    mask = np.zeros(frames)
    pad, fade = int(pad_s * sr), max(1, int(0.01 * sr))
    ramp = np.linspace(0.0, 1.0, fade)
    for a, b in regions:
        a, b = max(0, a - pad), min(frames, b + pad)
        seg = np.ones(b - a)
        f = min(fade, (b - a) // 2)
        seg[:f] = ramp[:f]
        seg[len(seg) - f :] = np.minimum(seg[len(seg) - f :], ramp[:f][::-1])
        mask[a:b] = np.maximum(mask[a:b], seg)
    return mask


@_part
def lead_vocal(
    g: _Grid,
    r: Rng,
    melody_seed: int = 0,
    rumble_db: float | None = None,
) -> Audio:
    """Lead vocal, mono (1, frames): sung phrases (f0 150-400 Hz) with silent gaps, no intro.

    ``rumble_db`` adds a 40 Hz rumble that many dB relative to the voice's RMS, inside the
    recorded regions only (as if the take was comped and the gaps between clips are empty).
    """
    out, regions = _vocal_part(g, r, melody_seed, 0, lambda sec, k: True)
    if rumble_db is not None and regions:
        sr = g.sample_rate
        mask = _region_mask(g.frames, regions, sr, 0.12)
        t = np.arange(g.frames) / sr
        rumble = np.sin(2 * np.pi * 40.0 * t + 0.4 * np.sin(2 * np.pi * 0.2 * t))
        rumble *= (1.0 + 0.2 * np.sin(2 * np.pi * 0.13 * t + r.uniform(0, 2 * np.pi))) * mask
        inside = mask > 0.5
        voice_rms = np.sqrt(np.mean(out[inside] ** 2))
        rumble_rms = np.sqrt(np.mean(rumble[inside] ** 2))
        out += rumble * (voice_rms / rumble_rms * 10.0 ** (rumble_db / 20.0))
    return out[None]


@_part
def backing_vocals(
    g: _Grid,
    r: Rng,
    melody_seed: int = 0,
) -> Audio:
    """Backing vocal, mono (1, frames): the lead's melody a diatonic third lower (f0 down to ~130 Hz).

    Sings every chorus line and answers the second line of each verse.
    """
    out, _ = _vocal_part(g, r, melody_seed, -2, lambda sec, k: sec == "chorus" or k == 1)
    return out[None]


# ---------------------------------------------------------------------------------------------
# Writing files


def _write_atomic(path: Path, audio: Audio, sample_rate: int, subtype: str, fmt: str) -> None:
    """Write (channels, frames) audio via a temp file in the same folder and os.replace."""
    with replacing(path, ".part") as tmp:
        sf.write(tmp, np.ascontiguousarray(audio.T), sample_rate, subtype=subtype, format=fmt)


def _write_text_atomic(path: Path, text: str) -> None:
    """Write a UTF-8 text file via a temp file in the same folder and os.replace."""
    with replacing(path, ".part") as tmp:
        Path(tmp).write_text(text, encoding="utf-8")


def _set_peak(x: Audio, peak_dbfs: float) -> Audio:
    """Scale so the sample peak sits at ``peak_dbfs`` (silence stays silent)."""
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if peak == 0.0:
        return x.astype(np.float32)
    return (x * (10.0 ** (peak_dbfs / 20.0) / peak)).astype(np.float32)


@dataclass(frozen=True)
class DemoStem:
    """One demo file: name, channel count, container/subtype and intended sample peak."""

    name: str
    channels: int
    format: str  # soundfile container: WAV, FLAC, AIFF
    subtype: str
    peak_dbfs: float
    other_rate: bool = False  # written at the other common rate (48000 vs 44100)
    note: str = ""

    def sample_rate(self, session_rate: int) -> int:
        """The rate this stem is written at when the rest of the demo uses ``session_rate``."""
        if not self.other_rate:
            return session_rate
        return 44100 if session_rate == 48000 else 48000


DEMO_STEMS: tuple[DemoStem, ...] = (
    DemoStem("Kick In.wav", 1, "WAV", "PCM_24", -6.0),
    DemoStem("SN Top.wav", 1, "WAV", "PCM_24", -8.0),
    DemoStem("HH.wav", 1, "WAV", "PCM_24", -1.0, note="much too loud"),
    DemoStem("OH L.wav", 1, "WAV", "PCM_24", -12.0),
    DemoStem("OH R.wav", 1, "WAV", "PCM_24", -12.0),
    DemoStem("Bass DI.flac", 1, "FLAC", "PCM_24", -2.0, note="too loud"),
    DemoStem("Gtr DI.wav", 1, "WAV", "PCM_24", -10.0, note="narrow +10 dB resonance at 900 Hz"),
    DemoStem("Rhodes.wav", 2, "WAV", "PCM_16", -9.0),
    DemoStem("Pad.aif", 2, "AIFF", "PCM_24", -24.0, other_rate=True, note="quiet, other rate"),
    DemoStem("Vox Ld.wav", 1, "WAV", "FLOAT", -30.0, note="much too quiet; 40 Hz rumble"),
    DemoStem("BGV 1.wav", 1, "WAV", "PCM_24", -16.0, note="louder than the lead"),
)
DEMO_LEVELS: dict[str, float] = {s.name: s.peak_dbfs for s in DEMO_STEMS}
"""Intended sample peak (dBFS) of every demo file; deliberately unbalanced, none clipping."""
_DEMO_RUMBLE_DB = -20.0
_DEMO_RESONANCE = (900.0, 10.0, 8.0)  # Hz, dB, Q


def generate_demo(
    out_dir: str | Path, seconds: float = 24.0, sample_rate: int = 44100, seed: int = 0
) -> list[Path]:
    """Write the demo stems into out_dir and return their paths (deterministic for a seed).

    A small unbalanced session with real-world names, formats and planted problems to fix.
    """
    if seconds < MIN_DEMO_SECONDS:
        raise ValueError(f"the demo needs at least {MIN_DEMO_SECONDS:g} s (got {seconds:g})")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sections = arrangement(seconds, TEMPO)
    stems = {s.name: s for s in DEMO_STEMS}

    def rng(name: str) -> Rng:
        return np.random.default_rng([seed, list(stems).index(name)])

    def args(name: str) -> tuple[int, float, float, Rng, list[str]]:
        return stems[name].sample_rate(sample_rate), seconds, TEMPO, rng(name), sections

    res_hz, res_db, res_q = _DEMO_RESONANCE
    oh = overheads(*args("OH L.wav"))
    render: dict[str, Callable[[], Audio]] = {
        "Kick In.wav": lambda: kick(*args("Kick In.wav")),
        "SN Top.wav": lambda: snare(*args("SN Top.wav")),
        "HH.wav": lambda: hihat(*args("HH.wav")),
        "OH L.wav": lambda: oh[:1],
        "OH R.wav": lambda: oh[1:],
        "Bass DI.flac": lambda: bass(*args("Bass DI.flac")),
        "Gtr DI.wav": lambda: guitar(*args("Gtr DI.wav"), res_hz, res_db, res_q),
        "Rhodes.wav": lambda: rhodes(*args("Rhodes.wav")),
        "Pad.aif": lambda: pad(*args("Pad.aif")),
        "Vox Ld.wav": lambda: lead_vocal(*args("Vox Ld.wav"), melody_seed=seed, rumble_db=_DEMO_RUMBLE_DB),
        "BGV 1.wav": lambda: backing_vocals(*args("BGV 1.wav"), melody_seed=seed),
    }
    paths = []
    for stem in DEMO_STEMS:
        audio = _set_peak(render[stem.name](), stem.peak_dbfs)
        path = out / stem.name
        _write_atomic(path, audio, stem.sample_rate(sample_rate), stem.subtype, stem.format)
        paths.append(path)
    lines = [
        "These are synthesized demo stems from faderpilot's demo.py (generated in code, no",
        "recordings). Regenerate with `faderpilot demo <folder>`.",
        "",
        f"Song: {TEMPO:g} BPM, A minor, {'-'.join(PROGRESSION)}, {seconds:g} s, seed {seed}.",
        f"Form (bars): {', '.join(sections)}.",
        "",
        "The levels are unbalanced on purpose and some tracks carry planted problems:",
    ]
    for s in DEMO_STEMS:
        fmt = f"{s.channels} ch, {s.sample_rate(sample_rate)} Hz, {s.format} {s.subtype}"
        extra = f"  ({s.note})" if s.note else ""
        lines.append(f"  {s.name:<14} {fmt:<30} peak {s.peak_dbfs:+.0f} dBFS{extra}")
    _write_text_atomic(out / "README.txt", "\n".join(lines) + "\n")
    return paths


_SONG_PARTS: tuple[tuple[str, _Synth, int | None, float], ...] = (
    # (name, synth, channel to keep for split pairs, peak dBFS)
    ("Kick", kick, None, -6.0),
    ("Snare", snare, None, -8.0),
    ("HiHat", hihat, None, -14.0),
    ("Toms", toms, None, -10.0),
    ("OH L", overheads, 0, -12.0),
    ("OH R", overheads, 1, -12.0),
    ("Bass", bass, None, -6.0),
    ("Rhodes", rhodes, None, -10.0),
    ("Pad", pad, None, -16.0),
    ("Gtr", guitar, None, -10.0),
    ("Vox", lead_vocal, None, -8.0),
    ("BGV", backing_vocals, None, -14.0),
)


def generate_song(
    out_dir: str | Path,
    n_tracks: int,
    seconds: float,
    sample_rate: int = 48000,
    seed: int = 0,
    subtype: str = "PCM_24",
    mono: bool = True,
    *,
    workers: int | None = None,
) -> list[Path]:
    """Write a larger song of n_tracks WAV stems (instruments cycled, numbered) for benchmarks.

    Tracks are rendered in parallel threads (default: up to 2); each is deterministic per seed.
    """
    if n_tracks < 1:
        raise ValueError("n_tracks must be at least 1")
    if not sf.check_format("WAV", subtype):
        raise ValueError(f"WAV cannot hold subtype {subtype!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sections = arrangement(seconds, TEMPO)
    n_parts = len(_SONG_PARTS)
    width = max(2, len(str(-(-n_tracks // n_parts))))

    def one(i: int) -> Path:
        name, synth, keep, peak = _SONG_PARTS[i % n_parts]
        take = i // n_parts
        # A split pair (OH L/R) renders the same stereo take and keeps one side of it.
        rng = np.random.default_rng([seed, take, n_parts if keep is not None else i % n_parts])
        kwargs = {"melody_seed": seed} if synth in (lead_vocal, backing_vocals) else {}
        audio = synth(sample_rate, seconds, TEMPO, rng, sections, **kwargs)
        if keep is not None:
            audio = audio[keep : keep + 1]
        elif mono and audio.shape[0] > 1:
            audio = audio.mean(axis=0, keepdims=True)
        trim = np.random.default_rng([seed, i, 99]).uniform(-2.0, 2.0)
        path = out / f"{name} {take + 1:0{width}d}.wav"
        _write_atomic(path, _set_peak(audio, peak + trim), sample_rate, subtype, "WAV")
        return path

    n_workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    if n_workers <= 1:
        return [one(i) for i in range(n_tracks)]
    with ThreadPoolExecutor(max_workers=n_workers) as pool:
        return list(pool.map(one, range(n_tracks)))
