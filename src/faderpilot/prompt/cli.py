"""The ``note``, ``undo`` and ``markers`` verbs: argument handling and printing only."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.markup import escape


def run(args: argparse.Namespace, console: Console) -> int:
    """Run one of the prompt verbs; returns the exit status."""
    if args.verb == "note":
        from . import note

        res = note(args.out_dir, " ".join(args.text), render=not args.no_render)
        for line in res.lines():
            console.print(escape(line), highlight=False)
        if res.files:
            console.print(
                f"re-rendered {len(res.files)} files ({', '.join(f.name for f in res.files)}) "
                f"in {res.render_seconds:.1f} s",
                highlight=False,
            )
        elif res.understood and not res.changed:
            console.print("nothing changed", highlight=False)
        return 0 if res.understood else 3
    if args.verb == "undo":
        from . import undo

        u = undo(args.out_dir, render=not args.no_render)
        if u.entry is None:
            console.print("nothing to undo: no note in this session's history")
            return 0
        console.print(escape(f"undid: '{u.entry['note']}'"), highlight=False)
        for line in u.entry.get("changes", []):
            if not line.startswith("nothing changed"):
                console.print(escape(f"  reverted {line}"), highlight=False)
        if u.files:
            console.print(f"re-rendered {len(u.files)} files", highlight=False)
        return 0
    from ..session.io import load, save
    from .sections import detect_sections, parse_markers

    path = args.out_dir / "session.json"
    session = load(path)
    if args.items or args.detect:
        if args.items:
            session.markers = parse_markers(args.items)
        else:
            from ..audio.io import read_audio

            mixed = read_audio(args.out_dir / "mix.wav")
            session.markers = detect_sections(mixed.audio, mixed.sample_rate)
        save(session, path)
        console.print(f"wrote {len(session.markers)} markers to {path}", highlight=False)
    if not session.markers:
        console.print("no markers yet: set them (intro=0:00 verse=0:12 ...) or use --detect")
    for m in session.markers:
        console.print(f"{int(m.time_s // 60)}:{m.time_s % 60:05.2f}  {escape(m.name)}", highlight=False)
    return 0
