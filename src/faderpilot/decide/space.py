"""Pan and depth: centre anchors, spread pairs and stacks, mono low end; reverb and delay sends.

Panning follows the common practice summarised by Perez-Gonzalez & Reiss ("A real-time
semiautonomous audio panning system for music mixing", EURASIP J. Adv. Signal Process. 2010,
sec. 2): low-frequency sources and the lead stay centred, similar sources are spread apart and
left/right energy stays balanced. Reverb sends aim the vocal's reverb return roughly 9-12 LU
under the dry voice (Pestana & Reiss, AES 53rd Conf. 2014, found listeners preferred about 9 LU).
Which roles anchor the centre, each role's spread, lone position and send levels are rows of the
role table (``session.roles.defaults``).
"""

from __future__ import annotations

from ..session.model import Processor, Send, Session, Track
from ..session.roles import defaults
from .base import Context, Move, a_label, audible_tracks, label, labels


def _spread(n: int, width: float) -> list[float]:
    if n == 1:
        return [0.0]
    return [round(-width + 2 * width * i / (n - 1), 2) for i in range(n)]


def pan(ctx: Context, session: Session) -> list[Move]:
    """Pan every track: anchors centred, pairs and stacks spread, singles balanced."""
    moves: list[Move] = []
    tracks = audible_tracks(session)
    done: set[str] = set()
    for t in tracks:
        if defaults(t.role.value).pan.centre:
            why = f"Centre: the {label(t)} anchors the mix"
            if defaults(t.role.value).pan.mono_low_end and t.channels == 2:
                moves.append(
                    Move(
                        t.id,
                        "width",
                        0.0,
                        f"Mono (width 0): the {labels(t)} low end stays in the centre, "
                        "where both speakers share it.",
                        "space.pan",
                    )
                )
            moves.append(Move(t.id, "pan", 0.0, why + ".", "space.pan"))
            done.add(t.id)
    # pairs by name (OH L / OH R), then stacks by role
    groups: dict[tuple[str, str], list[Track]] = {}
    for t in tracks:
        if t.id in done:
            continue
        key = ctx.pair_keys.get(t.id, t.name.lower())
        groups.setdefault((t.role.value, key), []).append(t)
    for (role, _), members in groups.items():
        sides = {ctx.sides.get(m.id) for m in members}
        if len(members) == 2 and sides == {"L", "R"}:
            w = defaults(role).pan.pair_spread
            for m in members:
                p = -w if ctx.sides.get(m.id) == "L" else w
                moves.append(
                    Move(
                        m.id,
                        "pan",
                        p,
                        f"{'Left' if p < 0 else 'Right'} {abs(p):.0%}: "
                        f"one side of the {label(m)} pair, spread for width.",
                        "space.pan",
                    )
                )
                done.add(m.id)
    by_role: dict[str, list[Track]] = {}
    for t in tracks:
        if t.id not in done:
            by_role.setdefault(t.role.value, []).append(t)
    balance_side = 1.0
    for role, members in by_role.items():
        mono = [m for m in members if m.channels == 1]
        for m in members:
            if m.channels == 2:
                moves.append(
                    Move(
                        m.id,
                        "pan",
                        0.0,
                        f"Centre: the {label(m)} is stereo and spreads by its own image.",
                        "space.pan",
                    )
                )
        if len(mono) >= 2:
            ps = _spread(len(mono), defaults(role).pan.stack_spread)
            for m, p in zip(mono, ps, strict=True):
                moves.append(
                    Move(
                        m.id,
                        "pan",
                        p,
                        f"{_pos(p)}: {len(mono)} {label(m)} tracks spread "
                        "across the stereo field so they don't pile up in the centre.",
                        "space.pan",
                    )
                )
        elif len(mono) == 1:
            m = mono[0]
            single = defaults(role).pan.single_pan
            if single is not None:
                p = single
                why = f"{_pos(p)}: where {a_label(m)} usually sits, off the centre anchors."
            else:
                p = round(0.35 * balance_side, 2)
                balance_side = -balance_side
                why = (
                    f"{_pos(p)}: a lone {label(m)} moves off the centre anchors; singles "
                    "alternate sides to keep left and right in balance."
                )
            moves.append(Move(m.id, "pan", p, why, "space.pan"))
    return moves


def _pos(p: float) -> str:
    if abs(p) < 0.005:
        return "Centre"
    return f"{'Left' if p < 0 else 'Right'} {abs(p):.0%}"


def depth(ctx: Context, session: Session) -> list[Move]:
    """Reverb and delay sends by role, less of both in dense arrangements."""
    tracks = audible_tracks(session)
    density = len(tracks)
    trim = -1.0 * max(0, (density - 8) // 4)
    moves = []
    for t in tracks:
        sends = defaults(t.role.value).sends
        rev, dly = sends.reverb_db, sends.delay_db
        a = ctx.analyses[t.id]
        sparse = 2.0 if a.active_fraction < 0.5 else 0.0
        if rev is not None:
            lvl = round(rev + trim + sparse, 1)
            bits = [f"Reverb send {lvl:g} dB: {a_label(t)} sits in the room at this depth"]
            if trim:
                bits.append(f"{trim:g} dB for a dense arrangement of {density} tracks")
            if sparse:
                bits.append(f"+{sparse:g} dB because it plays only {a.active_fraction:.0%} of the time")
            if t.role.value == "lead_vocal":
                bits.append(
                    "keeps the return about 10 LU under the dry voice "
                    "(Pestana & Reiss 2014 found about 9 LU preferred)"
                )
            moves.append(Move(t.id, "send", Send("reverb", lvl), "; ".join(bits) + ".", "space.depth"))
        if dly is not None:
            lvl = round(dly + trim, 1)
            moves.append(
                Move(
                    t.id,
                    "send",
                    Send("delay", lvl),
                    f"Delay send {lvl:g} dB: a quiet echo lengthens the {labels(t)} "
                    "phrases without washing them out.",
                    "space.depth",
                )
            )
    return moves


def fx_buses(ctx: Context, session: Session) -> list[Move]:
    """Default FX return chains: a medium room and a filtered echo, both kept out of the lows."""
    moves = [
        Move(
            "reverb",
            "insert",
            Processor("", "highpass", {"freq_hz": 200.0, "slope_db_oct": 12.0}),
            "Reverb return high-passed at 200 Hz: low-end reverb muddies the mix.",
            "space.fx_bus",
        ),
        Move(
            "reverb",
            "insert",
            Processor("", "reverb", {"room_size": 0.55, "damping": 0.5, "width": 1.0}),
            "Medium room (size 0.55, damping 0.5): enough to place parts in depth without a wash.",
            "space.fx_bus",
        ),
        Move(
            "reverb",
            "insert",
            Processor("", "lowpass", {"freq_hz": 8000.0, "slope_db_oct": 12.0}),
            "Reverb return low-passed at 8 kHz: keeps sibilance and cymbals from splashing.",
            "space.fx_bus",
        ),
        Move(
            "delay",
            "insert",
            Processor("", "highpass", {"freq_hz": 300.0, "slope_db_oct": 12.0}),
            "Delay return high-passed at 300 Hz so echoes don't thicken the low mids.",
            "space.fx_bus",
        ),
        Move(
            "delay",
            "insert",
            Processor("", "delay", {"time_ms": 375.0, "feedback_pct": 25.0}),
            "Delay 375 ms with 25% feedback: a few audible repeats that sit behind the phrase.",
            "space.fx_bus",
        ),
        Move(
            "delay",
            "insert",
            Processor("", "lowpass", {"freq_hz": 6000.0, "slope_db_oct": 12.0}),
            "Delay return low-passed at 6 kHz so repeats sound darker than the source.",
            "space.fx_bus",
        ),
    ]
    return moves
