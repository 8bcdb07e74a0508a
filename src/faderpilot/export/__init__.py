"""Views of a session for other programs: DAW sessions (Ardour, DAWproject, REAPER, AAF) and the report.

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
    "aaf": "faderpilot.export.aaf",
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


def _options(to: str, ardour_native: bool) -> dict:
    """The writer's own options: ``native`` (ACE plugins, ``--ardour-native``) for Ardour."""
    return {"native": True} if to == "ardour" and ardour_native else {}


def approximations(session: Session, to: str, ardour_native: bool = False) -> list[str]:
    """What the target DAW cannot play exactly as we render it (each a sentence; may be empty)."""
    module = importlib.import_module(DAW_WRITERS[to])
    return list(getattr(module, "approximations", lambda s: [])(session, **_options(to, ardour_native)))


def export(session: Session, out_dir: str | Path, to: str, ardour_native: bool = False) -> Path:
    """Write the session for one DAW target; returns the main file written.

    ``ardour_native``: Ardour's filters, dynamics, reverb and delay on its bundled ACE plugins
    (approximations, listed) instead of faderpilot's own Lua processors (the default, exact).
    """
    if to not in DAW_WRITERS:
        raise ValueError(f"unknown export target {to!r}; choose one of {', '.join(DAW_WRITERS)}")
    module = importlib.import_module(DAW_WRITERS[to])
    return module.write(session, Path(out_dir), **_options(to, ardour_native))
