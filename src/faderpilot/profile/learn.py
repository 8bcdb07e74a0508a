"""A user's profile: their departures from faderpilot's defaults over all their past songs.

Per quantity (level, pan spread and tilt per role; reverb, compression and master loudness per
song) the profile keeps every song's value, their mean and spread, how many songs agree, and the
value ``mix --profile`` applies: the mean pulled toward the default by how sure it is.

Shrinkage (``decide.shrink``): the per-song spread is pooled with a prior spread ``PRIOR_SPREAD`` worth
``PRIOR_WEIGHT`` songs (so one or two songs cannot claim to be consistent), and the mean is
multiplied by the positive-part James-Stein factor ``max(0, 1 - se^2 / mean^2)`` with
``se = spread / sqrt(n)`` (Efron & Morris, "Stein's estimation rule and its competitors",
JASA 68 (1973) 117-130). A departure that is large and consistent is kept almost whole; one that
is small against its spread, or seen in few songs, goes back toward the default. Master loudness
shrinks toward ``MASTER_PRIOR_LUFS`` instead of zero.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..audio.io import sha256_file
from ..decide import shrink
from ..session.io import write_text_atomic
from ..session.model import Skipped
from ..version import __version__
from .estimate import SongEstimate, SongSkipped, estimate_song
from .songs import find_song, song_folders

FORMAT = "faderpilot-profile"
VERSION = 1
#: Per-song spread assumed before any song is seen, per quantity (its unit), and the most applied.
PRIOR_SPREAD = {
    "level_db": 2.0,
    "pan": 0.25,
    "tilt_db": 2.0,
    "reverb_db": 3.0,
    "compression_lu": 1.5,
    "master_lufs": 2.0,
}
LIMIT = {
    "level_db": 6.0,
    "pan": 0.6,
    "tilt_db": 6.0,
    "reverb_db": 12.0,
    "compression_lu": 4.0,
    "master_lufs": 8.0,
}
#: Per-song scatter (in prior spreads) beyond which a quantity's estimate is not trusted.
UNRELIABLE_SDS = 2.5
#: How many songs' worth of weight the prior spread has.
PRIOR_WEIGHT = 2.0
#: Where master loudness shrinks to: the level streaming services normalise to (Spotify, YouTube:
#: -14 LUFS integrated, per their published loudness-normalisation documentation).
MASTER_PRIOR_LUFS = -14.0


def summarise(values: list[float], quantity: str, centre: float = 0.0) -> dict[str, Any]:
    """Mean, spread, agreement and the shrunk value of one quantity's per-song departures.

    Songs that scatter by more than ``UNRELIABLE_SDS`` prior spreads (sd) are no habit but an
    estimate the fit cannot make for that part (a kick whose level trades off against the
    overheads' bleed swings by 8 dB from song to song): nothing is applied, and ``unreliable``
    says so."""
    stat = shrink.summarise(values, PRIOR_SPREAD[quantity], LIMIT[quantity], centre, PRIOR_WEIGHT)
    if stat["sd"] is not None and stat["sd"] > UNRELIABLE_SDS * PRIOR_SPREAD[quantity]:
        stat.update(value=centre, shrink=0.0, unreliable=True)
    return stat


def aggregate(songs: list[SongEstimate]) -> dict[str, Any]:
    """The learned part of a profile from per-song estimates (pure; used for leave-one-out too)."""
    per_role: dict[str, dict[str, list[float]]] = {"level_db": {}, "pan": {}, "tilt_db": {}}
    for s in songs:
        seen: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for t in s.tracks:
            for q in per_role:
                v = getattr(t, q)
                if v is not None:
                    seen[q][t.role].append(v)
        for q, roles in seen.items():  # one value per song and role: the mean of its tracks
            for role, vs in roles.items():
                per_role[q].setdefault(role, []).append(float(np.mean(vs)))
    out: dict[str, Any] = {
        q: {role: summarise(vs, q) for role, vs in sorted(roles.items())} for q, roles in per_role.items()
    }
    for q, centre in (("reverb_db", 0.0), ("compression_lu", 0.0), ("master_lufs", MASTER_PRIOR_LUFS)):
        vs = [getattr(s, q) for s in songs if getattr(s, q) is not None]
        out[q] = summarise(vs, q, centre) if vs else None
    return out


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def song_record(s: SongEstimate, learned_at: str) -> dict[str, Any]:
    """What a profile discloses about one song it learned from."""
    return {
        "folder": s.folder,
        "name": s.name,
        "learned_at": learned_at,
        "learned_from": s.learned_from,
        "files": s.files,
        "tracks": len(s.tracks),
        "fit_null_db": None if s.fit_null_db is None else round(s.fit_null_db, 2),
    }


def build_profile(songs: list[SongEstimate], left_out: list[Skipped], learned_at: str | None = None) -> dict:
    """A complete profile document from per-song estimates and the songs left out."""
    learned_at = learned_at or _now()
    return {
        "format": FORMAT,
        "version": VERSION,
        "faderpilot": __version__,
        "learned_at": learned_at,
        "method": (
            "Each song: the stems are prepped and decided as `mix` would (the default); the user's "
            "final mix and the default's render are both fitted to the stems with the rough-mix "
            "matcher, or the user's REAPER session is read; departures are user minus default. "
            "Across songs: mean and spread per quantity, shrunk toward the default (James-Stein)."
        ),
        "songs": [song_record(s, learned_at) for s in songs],
        "left_out": [{"folder": k.path, "code": k.code, "message": k.message} for k in left_out],
        "private": "learned on this machine from the songs listed; nothing else, nothing sent anywhere",
        **aggregate(songs),
    }


def learn(
    past_dir: str | Path, workers: int = 2, progress=None
) -> tuple[dict[str, Any], list[SongEstimate], list[Skipped]]:
    """Learn a profile from a folder of past songs: (profile, per-song estimates, songs left out)."""
    folders = song_folders(Path(past_dir).resolve())
    estimates: list[SongEstimate] = []
    left_out: list[Skipped] = []
    for i, folder in enumerate(folders):
        if progress:
            progress(folder.name, i, len(folders))
        song = find_song(folder)
        if isinstance(song, Skipped):
            left_out.append(song)
            continue
        try:
            estimates.append(estimate_song(song, workers))
        except SongSkipped as e:
            left_out.append(e.skipped)
    if progress:
        progress("done", len(folders), len(folders))
    return build_profile(estimates, left_out), estimates, left_out


def save_profile(profile: dict[str, Any], path: str | Path) -> None:
    """Write a profile atomically (JSON, sorted keys, so a diff shows what changed)."""
    write_text_atomic(path, json.dumps(profile, indent=2, sort_keys=True) + "\n")


def load_profile(path: str | Path) -> dict[str, Any]:
    """Read a profile and check it is one; ValueError names the file and the problem."""
    path = Path(path)
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: not a readable profile ({e})") from None
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise ValueError(f'{path}: not a faderpilot profile (no "format": "{FORMAT}")')
    if d.get("version") != VERSION:
        raise ValueError(f"{path}: profile version {d.get('version')!r}; this faderpilot reads {VERSION}")
    return d


def profile_provenance(profile: dict[str, Any], path: str | Path) -> dict[str, Any]:
    """What session.provenance["profile"] records: which profile, from which songs and files."""
    return {
        "path": str(Path(path).resolve()),
        "sha256": sha256_file(path),
        "learned_at": profile.get("learned_at"),
        "songs": [
            {
                "folder": s["folder"],
                "learned_at": s.get("learned_at"),
                "learned_from": s.get("learned_from", []),
                "files": s.get("files", []),
            }
            for s in profile.get("songs", [])
        ],
        "left_out": profile.get("left_out", []),
    }
