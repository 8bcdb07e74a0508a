"""Sessions shared by the DAWproject and REAPER export tests (no tests of its own).

``every_processor_session`` is hand-built: every processor kind of the closed set, nested group
buses, FX buses fed by sends, a track routed straight into an FX bus, regions with fades, trim,
polarity, delay, width, mute and solo, markers, and unusual names (spaces, quotes, unicode, 60
characters).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import soundfile as sf

from faderpilot.audio.io import sha256_file
from faderpilot.session.model import (
    Bus,
    Marker,
    Processor,
    Region,
    Role,
    Send,
    Session,
    Source,
    Track,
)

SR = 48000
SECONDS = 2.0
NAME_60 = "Sixty Character Track Name For The Backing Vocal Stack Take1"
UNICODE = "Vöx Ünïcode 🎤"
QUOTES = "Gtr \"Crunch\" 'L'"
assert len(NAME_60) == 60


def _signal(seed: int, channels: int, seconds: float = SECONDS) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    t = np.arange(n) / SR
    base = 0.3 * np.sin(2 * np.pi * (110 + 50 * seed) * t) * (0.3 + 0.7 * ((t * 4) % 1 < 0.4))
    out = [base + 0.05 * rng.standard_normal(n) for _ in range(channels)]
    if channels == 2:
        out[1] = 0.6 * np.roll(out[1], 37)
    return np.asarray(out, dtype=np.float32)


def _proc(pid: str, kind: str, enabled: bool = True, **params: float) -> Processor:
    if kind == "compressor":
        params.setdefault("makeup_db", 0.0)
    return Processor(pid, kind, {k: float(v) for k, v in params.items()}, enabled)


def every_processor_session(stems: Path) -> Session:
    """Write four stems into ``stems`` and return a session using every processor kind."""
    stems.mkdir(parents=True, exist_ok=True)
    specs = [
        ("s01", "vox.wav", 1, 1, 2.0),
        ("s02", "bgv stack.wav", 2, 2, 2.0),
        ("s03", "gtr.wav", 3, 1, 1.5),  # shorter than the session: padded
        ("s04", "keys.flac", 4, 2, 2.0),
    ]
    sources = []
    for sid, fname, seed, ch, secs in specs:
        p = stems / fname
        sf.write(p, _signal(seed, ch, secs).T, SR, subtype="PCM_24")
        info = sf.info(p)
        sources.append(Source(sid, str(p), sha256_file(p), SR, ch, info.frames, info.format, info.subtype))

    def role(v: str) -> Role:
        return Role(v, "name", 0.9, "test")

    vox = Track(
        id="t01",
        name=UNICODE,
        source=sources[0].path,
        source_id="s01",
        role=role("lead_vocal"),
        channels=1,
        colour="#d94f3d",
        regions=[
            Region(0.0, 0.8, 0.0, fade_in_ms=10.0, fade_out_ms=50.0),
            Region(1.0, 1.9, 1.0, fade_in_ms=20.0, fade_out_ms=100.0),
        ],
        polarity_inverted=True,
        delay_ms=5.0,
        trim_db=3.0,
        fader_db=-4.0,
        pan=-0.4,
        chain=[
            _proc("p1", "highpass", freq_hz=90, slope_db_oct=24),
            _proc("p2", "peak", freq_hz=350, gain_db=-3.5, q=1.4),
            _proc("p3", "low_shelf", freq_hz=120, gain_db=2.0, q=0.7),
            _proc("p4", "high_shelf", freq_hz=9000, gain_db=1.5, q=0.8),
            _proc("p5", "lowpass", freq_hz=14000, slope_db_oct=18),
            _proc("p6", "compressor", threshold_db=-22, ratio=3.5, attack_ms=8, release_ms=150, makeup_db=2),
            _proc("p7", "gate", threshold_db=-45, attack_ms=1, release_ms=120, range_db=24),
            _proc("p8", "saturation", drive_db=9, mix_pct=40),
            _proc("p9", "peak", False, freq_hz=2500, gain_db=4.0, q=2.0),
        ],
        output="grp_inner",
        sends=[Send("verb", -14.0), Send("echo", -18.5)],
    )
    bgv = Track(
        id="t02",
        name=NAME_60,
        source=sources[1].path,
        source_id="s02",
        role=role("backing_vocals"),
        channels=2,
        colour="#e0663f",
        trim_db=-2.0,
        fader_db=-7.5,
        pan=0.3,
        width=0.7,
        chain=[_proc("q1", "compressor", threshold_db=-18, ratio=2, attack_ms=3, release_ms=90, makeup_db=0)],
        output="grp_inner",
        sends=[Send("verb", -20.0)],
    )
    gtr = Track(
        id="t03",
        name=QUOTES,
        source=sources[2].path,
        source_id="s03",
        role=role("electric_guitar"),
        channels=1,
        colour="#e9a23b",
        fader_db=-9.0,
        pan=0.6,
        mute=True,
        output="echo",  # straight into an FX bus
    )
    keys = Track(
        id="t04",
        name="Keys L+R",
        source=sources[3].path,
        source_id="s04",
        role=role("keys"),
        channels=2,
        colour="#d9b43c",
        fader_db=-6.0,
        chain=[
            _proc("k1", "highpass", freq_hz=40, slope_db_oct=6),
            _proc("k2", "saturation", drive_db=3, mix_pct=20),
        ],
        output="grp_outer",
        solo=True,
    )
    buses = [
        # the nested group first: the renderer sums buses in list order
        Bus("grp_inner", "Vocals", "group", "grp_outer", fader_db=-2.0, pan=-0.25),
        Bus(
            "grp_outer",
            "All Vox & Keys",
            "group",
            "master",
            fader_db=-1.0,
            chain=[_proc("b1", "compressor", threshold_db=-12, ratio=2, attack_ms=20, release_ms=200)],
        ),
        Bus(
            "verb",
            "Reverb",
            "fx",
            "master",
            fader_db=-3.0,
            chain=[
                _proc("r1", "highpass", freq_hz=200, slope_db_oct=12),
                _proc("r2", "reverb", room_size=0.6, damping=0.4, width=0.9),
                _proc("r3", "lowpass", freq_hz=8000, slope_db_oct=12),
            ],
        ),
        Bus(
            "echo",
            "Delay",
            "fx",
            "master",
            fader_db=-5.0,
            chain=[_proc("d1", "delay", time_ms=250, feedback_pct=30)],
        ),
        Bus(
            "master",
            "Master",
            "master",
            None,
            fader_db=-1.5,
            chain=[_proc("m1", "limiter", ceiling_db=-1.0, release_ms=100)],
        ),
    ]
    return Session(
        name="Odd Song — Ünïcode",
        sample_rate=SR,
        length_s=SECONDS,
        sources=sources,
        tracks=[vox, bgv, gtr, keys],
        buses=buses,
        markers=[Marker("Intro", 0.0), Marker("Verse 1", 1.25)],
    )


_DEMO: dict[str, object] = {}


def demo_session(tmp_path_factory) -> tuple[Session, Path]:
    """The demo song (8 s) mixed once per test run: (session, output folder of ``mix``)."""
    if "session" not in _DEMO:
        from faderpilot.demo import generate_demo
        from faderpilot.pipeline import mix

        stems = tmp_path_factory.mktemp("demo_stems")
        generate_demo(stems, seconds=8.0)
        out = tmp_path_factory.mktemp("demo_out")
        _DEMO["session"] = mix(stems, out, workers=2).session
        _DEMO["out"] = out
    return _DEMO["session"], _DEMO["out"]  # type: ignore[return-value]


def tree_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under a folder (relative path -> digest)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
