"""Audio that DAW exports reference: each track's source at the session rate, aligned at 0.

Exports never point into the user's stems folder: they get their own copies, named after the
track, written atomically next to the session file so the folder can be moved or zipped. Within
one run the exports share one copy: a file written for one DAW is hard-linked for the next (a copy
where the file system has no hard links), and read back instead of decoding the source again.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from ..audio.io import fit_length, read_audio, resample, safe_filename, write_wav_atomic
from ..filemode import replacing
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


#: Media files written in this process: what they hold -> (path, the file's identity when written).
_WRITTEN: dict[tuple, tuple[Path, tuple[int, int, int, int]]] = {}


def _key(session: Session, track: Track, subtype: str) -> tuple:
    frames = int(round(session.length_s * session.sample_rate))
    return (str(track.source), session.sample_rate, frames, track.channels, subtype)


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def written_media(session: Session, track: Track, subtype: str = "FLOAT") -> Path | None:
    """A media file of this track already written in this run and unchanged since (or None)."""
    hit = _WRITTEN.get(_key(session, track, subtype))
    if hit is None:
        return None
    path, ident = hit
    return path if _identity(path) == ident else None


def _remember(session: Session, track: Track, subtype: str, path: Path) -> None:
    ident = _identity(path)
    if ident is not None:
        _WRITTEN[_key(session, track, subtype)] = (path, ident)


def relocated(old_root: Path, new_root: Path) -> None:
    """Media written under ``old_root`` now live under ``new_root`` (an export's folder renamed)."""
    for key, (path, _) in list(_WRITTEN.items()):
        try:
            rel = path.relative_to(old_root)
        except ValueError:
            continue
        moved = new_root / rel
        ident = _identity(moved)
        if ident is None:
            del _WRITTEN[key]
        else:
            _WRITTEN[key] = (moved, ident)


def _link_atomic(src: Path, dest: Path) -> None:
    """``dest`` becomes a hard link to ``src`` (a copy across file systems), swapped in atomically."""
    try:
        if os.path.samefile(src, dest):
            return  # already this file (renaming a link over itself would leave the temp name)
    except OSError:
        pass
    with replacing(dest, ".tmp.wav") as tmp:
        os.unlink(tmp)  # a link needs a free name
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copyfile(src, tmp)


def write_media(session: Session, dest: Path, subtype: str = "FLOAT") -> dict[str, Path]:
    """Write every track's source audio into ``dest`` (hard-linked to this run's copy when one
    exists); returns track id -> file path."""
    dest.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for i, t in enumerate(session.tracks, 1):
        p = dest / media_name(i, t)
        have = written_media(session, t, subtype)
        if have is not None and have.resolve() != p.resolve():
            _link_atomic(have, p)
        else:
            write_wav_atomic(p, track_audio(session, t), session.sample_rate, subtype)
            _remember(session, t, subtype, p)
        out[t.id] = p
    return out


def song_file(session: Session, out_dir: str | Path, suffix: str) -> Path:
    """Where a single-file DAW session goes: OUT_DIR/<song><suffix>, the song's name made safe
    for every file system ("session" when it has none)."""
    return Path(out_dir) / f"{safe_filename(session.name) or 'session'}{suffix}"
