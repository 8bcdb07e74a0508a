"""The synthesized demo song: files, formats, planted levels/problems, determinism, song writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy import signal

from faderpilot import demo
from faderpilot.demo import DEMO_LEVELS, DEMO_STEMS, generate_demo, generate_song

SECONDS = 8.0
SR = 44100


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    paths = generate_demo(out, seconds=SECONDS, sample_rate=SR, seed=0)
    assert paths == [out / s.name for s in DEMO_STEMS]
    return out


def _read(path: Path) -> tuple[np.ndarray, int]:
    x, sr = sf.read(path, dtype="float64", always_2d=True)
    return x.T, sr


def _raw(path: Path) -> np.ndarray:
    """The stored sample values, exactly (ints for PCM, floats for float files)."""
    dtype = "float32" if sf.info(path).subtype == "FLOAT" else "int32"
    return sf.read(path, dtype=dtype)[0]


def _psd(x: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    return signal.welch(x, sr, nperseg=8192)


def _band_db(f: np.ndarray, p: np.ndarray, lo: float, hi: float) -> float:
    return float(10 * np.log10(np.mean(p[(f >= lo) & (f <= hi)])))


def test_files_formats_and_readme(demo_dir: Path) -> None:
    for stem in DEMO_STEMS:
        path = demo_dir / stem.name
        assert path.is_file(), stem.name
        info = sf.info(path)
        assert info.format == stem.format
        assert info.subtype == stem.subtype
        assert info.channels == stem.channels
        assert info.samplerate == stem.sample_rate(SR)
        assert info.duration == pytest.approx(SECONDS, abs=1e-3)
    assert sf.info(demo_dir / "Pad.aif").samplerate == 48000  # the odd one out
    assert {sf.info(demo_dir / s.name).samplerate for s in DEMO_STEMS if not s.other_rate} == {SR}
    readme = (demo_dir / "README.txt").read_text()
    assert "synthesized demo stems" in readme and "demo.py" in readme
    assert not [p.name for p in demo_dir.iterdir() if p.name.startswith(".")]  # no temp files left


def test_levels_match_documented_peaks(demo_dir: Path) -> None:
    assert set(DEMO_LEVELS) == {s.name for s in DEMO_STEMS}
    for name, target in DEMO_LEVELS.items():
        x, _ = _read(demo_dir / name)
        peak = float(np.max(np.abs(x)))
        assert peak < 1.0, name
        assert 20 * np.log10(peak) == pytest.approx(target, abs=0.5), name
    # The imbalance is deliberate: a hot hi-hat and bass, a buried lead vocal.
    assert DEMO_LEVELS["HH.wav"] >= -1.5 and DEMO_LEVELS["Bass DI.flac"] >= -3.0
    assert DEMO_LEVELS["Vox Ld.wav"] <= -28.0 < DEMO_LEVELS["BGV 1.wav"]


def test_deterministic_per_seed(demo_dir: Path, tmp_path: Path) -> None:
    again = generate_demo(tmp_path / "same", seconds=SECONDS, sample_rate=SR, seed=0)
    other = generate_demo(tmp_path / "other", seconds=SECONDS, sample_rate=SR, seed=1)
    for a, b in zip(again, other, strict=True):
        reference = _raw(demo_dir / a.name)
        assert np.array_equal(reference, _raw(a)), a.name
        assert not np.array_equal(reference, _raw(b)), b.name


def test_vocal_phrases_band_and_rumble(demo_dir: Path) -> None:
    x, sr = _read(demo_dir / "Vox Ld.wav")
    v = x[0]
    # Gaps between phrases (and the intro) are silent: >= 0.5 s below -60 dBFS.
    quiet = np.abs(v) < 10 ** (-60 / 20)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], quiet.astype(np.int8), [0]))))
    longest = int(np.max(edges[1::2] - edges[::2]))
    assert longest >= 0.5 * sr
    assert np.mean(~quiet) > 0.3  # and there is singing
    f, p = _psd(v, sr)
    assert p[(f >= 150) & (f <= 4000)].sum() / p.sum() > 0.8
    # The 40 Hz rumble stands out of the (empty) low end, about 20 dB under the voice.
    assert 10 * np.log10(p[np.argmin(np.abs(f - 40))] / np.median(p[(f >= 60) & (f <= 140)])) > 15
    rumble = signal.sosfilt(signal.butter(4, [30, 50], "bandpass", fs=sr, output="sos"), v)
    assert 10 * np.log10(np.sum(rumble**2) / np.sum(v**2)) == pytest.approx(-20.0, abs=4.0)


def test_guitar_has_900hz_resonance(demo_dir: Path) -> None:
    x, sr = _read(demo_dir / "Gtr DI.wav")
    f, p = _psd(x[0], sr)
    around = 10 * np.log10(
        (10 ** (_band_db(f, p, 600, 750) / 10) + 10 ** (_band_db(f, p, 1050, 1250) / 10)) / 2
    )
    assert _band_db(f, p, 870, 930) > around + 5.0


def test_too_short_demo_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_demo(tmp_path, seconds=demo.MIN_DEMO_SECONDS - 1)


def test_generate_song_writes_numbered_tracks(tmp_path: Path) -> None:
    paths = generate_song(tmp_path, n_tracks=6, seconds=5.0, seed=3)
    assert len(paths) == 6 and len({p.name for p in paths}) == 6
    assert all(p.name.endswith(" 01.wav") for p in paths)
    assert sorted(p.name for p in tmp_path.glob("*.wav")) == sorted(p.name for p in paths)
    for p in paths:
        info = sf.info(p)
        assert (info.channels, info.samplerate, info.subtype) == (1, 48000, "PCM_24")
        assert info.frames == 5 * 48000
        x, _ = _read(p)
        assert np.max(np.abs(x)) < 1.0
        if not p.name.startswith("Toms"):  # toms only play fills, none in a two-bar song
            assert np.max(np.abs(x)) > 0.01, p.name
    more = generate_song(tmp_path / "more", n_tracks=14, seconds=2.0, sample_rate=16000)
    assert len({p.name for p in more}) == 14
    assert (tmp_path / "more" / "Kick 02.wav").is_file()


SYNTHS = [
    (demo.kick, 1),
    (demo.snare, 1),
    (demo.hihat, 1),
    (demo.toms, 1),
    (demo.overheads, 2),
    (demo.bass, 1),
    (demo.rhodes, 2),
    (demo.pad, 2),
    (demo.guitar, 1),
    (demo.lead_vocal, 1),
    (demo.backing_vocals, 1),
]


@pytest.mark.parametrize(("synth", "channels"), SYNTHS, ids=[s.__name__ for s, _ in SYNTHS])
def test_synth_shapes(synth, channels: int) -> None:
    sections = ["intro", "verse", "verse", "chorus", "chorus"]
    x = synth(22050, 10.0, 110.0, np.random.default_rng(1), sections)
    assert x.dtype == np.float32 and x.shape == (channels, 220500)
    assert np.all(np.isfinite(x))
    assert float(np.max(np.abs(x))) == pytest.approx(demo.PART_PEAK, rel=1e-4)


def test_bass_range_and_arrangement() -> None:
    sections = demo.arrangement(24.0)
    assert sections[0] == "intro" and {"verse", "chorus"} <= set(sections)
    assert len(demo.arrangement(240.0)) == int(np.ceil(240.0 * demo.TEMPO / 240.0))
    x = demo.bass(8000, 10.0, rng=np.random.default_rng(0), sections=["verse", "verse", "chorus"])
    f, p = signal.welch(x[0], 8000, nperseg=4096)
    assert 41.0 <= f[np.argmax(p)] <= 112.0
