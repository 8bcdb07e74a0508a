"""``batch()``: every song of SONGS_DIR mixed into OUT_DIR/<song>/ as ``faderpilot mix`` would,
on Ray or a local process pool; failures retried once, then reported by name; songs whose hash
has not changed since their output was written are skipped."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..messages import message
from ..session.io import write_bytes_atomic
from ..version import __version__
from .engines import make_engine
from .index import read_batch, write_batch
from .jobs import SongJob, discover, source_files

#: display(songs record, running songs' stages) after every poll: the CLI's progress bar
Display = Callable[[dict[str, dict[str, Any]], dict[str, tuple[str, int, int]]], None]


@dataclass
class BatchResult:
    """What a batch did: the record written to batch.json, and where."""

    out_dir: Path
    record: dict[str, Any]

    @property
    def songs(self) -> dict[str, dict[str, Any]]:
        """Per song: status (ok, unchanged, failed), figures, attempts, errors."""
        return self.record["songs"]

    @property
    def failed(self) -> list[str]:
        """Names of the songs that failed (after their retry)."""
        return [n for n, v in self.songs.items() if v["status"] == "failed"]


def batch(
    songs_dir: str | Path,
    out_dir: str | Path,
    *,
    engine: str = "ray",
    address: str | None = None,
    num_cpus: int | None = None,
    ship_sources: bool = False,
    cpus_per_song: int | None = None,
    retries: int = 1,
    force: bool = False,
    display: Display | None = None,
    pid_dir: str | Path | None = None,
    **options: Any,
) -> BatchResult:
    """Mix every song folder under SONGS_DIR into OUT_DIR/<song>/ (see ``jobs`` for the layout).

    ``engine``: "ray" (``address`` or RAY_ADDRESS: a cluster; else a local Ray of ``num_cpus``)
    or "local" (a process pool of ``num_cpus``). ``options`` are ``mix``'s (target_lufs,
    sample_rate, template, profile, rough) for every song; a song's faderpilot.toml overrides them.
    ``ship_sources`` sends each song's files to its worker and its outputs back (no shared path).
    ``cpus_per_song`` overrides the CPUs each song asks for. A failed song is retried ``retries``
    times. ``force`` mixes every song again, even those whose hash says they are unchanged.
    ``pid_dir``: each task writes its process id there (for supervisors and tests).
    """
    t0 = time.perf_counter()
    out = Path(out_dir).resolve()
    eng = make_engine(engine, address, num_cpus)
    try:
        max_cpus, max_memory = eng.capacity()
        jobs = discover(songs_dir, out, options, max_cpus=min(max_cpus, cpus_per_song or max_cpus))
        if cpus_per_song:
            for j in jobs:
                j.cpus = min(cpus_per_song, max_cpus)
        if max_memory:
            for j in jobs:
                j.memory = min(j.memory, int(max_memory * 0.9))
        out.mkdir(parents=True, exist_ok=True)
        before = read_batch(out).get("songs", {})
        record: dict[str, Any] = {
            "faderpilot": __version__,
            "songs_dir": str(Path(songs_dir).resolve()),
            "out_dir": str(out),
            "engine": engine,
            "address": address,
            "ship_sources": ship_sources,
            "wall_seconds": None,
            "songs": {},
        }
        todo: list[SongJob] = []
        for j in jobs:
            entry = _entry(j)
            old = before.get(j.name, {})
            if j.error:
                entry.update(status="failed", errors=[j.error])
            elif not force and _unchanged(old, j, out):
                entry.update({k: old.get(k) for k in _FIGURES}, status="unchanged", attempts=0)
            elif ship_sources and (err := _edited(j)):
                entry.update(status="failed", errors=[err])
            else:
                entry["status"] = "queued"
                todo.append(j)
            record["songs"][j.name] = entry
        write_batch(out, record)
        _run(eng, todo, record, out, retries, ship_sources, pid_dir, display)
        record["wall_seconds"] = round(time.perf_counter() - t0, 2)
        write_batch(out, record)
        return BatchResult(out, record)
    finally:
        eng.close()


#: a song's figures, as a worker reports them (kept for an unchanged song)
_FIGURES = (
    "seconds",
    "cpu_seconds",
    "integrated_lufs",
    "peak_db",
    "true_peak_db",
    "tracks",
    "warnings",
    "skipped",
    "host",
    "peak_rss_mb",
    "blas_threads_at_start",
)


def _entry(j: SongJob) -> dict[str, Any]:
    """A song's row in batch.json before it runs."""
    return {
        "status": "queued",
        "key": j.key,
        "stems_dir": j.stems_dir,
        "options": j.options,
        "cpus": j.cpus,
        "memory_mb": round(j.memory / 2**20),
        "attempts": 0,
        "errors": [],
        **{k: None for k in _FIGURES},
    }


def _unchanged(old: dict[str, Any], j: SongJob, out: Path) -> bool:
    """Whether a song's output was written from the same sources and options (same hash) and is
    still there."""
    return (
        old.get("status") in ("ok", "unchanged")
        and old.get("key") == j.key
        and (out / j.name / "session.json").is_file()
        and (out / j.name / "mix.wav").is_file()
    )


def _edited(j: SongJob) -> str | None:
    """FP-E022 for a song whose output session holds notes or edits (checked here when the mix
    runs in a scratch folder on a worker)."""
    from ..pipeline import edited_history

    n = edited_history(Path(j.out_dir))
    return f"{message('FP-E022', j.out_dir, n, 'session.before-<time>.json')} [FP-E022]" if n else None


def _spec(j: SongJob, ship: bool, pid_dir: str | Path | None) -> dict[str, Any]:
    """What a worker gets for a song."""
    spec = j.to_dict()
    spec["pid_dir"] = str(pid_dir) if pid_dir else None
    spec["ship"] = ship
    if ship:
        spec["sources"] = {str(p.resolve()): p.read_bytes() for p in source_files(j)}
    return spec


def _run(
    eng: Any,
    todo: list[SongJob],
    record: dict[str, Any],
    out: Path,
    retries: int,
    ship: bool,
    pid_dir: str | Path | None,
    display: Display | None,
) -> None:
    """Submit every song (largest first, for the best packing), retry failures, record results."""
    songs = record["songs"]
    pending: dict[int, SongJob] = {}
    for j in sorted(todo, key=lambda j: (-j.tracks, j.name)):
        pending[eng.submit(_spec(j, ship, pid_dir), 0)] = j
        songs[j.name]["status"] = "running"
    while pending:
        finished = eng.wait(0.5)
        for token, summary, error in finished:
            j = pending.pop(token)
            entry = songs[j.name]
            entry["attempts"] += 1
            if summary is not None:
                files = summary.pop("files", None)
                if files is not None:  # shipped back from a worker without the shared path
                    for rel, data in files.items():
                        write_bytes_atomic(out / j.name / rel, data)
                entry.update({k: summary.get(k) for k in _FIGURES}, status="ok")
            else:
                entry["errors"].append(f"attempt {entry['attempts']}: {error}")
                if entry["attempts"] <= retries:
                    pending[eng.submit(_spec(j, ship, pid_dir), entry["attempts"])] = j
                    entry["status"] = "retrying"
                else:
                    entry["status"] = "failed"
        if finished:
            write_batch(out, record)
        if display is not None:
            display(songs, eng.progress())
