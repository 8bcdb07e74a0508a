"""The ``learn`` and ``provenance`` verbs: argument handling and plain-language printing only."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from ..decide.priors import term_size


def add_parsers(sub: Any) -> None:
    """Add ``learn`` and ``provenance`` to the main parser's subcommands."""
    lp = sub.add_parser("learn", help="learn your taste from your past songs (stems + final mix or .RPP)")
    lp.add_argument("past_dir", type=Path, help="a folder of song folders (or one song folder)")
    lp.add_argument(
        "-o", "--out", type=Path, required=True, help="the profile to write, e.g. me.profile.json"
    )
    lp.add_argument("--workers", type=int, default=2, help="threads per song (default 2)")
    pv = sub.add_parser("provenance", help="say in plain language what shaped the session in OUT_DIR")
    pv.add_argument("out_dir", type=Path, help="a folder holding session.json")


def _learned_lines(profile: dict[str, Any]) -> list[str]:
    from ..session.roles import ROLE_LABELS

    out = []
    words = {"level_db": ("level", " dB"), "pan": ("pan width", ""), "tilt_db": ("treble over bass", " dB")}
    for q, (what, unit) in words.items():
        for role, st in profile.get(q, {}).items():
            if st["value"] != 0:
                out.append(
                    f"  {ROLE_LABELS.get(role, role)} {what}: {st['value']:+.2f}{unit} "
                    f"(mean {st['mean']:+.2f}, {st['agree']} of {st['n']} songs agree)"
                )
    for q, what in (("reverb_db", "reverb"), ("compression_lu", "loudness range"), ("master_lufs", "master")):
        st = profile.get(q)
        if st:
            out.append(f"  {what}: {st['value']:+.2f} (mean {st['mean']:+.2f} over {st['n']} songs)")
    return out


def provenance_lines(session) -> list[str]:
    """What shaped a session, in sentences: program, priors and sources, profile, rough, notes."""
    prov = session.provenance or {}
    lines = [f"Made by {prov.get('program', 'faderpilot')}, on this machine; nothing was sent anywhere."]
    lines.append("Built-in priors (published statistics, documented defaults and the training songs below):")
    for p in prov.get("priors", []):
        lines.append(f"  - {p['what']}: {p['source']}")
    training = prov.get("training")
    if training:
        songs = training.get("songs", [])
        lines.append(f"The balance was learned from {len(songs)} real songs ({training.get('method', '')}):")
        for key, v in sorted(training.get("terms", {}).items(), key=lambda kv: -term_size(kv[1])):
            if not v["value_db"]:
                continue
            if "per_unit_of" in v:
                lines.append(
                    f"  - {key}: {v['value_db']:+.2f} dB per unit of {v['per_unit_of']} "
                    f"({v['db_per_sd']:+.1f} dB per sd), on {v['songs']} songs"
                )
            else:
                lines.append(f"  - {key}: {v['value_db']:+.2f} dB, on {v['songs']} songs")
        for x in songs:
            pkg = f"{x.get('package') or ''} {x.get('package_version') or ''}".strip()
            lines.append(
                f"  - {x['id']}: {pkg}, {x.get('file')}, licence {x.get('licence')}, "
                f"sha256 {x.get('sha256')}; learned {x.get('learned', 'track levels')}"
            )
        for src in training.get("published", []):
            lines.append(f"  - published figure weighted as a few songs: {src}")
    prof = prov.get("profile")
    if prof:
        songs = prof.get("songs", [])
        lines.append(
            f"Your profile {prof['path']} (SHA-256 {prof['sha256'][:16]}..., "
            f"learned {prof.get('learned_at')}) changed {prof.get('changed', 0)} values; "
            f"it was learned from {len(songs)} of your songs:"
        )
        for s in songs:
            how = ", ".join(s.get("learned_from", []))
            lines.append(
                f"  - {s['folder']} ({how}; {len(s.get('files', []))} files, learned {s.get('learned_at')})"
            )
            for f in s.get("files", []):
                lines.append(f"      {f['path']}  sha256 {f['sha256']}")
        for k in prof.get("left_out", []):
            lines.append(f"  - left out: {k['folder']}: {k['message']} [{k['code']}]")
    else:
        lines.append("No profile was used.")
    rough = prov.get("rough")
    if rough:
        lines.append(f"Matched to the producer's rough {rough.get('path')} (null {rough.get('null_db')} dB).")
    if prov.get("template"):
        lines.append(f"Template: {prov['template']}.")
    notes = [h for h in session.history if h.get("kind") == "note"]
    if notes:
        lines.append(f"Your notes ({len(notes)}): " + "; ".join(f"'{h['note']}'" for h in notes))
    counts: dict[str, int] = {}
    for strip in [*session.tracks, *session.buses]:
        for d in strip.decisions.values():
            counts[d.origin] = counts.get(d.origin, 0) + 1
        for p in strip.chain:
            if p.decision is not None:
                counts[p.decision.origin] = counts.get(p.decision.origin, 0) + 1
    lines.append("Values by who set them: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + ".")
    return lines


def run(args: argparse.Namespace, console: Console) -> int:
    """Run ``learn`` or ``provenance``; returns the exit status."""
    if args.verb == "provenance":
        from ..session.io import load

        for line in provenance_lines(load(args.out_dir / "session.json")):
            console.print(escape(line), highlight=False, soft_wrap=True)
        return 0
    from .learn import learn, save_profile

    def progress(name: str, done: int, total: int) -> None:
        if done < total:
            console.print(f"[{done + 1}/{total}] {escape(name)}", highlight=False)

    profile, songs, left_out = learn(args.past_dir, workers=args.workers, progress=progress)
    for k in left_out:
        console.print(escape(f"left out {k.path}: {k.message} [{k.code}]"), highlight=False, soft_wrap=True)
    if not songs:
        console.print("no song could be learned from; no profile written")
        return 1
    save_profile(profile, args.out)
    console.print(f"learned from {len(songs)} songs; wrote {escape(str(args.out))}", highlight=False)
    for line in _learned_lines(profile):
        console.print(escape(line), highlight=False)
    return 0
