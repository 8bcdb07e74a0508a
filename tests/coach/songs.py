"""User mixes with known departures, made from the demo stems with the project's renderer."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

from faderpilot.audio.io import write_wav_atomic
from faderpilot.coach.fit import Assistant
from faderpilot.demo import arrangement, bass, kick, lead_vocal, rhodes, snare
from faderpilot.render.engine import render
from faderpilot.session.model import Processor, Session

SECONDS = 8.0
SR = 44100
#: The planted departures: vocal -6 dB, bass +4 dB, guitar +6 dB at 300 Hz, all centre, reverb +8 dB.
VOCAL_DB, BASS_DB, GTR_DB, GTR_HZ, REVERB_DB = -6.0, 4.0, 6.0, 300.0, 8.0


def by_role(s: Session, role: str):
    """The track of a role."""
    return next(t for t in s.tracks if t.role.value == role)


def departed(a: Assistant) -> Session:
    """The assistant's session with the five planted departures."""
    s = copy.deepcopy(a.session)
    by_role(s, "lead_vocal").fader_db += VOCAL_DB
    by_role(s, "bass").fader_db += BASS_DB
    by_role(s, "electric_guitar").chain.append(
        Processor("user", "peak", {"freq_hz": GTR_HZ, "gain_db": GTR_DB, "q": 1.0})
    )
    for t in s.tracks:
        t.pan = 0.0
    s.bus("reverb").fader_db += REVERB_DB
    return s


def write_mix(s: Session, a: Assistant, path: Path) -> Path:
    """Render a session with the project's renderer and write it as the user's bounce."""
    write_wav_atomic(path, render(s, a.audio).mix, s.sample_rate, "FLOAT")
    return path


def other_song(path: Path, seconds: float = SECONDS, sr: int = SR) -> Path:
    """A mix of another song (other tempo, other parts, other seed)."""
    sections = arrangement(seconds, 131.0)
    parts = []
    for k, synth in enumerate((kick, snare, bass, rhodes, lead_vocal)):
        rng = np.random.default_rng([7, k])
        kw = {"melody_seed": 5} if synth is lead_vocal else {}
        x = synth(sr, seconds, 131.0, rng, sections, **kw)
        parts.append(
            np.broadcast_to(x, (2, x.shape[1])) * np.float32(0.2 / max(float(np.max(np.abs(x))), 1e-9))
        )
    write_wav_atomic(path, np.sum(parts, axis=0).astype(np.float32), sr, "FLOAT")
    return path
