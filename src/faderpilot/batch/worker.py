"""One song of a batch, as a worker runs it: the same public ``mix`` as ``faderpilot mix``, and a
summary of what it made. Imports nothing heavy at the top, so a worker can set its thread limits
before numpy loads."""

from __future__ import annotations

import os
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..session.io import write_bytes_atomic

#: the thread pools of the numeric libraries a mix uses (BLAS, OpenMP, numexpr)
THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)

Report = Callable[[str, int, int], None]

#: the BLAS thread limit this process started with (set by the engine before it started, so it
#: held when numpy loaded); reported with each song so the limit can be checked
STARTED_WITH = os.environ.get("OPENBLAS_NUM_THREADS")


def thread_env(cpus: int) -> dict[str, str]:
    """Environment that keeps every numeric thread pool of a worker within its song's CPUs."""
    return {k: str(cpus) for k in THREAD_VARS}


def limit_threads(cpus: int) -> None:
    """Set the thread limits in this process (they take effect for libraries not yet loaded)."""
    os.environ.update(thread_env(cpus))


def place_sources(shipped: dict[str, bytes], prefix: str = "/") -> None:
    """Make shipped sources readable at their own absolute paths (under ``prefix``) on this node,
    so the session names the same files as on the machine that sent them. A file already there
    with the same bytes is used as it is; one with other bytes is never overwritten (FP-E085)."""
    import hashlib

    from ..messages import FaderpilotError, message

    for path, data in shipped.items():
        p = Path(prefix) / Path(path).relative_to("/")
        if p.exists():
            if hashlib.sha256(p.read_bytes()).digest() != hashlib.sha256(data).digest():
                raise FaderpilotError(f"{message('FP-E085', p, socket.gethostname())} [FP-E085]")
            continue
        write_bytes_atomic(p, data)


def run_song(spec: dict[str, Any], attempt: int, report: Report | None = None) -> dict[str, Any]:
    """Mix one song (``spec``: a ``SongJob.to_dict()`` plus the engine's keys) with
    ``faderpilot.mix`` and return a summary; with ``spec["ship"]`` the sources come with the spec
    and the outputs go back in the summary (``files``: relative path -> bytes)."""
    limit_threads(int(spec["cpus"]))
    if spec.get("pid_dir"):  # for a supervisor (and the tests): which process runs which song
        pid_file = Path(spec["pid_dir"]) / f"{spec['name']}.{attempt}.pid"
        write_bytes_atomic(pid_file, str(os.getpid()).encode())
    t0, cpu0 = time.perf_counter(), _cpu_seconds()
    from ..pipeline import mix

    if spec.get("sources"):
        place_sources(spec["sources"], spec.get("source_prefix", "/"))
    out_dir = Path(spec["out_dir"])
    scratch = None
    if spec.get("ship"):
        scratch = tempfile.TemporaryDirectory(prefix="faderpilot-batch-")
        out_dir = Path(scratch.name) / spec["name"]
    try:
        opts = dict(spec["options"])
        r = mix(
            spec["stems_dir"],
            out_dir,
            workers=int(spec["cpus"]),
            progress=report,
            **opts,
        )
        s = r.session
        summary: dict[str, Any] = {
            "seconds": round(time.perf_counter() - t0, 2),
            "cpu_seconds": round(_cpu_seconds() - cpu0, 2),
            "integrated_lufs": round(r.mix_lufs, 2),
            "peak_db": round(r.mix_peak_db, 2),
            "true_peak_db": round(r.mix_true_peak_db, 2),
            "tracks": len(s.tracks),
            "warnings": [f"{Path(w.path).name}: {w.message} [{w.code}]" for w in s.warnings],
            "skipped": [f"{Path(w.path).name}: {w.message} [{w.code}]" for w in s.skipped],
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "blas_threads_at_start": STARTED_WITH,
            "peak_rss_mb": _peak_rss_mb(),
        }
        if scratch is not None:
            summary["files"] = {
                str(p.relative_to(out_dir)): p.read_bytes() for p in sorted(out_dir.rglob("*")) if p.is_file()
            }
        return summary
    finally:
        if scratch is not None:
            scratch.cleanup()


def _cpu_seconds() -> float:
    """CPU time (user + system, every thread) this process has used so far."""
    t = os.times()
    return t.user + t.system


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (0 where the OS does not say)."""
    try:
        import resource

        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    except (ImportError, OSError):
        return 0.0
