"""Pan and depth: centre anchors, spread pairs and stacks, mono low end; reverb and delay sends.

Panning follows the common practice summarised by Perez-Gonzalez & Reiss ("A real-time
semiautonomous audio panning system for music mixing", EURASIP J. Adv. Signal Process. 2010,
sec. 2): low-frequency sources and the lead stay centred, similar sources are spread apart and
left/right energy stays balanced. Reverb sends aim the vocal's reverb return roughly 9-12 LU
under the dry voice (Pestana & Reiss, AES 53rd Conf. 2014, found listeners preferred about 9 LU).
"""

from __future__ import annotations

from ..session.model import Processor, Send, Session, Track
from .base import Context, Move, a_label, audible_tracks, label, labels

CENTRE_ANCHORS = ("kick", "snare", "bass", "lead_vocal")
LOW_END = ("kick", "bass")
#: role -> how far a left/right pair is spread.
PAIR_SPREAD = {
    "overheads": 0.8,
    "electric_guitar": 0.8,
    "acoustic_guitar": 0.7,
    "keys": 0.6,
    "synth": 0.7,
    "orchestral": 0.6,
    "backing_vocals": 0.6,
    "toms": 0.5,
    "percussion": 0.5,
    "fx": 0.7,
    "hihat": 0.3,
    "drum_kit": 1.0,  # a split stereo print (Drums L / Drums R) goes back to its own full width
    "submix": 1.0,  # likewise for a split submix
}
#: role -> where a lone mono part goes when nothing else decides (audience perspective). A
#: printed kit or submix is the whole group, so it sits where the group's centre is.
SINGLE_POSITION = {
    "hihat": -0.3,
    "toms": 0.0,
    "overheads": 0.0,
    "percussion": 0.4,
    "drum_kit": 0.0,
    "submix": 0.0,
}


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
        if t.role.value in CENTRE_ANCHORS:
            why = f"Centre: the {label(t)} anchors the mix"
            if t.role.value in LOW_END and t.channels == 2:
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
            w = PAIR_SPREAD.get(role, 0.7)
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
            ps = _spread(len(mono), PAIR_SPREAD.get(role, 0.6))
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
            if role in SINGLE_POSITION:
                p = SINGLE_POSITION[role]
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


#: role -> (reverb send dB, delay send dB or None); None reverb means dry. The reverb sends are
#: calibrated on the demo song so the lead vocal's return sits about 10 LU under the dry voice
#: (Freeverb's return runs 3-7 dB hotter than what is sent, more on sparse parts whose tails
#: fill the gaps).
SEND_LEVELS: dict[str, tuple[float | None, float | None]] = {
    "lead_vocal": (-18.0, -18.0),
    "backing_vocals": (-16.0, None),
    "snare": (-20.0, None),
    "toms": (-22.0, None),
    "overheads": (-28.0, None),
    "drum_kit": (-28.0, None),  # like overheads: the kit in the room, the kick not washed
    "submix": (None, None),  # a printed submix carries its own reverbs: more would blur it
    "keys": (-22.0, None),
    "electric_guitar": (-23.0, -24.0),
    "acoustic_guitar": (-21.0, None),
    "synth": (-20.0, -22.0),
    "orchestral": (-18.0, None),
    "percussion": (-22.0, None),
    "fx": (-18.0, None),
    "kick": (None, None),
    "bass": (None, None),
    "hihat": (None, None),
}


def depth(ctx: Context, session: Session) -> list[Move]:
    """Reverb and delay sends by role, less of both in dense arrangements."""
    tracks = audible_tracks(session)
    density = len(tracks)
    trim = -1.0 * max(0, (density - 8) // 4)
    moves = []
    for t in tracks:
        rev, dly = SEND_LEVELS.get(t.role.value, (None, None))
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
