"""The tiny songs and their plain ``mix`` outputs, made once for every batch test module."""

from __future__ import annotations

from pathlib import Path

import pytest

import faderpilot

from .tiny import fingerprint, make_songs


@pytest.fixture(scope="session")
def songs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SONGS_DIR: alpha, beta (stems/, rough, -16 LUFS in its faderpilot.toml), broken (no audio)."""
    return make_songs(tmp_path_factory.mktemp("songs"))


@pytest.fixture(scope="session")
def plain(songs: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Fingerprints of each good song mixed by the public ``faderpilot.mix``, as `faderpilot mix`
    would be called on it."""
    out = tmp_path_factory.mktemp("plain")
    faderpilot.mix(songs / "alpha", out / "alpha")
    faderpilot.mix(
        songs / "beta" / "stems", out / "beta", rough=songs / "beta" / "rough.wav", target_lufs=-16
    )
    return {name: fingerprint(out / name) for name in ("alpha", "beta")}
