"""``faderpilot console OUT_DIR``: a small HTTP server (stdlib only) for one session folder.

It serves the page (``static/``), a JSON API over the session document and the session's audio
files. Every change goes through the same code as the CLI (``prompt.note``, ``prompt.undo``,
``session.io.save``) and is saved to session.json at once; a background thread re-renders the
stems and mix.wav it made stale (``console.printing``). See docs/console.md.

Safety: it binds 127.0.0.1 unless told otherwise, checks the Host header against the address it
serves (so another web site cannot reach it through DNS rebinding), takes only JSON POSTs from
its own origin, refuses request bodies over :data:`MAX_BODY`, and serves no file outside OUT_DIR.
"""

from __future__ import annotations

import copy
import hashlib
import ipaddress
import json
import mimetypes
import re
import signal
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from .. import prompt
from ..messages import FaderpilotError, message
from ..prompt import MAX_NOTE as MAX_NOTE
from ..prompt.history import UNDOABLE
from ..render.plan import stem_paths
from ..session.io import SessionError, load, save
from ..session.model import Session
from . import media
from .edits import EditError, apply_edit
from .printing import MASTER, Printer
from .state import view

#: Largest request body accepted (bytes); a note or an edit is far smaller.
MAX_BODY = 64 * 1024
#: Deepest nesting of a request body (an edit is one level, a note one): deeper is refused
#: before it can exhaust the parser's recursion (FP-E025).
MAX_DEPTH = 8
#: Seconds a request may take to arrive (headers and the body its Content-Length announces);
#: a client that sends less is answered 408 (FP-E026), not waited for forever.
READ_TIMEOUT_S = 10.0
#: The page's files, served from the package.
STATIC = ("index.html", "console.js", "console.css", "train.js")
#: What the page may load: only this server (no CDN, no other origin).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
TYPES = {
    ".wav": "audio/wav",
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


class HttpError(Exception):
    """An answer other than 200: status, a message that says what was wrong, and extra fields."""

    def __init__(self, status: int, text: str, **extra: Any) -> None:
        super().__init__(text)
        self.status = status
        self.extra = extra


class ConsoleApp:
    """The console's state for one session folder: the document, the printer, the caches."""

    def __init__(self, out_dir: str | Path, workers: int | None = None, settle_s: float = 0.1) -> None:
        """Open OUT_DIR (it must hold session.json) and start keeping its audio in step."""
        self.out_dir = Path(out_dir).resolve()
        self.path = self.out_dir / "session.json"
        if not self.path.is_file():
            raise FaderpilotError(f"{self.out_dir}: no session.json here (make one with `faderpilot mix`)")
        self.workers = workers
        self.doc_lock = threading.RLock()
        self.media_lock = threading.Lock()  # the rough and assistant renders, one at a time
        self.overview_lock = threading.Lock()
        self._doc: tuple[tuple[int, int], Session, str] | None = None
        self._seen: tuple[int, int] | None = None
        self._levels: tuple[Any, dict[str, float | None]] = (None, {"lufs": None, "peak_db": None})
        self._overview: tuple[Any, dict[str, Any]] | None = None
        self.printer = Printer(self.out_dir, self.read, workers, settle_s)
        session = self.read()
        self.printer.adopt(session)
        self.printer.start()
        if self.printer.stale(session):  # a stem or mix.wav missing: render it now
            self.printer.request()

    # -- the document -------------------------------------------------------------------------

    def _stamp(self) -> tuple[int, int]:
        st = self.path.stat()
        return (st.st_mtime_ns, st.st_size)

    def document(self) -> tuple[Session, str]:
        """The session and its revision (a hash of session.json), re-read only when the file changed."""
        with self.doc_lock:
            stamp = self._stamp()
            if self._doc is None or self._doc[0] != stamp:
                raw = self.path.read_bytes()
                session = load(self.path)
                self._doc = (stamp, session, hashlib.sha256(raw).hexdigest()[:12])
            return self._doc[1], self._doc[2]

    def read(self) -> Session:
        """A private copy of the current session (callers may change it)."""
        with self.doc_lock:
            return copy.deepcopy(self.document()[0])

    def _saved(self, session: Session, write: bool = True) -> None:
        """Save through ``session.io.save`` (unless ``prompt`` just did) and keep the saved session
        as the cached document, so it is not read back and validated again."""
        with self.doc_lock:
            if write:
                save(session, self.path)
            raw = self.path.read_bytes()
            self._doc = (self._stamp(), session, hashlib.sha256(raw).hexdigest()[:12])

    # -- what the page reads ------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """Revision and render status; notices a session.json changed by someone else."""
        _, rev = self.document()
        stamp = self._stamp()
        if stamp != self._seen:
            self._seen = stamp
            self.printer.request()
        return {"rev": rev, **self.printer.status()}

    def mix_levels(self) -> dict[str, float | None]:
        """Loudness and peak of mix.wav as printed now (cached by the file's stamp)."""
        p = self.out_dir / "mix.wav"
        try:
            st = p.stat()
        except OSError:
            return {"lufs": None, "peak_db": None}
        stamp = (st.st_mtime_ns, st.st_size)
        if self._levels[0] != stamp:
            self._levels = (stamp, media.levels(p))
        return self._levels[1]

    def state(self) -> dict[str, Any]:
        """Everything the page shows: strips, reasons, printed values, stem URLs, history, status."""
        session, rev = self.document()
        out = view(session)
        printed = self.printer.snapshot()
        paths = stem_paths(session, self.out_dir)
        for s in out["strips"]:
            s["printed"] = printed.get(s["id"])
            path = paths.get(s["id"])
            s["stem"] = "/files/" + quote(path.relative_to(self.out_dir).as_posix()) if path else None
        out["rev"] = rev
        out["status"] = self.status()
        out["mix"] = {"url": "/files/mix.wav", "v": (printed.get(MASTER) or {}).get("v", 0)}
        levels = self.mix_levels()
        out["mix_lufs"], out["mix_peak_db"] = levels["lufs"], levels["peak_db"]
        out["can_undo"] = any(h.get("kind") in UNDOABLE for h in session.history)
        out["limits"] = {"max_body": MAX_BODY, "max_note": MAX_NOTE}
        return out

    def overview(self, n: int) -> dict[str, Any]:
        """The waveform overview of mix.wav (cached by the file's stamp and n)."""
        p = self.out_dir / "mix.wav"
        if not p.is_file():
            raise HttpError(404, f"{p}: no mix.wav yet (the first render is still running?)")
        st = p.stat()
        key = (st.st_mtime_ns, st.st_size, n)
        with self.overview_lock:
            if self._overview is None or self._overview[0] != key:
                self._overview = (key, media.overview(p, n))
            return self._overview[1]

    # -- changes ------------------------------------------------------------------------------

    def edit(self, body: Any) -> dict[str, Any]:
        """One hand edit (fader, pan, mute, a processor parameter or bypass, a send): saved at once."""
        with self.doc_lock:
            session = self.read()
            try:
                entry = apply_edit(session, body, master=self._master)
            except EditError as e:
                raise HttpError(400, str(e)) from None
            if entry is not None:
                self._saved(session)
        self.printer.request()
        return {
            "changed": entry is not None,
            "lines": entry["changes"] if entry else [],
            "state": self.state(),
        }

    def _master(self, session: Session) -> tuple[str | None, str | None]:
        """The headroom step (``pipeline.keep_headroom``) for an edit, under the document lock."""
        from ..pipeline import keep_headroom

        return keep_headroom(session, workers=self.workers)

    def note(self, body: Any) -> dict[str, Any]:
        """A note from the prompt box, through ``prompt.note`` exactly as ``faderpilot note`` runs it."""
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise HttpError(400, 'a note is {"text": "..."} with some words in it')
        if len(text) > MAX_NOTE:
            raise HttpError(400, f"{message('FP-E020', len(text), MAX_NOTE)} [FP-E020]", code="FP-E020")
        with self.doc_lock:
            try:
                res = prompt.note(self.out_dir, text.strip(), render=False, workers=self.workers)
            except prompt.NoteError as e:
                raise HttpError(400, str(e), code=e.code) from None
            if res.changed or res.markers_detected:
                self._saved(res.session, write=False)
        self.printer.request()
        return {
            "understood": res.understood,
            "changed": sorted(res.changed),
            "lines": res.lines(),
            "state": self.state(),
        }

    def undo(self) -> dict[str, Any]:
        """Undo the newest note or hand edit, as ``faderpilot undo`` does."""
        with self.doc_lock:
            u = prompt.undo(self.out_dir, render=False, workers=self.workers)
            if u.entry is not None:
                self._saved(u.session, write=False)
        self.printer.request()
        if u.entry is None:
            return {"undone": None, "lines": ["nothing to undo"], "state": self.state()}
        lines = [f"undid: '{u.entry.get('note', '')}'"]
        lines += [
            f"  reverted {x}" for x in u.entry.get("changes", []) if not x.startswith("nothing changed")
        ]
        return {"undone": u.entry.get("note"), "lines": lines, "state": self.state()}

    # -- ear training (coach.train) -----------------------------------------------------------

    def train_round(self) -> dict[str, Any]:
        """A new round: the hidden change rendered by the mix's renderer; the answer stays here."""
        from ..audio.io import load_sources
        from ..coach import train

        session = self.read()
        with self.media_lock:
            if getattr(self, "_train_audio", None) is None:
                self._train_audio = load_sources(session, self.workers)
            r, s = train.new_round(self.out_dir, session, self._train_audio, self.workers or 2)
        pub = r.public(s)
        pub["a"], pub["b"] = "/files/" + quote(r.a), "/files/" + quote(r.b)
        pub["scores"] = train.read_scores(self.out_dir)
        return pub

    def train_answer(self, body: Any) -> dict[str, Any]:
        """Grade the answer to the pending round and save the scores."""
        from ..coach import train

        try:
            return train.answer(self.out_dir, body, self.read())
        except train.TrainError as e:
            raise HttpError(400, str(e)) from None

    def close(self) -> None:
        """Stop the background render thread."""
        self.printer.stop()


# ---------------------------------------------------------------------------- paths


def safe_path(root: Path, rel_raw: str) -> Path:
    """The file under ``root`` that a URL path names; HttpError 403 for anything that could
    leave it (``..``, an absolute path, a drive, a NUL, a symlink out), 404 when absent."""
    rel = unquote(rel_raw)
    shown = rel[:200]
    if not rel:
        raise HttpError(404, "no file named", path=shown)
    # the checks also run on a second decoding, so "..%252f" (double-encoded) is refused too
    for probe in (rel, unquote(rel)):
        if "\x00" in probe:
            raise HttpError(403, f"forbidden: {shown!r} holds a NUL byte", path=shown, reason="NUL byte")
        if probe.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", probe):
            raise HttpError(
                403,
                f"forbidden: {shown!r} is an absolute path; files are served from the session folder only",
                path=shown,
                reason="absolute path",
            )
        if any(part == ".." for part in re.split(r"[/\\]", probe)):
            raise HttpError(
                403,
                f"forbidden: {shown!r} climbs out of the session folder ('..')",
                path=shown,
                reason="parent-directory segment",
            )
    full = (root / rel).resolve()
    if not full.is_relative_to(root):
        raise HttpError(
            403,
            f"forbidden: {shown!r} resolves outside the session folder (a symlink?)",
            path=shown,
            reason="outside the session folder",
        )
    if not full.is_file():
        raise HttpError(404, f"no file {shown!r} in the session folder", path=shown)
    return full


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end inclusive) of a single ``bytes=`` range; None for the whole file; HttpError 416
    when it cannot be satisfied."""
    if not header:
        return None
    m = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", header)
    if not m or (not m.group(1) and not m.group(2)):
        return None  # not a form we serve: answer with the whole file, as RFC 9110 allows
    if not m.group(1):
        n = int(m.group(2))
        if n == 0:
            raise HttpError(416, f"range {header!r} asks for no bytes", size=size)
        return max(0, size - n), size - 1
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else size - 1
    if start >= size or end < start:
        raise HttpError(416, f"range {header!r} is outside the file's {size} bytes", size=size)
    return start, min(end, size - 1)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in a JSON text (brackets inside strings not counted);
    a linear scan, so a body of 64 KiB of '[' is measured without recursion."""
    depth = deepest = 0
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', text):
        c = m.group()
        if c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


# ---------------------------------------------------------------------------- HTTP


class ConsoleServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its app and which Host headers it answers to."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: ConsoleApp, host: str, port: int, quiet: bool = True) -> None:
        """Bind (host, port); port 0 takes any free port."""
        self.app = app
        self.quiet = quiet
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)
        self.port = self.server_address[1]
        self.host = host
        self.allowed_hosts: set[str] | None = None
        if _is_loopback(host):
            self.allowed_hosts = {f"{h}:{self.port}" for h in ("127.0.0.1", "localhost", "[::1]")}

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        h = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{'[' + h + ']' if ':' in h else h}:{self.port}/"


class Handler(BaseHTTPRequestHandler):
    """One request: static page, JSON API or a file from the session folder."""

    server: ConsoleServer
    protocol_version = "HTTP/1.1"
    #: socket timeout (s) for every read and write: an idle or stalled connection is closed
    timeout = 60.0
    server_version = "faderpilot-console"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet unless the server was started verbose."""
        if not self.server.quiet:
            super().log_message(format, *args)

    # -- answers ------------------------------------------------------------------------------

    def _common(self) -> None:
        """Headers on every answer: never cached (files change on re-render), never sniffed, and
        not loadable by pages of other origins (Cross-Origin-Resource-Policy)."""
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")

    def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self._common()
        self.send_header("Referrer-Policy", "no-referrer")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, obj: Any, status: int = 200) -> None:
        self._send(status, json.dumps(obj, allow_nan=False).encode("utf-8"), "application/json")

    def _error(self, e: HttpError) -> None:
        extra = {}
        if e.status == 416 and "size" in e.extra:
            extra["Content-Range"] = f"bytes */{e.extra['size']}"
        body = {"error": str(e), "status": e.status, **{k: v for k, v in e.extra.items() if k != "size"}}
        self.send_response(e.status)
        data = json.dumps(body).encode("utf-8")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self._common()
        for k, v in extra.items():
            self.send_header(k, v)
        if e.status in (408, 411, 413, 415):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _file(self, path: Path) -> None:
        """A file with its type, honouring a single Range (media elements ask for ranges)."""
        size = path.stat().st_size
        ctype = (
            TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        rng = parse_range(self.headers.get("Range"), size)
        start, end = rng if rng else (0, size - 1)
        self.send_response(206 if rng else 200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(max(0, end - start + 1)))
        self.send_header("Accept-Ranges", "bytes")
        self._common()
        if rng:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if self.command == "HEAD" or size == 0:
            return
        with path.open("rb") as f:
            f.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = f.read(min(1 << 20, left))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)

    def _static(self, name: str) -> None:
        data = resources.files("faderpilot.console").joinpath("static", name).read_bytes()
        extra = {"Content-Security-Policy": CSP} if name.endswith(".html") else None
        self._send(200, data, TYPES[Path(name).suffix], extra)

    # -- checks -------------------------------------------------------------------------------

    def _check_host(self) -> None:
        allowed = self.server.allowed_hosts
        host = self.headers.get("Host", "")
        if allowed is not None and host not in allowed:
            raise HttpError(
                403,
                f"Host {host!r} is not this console; open {self.server.url} (DNS-rebinding guard)",
                reason="unexpected Host header",
            )

    def _body(self) -> Any:
        """The JSON body of a POST from the page: same origin, JSON, at most MAX_BODY bytes."""
        origin = self.headers.get("Origin")
        if origin is not None and origin != f"http://{self.headers.get('Host', '')}":
            raise HttpError(
                403, f"requests from {origin!r} are not accepted; only this console's page may post"
            )
        if self.headers.get("Transfer-Encoding"):
            raise HttpError(411, "send the body with a Content-Length (chunked bodies are not accepted)")
        length = self.headers.get("Content-Length")
        if length is None:
            raise HttpError(411, "a POST needs a Content-Length header")
        try:
            n = int(length)
        except ValueError:
            raise HttpError(400, f"Content-Length {length!r} is not a number") from None
        if n > MAX_BODY:
            raise HttpError(
                413,
                f"request body of {n} bytes is over the console's limit of {MAX_BODY} bytes",
                limit=MAX_BODY,
            )
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise HttpError(415, f"send JSON (Content-Type: application/json), not {ctype or 'no type'!r}")
        raw = self._read_body(n)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise HttpError(400, f"the body is not valid JSON ({e})") from None
        if json_depth(text) > MAX_DEPTH:
            raise HttpError(400, f"{message('FP-E025', MAX_DEPTH)} [FP-E025]", code="FP-E025")
        try:
            return json.loads(text) if raw else {}
        except json.JSONDecodeError as e:
            raise HttpError(400, f"the body is not valid JSON ({e})") from None
        except RecursionError:  # json_depth should have refused it first
            raise HttpError(400, f"{message('FP-E025', MAX_DEPTH)} [FP-E025]", code="FP-E025") from None

    def _read_body(self, n: int) -> bytes:
        """The ``n`` bytes of the body, read within :data:`READ_TIMEOUT_S`; HttpError 408 (or 400
        when the client closed early) saying how much arrived, so a short body is answered."""
        chunks: list[bytes] = []
        got = 0
        limit = READ_TIMEOUT_S
        end = time.monotonic() + limit
        closed = False
        try:
            while got < n:
                left = end - time.monotonic()
                if left <= 0:
                    break
                self.connection.settimeout(left)
                try:
                    chunk = self.rfile.read1(n - got)
                except TimeoutError:
                    break
                if not chunk:
                    closed = True
                    break
                chunks.append(chunk)
                got += len(chunk)
        finally:
            self.connection.settimeout(self.timeout)
        if got < n:
            text = f"{message('FP-E026', got, n, limit)} [FP-E026]"
            raise HttpError(400 if closed else 408, text, code="FP-E026")
        return b"".join(chunks)

    # -- routes -------------------------------------------------------------------------------

    def do_HEAD(self) -> None:
        """As GET, without the body."""
        self.do_GET()

    def do_GET(self) -> None:
        """Page, static files, state, status, overview, the A/B mixes and session files."""
        app = self.server.app
        try:
            self._check_host()
            url = urlsplit(self.path)
            raw = url.path
            q = parse_qs(url.query)
            if raw in ("/", "/index.html"):
                return self._static("index.html")
            if raw.startswith("/static/"):
                name = raw[len("/static/") :]
                if name not in STATIC:
                    raise HttpError(404, f"no page file {name[:100]!r}")
                return self._static(name)
            if raw == "/api/state":
                return self._json(app.state())
            if raw == "/api/status":
                return self._json(app.status())
            if raw == "/api/train/scores":
                from ..coach.train import read_scores

                return self._json(read_scores(app.out_dir))
            if raw == "/api/overview":
                try:
                    n = int(q.get("n", ["1000"])[0])
                except ValueError:
                    raise HttpError(400, "n must be a whole number of slices") from None
                return self._json(app.overview(max(10, min(n, 4000))))
            if raw == "/api/mix/rough":
                return self._file(self._media(lambda s: media.rough_aligned(s, app.out_dir)))
            if raw == "/api/mix/assistant":
                return self._file(self._media(lambda s: media.assistant_mix(s, app.out_dir, app.workers)))
            if raw.startswith("/files/"):
                return self._file(safe_path(app.out_dir, raw[len("/files/") :]))
            if raw == "/favicon.ico":
                return self._send(204, b"", "image/x-icon")
            raise HttpError(404, f"nothing at {raw[:200]!r}")
        except HttpError as e:
            self._error(e)
        except (SessionError, FaderpilotError) as e:
            self._error(HttpError(500, str(e)))
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _media(self, make: Any) -> Path:
        app = self.server.app
        session, _ = app.document()
        with app.media_lock:
            try:
                return make(session)
            except media.MediaError as e:
                raise HttpError(e.status, str(e)) from None

    def do_POST(self) -> None:
        """Edits, notes and undo; each saves session.json and answers with the new state."""
        app = self.server.app
        try:
            self._check_host()
            route = urlsplit(self.path).path
            if route not in ("/api/edit", "/api/note", "/api/undo", "/api/train/round", "/api/train/answer"):
                raise HttpError(404, f"nothing to post to at {route[:200]!r}")
            body = self._body()
            if route == "/api/edit":
                return self._json(app.edit(body))
            if route == "/api/note":
                return self._json(app.note(body))
            if route == "/api/train/round":
                return self._json(app.train_round())
            if route == "/api/train/answer":
                return self._json(app.train_answer(body))
            return self._json(app.undo())
        except HttpError as e:
            self._error(e)
        except (SessionError, FaderpilotError, ValueError) as e:
            self._error(HttpError(500, str(e)))
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _refuse(self) -> None:
        self._error(HttpError(405, f"{self.command} is not supported here; the console takes GET and POST"))

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse


# ---------------------------------------------------------------------------- starting


def start(
    out_dir: str | Path,
    host: str = "127.0.0.1",
    port: int = 0,
    workers: int | None = None,
    quiet: bool = True,
) -> ConsoleServer:
    """Open OUT_DIR and serve it from a background thread; returns the server (``.url``,
    ``.app``; call ``stop(server)`` when done). Used by the tests and by :func:`serve`."""
    app = ConsoleApp(out_dir, workers)
    try:
        server = ConsoleServer(app, host, port, quiet)
    except OSError as e:
        app.close()
        raise FaderpilotError(
            f"{host}:{port}: cannot serve here ({e.strerror}); try --port 0 for any free port"
        ) from None
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="faderpilot-console", daemon=True
    ).start()
    return server


def stop(server: ConsoleServer) -> None:
    """Stop serving and the render thread."""
    server.shutdown()
    server.server_close()
    server.app.close()


def run_cli(args: Any, console: Any) -> int:
    """The ``console`` verb: serve OUT_DIR until Ctrl-C."""
    server = start(args.out_dir, args.host, args.port, quiet=not getattr(args, "verbose", False))
    console.print(
        f"faderpilot console for {server.app.out_dir} at {server.url} (Ctrl-C to stop)", highlight=False
    )
    if not _is_loopback(args.host):
        console.print(
            f"[yellow]note[/yellow] serving on {args.host}: anyone who can reach this address can listen to "
            "and change this session (there is no login)",
            highlight=False,
        )
    previous = signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        console.print("stopped", highlight=False)
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop(server)
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    """SIGTERM handler: stop serving as Ctrl-C does."""
    raise KeyboardInterrupt
