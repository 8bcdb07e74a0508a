"""Where a batch's songs run: Ray tasks (a local Ray started for the run, or a cluster by
address), or a local pool of processes for a machine without Ray. Both run ``worker.run_song``
with the song's CPUs declared and its thread pools limited to them, one process per song at a time."""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from .worker import run_song, thread_env

#: progress messages a worker sends at most this often (a stage change is always sent)
REPORT_EVERY_S = 0.25

#: (token, summary or None, error text or None)
Outcome = tuple[int, dict[str, Any] | None, str | None]


def _throttled(send: Callable[[str, int, int], None]) -> Callable[[str, int, int], None]:
    """A progress callback that forwards stage changes and at most one update per REPORT_EVERY_S."""
    last = {"stage": None, "t": 0.0}

    def report(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != last["stage"] or now - last["t"] >= REPORT_EVERY_S or done >= total:
            last["stage"], last["t"] = stage, now
            send(stage, done, total)

    return report


class LocalEngine:
    """Songs in separate processes on this machine, as many at once as their CPUs fit in
    ``num_cpus``. A fresh process per song (``python -m faderpilot.batch.child``), its thread
    limits in its environment from the start: a killed one costs only its song (then retried)."""

    name = "local"

    def __init__(self, num_cpus: int | None = None) -> None:
        from .jobs import cpu_count

        self.num_cpus = num_cpus or cpu_count()
        self._queue: list[tuple[int, dict[str, Any], int]] = []
        self._running: dict[int, tuple[subprocess.Popen, dict[str, Any], threading.Thread]] = {}
        self._inbox: queue.Queue = queue.Queue()
        self._results: dict[int, tuple[str, Any]] = {}
        self._stage: dict[str, tuple[str, int, int]] = {}
        self._next = 0

    def capacity(self) -> tuple[int, int | None]:
        """(most CPUs one song may ask for, most memory one song may ask for: None, not declared)."""
        return self.num_cpus, None

    def submit(self, spec: dict[str, Any], attempt: int) -> int:
        """Queue a song; it starts when its CPUs are free. Returns its token."""
        self._next += 1
        self._queue.append((self._next, spec, attempt))
        self._start_what_fits()
        return self._next

    def _busy(self) -> int:
        return sum(int(spec["cpus"]) for _, spec, _ in self._running.values())

    def _start_what_fits(self) -> None:
        while self._queue:
            token, spec, attempt = self._queue[0]
            if self._running and self._busy() + int(spec["cpus"]) > self.num_cpus:
                return
            self._queue.pop(0)
            env = {**os.environ, **thread_env(int(spec["cpus"]))}
            proc = subprocess.Popen(
                [sys.executable, "-m", "faderpilot.batch.child"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
            )
            assert proc.stdin is not None
            try:
                pickle.dump((spec, attempt), proc.stdin)
                proc.stdin.close()
            except OSError:
                pass  # it died at once: reported when it is reaped
            reader = threading.Thread(target=self._read, args=(token, spec["name"], proc), daemon=True)
            reader.start()
            self._running[token] = (proc, spec, reader)

    def _read(self, token: int, song: str, proc: subprocess.Popen) -> None:
        """Read a child's messages until its output closes; then say it ended."""
        assert proc.stdout is not None
        try:
            while True:
                kind, *rest = pickle.load(proc.stdout)
                self._inbox.put((token, song, kind, rest))
        except (EOFError, OSError, pickle.UnpicklingError):
            pass
        self._inbox.put((token, song, "ended", []))

    def wait(self, timeout: float) -> list[Outcome]:
        """Songs that finished within ``timeout`` seconds (progress is read meanwhile)."""
        if not self._running:
            return []
        done: list[Outcome] = []
        deadline = time.monotonic() + timeout
        while not done:
            try:
                token, song, kind, rest = self._inbox.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if kind == "progress":
                self._stage[song] = tuple(rest)  # type: ignore[assignment]
                continue
            if kind != "ended":
                self._results[token] = (kind, rest[0])
                continue
            proc, _, reader = self._running.pop(token)
            code = proc.wait()
            reader.join()
            self._stage.pop(song, None)
            got = self._results.pop(token, None)
            if got is None:
                how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
                done.append((token, None, f"the worker process running the song ended ({how})"))
            elif got[0] == "error":
                done.append((token, None, got[1]))
            else:
                done.append((token, got[1], None))
        self._start_what_fits()
        return done

    def progress(self) -> dict[str, tuple[str, int, int]]:
        """The current stage of each running song: (stage, done, total)."""
        return dict(self._stage)

    def close(self) -> None:
        """Stop any song still running (an interrupted batch)."""
        for proc, _, _ in self._running.values():
            proc.kill()
            proc.wait()
        self._running.clear()
        self._queue.clear()


def error_text(e: BaseException) -> str:
    """An error as the batch reports it: faderpilot's own messages as they are, others with their type."""
    from ..audio.io import AudioReadError
    from ..messages import FaderpilotError
    from ..session.io import SessionError

    if isinstance(e, FaderpilotError | SessionError | AudioReadError):
        return str(e)
    return f"{type(e).__name__}: {e}"


class RayEngine:
    """Songs as Ray tasks with their CPUs and memory declared: on a local Ray started for the run
    (``address`` None and no RAY_ADDRESS), on a Ray already started in this process, or on a
    cluster (``address``: ``ray://HOST:10001``, ``HOST:6379`` or ``auto``)."""

    name = "ray"

    def __init__(self, address: str | None = None, num_cpus: int | None = None) -> None:
        from ..messages import FaderpilotError, message

        try:
            import ray
        except ImportError as e:
            raise FaderpilotError(f"{message('FP-E087', e)} [FP-E087]") from e
        self._ray = ray
        self._owned = False
        if not ray.is_initialized():
            address = address or os.environ.get("RAY_ADDRESS") or None
            if address is None:
                from .jobs import cpu_count

                ray.init(
                    num_cpus=num_cpus or cpu_count(),
                    include_dashboard=False,
                    log_to_driver=False,
                    configure_logging=False,
                )
            else:
                try:
                    ray.init(address=address, log_to_driver=False, configure_logging=False)
                except (ConnectionError, RuntimeError, ValueError, TimeoutError) as e:
                    reason = str(e).splitlines()[0] if str(e) else type(e).__name__
                    raise FaderpilotError(f"{message('FP-E086', address, reason)} [FP-E086]") from e
            self._owned = True
        self._board = _board_class(ray).remote()
        self._task = ray.remote(_ray_song)
        self._pending: dict[Any, int] = {}
        self._next = 0

    def capacity(self) -> tuple[int, int | None]:
        """(CPUs of the largest node, memory of the largest node in bytes): a song never asks
        for more than one node has, or it could never be scheduled."""
        nodes = [n for n in self._ray.nodes() if n.get("Alive")]
        cpus = max((int(n["Resources"].get("CPU", 0)) for n in nodes), default=1)
        memory = max((int(n["Resources"].get("memory", 0)) for n in nodes), default=0)
        return max(1, cpus), (memory or None)

    def submit(self, spec: dict[str, Any], attempt: int) -> int:
        """Submit a song as a task declaring its CPUs and memory; returns its token."""
        self._next += 1
        cpus = int(spec["cpus"])
        ref = self._task.options(
            num_cpus=cpus,
            memory=int(spec["memory"]),
            max_retries=0,  # the batch retries, so both engines count attempts alike
            runtime_env={"env_vars": thread_env(cpus)},
            name=f"faderpilot-batch:{spec['name']}",
        ).remote(spec, attempt, self._board)
        self._pending[ref] = self._next
        return self._next

    def wait(self, timeout: float) -> list[Outcome]:
        """Songs that finished within ``timeout`` seconds."""
        if not self._pending:
            return []
        ray = self._ray
        ready, _ = ray.wait(list(self._pending), num_returns=len(self._pending), timeout=timeout)
        done: list[Outcome] = []
        for ref in ready:
            token = self._pending.pop(ref)
            try:
                done.append((token, ray.get(ref), None))
            except ray.exceptions.RayTaskError as e:
                cause = getattr(e, "cause", None)
                done.append((token, None, error_text(cause) if cause is not None else str(e)))
            except (ray.exceptions.WorkerCrashedError, ray.exceptions.RayActorError) as e:
                done.append((token, None, f"the worker process running the song died ({type(e).__name__})"))
            except ray.exceptions.RayError as e:
                done.append((token, None, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"))
        return done

    def progress(self) -> dict[str, tuple[str, int, int]]:
        """The current stage of each running song, as its task last reported it."""
        return self._ray.get(self._board.snapshot.remote())

    def close(self) -> None:
        """Cancel what still runs; shut down a Ray this engine started."""
        for ref in self._pending:
            self._ray.cancel(ref, force=True)
        self._pending.clear()
        self._ray.kill(self._board)
        if self._owned:
            self._ray.shutdown()


def _board_class(ray: Any) -> Any:
    """The progress board: a small actor that holds each running song's current stage."""

    @ray.remote(num_cpus=0)
    class Board:
        def __init__(self) -> None:
            self.stages: dict[str, tuple[str, int, int]] = {}

        def report(self, song: str, stage: str, done: int, total: int) -> None:
            self.stages[song] = (stage, done, total)

        def forget(self, songs: list[str]) -> None:
            for s in songs:
                self.stages.pop(s, None)

        def snapshot(self) -> dict[str, tuple[str, int, int]]:
            return dict(self.stages)

    return Board


def _ray_song(spec: dict[str, Any], attempt: int, board: Any) -> dict[str, Any]:
    """A Ray task: mix one song, reporting its stage to the board."""
    name = spec["name"]
    report = _throttled(lambda stage, done, total: board.report.remote(name, stage, done, total))
    try:
        return run_song(spec, attempt, report)
    finally:
        board.forget.remote([name])


def make_engine(
    kind: str, address: str | None = None, num_cpus: int | None = None
) -> LocalEngine | RayEngine:
    """The engine named ``kind`` ("ray" or "local")."""
    if kind == "local":
        return LocalEngine(num_cpus)
    if kind == "ray":
        return RayEngine(address, num_cpus)
    raise ValueError(f"unknown engine {kind!r}: ray or local")
