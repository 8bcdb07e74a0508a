"""Balance priors learned from real, disclosed songs: how far each kind of part sits from equal
loudness in its author's own mix.

The default balance starts from equal loudness (every track at the same integrated loudness) and
departs only where real mixes say so. A departure is a sum of *terms*: one per role ("synth/pad
parts sit +1.4 dB over equal loudness"), plus situations the data can speak to (the lead line of
an instrumental song, a part that shares its role with others). Each term's value is learned by
:func:`fit` from training songs, one value per song, and shrunk toward zero by how consistent the
songs are (:func:`shrink.summarise`, James-Stein). A term nobody measured is zero.

Where the training set has too few examples of a role, a published figure may stand in, weighted
like ``PUBLISHED_WEIGHT`` songs (never as a fixed rule): the lead vocal about +1 dB over the
accompanying parts (Gerdes & Siedenburg, "Lead-vocal level in recordings of popular music
1946-2020", JASA Express Letters 3, 043201 (2023), lead-to-accompaniment ratio about +1 dB).
Their ratio is against the whole accompaniment; we read it against the accompanying *stems*
because stems are the unit we balance, and printed stems of real recordings sit within about
1 dB of equal loudness with the vocal included (issue 13's check), which the whole-accompaniment
reading (+5 to +7 dB over each stem) contradicts.

The committed priors (``balance_priors.json``) are built by ``eval/balance_real.py --write`` from
the songs listed in them, with package, file, licence and SHA-256 for each.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from ..session.model import Session
from ..session.roles import ROLE_LABELS
from . import shrink

FORMAT = "faderpilot-balance-priors"
VERSION = 1
PRIORS_PATH = Path(__file__).with_name("balance_priors.json")
#: Per-song spread (dB) of a term before any song is seen, and how many songs' weight it has.
PRIOR_SPREAD_DB = 5.0
PRIOR_WEIGHT = 2.0
#: The most any one term may move a track (dB): a category's level also depends on the sound set
#: (FluidR3's synth patches sit about 8 dB over its other programs), which a mix of other sounds
#: does not share, so no single learned term moves a part further than this.
LIMIT_DB = 6.0
#: Published figures standing in where the data is thin: term -> (value dB, citation).
PUBLISHED: dict[str, tuple[float, str]] = {
    "role:lead_vocal": (
        1.0,
        "Gerdes & Siedenburg, Lead-vocal level in recordings of popular music 1946-2020, "
        "JASA Express Letters 3, 043201 (2023): lead about +1 dB over the accompaniment",
    ),
}
#: How many songs' weight a published figure has.
PUBLISHED_WEIGHT = 3
#: Backfitting passes over the terms (each term's value given the others').
PASSES = 4


@dataclass(frozen=True)
class TrackFacts:
    """What the learned balance reads about one track: its role and its situation in the song."""

    role: str
    lead: bool  # the song's lead element (``choose_lead``)
    instrumental: bool  # the song has no lead vocal
    sharing: int  # audible tracks with the same role (itself included)
    low_share: float  # share of the active spectrum's power below 150 Hz

    def terms(self) -> list[tuple[str, float]]:
        """The terms that apply to this track, with their feature value (1 for a yes/no term)."""
        out = [(f"role:{self.role}", 1.0)]
        if self.lead and self.instrumental:
            out.append(("lead:instrumental", 1.0))
        if self.sharing > 1:
            out.append(("sharing:log2", math.log2(self.sharing)))
        return out


def track_facts(session: Session, analyses: dict[str, Any], lead_id: str | None) -> dict[str, TrackFacts]:
    """Facts for every audible track (``analyses``: track id -> TrackAnalysis)."""
    from ..analysis.measure import BAND_CENTRES

    tracks = [t for t in session.tracks if not t.mute and not t.analysis.get("unusable")]
    counts: dict[str, int] = defaultdict(int)
    for t in tracks:
        counts[t.role.value] += 1
    instrumental = counts.get("lead_vocal", 0) == 0
    low = BAND_CENTRES < 150
    out = {}
    for t in tracks:
        p = 10 ** (np.asarray(analyses[t.id].band_db, dtype=float) / 10)
        share = float(np.sum(p[low]) / max(np.sum(p), 1e-30))
        out[t.id] = TrackFacts(t.role.value, t.id == lead_id, instrumental, counts[t.role.value], share)
    return out


def term_text(key: str) -> str:
    """A term in words for reasons and the report ("synth/pad parts", "the lead line of an
    instrumental song")."""
    kind, _, what = key.partition(":")
    if kind == "role":
        word = ROLE_LABELS.get(what, what).lower()
        return f"{word} parts" if not word.endswith("s") else word
    return {
        "lead:instrumental": "the lead line of an instrumental song",
        "sharing:log2": "each doubling of parts sharing a role",
    }.get(key, key)


# --------------------------------------------------------------------------------------------
# Fitting (pure: per-song records in, priors out)
# --------------------------------------------------------------------------------------------


@dataclass
class SongRecord:
    """One training song: per track, its terms and its loudness (LUFS) in the author's mix."""

    id: str
    tracks: list[tuple[list[tuple[str, float]], float]]  # (terms, lufs in the author's mix)
    info: dict[str, Any] = field(default_factory=dict)


def _per_song(song: SongRecord, key: str, resid: list[float]) -> float | None:
    """The term's value in one song: least-squares slope of the residuals on its feature."""
    num = den = 0.0
    for (terms, _), r in zip(song.tracks, resid, strict=True):
        for k, x in terms:
            if k == key:
                num += x * r
                den += x * x
    return num / den if den > 0 else None


def fit(songs: list[SongRecord], published: bool = True) -> dict[str, Any]:
    """Learn every term's departure from the songs (backfitting with a free offset per song,
    since only a song's balance counts, not its overall level). ``published`` adds the published
    stand-ins as pseudo-songs. Returns ``{"terms": {key: summary}, "songs": [...]}``."""
    keys = sorted({k for s in songs for terms, _ in s.tracks for k, _ in terms})
    keys.sort(key=lambda k: (not k.startswith("role:"), k))  # roles first, situations after
    coef = dict.fromkeys(keys, 0.0)
    stats: dict[str, dict[str, Any]] = {}
    offset = {s.id: float(np.median([v for _, v in s.tracks])) for s in songs}

    def predict(terms: list[tuple[str, float]], skip: str | None = None) -> float:
        return sum(coef.get(k, 0.0) * x for k, x in terms if k != skip)

    for _ in range(PASSES):
        for key in keys:
            values = []
            for s in songs:
                resid = [v - offset[s.id] - predict(terms, key) for terms, v in s.tracks]
                v = _per_song(s, key, resid)
                if v is not None:
                    values.append(v)
            extra = []
            if published and key in PUBLISHED:
                extra = [PUBLISHED[key][0]] * PUBLISHED_WEIGHT
            stat = shrink.summarise(values + extra, PRIOR_SPREAD_DB, LIMIT_DB, 0.0, PRIOR_WEIGHT, robust=True)
            stat["songs"] = len(values)
            if extra:
                v, src = PUBLISHED[key]
                stat["published"] = {"value": v, "weight": PUBLISHED_WEIGHT, "source": src}
            stats[key] = stat
            coef[key] = stat["value"]
        for s in songs:
            offset[s.id] = float(np.median([v - predict(terms) for terms, v in s.tracks]))
    for key in PUBLISHED:  # a published figure with no song behind it still stands in
        if published and key not in stats:
            v, src = PUBLISHED[key]
            stat = shrink.summarise([v] * PUBLISHED_WEIGHT, PRIOR_SPREAD_DB, LIMIT_DB, 0.0, PRIOR_WEIGHT)
            stat.update(songs=0, published={"value": v, "weight": PUBLISHED_WEIGHT, "source": src})
            stats[key] = stat
    # how far single tracks of a role sit from the fitted level in real mixes (pooled with the prior)
    resid: dict[str, list[float]] = defaultdict(list)
    for s in songs:
        for terms, v in s.tracks:
            resid[terms[0][0]].append(v - offset[s.id] - predict(terms))
    for key, r in resid.items():
        ss = float(np.sum(np.square(r))) + PRIOR_WEIGHT * PRIOR_SPREAD_DB**2
        stats[key]["track_spread_db"] = round(math.sqrt(ss / (len(r) + PRIOR_WEIGHT)), 2)
    for key, stat in stats.items():
        stat["what"] = term_text(key)
        del stat["values"]  # per-song values live with the songs, not repeated per term
    return {
        "format": FORMAT,
        "version": VERSION,
        "method": (
            "Per song: each track's integrated loudness (BS.1770) in the author's mix, less the "
            "song's offset; each term's value per song by least squares on the residual (backfitted "
            f"{PASSES} passes); across songs their median, shrunk toward 0 (James-Stein, prior spread "
            f"{PRIOR_SPREAD_DB:g} dB worth {PRIOR_WEIGHT:g} songs, at most {LIMIT_DB:g} dB)."
        ),
        "terms": {k: stats[k] for k in sorted(stats)},
        "songs": [{"id": s.id, **s.info} for s in songs],
    }


# --------------------------------------------------------------------------------------------
# Using the priors
# --------------------------------------------------------------------------------------------


@cache
def _load_default() -> dict[str, Any]:
    return json.loads(PRIORS_PATH.read_text())


def load(path: str | Path | None = None) -> dict[str, Any]:
    """The committed priors, or those in ``path`` (a file written by ``fit``)."""
    if path is None:
        return _load_default()
    d = json.loads(Path(path).read_text())
    if d.get("format") != FORMAT:
        raise ValueError(f"{path}: not a faderpilot balance-priors file")
    return d


@dataclass(frozen=True)
class Departure:
    """A track's learned departure from equal loudness and the terms it is made of."""

    db: float
    parts: list[dict[str, Any]]  # {"term", "what", "db", "songs", "published"?}


def departure(priors: dict[str, Any], facts: TrackFacts) -> Departure:
    """Sum of the learned terms that apply to a track (terms with no value contribute nothing)."""
    parts = []
    for key, x in facts.terms():
        stat = priors["terms"].get(key)
        if stat is None or stat["value"] == 0:
            continue
        part = {"term": key, "what": stat["what"], "db": round(stat["value"] * x, 2), "songs": stat["songs"]}
        if "published" in stat:
            part["published"] = stat["published"]["source"]
        parts.append(part)
    return Departure(round(sum(p["db"] for p in parts), 2), parts)


def track_spread(priors: dict[str, Any], role: str) -> float:
    """How far single tracks of a role sit from the learned level in real mixes (dB, one sd)."""
    stat = priors.get("terms", {}).get(f"role:{role}") or {}
    return float(stat.get("track_spread_db", PRIOR_SPREAD_DB))


def explain(dep: Departure) -> str:
    """The departure in words: which learned terms moved the track and on how many songs."""
    if not dep.parts:
        return "no learned departure applies, so it sits at equal loudness"
    bits = []
    for p in dep.parts:
        rest = f"{p['songs']} training song{'s' if p['songs'] != 1 else ''}"
        if "published" in p:
            rest += " and a published figure"
        bits.append(f"{p['db']:+.1f} dB for {p['what']} ({rest})")
    return "; ".join(bits)


def provenance(priors: dict[str, Any]) -> dict[str, Any]:
    """What the priors rest on, for ``session.provenance``: every song and published figure."""
    published = sorted({v["published"]["source"] for v in priors["terms"].values() if "published" in v})
    return {
        "what": "balance departures from equal loudness, learned from real songs",
        "method": priors.get("method", ""),
        "songs": priors.get("songs", []),
        "published": published,
        "terms": {k: {"value_db": v["value"], "songs": v["songs"]} for k, v in priors["terms"].items()},
    }
