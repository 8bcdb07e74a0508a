"""The songs of a batch: which folders are songs, the options each is mixed with, what each
needs (CPUs, memory) and the hash of everything that decides its output (to skip unchanged songs).

Layout of SONGS_DIR: one folder per song. A song's stems are the audio files in ``SONG/stems/``
when that folder exists (then ``SONG/rough.*`` beside it is the producer's rough), else the audio
files in ``SONG/`` itself. Options come from ``faderpilot.toml`` (or ``faderpilot.json``): one in
SONGS_DIR for every song, one in a song folder for that song; paths in them are relative to the file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..audio.io import AUDIO_SUFFIXES
from ..messages import FaderpilotError
from ..version import __version__

#: the options a batch or song file may set (the same as ``faderpilot mix`` takes)
OPTION_KEYS = ("rough", "template", "profile", "target_lufs", "sample_rate")
PATH_KEYS = ("rough", "template", "profile")
CONFIG_NAMES = ("faderpilot.toml", "faderpilot.json")

#: what a song's mix holds in memory beyond its decoded audio: the interpreter, numpy, scipy,
#: pedalboard, matplotlib and a Ray worker's own libraries (a reused worker keeps some)
BASE_MEMORY = 1000 * 2**20
#: memory per byte of decoded source audio (float32): the sources, each track's rendered stereo
#: stem, the buses, analyses. benchmarks/bench_batch.py, 12 mono tracks x 2 min (276 MB
#: decoded): a single mix peaks at 1.24-1.39 GB, a Ray worker that mixed 4 such songs in turn at
#: up to 1.99 GB; this asks 2.1 GB
MEMORY_PER_AUDIO_BYTE = 4.0
#: tracks per CPU a song asks for: a song's threads render one track each, but a song on one
#: core wastes nothing while two songs share two cores (benchmarks/bench_batch.py), so only a
#: large song asks for more
TRACKS_PER_CPU = 16


class BatchError(FaderpilotError):
    """A batch that cannot start (no songs folder, a bad options file)."""


@dataclass
class SongJob:
    """One song of a batch: where it is, where it goes, how it is mixed and what it needs."""

    name: str
    song_dir: str
    stems_dir: str
    out_dir: str
    options: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    cpus: int = 1
    memory: int = BASE_MEMORY
    tracks: int = 0
    error: str | None = None  # a song that cannot be mixed as laid out (not run)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (what is shipped to a worker)."""
        return asdict(self)


def read_config(path: Path) -> dict[str, Any]:
    """The options in a faderpilot.toml / faderpilot.json, paths made absolute (FP-E080 when
    the file cannot be read, FP-E081 for a key or value it may not hold)."""
    from ..messages import message

    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as e:
        raise BatchError(f"{message('FP-E080', path, e)} [FP-E080]") from e
    if not isinstance(data, dict):
        raise BatchError(f"{message('FP-E081', path, 'the file', 'a table of options')} [FP-E081]")
    out: dict[str, Any] = {}
    for k, v in data.items():
        if k not in OPTION_KEYS:
            raise BatchError(f"{message('FP-E081', path, k, 'one of ' + ', '.join(OPTION_KEYS))} [FP-E081]")
        if k in PATH_KEYS:
            if not isinstance(v, str) or not v:
                raise BatchError(f"{message('FP-E081', path, k, 'a path')} [FP-E081]")
            out[k] = str((path.parent / v).resolve())
        elif k == "sample_rate":
            if not isinstance(v, int) or isinstance(v, bool) or not 8000 <= v <= 384000:
                raise BatchError(f"{message('FP-E081', path, k, 'a rate in Hz (8000..384000)')} [FP-E081]")
            out[k] = v
        else:
            ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and -70 <= v <= 0
            if not ok:
                raise BatchError(f"{message('FP-E081', path, k, 'LUFS between -70 and 0')} [FP-E081]")
            out[k] = float(v)
    return out


def _config_in(folder: Path) -> dict[str, Any]:
    """The options file in a folder (the first of CONFIG_NAMES found), or nothing."""
    for name in CONFIG_NAMES:
        if (folder / name).is_file():
            return read_config(folder / name)
    return {}


def _audio_files(folder: Path) -> list[Path]:
    """Audio files directly in a folder, sorted as ``find_stems`` sorts them."""
    return sorted(
        (p for p in folder.iterdir() if not p.name.startswith(".") and p.is_file() and _is_audio(p)),
        key=lambda p: p.name.lower(),
    )


def _is_audio(p: Path) -> bool:
    return p.suffix.lower() in AUDIO_SUFFIXES


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def song_key(stems_dir: Path, options: dict[str, Any]) -> str:
    """The hash of everything that decides a song's output: the program version, every entry of
    the stems folder (names, and the bytes of files), and the options with the bytes of the
    files they name. Equal keys: the output written before is what a new mix would write."""
    h = hashlib.sha256()
    h.update(f"faderpilot {__version__}\n".encode())
    for p in sorted(stems_dir.iterdir(), key=lambda p: p.name):
        if p.is_file():
            h.update(f"file {p.name} {file_sha256(p)}\n".encode())
        else:
            h.update(f"entry {p.name} {'dir' if p.is_dir() else 'other'}\n".encode())
    for k in sorted(options):
        v = options[k]
        if k in PATH_KEYS and Path(v).is_file():
            v = f"{v} {file_sha256(Path(v))}"
        h.update(f"option {k} {v}\n".encode())
    return h.hexdigest()


def needs(stems: list[Path], max_cpus: int) -> tuple[int, int, int]:
    """(CPUs, memory in bytes, tracks) a song asks for, from its files' headers (nothing decoded):
    one CPU per TRACKS_PER_CPU tracks up to ``max_cpus``; memory from the decoded audio size."""
    import soundfile as sf

    audio_bytes, tracks = 0, 0
    for p in stems:
        try:
            info = sf.info(str(p))
        except (RuntimeError, OSError, ValueError):
            continue  # unreadable: the mix reports it; it costs nothing
        tracks += 1
        audio_bytes += info.frames * info.channels * 4
    cpus = max(1, min(max_cpus, math.ceil(tracks / TRACKS_PER_CPU)))
    return cpus, int(BASE_MEMORY + MEMORY_PER_AUDIO_BYTE * audio_bytes), tracks


def discover(
    songs_dir: str | Path,
    out_dir: str | Path,
    options: dict[str, Any] | None = None,
    *,
    max_cpus: int = 4,
) -> list[SongJob]:
    """Every song folder under SONGS_DIR as a job (sorted by name). ``options`` (from the command
    line) apply to every song; a song's own file overrides them, and they override SONGS_DIR's
    file. A folder laid out so that it cannot be mixed carries its ``error`` (not run)."""
    from ..messages import message

    songs_dir, out_dir = Path(songs_dir).resolve(), Path(out_dir).resolve()
    if not songs_dir.is_dir():
        raise BatchError(f"{message('FP-E082', songs_dir)} [FP-E082]")
    batch_wide = {**_config_in(songs_dir), **{k: v for k, v in (options or {}).items() if v is not None}}
    jobs = []
    for d in sorted(songs_dir.iterdir(), key=lambda p: p.name):
        if d.name.startswith(".") or not d.is_dir() or d.resolve() == out_dir:
            continue
        opts = {**batch_wide, **_config_in(d)}
        stems_dir = d / "stems" if (d / "stems").is_dir() else d
        job = SongJob(d.name, str(d), str(stems_dir), str(out_dir / d.name), opts)
        roughs = [p for p in _audio_files(d) if p.stem.lower() == "rough"]
        if stems_dir == d and roughs:
            job.error = f"{message('FP-E083', roughs[0])} [FP-E083]"
        elif roughs and "rough" not in opts:
            opts["rough"] = str(roughs[0].resolve())
        job.options = {k: opts[k] for k in sorted(opts)}
        job.cpus, job.memory, job.tracks = needs(_audio_files(stems_dir), max_cpus)
        job.key = song_key(stems_dir, job.options)
        jobs.append(job)
    if not jobs:
        raise BatchError(f"{message('FP-E084', songs_dir)} [FP-E084]")
    return jobs


def source_files(job: SongJob) -> list[Path]:
    """Every file a song's mix reads (what ``--ship-sources`` sends to a worker)."""
    stems = Path(job.stems_dir)
    files = [p for p in sorted(stems.iterdir()) if p.is_file() and not p.name.startswith(".")]
    files += [Path(job.options[k]) for k in PATH_KEYS if k in job.options and Path(job.options[k]).is_file()]
    return files


def cpu_count() -> int:
    """CPUs this process may use (its affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
