"""The local engine's worker process: ``python -m faderpilot.batch.child`` mixes one song."""

from __future__ import annotations

import os
from typing import Any


def main() -> None:
    """``python -m faderpilot.batch.child``: the local engine's worker process. Reads (spec,
    attempt) pickled on stdin; writes pickled ("progress", stage, done, total) messages and then
    ("summary", dict) or ("error", text) on stdout (print() goes to stderr)."""
    import pickle
    import sys

    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    spec, attempt = pickle.load(sys.stdin.buffer)

    def send(*msg: Any) -> None:
        pickle.dump(msg, out)
        out.flush()

    from .engines import _throttled, error_text
    from .worker import run_song

    try:
        send("summary", run_song(spec, attempt, _throttled(lambda s, d, t: send("progress", s, d, t))))
    except Exception as e:  # noqa: BLE001 - every failure is reported by name, the batch goes on
        send("error", error_text(e))
    out.close()


if __name__ == "__main__":
    main()
