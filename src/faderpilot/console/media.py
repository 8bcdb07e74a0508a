"""Audio the console serves besides the printed stems: the waveform overview of mix.wav, the
producer's rough lined up with the session, and the assistant's mix before any note or edit.

Derived files are cached under OUT_DIR/console/ and keyed by what they were made from, so they
are rebuilt only when their inputs change.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from ..analysis.loudness import integrated_loudness
from ..audio.io import load_sources, write_wav_atomic
from ..messages import FaderpilotError
from ..prompt.history import undo
from ..render.engine import render
from ..session.io import dumps
from ..session.model import Session

#: Folder under OUT_DIR for the console's derived audio.
CACHE = "console"


class MediaError(Exception):
    """Audio the console cannot serve; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _cached(out_dir: Path, name: str, key: str) -> Path | None:
    """The cached file when its recorded key matches, else None."""
    path, meta = out_dir / CACHE / name, out_dir / CACHE / f"{name}.json"
    try:
        if path.is_file() and json.loads(meta.read_text(encoding="utf-8")).get("key") == key:
            return path
    except (OSError, ValueError):
        pass
    return None


def _store(out_dir: Path, name: str, key: str, audio: np.ndarray, sr: int, what: dict[str, Any]) -> Path:
    path = out_dir / CACHE / name
    write_wav_atomic(path, audio, sr, subtype="FLOAT")
    (out_dir / CACHE / f"{name}.json").write_text(
        json.dumps({"key": key, **what}, indent=2), encoding="utf-8"
    )
    return path


def overview(path: Path, n: int = 1000) -> dict[str, Any]:
    """Peak and RMS per slice of a mix (n slices, both channels together), for the waveform."""
    x, sr = sf.read(str(path), dtype="float32", always_2d=True)
    a = np.abs(x).max(axis=1) if x.size else np.zeros(0, dtype=np.float32)
    n = max(1, min(int(n), max(1, a.size)))
    edges = np.linspace(0, a.size, n + 1).astype(int)
    peaks, rms = [], []
    sq = (x.astype(np.float64) ** 2).mean(axis=1)
    for i in range(n):
        s, e = edges[i], max(edges[i + 1], edges[i] + 1)
        peaks.append(round(float(a[s:e].max()) if e <= a.size else 0.0, 4))
        rms.append(round(float(np.sqrt(sq[s:e].mean())) if e <= a.size else 0.0, 4))
    return {"n": n, "length_s": a.size / sr if sr else 0.0, "peak": peaks, "rms": rms}


def levels(path: Path) -> dict[str, float | None]:
    """Integrated loudness (LUFS) and sample peak (dBFS) of a printed file; None where silent or
    unreadable. A peak at full scale means the 24-bit mix.wav clipped."""
    try:
        x, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except (OSError, RuntimeError, sf.LibsndfileError):
        return {"lufs": None, "peak_db": None}
    v = integrated_loudness(x.T, sr)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    return {
        "lufs": round(float(v), 2) if np.isfinite(v) else None,
        "peak_db": round(20 * float(np.log10(peak)), 2) if peak > 0 else None,
    }


def rough_aligned(session: Session, out_dir: Path) -> Path:
    """The producer's rough (the path the document's provenance names) on the session timeline:
    at the session rate, shifted by the matched offset, stereo, the session's length."""
    from ..match.rough import align
    from ..match.session import load_rough

    r = session.provenance.get("rough") or {}
    if not r.get("path"):
        raise MediaError(
            404, "this session was not fitted to a rough mix (no provenance.rough in session.json)"
        )
    src = Path(r["path"])
    try:
        st = src.stat()
    except OSError:
        raise MediaError(404, f"{src}: the rough mix named in session.json is not there any more") from None
    sr = session.sample_rate
    offset = int(r.get("offset_samples", round(float(r.get("offset_s", 0.0)) * sr)))
    frames = int(round(session.length_s * sr))
    key = _key(str(src), st.st_mtime_ns, st.st_size, offset, sr, frames)
    if (hit := _cached(out_dir, "rough.wav", key)) is not None:
        return hit
    try:
        audio, _ = load_rough(src, sr)
    except Exception as e:  # unreadable, too many channels: say so, naming the file
        raise MediaError(422, f"{src}: cannot read the rough mix ({e})") from None
    placed = align(audio, offset, frames)
    if placed.shape[0] == 1:
        placed = np.vstack([placed, placed])
    return _store(out_dir, "rough.wav", key, placed, sr, {"source": str(src), "offset_samples": offset})


def assistant_session(session: Session) -> tuple[Session, int]:
    """The document as the assistant left it: every note and console edit undone (in memory), and
    how many were undone."""
    n = 0
    while True:
        before, entry = undo(session)
        if entry is None:
            return session, n
        session, n = before, n + 1


def assistant_mix(session: Session, out_dir: Path, workers: int | None = None) -> Path:
    """The assistant's mix (before any note or edit by hand), rendered once and cached."""
    original, undone = assistant_session(session)
    key = _key(dumps(original))
    if (hit := _cached(out_dir, "assistant.wav", key)) is not None:
        return hit
    try:
        audio = load_sources(original, workers)
    except FaderpilotError as e:
        raise MediaError(422, f"cannot render the assistant's mix: {e}") from None
    mixed = render(original, audio, workers=workers or 2).mix
    return _store(out_dir, "assistant.wav", key, mixed, original.sample_rate, {"undone": undone})
