"""JSON round trip of the session document, validated against the JSON Schema shipped beside it.

``to_dict(from_dict(d)) == d`` for every valid document, so a user's hand edits survive.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from ..filemode import replacing
from ..messages import message
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
    """A session document that cannot be read or does not validate; the message names the file
    (and, for a bad value, the field: FP-E023 not an object, FP-E024 a value out of range)."""

    def __init__(self, text: str, code: str | None = None) -> None:
        super().__init__(f"{text} [{code}]" if code else text)
        self.code = code


#: Ranges (inclusive) of the values the renderer and the exporters take, by field name. A value
#: outside them (1e308 dB, NaN) is refused on load, before it can render noise or write a
#: 23 GB DAW session. Frequencies are checked against the session's Nyquist frequency besides.
GAIN_DB = (-200.0, 48.0)
RANGES: dict[str, tuple[float, float]] = {
    "fader_db": GAIN_DB,
    "level_db": GAIN_DB,
    "trim_db": (-200.0, 96.0),
    "pan": (-1.0, 1.0),
    "width": (0.0, 1.0),
    "delay_ms": (-60_000.0, 60_000.0),
    "start_s": (-86_400.0, 86_400.0),
    "end_s": (-86_400.0, 86_400.0),
    "source_offset_s": (-86_400.0, 86_400.0),
    "fade_in_ms": (0.0, 3_600_000.0),
    "fade_out_ms": (0.0, 3_600_000.0),
    "time_s": (0.0, 86_400.0),
    "center_db": (-12.0, 0.0),
}
#: Processor parameters (the document's units), as RANGES.
PARAM_RANGES: dict[str, tuple[float, float]] = {
    "slope_db_oct": (6.0, 96.0),
    "gain_db": (-96.0, 96.0),
    "q": (0.01, 100.0),
    "threshold_db": (-200.0, 24.0),
    "ratio": (1.0, 1000.0),
    "attack_ms": (0.0, 10_000.0),
    "release_ms": (0.0, 60_000.0),
    "makeup_db": (-96.0, 96.0),
    "range_db": (-200.0, 200.0),  # views take its size (abs): either sign means "turn down by"
    "drive_db": (-96.0, 96.0),
    "mix_pct": (0.0, 100.0),
    "room_size": (0.0, 1.0),
    "damping": (0.0, 1.0),
    "width": (0.0, 1.0),
    "time_ms": (0.0, 60_000.0),
    "feedback_pct": (0.0, 100.0),
    "ceiling_db": (-96.0, 24.0),
}


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


def _bad(where: str, field: str, value: Any, why: str) -> SessionError:
    return SessionError(f"{where}: {message('FP-E024', field, value, why)}", "FP-E024")


def _check_number(
    where: str, field: str, value: Any, lo: float, hi: float, lo_open: bool = False, hi_name: str = ""
) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return  # the schema says what type each field is
    if not math.isfinite(value):
        raise _bad(where, field, value, "not a finite number")
    if value < lo or value > hi or (lo_open and value == lo):
        span = f"({lo:g}, {hi:g}]" if lo_open else f"[{lo:g}, {hi:g}]"
        raise _bad(where, field, value, f"outside {span}{hi_name}")


def _items(x: Any) -> list[Any]:
    """A list from the document, or nothing when it is not one (the schema then says so)."""
    return x if isinstance(x, list) else []


def _check_strip(where: str, base: str, s: Any, nyquist: float) -> None:
    if not isinstance(s, dict):
        return
    for k, v in s.items():
        if k in RANGES:
            _check_number(where, f"{base}/{k}", v, *RANGES[k])
    for j, r in enumerate(_items(s.get("regions"))):
        for k, v in r.items() if isinstance(r, dict) else ():
            if k in RANGES:
                _check_number(where, f"{base}/regions/{j}/{k}", v, *RANGES[k])
    for j, x in enumerate(_items(s.get("sends"))):
        if isinstance(x, dict):
            _check_number(where, f"{base}/sends/{j}/level_db", x.get("level_db"), *GAIN_DB)
    for j, p in enumerate(_items(s.get("chain"))):
        params = p.get("params") if isinstance(p, dict) else None
        for k, v in params.items() if isinstance(params, dict) else ():
            field = f"{base}/chain/{j}/params/{k}"
            if k == "freq_hz":
                _check_number(where, field, v, 0.0, nyquist, True, ", the Nyquist frequency being the top")
            else:
                _check_number(where, field, v, *PARAM_RANGES.get(k, (-1e9, 1e9)))


def check_values(d: dict[str, Any], where: str = "session") -> None:
    """Raise SessionError (FP-E024) naming the file, the field path ("tracks/3/fader_db") and the
    value for the first number the renderer and exporters cannot take: not finite (NaN,
    Infinity), or outside its range (:data:`RANGES`, :data:`PARAM_RANGES`, frequencies in
    (0, Nyquist])."""
    sr = d.get("sample_rate")
    _check_number(where, "sample_rate", sr, 8000, 768_000)
    _check_number(where, "length_s", d.get("length_s"), 0.0, 86_400.0, lo_open=True)
    nyquist = sr / 2 if isinstance(sr, int | float) and not isinstance(sr, bool) and sr > 0 else 384_000.0
    for part in ("tracks", "buses"):
        for i, s in enumerate(_items(d.get(part))):
            _check_strip(where, f"{part}/{i}", s, nyquist)
    for i, m in enumerate(_items(d.get("markers"))):
        if isinstance(m, dict):
            _check_number(where, f"markers/{i}/time_s", m.get("time_s"), *RANGES["time_s"])
    law = d.get("pan_law")
    if isinstance(law, dict):
        _check_number(where, "pan_law/center_db", law.get("center_db"), *RANGES["center_db"])


def validate(d: Any, where: str = "session") -> None:
    """Raise SessionError naming the first schema violation and where it is: a document that is
    not a JSON object (FP-E023), a wrong version, a schema violation, a value out of range (FP-E024)."""
    if not isinstance(d, dict):
        kind = {list: "an array", str: "a string", bool: "true or false", type(None): "null"}.get(
            type(d), "a number"
        )
        raise SessionError(f"{where}: {message('FP-E023', kind)}", "FP-E023")
    if d.get("version") != SCHEMA_VERSION:
        raise SessionError(
            f"{where}: session version {d.get('version')!r} is not the supported {SCHEMA_VERSION!r}"
        )
    check_values(d, where)  # first, so a NaN or 1e308 is named as such (FP-E024)
    try:
        jsonschema.validate(d, schema())
    except jsonschema.ValidationError as e:
        path = "/".join(str(p) for p in e.absolute_path) or "(top level)"
        raise SessionError(f"{where}: {message('FP-E027', path, e.message)}", "FP-E027") from None


def _text(d: dict[str, Any]) -> str:
    return json.dumps(d, indent=2, ensure_ascii=False) + "\n"


def dumps(session: Session) -> str:
    """The session as indented JSON text (stable key order, so re-runs are byte-identical)."""
    return _text(to_dict(session))


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write bytes via a temporary file in the same folder and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp:
        Path(tmp).write_bytes(data)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write UTF-8 text via a temporary file in the same folder and an atomic rename."""
    write_bytes_atomic(path, text.encode("utf-8"))


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
