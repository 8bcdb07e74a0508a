"""BS.1770 loudness checked against the standard's coefficients, EBU test signals and pyloudnorm."""

import numpy as np
import pytest
from conftest import noise, tone

from faderpilot.analysis.loudness import (
    integrated_loudness,
    k_weighting_sos,
    loudness_range,
    short_term_loudness,
    true_peak_db,
)


def test_k_weighting_matches_bs1770_table_at_48k():
    sos = k_weighting_sos(48000)
    # ITU-R BS.1770-4, Annex 1, Tables 1 and 2
    assert np.allclose(sos[0, :3], [1.53512485958697, -2.69169618940638, 1.19839281085285], atol=1e-8)
    assert np.allclose(sos[0, 4:], [-1.69065929318241, 0.73248077421585], atol=1e-8)
    assert np.allclose(sos[1, :3], [1.0, -2.0, 1.0])
    assert np.allclose(sos[1, 4:], [-1.99004745483398, 0.99007225036621], atol=1e-8)


@pytest.mark.parametrize("sr", [44100, 48000, 96000])
def test_ebu_3341_sine_reads_minus_23(sr):
    # EBU Tech 3341: 1 kHz sine at -23 dBFS in both channels reads -23.0 LUFS (+-0.1)
    x = np.vstack([tone(1000, 20, sr, amp=10 ** (-23 / 20))] * 2)
    assert integrated_loudness(x, sr) == pytest.approx(-23.0, abs=0.1)


def test_matches_pyloudnorm_on_noise_and_music_like_signal():
    pyln = pytest.importorskip("pyloudnorm")
    sr = 48000
    x = np.vstack([noise(10, sr, 0.05, 1)[0], noise(10, sr, 0.02, 2)[0]])
    x[:, : sr * 3] *= 0.1  # a quiet intro that the relative gate removes
    ref = pyln.Meter(sr).integrated_loudness(x.T.astype(np.float64))
    assert integrated_loudness(x, sr) == pytest.approx(ref, abs=0.05)


def test_loudness_range_of_two_level_signal():
    # 10 s at -20 and 10 s at -30 LUFS-ish: the range spans about 10 LU
    sr = 48000
    a = tone(1000, 10, sr, 10 ** (-20 / 20))[0]
    b = tone(1000, 10, sr, 10 ** (-30 / 20))[0]
    x = np.concatenate([a, b])[None]
    lra = loudness_range(short_term_loudness(x, sr, 0.1))
    assert 9.0 < lra < 10.5


def test_true_peak_sees_intersample_overs():
    # a sine at fs/4 sampled at 45 degrees: samples peak at 0.707 of the true peak (-3 dB)
    sr = 48000
    n = np.arange(sr)
    x = (np.sin(2 * np.pi * n / 4 + np.pi / 4)).astype(np.float32)[None] * 0.5
    sample_peak = 20 * np.log10(np.max(np.abs(x)))
    assert true_peak_db(x, sr) == pytest.approx(sample_peak + 3.01, abs=0.2)
