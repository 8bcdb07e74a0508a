"""The shared filter math: design responses, and the renderer really applies them."""

import numpy as np
import pytest
from conftest import noise
from scipy.signal import welch

from faderpilot.render.chain import run_chain, saturate
from faderpilot.render.filters import response_db
from faderpilot.session.model import Processor

SR = 48000


def at(kind, params, f):
    return float(response_db(kind, params, np.array([f]), SR)[0])


@pytest.mark.parametrize("slope", [6.0, 12.0, 18.0, 24.0, 30.0, 36.0, 42.0, 48.0])
def test_every_slope_is_minus_3_at_the_corner_and_falls_at_its_rate(slope):
    from scipy.signal import butter, sosfreqz

    for kind in ("highpass", "lowpass"):
        p = {"freq_hz": 1000.0, "slope_db_oct": slope}
        assert at(kind, p, 1000) == pytest.approx(-3.01, abs=0.02), (kind, slope)
        ref = butter(
            int(slope / 6), 1000.0, btype="high" if kind == "highpass" else "low", fs=SR, output="sos"
        )
        f = np.array([100.0, 500.0, 2000.0, 8000.0])
        _, h = sosfreqz(ref, worN=f, fs=SR)
        assert np.allclose(response_db(kind, p, f, SR), 20 * np.log10(np.abs(h)), atol=0.01), (kind, slope)


def test_highpass_is_butterworth_of_the_slope():
    p12 = {"freq_hz": 100.0, "slope_db_oct": 12.0}
    p24 = {"freq_hz": 100.0, "slope_db_oct": 24.0}
    assert at("highpass", p12, 100) == pytest.approx(-3.01, abs=0.05)
    assert at("highpass", p24, 100) == pytest.approx(-3.01, abs=0.05)
    # an octave below: 12 dB/oct -> about -12.3 dB, 24 dB/oct -> about -24.1 dB
    assert at("highpass", p12, 50) == pytest.approx(-12.3, abs=0.3)
    assert at("highpass", p24, 50) == pytest.approx(-24.1, abs=0.3)
    assert abs(at("highpass", p12, 2000)) < 0.05
    assert at("lowpass", {"freq_hz": 8000.0, "slope_db_oct": 12.0}, 8000) == pytest.approx(-3.01, abs=0.05)


@pytest.mark.parametrize("gain", [-6.0, 4.5])
def test_peak_and_shelves_reach_their_gain(gain):
    assert at("peak", {"freq_hz": 1000.0, "gain_db": gain, "q": 2.0}, 1000) == pytest.approx(gain, abs=0.01)
    assert abs(at("peak", {"freq_hz": 1000.0, "gain_db": gain, "q": 2.0}, 100)) < 0.2
    assert at("low_shelf", {"freq_hz": 200.0, "gain_db": gain, "q": 0.707}, 20) == pytest.approx(
        gain, abs=0.2
    )
    assert at("low_shelf", {"freq_hz": 200.0, "gain_db": gain, "q": 0.707}, 200) == pytest.approx(
        gain / 2, abs=0.05
    )
    assert at("high_shelf", {"freq_hz": 5000.0, "gain_db": gain, "q": 0.707}, 20000) == pytest.approx(
        gain, abs=0.3
    )
    assert at("high_shelf", {"freq_hz": 5000.0, "gain_db": gain, "q": 0.707}, 5000) == pytest.approx(
        gain / 2, abs=0.05
    )


def test_rendered_noise_follows_the_design_response():
    chain = [
        Processor("hp", "highpass", {"freq_hz": 120.0, "slope_db_oct": 24.0}),
        Processor("pk", "peak", {"freq_hz": 2500.0, "gain_db": -5.0, "q": 1.4}),
        Processor("hs", "high_shelf", {"freq_hz": 8000.0, "gain_db": 3.0, "q": 0.707}),
    ]
    x = noise(20, SR, 0.1, 3)
    y = run_chain(x, chain, SR)
    f, px = welch(x[0], SR, nperseg=8192)
    _, py = welch(y[0], SR, nperseg=8192)
    sel = (f > 40) & (f < 16000)
    measured = 10 * np.log10(py[sel] / px[sel])
    design = sum(response_db(p.kind, p.params, f[sel], SR) for p in chain)
    err = measured - design
    # compare on smoothed spectra (Welch ratio noise), where the design is above -40 dB
    k = 15
    sm = np.convolve(err, np.ones(k) / k, mode="same")[k:-k]
    ok = design[k:-k] > -40
    assert np.max(np.abs(sm[ok])) < 0.5


def test_saturation_is_unity_for_quiet_signals_and_adds_harmonics_when_loud():
    sr = SR
    t = np.arange(sr) / sr
    quiet = (0.001 * np.sin(2 * np.pi * 55 * t)).astype(np.float32)[None]
    assert np.allclose(saturate(quiet, 12.0, 100.0), quiet, atol=1e-6)
    loud = (0.5 * np.sin(2 * np.pi * 55 * t)).astype(np.float32)[None]
    y = saturate(loud, 12.0, 100.0)
    spec = np.abs(np.fft.rfft(y[0]))
    assert spec[165] / spec[55] > 0.1  # third harmonic at 165 Hz appears
