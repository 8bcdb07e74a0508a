"""``faderpilot batch SONGS_DIR -o OUT_DIR``: arguments, the progress bar over songs (with each
running song's stage) and the summary; the work is ``batch.run.batch``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

DONE = ("ok", "unchanged", "failed")


def add_parser(sub: Any) -> None:
    """The ``batch`` verb's arguments."""
    b = sub.add_parser("batch", help="mix every song folder under SONGS_DIR (on Ray, or --engine local)")
    b.add_argument("songs_dir", type=Path, help="a folder of song folders holding stems (never modified)")
    b.add_argument("-o", "--out", type=Path, required=True, help="output folder: OUT/<song>/ per song")
    b.add_argument("--engine", choices=("ray", "local"), default="ray", help="ray (default) or local")
    b.add_argument(
        "--address",
        default=None,
        help="a Ray cluster (ray://HOST:10001, HOST:6379 or auto; default: RAY_ADDRESS, else a local Ray)",
    )
    b.add_argument("--num-cpus", type=int, default=None, help="CPUs of the local Ray or pool (default: all)")
    b.add_argument("--cpus-per-song", type=int, default=None, help="CPUs per song (default: by tracks)")
    b.add_argument(
        "--ship-sources",
        action="store_true",
        help="send each song's files to its worker and the outputs back (workers without the shared path)",
    )
    b.add_argument("--retries", type=int, default=1, help="tries again for a failed song (default 1)")
    b.add_argument("--sample-rate", type=int, default=None, help="session rate for every song")
    b.add_argument("--target-lufs", type=float, default=None, help="also write mix_master.wav at it")
    b.add_argument("--template", type=Path, default=None, help="a template for every song")
    b.add_argument("--profile", type=Path, default=None, help="your taste, learned by `faderpilot learn`")
    b.add_argument("--force", action="store_true", help="mix every song again, even unchanged ones")


def run(args: argparse.Namespace, console: Console) -> int:
    """Run the batch with a progress bar; print one line per song; exit 1 when a song failed."""
    from .run import batch

    options = {
        "sample_rate": args.sample_rate,
        "target_lufs": args.target_lufs,
        "template": str(args.template.resolve()) if args.template else None,
        "profile": str(args.profile.resolve()) if args.profile else None,
    }
    bar = (
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        if console.is_terminal
        else None
    )
    tasks: dict[str, Any] = {}

    def display(songs: dict[str, dict[str, Any]], stages: dict[str, tuple[str, int, int]]) -> None:
        if bar is None:
            return
        if "songs" not in tasks:
            tasks["songs"] = bar.add_task("songs", total=len(songs))
        bar.update(tasks["songs"], completed=sum(1 for v in songs.values() if v["status"] in DONE))
        for name, (stage, done, total) in stages.items():
            if name not in tasks:
                tasks[name] = bar.add_task(f"  {name}: {stage}", total=max(total, 1))
            bar.update(tasks[name], description=f"  {name}: {stage}", completed=done, total=max(total, 1))
        for name in [n for n in tasks if n != "songs" and n not in stages]:
            bar.remove_task(tasks.pop(name))

    if bar is not None:
        bar.start()
    try:
        r = batch(
            args.songs_dir,
            args.out,
            engine=args.engine,
            address=args.address,
            num_cpus=args.num_cpus,
            ship_sources=args.ship_sources,
            cpus_per_song=args.cpus_per_song,
            retries=args.retries,
            force=args.force,
            display=display,
            **options,
        )
    finally:
        if bar is not None:
            bar.stop()
    summary(console, r.record)
    return 1 if r.failed else 0


def summary(console: Console, record: dict[str, Any]) -> None:
    """One row per song (status, loudness, peak, tracks, warnings, time), then each failure's error."""
    t = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col in ("song", "status", "LUFS", "peak", "tracks", "warnings", "time s", "tries"):
        t.add_column(col)
    for name, v in record["songs"].items():
        colour = {"ok": "green", "unchanged": "dim", "failed": "red"}.get(v["status"], "")
        t.add_row(
            escape(name),
            f"[{colour}]{v['status']}[/{colour}]" if colour else v["status"],
            _f(v.get("integrated_lufs")),
            _f(v.get("peak_db")),
            str(v.get("tracks") or "-"),
            str(len(v.get("warnings") or [])),
            _f(v.get("seconds")),
            str(v.get("attempts", 0)),
        )
    console.print(t)
    for name, v in record["songs"].items():
        if v["status"] == "failed":
            console.print(f"[red]failed[/red] {escape(name)}: {escape((v.get('errors') or ['?'])[-1])}")
    out = Path(record["out_dir"])
    console.print(f"wrote {out / 'batch.json'} and {out / 'index.html'} in {record['wall_seconds']:.1f} s")


def _f(x: Any) -> str:
    return f"{x:.1f}" if isinstance(x, int | float) else "-"
