"""Reading stems (anything libsndfile reads), resampling with soxr, and atomic WAV writing.

Sources are opened read-only and never modified; every output goes through a temporary file
and an atomic rename so an interrupted run leaves no half-written file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
from pedalboard.io import AudioFile

from ..messages import FaderpilotError, UnsafeDestination, message
from ..session.model import Session, Source

#: File endings we try to read as audio; anything else in a stems folder is ignored with a note.
AUDIO_SUFFIXES = (
    ".wav",
    ".wave",
    ".flac",
    ".aif",
    ".aiff",
    ".aifc",
    ".ogg",
    ".oga",
    ".caf",
    ".w64",
    ".rf64",
    ".mp3",
)


class AudioReadError(Exception):
    """A stem that cannot be used; ``code`` is a stable FP- message code, str() names the file."""

    def __init__(self, path: Path, code: str, text: str) -> None:
        super().__init__(f"{path}: {text}")
        self.path = path
        self.code = code
        self.text = text


@dataclass
class Loaded:
    """A decoded stem: float32 audio shaped (channels, frames) plus what the file said of itself."""

    path: Path
    audio: np.ndarray
    sample_rate: int
    format: str
    subtype: str
    sha256: str = ""


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, streamed (sources are referenced by it in the session)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def read_audio(path: str | Path) -> Loaded:
    """Decode a stem to float32 (channels, frames); AudioReadError with a code when unusable."""
    path = Path(path)
    try:
        info = sf.info(str(path))
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as e:
        raise AudioReadError(
            path, "FP-E001", message("FP-E001", str(e).strip() or type(e).__name__)
        ) from None
    if data.shape[0] == 0:
        raise AudioReadError(path, "FP-E002", message("FP-E002"))
    if data.shape[1] not in (1, 2):
        raise AudioReadError(path, "FP-E003", message("FP-E003", data.shape[1]))
    audio = np.ascontiguousarray(data.T)
    if not np.all(np.isfinite(audio)):
        audio = np.nan_to_num(audio, nan=0.0, posinf=1.0, neginf=-1.0)
    return Loaded(path, audio, int(sr), info.format, info.subtype, sha256_file(path))


def resample(audio: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    """Resample (channels, frames) float32 audio with soxr's high-quality setting."""
    if sr_in == sr_out:
        return audio
    out = soxr.resample(audio.T, sr_in, sr_out, quality="HQ")
    return np.ascontiguousarray(np.asarray(out, dtype=np.float32).reshape(-1, audio.shape[0]).T)


def fit_length(audio: np.ndarray, frames: int) -> np.ndarray:
    """Pad with silence (or cut) so the audio is exactly ``frames`` long, starting at 0."""
    n = audio.shape[1]
    if n == frames:
        return audio
    if n > frames:
        return audio[:, :frames]
    out = np.zeros((audio.shape[0], frames), dtype=np.float32)
    out[:, :n] = audio
    return out


def write_wav_atomic(path: str | Path, audio: np.ndarray, sample_rate: int, subtype: str = "PCM_24") -> None:
    """Write (channels, frames) audio as WAV via a temp file and an atomic rename.

    ``PCM_24`` is clipped to full scale first; ``FLOAT`` (32-bit float) keeps overs, so printed
    stems never clip and sum exactly. Float files go through pedalboard's writer, which is
    about 2.5x faster than libsndfile's for (channels, frames) data.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp.wav")
    os.close(fd)
    try:
        if subtype == "FLOAT":
            with AudioFile(tmp, "w", sample_rate, audio.shape[0], bit_depth=32) as f:
                f.write(np.ascontiguousarray(audio, dtype=np.float32))
        else:
            data = np.clip(audio, -1.0, 1.0).T
            sf.write(tmp, data, sample_rate, subtype=subtype, format="WAV")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def safe_filename(name: str, max_len: int = 80) -> str:
    """A file name that every OS and DAW accepts, keeping spaces and unicode letters."""
    bad = '<>:"/\\|?*'
    cleaned = "".join("_" if (c in bad or ord(c) < 32) else c for c in name).strip(" .")
    return (cleaned or "track")[:max_len]


def load_sources(session: Session, workers: int | None = None) -> dict[str, np.ndarray]:
    """The session's sources decoded and aligned as ``mix`` aligns them: the session rate, all
    starting at 0, padded or cut to the session length (source id -> (channels, frames))."""
    sr = session.sample_rate
    frames = int(round(session.length_s * sr))
    workers = workers or min(4, os.cpu_count() or 1)

    def one(src: Source) -> tuple[str, np.ndarray]:
        try:
            x = read_audio(src.path)
        except AudioReadError as e:
            raise FaderpilotError(f"{src.path}: {e.text}") from None
        return src.id, fit_length(resample(x.audio, x.sample_rate, sr), frames)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(one, session.sources))


def check_destination(dest: str | Path, folders: Iterable[str | Path]) -> None:
    """Refuse an output folder that is, or is inside, one of ``folders`` (where the user's
    sources live), so nothing faderpilot writes can land among or over the stems (FP-E005)."""
    out = Path(dest).resolve()
    for folder in folders:
        f = Path(folder).resolve()
        if out == f or f in out.parents:
            raise UnsafeDestination(f"{dest}: {message('FP-E005')}")


def source_folders(session: Session) -> list[Path]:
    """The folders that hold a session's sources (what ``check_destination`` protects)."""
    return sorted({Path(src.path).resolve().parent for src in session.sources})
