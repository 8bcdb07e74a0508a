"""Session prep: names, roles, colours, console order, bus routing and gain staging.

Produces the draft session every mix starts from; no mixing decision beyond gain staging.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from ..analysis.measure import TrackAnalysis
from ..analysis.roles import RoleGuess
from ..messages import message
from ..session.model import Bus, Decision, Region, Role, Session, Skipped, Source, Track
from ..session.roles import GROUP_BUSES, ROLE_BUS, ROLE_COLOURS, console_index
from .naming import clean_name, pair_key, side_hint

MAX_TRIM_DB = 48.0
#: Loudness (LUFS, on active regions) that gain staging puts every track at before any
#: decision: the EBU R128 programme reference level, so trims read like a console's.
REFERENCE_LUFS = -23.0


def gain_stage(a: TrackAnalysis) -> tuple[float, str]:
    """Trim that puts the track's active-region loudness at the reference level, and why."""
    if a.silent:
        return 0.0, "Trim 0 dB: the track is silent, nothing to stage."
    trim = round(float(np.clip(REFERENCE_LUFS - a.active_lufs, -MAX_TRIM_DB, MAX_TRIM_DB)), 1)
    return trim, (
        f"Trim {trim:+.1f} dB: brings its playing level ({a.active_lufs:.1f} LUFS on active "
        f"regions) to the {REFERENCE_LUFS:g} LUFS reference before any mix decision."
    )


#: Close drum mics: a session with any of them (or with overheads named as such) is a miked kit.
CLOSE_DRUM_ROLES = ("kick", "snare", "toms", "hihat")


def whole_kit_sounds(guesses: list[RoleGuess]) -> list[RoleGuess]:
    """Session-level correction of role guesses for tracks that sound like a whole kit at once,
    judged from audio because their names said nothing. Audio alone tells a kit printed to one
    file (``drum_kit``) from overheads by the low end only; the session tells more: with no close
    drum mics and no named overheads there is no miked kit, so an overheads sound is the kit
    printed to one file; with them, a full-kit sound is another mic on that kit (overheads/room).
    Names are never overruled."""
    named_oh = any(g.role == "overheads" and g.signal != "audio" for g in guesses)
    miked = named_oh or any(g.role in CLOSE_DRUM_ROLES for g in guesses)
    out = []
    for g in guesses:
        if g.signal == "audio" and g.role == "overheads" and not miked:
            g = replace(
                g,
                role="drum_kit",
                reason=f"{g.reason}; but the session has no close drum mics (kick, snare, toms or "
                "hi-hat) nor named overheads, so this whole-kit sound is a kit printed to one file "
                "→ drums (full kit)",
            )
        elif g.signal == "audio" and g.role == "drum_kit" and miked:
            g = replace(
                g,
                role="overheads",
                reason=f"{g.reason}; but the session has close drum mics or named overheads, so "
                "this whole-kit sound is another mic on that kit → overheads/room",
            )
        out.append(g)
    return out


def make_buses(roles: list[str]) -> list[Bus]:
    """Group buses for the roles present (console order), reverb and delay returns, master."""
    used = {ROLE_BUS[r] for r in roles}
    buses = [
        Bus(
            id=b,
            name=name,
            kind="group",
            output="master",
            decisions={
                "output": Decision(
                    "master",
                    f"{name} tracks sum here so they can be processed and ridden together.",
                    "prep",
                    "prep.routing",
                )
            },
        )
        for b, name in GROUP_BUSES.items()
        if b in used
    ]
    buses.append(Bus(id="reverb", name="Reverb", kind="fx", output="master", colour="#6a6aa8"))
    buses.append(Bus(id="delay", name="Delay", kind="fx", output="master", colour="#6a8aa8"))
    buses.append(Bus(id="master", name="Master", kind="master", output=None, colour="#303030"))
    return buses


def prepare(
    name: str,
    sample_rate: int,
    frames: int,
    sources: list[Source],
    analyses: list[TrackAnalysis],
    guesses: list[RoleGuess],
    skipped: list[Skipped],
) -> Session:
    """Build the draft session from loaded sources, their measurements and role guesses
    (corrected by ``whole_kit_sounds`` for what the whole session shows)."""
    guesses = whole_kit_sounds(guesses)
    tracks: list[Track] = []
    warnings: list[Skipped] = []
    for src, a, g in zip(sources, analyses, guesses, strict=True):
        tname = clean_name(Path(src.path).name)
        trim, why = gain_stage(a)
        t = Track(
            id="",
            name=tname,
            source=src.path,
            source_id=src.id,
            role=Role(g.role, g.signal, round(float(g.confidence), 2), g.reason),
            channels=src.channels,
            colour=ROLE_COLOURS[g.role],
            regions=[Region(0.0, round(frames / sample_rate, 6))],
            trim_db=trim,
            output=ROLE_BUS[g.role],
            analysis=a.summary(),
        )
        t.decisions["trim_db"] = Decision(trim, why, "prep", "prep.gain_staging")
        t.decisions["output"] = Decision(
            t.output,
            f"Routed to the {GROUP_BUSES[t.output]} bus with the other {ROLE_BUS[g.role]} parts.",
            "prep",
            "prep.routing",
        )
        if a.silent:
            t.mute = True
            t.decisions["mute"] = Decision(True, message("FP-W002", a.peak_db), "prep", "prep.silence")
            warnings.append(Skipped(src.path, "FP-W002", message("FP-W002", a.peak_db)))
        tracks.append(t)
    order = sorted(range(len(tracks)), key=lambda i: (console_index(tracks[i].role.value), i))
    tracks = [tracks[i] for i in order]
    unique_names(tracks)
    for n, t in enumerate(tracks, 1):
        t.id = f"t{n:02d}"
    return Session(
        name=name,
        sample_rate=sample_rate,
        length_s=round(frames / sample_rate, 6),
        sources=sources,
        tracks=tracks,
        buses=make_buses([t.role.value for t in tracks]),
        skipped=skipped,
        warnings=warnings,
    )


def unique_names(tracks: list[Track]) -> None:
    """Number repeated display names ("Tom", "Tom" -> "Tom 1", "Tom 2") so every strip is distinct."""
    seen: dict[str, int] = {}
    for t in tracks:
        seen[t.name] = seen.get(t.name, 0) + 1
    counter: dict[str, int] = {}
    for t in tracks:
        if seen[t.name] > 1:
            counter[t.name] = counter.get(t.name, 0) + 1
            t.name = f"{t.name} {counter[t.name]}"


def naming_facts(session: Session) -> tuple[dict[str, str], dict[str, str | None]]:
    """Pair keys and L/R side hints per track id, for pairing stereo splits (OH L / OH R)."""
    keys = {t.id: pair_key(t.name) for t in session.tracks}
    sides = {t.id: side_hint(t.name) for t in session.tracks}
    return keys, sides
