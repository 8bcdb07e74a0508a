"""Views of a session for other programs: DAW sessions (Ardour, DAWproject, REAPER) and the report.

Each DAW writer is a module with ``write(session, out_dir) -> Path`` that writes its files under
``out_dir`` atomically, referencing audio by relative paths (``export.media``).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from ..session.model import Session

#: target name -> module implementing ``write(session, out_dir) -> Path``
DAW_WRITERS: dict[str, str] = {
    "ardour": "faderpilot.export.ardour",
    "dawproject": "faderpilot.export.dawproject",
    "reaper": "faderpilot.export.reaper",
}


def available() -> list[str]:
    """DAW targets whose writer is installed in this build."""
    out = []
    for name, mod in DAW_WRITERS.items():
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError:
            continue
        out.append(name)
    return out


def approximations(session: Session, to: str) -> list[str]:
    """What the target DAW cannot play exactly as we render it (each a sentence; may be empty)."""
    module = importlib.import_module(DAW_WRITERS[to])
    return list(getattr(module, "approximations", lambda s: [])(session))


def export(session: Session, out_dir: str | Path, to: str) -> Path:
    """Write the session for one DAW target; returns the main file written."""
    if to not in DAW_WRITERS:
        raise ValueError(f"unknown export target {to!r}; choose one of {', '.join(DAW_WRITERS)}")
    module = importlib.import_module(DAW_WRITERS[to])
    return module.write(session, Path(out_dir))
