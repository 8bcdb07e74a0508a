"""Shared fixtures for the console tests: one mixed demo session per test run, copied per module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from faderpilot.demo import generate_demo
from faderpilot.pipeline import mix


@pytest.fixture(scope="session")
def demo_mix(tmp_path_factory) -> Path:
    """The demo song (8 s, its shortest) mixed once, without report or DAW sessions (not needed here)."""
    root = tmp_path_factory.mktemp("console-demo")
    generate_demo(root / "stems", seconds=8.0)
    mix(root / "stems", root / "out", workers=2, report=False, daws=())
    return root / "out"


def copy_session(src: Path, dst: Path) -> Path:
    """A private copy of a mixed session folder (tests edit it)."""
    shutil.copytree(src, dst)
    return dst
