"""Rough-mix matching on roughs synthesized from stems with known settings."""

from __future__ import annotations

import numpy as np
import pedalboard as pb
import pytest
import soundfile as sf
from scipy.signal import sosfilt

from faderpilot.audio.io import resample
from faderpilot.match import RoughError, fit_rough, null_depth_db
from faderpilot.match.rough import align, pan_from_gains
from faderpilot.match.session import load_rough, rough_bandwidth
from faderpilot.render.engine import pan_gains
from faderpilot.render.filters import sos

from .synth import SR, make_rough, random_settings, stems


@pytest.fixture(scope="module")
def xs():
    return stems(8.0)


def effective_db(x: np.ndarray, gain_db: float, eq: list) -> float:
    """The level change a gain plus an EQ make on this track (dB, energy over its spectrum)."""
    y = x.astype(np.float64)
    if eq:
        y = sosfilt(np.vstack([sos(k, p, SR) for k, p in eq]), y, axis=-1)
    return gain_db + 10 * np.log10(np.sum(y**2) / np.sum(x.astype(np.float64) ** 2))


def rebuild(xs, fit) -> np.ndarray:
    """The rough as the fit describes it (same math as the renderer), on the rough's timeline."""
    settings = [
        {"gain_db": m.gain_db, "pan": m.pan, "flip": m.polarity_inverted, "eq": m.eq} for m in fit.tracks
    ]
    muted = [i for i, m in enumerate(fit.tracks) if m.muted]
    return make_rough(xs, settings, fit.offset, muted=muted)


def check(xs, settings, fit, offset, min_null):
    assert fit.offset == offset
    for x, s, m in zip(xs, settings, fit.tracks, strict=True):
        assert not m.muted
        assert m.polarity_inverted == s["flip"]
        assert abs(m.pan - s["pan"]) < 0.05, (s, m)
        if not s["eq"]:
            assert abs(m.gain_db - s["gain_db"]) < 0.5, (s, m)
        # with EQ, gain and a shelf where the track has no energy are interchangeable: compare the
        # level change the producer made on this track
        assert abs(effective_db(x, m.gain_db, m.eq) - effective_db(x, s["gain_db"], s["eq"])) < 0.5, (s, m)


@pytest.mark.parametrize("seed,offset", [(1, 31234), (2, -50001), (4, 72000)])
def test_recovers_gain_pan_polarity_eq_and_offset(xs, seed, offset):
    settings = random_settings(len(xs), seed=seed)
    rough = make_rough(xs, settings, offset)
    fit = fit_rough(rough, xs, SR)
    check(xs, settings, fit, offset, 30.0)
    null = null_depth_db(rough, rebuild(xs, fit)[:, : rough.shape[1]])
    assert null >= 30.0


def test_plain_gains_and_pans_exact_without_eq(xs):
    settings = random_settings(len(xs), seed=7, eq=False)
    rough = make_rough(xs, settings, -12345)
    fit = fit_rough(rough, xs, SR)
    check(xs, settings, fit, -12345, 40.0)
    for s, m in zip(settings, fit.tracks, strict=True):
        assert abs(m.gain_db - s["gain_db"]) < 0.05
    assert null_depth_db(rough, rebuild(xs, fit)[:, : rough.shape[1]]) >= 40.0


def test_compressor_on_the_mix_bus(xs):
    settings = random_settings(len(xs), seed=2)
    rough = make_rough(xs, settings, 20000)
    rough = rough * np.float32(0.5 / np.max(np.abs(rough)))  # peaks at -6 dBFS
    # mix-bus glue: 2:1 above -14 dBFS, up to about 4 dB of gain reduction on the peaks
    comp = pb.Compressor(threshold_db=-14.0, ratio=2.0, attack_ms=10.0, release_ms=150.0)
    rough = comp(rough, SR)
    fit = fit_rough(rough, xs, SR)
    assert fit.offset == 20000
    assert null_depth_db(rough, rebuild(xs, fit)[:, : rough.shape[1]]) >= 20.0


def test_muted_track_is_detected(xs):
    settings = random_settings(len(xs), seed=3)
    rough = make_rough(xs, settings, 4800, muted=(2,))
    fit = fit_rough(rough, xs, SR)
    assert [m.muted for m in fit.tracks] == [i == 2 for i in range(len(xs))]
    assert fit.tracks[2].contribution_db < -50
    assert null_depth_db(rough, rebuild(xs, fit)[:, : rough.shape[1]]) >= 30.0


def test_wrong_song_is_refused(xs):
    other = stems(8.0, seed=5)
    rough = make_rough(other, random_settings(len(other), seed=1), 0)
    with pytest.raises(RoughError) as e:
        fit_rough(rough, xs, SR)
    assert e.value.code == "FP-E007"


def test_rough_at_another_rate_longer_and_mono(xs, tmp_path):
    settings = random_settings(len(xs), seed=1, eq=False)
    rough = make_rough(xs, settings, 9000)
    rough = np.concatenate([rough, np.zeros((2, SR), dtype=np.float32)], axis=1)  # a 1 s tail too
    path = tmp_path / "rough.wav"
    sf.write(path, resample(rough, SR, 44100).T, 44100, subtype="FLOAT")
    loaded, notes = load_rough(path, SR)
    assert [n.code for n in notes] == ["FP-W005"]
    fit = fit_rough(loaded, xs, SR, bandwidth_hz=rough_bandwidth(notes, SR))
    assert abs(fit.offset - 9000) <= 1
    for s, m in zip(settings, fit.tracks, strict=True):
        assert abs(m.gain_db - s["gain_db"]) < 0.5 and abs(m.pan - s["pan"]) < 0.05
    # mono: gains still found, pans left centred and said so
    mono_path = tmp_path / "mono.wav"
    sf.write(mono_path, rough.mean(axis=0), SR, subtype="FLOAT")
    loaded, notes = load_rough(mono_path, SR)
    assert [n.code for n in notes] == ["FP-W006"]
    fit = fit_rough(loaded, xs, SR)
    assert fit.mono_rough and fit.offset == 9000 and all(m.pan == 0.0 for m in fit.tracks)


def test_more_than_two_channels_is_refused(tmp_path):
    path = tmp_path / "surround.wav"
    sf.write(path, np.zeros((SR, 6), dtype=np.float32), SR)
    with pytest.raises(RoughError) as e:
        load_rough(path, SR)
    assert e.value.code == "FP-E006"


@pytest.mark.parametrize("pan", [-1.0, -0.4, 0.0, 0.3, 1.0])
@pytest.mark.parametrize("channels", [1, 2])
def test_pan_law_inverts(pan, channels):
    gl, gr = pan_gains(pan, channels)
    g, p = pan_from_gains(0.5 * gl, 0.5 * gr, channels)
    assert abs(g - 0.5) < 1e-9 and abs(p - pan) < 1e-9


def test_align_round_trip():
    x = np.arange(20, dtype=np.float32)[None]
    assert np.array_equal(align(x, 5, 10)[0], np.arange(5, 15))
    assert np.array_equal(align(x, -3, 10)[0, 3:], np.arange(0, 7))
