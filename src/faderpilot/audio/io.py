"""Reading stems (anything libsndfile reads), resampling with soxr, and atomic WAV writing.

Sources are opened read-only and never modified; every output goes through a temporary file
and an atomic rename so an interrupted run leaves no half-written file.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
from pedalboard.io import AudioFile

from ..filemode import replacing
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
    ".bwf",
    ".au",
    ".opus",
)
#: A float file whose peak is over full scale by more than this (dB) is read scaled down to peak
#: at full scale, and reported (FP-W043): values far over it are not programme a mixer trims
#: (+60 dB and more overflows loudness sums), and gain staging sets the level either way.
FAR_OVER_DB = 6.0


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
    #: (code, text) of what was wrong with the file's contents and how it was read (FP-W042..44).
    notes: list[tuple[str, str]] = field(default_factory=list)


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, streamed (sources are referenced by it in the session)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def declared_frames(path: str | Path) -> int | None:
    """Frames a WAV or AIFF header promises (None for other formats or a header that does not
    say: a streamed WAV's 0 or 0xFFFFFFFF data size, RF64). Compared with what libsndfile reads,
    it tells a file cut off half way (libsndfile reads such a file as a shorter one)."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if len(head) < 12:
                return None
            riff = head[:4] == b"RIFF" and head[8:12] == b"WAVE"
            aiff = head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC")
            if not (riff or aiff):
                return None
            align = 0
            for _ in range(64):  # chunk walk; real files have a handful
                ch = f.read(8)
                if len(ch) < 8:
                    return None
                cid, size = ch[:4], struct.unpack("<I" if riff else ">I", ch[4:])[0]
                if riff and cid == b"fmt ":
                    fmt = f.read(min(size, 16))
                    if len(fmt) >= 14:
                        align = struct.unpack("<H", fmt[12:14])[0]
                    f.seek(size - len(fmt) + (size & 1), os.SEEK_CUR)
                    continue
                if riff and cid == b"data":
                    if not align or size in (0, 0xFFFFFFFF):
                        return None
                    return size // align
                if aiff and cid == b"COMM":
                    comm = f.read(6)
                    return struct.unpack(">I", comm[2:6])[0] if len(comm) == 6 else None
                f.seek(size + (size & 1), os.SEEK_CUR)
    except (OSError, struct.error):
        return None
    return None


def _content_notes(path: Path, audio: np.ndarray, sr: int) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Not-a-number and infinite samples made 0 and far overs scaled to full scale (in this copy
    only), a cut-off file reported; (audio, [(code, text)])."""
    notes: list[tuple[str, str]] = []
    finite = np.isfinite(audio)
    if not finite.all():
        bad = ~finite
        first = int(np.argmax(bad.any(axis=0)))
        audio = np.where(finite, audio, np.float32(0.0)).astype(np.float32)
        notes.append(("FP-W042", message("FP-W042", int(bad.sum()), first / sr)))
    peak = float(np.abs(audio).max()) if audio.size else 0.0
    if peak > 10 ** (FAR_OVER_DB / 20):
        audio = (audio.astype(np.float64) / peak).astype(np.float32)
        peak_db = 20 * np.log10(peak)
        notes.append(("FP-W043", message("FP-W043", peak_db, peak_db)))
    promised = declared_frames(path)
    if promised is not None and promised > audio.shape[1]:
        missing = promised - audio.shape[1]
        notes.append(("FP-W044", message("FP-W044", promised, audio.shape[1], missing / sr)))
    return audio, notes


def read_audio(path: str | Path) -> Loaded:
    """Decode a stem to float32 (channels, frames); AudioReadError with a code when unusable.

    Not-a-number and infinite samples are read as 0, a float file peaking over :data:`FAR_OVER_DB`
    is read scaled to peak at full scale; they and a file cut off half way are listed in ``notes``.
    The file itself is never touched."""
    path = Path(path)
    try:
        info = sf.info(str(path))
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
        sha = sha256_file(path)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as e:
        raise AudioReadError(
            path, "FP-E001", message("FP-E001", str(e).strip() or type(e).__name__)
        ) from None
    except OSError as e:  # gone since it was listed, not permitted, a device error
        raise AudioReadError(path, "FP-E001", message("FP-E001", e.strerror or type(e).__name__)) from None
    if data.shape[0] == 0:
        raise AudioReadError(path, "FP-E002", message("FP-E002"))
    if data.shape[1] not in (1, 2):
        raise AudioReadError(path, "FP-E003", message("FP-E003", data.shape[1]))
    audio, notes = _content_notes(path, np.ascontiguousarray(data.T), int(sr))
    return Loaded(path, audio, int(sr), info.format, info.subtype, sha, notes)


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
    with replacing(path, ".tmp.wav") as tmp:
        if subtype == "FLOAT":
            with AudioFile(tmp, "w", sample_rate, audio.shape[0], bit_depth=32) as f:
                f.write(np.ascontiguousarray(audio, dtype=np.float32))
        else:
            data = np.clip(audio, -1.0, 1.0).T
            sf.write(tmp, data, sample_rate, subtype=subtype, format="WAV")


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
