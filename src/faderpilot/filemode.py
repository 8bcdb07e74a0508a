"""The mode a new output file gets: what a plain ``open()`` would give it (0666 less the umask).

Outputs are written to a ``tempfile.mkstemp`` file and renamed over the destination; mkstemp
makes owner-only (0600) files, so every atomic writer calls :func:`give_plain_mode` on the
temporary file before the rename.

The umask can only be read by setting it (``os.umask``), which races with other threads
creating files. So it is read from ``/proc/self/status`` (Linux 4.7 and later), which neither
changes it nor races; elsewhere it is read once, at import, before faderpilot starts any thread.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _umask_by_setting() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: The umask when faderpilot was imported (used where /proc does not report it).
IMPORT_UMASK = _umask_by_setting()


def current_umask() -> int:
    """The process's umask now, read without changing it where the OS allows."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return IMPORT_UMASK


def plain_mode() -> int:
    """0666 less the umask: the mode ``open(path, "w")`` gives a new file."""
    return 0o666 & ~current_umask()


def give_plain_mode(path: str | Path) -> None:
    """Set the mode a plain ``open()`` would have given ``path`` (a just-written temporary file)."""
    os.chmod(path, plain_mode())


@contextlib.contextmanager
def replacing(path: str | Path, suffix: str = ".tmp") -> Iterator[str]:
    """The name of a new, empty temporary file in ``path``'s folder (its descriptor closed): once
    the block has written it, it gets the plain mode and atomically replaces ``path``; if the
    block fails, it is removed. Every atomic writer of faderpilot goes through here."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    try:
        yield tmp
        give_plain_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
