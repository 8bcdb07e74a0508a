"""Reading a user's REAPER session (``.RPP``): per track, the level and pan it gives the file it plays.

Only what every REAPER project states in plain text is read: track ``VOLPAN`` (linear volume, pan
-1..1, pan law), ``MUTESOLO``, folder nesting (``ISBUS``: a folder's volume applies to the tracks
inside it), and each item's take volume and source file. Plugin settings are opaque binary state
in most projects, so tone, compression and reverb are learned from a final mix instead. Parsing
uses the ``rpp`` package. The level is expressed in faderpilot's pan law (constant power for
mono tracks), so it compares with a session's ``trim_db + fader_db``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import rpp
import soundfile as sf

#: REAPER's default pan law (gain at centre) when a track says -1 ("project default"): 0 dB.
DEFAULT_LAW = 1.0


@dataclass
class DawTrack:
    """One REAPER track that plays audio: its total level in dB, pan, mute and the files it plays."""

    name: str
    gain_db: float
    pan: float
    mute: bool
    files: list[Path] = field(default_factory=list)


def _fields(el: rpp.Element, key: str) -> list[str] | None:
    for c in el.children:
        if isinstance(c, list) and c and c[0] == key:
            return [str(x) for x in c[1:]]
    return None


def _float(values: list[str] | None, i: int, default: float) -> float:
    try:
        return float(values[i]) if values is not None and len(values) > i else default
    except ValueError:
        return default


def _sources(item: rpp.Element) -> list[str]:
    out = []
    for src in item.findall(".//SOURCE"):
        f = _fields(src, "FILE")
        if f:
            out.append(f[0])
    return out


def _channels(files: list[Path]) -> int:
    for f in files:
        try:
            return sf.info(str(f)).channels
        except (sf.LibsndfileError, RuntimeError, OSError):
            continue
    return 1


def read_rpp(path: str | Path) -> list[DawTrack]:
    """The audio tracks of a REAPER project with their levels in faderpilot's terms.

    Raises ValueError naming the file when it is not a REAPER project."""
    path = Path(path)
    try:
        root = rpp.loads(path.read_text(encoding="utf-8", errors="replace"))
    except Exception as e:  # the rpp parser raises bare exceptions on malformed text
        raise ValueError(f"{path}: not a readable REAPER project ({e})") from None
    if getattr(root, "tag", None) != "REAPER_PROJECT":
        raise ValueError(f"{path}: not a REAPER project (no REAPER_PROJECT block)")
    tracks: list[DawTrack] = []
    folders: list[float] = []  # dB of each enclosing folder track
    for tr in root.findall("TRACK"):
        vp = _fields(tr, "VOLPAN")
        vol, pan, law = _float(vp, 0, 1.0), _float(vp, 1, 0.0), _float(vp, 2, -1.0)
        law = DEFAULT_LAW if law <= 0 else law
        mute = _float(_fields(tr, "MUTESOLO"), 0, 0.0) != 0.0
        name_f = _fields(tr, "NAME")
        name = name_f[0] if name_f else ""
        own_db = 20 * math.log10(max(vol, 1e-9))
        items = tr.findall("ITEM")
        if items:
            it = items[0]
            take = _fields(it, "VOLPAN")
            item_vol = _float(_fields(it, "VOLUME"), 0, 1.0)
            take_gain = _float(take, 0, 1.0) * _float(take, 2, 1.0) * item_vol
            files = [
                (path.parent / f).resolve() if not Path(f).is_absolute() else Path(f) for f in _sources(it)
            ]
            # a mono source panned with law L is, in faderpilot's constant-power law, L / sqrt(1/2)
            # louder; a stereo source is balanced, unity at centre under any law
            law_db = 20 * math.log10(law / math.sqrt(0.5)) if _channels(files) == 1 else 0.0
            gain = own_db + sum(folders) + 20 * math.log10(max(take_gain, 1e-9)) + law_db
            tracks.append(DawTrack(name, gain, max(-1.0, min(1.0, pan)), mute, files))
        isbus = _fields(tr, "ISBUS")
        kind, depth = int(_float(isbus, 0, 0)), int(_float(isbus, 1, 0))
        if kind == 1 and depth == 1:
            folders.append(own_db)
        elif depth < 0:
            del folders[len(folders) + depth :]
    return tracks
