"""The render plan: what every view of a session needs that is derived from it, built once.

The renderer, ``rerender``, every DAW exporter, the report and the console read the plan instead
of re-deriving facts from the session: where each region sounds in samples (after the track's
delay, cut at the session start and end, as the renderer plays it), each strip's gain structure
(with the master headroom the mix was printed with), which track is the lead and which decision
says so, each track's loudness change from its EQ, and where each printed stem is written.
Pure: no audio is read, nothing is decided (the lead is read from the balance's decisions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..analysis.loudness import spectrum_loudness_change_db
from ..audio.io import safe_filename
from ..session.model import Bus, Session, Track
from .filters import FILTER_KINDS, chain_band_response_db


@dataclass(frozen=True)
class Clip:
    """One region as it sounds on the timeline, in samples at the session rate.

    ``start``/``offset``/``length``: where the audible part begins on the timeline, where it reads
    the (aligned) source, how long it plays. The region's fades (``fade_in``/``fade_out``) are
    counted over the whole region; ``head_cut``/``tail_cut`` say how much of it a delay pushed
    before the session start or past its end, so the audible part may start or end mid-fade.
    """

    start: int
    offset: int
    length: int
    fade_in: int = 0
    fade_out: int = 0
    head_cut: int = 0
    tail_cut: int = 0

    @property
    def region_length(self) -> int:
        """Samples of the whole region, before any cut at the session edges."""
        return self.head_cut + self.length + self.tail_cut

    def audible_fades(self) -> tuple[int, int]:
        """(fade-in, fade-out) samples that remain inside the audible part, for hosts whose fades
        always run from silence: a fade cut at an edge is shortened to what is left of it."""
        fi = min(max(self.fade_in - self.head_cut, 0), self.length)
        fo = min(max(self.fade_out - self.tail_cut, 0), self.length)
        return fi, fo

    def seconds(self, sr: int) -> tuple[float, float, float, float, float]:
        """(position, length, source offset, fade-in, fade-out) in seconds, for hosts that place
        clips in time rather than samples."""
        fi, fo = self.audible_fades()
        return self.start / sr, self.length / sr, self.offset / sr, fi / sr, fo / sr


def clips(track: Track, sr: int, frames: int) -> tuple[Clip, ...]:
    """The track's regions as they sound (see :class:`Clip`): each region read from the source
    at its offset (at most to the source's end), moved by the track's delay in whole samples, and
    cut where it leaves the session. No regions: the whole source."""
    delay = int(round(track.delay_ms * sr / 1000.0))
    spans: list[tuple[int, int, int, int, int]] = []
    if not track.regions:
        spans.append((0, 0, frames, 0, 0))
    for r in track.regions:
        start = int(round(r.start_s * sr))
        end = min(int(round(r.end_s * sr)), frames)
        off = int(round(r.source_offset_s * sr))
        n = min(end - start, frames - off)
        if n <= 0:
            continue
        fi = min(int(r.fade_in_ms * sr / 1000), n)
        fo = min(int(r.fade_out_ms * sr / 1000), n)
        spans.append((start, off, n, fi, fo))
    out: list[Clip] = []
    for start, off, n, fi, fo in spans:
        pos = start + delay
        head = max(0, -pos)
        tail = max(0, pos + n - frames)
        if head + tail >= n:
            continue  # the delay moved the whole region out of the session
        out.append(Clip(pos + head, off + head, n - head - tail, fi, fo, head, tail))
    return tuple(out)


@dataclass(frozen=True)
class Lead:
    """The track the balance set the others against, and the decision that says so."""

    track_id: str
    rule: str
    #: the track whose fader decision names the lead (its ``refs["lead"]``)
    named_by: str


@dataclass(frozen=True)
class StripPlan:
    """One strip (track or bus) as the views show and play it."""

    id: str
    name: str
    kind: str  # "track" | "group" | "fx" | "master"
    #: the printed stem, relative to the output folder (None for the master: that is mix.wav)
    stem: str | None
    audible: bool
    output: str | None
    trim_db: float = 0.0
    fader_db: float = 0.0
    pan: float = 0.0
    width: float = 1.0
    polarity_inverted: bool = False
    sends: tuple[tuple[str, float], ...] = ()
    clips: tuple[Clip, ...] = ()
    #: K-weighted loudness change of the strip's EQ on its measured spectrum (tracks only)
    eq_change_db: float = 0.0


@dataclass(frozen=True)
class Plan:
    """Everything derived from a session that more than one view reads."""

    sample_rate: int
    frames: int
    strips: tuple[StripPlan, ...]
    lead: Lead | None
    #: the master fader the mix was printed with (the headroom decision's value, or the user's)
    master_gain_db: float
    _by_id: dict[str, StripPlan] = field(default_factory=dict, repr=False, compare=False)

    def strip(self, strip_id: str) -> StripPlan:
        """The strip with this id (KeyError naming it when absent)."""
        if not self._by_id:
            self._by_id.update({s.id: s for s in self.strips})
        try:
            return self._by_id[strip_id]
        except KeyError:
            raise KeyError(f"plan has no strip {strip_id!r}") from None

    def stem_paths(self, out_dir: str | Path) -> dict[str, Path]:
        """Where the printed stems are: strip id -> path under ``out_dir``."""
        return {s.id: Path(out_dir) / s.stem for s in self.strips if s.stem is not None}


def audible_ids(session: Session) -> set[str]:
    """Ids of the tracks that sound: not muted, and soloed when any track is soloed."""
    soloed = {t.id for t in session.tracks if t.solo}
    return {t.id for t in session.tracks if not t.mute and (not soloed or t.id in soloed)}


def stem_names(session: Session) -> dict[str, str]:
    """File names of the printed stems, in console order: tracks, then group and FX buses
    ("03_Snr Btm.wav", "12_Drums Bus.wav"), numbered wide enough to sort."""
    width = max(2, len(str(len(session.tracks) + len(session.buses))))
    names = {t.id: f"{n:0{width}d}_{safe_filename(t.name)}.wav" for n, t in enumerate(session.tracks, 1)}
    n = len(session.tracks)
    for b in session.buses:
        if b.kind != "master":
            n += 1
            names[b.id] = f"{n:0{width}d}_{safe_filename(b.name)} Bus.wav"
    return names


def stem_paths(session: Session, out_dir: str | Path) -> dict[str, Path]:
    """Where ``mix`` prints each stem: track and bus id -> path under OUT_DIR/stems."""
    return {k: Path(out_dir) / "stems" / v for k, v in stem_names(session).items()}


def find_lead(session: Session) -> Lead | None:
    """The lead as the balance recorded it: the ``refs["lead"]`` of the tracks' fader decisions
    (the first, in console order, that names a track still in the session). None when no
    decision names one (a session the balance never ran on): views then show levels against the
    loudest track, and say so."""
    ids = {t.id for t in session.tracks}
    for t in session.tracks:
        d = t.decisions.get("fader_db")
        lead = d.refs.get("lead") if d is not None else None
        if lead in ids:
            return Lead(str(lead), d.rule, t.id)  # type: ignore[union-attr]
    return None


def band_levels(bands: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Band centres (Hz) and levels (dB) of a third-octave ``band_db`` dict from the session."""
    fc = np.array([float(k) for k in bands], dtype=float)
    lv = np.array([float(v) for v in bands.values()], dtype=float)
    order = np.argsort(fc)
    return fc[order], lv[order]


def eq_change_db(track: Track, sr: int) -> float:
    """K-weighted loudness change (dB) of the track's filters on its third-octave spectrum (the
    session's ``analysis["band_db"]``); 0 without filters or a measured spectrum."""
    bands = track.analysis.get("band_db")
    if not bands or not any(p.enabled and p.kind in FILTER_KINDS for p in track.chain):
        return 0.0
    fc, lv = band_levels(bands)
    keep = fc < sr / 2
    fc, lv = fc[keep], lv[keep]
    return spectrum_loudness_change_db(fc, lv, chain_band_response_db(track.chain, fc, sr), sr)


def _track(t: Track, sr: int, frames: int, stem: str, audible: bool) -> StripPlan:
    return StripPlan(
        t.id,
        t.name,
        "track",
        f"stems/{stem}",
        audible,
        t.output,
        t.trim_db,
        t.fader_db,
        t.pan,
        t.width,
        t.polarity_inverted,
        tuple((s.bus, s.level_db) for s in t.sends),
        clips(t, sr, frames),
        eq_change_db(t, sr),
    )


def _bus(b: Bus, stem: str | None) -> StripPlan:
    return StripPlan(
        b.id,
        b.name,
        b.kind,
        None if stem is None else f"stems/{stem}",
        not b.mute,
        b.output if b.kind != "master" else None,
        fader_db=b.fader_db,
        pan=b.pan,
    )


def build(session: Session) -> Plan:
    """The plan of a session (cheap: no audio; filter responses on 31 bands per track)."""
    sr = session.sample_rate
    frames = int(round(session.length_s * sr))
    names = stem_names(session)
    audible = audible_ids(session)
    strips = [_track(t, sr, frames, names[t.id], t.id in audible) for t in session.tracks]
    strips += [_bus(b, names.get(b.id)) for b in session.buses]
    return Plan(sr, frames, tuple(strips), find_lead(session), session.master.fader_db)
