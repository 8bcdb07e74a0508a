"""Compression from each track's measured dynamics, and saturation where a mixer would use it.

Compression: the spread between a track's body (median of its 50 ms level on active regions)
and its peaks (99th percentile) is brought toward a role target (from the role table,
``session.roles``). Threshold sits just above the body, the ratio is what brings the peaks to
the target, attack and release follow the track's transient character (percussive parts get a
slower attack so the hit passes, then a release scaled to how fast the hits decay; sustained
parts get a faster attack). The makeup gain is the loudness the static curve removes, estimated
from the measured level distribution, so the balance decided afterwards is not upset. Giannoulis,
Massberg & Reiss (JAES 61(10), 2013) tie attack and release to crest factor the same way: the
more peaked the signal, the faster the detector needs to be; we keep their direction and use
role-aware ranges.
"""

from __future__ import annotations

import numpy as np

from ..analysis.measure import TrackAnalysis
from ..session.model import Processor, Session
from ..session.roles import defaults
from .base import Context, Move, a_label, audible_tracks, labels


def static_gain_reduction(levels_db: np.ndarray, threshold_db: float, ratio: float) -> np.ndarray:
    """Gain reduction (dB, >= 0) of a hard-knee compressor's static curve at each level."""
    return np.maximum(levels_db - threshold_db, 0.0) * (1.0 - 1.0 / ratio)


def makeup_for(levels_db: np.ndarray, threshold_db: float, ratio: float) -> float:
    """Loudness lost to the static curve, over a level distribution (power mean), in dB."""
    p = 10 ** (levels_db / 10)
    after = 10 ** ((levels_db - static_gain_reduction(levels_db, threshold_db, ratio)) / 10)
    return float(10 * np.log10(np.sum(p) / np.sum(after)))


def percussive(a: TrackAnalysis) -> bool:
    """True when the track is made of hits: frequent onsets standing well above the mean level."""
    return a.transient_db > 9.0 and a.onset_rate > 0.5


#: How far under its peaks a sustained part's level still counts as playing (dB): below it is the
#: silence between phrases, which a compressor never acts on.
PLAYING_RANGE_DB = 40.0
#: The most makeup a compressor may need (dB): a part that would need more is compressed less.
MAX_MAKEUP_DB = 12.0


def compressor_levels(a: TrackAnalysis, trim_db: float) -> np.ndarray:
    """The level distribution (dB, envelope percentiles after the trim) a compressor acts on:
    for hits, only the hits themselves (within 20 dB of the peaks), not the silence between; for a
    sustained part silent more than half the time, the levels within ``PLAYING_RANGE_DB`` of the
    peaks (a part that plays a few phrases is not compressed against the silence between them)."""
    pct = np.asarray(a.env_percentiles) + trim_db
    if percussive(a):
        return pct[pct > float(pct[99]) - 20.0]
    if a.active_fraction >= 0.5:  # mostly playing: the median is already a playing level
        return pct
    playing = pct[pct > float(pct[99]) - PLAYING_RANGE_DB]
    return playing if playing.size >= 10 else pct


def compression(ctx: Context, session: Session) -> list[Move]:
    """A compressor on tracks whose peaks stand further above their body than the role wants."""
    moves = []
    for t in audible_tracks(session):
        target = defaults(t.role.value).dynamics.spread_target_db
        if target is None:
            continue
        a = ctx.analyses[t.id]
        pct = compressor_levels(a, t.trim_db)
        peaks = float(a.env_percentiles[99]) + t.trim_db
        body = float(np.median(pct))  # of the levels it acts on (the 50th percentile when all count)
        spread = peaks - body
        if spread < target + 2.0:
            continue
        threshold = round(body + 2.0, 1)
        ratio = round(float(np.clip((peaks - threshold) / max(target - 2.0, 1.0), 1.5, 8.0)), 1)
        while makeup_for(pct, threshold, ratio) > MAX_MAKEUP_DB:  # never more than makeup can give back
            threshold = round(threshold + 1.0, 1)
        if percussive(a):
            attack = round(float(np.clip(a.decay_ms / 6.0, 10.0, 30.0)), 1)
            release = round(float(np.clip(a.decay_ms * 1.5, 50.0, 250.0)), -1)
            character = f"percussive (hits decay 12 dB in {a.decay_ms:.0f} ms): slow attack keeps the hit"
        else:
            attack = 5.0 if a.transient_db > 6.0 else 10.0
            release = 120.0 if a.lra_lu < 8 else 200.0
            character = "sustained: a quicker attack holds the level steady"
        makeup = round(min(makeup_for(pct, threshold, ratio), MAX_MAKEUP_DB), 1)
        gr_peaks = float(static_gain_reduction(np.array([peaks]), threshold, ratio)[0])
        params = {
            "threshold_db": threshold,
            "ratio": ratio,
            "attack_ms": attack,
            "release_ms": release,
            "makeup_db": makeup,
        }
        moves.append(
            Move(
                t.id,
                "insert",
                Processor("", "compressor", params),
                f"Compress {ratio:g}:1 above {threshold:g} dB: the {labels(t)} peaks stand "
                f"{spread:.1f} dB over its body, {a_label(t)} sits best near {target:g} dB; "
                f"about {gr_peaks:.1f} dB of reduction on the peaks; {character}; "
                f"{makeup:g} dB makeup keeps its loudness.",
                "dynamics.compression",
            )
        )
    return moves


def calibrate_makeup(session: Session, changes: dict[str, dict[str, float]]) -> list[Move]:
    """Makeup that gives back what each compressor really takes. ``changes``: track id ->
    processor id -> the loudness change measured through it on the track's audio
    (``render.engine.compressor_changes_db``). The static-curve estimate reads 50 ms levels, while
    the detector follows the waveform's peaks with its attack and release, so it takes more (up to
    6 dB more on a part that plays a few phrases); the balance sets each fader for a part whose
    loudness its compressor keeps, so the makeup is set from the measurement. A compressor that
    would need more than ``MAX_MAKEUP_DB`` compresses less instead (its threshold raised by what
    the static curve says takes the excess), and is measured again."""
    moves = []
    for t in session.tracks:
        measured = changes.get(t.id, {})
        for p in t.chain:
            change = measured.get(p.id)
            if p.kind != "compressor" or change is None or abs(change) < 0.1:
                continue
            old = float(p.params.get("makeup_db", 0.0))
            params = dict(p.params)
            taken = old - change  # the loudness the compressor takes before its makeup
            if taken > MAX_MAKEUP_DB:
                ratio = float(params["ratio"])  # above the threshold, 1 dB more of it takes 1 - 1/ratio dB
                raise_db = (taken - MAX_MAKEUP_DB + 0.5) / max(1.0 - 1.0 / ratio, 0.1)
                params["threshold_db"] = round(float(params["threshold_db"]) + raise_db, 1)
                text = (
                    f"Measured on its audio, it took {taken:.1f} dB of loudness, more than makeup may give "
                    f"back ({MAX_MAKEUP_DB:g} dB), so it compresses less: threshold "
                    f"{params['threshold_db']:g} dB."
                )
            else:
                params["makeup_db"] = round(max(0.0, taken), 1)
                if params["makeup_db"] == old:
                    continue
                text = (
                    f"Measured on its audio, the compressor with {old:g} dB makeup changed its loudness "
                    f"by {change:+.1f} dB, so the makeup is {params['makeup_db']:g} dB."
                )
            first = p.decision.reason if p.decision is not None else ""
            rule = p.decision.rule if p.decision is not None else "dynamics.compression"
            refs = {"static_makeup_db": old, "measured_change_db": change}
            proc = Processor(p.id, "compressor", params)
            moves.append(Move(t.id, "processor", proc, (first + " " + text).strip(), rule, refs))
    return moves


def saturation(ctx: Context, session: Session) -> list[Move]:
    """Harmonics on a bass that has little above 150 Hz (so it reads on small speakers), and a
    gentle drive on the drum bus."""
    moves = []
    for t in audible_tracks(session):
        if not defaults(t.role.value).dynamics.harmonics:
            continue
        a = ctx.analyses[t.id]
        f = a.freqs
        p = 10 ** (a.ltas_db / 10)
        total = float(np.sum(p[f > 20]))
        upper = float(np.sum(p[f > 150])) / max(total, 1e-30)
        if upper < 0.05:
            # drive so the staged peaks reach about 1.5 inside the tanh: audibly harmonic
            drive = round(float(np.clip(3.5 - (a.peak_db + t.trim_db), 6.0, 24.0)), 1)
            moves.append(
                Move(
                    t.id,
                    "insert",
                    Processor("", "saturation", {"drive_db": drive, "mix_pct": 35.0}),
                    f"Saturate (drive {drive:g} dB, 35% mix): only {upper:.1%} of the bass's energy is "
                    "above 150 Hz, so small speakers would lose it; harmonics let the ear "
                    "rebuild the fundamental.",
                    "dynamics.saturation",
                )
            )
    if any(b.id == "drums" for b in session.buses):
        moves.append(
            Move(
                "drums",
                "insert",
                Processor("", "saturation", {"drive_db": 4.0, "mix_pct": 25.0}),
                "Gentle drive on the drum bus (4 dB, 25% mix): glues the kit and rounds the "
                "sharpest transients without audible distortion.",
                "dynamics.saturation",
            )
        )
    return moves
