"""The bad-input checker every robustness case runs through (issue 15).

API (small on purpose; other case files import it):

- ``write(path, audio, sr, subtype="PCM_16", fmt=None)``: write (channels, frames) or 1-D
  float audio with soundfile, making folders as needed; returns the path.
- ``good_stems(folder, sr=22050, seconds=1.5, names=("Kick", "Bass", "Keys"))``: write small
  generated stems that mix well (a decaying kick, a bass tone, a keys chord); returns the paths.
- ``run_cli(*argv) -> Run``: ``faderpilot.cli.main(argv)`` in-process, stdout and stderr captured
  (wide lines, so a long file name is never wrapped); an exception that escapes ``main`` is
  caught and its traceback put in ``Run.output`` (so a crash fails the checks, not the runner).
- ``check_mix(stems, out, *, code=None, file=None, status=0, good=(), args=()) -> Run``:
  run ``faderpilot mix STEMS -o OUT *args`` and assert, in order:

  1. the exit status is ``status``; no "Traceback" anywhere in the output;
  2. with ``code``: the coded message (``[FP-xxxx]`` or ``FP-xxxx``) appears on a line that names
     ``file`` (a file or folder name; any of them when a tuple is given);
  3. on success: every name in ``good`` (a stem file name, or the track's display name) has a
     track in OUT/session.json, and OUT/mix.wav is not silent;
  4. every file under ``stems`` has the same SHA-256 afterwards (sources are never touched);
  5. every file that was in ``out`` before still exists, and those faderpilot does not write
     itself (see ``OUTPUT_NAMES``) keep their bytes.

  ``Run`` has ``status``, ``output`` (stdout + stderr), ``session`` (the parsed session.json or
  None) and ``lines(code)`` (the output lines carrying a code).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from faderpilot.cli import main

#: What ``faderpilot mix`` writes into its output folder (relative paths); a pre-existing file at
#: one of these may be replaced, every other pre-existing file must keep its bytes.
OUTPUT_NAMES = re.compile(
    r"^(session\.json|mix[^/]*\.wav|rough_match\.wav|report\.html|run\.json|[^/]*\.(rpp|RPP|dawproject|ardour|aaf)"
    r"|(stems|media|ardour|interchange|REAPER Effects|plots)/.*)$"
)


@dataclass
class Run:
    """One CLI run: exit status, everything printed, the session it wrote (or None)."""

    status: int
    output: str
    session: dict | None = None

    def lines(self, code: str) -> list[str]:
        """Output lines carrying ``code``."""
        return [ln for ln in self.output.splitlines() if code in ln]


def write(
    path: str | Path, audio: np.ndarray, sr: int, subtype: str = "PCM_16", fmt: str | None = None
) -> Path:
    """Write float audio ((channels, frames) or 1-D) to ``path``; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    x = np.asarray(audio)
    data = x.T if x.ndim == 2 else x
    sf.write(str(path), data, sr, subtype=subtype, format=fmt)
    return path


def _kick(sr: int, n: int) -> np.ndarray:
    out = np.zeros(n)
    t = np.arange(int(0.25 * sr)) / sr
    hit = 0.8 * np.sin(2 * np.pi * (50 + 80 * np.exp(-t / 0.03)) * t) * np.exp(-t / 0.12)
    for i in range(0, n, sr // 2):
        k = min(hit.size, n - i)
        out[i : i + k] += hit[:k]
    return out


def good_stems(
    folder: str | Path,
    sr: int = 22050,
    seconds: float = 1.5,
    names: Sequence[str] = ("Kick", "Bass", "Keys"),
    subtype: str = "PCM_16",
) -> list[Path]:
    """Small stems that mix well (kick, bass tone, keys chord, then tones), written as WAV."""
    folder = Path(folder)
    n = int(seconds * sr)
    t = np.arange(n) / sr
    rng = np.random.default_rng(len(names))
    voices = [
        _kick(sr, n),
        0.5 * np.sin(2 * np.pi * 55 * t) + 0.1 * np.sin(2 * np.pi * 110 * t),
        0.2 * sum(np.sin(2 * np.pi * f * t) for f in (261.6, 329.6, 392.0)),
    ]
    paths = []
    for i, name in enumerate(names):
        x = voices[i] if i < len(voices) else 0.3 * np.sin(2 * np.pi * (440 + 110 * i) * t)
        x = x + 1e-3 * rng.standard_normal(n)  # a floor, so no stem is digitally silent
        suffix = "" if Path(name).suffix else ".wav"
        paths.append(write(folder / f"{name}{suffix}", x.astype(np.float32), sr, subtype))
    return paths


def _digest(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every regular file under ``folder`` (links not followed)."""
    out: dict[str, str] = {}
    if not folder.is_dir():
        return out
    for root, _dirs, files in os.walk(folder):
        for f in files:
            p = Path(root) / f
            if p.is_symlink() or not p.is_file():
                continue
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@contextlib.contextmanager
def _wide_terminal():
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "4000"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def run_cli(*argv: str | Path) -> Run:
    """``faderpilot ARGV`` in-process, output captured; an escaping exception becomes a traceback
    in the output and status 99."""
    out, err = io.StringIO(), io.StringIO()
    with _wide_terminal(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main([str(a) for a in argv])
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else 1
        except Exception:  # noqa: BLE001 - a crash is what the checks look for
            traceback.print_exc(file=err)
            status = 99
    return Run(int(status or 0), out.getvalue() + err.getvalue())


def _names(file: str | Iterable[str] | None) -> list[str]:
    if file is None:
        return []
    return [file] if isinstance(file, str) else list(file)


def check_mix(
    stems: str | Path,
    out: str | Path,
    *,
    code: str | None = None,
    file: str | Iterable[str] | None = None,
    status: int = 0,
    good: Iterable[str] = (),
    args: Sequence[str] = (),
) -> Run:
    """Run ``faderpilot mix`` on ``stems`` into ``out`` and assert the robustness rules (see the
    module docstring); returns the run for further checks."""
    stems, out = Path(stems), Path(out)
    before_src = _digest(stems)
    before_out = _digest(out)
    r = run_cli("mix", stems, "-o", out, *args)
    assert "Traceback" not in r.output, r.output
    assert r.status == status, f"exit status {r.status}, expected {status}:\n{r.output}"
    if code is not None:
        lines = r.lines(code)
        assert lines, f"no {code} in the output:\n{r.output}"
        names = _names(file)
        if names:
            assert any(n in ln for ln in lines for n in names), f"{code} does not name {names}:\n{r.output}"
    if status == 0:
        r.session = json.loads((out / "session.json").read_text())
        tracks = r.session["tracks"]
        for g in good:
            ok = any(Path(t["source"]).name == g or t["name"] == g for t in tracks)
            assert ok, f"good stem {g} has no track: {[t['name'] for t in tracks]}"
            assert not any(Path(t["source"]).name == g and t["mute"] for t in tracks), f"{g} is muted"
        mixed, _ = sf.read(str(out / "mix.wav"), dtype="float32")
        assert np.isfinite(mixed).all(), "mix.wav holds non-finite samples"
        assert float(np.abs(mixed).max()) > 1e-4, "mix.wav is silent"
    assert _digest(stems) == before_src, "a source file changed"
    after_out = _digest(out)
    for rel, digest in before_out.items():
        assert rel in after_out, f"{rel} was in the output folder before and is gone"
        if not OUTPUT_NAMES.match(rel):
            assert after_out[rel] == digest, f"{rel} (not a faderpilot output) was changed"
    return r
