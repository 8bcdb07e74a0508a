"""Loading edge cases: formats, bit depths, rates, channels, lengths, bad files; sources untouched."""

import hashlib

import numpy as np
import pytest
import soundfile as sf
from conftest import rms_db

from faderpilot.audio.io import AudioReadError, fit_length, read_audio, resample
from faderpilot.pipeline import find_stems, load_stems, session_rate

CASES = [
    ("a.wav", "WAV", "PCM_16", 44100, 1),
    ("b.wav", "WAV", "PCM_24", 48000, 2),
    ("c.wav", "WAV", "PCM_32", 96000, 1),
    ("d.wav", "WAV", "FLOAT", 88200, 2),
    ("e.wav", "WAV", "DOUBLE", 48000, 1),
    ("f.flac", "FLAC", "PCM_24", 48000, 2),
    ("g.aiff", "AIFF", "PCM_24", 44100, 1),
]


@pytest.mark.parametrize("name,fmt,subtype,sr,ch", CASES)
def test_reads_every_format_depth_rate_and_channel_count(tmp_path, name, fmt, subtype, sr, ch):
    t = np.arange(int(0.5 * sr)) / sr
    x = 0.25 * np.sin(2 * np.pi * 440 * t)
    data = np.stack([x] * ch, axis=1)
    sf.write(tmp_path / name, data, sr, subtype=subtype, format=fmt)
    got = read_audio(tmp_path / name)
    assert got.audio.shape == (ch, len(t)) and got.audio.dtype == np.float32
    assert got.sample_rate == sr and got.subtype == subtype
    assert rms_db(got.audio) == pytest.approx(rms_db(x), abs=0.01)


def test_resample_keeps_frequency_and_level():
    x = (0.5 * np.sin(2 * np.pi * 1000 * np.arange(96000) / 96000)).astype(np.float32)[None]
    y = resample(x, 96000, 48000)
    assert y.shape == (1, 48000)
    spec = np.abs(np.fft.rfft(y[0, 4800:-4800] * np.hanning(38400)))
    assert np.argmax(spec) * 48000 / 38400 == pytest.approx(1000, abs=2)
    assert rms_db(y[:, 4800:-4800]) == pytest.approx(rms_db(x), abs=0.05)


def test_fit_length_pads_at_the_end():
    x = np.ones((2, 10), np.float32)
    y = fit_length(x, 15)
    assert y.shape == (2, 15) and y[:, :10].all() and not y[:, 10:].any()


def test_bad_files_are_named_and_skipped_and_the_rest_loads(tmp_path):
    sf.write(tmp_path / "good.wav", np.zeros((100, 1)) + 0.1, 48000)
    (tmp_path / "fake.wav").write_text("this is not audio")
    sf.write(tmp_path / "empty.wav", np.zeros((0, 1)), 48000)
    sf.write(tmp_path / "surround.wav", np.zeros((100, 6)), 48000)
    (tmp_path / "notes.txt").write_text("hello")
    files, ignored = find_stems(tmp_path)
    assert ignored == ["notes.txt"]
    loaded, skipped = load_stems(files, 2, lambda *a: None)
    assert [p.path.name for p in loaded] == ["good.wav"]
    codes = {s.path.split("/")[-1]: s.code for s in skipped}
    assert codes == {"fake.wav": "FP-E001", "empty.wav": "FP-E002", "surround.wav": "FP-E003"}
    for s in skipped:
        assert s.path.split("/")[-1] in str(AudioReadError(tmp_path / s.path, s.code, s.message))


def test_session_rate_is_the_most_common():
    assert session_rate([44100, 48000, 48000, 96000]) == 48000
    assert session_rate([44100, 48000]) == 48000  # tie goes to the higher rate


def test_reading_never_modifies_the_source(tmp_path):
    p = tmp_path / "x.wav"
    sf.write(p, np.random.default_rng(0).standard_normal((4800, 2)) * 0.1, 48000, subtype="PCM_24")
    before = hashlib.sha256(p.read_bytes()).hexdigest()
    read_audio(p)
    assert hashlib.sha256(p.read_bytes()).hexdigest() == before
