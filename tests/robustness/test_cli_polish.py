"""Smaller things a new user meets (issue 15): file modes, the master in the summary, help on
every argument, coded messages for operating-system errors, no "at at", non-UTF-8 notes."""

from __future__ import annotations

import argparse
import errno
import hashlib
import os
import re
import stat
from pathlib import Path

import numpy as np
import pytest

from faderpilot import cli
from faderpilot.audio.io import write_wav_atomic
from faderpilot.filemode import current_umask, plain_mode
from faderpilot.messages import MESSAGES
from faderpilot.session.io import write_text_atomic

from .harness import good_stems, run_cli

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture
def umask():
    """Set a umask for one test (``umask(0o022)``), restoring the old one after."""
    old = os.umask(0o022)
    os.umask(old)

    def set_(mask: int) -> None:
        os.umask(mask)

    yield set_
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """``faderpilot mix --target-lufs -16`` under umask 022: (out folder, Run)."""
    root = tmp_path_factory.mktemp("polish")
    stems = root / "song"
    good_stems(stems, seconds=3.0)
    old = os.umask(0o022)
    try:
        run = run_cli("mix", str(stems), "-o", str(root / "out"), "--target-lufs", "-16")
    finally:
        os.umask(old)
    assert run.status == 0, run.output
    return root / "out", run


# 1. file modes -------------------------------------------------------------------------------


def test_mix_writes_every_file_0644_under_umask_022(mixed):
    out, _ = mixed
    files = [p for p in out.rglob("*") if p.is_file() and not p.is_symlink()]
    names = {p.name for p in files}
    assert {"session.json", "mix.wav", "mix_master.wav", "report.html", "run.json"} <= names
    assert any(p.parent.name == "stems" for p in files)
    modes = {str(p.relative_to(out)): oct(_mode(p)) for p in files}
    assert {k: v for k, v in modes.items() if v != "0o644"} == {}
    assert not [p for p in out.rglob(".*tmp*")], "a temporary file was left behind"


@pytest.mark.parametrize(
    ("mask", "expected"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600), (0o002, 0o664)]
)
def test_atomic_writers_follow_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    assert current_umask() == mask
    assert plain_mode() == expected
    write_text_atomic(tmp_path / "a.json", "{}\n")
    write_wav_atomic(tmp_path / "a.wav", np.zeros((2, 100), np.float32), 48000)
    write_wav_atomic(tmp_path / "f.wav", np.zeros((1, 100), np.float32), 48000, "FLOAT")
    with open(tmp_path / "plain.txt", "w") as f:  # what the atomic writers must match
        f.write("x")
    assert _mode(tmp_path / "plain.txt") == expected
    for name in ("a.json", "a.wav", "f.wav"):
        assert _mode(tmp_path / name) == expected, name
    # replacing an existing file gives the new one the plain mode too
    os.chmod(tmp_path / "a.json", 0o600)
    write_text_atomic(tmp_path / "a.json", "[]\n")
    assert _mode(tmp_path / "a.json") == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.wav", "f.wav", "plain.txt"]


def test_demo_stems_follow_the_umask(tmp_path, umask):
    umask(0o027)
    run = run_cli("demo", str(tmp_path / "demo"), "--seconds", "8")
    assert run.status == 0, run.output
    files = list((tmp_path / "demo").iterdir())
    assert len(files) >= 10
    assert {oct(_mode(p)) for p in files} == {"0o640"}


# 2. the master in the summary ----------------------------------------------------------------


def test_summary_names_the_master_with_its_loudness_and_true_peak(mixed):
    out, run = mixed
    text = " ".join(run.output.split())
    m = re.search(
        r"wrote (\S+mix_master\.wav): the master at (-?\d+\.\d) LUFS integrated \(target -16 LUFS\), "
        r"true peak (-?\d+\.\d) dBTP",
        text,
    )
    assert m, run.output
    assert Path(m.group(1)) == out / "mix_master.wav"
    assert abs(float(m.group(2)) - -16.0) <= 0.5
    assert float(m.group(3)) <= -0.9


def test_summary_without_target_lufs_names_no_master(tmp_path):
    good_stems(tmp_path / "song", seconds=1.5, names=("Kick", "Bass"))
    run = run_cli("mix", str(tmp_path / "song"), "-o", str(tmp_path / "out"))
    assert run.status == 0, run.output
    assert "mix_master" not in run.output
    assert not (tmp_path / "out" / "mix_master.wav").exists()


# 3. help on every argument -------------------------------------------------------------------


def _walk(parser: argparse.ArgumentParser, where: str):
    for action in parser._actions:
        yield where, action
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _walk(sub, f"{where} {name}")


def test_every_argument_of_every_verb_has_help():
    actions = list(_walk(cli._parser(), "faderpilot"))
    verbs = {w for w, _ in actions}
    for verb in ("mix", "prep", "template save", "export", "report", "console", "note", "undo"):
        assert f"faderpilot {verb}" in verbs
    for verb in ("markers", "learn", "provenance", "demo"):
        assert f"faderpilot {verb}" in verbs
    missing = [
        f"{w}: {'/'.join(a.option_strings) or a.dest}"
        for w, a in actions
        if not isinstance(a, argparse._HelpAction) and not (a.help and a.help.strip())
    ]
    assert missing == []
    assert len(actions) >= 40


def test_help_prints_for_every_verb(capsys):
    for where, action in _walk(cli._parser(), "faderpilot"):
        if isinstance(action, argparse._SubParsersAction):
            for name in action.choices:
                argv = [*where.split()[1:], name, "-h"]
                with pytest.raises(SystemExit) as e:
                    cli.main(argv)
                assert e.value.code == 0
    assert "usage:" in capsys.readouterr().out


# 4. coded messages for operating-system errors -----------------------------------------------


def _error_line(run, code: str) -> str:
    lines = run.lines(f"[{code}]")
    assert len(lines) == 1, run.output
    assert "Traceback" not in run.output and "Errno" not in run.output
    return lines[0]


def test_out_pointing_at_a_file_is_fp_e032(tmp_path):
    good_stems(tmp_path / "song", seconds=1.0, names=("Kick", "Bass"))
    target = tmp_path / "notes.txt"
    target.write_text("mine\n")
    for out in (target, target / "deeper"):
        run = run_cli("mix", str(tmp_path / "song"), "-o", str(out))
        assert run.status == 1
        line = _error_line(run, "FP-E032")
        assert f"{target}: is a file where a folder is needed" in line
    assert target.read_text() == "mine\n"


def test_output_file_that_is_a_folder_is_fp_e033(mixed, tmp_path):
    out, _ = mixed
    folder = tmp_path / "a folder"
    folder.mkdir()
    run = run_cli("template", "save", str(out), "-o", str(folder))
    assert run.status == 1
    assert f"{folder}: is a folder where a file is needed" in _error_line(run, "FP-E033")
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_unwritable_folder_is_fp_e030_naming_the_folder(mixed, tmp_path, monkeypatch):
    """A folder that refuses the temporary file: the message names the folder, not the temp
    name (as root no folder refuses, so the refusal is made where the report is written)."""
    out, _ = mixed
    before = _sha(out / "report.html")

    def refuse(out_dir):
        raise PermissionError(errno.EACCES, "Permission denied", str(Path(out_dir) / ".report.html.x1y2.tmp"))

    monkeypatch.setattr("faderpilot.export.report.write_report", refuse)
    run = run_cli("report", str(out))
    assert run.status == 1
    line = _error_line(run, "FP-E030")
    assert f"{out}: permission denied" in line
    assert ".tmp" not in line
    assert _sha(out / "report.html") == before


def test_unwritable_folder_for_real(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into any folder")
    good_stems(tmp_path / "song", seconds=1.0, names=("Kick", "Bass"))
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        run = run_cli("mix", str(tmp_path / "song"), "-o", str(locked / "out"))
    finally:
        locked.chmod(0o755)
    assert run.status == 1
    assert str(locked) in _error_line(run, "FP-E030")


EIO = "Input/output error"


@pytest.mark.parametrize(
    ("exc", "code", "words"),
    [
        (PermissionError(errno.EACCES, "Permission denied", "/x/o"), "FP-E030", "/x/o: permission denied"),
        (FileNotFoundError(errno.ENOENT, "No such file", "/x/gone"), "FP-E031", "/x/gone: no such"),
        (IsADirectoryError(errno.EISDIR, "Is a directory", "/x/dir"), "FP-E033", "/x/dir: is a folder"),
        (OSError(errno.ENOSPC, "No space left", "/x/o/mix.wav"), "FP-E034", "/x/o/mix.wav: no space"),
        (OSError(errno.EROFS, "Read-only file system", "/x/o"), "FP-E035", "/x/o: on a read-only"),
        (OSError(errno.EIO, EIO, "/x/o"), "FP-E036", f"/x/o: the system refused ({EIO})"),
        (OSError(errno.EIO, EIO), "FP-E036", "/y/out: the system refused"),
    ],
)
def test_os_error_text(exc, code, words):
    args = argparse.Namespace(verb="mix", out=Path("/y/out"))
    text = cli.os_error_text(exc, args)
    assert text.endswith(f"[{code}]")
    assert words in text
    assert "Errno" not in text


def test_os_error_from_a_verb_is_coded_without_traceback(mixed, monkeypatch):
    out, _ = mixed

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(out / ".session.json.abc.tmp"))

    monkeypatch.setattr("faderpilot.export.report.write_report", full)
    run = run_cli("report", str(out))
    assert run.status == 1
    assert f"{out}: no space left on the device" in _error_line(run, "FP-E034")


# 5. no "at at" ------------------------------------------------------------------------------


def test_no_doubled_at_in_messages_or_docs():
    doubled = re.compile(r"\bat\W+at\b", re.I)
    assert [c for c, t in MESSAGES.items() if doubled.search(t)] == []
    assert [p.name for p in DOCS.glob("*.md") if doubled.search(p.read_text(encoding="utf-8"))] == []
    src = Path(cli.__file__).parent
    assert [str(p) for p in src.rglob("*.py") if doubled.search(p.read_text(encoding="utf-8"))] == []


def test_new_codes_are_documented():
    table = (DOCS / "messages.md").read_text(encoding="utf-8")
    for code in [f"FP-E03{i}" for i in range(8)]:
        assert code in MESSAGES
        assert f"| {code} |" in table


# 6. notes that are not UTF-8 ----------------------------------------------------------------


def test_non_utf8_note_is_fp_e037_and_changes_nothing(mixed):
    out, _ = mixed
    before = {p.name: _sha(p) for p in out.iterdir() if p.is_file()}
    note = os.fsdecode(b"vocal up \xff\xfe 2 dB")  # what Python makes of such bytes in argv
    run = run_cli("note", str(out), note, "--no-render")
    assert run.status == 1
    line = _error_line(run, "FP-E037")
    assert "the note is not UTF-8 text (byte(s) 0xff 0xfe cannot be read)" in line
    assert "position" not in run.output and "surrogates" not in run.output
    assert {p.name: _sha(p) for p in out.iterdir() if p.is_file()} == before


def test_non_utf8_marker_is_fp_e037(mixed):
    out, _ = mixed
    before = _sha(out / "session.json")
    run = run_cli("markers", str(out), os.fsdecode(b"ch\xe9rus=0:01"))
    assert run.status == 1
    assert "the marker list is not UTF-8 text (byte(s) 0xe9" in _error_line(run, "FP-E037")
    assert _sha(out / "session.json") == before


def test_unicode_encode_error_met_later_is_coded():
    e = UnicodeEncodeError("utf-8", "ab\udcffc", 2, 3, "surrogates not allowed")
    assert cli._unicode_text(e) == (
        "the name or text given is not UTF-8 text (byte(s) 0xff cannot be read); type it again or "
        "re-save it as UTF-8 [FP-E037]"
    )
