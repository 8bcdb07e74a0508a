"""Balance priors learned from real, disclosed songs: how far each kind of part sits from equal
loudness in its author's own mix.

The default balance starts from equal loudness (every track at the same integrated loudness) and
departs only where real mixes say so. A departure is a sum of *terms*. *Sound* terms read what a
track is like beside the other tracks of its song, from level-free measurements (how much of the
song it plays, its crest factor, how bright it is, how K-weighted loudness and plain RMS differ on
it, how much of its spectrum the others cover, ...): real authors put parts that play throughout
above parts that come and go, for instance. Role terms ("synth/pad parts sit +1.4 dB over equal
loudness") and situations (the lead line of an instrumental song) are fitted on what the sound
terms leave. Each term's value is learned by :func:`fit` from training songs and shrunk toward
zero by how consistent the songs are (:func:`shrink.summarise`, James-Stein: one value per song
for a role term; for a sound term, the jackknife pseudo-value of each song in a pooled ridge fit).
A term nobody measured is zero.

On songs never used in training, the sound terms carry the improvement over equal loudness and
the role terms did not add to it (``eval/results/balance_real.md``): roles are named
inconsistently across songs, and a role's level depends on the sound set.

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
#: The most all terms together may move a track (dB).
TOTAL_LIMIT_DB = 6.0
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
#: Ridge penalty of the sound terms, per track of training data, on standardised features (chosen
#: by leave-one-song-out on the development songs only).
RIDGE = 0.01
#: A sound measure further than this many standard deviations from its song's mean counts as this
#: far, in the fit and when applied (winsorised: one odd track, a sound set's quirk, does not set a
#: slope nor ride it; chosen by leave-one-song-out on the development songs only).
WINSOR_SD = 3.0
#: Role and situation terms are fitted on what the sound terms leave; they did not improve the
#: balance on songs left out (see the module note), so the default fit leaves them out, apart from
#: published figures.
ROLE_TERMS = False
#: How a sound term reads when the track has more / less of it than the song's other tracks.
SOUND_WORDS: dict[str, tuple[str, str]] = {
    "sound:plays": ("plays more of the song", "plays less of the song"),
    "sound:crest": ("is peakier (higher crest factor)", "is more even (lower crest factor)"),
    "sound:bright": ("is brighter", "is darker"),
    "sound:kweight": (
        "sits where loudness meters weigh more (K-weighting)",
        "has more low end than loudness meters weigh (K-weighting)",
    ),
    "sound:covered": ("is more covered by the other parts", "is less covered by the other parts"),
    "sound:register": ("plays higher than most parts", "plays lower than most parts"),
    "sound:width": ("is narrower", "is wider"),
    "sound:decay": ("rings longer", "rings shorter"),
    "sound:onsets": ("starts more notes", "starts fewer notes"),
    "sound:melody": ("is the lead line", "is not the lead line"),
    "sound:gated": ("comes and goes more", "is steadier"),
    "sound:range": ("has a wider loudness range", "has a narrower loudness range"),
    "sound:lows": ("has more low end", "has less low end"),
}
#: The sound terms: key -> what it measures, in words (for reasons and the report).
SOUND: dict[str, str] = {
    "sound:plays": "how much of the song it plays (log of its active share)",
    "sound:crest": "its crest factor (peak over RMS, dB)",
    "sound:bright": "its spectral centroid (octaves)",
    "sound:kweight": "how far K-weighted loudness sits above its plain RMS (dB)",
    "sound:covered": "how much of its spectrum the other tracks cover",
    "sound:register": "its register among the song's tracks (rank of its centroid)",
    "sound:width": "its stereo correlation (1 = mono)",
    "sound:decay": "how long its notes ring (log ms)",
    "sound:onsets": "how often it starts notes (log rate)",
    "sound:melody": "being the song's lead line (1) or not (0)",
    "sound:gated": "how far its loudness while playing sits over its loudness overall (LU)",
    "sound:range": "its loudness range (LRA, LU)",
    "sound:lows": "its share of power below 150 Hz",
}


@dataclass(frozen=True)
class TrackFacts:
    """What the learned balance reads about one track: its role and its situation in the song."""

    role: str
    lead: bool  # the song's lead element (``choose_lead``)
    instrumental: bool  # the song has no lead vocal
    sharing: int  # audible tracks with the same role (itself included)
    low_share: float  # share of the active spectrum's power below 150 Hz
    sound: dict[str, float] = field(default_factory=dict)  # sound term -> value less the song's mean

    def terms(self) -> list[tuple[str, float]]:
        """The terms that apply to this track, with their feature value (1 for a yes/no term)."""
        out = [(f"role:{self.role}", 1.0)]
        if self.lead and self.instrumental:
            out.append(("lead:instrumental", 1.0))
        if self.sharing > 1:
            out.append(("sharing:log2", math.log2(self.sharing)))
        out += sorted(self.sound.items())
        return out


def sound_measures(analyses: list[Any]) -> list[dict[str, float]]:
    """The sound terms' raw values for each track of a song (level-free: the same whatever the
    fader), from its analysis and the song's other tracks."""
    from ..analysis.measure import BAND_CENTRES

    log_f = np.log2(BAND_CENTRES)
    shares = []
    for a in analyses:
        p = 10 ** (np.asarray(a.band_db, dtype=float) / 10)
        shares.append(p / max(float(np.sum(p)), 1e-30))
    shares_a = np.array(shares)
    total = shares_a.sum(axis=0)
    centres = shares_a @ log_f
    rank = centres.argsort().argsort()
    out = []
    for i, a in enumerate(analyses):
        others = total - shares_a[i]
        out.append(
            {
                "sound:plays": math.log(max(float(a.active_fraction), 0.02)),
                "sound:crest": float(a.crest_db),
                "sound:bright": float(centres[i]),
                "sound:kweight": float(a.integrated_lufs - a.rms_db),
                "sound:covered": float(np.sum(shares_a[i] * others / (shares_a[i] + others + 1e-12))),
                "sound:register": float(rank[i] / max(len(analyses) - 1, 1) - 0.5),
                "sound:width": float(a.correlation),
                "sound:decay": math.log1p(max(float(a.decay_ms), 0.0)),
                "sound:onsets": math.log1p(max(float(a.onset_rate), 0.0)),
                "sound:gated": float(a.active_lufs - a.integrated_lufs),
                "sound:range": float(a.lra_lu),
                "sound:lows": float(np.sum(shares_a[i][BAND_CENTRES < 150])),
            }
        )
    return out


def track_facts(session: Session, analyses: dict[str, Any], lead_id: str | None) -> dict[str, TrackFacts]:
    """Facts for every audible track (``analyses``: track id -> TrackAnalysis)."""
    tracks = [t for t in session.tracks if not t.mute and not t.analysis.get("unusable")]
    counts: dict[str, int] = defaultdict(int)
    for t in tracks:
        counts[t.role.value] += 1
    instrumental = counts.get("lead_vocal", 0) == 0
    raw = sound_measures([analyses[t.id] for t in tracks]) if tracks else []
    for t, r in zip(tracks, raw, strict=True):
        r["sound:melody"] = 1.0 if t.id == lead_id else 0.0
    means = {k: float(np.mean([r[k] for r in raw])) for k in SOUND} if raw else {}
    out = {}
    for t, r in zip(tracks, raw, strict=True):
        sound = {k: r[k] - means[k] for k in SOUND} if len(tracks) > 1 else {}
        role = t.role.value
        out[t.id] = TrackFacts(role, t.id == lead_id, instrumental, counts[role], r["sound:lows"], sound)
    return out


def term_text(key: str) -> str:
    """A term in words for reasons and the report ("synth/pad parts", "the lead line of an
    instrumental song")."""
    kind, _, what = key.partition(":")
    if key in SOUND:
        return SOUND[key]
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


def _song(record_id: str) -> str:
    """The song a training record comes from: a song printed as groups ("ID~groups") is the same
    song as "ID", counted once."""
    return record_id.split("~", 1)[0]


def _per_song(song: SongRecord, key: str, resid: list[float]) -> float | None:
    """The term's value in one song: least-squares slope of the residuals on its feature."""
    num = den = 0.0
    for (terms, _), r in zip(song.tracks, resid, strict=True):
        for k, x in terms:
            if k == key:
                num += x * r
                den += x * x
    return num / den if den > 0 else None


def _sound_fit(songs: list[SongRecord]) -> dict[str, dict[str, Any]]:
    """The sound terms, fitted together: a ridge regression of each track's loudness in its
    author's mix (less the song's mean) on its standardised sound measures (less the song's
    means); each term's per-song evidence is its jackknife pseudo-value (leave that song out),
    shrunk like any other term. Values are dB per unit of the raw measure."""
    keys = sorted({k for s in songs for terms, _ in s.tracks for k, _ in terms if k in SOUND})
    if not keys or len(songs) < 3:
        return {}
    blocks = []
    for s in songs:
        x = np.array([[dict(terms).get(k, 0.0) for k in keys] for terms, _ in s.tracks], dtype=float)
        y = np.array([v for _, v in s.tracks], dtype=float)
        blocks.append((x - x.mean(axis=0), y - y.mean()))
    scale = np.sqrt(np.mean(np.concatenate([b[0] for b in blocks]) ** 2, axis=0))
    scale[scale == 0] = 1.0

    def solve(parts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        a = np.clip(np.concatenate([b[0] for b in parts]) / scale, -WINSOR_SD, WINSOR_SD)
        y = np.concatenate([b[1] for b in parts])
        return np.linalg.solve(a.T @ a + RIDGE * len(y) * np.eye(len(keys)), a.T @ y)

    n = len(blocks)
    whole = solve(blocks)
    pseudo = np.array([n * whole - (n - 1) * solve(blocks[:i] + blocks[i + 1 :]) for i in range(n)])
    stats = {}
    for j, key in enumerate(keys):
        stat = shrink.summarise(list(pseudo[:, j]), PRIOR_SPREAD_DB, LIMIT_DB, 0.0, PRIOR_WEIGHT)
        stat.update(
            songs=len({_song(s.id) for s in songs}),
            per_unit_of=SOUND[key],
            scale=round(float(scale[j]), 4),
            db_per_sd=stat["value"],
            value=round(stat["value"] / float(scale[j]), 4),
        )
        stats[key] = stat
    return stats


def fit(songs: list[SongRecord], published: bool = True, roles: bool | None = None) -> dict[str, Any]:
    """Learn every term's departure from the songs: the sound terms together (:func:`_sound_fit`),
    then role and situation terms on what they leave (backfitting with a free offset per song,
    since only a song's balance counts, not its overall level). ``published`` adds the published
    stand-ins as pseudo-songs; ``roles`` (default ``ROLE_TERMS``) keeps fitted role terms, else
    only published figures move a role. Returns ``{"terms": {key: summary}, "songs": [...]}``."""
    roles = ROLE_TERMS if roles is None else roles
    stats: dict[str, dict[str, Any]] = _sound_fit(songs)
    keys = sorted({k for s in songs for terms, _ in s.tracks for k, _ in terms if k not in SOUND})
    keys.sort(key=lambda k: (not k.startswith("role:"), k))  # roles first, situations after
    coef = {k: v["value"] for k, v in stats.items()} | dict.fromkeys(keys, 0.0)
    offset = {s.id: float(np.median([v for _, v in s.tracks])) for s in songs}

    def predict(terms: list[tuple[str, float]], skip: str | None = None) -> float:
        return sum(coef.get(k, 0.0) * x for k, x in terms if k != skip)

    for _ in range(PASSES):
        for s in songs:
            offset[s.id] = float(np.median([v - predict(terms) for terms, v in s.tracks]))
        for key in keys:
            values, seen = [], set()
            for s in songs:
                resid = [v - offset[s.id] - predict(terms, key) for terms, v in s.tracks]
                v = _per_song(s, key, resid)
                if v is not None:
                    values.append(v)
                    seen.add(_song(s.id))
            extra = []
            if published and key in PUBLISHED:
                extra = [PUBLISHED[key][0]] * PUBLISHED_WEIGHT
            stat = shrink.summarise(values + extra, PRIOR_SPREAD_DB, LIMIT_DB, 0.0, PRIOR_WEIGHT, robust=True)
            stat["songs"] = len(seen)
            if extra:
                v, src = PUBLISHED[key]
                stat["published"] = {"value": v, "weight": PUBLISHED_WEIGHT, "source": src}
            elif not roles:
                stat["fitted"], stat["value"] = stat["value"], 0.0
            stats[key] = stat
            coef[key] = stat["value"]
    for key in PUBLISHED:  # a published figure with no song behind it still stands in
        if published and key not in stats:
            v, src = PUBLISHED[key]
            stat = shrink.summarise([v] * PUBLISHED_WEIGHT, PRIOR_SPREAD_DB, LIMIT_DB, 0.0, PRIOR_WEIGHT)
            stat.update(songs=0, published={"value": v, "weight": PUBLISHED_WEIGHT, "source": src})
            stats[key] = stat
    # how far single tracks of a role sit from the fitted level in real mixes (pooled with the prior)
    resid: dict[str, list[float]] = defaultdict(list)
    for s in songs:
        offset[s.id] = float(np.median([v - predict(terms) for terms, v in s.tracks]))
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
            "song's offset. Sound terms: one ridge regression on the standardised level-free "
            f"measures, less each song's mean, winsorised at {WINSOR_SD:g} sd (penalty {RIDGE:g} per "
            "track), each song's jackknife "
            "pseudo-value as its evidence. Role and situation terms: each term's value per song by "
            f"least squares on what the others leave (backfitted {PASSES} passes), across songs "
            "their median"
            + ("" if roles else "; kept only where a published figure stands in (see the module)")
            + f". Every term shrunk toward 0 (James-Stein, prior spread {PRIOR_SPREAD_DB:g} dB worth "
            f"{PRIOR_WEIGHT:g} songs, at most {LIMIT_DB:g} dB per term)."
        ),
        "terms": {k: stats[k] for k in sorted(stats)},
        "songs": [{"id": s.id, **s.info} for s in songs if _song(s.id) == s.id],
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


def departure(priors: dict[str, Any], facts: TrackFacts | list[tuple[str, float]]) -> Departure:
    """Sum of the learned terms that apply to a track (terms with no value contribute nothing),
    each at most ``LIMIT_DB`` and all together at most ``TOTAL_LIMIT_DB`` either way (a track many
    standard deviations from its song's mean on one measure is not moved in proportion).
    ``facts``: the track's facts, or their terms."""
    parts = []
    for key, x in facts.terms() if isinstance(facts, TrackFacts) else facts:
        stat = priors["terms"].get(key)
        if stat is None or stat["value"] == 0:
            continue
        if "scale" in stat:  # a sound measure: as far out as the fit read it, no further
            x = float(np.clip(x, -WINSOR_SD * stat["scale"], WINSOR_SD * stat["scale"]))
        db = round(float(np.clip(stat["value"] * x, -LIMIT_DB, LIMIT_DB)), 2)  # no one term moves it further
        if db == 0:
            continue
        part = {"term": key, "what": stat["what"], "db": db, "songs": stat["songs"]}
        if key in SOUND_WORDS:
            part["what"] = SOUND_WORDS[key][0 if x > 0 else 1]
        if "published" in stat:
            part["published"] = stat["published"]["source"]
        parts.append(part)
    total = float(np.clip(sum(p["db"] for p in parts), -TOTAL_LIMIT_DB, TOTAL_LIMIT_DB))
    return Departure(round(total, 2), parts)


def track_spread(priors: dict[str, Any], role: str) -> float:
    """How far single tracks of a role sit from the learned level in real mixes (dB, one sd)."""
    stat = priors.get("terms", {}).get(f"role:{role}") or {}
    return float(stat.get("track_spread_db", PRIOR_SPREAD_DB))


def explain(dep: Departure, least_db: float = 0.5) -> str:
    """The departure in words: which learned terms moved the track (those of ``least_db`` or
    more) and on how many songs."""
    if not dep.parts:
        return "no learned departure applies, so it sits at equal loudness"
    bits = []
    for p in sorted(dep.parts, key=lambda p: -abs(p["db"])):
        if abs(p["db"]) < least_db:
            continue
        rest = f"{p['songs']} training song{'s' if p['songs'] != 1 else ''}"
        if "published" in p:
            rest += " and a published figure"
        what = f"as it {p['what']}" if p["term"] in SOUND_WORDS else f"for {p['what']}"
        bits.append(f"{p['db']:+.1f} dB {what} ({rest})")
    return "; ".join(bits) if bits else "only small learned departures (under 0.5 dB each)"


def term_size(term: dict[str, Any]) -> float:
    """How much a term of ``provenance()["terms"]`` moves tracks, to list the largest first: a
    sound term's dB per standard deviation of its measure, a role term's dB."""
    return abs(term["db_per_sd"]) if term.get("db_per_sd") is not None else abs(term["value_db"])


def provenance(priors: dict[str, Any]) -> dict[str, Any]:
    """What the priors rest on, for ``session.provenance``: every song and published figure."""
    published = sorted({v["published"]["source"] for v in priors["terms"].values() if "published" in v})
    return {
        "what": "balance departures from equal loudness, learned from real songs",
        "method": priors.get("method", ""),
        "songs": priors.get("songs", []),
        "published": published,
        "terms": {
            k: {"value_db": v["value"], "songs": v["songs"]}
            | ({"per_unit_of": SOUND[k], "db_per_sd": v.get("db_per_sd")} if k in SOUND else {})
            for k, v in priors["terms"].items()
        },
    }
