"""Session to audio: each track through regions, polarity, delay, trim, chain, fader and pan;
group and FX buses; the master. The signal flow every DAW export reproduces.

Track strip: regions (with linear fades) moved by the delay (``plan.clips``) -> polarity ->
trim -> chain -> fader -> width (stereo only) -> pan (the session's pan law) = the printed track
stem. Post-fader sends take that stem to FX buses. Buses: sum -> chain -> fader -> balance pan =
the printed bus stem. Master: sum of what is routed to it -> chain -> fader = the mix.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ..analysis.loudness import integrated_loudness
from ..session.model import Bus, PanLaw, Session, Track
from .chain import db_to_gain, run_chain
from .plan import Clip, audible_ids, clips


def pan_gains(pan: float, channels: int, law: PanLaw | None = None) -> tuple[float, float]:
    """(left, right) gains for a strip at ``pan`` in [-1, 1] under the session's pan law.

    Mono sources: constant power, cos/sin of (pan + 1) * pi / 4 (-3.01 dB each side at centre).
    Stereo sources: balance, the far channel follows sqrt(2) times the same curve, near stays 1.
    """
    p = float(np.clip(pan, -1.0, 1.0))
    t = (p + 1.0) * np.pi / 4.0
    if channels == 1:
        return float(np.cos(t)), float(np.sin(t))
    if p <= 0:
        return 1.0, float(np.sqrt(2.0) * np.sin(t))
    return float(np.sqrt(2.0) * np.cos(t)), 1.0


def place_clips(x: np.ndarray, placed: tuple[Clip, ...], frames: int) -> np.ndarray:
    """The track's audio on the timeline (``frames`` long): each clip read from the aligned
    source with its region's linear fades, silence elsewhere (``plan.clips`` says where)."""
    if len(placed) == 1:
        c = placed[0]
        if c.fade_in == 0 and c.fade_out == 0 and c.offset == c.head_cut and c.region_length == x.shape[1]:
            if c.start == 0 and c.length == x.shape[1]:
                return x  # the whole source, untouched
            out = np.zeros((x.shape[0], frames), dtype=x.dtype)  # the whole source, moved
            out[:, c.start : c.start + c.length] = x[:, c.head_cut : c.head_cut + c.length]
            return out
    out = np.zeros((x.shape[0], frames), dtype=np.float32)
    for c in placed:
        n = c.region_length
        a = c.offset - c.head_cut
        seg = x[:, a : a + n].copy()
        fi, fo = c.fade_in, c.fade_out
        if fi > 0:
            seg[:, :fi] *= np.linspace(0.0, 1.0, fi, endpoint=False, dtype=np.float32)
        if fo > 0:
            seg[:, n - fo :] *= np.linspace(1.0, 0.0, fo, dtype=np.float32)
        out[:, c.start : c.start + c.length] += seg[:, c.head_cut : c.head_cut + c.length]
    return out


def chain_input(track: Track, x: np.ndarray, sr: int) -> np.ndarray:
    """What enters a track's chain: its aligned source placed by its regions, with polarity and
    trim."""
    frames = x.shape[1]
    if track.channels == 1 and x.shape[0] == 2:  # a stereo file used as mono (identical channels)
        x = x.mean(axis=0, keepdims=True, dtype=np.float32)
    y = place_clips(x, clips(track, sr, frames), frames)
    g = db_to_gain(track.trim_db) * (-1.0 if track.polarity_inverted else 1.0)
    return (y * np.float32(g)).astype(np.float32)


def render_track(track: Track, x: np.ndarray, sr: int, law: PanLaw) -> np.ndarray:
    """A track's printed stem (stereo, post chain, fader and pan) from its aligned source audio."""
    y = run_chain(chain_input(track, x, sr), track.chain, sr)
    y *= np.float32(db_to_gain(track.fader_db))
    for lane in track.automation:  # gain_db: a dB offset on the fader, linear between points
        if lane.get("param") == "gain_db" and lane.get("points"):
            p = np.asarray(lane["points"], dtype=np.float64)
            db = np.interp(np.arange(y.shape[1]) / sr, p[:, 0], p[:, 1])
            y *= (10.0 ** (db / 20.0)).astype(np.float32)
    return pan_stereo(y, track.pan, track.width, law)


def compressor_changes_db(track: Track, x: np.ndarray, sr: int) -> dict[str, float]:
    """What each enabled compressor of the track really does to its loudness, measured on the
    track's own audio (:func:`chain_input`, through the chain before it): integrated loudness
    after it (makeup included) less before it, in dB, by processor id. The balance assumes a
    compressor keeps a part's loudness; this is what the makeup is calibrated against
    (``decide.dynamics.calibrate_makeup``), since the detector's ballistics take more than the
    static curve alone predicts."""
    comps = [i for i, p in enumerate(track.chain) if p.enabled and p.kind == "compressor"]
    if not comps:
        return {}
    y = chain_input(track, x, sr)
    out: dict[str, float] = {}
    done = 0
    for i in comps:
        y = run_chain(y, track.chain[done:i], sr)
        before = integrated_loudness(y, sr)
        y = run_chain(y, [track.chain[i]], sr)
        after = integrated_loudness(y, sr)
        done = i + 1
        if np.isfinite(before) and np.isfinite(after) and before > -70.0:
            out[track.chain[i].id] = round(float(after - before), 2)
    return out


def pan_stereo(y: np.ndarray, pan: float, width: float, law: PanLaw) -> np.ndarray:
    """Mono or stereo strip audio to a stereo pair (width first, then the pan law)."""
    gl, gr = pan_gains(pan, y.shape[0], law)
    if y.shape[0] == 1:
        return np.vstack([y[0] * np.float32(gl), y[0] * np.float32(gr)])
    if width != 1.0:
        mid = (y[0] + y[1]) * 0.5
        side = (y[0] - y[1]) * np.float32(0.5 * width)
        y = np.vstack([mid + side, mid - side])
    return np.vstack([y[0] * np.float32(gl), y[1] * np.float32(gr)])


@dataclass
class Rendered:
    """What a render produced: the mix, bus stems and (unless streamed away) track stems."""

    mix: np.ndarray
    pre_master: np.ndarray
    bus_stems: dict[str, np.ndarray]
    track_stems: dict[str, np.ndarray] = field(default_factory=dict)


def render_bus(bus: Bus, x: np.ndarray, sr: int, law: PanLaw) -> np.ndarray:
    """A bus's output: its summed input through chain, fader and balance pan."""
    y = run_chain(x, bus.chain, sr) if bus.chain else x
    y = y * np.float32(db_to_gain(bus.fader_db))
    return pan_stereo(y, bus.pan, 1.0, law) if bus.pan else y


def bus_levels(session: Session) -> list[list[Bus]]:
    """Group and FX buses in levels: each bus comes after every bus that feeds it (so nested
    groups sum fully); buses in one level are independent of each other."""
    buses = [b for b in session.buses if b.kind != "master"]
    feeds = {b.id: {a.id for a in buses if a.output == b.id} for b in buses}
    levels: list[list[Bus]] = []
    done: set[str] = set()
    while len(done) < len(buses):
        ready = [b for b in buses if b.id not in done and feeds[b.id] <= done]
        if not ready:
            raise ValueError("bus routing has a loop: " + ", ".join(b.id for b in buses if b.id not in done))
        levels.append(ready)
        done.update(b.id for b in ready)
    return levels


def render(
    session: Session,
    audio: dict[str, np.ndarray],
    on_track: Callable[[Track, np.ndarray], None] | None = None,
    workers: int = 2,
    printed: Mapping[str, Callable[[], np.ndarray]] | None = None,
) -> Rendered:
    """Render a session from aligned source audio (source_id -> (channels, frames)).

    ``on_track`` receives each track stem as soon as it exists (to write it and let it go);
    without it, the stems are kept in ``Rendered.track_stems``. ``printed`` (strip id -> reader,
    ``render.printed.current``) names strips whose printed stem is current: those are read back
    instead of rendered (their sources need not be in ``audio``), a track only where a bus it
    feeds is rendered; the sums run in the same order, so the mix is bit-identical. Such strips
    are not passed to ``on_track`` nor kept in the result.
    """
    sr = session.sample_rate
    frames = next(iter(audio.values())).shape[1] if audio else int(round(session.length_s * sr))
    printed = printed or {}
    inputs = {b.id: np.zeros((2, frames), dtype=np.float32) for b in session.buses if b.id not in printed}
    audible = audible_ids(session)
    kept: dict[str, np.ndarray] = {}

    def one(track: Track) -> np.ndarray | None:
        if track.id in printed:
            live = track.output in inputs or any(s.bus in inputs for s in track.sends)
            return printed[track.id]() if track.id in audible and live else None
        if track.id in audible:
            stem = render_track(track, audio[track.source_id], sr, session.pan_law)
        else:
            stem = np.zeros((2, frames), dtype=np.float32)
        if on_track is not None:
            on_track(track, stem)
        return stem

    def add(track: Track, stem: np.ndarray | None) -> None:
        if stem is not None and track.id in audible:
            if track.output in inputs:
                inputs[track.output] += stem
            for s in track.sends:
                if s.bus in inputs:
                    inputs[s.bus] += stem * np.float32(db_to_gain(s.level_db))
        if on_track is None and track.id not in printed:
            kept[track.id] = stem

    # tracks render in parallel but are summed in console order, so a re-run is bit-identical;
    # at most 2 x workers stems wait in memory
    window = max(1, workers) * 2
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        pending: deque = deque()
        for track in session.tracks:
            pending.append((track, pool.submit(one, track)))
            if len(pending) >= window:
                t, fut = pending.popleft()
                add(t, fut.result())
        while pending:
            t, fut = pending.popleft()
            add(t, fut.result())

    bus_stems: dict[str, np.ndarray] = {}

    def one_bus(b: Bus) -> np.ndarray | None:
        if b.id in printed:  # read back only where it is summed into a bus being rendered
            return printed[b.id]() if (b.output or "master") in inputs else None
        out = render_bus(b, inputs[b.id], sr, session.pan_law)
        return np.zeros_like(out) if b.mute else out

    # buses whose inputs are complete render side by side (reverb and delay are the slow ones);
    # their outputs are summed in list order, so the result does not depend on timing
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for level in bus_levels(session):
            for b, out in zip(level, pool.map(one_bus, level), strict=True):
                if out is None:
                    continue
                if b.id not in printed:  # a stem read back is summed, not kept
                    bus_stems[b.id] = out
                if (b.output or "master") in inputs:
                    inputs[b.output or "master"] += out
    master = session.master
    pre = inputs["master"]
    mix = render_bus(master, pre, sr, session.pan_law)
    return Rendered(mix=mix, pre_master=pre, bus_stems=bus_stems, track_stems=kept)
