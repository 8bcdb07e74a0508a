"""Synthetic "users": past songs mixed with a known taste, as a person would hand them to ``learn``.

Each song is the demo arrangement with another seed and its stems scrambled by up to +-6 dB. The
user's mix starts from what faderpilot decides for those stems and departs from it by the taste
(per role: level dB, |pan| change, a high shelf for tone; song-wide: reverb send dB, compressor
threshold dB) plus per-track noise, is rendered by faderpilot's engine and brought to the user's
master loudness. The truth (each track's trim + fader + group fader in the user's session) is
kept to score a mix against.
"""

from __future__ import annotations

import copy
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from faderpilot.analysis.loudness import integrated_loudness
from faderpilot.audio.io import read_audio, write_wav_atomic
from faderpilot.decide import context, decide
from faderpilot.decide.dynamics import compressor_levels, makeup_for
from faderpilot.demo import generate_demo
from faderpilot.pipeline import prep
from faderpilot.render.engine import render
from faderpilot.session.model import Processor, Session

SECONDS = 8.0
#: The songs' rate: low, so eight songs learn in seconds (tilt is measured up to 8 kHz).
RATE = 22050


@dataclass
class Taste:
    """A user's departures from the default (None/0 = none)."""

    level_db: dict[str, float] = field(default_factory=dict)
    pan: dict[str, float] = field(default_factory=dict)
    shelf_db: dict[str, float] = field(default_factory=dict)  # high shelf at 3 kHz
    reverb_db: float = 0.0
    threshold_db: float = 0.0
    master_lufs: float = -12.0
    noise_db: float = 0.4


def gains(session: Session) -> dict[str, float]:
    """Track name -> the level the session gives its source: trim + fader + group bus fader."""
    buses = {b.id: b for b in session.buses}
    out = {}
    for t in session.tracks:
        if t.mute:
            continue
        b = buses.get(t.output)
        out[t.name] = t.trim_db + t.fader_db + (b.fader_db if b is not None and b.kind == "group" else 0.0)
    return out


def balance_error(ours: dict[str, float], truth: dict[str, float]) -> float:
    """Mean absolute per-track level error (dB) with the common offset (median) removed."""
    names = sorted(set(ours) & set(truth))
    d = np.array([ours[n] - truth[n] for n in names])
    return float(np.mean(np.abs(d - np.median(d))))


def default_for(stems: Path) -> tuple[Session, object]:
    """What faderpilot decides for a folder of stems (and the context it decided from)."""
    p = prep(stems, None, workers=2)
    ctx = context(p.session, p.analyses)
    decide(p.session, ctx)
    return p.session, (ctx, p.audio)


def user_session(default: Session, ctx, taste: Taste, rng: np.random.Generator) -> Session:
    """The user's session: the default with the taste and some per-track noise. A changed
    compressor threshold gets the makeup that keeps the track's loudness, as a mixer would."""
    s = copy.deepcopy(default)
    for t in s.tracks:
        role = t.role.value
        t.fader_db += taste.level_db.get(role, 0.0) + float(rng.normal(0.0, taste.noise_db))
        if abs(t.pan) > 0.05 and role in taste.pan:
            t.pan = float(np.sign(t.pan) * np.clip(abs(t.pan) + taste.pan[role], 0.05, 1.0))
        if taste.shelf_db.get(role):
            t.chain.append(
                Processor(
                    "user_shelf",
                    "high_shelf",
                    {"freq_hz": 3000.0, "gain_db": taste.shelf_db[role], "q": 0.707},
                )
            )
        for sd in t.sends:
            sd.level_db += taste.reverb_db
        for p in t.chain:
            if p.kind == "compressor" and taste.threshold_db:
                thr = p.params["threshold_db"] + taste.threshold_db
                levels = compressor_levels(ctx.analyses[t.id], t.trim_db)
                p.params = dict(
                    p.params, threshold_db=thr, makeup_db=makeup_for(levels, thr, p.params["ratio"])
                )
    return s


@dataclass
class Song:
    """One synthetic past song: its folder, the default decided for it and the user's truth."""

    folder: Path
    default: Session
    ctx: object
    user: Session


def make_stems(root: Path, seed: int, sample_rate: int = RATE) -> Path:
    """The demo arrangement for a seed with every stem scrambled by up to +-6 dB (float WAV)."""
    rng = np.random.default_rng(1000 + seed)
    raw = root / f"_raw{seed:02d}"
    generate_demo(raw, seconds=SECONDS, seed=seed, sample_rate=sample_rate)
    stems = root / f"_stems{seed:02d}"
    stems.mkdir(parents=True)
    for f in sorted(raw.iterdir()):
        if f.suffix.lower() in (".wav", ".flac", ".aif"):
            x = read_audio(f)
            y = x.audio * np.float32(10 ** (rng.uniform(-6, 6) / 20))
            write_wav_atomic(stems / f"{f.stem}.wav", y, x.sample_rate, subtype="FLOAT")
    return stems


def make_song(folder: Path, stems_src: Path, taste: Taste, seed: int, mix: bool = True) -> Song:
    """Write one past song (stems/ and, with ``mix``, the user's mix.wav) mixed with ``taste``."""
    rng = np.random.default_rng(seed)
    shutil.copytree(stems_src, folder / "stems")
    default, (ctx, audio) = default_for(folder / "stems")
    user = user_session(default, ctx, taste, rng)
    if mix:
        out = render(user, audio, workers=2).mix
        lufs = integrated_loudness(out, user.sample_rate)
        target = taste.master_lufs + float(rng.normal(0.0, 0.5))
        gain = np.float32(10 ** ((target - lufs) / 20))
        write_wav_atomic(folder / "mix.wav", out * gain, user.sample_rate, "FLOAT")
    return Song(folder, default, ctx, user)
