"""EQ decisions: role-aware high-pass below the measured content, resonance cuts, and
cross-track unmasking (cut the lower-priority track in the higher-priority one's key band).

The per-role facts (lowest note, high-pass cap, resonance hunting, key bands, who yields) are
rows of the role table (``session.roles.defaults``), engineering practice rather than
measurements of this song: each instrument's lowest useful note (e.g. the guitar's E2 at 82.4 Hz,
the 4-string bass's E1 at 41.2 Hz) and the highest a mixer would usually put a high-pass
(frequency bands after Kulka's chart reprinted in Owsinski, "The Mixing Engineer's Handbook":
sub-bass 16-60 Hz, bass 60-250 Hz, low mids 250-2000 Hz, high mids 2-4 kHz).
"""

from __future__ import annotations

import numpy as np

from ..render.filters import chain_response_db, response_db
from ..session.model import Processor, Session
from ..session.roles import defaults
from .base import Context, Move, a_label, audible_tracks, label, labels

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def note_name(freq: float) -> str:
    """Nearest equal-tempered note name of a frequency ("A2")."""
    midi = int(round(69 + 12 * np.log2(max(freq, 1e-3) / 440.0)))
    return f"{NOTE_NAMES[midi % 12]}{midi // 12 - 1}"


def highpass(ctx: Context, session: Session) -> list[Move]:
    """High-pass each track below its lowest note and above any rumble beneath it."""
    moves = []
    for t in audible_tracks(session):
        a = ctx.analyses[t.id]
        eq = defaults(t.role.value).eq
        lowest, cap = eq.lowest_note_hz, eq.highpass_max_hz
        if cap is None:
            continue
        notes = [p for p in a.peaks if p[0] >= lowest * 0.94]
        rumble = [p for p in a.peaks if p[0] < lowest * 0.94]
        fund = notes[0][0] if notes else None
        freq = cap if fund is None else min(cap, 0.8 * fund)
        freq = float(round(max(freq, 20.0)))
        slope = 12.0
        if rumble and rumble[-1][0] > freq / 2:
            slope = 24.0
        params = {"freq_hz": freq, "slope_db_oct": slope}
        what = f"High-pass at {freq:g} Hz ({slope:g} dB/oct): "
        if fund is not None:
            what += f"nothing useful below the {labels(t)} lowest note ({note_name(fund)}, {fund:.0f} Hz)"
        else:
            what += f"below the usual range of {a_label(t)}"
        if rumble:
            rf = max(rumble, key=lambda p: p[1])[0]
            cut = -float(response_db("highpass", params, np.array([rf]), ctx.sample_rate)[0])
            what += f"; cuts the rumble at {rf:.0f} Hz by {cut:.1f} dB"
        else:
            what += "; clears low-frequency build-up it adds to the mix"
        moves.append(Move(t.id, "insert", Processor("", "highpass", params), what + ".", "eq.highpass"))
    return moves


def resonances(ctx: Context, session: Session, max_cuts: int = 2, min_excess_db: float = 4.0) -> list[Move]:
    """Narrow cuts where a stationary resonance stands out of the track's long-term spectrum."""
    moves = []
    for t in audible_tracks(session):
        if not defaults(t.role.value).eq.hunt_resonances:
            continue
        a = ctx.analyses[t.id]
        found = [r for r in a.resonances if r[1] >= min_excess_db][:max_cuts]
        for f, excess, q in found:
            gain = -round(min(6.0, 0.8 * excess), 1)
            qq = round(float(np.clip(q, 2.0, 10.0)), 1)
            moves.append(
                Move(
                    t.id,
                    "insert",
                    Processor("", "peak", {"freq_hz": f, "gain_db": gain, "q": qq}),
                    f"Cut {-gain:g} dB at {f:.0f} Hz (Q {qq:g}): a resonance holds {excess:.1f} dB "
                    f"above the {labels(t)} spectral envelope in at least 80% of its playing time, "
                    "whatever note is played, so it rings rather than adds tone.",
                    "eq.resonance",
                )
            )
    return moves


#: Above this median excess (dB) an EQ cut cannot unmask; that is a balance problem instead.
MAX_FIXABLE_DB = 6.0


def unmask(
    ctx: Context,
    session: Session,
    fader_of: dict[str, float] | None = None,
    threshold_db: float = -3.0,
    min_share: float = 0.5,
) -> list[Move]:
    """Cut a lower-priority track where it masks a higher-priority one's key band.

    Levels are compared per third-octave band and analysis frame, as heard after trim and
    fader, over the frames where both tracks play. The masker is cut where it comes within
    ``threshold_db`` of the masked track in at least ``min_share`` of those frames.
    """
    from ..analysis.measure import BAND_CENTRES

    moves = []
    tracks = audible_tracks(session)

    def eq_at(t, fc):
        return chain_response_db(t.chain, fc, ctx.sample_rate)

    gain = {t.id: t.trim_db + (t.fader_db if fader_of is None else fader_of[t.id]) for t in tracks}
    cuts: dict[str, int] = {}
    for hi in tracks:
        masked = defaults(hi.role.value).unmask
        key = masked.key_band
        if key is None:
            continue
        band_name = key.name
        bands = np.flatnonzero((BAND_CENTRES >= key.low_hz) & (BAND_CENTRES <= key.high_hz))
        ah = ctx.analyses[hi.id]
        for lo in tracks:
            masker = defaults(lo.role.value).unmask
            if lo.id == hi.id or masker.yield_priority is None or cuts.get(lo.id, 0) >= 2:
                continue
            if masked.drum and masker.drum:
                continue  # overheads and room carry the kit itself: not a masker of its own drums
            al = ctx.analyses[lo.id]
            # frames where the masked part really sounds in its key band (within 10 dB of its
            # loud moments), so the gaps between hits don't count as masking
            kb = ah.band_frames_db[:, bands].max(axis=1)
            sounding = (
                kb > np.percentile(kb[ah.frame_active], 90) - 10.0 if ah.frame_active.any() else kb > -np.inf
            )
            both = ah.frame_active & al.frame_active & sounding
            if both.sum() < 3:
                continue
            fc = BAND_CENTRES[bands]
            h = ah.band_frames_db[both][:, bands] + gain[hi.id] + eq_at(hi, fc)
            low = al.band_frames_db[both][:, bands] + gain[lo.id] + eq_at(lo, fc)
            diff = low - h
            share = np.mean(diff > threshold_db, axis=0)
            k = int(np.argmax(share + 1e-3 * np.median(diff, axis=0)))
            if share[k] < min_share:
                continue
            med = float(np.median(diff[:, k]))
            if med > MAX_FIXABLE_DB:
                continue  # far louder there: a cut would change its tone without unmasking
            f = float(BAND_CENTRES[bands[k]])
            g = -round(float(np.clip(med - threshold_db + 2.0, 2.0, 4.5)), 1)
            cuts[lo.id] = cuts.get(lo.id, 0) + 1
            moves.append(
                Move(
                    lo.id,
                    "insert",
                    Processor("", "peak", {"freq_hz": f, "gain_db": g, "q": 1.4}),
                    f"Cut {-g:g} dB at {f:g} Hz (Q 1.4) to unmask the {label(hi)} "
                    f"'{hi.name}': around {f:g} Hz, its {band_name}, the {label(lo)} comes within "
                    f"{-threshold_db:g} dB of it {share[k]:.0%} of the time they play together "
                    f"(median {med:+.1f} dB). The cut goes on the {label(lo)}, the lower priority.",
                    "eq.unmask",
                    {"masked": hi.id, "share": round(float(share[k]), 3), "median_db": round(med, 2)},
                )
            )
    return moves
