"""JSON round trip of the session document, validated against the JSON Schema shipped beside it.

``to_dict(from_dict(d)) == d`` for every valid document, so a user's hand edits survive.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from .model import (
    SCHEMA_VERSION,
    Bus,
    Decision,
    Marker,
    PanLaw,
    Processor,
    Region,
    Role,
    Send,
    Session,
    Skipped,
    Source,
    Track,
)

SCHEMA_PATH = Path(__file__).with_name("session.schema.json")


class SessionError(ValueError):
    """A session document that cannot be read or does not validate; the message names the file."""


@cache
def schema() -> dict[str, Any]:
    """The session document's JSON Schema (draft 2020-12)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def to_dict(session: Session) -> dict[str, Any]:
    """The session as plain JSON-ready data."""
    return asdict(session)


def _decision(d: dict[str, Any] | None) -> Decision | None:
    return None if d is None else Decision(**d)


def _decisions(d: dict[str, Any]) -> dict[str, Decision]:
    return {k: Decision(**v) for k, v in d.items()}


def _processor(d: dict[str, Any]) -> Processor:
    return Processor(
        id=d["id"],
        kind=d["kind"],
        params=dict(d["params"]),
        enabled=d.get("enabled", True),
        decision=_decision(d.get("decision")),
    )


def _send(d: dict[str, Any]) -> Send:
    return Send(bus=d["bus"], level_db=d["level_db"], decision=_decision(d.get("decision")))


def _track(d: dict[str, Any]) -> Track:
    d = dict(d)
    d["role"] = Role(**d["role"])
    d["regions"] = [Region(**r) for r in d.get("regions", [])]
    d["chain"] = [_processor(p) for p in d.get("chain", [])]
    d["sends"] = [_send(s) for s in d.get("sends", [])]
    d["decisions"] = _decisions(d.get("decisions", {}))
    return Track(**d)


def _bus(d: dict[str, Any]) -> Bus:
    d = dict(d)
    d["chain"] = [_processor(p) for p in d.get("chain", [])]
    d["decisions"] = _decisions(d.get("decisions", {}))
    return Bus(**d)


def from_dict(d: dict[str, Any]) -> Session:
    """Build a Session from plain data (validated first)."""
    validate(d)
    d = dict(d)
    d["sources"] = [Source(**s) for s in d.get("sources", [])]
    d["tracks"] = [_track(t) for t in d.get("tracks", [])]
    d["buses"] = [_bus(b) for b in d.get("buses", [])]
    d["markers"] = [Marker(**m) for m in d.get("markers", [])]
    d["pan_law"] = PanLaw(**d["pan_law"])
    d["skipped"] = [Skipped(**s) for s in d.get("skipped", [])]
    d["warnings"] = [Skipped(**s) for s in d.get("warnings", [])]
    return Session(**d)


def read_json(path: Path, error: type[ValueError], what: str) -> Any:
    """The JSON document at ``path``; ``error`` says "no <what> here" or why it is not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: no {what} here") from None
    except json.JSONDecodeError as e:
        raise error(f"{path}: not valid JSON ({e.msg} at line {e.lineno})") from None


def check_schema(d: Any, schema: dict[str, Any], error: type[ValueError], invalid: str) -> None:
    """Raise ``error`` "<invalid> at <path>: <why>" for the first schema violation in ``d``."""
    try:
        jsonschema.validate(d, schema)
    except jsonschema.ValidationError as e:
        path = "/".join(str(p) for p in e.absolute_path) or "(top level)"
        raise error(f"{invalid} at {path}: {e.message}") from None


def validate(d: dict[str, Any], where: str = "session") -> None:
    """Raise SessionError naming the first schema violation and where it is."""
    if d.get("version") != SCHEMA_VERSION:
        raise SessionError(
            f"{where}: session version {d.get('version')!r} is not the supported {SCHEMA_VERSION!r}"
        )
    check_schema(d, schema(), SessionError, f"{where}: invalid session document")


def _text(d: dict[str, Any]) -> str:
    return json.dumps(d, indent=2, ensure_ascii=False) + "\n"


def dumps(session: Session) -> str:
    """The session as indented JSON text (stable key order, so re-runs are byte-identical)."""
    return _text(to_dict(session))


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write text via a temporary file in the same folder and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(session: Session, path: str | Path) -> None:
    """Validate and write the session document atomically."""
    d = to_dict(session)
    validate(d, str(path))
    write_text_atomic(path, _text(d))


def load(path: str | Path) -> Session:
    """Read and validate a session document."""
    path = Path(path)
    d = read_json(path, SessionError, "session document")
    validate(d, str(path))
    return from_dict(d)
