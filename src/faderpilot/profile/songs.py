"""Finding a user's past songs: per song folder, its stems, its final mix and its DAW session.

A song folder holds its stems and at least one of:

- the user's final mix, a stereo audio file: when the stems sit in a ``stems/`` subfolder, any
  audio file beside that folder; otherwise the audio file whose name says mix, master, final or
  bounce (``Song final mix.wav``, ``master.flac``);
- the user's REAPER session (``*.RPP``), read by :mod:`faderpilot.profile.reaper`.

PAST_DIR is either a folder of such song folders or one song folder itself. Anything that does
not fit is reported by name with a stable code and left out; the other songs are learned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..audio.io import AUDIO_SUFFIXES, sha256_file
from ..messages import message
from ..session.model import Skipped

#: Words that name a file as the song's final mix (whole words of its name).
MIX_WORDS = ("mix", "master", "mastered", "final", "bounce", "print")
#: DAW sessions faderpilot reads, and ones it recognises but cannot read yet.
READABLE_SESSIONS = (".rpp",)
UNREAD_SESSIONS = (".ardour", ".dawproject", ".cpr", ".logicx", ".als", ".ptx", ".song", ".bwproject")


@dataclass
class PastSong:
    """One past song: where its stems are, which files are the mix and the DAW session."""

    folder: Path
    stems_dir: Path
    mix: Path | None = None
    daw: Path | None = None
    exclude: tuple[Path, ...] = ()  # files in stems_dir that are not stems (the mix)
    files: list[dict[str, str]] = field(default_factory=list)  # filled by :func:`fingerprint`


def _audio(folder: Path) -> list[Path]:
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),
        key=lambda p: p.name.lower(),
    )


def _names_a_mix(path: Path) -> bool:
    words = re.split(r"[^a-z0-9]+", path.stem.lower())
    return any(w in MIX_WORDS for w in words)


def song_folders(past_dir: Path) -> list[Path]:
    """The song folders under PAST_DIR (sorted), or PAST_DIR itself when it is one song."""
    if not past_dir.is_dir():
        raise FileNotFoundError(f"{past_dir}: not a folder of past songs")
    subs = sorted(
        (p for p in past_dir.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != "stems"),
        key=lambda p: p.name.lower(),
    )
    here = [p for p in _audio(past_dir) if p.suffix.lower() in AUDIO_SUFFIXES]
    if (past_dir / "stems").is_dir() or (here and not subs):
        return [past_dir]
    return subs


def find_song(folder: Path) -> PastSong | Skipped:
    """The stems, mix and DAW session of one song folder, or why it cannot be learned from."""
    files = _audio(folder)
    daws = [p for p in files if p.suffix.lower() in READABLE_SESSIONS]
    unread = [p for p in files if p.suffix.lower() in UNREAD_SESSIONS]
    audio = [p for p in files if p.suffix.lower() in AUDIO_SUFFIXES]
    if (folder / "stems").is_dir():
        stems_dir, candidates = folder / "stems", audio
    else:
        stems_dir, candidates = folder, [p for p in audio if _names_a_mix(p)]
    if len(candidates) > 1:
        exact = [p for p in candidates if p.stem.lower() in MIX_WORDS]
        candidates = exact if len(exact) == 1 else candidates
    if len(candidates) > 1:
        names = ", ".join(p.name for p in candidates)
        return Skipped(str(folder), "FP-W031", message("FP-W031", len(candidates), names))
    mix = candidates[0] if candidates else None
    daw = daws[0] if daws else None
    if mix is None and daw is None:
        extra = (
            f"; {', '.join(p.name for p in unread)} cannot be read yet, add the final mix" if unread else ""
        )
        return Skipped(str(folder), "FP-W030", message("FP-W030", extra))
    exclude = (mix,) if mix is not None and stems_dir == folder else ()
    return PastSong(folder, stems_dir, mix, daw, exclude)


def fingerprint(song: PastSong, stems: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Every file a song was learned from, relative to its folder, with its SHA-256.

    ``stems`` are (path, sha256) pairs already hashed when they were read."""
    out = [{"path": str(Path(p).relative_to(song.folder)), "sha256": h} for p, h in stems]
    for extra in (song.mix, song.daw):
        if extra is not None:
            out.append({"path": str(extra.relative_to(song.folder)), "sha256": sha256_file(extra)})
    return sorted(out, key=lambda f: f["path"])
