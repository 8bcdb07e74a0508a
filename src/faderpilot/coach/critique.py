"""``faderpilot critique STEMS --mix MY_MIX.wav -o OUT``: the user mixes, the assistant teaches.

1. **Fit** the user's mix with the rough matcher against what the assistant would do
   (:mod:`faderpilot.coach.fit`): per track, the user's level, pan, polarity and tonal curve
   relative to the assistant's; per FX return, its level.
2. **Differences.** Levels are compared as a balance (one common offset removed: a louder bounce
   is not a lesson). A level is also set against where real mixes put that role (the learned
   balance in ``decide/balance_priors.json``: the departure, its spread across songs, how many
   songs): inside one spread it is named as taste, never as a mistake. A tonal difference is named
   as one bell (:mod:`faderpilot.coach.tone`); pans that collapse toward the centre are one
   lesson about width; FX returns are compared in dB.
3. **Audibility.** Each difference is undone alone in the fitted session and rendered; the level
   of what changes (K-weighted energy of the difference re the mix, in dB) ranks it, with
   ``LEAD_WEIGHT_DB`` added where the change moves the lead against the band (masking of the lead).
4. **Hear it** (:mod:`faderpilot.coach.ab`): for the top differences, the busiest stretch of the
   user's mix, and the same stretch with only that change applied, loudness-matched.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..analysis.loudness import k_weight
from ..decide import priors as learned
from ..decide.base import label
from ..match.rough import WEAK_FIT_DB
from ..render.engine import render
from ..session.model import Session, Track
from .fit import Assistant, UserFit, fx_buses
from .tone import band_curves, name_bell

#: Smallest differences worth a lesson: level (dB, relative), tone (dB), pan, FX return (dB).
LEVEL_DB = 1.0
TONE_DB = 2.0
PAN = 0.15
FX_DB = 2.0
#: Added to the audibility (dB) of a change that moves the lead against the band.
LEAD_WEIGHT_DB = 3.0
#: How many of the top differences get A/B excerpts.
TOP_AB = 3


@dataclass
class Difference:
    """One way the user's mix differs from the assistant's, as a lesson."""

    kind: str  # level, tone, pan, width, polarity, reverb, delay
    tracks: list[str]  # track ids (or the FX bus id)
    names: list[str]
    delta: float  # dB for level/tone/FX, pan units for pan and width
    user: Any
    assistant: Any
    freq_hz: float | None = None
    q: float | None = None
    verdict: str = "difference"  # lesson (outside what real mixes do), taste (inside), difference
    audibility_db: float = -120.0
    hears: str = ""
    why: str = ""
    try_: str = ""
    control: str = ""
    assistant_why: str = ""
    real: dict[str, Any] | None = None
    ab: dict[str, Any] | None = None


@dataclass
class Critique:
    """The critique of one mix: the differences ranked, and how well the fit explains the mix."""

    mix_path: str
    fit_null_db: float
    offset_samples: int
    differences: list[Difference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fit: UserFit | None = field(default=None, repr=False)  # not written to critique.json

    def lessons(self) -> list[Difference]:
        """The differences that are not taste."""
        return [d for d in self.differences if d.verdict != "taste"]

    def to_json(self) -> dict[str, Any]:
        """Plain data for critique.json."""
        return {
            "mix": self.mix_path,
            "fit_null_db": round(self.fit_null_db, 2),
            "offset_samples": self.offset_samples,
            "differences": [_rounded(asdict(d)) for d in self.differences],
            "notes": self.notes,
        }


def _rounded(x: Any) -> Any:
    if isinstance(x, float):
        return round(x, 3)
    if isinstance(x, dict):
        return {k.rstrip("_"): _rounded(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_rounded(v) for v in x]
    return x


# --- differences ----------------------------------------------------------------------------------


def _audible(s: Session) -> list[Track]:
    return [t for t in s.tracks if not t.mute]


def _lead_id(s: Session) -> str | None:
    for t in s.tracks:
        d = t.decisions.get("fader_db")
        if d is not None and d.refs.get("lead"):
            return str(d.refs["lead"])
    return None


def _real(priors: dict, t: Track) -> dict[str, Any]:
    """Where real mixes put this track's role: departure, spread (one sd) and the songs behind it."""
    term = priors.get("terms", {}).get(f"role:{t.role.value}") or {}
    d = t.decisions.get("fader_db")
    dep = float(d.refs.get("departure_db", 0.0)) if d is not None else 0.0
    return {
        "role": label(t),
        "departure_db": round(dep, 2),
        "spread_db": round(learned.track_spread(priors, t.role.value), 2),
        "songs": int(term.get("songs", 0)),
    }


def _pan_txt(p: float) -> str:
    return "centre" if abs(p) < 0.02 else f"{abs(p) * 100:.0f}% {'left' if p < 0 else 'right'}"


def level_differences(a: Assistant, u: UserFit) -> tuple[list[Difference], float]:
    """Level differences as a balance (the common offset removed), set against real mixes."""
    pairs = [
        (t, f) for t, f in zip(a.session.tracks, u.fitted.tracks, strict=True) if not t.mute and not f.mute
    ]
    if not pairs:
        return [], 0.0
    offset = float(np.median([f.fader_db - t.fader_db for t, f in pairs]))
    out = []
    for t, f in pairs:
        r = f.fader_db - t.fader_db - offset
        if abs(r) < LEVEL_DB:
            continue
        real = _real(a.priors, t)
        way = "under" if r < 0 else "over"
        inside = abs(r) <= real["spread_db"]
        verdict = "taste" if inside else "lesson"
        songs = real["songs"]
        hears = (
            f"your {t.name} sits {abs(r):.1f} dB {way} where I put it against the rest of the mix; "
            f"in {songs} real song{'s' if songs != 1 else ''} {real['role']} parts sit "
            f"{real['departure_db']:+.1f} dB ± {real['spread_db']:.1f} from equal loudness with the "
            "other stems"
        )
        if inside:
            why = (
                "that is inside the range real mixes use, so it is taste, not a mistake: "
                "keep it if it is what the song needs"
            )
        else:
            why = f"that is beyond the ±{real['spread_db']:.1f} dB most real mixes stay within: the " + (
                "part gets lost behind the band" if r < 0 else "part covers the others"
            )
        move = "up" if r < 0 else "down"
        try_ = f"bring the {t.name} fader {move} about {abs(r):.0f} dB and listen to the A/B"
        d = t.decisions.get("fader_db")
        out.append(
            Difference(
                "level",
                [t.id],
                [t.name],
                round(r, 2),
                round(f.fader_db - offset, 2),
                round(t.fader_db, 2),
                verdict=verdict,
                hears=hears,
                why=why,
                try_=try_,
                control=f"{t.name} fader",
                assistant_why=d.reason if d is not None else "",
                real=real,
            )
        )
    return out, offset


def tone_differences(a: Assistant, u: UserFit, workers: int = 2) -> list[Difference]:
    """Tonal differences, each named as one bell, where the fitted curve moves by TONE_DB or more."""
    from ..match.rough import eq_response
    from ..match.session import played_inputs

    sr = a.session.sample_rate
    cand = []
    for i, m in enumerate(u.fit.tracks[: len(a.session.tracks)]):
        if m.muted or not m.eq:
            continue
        h = 20 * np.log10(np.maximum(np.abs(eq_response(m.eq, sr, 8192)[1:]), 1e-9))
        if float(np.max(h) - np.min(h)) >= TONE_DB:
            cand.append(i)
    if not cand:
        return []
    regs = played_inputs(a.session, a.audio)
    returns = render(u.fitted, a.audio, workers=workers).bus_stems
    regs += [returns[b.id] for b in fx_buses(u.fitted)]
    curves, power, band, nfft = band_curves(u.mix, regs, sr)
    out = []
    for i in cand:
        t = a.session.tracks[i]
        f, g, q = name_bell(curves[i], power[i], band, sr, nfft)
        if abs(g) < TONE_DB:
            continue
        word = "more" if g > 0 else "less"
        region = _region(f)
        out.append(
            Difference(
                "tone",
                [t.id],
                [t.name],
                round(g, 2),
                f"{g:+.1f} dB at {f:.0f} Hz",
                "my EQ",
                freq_hz=round(f, 1),
                q=q,
                hears=f"your {t.name} has {abs(g):.1f} dB {word} around {f:.0f} Hz ({region}) than mine",
                why=_tone_why(f, g, t),
                try_=f"a bell on the {t.name} at {f:.0f} Hz, {(-g):+.1f} dB, Q {q:g}, and compare",
                control=f"{t.name} EQ, bell at {f:.0f} Hz",
                assistant_why=_join(p.decision.reason for p in t.chain if p.decision is not None),
            )
        )
    return out


def _join(reasons: Any) -> str:
    """Several reasons as one line (each without its closing full stop)."""
    return "; ".join(r.rstrip(". ") for r in reasons if r) + "."


def _region(f: float) -> str:
    for hi, name in (
        (120, "sub and low bass"),
        (350, "low mids, body"),
        (1000, "mids"),
        (4000, "upper mids, presence"),
    ):
        if f < hi:
            return name
    return "air and brightness"


def _tone_why(f: float, g: float, t: Track) -> str:
    if 150 <= f < 500:
        return (
            "boosting the low mids thickens a part and clouds the others sharing that range (muddiness)"
            if g > 0
            else "cutting the low mids thins the part; fine when others carry the body"
        )
    if f < 150:
        return (
            "the low end is where parts fight most: bass and kick need that room"
            if g > 0
            else "less low end thins it"
        )
    if f < 4000:
        return "the mids carry presence: more here pushes the part forward and can mask the lead"
    return "the top carries air and edge: too much is harsh, too little dull"


def pan_differences(a: Assistant, u: UserFit) -> list[Difference]:
    """Pans moved by PAN or more; several collapsing toward the centre are one lesson on width."""
    moved = []
    for t, f in zip(a.session.tracks, u.fitted.tracks, strict=True):
        if t.mute or f.mute or abs(f.pan - t.pan) < PAN:
            continue
        moved.append((t, f))
    narrower = [(t, f) for t, f in moved if abs(f.pan) < abs(t.pan)]
    out = []
    if len(narrower) >= 2:
        names = [t.name for t, _ in narrower]
        out.append(
            Difference(
                "width",
                [t.id for t, _ in narrower],
                names,
                round(float(np.mean([abs(t.pan) - abs(f.pan) for t, f in narrower])), 3),
                {t.id: round(f.pan, 3) for t, f in narrower},
                {t.id: round(t.pan, 3) for t, _ in narrower},
                hears=f"{len(narrower)} tracks sit nearer the centre than I put them ({', '.join(names)}): "
                "the mix is narrower",
                why="parts panned together share one place and mask each other; spreading the supporting "
                "parts leaves the centre to the lead, bass, kick and snare",
                try_="; ".join(f"{t.name} to {_pan_txt(t.pan)}" for t, _ in narrower),
                control="the pan knobs of " + ", ".join(names),
                assistant_why=_join(t.decisions["pan"].reason for t, _ in narrower if "pan" in t.decisions),
            )
        )
        moved = [(t, f) for t, f in moved if (t, f) not in narrower]
    for t, f in moved:
        out.append(
            Difference(
                "pan",
                [t.id],
                [t.name],
                round(f.pan - t.pan, 3),
                round(f.pan, 3),
                round(t.pan, 3),
                hears=f"your {t.name} is panned {_pan_txt(f.pan)}; I put it {_pan_txt(t.pan)}",
                why="where a part sits decides what it masks",
                try_=f"pan the {t.name} to {_pan_txt(t.pan)}",
                control=f"{t.name} pan",
                assistant_why=t.decisions["pan"].reason if "pan" in t.decisions else "",
            )
        )
    return out


def polarity_differences(a: Assistant, u: UserFit) -> list[Difference]:
    """Tracks whose polarity the user flipped against the assistant's."""
    out = []
    for t, f in zip(a.session.tracks, u.fitted.tracks, strict=True):
        if t.mute or f.mute or t.polarity_inverted == f.polarity_inverted:
            continue
        out.append(
            Difference(
                "polarity",
                [t.id],
                [t.name],
                0.0,
                f.polarity_inverted,
                t.polarity_inverted,
                hears=f"your {t.name} plays in the opposite polarity to mine",
                why="against the mics it shares sound with, the wrong polarity cancels low end",
                try_=f"flip the {t.name}'s polarity and listen to the low end",
                control=f"{t.name} polarity (ø)",
            )
        )
    return out


def fx_differences(a: Assistant, u: UserFit) -> list[Difference]:
    """FX returns (reverb, delay) the user has louder or quieter than the assistant."""
    out = []
    for b in fx_buses(a.session):
        g = u.fx_gain_db.get(b.id, 0.0)
        if abs(g) < FX_DB:
            continue
        kind = "reverb" if any(p.kind == "reverb" for p in b.chain) else "delay"
        out.append(
            Difference(
                kind,
                [b.id],
                [b.name],
                round(g, 2),
                round(b.fader_db + g, 2),
                round(b.fader_db, 2),
                hears=f"your {kind} return sits {abs(g):.1f} dB {'louder' if g > 0 else 'quieter'} than mine",
                why=(
                    f"more {kind} pushes parts back and blurs their attacks; the lead loses its edge"
                    if g > 0
                    else f"less {kind} brings parts forward and dry; the mix can sound small"
                ),
                try_=f"move the {b.name} return fader {'down' if g > 0 else 'up'} about {abs(g):.0f} dB",
                control=f"{b.name} return fader",
            )
        )
    return out


# --- undoing one difference, and how audible it is -------------------------------------------------


def undo_one(a: Assistant, u: UserFit, d: Difference, offset: float) -> Session:
    """The fitted session with only this difference taken back to the assistant's value."""
    s = copy.deepcopy(u.fitted)
    orig = {t.id: t for t in a.session.tracks}
    if d.kind == "level":
        t = s.track(d.tracks[0])
        t.fader_db = orig[t.id].fader_db + offset
    elif d.kind == "tone":
        t = s.track(d.tracks[0])
        t.chain = [p for p in t.chain if not p.id.startswith("user_eq")]
    elif d.kind in ("pan", "width"):
        for tid in d.tracks:
            s.track(tid).pan = orig[tid].pan
    elif d.kind == "polarity":
        t = s.track(d.tracks[0])
        t.polarity_inverted = orig[t.id].polarity_inverted
    else:
        s.bus(d.tracks[0]).fader_db = a.session.bus(d.tracks[0]).fader_db
    return s


def _lead_ratio_db(r: Any, lead: str | None) -> float:
    if lead is None or lead not in r.track_stems:
        return 0.0
    x = r.track_stems[lead]
    rest = r.pre_master - x
    return float(
        10
        * np.log10(
            max(np.sum(x.astype(np.float64) ** 2), 1e-30) / max(np.sum(rest.astype(np.float64) ** 2), 1e-30)
        )
    )


def rank(
    a: Assistant, u: UserFit, diffs: list[Difference], offset: float, workers: int = 2
) -> list[Difference]:
    """Audibility of each difference (level of what undoing it changes, re the mix), best first."""
    sr = a.session.sample_rate
    base = render(u.fitted, a.audio, workers=workers)
    mk = k_weight(base.mix.astype(np.float64), sr)
    e_mix = max(float(np.sum(mk**2)), 1e-30)
    lead = _lead_id(a.session)
    lr0 = _lead_ratio_db(base, lead)
    for d in diffs:
        r = render(undo_one(a, u, d, offset), a.audio, workers=workers)
        dk = k_weight((r.mix - base.mix).astype(np.float64), sr)
        aud = float(10 * np.log10(max(float(np.sum(dk**2)), 1e-30) / e_mix))
        if abs(_lead_ratio_db(r, lead) - lr0) >= 1.0:
            aud += LEAD_WEIGHT_DB
        d.audibility_db = round(aud, 2)
    return sorted(diffs, key=lambda d: (-d.audibility_db, d.kind, d.names))


# --- the whole verb ------------------------------------------------------------------------------------


def critique_fit(a: Assistant, u: UserFit, mix_path: str, workers: int = 2) -> tuple[Critique, float]:
    """The ranked differences of a fitted user mix (and the common level offset, dB)."""
    levels, offset = level_differences(a, u)
    mono = is_mono(u.mix)
    diffs = (
        levels
        + tone_differences(a, u, workers)
        + ([] if mono else pan_differences(a, u))
        + polarity_differences(a, u)
        + fx_differences(a, u)
    )
    diffs = rank(a, u, diffs, offset, workers)
    c = Critique(mix_path, u.fit.fit_null_db, int(u.fit.offset), diffs)
    c.notes = [f"{n.code}: {n.message}" for n in u.notes]
    if mono:
        c.notes.append(
            "your mix is mono (both channels carry the same signal): pans cannot be heard in it, "
            "so they are not compared"
        )
    if u.fit.fit_null_db < WEAK_FIT_DB:
        c.notes.append(
            f"the fit explains only {u.fit.fit_null_db:.1f} dB of your mix (under {WEAK_FIT_DB:g} dB): a "
            "mastered, heavily processed or different version? treat the differences as uncertain and "
            "check them by ear"
        )
    if abs(offset) >= 0.05:
        c.notes.append(f"your faders sit {offset:+.1f} dB from mine overall; only the balance is compared")
    return c, offset


def is_mono(mix: np.ndarray) -> bool:
    """Whether a (channels, frames) bounce carries one signal on both sides (a mono bounce)."""
    if mix.shape[0] < 2:
        return True
    diff = float(np.sum((mix[0] - mix[1]).astype(np.float64) ** 2))
    total = float(np.sum(mix.astype(np.float64) ** 2)) + 1e-30
    return diff / total < 1e-6  # the sides differ by less than -60 dB


def summary_lines(c: Critique, n: int = 8) -> list[str]:
    """The short terminal summary: the differences ranked, each as a lesson in one line."""
    lines = [f"your mix fits my session to {c.fit_null_db:.1f} dB (how much of it the fit explains)"]
    lines += [f"note: {x}" for x in c.notes if x.startswith(("your mix is mono", "the fit explains only"))]
    if not c.differences:
        lines.append("no difference worth a lesson: your balance, tone, pans and returns are close to mine")
    for k, d in enumerate(c.differences[:n], 1):
        tag = {"lesson": "lesson", "taste": "taste", "difference": "differs"}[d.verdict]
        lines.append(f"{k}. [{tag}] {d.hears}. Reach for: {d.control}.")
    return lines
