"""Waiting on a page in the browser tests (the console's CSP forbids Playwright's eval-based waits)."""

from __future__ import annotations

import time


def wait(pg, expr: str, timeout: float = 30.0) -> None:
    """Poll a page expression until it is truthy."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pg.evaluate(expr):
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {expr}")
