"""Audio that DAW exports reference: each track's source at the session rate, aligned at 0.

Exports never point into the user's stems folder: they get their own copies, named after the
track, written atomically next to the session file so the folder can be moved or zipped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..audio.io import fit_length, read_audio, resample, safe_filename, write_wav_atomic
from ..session.model import Session, Track


def track_audio(session: Session, track: Track) -> np.ndarray:
    """A track's source audio at the session rate, as long as the session (channels, frames)."""
    x = read_audio(track.source)
    a = resample(x.audio, x.sample_rate, session.sample_rate)
    a = fit_length(a, int(round(session.length_s * session.sample_rate)))
    if track.channels == 1 and a.shape[0] == 2:  # as render_track does: a stereo file used as mono
        a = a.mean(axis=0, keepdims=True, dtype=np.float32)
    return a


def media_name(index: int, track: Track) -> str:
    """File name of a track's media in an export ("03_Snr Btm.wav")."""
    return f"{index:02d}_{safe_filename(track.name)}.wav"


def write_media(session: Session, dest: Path, subtype: str = "FLOAT") -> dict[str, Path]:
    """Write every track's source audio into ``dest``; returns track id -> file path."""
    dest.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for i, t in enumerate(session.tracks, 1):
        p = dest / media_name(i, t)
        write_wav_atomic(p, track_audio(session, t), session.sample_rate, subtype)
        out[t.id] = p
    return out


def song_file(session: Session, out_dir: str | Path, suffix: str) -> Path:
    """Where a single-file DAW session goes: OUT_DIR/<song><suffix>, the song's name made safe
    for every file system ("session" when it has none)."""
    return Path(out_dir) / f"{safe_filename(session.name) or 'session'}{suffix}"
