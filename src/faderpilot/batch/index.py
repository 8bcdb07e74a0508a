"""OUT_DIR/batch.json (what the batch did per song, and each song's hash for the next run) and
OUT_DIR/index.html (one page linking every song's report with its figures)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from ..session.io import write_text_atomic

BATCH_JSON = "batch.json"
INDEX_HTML = "index.html"


def read_batch(out_dir: str | Path) -> dict[str, Any]:
    """The batch.json of an earlier run in OUT_DIR, or an empty record when there is none
    (or it cannot be read: then nothing is skipped)."""
    try:
        d = json.loads((Path(out_dir) / BATCH_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return d if isinstance(d, dict) and isinstance(d.get("songs"), dict) else {}


def write_batch(out_dir: Path, record: dict[str, Any]) -> None:
    """Write batch.json and index.html atomically (after every song, so an interrupted batch
    keeps what it finished)."""
    write_text_atomic(out_dir / BATCH_JSON, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    write_text_atomic(out_dir / INDEX_HTML, index_page(record))


def _num(v: Any, fmt: str) -> str:
    return format(v, fmt) if isinstance(v, int | float) else "–"


def index_page(record: dict[str, Any]) -> str:
    """One self-contained page: a row per song linking its report, with loudness, peaks,
    tracks, warnings, time, attempts and any error."""
    e = html.escape
    songs = record.get("songs", {})
    counts = {
        s: sum(1 for v in songs.values() if v.get("status") == s) for s in ("ok", "unchanged", "failed")
    }
    rows = []
    for name, v in songs.items():
        status = v.get("status", "?")
        link = f'<a href="{e(name, quote=True)}/report.html">{e(name)}</a>' if status != "failed" else e(name)
        warnings = v.get("warnings") or []
        notes = "".join(f"<li>{e(w)}</li>" for w in [*(v.get("skipped") or []), *warnings])
        detail = f"<details><summary>{len(warnings)}</summary><ul>{notes}</ul></details>" if notes else "0"
        error = "".join(f"<div class=err>{e(x)}</div>" for x in v.get("errors") or [])
        rows.append(
            f"<tr class={e(status)}><td>{link}</td><td>{e(status)}</td>"
            f"<td>{_num(v.get('integrated_lufs'), '.1f')}</td><td>{_num(v.get('peak_db'), '.1f')}</td>"
            f"<td>{_num(v.get('true_peak_db'), '.1f')}</td><td>{_num(v.get('tracks'), 'd')}</td>"
            f"<td>{detail}</td><td>{_num(v.get('seconds'), '.1f')}</td>"
            f"<td>{_num(v.get('attempts'), 'd')}</td>"
            f"<td>{error}</td></tr>"
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "song",
            "status",
            "LUFS",
            "peak dBFS",
            "true peak dBTP",
            "tracks",
            "warnings",
            "time s",
            "attempts",
            "error",
        )
    )
    wall = _num(record.get("wall_seconds"), ".1f")
    summary = (
        f"{len(songs)} songs: {counts['ok']} mixed, {counts['unchanged']} unchanged, {counts['failed']} "
        f"failed · engine {e(str(record.get('engine', '?')))} · {wall} s · faderpilot "
        f"{e(str(record.get('faderpilot', '')))}"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>faderpilot batch</title>
<style>
body{{font:14px system-ui,sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse}} th,td{{padding:.3em .7em;border-bottom:1px solid #ddd;text-align:left;
vertical-align:top}} td:nth-child(n+3):nth-child(-n+9){{text-align:right}}
tr.failed{{background:#fde8e8}} .err{{color:#a00}} tr.unchanged td:nth-child(2){{color:#666}}
</style></head><body>
<h1>faderpilot batch</h1>
<p>{summary}</p>
<table><thead><tr>{head}</tr></thead><tbody>
{chr(10).join(rows)}
</tbody></table>
</body></html>
"""
