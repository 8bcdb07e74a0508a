"""Polarity and time alignment of microphones that capture the same source.

Two mics on one instrument (kick in/out, snare top/bottom, bass DI/amp) hear it at different
times and sometimes with opposite polarity; summed, they comb-filter and cancel. Close mics on
a kit also hear their drum before the overheads do. Prep finds both by cross-correlation and
sets ``delay_ms`` (whole samples) and ``polarity_inverted`` in the session; nothing is moved
earlier: the earlier mic is delayed to the later one, so the kit stays where the overheads put
it and nothing needs a negative delay.

1. **Groups by name and role.** Tracks of the same role whose names differ only in position
   words (in/out, top/bottom, DI/amp, ...) capture one source: ``SN Top`` and ``Snr Btm`` are
   one snare, ``Tom 1`` and ``Tom 2`` are two drums. Within a group the *primary* (in, top, DI,
   or the first) keeps its polarity; every other member is lined up with it, then the earliest
   arrivals are delayed to the latest.
2. **Close mics against the overheads.** Each kick, snare, tom and hi-hat group is lined up
   with the sum of the overhead tracks (tracks named OH/overhead; room mics are left alone): the
   whole group is delayed to the overheads' arrival and flipped if it pushes the other way.

Lags come from the cross-correlation of the two signals on up to 48 blocks of 8192 samples
where both play, searched within +-10 ms; the comb-filter loss removed is the level of the
(trimmed) sum on those blocks after alignment minus before, measured on the audio itself.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> a = rng.standard_normal(96000).astype(np.float32)[None]
>>> b = -np.concatenate([np.zeros((1, 62), np.float32), a[:, :-62]], axis=1)  # inverted, 62 late
>>> sa, sb = Sig([(a, 1.0)]), Sig([(b, 1.0)])
>>> lag = find_lag(sa, sb, blocks(sa, sb), 480)
>>> lag.lag, lag.corr < 0
(62, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import fft as sp_fft

from ..analysis.roles import classify_name
from ..session.model import Track
from ..session.roles import ROLE_LABELS
from .naming import split_words, strip_export_number

#: Words that say where a mic is on a source, not which source ("Kick In", "Bass Amp").
POSITION_WORDS = frozenset(
    "in out inside outside top bottom btm bot bttm under up down upper lower di dit direct line"
    " amp cab cabinet mic close near far front back rear reso resonant batter beater shell sub"
    " subkick wire wires snares snap side".split()
)
#: Position words of the mic whose polarity is kept when a group is lined up (in order).
PRIMARY_WORDS = ("in", "inside", "top", "batter", "di", "dit", "direct", "line", "close", "near")
#: Words that name overhead mics (room and ambience mics are not used as a time reference).
OVERHEAD_WORDS = frozenset({"oh", "ohs", "overhead", "overheads", "ovh", "ovhd", "ohd"})
#: Roles whose close mics are lined up with the overheads.
CLOSE_ROLES = ("kick", "snare", "toms", "hihat")
#: Roles never grouped as multi-mic sources: an overhead pair is spaced on purpose, and a printed
#: kit or submix is already mixed (lining one print up with another would move parts in time).
UNGROUPED_ROLES = ("overheads", "drum_kit", "submix")

MAX_LAG_S = 0.010
BLOCK = 8192
N_BLOCKS = 48
#: Weakest normalised correlation taken as two mics hearing the same source.
MIN_CORR_PAIR = 0.2
MIN_CORR_OVERHEADS = 0.2
#: Lower edge of the band whose correlation places the arrival (attacks live above it).
ONSET_HZ = 1000.0
#: Weakest correlation in that band that is trusted to place the arrival.
MIN_CORR_BAND = 0.2
LOW_HZ = 500.0


def _db(p: float) -> float:
    return float(10 * np.log10(max(p, 1e-30)))


def _is_role_word(word: str, role: str) -> bool:
    g = classify_name(word)
    return g is not None and g.role == role


def instrument_key(filename: str, role: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(source words, position words) of a stem name: "SN Top" -> ((), ("top",)) for a snare.

    Words naming the role itself ("sn", "snr", "snare") and position words are dropped from the
    source words; numbers stay (Tom 1 and Tom 2 are two drums), without leading zeros, but a
    DAW's export numbering in front of the name goes ("02 SN Top" and "08 SN Btm" are one snare).
    """
    words = [w.lower() for w in split_words(strip_export_number(Path(filename).name))]
    pos = tuple(w for w in words if w in POSITION_WORDS)
    rest = []
    for w in words:
        if w in POSITION_WORDS or _is_role_word(w, role):
            continue
        rest.append(str(int(w)) if w.isdigit() else w)
    return tuple(rest), pos


def multi_mic_groups(tracks: list[Track]) -> list[list[Track]]:
    """Groups of audible tracks that capture one source (same role and source words), the
    primary first. A group needs every member but at most one to carry a position word, so two
    plain takes ("Gtr", "Gtr") are not taken for one source."""
    by_key: dict[tuple, list[tuple[Track, tuple[str, ...]]]] = {}
    for t in tracks:
        if t.mute or t.role.value in UNGROUPED_ROLES:
            continue
        rest, pos = instrument_key(t.source, t.role.value)
        by_key.setdefault((t.role.value, rest), []).append((t, pos))
    groups = []
    for members in by_key.values():
        if len(members) < 2 or sum(1 for _, p in members if not p) > 1:
            continue

        def rank(m: tuple[Track, tuple[str, ...]]) -> int:
            return min(
                (PRIMARY_WORDS.index(w) for w in m[1] if w in PRIMARY_WORDS), default=len(PRIMARY_WORDS)
            )

        members.sort(key=rank)  # stable: console order breaks ties
        groups.append([t for t, _ in members])
    return groups


def overhead_tracks(tracks: list[Track]) -> list[Track]:
    """Audible overhead mics (role overheads and an overhead word in the name)."""
    out = []
    for t in tracks:
        if t.mute or t.role.value != "overheads":
            continue
        words = {w.lower() for w in split_words(Path(t.source).name)} | {
            w.lower() for w in split_words(t.name)
        }
        if words & OVERHEAD_WORDS:
            out.append(t)
    return out


# ------------------------------------------------------------------------------------------
# Signals


class Sig:
    """A mono view of one track or a sum of tracks, read block by block (no full-length copy).

    ``parts`` are (audio (channels, frames), linear gain) pairs; a stereo part counts as the
    mean of its channels.
    """

    def __init__(self, parts: list[tuple[np.ndarray, float]]):
        self.parts = parts
        self.size = min(x.shape[1] for x, _ in parts)
        self._energy: np.ndarray | None = None

    def seg(self, start: int, n: int) -> np.ndarray:
        """Samples [start, start + n) as float64 (zeros outside the audio)."""
        out = np.zeros(n)
        lo, hi = max(0, start), min(self.size, start + n)
        if hi <= lo:
            return out
        for x, g in self.parts:
            v = x[:, lo:hi]
            out[lo - start : hi - start] += g * (v[0] if v.shape[0] == 1 else v.mean(axis=0))
        return out

    def energy(self, n: int = BLOCK) -> np.ndarray:
        """Energy of each whole block of ``n`` samples (computed once, in chunks)."""
        if self._energy is None and len(self.parts) == 1 and self.parts[0][0].shape[0] == 1:
            x, g = self.parts[0]
            m = self.size // n
            v = x[0, : m * n].reshape(m, n)
            self._energy = np.einsum("ij,ij->i", v, v).astype(np.float64) * g * g
        if self._energy is None:
            m = self.size // n
            e = np.zeros(m)
            step = 64
            for j in range(0, m, step):
                k = min(m, j + step)
                v = self.seg(j * n, (k - j) * n).reshape(k - j, n)
                e[j:k] = np.einsum("ij,ij->i", v, v)
            self._energy = e
        return self._energy


def blocks(*signals: Sig, n: int = BLOCK, count: int = N_BLOCKS) -> list[int]:
    """Start samples of up to ``count`` blocks where every signal plays (scored by the quietest
    signal's energy relative to its own loudest block, within 30 dB), skipping the first and
    last block so shifted reads stay inside the audio."""
    es = [s.energy(n) for s in signals]
    m = min(e.size for e in es)
    if m < 3:
        return []
    rel = np.min([e[:m] / max(float(e[:m].max()), 1e-30) for e in es], axis=0)
    rel[0] = rel[m - 1] = 0.0
    order = np.argsort(-rel, kind="stable")[:count]
    order = order[rel[order] > 1e-3]
    return sorted(int(j) * n for j in order)


@dataclass
class Lag:
    """Where b lines up with a: ``lag`` samples (> 0: b is later) and the normalised
    correlation there (< 0: opposite polarity)."""

    lag: int
    corr: float
    strength: float = 0.0  # the larger of the full-band and the attack-band correlation there

    def __post_init__(self) -> None:
        self.strength = max(self.strength, abs(self.corr))


def find_lag(
    a: Sig,
    b: Sig,
    starts: list[int],
    max_lag: int,
    n: int = BLOCK,
    sr: int = 48000,
    band_hz: float = ONSET_HZ,
) -> Lag:
    """Cross-correlate b against a on the blocks (FFT), within +-``max_lag`` samples.

    The correlation is summed over blocks (so sparse hits count together) and normalised by the
    blocks' energies. The lag is taken where the correlation above ``band_hz`` peaks: arrival
    times show in the attacks, while the low end of two mics differs in phase by their filters
    (a kick's overhead hears it through a high-pass), which would pull a full-band peak off the
    arrival. When the band above ``band_hz`` holds too little of both signals, the full band
    decides. The polarity is the sign of the full-band correlation at that lag: it says which
    way round the sum is louder.
    """
    size = sp_fft.next_fast_len(n + 2 * max_lag)
    acc = np.zeros(size // 2 + 1, dtype=np.complex128)
    pa = np.zeros(size // 2 + 1)
    pb = np.zeros(size // 2 + 1)
    ea = eb = 0.0
    for s in starts:
        sa = a.seg(s, n)
        sb = b.seg(s - max_lag, n + 2 * max_lag)
        mid = sb[max_lag : max_lag + n]
        fa, fb = sp_fft.rfft(sa, size), sp_fft.rfft(sb, size)
        acc += np.conj(fa) * fb
        pa += np.abs(fa) ** 2
        pb += np.abs(sp_fft.rfft(mid, size)) ** 2
        ea += float(sa @ sa)
        eb += float(mid @ mid)
    if ea == 0.0 or eb == 0.0 or pa.sum() == 0.0 or pb.sum() == 0.0:
        return Lag(0, 0.0)
    full = sp_fft.irfft(acc, size)[: 2 * max_lag + 1] / np.sqrt(ea * eb)
    k = int(np.argmax(np.abs(full)))
    band = 0.0
    if band_hz > 0:
        f = np.fft.rfftfreq(size, 1.0 / sr)
        w = np.clip((f - band_hz / 2) / (band_hz / 2), 0.0, 1.0)  # ramp from band/2 to band
        ha = ea * float((pa * w).sum() / pa.sum())  # energy above the band edge (Parseval)
        hb = eb * float((pb * w).sum() / pb.sum())
        if ha > 1e-3 * ea and hb > 1e-3 * eb:
            hf = sp_fft.irfft(acc * w, size)[: 2 * max_lag + 1] / np.sqrt(ha * hb)
            kh = int(np.argmax(np.abs(hf)))
            if abs(hf[kh]) >= MIN_CORR_BAND:
                k, band = kh, float(hf[kh])
    corr = float(full[k])
    if band and abs(corr) < MIN_CORR_BAND / 2:  # the full band is undecided: the attacks say
        corr = float(np.copysign(max(abs(corr), 1e-6), band))
    return Lag(k - max_lag, corr, abs(band))


def sum_levels(
    signals: list[Sig], delays: list[int], signs: list[float], starts: list[int], sr: int, n: int = BLOCK
) -> tuple[float, float]:
    """Level (dB) of the sum of the signals, each delayed (samples) and signed, over the blocks:
    the whole band and below ``LOW_HZ``."""
    total = low = 0.0
    nlow = int(LOW_HZ * n / sr) + 1
    for s in starts:
        acc = np.zeros(n)
        for x, d, g in zip(signals, delays, signs, strict=True):
            acc += g * x.seg(s - d, n)
        total += float(acc @ acc)
        spec = np.abs(sp_fft.rfft(acc)) ** 2
        low += float(spec[:nlow].sum()) / n
    return _db(total), _db(low)


# ------------------------------------------------------------------------------------------
# Plan


@dataclass
class Step:
    """One alignment: the tracks moved, what they were lined up with, and what it gained."""

    kind: str  # "pair" (mics on one source) or "overheads" (close mics against the overheads)
    tracks: list[str]  # track ids, in the order of delays/flips
    names: list[str]
    reference: str  # name of what they were lined up with
    delays: list[int]  # samples added to each track by this step
    flips: list[bool]  # polarity flipped by this step
    lags: list[int]  # measured arrival of each track relative to the reference (samples)
    correlation: float
    gain_db: float  # level of the sum after minus before (comb-filter loss removed)
    low_gain_db: float  # the same below LOW_HZ


@dataclass
class Plan:
    """What alignment sets: total delay (samples) and polarity per track id, and why."""

    delay: dict[str, int] = field(default_factory=dict)
    flip: dict[str, bool] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    weak: list[tuple[str, str, float]] = field(default_factory=list)  # (track id, other name, corr)
    skipped: list[str] = field(default_factory=list)  # notes on what was left alone

    def say(self, tid: str, text: str) -> None:
        self.reasons.setdefault(tid, []).append(text)


def _ms(samples: int, sr: int) -> str:
    return f"{samples * 1000.0 / sr:.1f} ms ({samples} samples)"


def _gain_text(gain: float, low: float) -> str:
    if low > gain + 0.5 and low > 0.5:
        return f"the sum gains {gain:.1f} dB ({low:.1f} dB below {LOW_HZ:g} Hz) that cancelled before"
    return f"the sum gains {gain:.1f} dB that cancelled before"


def plan(tracks: list[Track], audio: dict[str, np.ndarray], sr: int, max_lag_s: float = MAX_LAG_S) -> Plan:
    """Alignment for a session's tracks from their audio (source id -> (channels, frames)).

    Gains (``trim_db``) are applied when levels of sums are measured, so the comb-filter loss
    is the one heard at the gain-staged level.
    """
    p = Plan()
    max_lag = max(1, int(round(max_lag_s * sr)))
    sig: dict[str, Sig] = {}

    def x(t: Track) -> Sig:
        if t.id not in sig:
            sig[t.id] = Sig([(audio[t.source_id], 10 ** (t.trim_db / 20))])
        return sig[t.id]

    groups = multi_mic_groups(tracks)
    grouped = {t.id for g in groups for t in g}
    for g in groups:
        _pair(p, g, x, sr, max_lag)

    ohs = overhead_tracks(tracks)
    if not ohs:
        return p
    oh = Sig([(audio[t.source_id], 10 ** (t.trim_db / 20)) for t in ohs])
    oh_name = " + ".join(f"'{t.name}'" for t in ohs)
    close_groups = [g for g in groups if g[0].role.value in CLOSE_ROLES]
    close_groups += [
        [t] for t in tracks if t.role.value in CLOSE_ROLES and not t.mute and t.id not in grouped
    ]
    for g in close_groups:
        _overheads(p, g, oh, oh_name, x, sr, max_lag)
    return p


def _pair(p: Plan, g: list[Track], x, sr: int, max_lag: int) -> None:
    prim = g[0]
    a = x(prim)
    lags: dict[str, Lag] = {}
    for m in g[1:]:
        b = x(m)
        starts = blocks(a, b)
        lag = find_lag(a, b, starts, max_lag, sr=sr)
        if lag.strength < MIN_CORR_PAIR:
            p.weak.append((m.id, prim.name, lag.corr))
            continue
        lags[m.id] = lag
    if not lags:
        return
    members = [prim] + [m for m in g[1:] if m.id in lags]
    arrival = {prim.id: 0, **{k: v.lag for k, v in lags.items()}}
    latest = max(arrival.values())
    delays = [latest - arrival[m.id] for m in members]
    flips = [False] + [lags[m.id].corr < 0 for m in members[1:]]
    sigs = [x(m) for m in members]
    starts = blocks(*sigs)
    before = sum_levels(sigs, [0] * len(sigs), [1.0] * len(sigs), starts, sr)
    after = sum_levels(sigs, delays, [-1.0 if f else 1.0 for f in flips], starts, sr)
    gain, low = after[0] - before[0], after[1] - before[1]
    corr = min((v.strength for v in lags.values()), default=1.0)
    last = next(m for m in members if arrival[m.id] == latest)
    p.steps.append(
        Step(
            "pair",
            [m.id for m in members],
            [m.name for m in members],
            prim.name,
            delays,
            flips,
            [arrival[m.id] for m in members],
            round(corr, 3),
            round(gain, 2),
            round(low, 2),
        )
    )
    for m, d, f in zip(members, delays, flips, strict=True):
        p.delay[m.id] = p.delay.get(m.id, 0) + d
        p.flip[m.id] = p.flip.get(m.id, False) ^ f
        others = ", ".join(f"'{o.name}'" for o in members if o is not m)
        if d and f:
            p.say(
                m.id,
                f"Delayed {_ms(d, sr)} and polarity flipped to line up with {others} "
                f"(the same {ROLE_LABELS[m.role.value].lower()}): {_gain_text(gain, low)}.",
            )
        elif d:
            p.say(
                m.id,
                f"Delayed {_ms(d, sr)} to line up with '{last.name}', which hears the same "
                f"{ROLE_LABELS[m.role.value].lower()} later (the earlier mic waits, so nothing moves "
                f"earlier): {_gain_text(gain, low)}.",
            )
        elif f:
            p.say(
                m.id,
                f"Polarity flipped: it pushes the other way from '{prim.name}' on the same "
                f"{ROLE_LABELS[m.role.value].lower()}; {_gain_text(gain, low)}.",
            )


def _overheads(p: Plan, g: list[Track], oh: Sig, oh_name: str, x, sr: int, max_lag: int) -> None:
    prim = g[0]
    a = x(prim)
    starts = blocks(a)
    if not starts:
        return
    lag = find_lag(a, oh, starts, max_lag, sr=sr)
    if lag.strength < MIN_CORR_OVERHEADS:
        p.skipped.append(f"'{prim.name}' does not correlate with the overheads ({lag.corr:+.2f}); left as is")
        return
    extra = lag.lag - p.delay.get(prim.id, 0)
    flip = lag.corr < 0
    if extra < 0:
        p.skipped.append(
            f"'{prim.name}' already sounds {_ms(-extra, sr)} after the overheads; not moved earlier"
        )
        extra = 0
    if extra == 0 and not flip:
        return
    sigs = [x(m) for m in g] + [oh]
    cur = [p.delay.get(m.id, 0) for m in g] + [0]
    sign = [-1.0 if p.flip.get(m.id, False) else 1.0 for m in g] + [1.0]
    new = [d + extra for d in cur[:-1]] + [0]
    new_sign = [(-s if flip else s) for s in sign[:-1]] + [1.0]
    before = sum_levels(sigs, cur, sign, starts, sr)
    after = sum_levels(sigs, new, new_sign, starts, sr)
    gain, low = after[0] - before[0], after[1] - before[1]
    p.steps.append(
        Step(
            "overheads",
            [m.id for m in g],
            [m.name for m in g],
            oh_name,
            [extra] * len(g),
            [flip] * len(g),
            [lag.lag] * len(g),
            round(lag.strength, 3),
            round(gain, 2),
            round(low, 2),
        )
    )
    role = ROLE_LABELS[prim.role.value].lower()
    for m in g:
        p.delay[m.id] = p.delay.get(m.id, 0) + extra
        p.flip[m.id] = p.flip.get(m.id, False) ^ flip
        if extra and flip:
            what = f"Delayed {_ms(extra, sr)} more and polarity flipped"
        elif extra:
            what = f"Delayed {_ms(extra, sr)} more" if m.id in p.reasons else f"Delayed {_ms(extra, sr)}"
        else:
            what = "Polarity flipped"
        p.say(
            m.id,
            f"{what} to line up with the overheads ({oh_name}), which hear the {role} "
            f"{_ms(lag.lag, sr)} after this mic: {_gain_text(gain, low)}.",
        )
