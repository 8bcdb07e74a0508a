"""``faderpilot prep`` and ``faderpilot template save``: arguments and the prep summary.

Only argument handling and printing; the work is :func:`faderpilot.prep.pipeline.prep` and
:mod:`faderpilot.prep.template`.
"""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..session.roles import ROLE_LABELS

if TYPE_CHECKING:
    from .process import PrepReport

TEMPLATE_HELP = "a session template (JSON) applied after the automatic setup"


def add_parsers(sub) -> None:  # sub: argparse subparsers
    """Add the ``prep`` and ``template`` verbs."""
    p = sub.add_parser(
        "prep", help="prepare a folder of stems into a session (cleanup, edits, setup; no mix)"
    )
    p.add_argument("stems_dir", type=Path, help="the folder of stems (never modified)")
    p.add_argument("-o", "--out", type=Path, required=True, help="output folder (session.json)")
    p.add_argument("--sample-rate", type=int, default=None, help="session rate (default: most common)")
    p.add_argument("--template", type=Path, default=None, help=TEMPLATE_HELP)
    p.add_argument("--workers", type=int, default=None, help="threads (default: number of cores, at most 4)")
    t = sub.add_parser("template", help="session templates: save one from an edited session")
    tsub = t.add_subparsers(dest="template_verb", required=True, help="what to do with templates")
    s = tsub.add_parser("save", help="write a template from OUT_DIR/session.json")
    s.add_argument("out_dir", type=Path, help="a folder holding session.json")
    s.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="template file (default OUT_DIR/session.template.json)",
    )
    s.add_argument("--name", default=None, help="the template's name (default: the session's)")


def progress_bar(console: Console):
    """(context manager, progress callback): a rich progress bar on a terminal, silence in pipes."""
    bar = (
        Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        if console.is_terminal
        else None
    )
    tasks: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if bar is None:
            return
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done)

    return (bar or contextlib.nullcontext()), progress


def run_on_stems(console: Console, work, args: argparse.Namespace, **options):
    """``work`` (the pipeline's ``prep`` or ``mix``) over ``args.stems_dir`` into ``args.out``
    with the options both verbs take and a progress bar; ``options`` are the verb's own."""
    bar, progress = progress_bar(console)
    with bar:
        return work(
            args.stems_dir,
            args.out,
            sample_rate=args.sample_rate,
            template=args.template,
            workers=args.workers,
            progress=progress,
            **options,
        )


def input_notes(console: Console, session, ignored) -> None:
    """Print the files the run skipped, its notes on the stems it read and the files it ignored."""
    for w in session.skipped:
        console.print(f"[red]skipped[/red] {w.path}: {w.message} [{w.code}]")
    for w in session.warnings:
        console.print(f"[yellow]note[/yellow] {Path(w.path).name}: {w.message} [{w.code}]")
    for name in ignored:
        console.print(f"[dim]ignored {name}: not an audio file type faderpilot reads [FP-W003][/dim]")


def findings(console: Console, report: PrepReport, sr: int, regions: bool = True) -> None:
    """Print what cleanup found: alignments (delay in samples and ms, polarity, comb-filter
    loss removed) and, optionally, the regions kept per track."""
    for st in report.alignments:
        moves = []
        for name, d, f in zip(st.names, st.delays, st.flips, strict=True):
            if d or f:
                what = []
                if d:
                    what.append(f"+{d} samples ({d * 1000 / sr:.2f} ms)")
                if f:
                    what.append("polarity flipped")
                moves.append(f"'{name}' " + " and ".join(what))
        head = "mics on one source" if st.kind == "pair" else "close mics to overheads"
        console.print(
            f"[cyan]aligned[/cyan] ({head}, with {st.reference}): {'; '.join(moves)}; "
            f"comb-filter loss removed {st.gain_db:+.1f} dB ({st.low_gain_db:+.1f} dB below 500 Hz), "
            f"correlation {st.correlation:.2f}"
        )
    for note in report.align_notes:
        console.print(f"[dim]alignment: {note}[/dim]")
    if regions and report.regions:
        stripped = [r for r in report.regions if r.kept_s < r.length_s - 0.01 or r.regions > 1]
        if stripped:
            console.print(
                "regions kept: "
                + ", ".join(
                    f"{r.track} {r.regions} ({r.kept_s:.1f} of {r.length_s:.0f} s"
                    + (", bleed-aware)" if r.bleed_aware else ")")
                    for r in stripped
                )
            )


def _prep_summary(console: Console, r) -> None:  # r: pipeline.PrepResult
    s = r.session
    console.print(
        f"[bold]faderpilot[/bold] prepared {len(s.tracks)} tracks at {s.sample_rate} Hz, "
        f"{s.length_s:.1f} s, in {r.seconds:.1f} s"
        + (f", with template {r.report.template}" if r.report.template else "")
    )
    t = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col in ("#", "track", "role", "bus", "trim", "regions", "delay", "pol", "chain"):
        t.add_column(col)
    sr = s.sample_rate
    for i, tr in enumerate(s.tracks, 1):
        d = int(round(tr.delay_ms * sr / 1000))
        t.add_row(
            str(i),
            tr.name + (" (muted)" if tr.mute else "") + (" (mono)" if "channels" in tr.decisions else ""),
            ROLE_LABELS[tr.role.value],
            tr.output,
            f"{tr.trim_db:+.1f}",
            str(len(tr.regions)),
            f"{d} ({tr.delay_ms:.2f} ms)" if d else "-",
            "Ø" if tr.polarity_inverted else "-",
            " ".join(p.kind for p in tr.chain) or "-",
        )
    console.print(t)
    console.print("buses: " + ", ".join(f"{b.name} ({b.kind})" for b in s.buses))
    findings(console, r.report, sr)
    input_notes(console, s, r.ignored)
    console.print(f"wrote {r.out_dir / 'session.json'}")


def run(args: argparse.Namespace, console: Console) -> int:
    """Run ``prep`` or ``template save``."""
    if args.verb == "prep":
        from .pipeline import prep

        _prep_summary(console, run_on_stems(console, prep, args))
        return 0
    if args.verb == "template" and args.template_verb == "save":
        from ..session.io import load
        from .template import save

        session = load(args.out_dir / "session.json")
        path = save(session, args.output or args.out_dir / "session.template.json", args.name)
        console.print(f"wrote {path}")
        return 0
    return 2
