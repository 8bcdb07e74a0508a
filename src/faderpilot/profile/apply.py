"""Applying a profile: the user's learned departures as moves on a decided session, with reasons.

A pure function of the context, the session as the rules left it and the profile; the moves are
written with origin "profile". Each reason says what changed and the evidence: in how many past
mixes, the mean and spread, and how much it was pulled back toward the default.
With a rough mix for this song, levels and pans stay the rough's (the producer's intent for
this song outranks a habit across songs); tone, compression and reverb still follow the profile.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..decide.base import Context, Move, audible_tracks, label
from ..decide.dynamics import compressor_levels, makeup_for
from ..session.model import Processor, Send, Session
from .estimate import curve_tilt_db

#: The shelf that carries a learned tilt: a high shelf of this corner and Q, scaled so that its
#: treble-minus-bass (``estimate.curve_tilt_db``) equals the learned tilt.
TILT_SHELF_HZ = 2000.0
TILT_SHELF_Q = 0.707
#: Compressor threshold change (dB) per LU of learned change in loudness range: an engineering
#: mapping (about the gain reduction a ratio near 3:1 adds per dB of threshold), not a calibrated fit.
COMP_DB_PER_LU = 2.5
#: Departures smaller than these are not applied (below what a listener would notice).
MIN_APPLY = {"level_db": 0.2, "pan": 0.03, "tilt_db": 0.3, "reverb_db": 0.5, "compression_lu": 0.2}
#: Tracks nearer the centre than this keep their pan (a centred source has no side to widen to).
CENTRED = 0.05


def _evidence(stat: dict[str, Any], unit: str, fmt: str = "+.1f") -> str:
    spread = f", spread {stat['spread']:.2g} {unit}".rstrip()
    shrunk = (
        ""
        if stat["shrink"] >= 0.95
        else f"; pulled {100 * (1 - stat['shrink']):.0f}% back toward the default"
    )
    return f"in {stat['agree']} of {stat['n']} past mixes (mean {stat['mean']:{fmt}} {unit}{spread}{shrunk})"


def _plural(track) -> str:
    word = label(track)
    return word if word.endswith("s") else f"{word}s"


def _active(stat: dict[str, Any] | None, quantity: str) -> bool:
    return stat is not None and abs(stat["value"]) >= MIN_APPLY[quantity]


def tilt_shelf_gain(tilt_db: float, sr: int) -> float:
    """Gain (dB) of the high shelf whose tilt, as the learner measures tilt, is ``tilt_db``."""
    unit = curve_tilt_db([("high_shelf", {"freq_hz": TILT_SHELF_HZ, "gain_db": 1.0, "q": TILT_SHELF_Q})], sr)
    return tilt_db / unit


def profile_moves(
    ctx: Context, session: Session, profile: dict[str, Any], balance: bool = True
) -> list[Move]:
    """The moves a profile makes on a decided session (``balance=False``: leave levels and pans)."""
    moves: list[Move] = []
    for t in audible_tracks(session):
        role = t.role.value
        lvl = profile.get("level_db", {}).get(role)
        if balance and _active(lvl, "level_db"):
            v = lvl["value"]
            moves.append(
                Move(
                    t.id,
                    "fader_db",
                    round(t.fader_db + v, 2),
                    f"{v:+.1f} dB: your {_plural(t)} sit {'higher' if v > 0 else 'lower'} than the default "
                    f"{_evidence(lvl, 'dB')}.",
                    "profile.level",
                    {"default_db": t.fader_db, "departure_db": v, "songs": lvl["n"]},
                )
            )
        pn = profile.get("pan", {}).get(role)
        if balance and _active(pn, "pan") and abs(t.pan) >= CENTRED:
            v = pn["value"]
            new = float(np.sign(t.pan) * np.clip(abs(t.pan) + v, CENTRED, 1.0))
            moves.append(
                Move(
                    t.id,
                    "pan",
                    round(new, 3),
                    f"Pan {abs(t.pan):.2f} -> {abs(new):.2f} to the {'left' if new < 0 else 'right'}: "
                    f"you place {_plural(t)} {'wider' if v > 0 else 'narrower'} than the default "
                    f"{_evidence(pn, '', '+.2f')}.",
                    "profile.pan",
                )
            )
        tl = profile.get("tilt_db", {}).get(role)
        if _active(tl, "tilt_db"):
            v = tl["value"]
            gain = round(tilt_shelf_gain(v, session.sample_rate), 2)
            params = {"freq_hz": TILT_SHELF_HZ, "gain_db": gain, "q": TILT_SHELF_Q}
            moves.append(
                Move(
                    t.id,
                    "insert",
                    Processor("profile_tilt", "high_shelf", params),
                    f"High shelf {gain:+.1f} dB at {TILT_SHELF_HZ / 1000:g} kHz: you make {_plural(t)} "
                    f"{'brighter' if v > 0 else 'darker'} than the default (treble over bass "
                    f"{_evidence(tl, 'dB')}).",
                    "profile.tilt",
                )
            )
    rv = profile.get("reverb_db")
    if _active(rv, "reverb_db"):
        v = rv["value"]
        fx = {b.id for b in session.buses if b.kind == "fx"}
        for t in audible_tracks(session):
            for s in t.sends:
                if s.bus in fx:
                    moves.append(
                        Move(
                            t.id,
                            "send",
                            Send(s.bus, round(s.level_db + v, 1)),
                            f"{s.bus.capitalize()} send {v:+.1f} dB: your mixes are "
                            f"{'wetter' if v > 0 else 'drier'} than the default "
                            f"{_evidence(rv, 'dB')}.",
                            "profile.reverb",
                        )
                    )
    cp = profile.get("compression_lu")
    if _active(cp, "compression_lu"):
        shift = float(np.clip(COMP_DB_PER_LU * cp["value"], -12.0, 12.0))
        for t in audible_tracks(session):
            a = ctx.analyses.get(t.id)
            for p in t.chain:
                if p.kind != "compressor" or a is None:
                    continue
                params = dict(p.params)
                params["threshold_db"] = round(p.params["threshold_db"] + shift, 1)
                levels = compressor_levels(a, t.trim_db)
                params["makeup_db"] = round(
                    min(makeup_for(levels, params["threshold_db"], params["ratio"]), 12.0), 1
                )
                q = Processor(p.id, p.kind, params, p.enabled)
                moves.append(
                    Move(
                        t.id,
                        "processor",
                        q,
                        f"Threshold {shift:+.1f} dB (makeup {params['makeup_db']:g} dB): your mixes move "
                        f"{'less' if shift < 0 else 'more'} in loudness than the default "
                        f"({cp['value']:+.1f} LU of loudness range {_evidence(cp, 'LU')}).",
                        "profile.compression",
                    )
                )
    return moves


def master_target(profile: dict[str, Any]) -> tuple[float, str] | None:
    """The integrated loudness the user's finished mixes reach, for mix_master.wav, with a reason."""
    m = profile.get("master_lufs")
    if not m:
        return None
    v = m["value"]
    return v, f"Master to {v:.1f} LUFS: your finished mixes reach {_evidence(m, 'LUFS', '.1f')}."
