"""The ``critique`` verb's arguments and its run (``cli.py`` only hands over)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.markup import escape


def add_parsers(sub: Any) -> None:
    """Add ``faderpilot critique STEMS --mix MY_MIX.wav -o OUT``."""
    c = sub.add_parser(
        "critique", help="critique your own mix of the stems: ranked lessons with A/B excerpts"
    )
    c.add_argument("stems_dir", type=Path, help="the folder of stems you mixed")
    what = c.add_mutually_exclusive_group(required=True)
    what.add_argument("--mix", type=Path, help="your mix of them (a stereo or mono bounce)")
    what.add_argument(
        "--session", type=Path, help="your REAPER session (.RPP) of them: levels, pans and mutes are read"
    )
    c.add_argument(
        "-o", "--out", type=Path, required=True, help="where critique.html and the A/B excerpts go"
    )
    c.add_argument("--top", type=int, default=3, help="how many differences get A/B excerpts (default 3)")


def run(args: argparse.Namespace, console: Any) -> int:
    """Critique the mix, print the ranked summary, say where the page is."""
    from .critique import summary_lines
    from .run import critique

    c = critique(args.stems_dir, args.mix, args.out, session_path=args.session, top=args.top)
    for line in summary_lines(c):
        console.print(escape(line), highlight=False)
    console.print(f"wrote {Path(args.out) / 'critique.html'}", highlight=False)
    return 0
