"""Which printed stems in OUT_DIR/stems are still current, so an edit re-renders only what changed.

Every time stems are printed, ``OUT_DIR/stems/.printed.json`` records, per strip, a digest of
everything its printed stem depends on: for a track, the strip itself, its source file (SHA-256),
the session's rate, length and pan law and the program's version; for a bus, the bus and the
digests of every strip that feeds it, in the order the renderer sums them. A strip whose digest
is unchanged has its stem on disk bit for bit as a render would make it (float WAV, read back
exactly), so ``rerender`` and the headroom step read it instead of decoding and rendering the
track again. A hand edit of ``session.json`` changes the digest of what it touches and of
everything downstream, so a stale stem is never reused.

Example
-------
>>> from faderpilot.render.printed import current  # doctest: +SKIP
>>> sorted(current(session, "out"))  # strips whose printed stem can be read, not rendered
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, fields, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from pedalboard.io import AudioFile

from ..session.io import write_text_atomic
from ..session.model import Session
from ..version import __version__
from .engine import bus_levels
from .plan import audible_ids
from .plan import build as build_plan

RECORD = ".printed.json"


#: Fields that do not reach the audio (measurements and the reasons for values): left out of
#: the digests, so they cost nothing to hash and never force a render.
NOT_AUDIO = frozenset({"analysis", "decisions", "colour", "role"})


def _plain(strip: Any) -> dict[str, Any]:
    """A strip's fields that shape its audio, as plain data."""
    out = {}
    for f in fields(strip):
        if f.name in NOT_AUDIO:
            continue
        v = getattr(strip, f.name)
        if is_dataclass(v):
            v = asdict(v)
        elif isinstance(v, list | tuple):
            v = [asdict(x) if is_dataclass(x) else x for x in v]
        out[f.name] = v
    return out


def _digest(*parts: object) -> str:
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def fingerprints(session: Session) -> dict[str, str]:
    """Per track and non-master bus id, a digest of everything its printed stem depends on."""
    sr = session.sample_rate
    frames = int(round(session.length_s * sr))
    common = (__version__, sr, frames, asdict(session.pan_law))  # a new renderer prints anew
    sources = {s.id: s.sha256 for s in session.sources}
    audible = audible_ids(session)
    out: dict[str, str] = {}
    for t in session.tracks:
        out[t.id] = _digest(common, _plain(t), sources.get(t.source_id), t.id in audible)
    for level in bus_levels(session):
        for b in level:
            feeds = [out[t.id] for t in session.tracks if t.id in audible and _feeds(t, b.id)]
            buses = [out[a.id] for a in session.buses if a.kind != "master" and a.output == b.id]
            out[b.id] = _digest(common, _plain(b), feeds, buses)
    return out


def _feeds(t, bus_id: str) -> bool:
    return t.output == bus_id or any(s.bus == bus_id for s in t.sends)


def read_record(out_dir: str | Path) -> dict[str, str]:
    """The digests recorded with the stems now in OUT_DIR/stems ({} when there is none)."""
    try:
        rec = json.loads((Path(out_dir) / "stems" / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in rec.items()} if isinstance(rec, dict) else {}


def write_record(out_dir: str | Path, digests: dict[str, str]) -> None:
    """Record which stems in OUT_DIR/stems are current (atomically)."""
    path = Path(out_dir) / "stems" / RECORD
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(dict(sorted(digests.items())), indent=1) + "\n")


def reader(path: Path) -> Callable[[], np.ndarray]:
    """A function that reads a printed stem back as (channels, frames) float32, bit for bit."""

    def read() -> np.ndarray:
        with AudioFile(str(path)) as f:  # pedalboard's reader: (channels, frames), 2x libsndfile's speed
            return np.ascontiguousarray(f.read(f.frames), dtype=np.float32)

    return read


def current(session: Session, out_dir: str | Path) -> dict[str, Callable[[], np.ndarray]]:
    """Strip id -> reader, for every strip whose printed stem in OUT_DIR is current."""
    rec = read_record(out_dir)
    if not rec:
        return {}
    frames = int(round(session.length_s * session.sample_rate))
    paths = build_plan(session).stem_paths(Path(out_dir))
    out = {}
    for sid, fp in fingerprints(session).items():
        p = paths.get(sid)
        if p is None or rec.get(sid) != fp or not p.exists():
            continue
        try:
            info = sf.info(str(p))
        except (OSError, RuntimeError):
            continue
        if info.frames == frames and info.channels == 2 and info.subtype == "FLOAT":
            out[sid] = reader(p)
    return out
