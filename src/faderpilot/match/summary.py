"""The terminal summary of a rough match: rough vs matched vs improved, per track."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..session.model import Session


def _pan(p: float) -> str:
    return "C" if abs(p) < 0.005 else f"{'L' if p < 0 else 'R'}{abs(p) * 100:.0f}"


def rough_rows(session: Session) -> list[dict]:
    """One row per track: what the rough does (matched) and what the mix does (improved), and why
    the improved fader departs from the rough by more than 2 dB where it does."""
    info = session.provenance.get("rough", {})
    rows = []
    for t in session.tracks:
        m = info.get("tracks", {}).get(t.id)
        if m is None:
            continue
        if m.get("muted"):
            rows.append({"track": t.name, "muted": True})
            continue
        d = t.decisions.get("fader_db")
        rows.append(
            {
                "track": t.name,
                "muted": False,
                "rough_gain_db": m["gain_db"],
                "matched_fader_db": m["fader_db"],
                "pan": m["pan"],
                "polarity_inverted": m["polarity_inverted"],
                "eq": m["eq"],
                "lag_ms": round(m.get("lag_samples", 0) * 1000.0 / session.sample_rate, 1),
                "improved_fader_db": t.fader_db,
                "improved_pan": t.pan,
                "delta_db": round(t.fader_db - m["fader_db"], 1),
                "why": d.rule if d is not None else "",
            }
        )
    return rows


def rough_summary(console: Console, session: Session) -> None:
    """Print the match: offset, null depth, and the per-track table."""
    info = session.provenance["rough"]
    console.print(
        f"[bold]rough[/bold] {info['path']}: offset {info['offset_samples']:+d} samples "
        f"({info['offset_s'] * 1000:+.1f} ms), matched render nulls {info['null_db']:.1f} dB against it "
        "(rough_match.wav)"
    )
    t = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col in (
        "track",
        "rough gain",
        "pan",
        "pol",
        "rough EQ",
        "matched fader",
        "improved fader",
        "Δ",
        "rule",
    ):
        t.add_column(col)
    for r in rough_rows(session):
        if r["muted"]:
            t.add_row(r["track"], "muted", "", "", "", "", "", "", "match.rough")
            continue
        t.add_row(
            r["track"],
            f"{r['rough_gain_db']:+.1f}",
            _pan(r["pan"]),
            "ø" if r["polarity_inverted"] else "",
            "; ".join(x for x in (f"moved {r['lag_ms']:+.1f} ms" if r["lag_ms"] else "", r["eq"]) if x)
            or "-",
            f"{r['matched_fader_db']:+.1f}",
            f"{r['improved_fader_db']:+.1f}",
            f"{r['delta_db']:+.1f}",
            r["why"],
        )
    console.print(t)
