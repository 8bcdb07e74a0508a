"""Keeping mix.wav and the printed stems in step with session.json while the console edits it.

The console never lets the audio files go silently stale: it remembers what each printed stem
(and mix.wav) was rendered with, and after every change to the document a background thread
re-renders exactly the stems whose strip changed, the buses they feed and mix.wav, through
``pipeline.rerender``. Until that finishes the page plays the change with client-side gains on
the old stems, using the printed values reported here to make those gains exact.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..pipeline import rerender
from ..render.plan import Plan
from ..render.plan import build as build_plan
from ..session.io import to_dict
from ..session.model import Session

#: The printed record's key for mix.wav (the master strip).
MASTER = "master"


def fingerprint(strip: dict[str, Any]) -> dict[str, Any]:
    """What a strip's printed audio depends on: its JSON without reasons, names or measurements."""
    skip = ("decisions", "analysis", "name", "colour", "role")
    out = {k: v for k, v in strip.items() if k not in skip}
    out["chain"] = [{k: v for k, v in p.items() if k != "decision"} for p in strip.get("chain", [])]
    if "sends" in strip:
        out["sends"] = [{k: v for k, v in x.items() if k != "decision"} for x in strip["sends"]]
    return out


def global_fingerprint(d: dict[str, Any]) -> dict[str, Any]:
    """What every stem depends on: rate, length, sources, pan law and which tracks are soloed."""
    return {
        "sample_rate": d["sample_rate"],
        "length_s": d["length_s"],
        "sources": d["sources"],
        "pan_law": d["pan_law"],
        "solo": sorted(t["id"] for t in d["tracks"] if t.get("solo")),
    }


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


@dataclass
class Printed:
    """What one printed file was rendered with: the strip's fingerprint and values, a version
    the page uses to reload it, and the file's (mtime, size) when we last knew it."""

    fp: dict[str, Any]
    values: dict[str, Any]
    version: int
    stamp: tuple[int, int] | None


class Printer:
    """Re-renders stale stems and mix.wav in one background thread (one render at a time)."""

    def __init__(
        self,
        out_dir: Path,
        read: Callable[[], Session],
        workers: int | None = None,
        settle_s: float = 0.1,
    ) -> None:
        """``read`` returns the current document (under the caller's document lock)."""
        self.out_dir = Path(out_dir)
        self.read = read
        self.workers = workers
        self.settle_s = settle_s
        self.lock = threading.Condition()
        self.printed: dict[str, Printed] = {}
        self.global_fp: dict[str, Any] | None = None
        self.gen = 0
        self.busy = False  # rendering now
        self.working = False  # checking or rendering (what wait_idle waits for)
        self.pending = False
        self.error: str | None = None
        self.renders = 0
        self.last_seconds = 0.0
        self._stop = False
        self._thread: threading.Thread | None = None

    # -- what was printed ---------------------------------------------------------------------

    def _paths(self, session: Session, plan: Plan | None = None) -> dict[str, Path]:
        paths = (plan or build_plan(session)).stem_paths(self.out_dir)
        paths[MASTER] = self.out_dir / "mix.wav"
        return paths

    def _record(self, session: Session, ids: set[str] | None) -> None:
        """Remember that the files of ``ids`` (None = all that exist) now hold this session."""
        d = to_dict(session)
        plan = build_plan(session)  # what the renderer plays: which strips sound, where stems are
        paths = self._paths(session, plan)
        strips = {s["id"]: s for s in (*d["tracks"], *d["buses"])}
        for sid, s in strips.items():
            if ids is not None and sid not in ids:
                continue
            stamp = _stamp(paths[sid]) if sid in paths else None
            if stamp is None:
                self.printed.pop(sid, None)
                continue
            is_track = "source_id" in s
            values = {
                "fader_db": s["fader_db"],
                "pan": s["pan"],
                "mute": s["mute"],
                "audible": plan.strip(sid).audible,
                "output": s.get("output"),
                "channels": s["channels"] if is_track else 2,
                "width": s.get("width", 1.0),
                "sends": [x["bus"] for x in s.get("sends", [])],
                "chain": len([p for p in s.get("chain", []) if p.get("enabled", True)]),
            }
            old = self.printed.get(sid)
            self.printed[sid] = Printed(fingerprint(s), values, (old.version + 1) if old else 1, stamp)
        self.global_fp = global_fingerprint(d)
        self.gen += 1

    def adopt(self, session: Session) -> None:
        """Take the files on disk as rendered from ``session`` (what ``mix`` and ``note`` leave)."""
        with self.lock:
            self._record(session, None)

    def _external(self, session: Session) -> None:
        """Files someone else rewrote (``faderpilot note`` in a terminal) hold the current document."""
        paths = self._paths(session)
        ids = {sid for sid, p in self.printed.items() if sid in paths and _stamp(paths[sid]) != p.stamp}
        if ids:
            self._record(session, ids)

    def stale(self, session: Session) -> set[str]:
        """Ids whose printed file no longer matches the document: changed strips, the buses they
        feed or send to (before and after the change), and "master" (mix.wav) whenever any is."""
        d = to_dict(session)
        strips = {s["id"]: s for s in (*d["tracks"], *d["buses"])}
        if self.global_fp != global_fingerprint(d):
            return set(strips)
        todo = [
            sid
            for sid, s in strips.items()
            if sid not in self.printed or self.printed[sid].fp != fingerprint(s)
        ]
        out: set[str] = set()
        while todo:
            sid = todo.pop()
            if sid in out or sid not in strips:
                continue
            out.add(sid)
            s, p = strips[sid], self.printed.get(sid)
            feeds = {s.get("output")} | {x["bus"] for x in s.get("sends", [])}
            if p is not None:
                feeds |= {p.values["output"], *p.values["sends"]}
            todo += [f for f in feeds if f]
        if out:
            out.add(MASTER)
        return out

    # -- the worker ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="faderpilot-console-render", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the thread after the render in progress, if any."""
        with self.lock:
            self._stop = True
            self.lock.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def request(self) -> None:
        """Ask for a check (and a render if anything is stale) soon."""
        with self.lock:
            self.pending = True
            self.lock.notify_all()

    def _run(self) -> None:
        while True:
            with self.lock:
                while not self.pending and not self._stop:
                    self.lock.wait()
                if self._stop:
                    return
            time.sleep(self.settle_s)  # let a burst of edits land, then render once
            with self.lock:
                self.pending = False
                self.working = True
            try:
                self._once()
            except Exception as e:  # keep serving; the page shows the error
                with self.lock:
                    self.error = f"re-render failed: {e}"
            finally:
                with self.lock:
                    self.busy = self.working = False
                    self.lock.notify_all()

    def _once(self) -> None:
        session = self.read()
        with self.lock:
            self._external(session)
            ids = self.stale(session)
        if not ids:
            return
        with self.lock:
            self.busy = True
        t0 = time.perf_counter()
        rerender(self.out_dir, session, strips=ids - {MASTER}, workers=self.workers)
        with self.lock:
            self._record(session, ids)
            self.error = None
            self.renders += 1
            self.last_seconds = time.perf_counter() - t0

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until no render is pending or running; False on timeout."""
        end = time.monotonic() + timeout
        with self.lock:
            while self.pending or self.working:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.lock.wait(left)
        return True

    def fresh(self, session: Session) -> bool:
        """True when every printed file matches ``session`` and nothing is rendering."""
        with self.lock:
            return not self.working and not self.pending and not self.stale(session)

    def snapshot(self) -> dict[str, Any]:
        """The printed state for the page: per strip the values its stem holds and its version."""
        with self.lock:
            return {sid: {**p.values, "v": p.version} for sid, p in self.printed.items()}

    def status(self) -> dict[str, Any]:
        """Render status for the page: busy, pending, the last error, a generation counter."""
        with self.lock:
            return {
                "gen": self.gen,
                "busy": self.busy,
                "working": self.working,
                "pending": self.pending,
                "error": self.error,
                "renders": self.renders,
                "last_render_s": round(self.last_seconds, 2),
            }
