"""Sessions for the Ardour export tests: generated audio only, written as stems on the fly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from faderpilot.session.model import Bus, Marker, Processor, Region, Role, Send, Session, Source, Track

SR = 48000
UNICODE = "Ünïcödé Gitarre – Straße"
NAME_60 = ("Very Long Track Name With Spaces " * 3)[:60]
COLON = "Vox: Lead/Double"


def noise(seconds: float, amp: float = 0.1, seed: int = 0, channels: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (amp * rng.standard_normal((channels, int(round(seconds * SR))))).astype(np.float32)


def tone(freq: float, seconds: float, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(round(seconds * SR))) / SR
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)[None]


def P(kind: str, **params: float) -> Processor:  # noqa: N802 - reads like the document
    return Processor(kind, kind, dict(params))


def build_session(
    root: Path,
    specs: list[tuple[str, np.ndarray, dict]],
    seconds: float,
    buses: list[Bus] | None = None,
    name: str = "song",
) -> Session:
    """A session over stems written into ``root/stems``: specs are (track id, audio, Track fields)."""
    stems = root / "stems"
    stems.mkdir(parents=True, exist_ok=True)
    tracks, sources = [], []
    for tid, x, kw in specs:
        kw = dict(kw)
        tname = kw.pop("name", tid)
        p = stems / f"{tid}.wav"
        sf.write(str(p), x.T, SR, subtype="FLOAT")
        sources.append(Source("s" + tid, str(p), "0" * 64, SR, x.shape[0], x.shape[1]))
        kw.setdefault("output", "master")
        tracks.append(
            Track(
                id=tid,
                name=tname,
                source=str(p),
                source_id="s" + tid,
                role=Role("keys", "name", 1.0, ""),
                channels=x.shape[0],
                **kw,
            )
        )
    if buses is None:
        buses = [
            Bus("reverb", "Reverb", "fx"),
            Bus("delay", "Delay", "fx"),
            Bus("master", "Master", "master", None),
        ]
    return Session(name, SR, seconds, sources=sources, tracks=tracks, buses=buses)


def every_processor_session(root: Path, seconds: float = 4.0) -> Session:
    """Every processor kind, every routing feature and unusual names, on a small generated song."""
    n = int(seconds * SR)
    t = np.arange(n) / SR
    beat = ((t * 2) % 1.0 < 0.08).astype(np.float32)
    kick = (0.6 * np.sin(2 * np.pi * 55 * t) * np.exp(-((t * 2) % 1.0) * 30) * 1.0)[None].astype(np.float32)
    bass = (0.3 * np.sin(2 * np.pi * 55 * t) + 0.1 * np.sin(2 * np.pi * 110 * t))[None].astype(np.float32)
    vox = (noise(seconds, 0.08, 1)[0] * (0.3 + 0.7 * (np.sin(2 * np.pi * 1.5 * t) > 0)))[None].astype(
        np.float32
    )
    vox += tone(220, seconds, 0.15) * (np.sin(2 * np.pi * 0.5 * t) > -0.5)
    pad = np.vstack([noise(seconds, 0.05, 2)[0], noise(seconds, 0.04, 3)[0]]) + tone(330, seconds, 0.05)
    ohs = np.vstack([noise(seconds, 0.03, 4)[0] * (0.2 + beat), noise(seconds, 0.03, 5)[0] * (0.2 + beat)])
    perc = (noise(seconds, 0.2, 6)[0] * np.repeat((np.arange(n // 2400 + 1) % 3 == 0), 2400)[:n])[None]
    gtr = tone(196, seconds, 0.2) + noise(seconds, 0.02, 7)
    specs = [
        (
            "kick",
            kick,
            dict(
                name="Kick In",
                output="drums",
                chain=[
                    P("highpass", freq_hz=30.0, slope_db_oct=24.0),
                    P("peak", freq_hz=60.0, gain_db=3.0, q=1.2),
                    P(
                        "compressor",
                        threshold_db=-18.0,
                        ratio=4.0,
                        attack_ms=10.0,
                        release_ms=120.0,
                        makeup_db=2.0,
                    ),
                ],
            ),
        ),
        ("ohs", ohs.astype(np.float32), dict(name="OH  Stereo", output="drums", width=0.0, trim_db=3.0)),
        (
            "perc",
            perc.astype(np.float32),
            dict(
                name=NAME_60,
                output="drums",
                pan=-0.6,
                polarity_inverted=True,
                delay_ms=1.5,
                chain=[P("gate", threshold_db=-30.0, attack_ms=1.0, release_ms=60.0, range_db=24.0)],
                regions=[
                    Region(0.0, 1.5, 0.0, fade_out_ms=20.0),
                    Region(2.0, 4.0, 2.0, fade_in_ms=30.0, fade_out_ms=50.0),
                ],
            ),
        ),
        (
            "bass",
            bass,
            dict(
                name="Bass DI",
                output="bass",
                trim_db=-2.0,
                chain=[
                    P("saturation", drive_db=9.0, mix_pct=35.0),
                    P("low_shelf", freq_hz=120.0, gain_db=2.5, q=0.7071),
                ],
            ),
        ),
        (
            "gtr",
            gtr.astype(np.float32),
            dict(
                name=UNICODE,
                output="music",
                pan=0.35,
                fader_db=-4.0,
                chain=[
                    P("highpass", freq_hz=90.0, slope_db_oct=12.0),
                    P("peak", freq_hz=2500.0, gain_db=-3.5, q=2.0),
                    P("high_shelf", freq_hz=6000.0, gain_db=-2.0, q=0.7071),
                    P("lowpass", freq_hz=12000.0, slope_db_oct=12.0),
                ],
                sends=[Send("delay", -12.0)],
            ),
        ),
        (
            "pad",
            pad.astype(np.float32),
            dict(
                name="Pad", output="music", pan=0.3, width=0.6, fader_db=-6.0, sends=[Send("reverb", -10.0)]
            ),
        ),
        (
            "vox",
            vox,
            dict(
                name=COLON,
                output="vocals",
                fader_db=1.5,
                chain=[
                    P("highpass", freq_hz=100.0, slope_db_oct=12.0),
                    P(
                        "compressor",
                        threshold_db=-24.0,
                        ratio=3.0,
                        attack_ms=5.0,
                        release_ms=150.0,
                        makeup_db=3.0,
                    ),
                    P("peak", freq_hz=800.0, gain_db=-2.0, q=3.0),
                ],
                sends=[Send("reverb", -8.0), Send("delay", -14.0)],
                automation=[
                    {"param": "gain_db", "points": [[1.0, 0.0], [1.03, 2.0], [2.97, 2.0], [3.0, 0.0]]}
                ],
            ),
        ),
        ("dup", gtr.astype(np.float32) * 0.5, dict(name=UNICODE, output="music", pan=-0.35, mute=True)),
    ]
    buses = [
        Bus("drums", "Drums", "group", chain=[P("saturation", drive_db=4.0, mix_pct=25.0)]),
        Bus("bass", "Bass", "group", fader_db=-1.0),
        Bus("music", "Music", "group", pan=-0.1, chain=[P("peak", freq_hz=400.0, gain_db=-1.5, q=1.0)]),
        Bus("vocals", "Vocals", "group", fader_db=0.5),
        Bus(
            "reverb",
            "Reverb",
            "fx",
            chain=[
                P("highpass", freq_hz=200.0, slope_db_oct=12.0),
                P("reverb", room_size=0.55, damping=0.5, width=1.0),
                P("lowpass", freq_hz=8000.0, slope_db_oct=12.0),
            ],
        ),
        Bus(
            "delay",
            "Delay",
            "fx",
            chain=[
                P("highpass", freq_hz=300.0, slope_db_oct=12.0),
                P("delay", time_ms=375.0, feedback_pct=25.0),
                P("lowpass", freq_hz=6000.0, slope_db_oct=12.0),
            ],
        ),
        Bus(
            "master",
            "Master",
            "master",
            None,
            fader_db=-5.0,
            chain=[P("limiter", ceiling_db=-0.3, release_ms=100.0)],
        ),
    ]
    s = build_session(root, specs, seconds, buses, name="Test Song – Ünïcödé")
    s.markers = [Marker("Verse", 0.0), Marker("Chorus", 2.0)]
    return s
