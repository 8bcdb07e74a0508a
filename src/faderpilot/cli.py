"""``faderpilot <verb>``: argument handling, progress and the summary; no mixing logic here."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .prep import cli as prep_cli
from .session.roles import ROLE_LABELS
from .version import __version__

#: what ``--ardour-native`` does (on ``mix`` and ``export``)
ARDOUR_NATIVE_HELP = (
    "write the Ardour session on its bundled ACE plugins (EQ, compressor, expander, reverb, delay), "
    "approximations that are printed; default: faderpilot's own Lua processors, which play the mix"
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="faderpilot", description="An assistant engineer for music mixing.")
    p.add_argument(
        "--version", action="version", version=f"faderpilot {__version__}", help="print the version and exit"
    )
    sub = p.add_subparsers(dest="verb", required=True, help="what to do (faderpilot VERB -h for more)")
    m = sub.add_parser("mix", help="mix a folder of stems into a session, a mix and printed stems")
    m.add_argument("stems_dir", type=Path, help="the folder of stems (never modified)")
    m.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    m.add_argument("--sample-rate", type=int, default=None, help="session rate (default: most common)")
    m.add_argument(
        "--target-lufs", type=float, default=None, help="also write mix_master.wav at this loudness"
    )
    m.add_argument("--workers", type=int, default=None, help="threads (default: number of cores, at most 4)")
    m.add_argument(
        "--rough", type=Path, default=None, help="the producer's rough mix: match it, then improve on it"
    )
    m.add_argument("--template", type=Path, default=None, help=prep_cli.TEMPLATE_HELP)
    m.add_argument("--profile", type=Path, default=None, help="your taste, learned by `faderpilot learn`")
    m.add_argument(
        "--force",
        action="store_true",
        help="mix into a folder whose session holds notes or edits (that session is kept beside the new one)",
    )
    m.add_argument("--ardour-native", action="store_true", help=ARDOUR_NATIVE_HELP)
    prep_cli.add_parsers(sub)
    e = sub.add_parser("export", help="write DAW sessions from an (edited) session.json")
    e.add_argument("out_dir", type=Path, help="a folder holding session.json")
    e.add_argument(
        "--to", action="append", required=True, help="ardour, dawproject, reaper or aaf (repeatable)"
    )
    e.add_argument("--ardour-native", action="store_true", help=ARDOUR_NATIVE_HELP)
    r = sub.add_parser("report", help="write OUT_DIR/report.html from its (edited) session.json")
    r.add_argument("out_dir", type=Path, help="a folder holding session.json")
    c = sub.add_parser("console", help="open OUT_DIR's session in a web console (faders, reasons, notes)")
    c.add_argument("out_dir", type=Path, help="a folder holding session.json")
    c.add_argument("--host", default="127.0.0.1", help="address to serve on (default: this machine only)")
    c.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any free port)")
    n = sub.add_parser("note", help="apply a mix note in plain language to the session in OUT_DIR")
    n.add_argument("out_dir", type=Path, help="a folder holding session.json")
    n.add_argument("text", nargs="+", help='the note, e.g. "vocal up a touch in the chorus"')
    n.add_argument("--no-render", action="store_true", help="edit session.json only")
    u = sub.add_parser("undo", help="revert the last note applied to the session in OUT_DIR")
    u.add_argument("out_dir", type=Path, help="a folder holding session.json")
    u.add_argument("--no-render", action="store_true", help="edit session.json only")
    k = sub.add_parser("markers", help="show, set (name=m:ss ...) or --detect the song's sections")
    k.add_argument("out_dir", type=Path, help="a folder holding session.json")
    k.add_argument("items", nargs="*", help="name=time items, e.g. intro=0:00 verse=0:12 chorus=0:41")
    k.add_argument("--detect", action="store_true", help="detect sections from mix.wav")
    from .profile.cli import add_parsers as add_profile_parsers

    add_profile_parsers(sub)
    from .batch.cli import add_parser as add_batch_parser

    add_batch_parser(sub)
    from .coach.cli import add_parsers as add_coach_parsers

    add_coach_parsers(sub)
    d = sub.add_parser("demo", help="write the synthesized demo stems into a folder")
    d.add_argument("out", type=Path, help="the folder to write the demo stems into")
    d.add_argument("--seconds", type=float, default=24.0, help="song length (default 24, at least 8)")
    return p


def _summary(console: Console, r, ardour_native: bool = False) -> None:  # r: pipeline.MixResult
    s = r.session
    console.print(
        f"[bold]faderpilot[/bold] mixed {len(s.tracks)} tracks at {s.sample_rate} Hz, "
        f"{s.length_s:.1f} s, in {r.seconds:.1f} s"
    )
    t = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col in ("#", "track", "role", "how", "bus", "trim", "fader", "pan", "chain"):
        t.add_column(col)
    for i, tr in enumerate(s.tracks, 1):
        chain = " ".join(p.kind for p in tr.chain) or "-"
        how = f"{tr.role.signal} {tr.role.confidence:.0%}"
        pan = "C" if abs(tr.pan) < 0.005 else f"{'L' if tr.pan < 0 else 'R'}{abs(tr.pan) * 100:.0f}"
        t.add_row(
            str(i),
            tr.name + (" (muted)" if tr.mute else ""),
            ROLE_LABELS[tr.role.value],
            how,
            tr.output,
            f"{tr.trim_db:+.1f}",
            f"{tr.fader_db:+.1f}",
            pan,
            chain,
        )
    console.print(t)
    roles = Counter(ROLE_LABELS[tr.role.value] for tr in s.tracks)
    console.print("roles: " + ", ".join(f"{k} x{v}" for k, v in roles.items()))
    console.print("buses: " + ", ".join(f"{b.name} ({b.kind})" for b in s.buses))
    console.print(
        f"mix: {r.mix_lufs:.1f} LUFS integrated, peak {r.mix_peak_db:.1f} dBFS, "
        f"true peak {r.mix_true_peak_db:.1f} dBTP, loudness range {r.mix_lra_lu:.1f} LU"
    )
    if getattr(r, "prep", None) is not None:
        prep_cli.findings(console, r.prep, s.sample_rate, regions=False)
    prep_cli.input_notes(console, s, r.ignored)
    console.print(
        f"wrote {r.out_dir / 'session.json'}, {r.out_dir / 'mix.wav'}, "
        f"{len([f for f in r.files if f.parent.name == 'stems'])} stems in {r.out_dir / 'stems'}, "
        f"the report {r.out_dir / 'report.html'}"
    )
    master = r.out_dir / "mix_master.wav"
    if master in r.files:
        _master_line(console, s, master)
    suffixes = {".ardour": "ardour", ".dawproject": "dawproject", ".rpp": "reaper", ".aaf": "aaf"}
    for f in sorted(set(r.files)):
        target = suffixes.get(f.suffix.lower())
        if target:
            console.print(f"wrote {f}")
            _approximations(console, s, target, ardour_native)


def _master_line(console: Console, session, path: Path) -> None:
    """Print the loudness-normalised master (``--target-lufs``) as measured in the file written."""
    from .analysis.loudness import integrated_loudness, true_peak_db
    from .audio.io import read_audio

    x = read_audio(path)
    target = session.master.decisions.get("target_lufs")
    asked = f" (target {float(target.value):g} LUFS)" if target is not None else ""
    console.print(
        f"wrote {path}: the master at {integrated_loudness(x.audio, x.sample_rate):.1f} LUFS "
        f"integrated{asked}, true peak {true_peak_db(x.audio, x.sample_rate):.1f} dBTP"
    )


def _approximations(console: Console, session, target: str, ardour_native: bool = False) -> None:
    """Print what a DAW export plays only approximately (never silently dropped)."""
    from .export import approximations

    for line in approximations(session, target, ardour_native):
        console.print(f"  [yellow]{target}: approximate[/yellow] {line}")


def _mix(args: argparse.Namespace, console: Console) -> int:
    from .pipeline import mix

    r = prep_cli.run_on_stems(
        console,
        mix,
        args,
        target_lufs=args.target_lufs,
        rough=args.rough,
        profile=args.profile,
        force=args.force,
        ardour_native=args.ardour_native,
    )
    _summary(console, r, args.ardour_native)
    if "rough" in r.session.provenance:
        from .match.summary import rough_summary

        rough_summary(console, r.session)
    return 0


#: The command-line arguments that are text (not paths), checked for bytes that are not UTF-8.
_TEXT_ARGS = {"text": "note", "items": "marker list", "name": "template name", "host": "host"}


def _not_utf8(text: str) -> str | None:
    """The bytes of ``text`` that were not UTF-8 (kept by Python as lone surrogates), e.g.
    "0xff 0xfe", or None when it is clean text."""
    bad = [ord(ch) for ch in text if 0xD800 <= ord(ch) <= 0xDFFF]
    if not bad:
        return None
    shown = [f"0x{b - 0xDC00:02x}" if 0xDC80 <= b <= 0xDCFF else f"U+{b:04X}" for b in bad[:8]]
    return " ".join(shown) + (" ..." if len(bad) > 8 else "")


def _check_text_args(args: argparse.Namespace) -> None:
    """Refuse (FP-E037) a note, marker or name given as bytes that are not UTF-8, before any work:
    otherwise it fails when session.json is written, with a byte position in the JSON text."""
    from .messages import FaderpilotError, message

    for attr, what in _TEXT_ARGS.items():
        value = getattr(args, attr, None)
        text = " ".join(value) if isinstance(value, list) else value
        if isinstance(text, str) and (bad := _not_utf8(text)):
            raise FaderpilotError(f"{message('FP-E037', what, bad)} [FP-E037]")


def _main_path(args: argparse.Namespace) -> Path | None:
    """The folder the verb works in (what an OS error without a file name is about)."""
    for attr in ("out", "out_dir", "output", "stems_dir", "past_dir"):
        value = getattr(args, attr, None)
        if isinstance(value, Path):
            return value
    return None


def _file_on_the_way(path: Path) -> Path:
    """The first existing non-folder on the way to ``path`` (what a folder was wanted in)."""
    for p in [*reversed(path.parents), path]:
        if not p.exists():
            break
        if not p.is_dir():
            return p
    return path


def os_error_text(e: OSError, args: argparse.Namespace) -> str:
    """A coded one-line message (FP-E030..FP-E036) for an error from the operating
    system: the path it concerns and the problem in words, never the raw OS text alone."""
    import errno

    from .messages import message

    name = e.filename if e.filename is not None else e.filename2
    path = Path(os.fsdecode(name)) if isinstance(name, str | bytes | os.PathLike) else _main_path(args)
    if path is not None and path.name.startswith(".") and not path.exists():
        # a temporary file faderpilot was making: renamed onto filename2, or refused by its folder
        path = Path(os.fsdecode(e.filename2)) if e.filename2 is not None else path.parent
    where = str(path) if path is not None else "faderpilot"
    if isinstance(e, PermissionError):
        code, fields = "FP-E030", (where,)
    elif isinstance(e, NotADirectoryError | FileExistsError) and path is not None:
        code, fields = "FP-E032", (str(_file_on_the_way(path)),)
    elif isinstance(e, IsADirectoryError):
        code, fields = "FP-E033", (where,)
    elif isinstance(e, FileNotFoundError):
        code, fields = "FP-E031", (where,)
    elif e.errno == errno.ENOSPC:
        code, fields = "FP-E034", (where,)
    elif e.errno == errno.EROFS:
        code, fields = "FP-E035", (where,)
    else:
        code, fields = "FP-E036", (where, e.strerror or type(e).__name__)
    return f"{message(code, *fields)} [{code}]"


def _unicode_text(e: UnicodeEncodeError) -> str:
    """FP-E037 for text holding bytes that are not UTF-8 (a file name, a note) met while writing."""
    from .messages import message

    bad = _not_utf8(e.object[e.start : e.end] if isinstance(e.object, str) else "") or "?"
    return f"{message('FP-E037', 'name or text given', bad)} [FP-E037]"


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a verb, print errors without a traceback, exit non-zero on failure."""
    args = _parser().parse_args(argv)
    console = Console()
    err = Console(stderr=True)
    from .audio.io import AudioReadError
    from .messages import FaderpilotError
    from .session.io import SessionError

    try:
        _check_text_args(args)
        if args.verb == "mix":
            return _mix(args, console)
        if args.verb == "export":
            from .export import export
            from .session.io import load

            session = load(args.out_dir / "session.json")
            for target in args.to:
                console.print(f"wrote {export(session, args.out_dir, target, args.ardour_native)}")
                _approximations(console, session, target, args.ardour_native)
            return 0
        if args.verb in ("prep", "template"):
            return prep_cli.run(args, console)
        if args.verb in ("note", "undo", "markers"):
            from .prompt.cli import run

            return run(args, console)
        if args.verb == "console":
            from .console.server import run_cli

            return run_cli(args, console)
        if args.verb == "report":
            from .export.report import write_report

            console.print(f"wrote {write_report(args.out_dir)}")
            return 0
        if args.verb in ("learn", "provenance"):
            from .profile.cli import run as run_profile

            return run_profile(args, console)
        if args.verb == "critique":
            from .coach.cli import run as run_critique

            return run_critique(args, console)
        if args.verb == "batch":
            from .batch.cli import run as run_batch

            return run_batch(args, console)
        if args.verb == "demo":
            from .demo import generate_demo

            paths = generate_demo(args.out, seconds=args.seconds)
            console.print(f"wrote {len(paths)} demo stems to {args.out}")
            return 0
    except OSError as e:
        err.print(f"[red]error:[/red] {escape(os_error_text(e, args))}", highlight=False)
        return 1
    except UnicodeEncodeError as e:
        err.print(f"[red]error:[/red] {escape(_unicode_text(e))}", highlight=False)
        return 1
    except (FaderpilotError, SessionError, AudioReadError, ValueError) as e:
        err.print(f"[red]error:[/red] {e}")
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
