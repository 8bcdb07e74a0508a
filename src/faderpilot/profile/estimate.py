"""How the user mixed one past song, as departures from what faderpilot would have done.

For a song folder (:mod:`faderpilot.profile.songs`): prep the stems and let the rules decide, as
``mix`` would (the *default*). Then measure the user's version and the default the same way, so
that what the measurement gets wrong cancels in the difference:

- **final mix**: the rough-mix matcher (:func:`faderpilot.match.rough.fit_rough`, not a second
  fitter) fits the user's mix and the render of the default to the stems: per track a gain, pan
  and tonal curve. Departures: gain (dB, with the song's median departure removed, since overall
  level is not balance), ``|pan|`` (positive = wider), tilt (dB of treble over bass in the fitted
  curve). Song-wide: reverb (the part of each mix the dry stems do not explain, in dB: more =
  wetter), compression (the loudness range of 400 ms blocks, 10th to 95th percentile as in EBU
  Tech 3342: less = more compressed), and the final mix's integrated loudness.
- **REAPER session**: exact per-track levels and pans (:mod:`faderpilot.profile.reaper`), compared
  with the default's trim + fader (+ group bus fader) and pan. When a song has both, levels and
  pans come from the session and the rest from the mix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..analysis.loudness import block_power, integrated_loudness, k_weight, loudness_range, power_to_lufs
from ..audio.io import AudioReadError, sha256_file
from ..decide import context, decide
from ..match.rough import RELIABLE_GAIN_DB, RELIABLE_PAN, RoughError, align, fit_rough, predict
from ..match.session import load_rough, rough_bandwidth, track_inputs
from ..messages import FaderpilotError, message
from ..prep.pipeline import prep
from ..render.engine import render
from ..render.filters import response_db
from ..session.model import Session, Skipped
from .reaper import DawTrack, read_rpp
from .songs import PastSong, fingerprint

#: Frequencies whose mean response difference is a curve's tilt: treble minus bass (Hz).
TILT_BASS = np.geomspace(100.0, 500.0, 12)
TILT_TREBLE = np.geomspace(2000.0, 8000.0, 12)
#: A final mix must be explained at least this well (dB of residual under it). Lower than a rough's
#: 6 dB: a finished mix carries bus and master processing a rough does not (faderpilot's own
#: default of a 24-track song explains 5.4 dB), while another song explains under 1 dB.
MIN_EXPLAINED_DB = 3.0
#: A departure must exceed this many of the fits' own spreads (jackknife sd) to be learned.
SUPPORT_SDS = 2.0
#: Fewest stems a DAW session must play for its levels to say anything about balance.
MIN_MAPPED = 2


class SongSkipped(Exception):
    """A past song that cannot be learned from; carries the report line."""

    def __init__(self, skipped: Skipped):
        super().__init__(f"{skipped.path}: {skipped.message} [{skipped.code}]")
        self.skipped = skipped


@dataclass
class TrackDeparture:
    """How the user's version of one track departs from the default (None = not measurable)."""

    name: str
    role: str
    level_db: float | None = None
    pan: float | None = None  # change of |pan|: positive = further from the centre
    tilt_db: float | None = None


@dataclass
class SongEstimate:
    """Everything learned from one past song, with the files it came from."""

    folder: str
    name: str
    learned_from: list[str]
    files: list[dict[str, str]]
    tracks: list[TrackDeparture]
    reverb_db: float | None = None
    compression_lu: float | None = None
    master_lufs: float | None = None
    fit_null_db: float | None = None
    notes: list[Skipped] = field(default_factory=list)


def curve_tilt_db(eq: list[tuple[str, dict[str, float]]], sr: int) -> float:
    """Treble minus bass (dB) of a tonal curve made of filter processors (kind, params)."""
    if not eq:
        return 0.0
    lo = sum(response_db(k, p, TILT_BASS, sr) for k, p in eq)
    hi = sum(response_db(k, p, TILT_TREBLE, sr) for k, p in eq)
    return float(np.mean(hi) - np.mean(lo))


def dynamics_lu(x: np.ndarray, sr: int) -> float:
    """Loudness range (LU) of 400 ms blocks: how far a mix's loudness moves from moment to moment.

    EBU Tech 3342's statistic on momentary instead of 3 s blocks, so songs of seconds still have
    enough values and compression on single hits shows."""
    return loudness_range(np.asarray(power_to_lufs(block_power(k_weight(x, sr), sr, 0.4, 0.1))))


def default_session(song: PastSong, workers: int) -> tuple[Session, dict[str, np.ndarray]]:
    """What ``mix`` would decide for the song's stems (no files written) and their audio: the same
    stages, prep then the rules, with the committed balance priors."""
    try:
        p = prep(song.stems_dir, None, workers=workers, exclude=song.exclude)
    except FaderpilotError as e:
        raise SongSkipped(Skipped(str(song.folder), "FP-W033", message("FP-W033", "the stems", e))) from None
    decide(p.session, context(p.session, p.analyses))
    return p.session, p.audio


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", re.sub(r"^\d+[ _-]+", "", s.lower()))


def map_daw_tracks(session: Session, daw: list[DawTrack], path: Path) -> dict[str, DawTrack]:
    """Session track id -> the REAPER track that plays its stem: by file path, by SHA-256, then
    by name. A referenced file that does not exist and matches no stem by name is an error."""
    by_path = {str(Path(s.path).resolve()): s.id for s in session.sources}
    by_hash = {s.sha256: s.id for s in session.sources}
    by_name: dict[str, str] = {}
    for s in session.sources:
        by_name.setdefault(_norm(Path(s.path).stem), s.id)
    for t in session.tracks:
        by_name.setdefault(_norm(t.name), t.source_id)
    track_of = {t.source_id: t.id for t in session.tracks}
    out: dict[str, DawTrack] = {}
    for d in daw:
        sid = None
        for f in d.files:
            sid = by_path.get(str(f)) or (by_hash.get(sha256_file(f)) if f.is_file() else None)
            sid = sid or by_name.get(_norm(f.stem))
            if sid is None and not f.is_file():
                why = message("FP-W033", f, f"referenced by {path.name}, not found")
                raise SongSkipped(Skipped(str(path.parent), "FP-W033", why))
            if sid:
                break
        sid = sid or by_name.get(_norm(d.name))
        if sid is not None and sid in track_of and not d.mute:
            out.setdefault(track_of[sid], d)
    if len(out) < MIN_MAPPED:
        why = message("FP-W034", path.name, len(out))
        raise SongSkipped(Skipped(str(path.parent), "FP-W034", why))
    return out


def _paired_se(a: list[float], b: list[float]) -> float:
    """Jackknife standard error of a - b over the leave-outs both count (0 when under 3)."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float) if len(a) == len(b) else np.array([])
    d = d[np.isfinite(d)]
    if len(d) < 3:
        return 0.0
    q = len(d)
    return float(np.sqrt((q - 1) / q * np.sum((d - d.mean()) ** 2)))


def _median_removed(values: dict[str, float]) -> dict[str, float]:
    if not values:
        return {}
    med = float(np.median(list(values.values())))
    return {k: v - med for k, v in values.items()}


def _from_mix(
    est: SongEstimate,
    session: Session,
    audio: dict[str, np.ndarray],
    user: np.ndarray,
    mix_name: str,
    bandwidth: float | None,
    workers: int,
    tracks: dict[str, TrackDeparture],
    levels: dict[str, float],
) -> None:
    """Fill in what a final mix shows. The regressors are the dry stems plus the default's FX
    returns, so the returns' fitted gains measure how wet the user mixes."""
    sr = session.sample_rate
    rendered = render(session, audio, workers=workers)
    stems = track_inputs(session, audio)
    fx = [b.id for b in session.buses if b.kind == "fx"]
    regs = stems + [rendered.bus_stems[b] for b in fx]
    # one timeline: a final mix is rendered from its own session, and the FX returns are delayed
    # copies of the stems, so no track may take an offset of its own
    try:
        fu = fit_rough(
            user, regs, sr, bandwidth_hz=bandwidth, min_explained_db=MIN_EXPLAINED_DB, track_lag_s=0.0
        )
    except RoughError as e:
        why = message("FP-W032", mix_name, e.explained_db or 0.0)
        raise SongSkipped(Skipped(est.folder, "FP-W032", why)) from None
    fd = fit_rough(rendered.mix, regs, sr, min_explained_db=0.0, track_lag_s=0.0)
    n = len(stems)
    spread: dict[str, float] = {}
    unsupported: list[str] = []
    for t, mu, md in zip(session.tracks, fu.tracks[:n], fd.tracks[:n], strict=True):
        if t.id not in tracks or mu.muted or md.muted:
            continue
        # the departure's own spread: both fits leave out the same stretches, so what trades a
        # track off against the FX returns in both cancels in the difference
        gse = _paired_se(mu.gain_jk, md.gain_jk)
        pse = _paired_se(mu.pan_jk, md.pan_jk)
        if gse > RELIABLE_GAIN_DB or pse > RELIABLE_PAN:
            unsupported.append(t.name)  # the fits do not pin this departure down: nothing learned
            continue
        levels[t.id] = mu.gain_db - md.gain_db
        spread[t.id] = gse
        if not fu.mono_rough:
            pan = abs(mu.pan) - abs(md.pan)
            tracks[t.id].pan = pan if abs(pan) > SUPPORT_SDS * pse else 0.0
        tracks[t.id].tilt_db = curve_tilt_db(mu.eq, sr) - curve_tilt_db(md.eq, sr)
    med = float(np.median(list(levels.values()))) if levels else 0.0
    small = []
    for tid, v in levels.items():  # a level departure within the fit's own spread is no departure
        if abs(v - med) <= SUPPORT_SDS * spread[tid]:
            levels[tid] = med
            small.append(tracks[tid].name)
    for names, because in (
        (unsupported, "the fit trades these tracks off against others"),
        (small, "level departures within twice the fit's own spread"),
    ):
        if names:
            why = message("FP-W054", len(names), ", ".join(names), because)
            est.notes.append(Skipped(est.folder, "FP-W054", why))
    wet = []
    for b, mu, md in zip(fx, fu.tracks[n:], fd.tracks[n:], strict=True):
        if mu.muted or md.muted:
            continue
        # sends are post-fader: a return also moves with the levels of the tracks feeding it, so
        # that part (their level departures weighted by what each puts into the bus) comes off
        w = {
            t.id: float(np.sum(rendered.track_stems[t.id].astype(np.float64) ** 2)) * 10 ** (s.level_db / 10)
            for t in session.tracks
            for s in t.sends
            if s.bus == b and t.id in levels and t.id in rendered.track_stems
        }
        total = sum(w.values())
        if total <= 0:
            continue
        fed = 10 * np.log10(sum(v * 10 ** ((levels[k] - med) / 10) for k, v in w.items()) / total)
        wet.append(mu.gain_db - md.gain_db - med - float(fed))
    est.reverb_db = float(np.mean(wet)) if wet else None
    # what dynamics processing adds beyond a static balance: each mix against the fit's own
    # linear prediction of it (same balance, EQ and returns, no compression)
    frames = rendered.mix.shape[1]
    user = user if user.shape[0] == 2 else np.vstack([user, user])
    placed = align(user, fu.offset, frames)
    est.compression_lu = (dynamics_lu(placed, sr) - dynamics_lu(predict(fu, regs, sr), sr)) - (
        dynamics_lu(rendered.mix, sr) - dynamics_lu(predict(fd, regs, sr), sr)
    )
    est.master_lufs = integrated_loudness(user, sr)
    est.fit_null_db = fu.fit_null_db


def estimate_song(song: PastSong, workers: int = 2) -> SongEstimate:
    """Measure how the user's version of a past song departs from the default.

    Raises :class:`SongSkipped` naming the folder and the problem when it cannot be learned from."""
    session, audio = default_session(song, workers)
    sr = session.sample_rate
    tracks = {t.id: TrackDeparture(t.name, t.role.value) for t in session.tracks if not t.mute}
    est = SongEstimate(
        folder=str(song.folder),
        name=song.folder.name,
        learned_from=[],
        files=fingerprint(song, [(s.path, s.sha256) for s in session.sources]),
        tracks=[],
    )
    levels: dict[str, float] = {}
    if song.mix is not None:
        try:
            user, notes = load_rough(song.mix, sr)
        except (AudioReadError, RoughError) as e:
            text = getattr(e, "text", str(e))
            why = message("FP-W033", song.mix.name, text)
            raise SongSkipped(Skipped(str(song.folder), "FP-W033", why)) from None
        est.notes.extend(notes)
        _from_mix(
            est, session, audio, user, song.mix.name, rough_bandwidth(notes, sr), workers, tracks, levels
        )
        est.learned_from.append(f"final mix {song.mix.name}")
    if song.daw is not None:
        try:
            daw = read_rpp(song.daw)
        except (OSError, ValueError) as e:
            why = message("FP-W033", song.daw.name, e)
            raise SongSkipped(Skipped(str(song.folder), "FP-W033", why)) from None
        mapped = map_daw_tracks(session, daw, song.daw)
        buses = {b.id: b for b in session.buses}
        levels = {}
        for t in session.tracks:
            d = mapped.get(t.id)
            if d is None or t.id not in tracks:
                continue
            bus = buses.get(t.output)
            default_db = (
                t.trim_db + t.fader_db + (bus.fader_db if bus is not None and bus.kind == "group" else 0.0)
            )
            levels[t.id] = d.gain_db - default_db
            tracks[t.id].pan = abs(d.pan) - abs(t.pan)
        est.learned_from.append(f"REAPER session {song.daw.name}")
    for tid, v in _median_removed(levels).items():
        tracks[tid].level_db = v
    est.tracks = [d for d in tracks.values() if d.level_db is not None or d.tilt_db is not None]
    return est
