"""Bad stems folders as users make them (issue 15), each run through ``faderpilot mix`` by the
harness: a coded message naming the file, no traceback, the good stems still mixed, sources
byte-identical, nothing in the output folder lost. Audio is generated here (1-2 s, 22.05 or
44.1 kHz, two good stems beside the bad one).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy import signal

from faderpilot.prep import pipeline as prep_pipeline

from .harness import check_mix, good_stems, run_cli, write

SR = 22050
GOOD = ("Kick.wav", "Bass.wav")


def _stems(tmp_path: Path) -> Path:
    folder = tmp_path / "My Song" / "stems"
    good_stems(folder, SR, 1.0, names=("Kick", "Bass"))
    return folder


def _noise(n: int, amp: float = 0.3, seed: int = 1) -> np.ndarray:
    return (amp * np.random.default_rng(seed).standard_normal(n)).astype(np.float32)


def _tone(seconds: float = 1.0, sr: int = SR, freq: float = 330.0, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


# each builder writes one bad (or odd) entry into the stems folder and returns
# (expected code or None, the name the message must carry, names that must be mixed besides GOOD)
def short_10ms(d: Path):
    write(d / "Click.wav", _noise(int(0.01 * SR)), SR)
    return "FP-W040", "Click.wav", ()


def one_sample(d: Path):
    write(d / "Blip.wav", np.array([0.9], np.float32), SR)
    return "FP-W040", "Blip.wav", ()


def dc_only(d: Path):
    write(d / "Hum.wav", np.full(SR, 0.4, np.float32), SR)
    return "FP-W041", "Hum.wav", ()


def nan_samples(d: Path):
    x = _tone()
    x[1000:1100] = np.nan
    write(d / "Synth.wav", x, SR, "FLOAT")
    return "FP-W042", "Synth.wav", ("Synth.wav",)


def inf_samples(d: Path):
    x = _tone()
    x[500], x[900] = np.inf, -np.inf
    write(d / "Lead.wav", x, SR, "FLOAT")
    return "FP-W042", "Lead.wav", ("Lead.wav",)


def far_over(d: Path):
    write(d / "Organ.wav", _tone(amp=1000.0), SR, "FLOAT")
    return "FP-W043", "Organ.wav", ("Organ.wav",)


def absurd_over(d: Path):  # garbage floats: 1e30 would overflow every loudness sum
    write(d / "Glitch.wav", _tone(amp=1e30), SR, "FLOAT")
    return "FP-W043", "Glitch.wav", ("Glitch.wav",)


def truncated(d: Path):
    p = write(d / "Pad.wav", _tone(1.8, freq=220.0), SR, "PCM_24")
    raw = p.read_bytes()
    p.write_bytes(raw[: len(raw) // 2])
    return "FP-W044", "Pad.wav", ("Pad.wav",)


def empty_file(d: Path):
    (d / "Vox.wav").write_bytes(b"")
    return "FP-E001", "Vox.wav", ()


def text_as_wav(d: Path):
    (d / "Guitar.wav").write_text("these are my lyrics, not audio\n" * 20)
    return "FP-E001", "Guitar.wav", ()


def three_channels(d: Path):
    write(d / "Surround.wav", np.stack([_tone(), _tone(), _tone()]), SR)
    return "FP-E003", "Surround.wav", ()


def zero_frames(d: Path):
    write(d / "Nothing.wav", np.zeros((0, 1), np.float32).T, SR)
    return "FP-E002", "Nothing.wav", ()


def symlink_loop(d: Path):
    os.symlink("Loop.wav", d / "Loop.wav")
    return "FP-W045", "Loop.wav", ()


def dangling_link(d: Path):
    os.symlink("/nonexistent/Strings.wav", d / "Strings.wav")
    return "FP-W045", "Strings.wav", ()


def subfolder(d: Path):
    write(d / "Vocals" / "Lead Vox.wav", _tone(), SR)
    (d / "old").mkdir()  # a subfolder with no audio is not worth a word
    return "FP-W046", "Vocals", ()


def opus_file(d: Path):
    write(d / "Choir.opus", _tone(sr=48000), 48000, "OPUS", "OGG")
    return "FP-W001", "Choir.opus", ("Choir.opus",)  # read (resampled), not refused


def not_audio(d: Path):
    (d / "track sheet.pdf").write_bytes(b"%PDF-1.4\n")
    return "FP-W003", "track sheet.pdf", ()


def other_rate(d: Path):
    write(d / "Piano.wav", _tone(sr=44100), 44100)
    return "FP-W001", "Piano.wav", ("Piano.wav",)


def bit_depths(d: Path):
    write(d / "Eight.wav", _tone(freq=440.0), SR, "PCM_U8")
    write(d / "TwentyFour.wav", _tone(freq=550.0), SR, "PCM_24")
    write(d / "Float.wav", _tone(freq=660.0), SR, "FLOAT")
    return None, None, ("Eight.wav", "TwentyFour.wav", "Float.wav")


def long_name(d: Path):
    name = "Lead Vocal " + "take final really final " * 8 + "v2.wav"  # 207 characters
    write(d / name, _tone(freq=440.0), SR)
    return None, None, (name,)


def unicode_names(d: Path):
    write(d / "Gitarre Ä ürsprung — 雨 🎸.wav", _tone(freq=196.0), SR)
    write(d / "  spaced   out  .wav", _tone(freq=294.0), SR)
    return None, None, ("Gitarre Ä ürsprung — 雨 🎸.wav", "  spaced   out  .wav")


def case_twins(d: Path):
    write(d / "Keys.wav", _tone(freq=262.0), SR)
    write(d / "keys.wav", _tone(freq=392.0), SR)
    return None, None, ("Keys.wav", "keys.wav")


CASES = [
    short_10ms,
    one_sample,
    dc_only,
    nan_samples,
    inf_samples,
    far_over,
    absurd_over,
    truncated,
    empty_file,
    text_as_wav,
    three_channels,
    zero_frames,
    symlink_loop,
    dangling_link,
    subfolder,
    opus_file,
    not_audio,
    other_rate,
    bit_depths,
    long_name,
    unicode_names,
    case_twins,
]


@pytest.mark.parametrize("build", CASES, ids=[c.__name__ for c in CASES])
def test_bad_entry_beside_good_stems(tmp_path, build):
    stems = _stems(tmp_path)
    code, name, more = build(stems)
    out = tmp_path / "out"
    out.mkdir()
    (out / "my notes.txt").write_text("mix notes the user keeps here\n")
    r = check_mix(stems, out, code=code, file=name, good=GOOD + tuple(more))
    assert json.loads((out / "session.json").read_text())["name"] == "My Song"
    assert (out / "my notes.txt").read_text() == "mix notes the user keeps here\n"
    if code in ("FP-W040", "FP-W041"):  # unusable: unity, muted, flagged, never balanced
        (t,) = [t for t in r.session["tracks"] if Path(t["source"]).name == name]
        assert (t["trim_db"], t["fader_db"], t["mute"]) == (0.0, 0.0, True)
        assert t["analysis"]["unusable"] == code


def test_unusable_stems_do_not_make_the_mix_quieter(tmp_path):
    """A 10 ms stem, a one-sample stem and a DC-only stem beside the good ones: the mix of the
    good stems is as loud as without them."""
    clean = _stems(tmp_path / "a")
    r0 = check_mix(clean, tmp_path / "out0", good=GOOD)
    bad = _stems(tmp_path / "b")
    for build in (short_10ms, one_sample, dc_only):
        build(bad)
    r1 = check_mix(bad, tmp_path / "out1", code="FP-W040", file="Click.wav", good=GOOD)
    assert "Blip.wav" in " ".join(r1.lines("FP-W040")) and "Hum.wav" in " ".join(r1.lines("FP-W041"))
    a, b = r0.session["provenance"]["mix"], r1.session["provenance"]["mix"]
    assert abs(a["integrated_lufs"] - b["integrated_lufs"]) < 0.1
    assert abs(a["peak_db"] - b["peak_db"]) < 0.1


def test_nan_and_inf_are_read_as_zero_and_the_file_is_untouched(tmp_path):
    from faderpilot.audio.io import read_audio

    x = _tone()
    x[10], x[20], x[30] = np.nan, np.inf, -np.inf
    p = write(tmp_path / "Bad.wav", x, SR, "FLOAT")
    before = p.read_bytes()
    got = read_audio(p)
    assert np.isfinite(got.audio).all() and got.audio[0, 10] == got.audio[0, 20] == got.audio[0, 30] == 0.0
    assert [c for c, _ in got.notes] == ["FP-W042"] and "3 " in got.notes[0][1]
    assert p.read_bytes() == before


def test_cut_off_wav_says_how_much_is_missing(tmp_path):
    from faderpilot.audio.io import read_audio

    p = write(tmp_path / "Cut.wav", _tone(2.0), SR, "PCM_16")
    raw = p.read_bytes()
    p.write_bytes(raw[: 44 + SR * 2])  # the header and 1 s of the 2 s (16-bit mono)
    got = read_audio(p)
    ((code, text),) = got.notes
    missing = 2 * SR - got.audio.shape[1]
    assert code == "FP-W044" and str(2 * SR) in text and f"{missing / SR:.3f} s missing" in text


def test_only_unreadable_files_names_each_with_its_reason(tmp_path):
    stems = tmp_path / "Song" / "stems"
    stems.mkdir(parents=True)
    (stems / "Vox.wav").write_bytes(b"")
    (stems / "Bass.wav").write_text("not audio")
    write(stems / "Surround.wav", np.stack([_tone(), _tone(), _tone()]), SR)
    r = check_mix(stems, tmp_path / "out", code="FP-E010", file="Vox.wav", status=1)
    (line,) = r.lines("FP-E010")
    for name, code in (("Vox.wav", "FP-E001"), ("Bass.wav", "FP-E001"), ("Surround.wav", "FP-E003")):
        assert f"{name}: " in line and code in line


def test_a_file_gone_between_listing_and_reading(tmp_path, monkeypatch):
    stems = _stems(tmp_path)
    victim = write(stems / "Perc.wav", _tone(), SR)
    away = tmp_path / "Perc.wav.away"
    load = prep_pipeline.load_stems

    def vanishing(files, *a, **k):  # listed, then gone while the stems are read; back afterwards
        victim.rename(away)
        try:
            return load(files, *a, **k)
        finally:
            away.rename(victim)

    monkeypatch.setattr(prep_pipeline, "load_stems", vanishing)
    check_mix(stems, tmp_path / "out", code="FP-E001", file="Perc.wav", good=GOOD)


def test_a_file_the_user_may_not_read(tmp_path, monkeypatch):
    """Permission denied: real (chmod 000) when not root; as root (where chmod cannot lock a file
    out) the open is refused the way the OS would refuse it."""
    stems = _stems(tmp_path)
    victim = write(stems / "Horns.wav", _tone(), SR)
    if os.geteuid() != 0:
        victim.chmod(0)
    else:
        import faderpilot.audio.io as aio

        info = aio.sf.info

        def refuse(path, *a, **k):
            if Path(path).name == victim.name:
                raise PermissionError(13, "Permission denied", str(path))
            return info(path, *a, **k)

        monkeypatch.setattr(aio.sf, "info", refuse)
    try:
        r = check_mix(stems, tmp_path / "out", code="FP-E001", file="Horns.wav", good=GOOD)
    finally:
        victim.chmod(0o644)
    assert "ermission" in " ".join(r.lines("FP-E001"))


@pytest.mark.parametrize("folder", ["stems", "Stems", "Audio Files", "Bounces", "export", "tracks"])
def test_a_generic_stems_folder_takes_the_song_folders_name(tmp_path, folder):
    stems = tmp_path / "Summer Song" / folder
    good_stems(stems, SR, 1.0, names=("Kick", "Bass"))
    r = prep_pipeline.prep(stems)
    assert r.session.name == "Summer Song"


# ------------------------------------------------------------------------------------------
# Numbered stems: "02 SN Top" and "08 SN Btm" are one snare (the bottom inverted, 1.3 ms late)

SR_KIT = 44100
BOTTOM_LATE = 0.0013 * SR_KIT  # 57.33 samples


def _frac_delay(x: np.ndarray, d: float) -> np.ndarray:
    n = x.size
    size = 1 << int(np.ceil(np.log2(n + 4096)))
    f = np.fft.rfftfreq(size)
    return np.fft.irfft(np.fft.rfft(x, size) * np.exp(-2j * np.pi * f * d), size)[:n]


def _snare_kit(folder: Path, seconds: float = 2.5) -> None:
    rng = np.random.default_rng(7)
    n = int(seconds * SR_KIT)
    ts = np.arange(int(0.2 * SR_KIT)) / SR_KIT
    bp = signal.butter(2, [2000, 8000], "bandpass", fs=SR_KIT, output="sos")
    hit = 0.6 * np.sin(2 * np.pi * 190 * ts) * np.exp(-ts / 0.06)
    hit += signal.sosfilt(bp, rng.standard_normal(ts.size)) * np.exp(-ts / 0.08)
    hit /= np.abs(hit).max()
    src = np.zeros(n)
    for t0 in np.arange(0.2, seconds - 0.3, 0.25):
        i = int(round(t0 * SR_KIT))
        src[i : i + hit.size] += hit * rng.uniform(0.6, 1.0)
    hp = signal.butter(2, 300, "highpass", fs=SR_KIT, output="sos")
    bottom = signal.sosfiltfilt(hp, src) + 0.3 * signal.sosfilt(bp, rng.standard_normal(n)) * (
        np.abs(src) > 0.05
    )
    floor = lambda: 1e-4 * rng.standard_normal(n)  # noqa: E731
    write(folder / "02 SN Top.wav", (0.7 * src + floor()).astype(np.float32), SR_KIT, "PCM_24")
    write(
        folder / "08 SN Btm.wav",
        (-0.5 * _frac_delay(bottom, BOTTOM_LATE) + floor()).astype(np.float32),
        SR_KIT,
        "PCM_24",
    )
    t = np.arange(n) / SR_KIT
    write(folder / "05 Bass DI.wav", (0.4 * np.sin(2 * np.pi * 55 * t)).astype(np.float32), SR_KIT, "PCM_24")


def test_numbered_snare_top_and_bottom_are_one_source_flipped_and_aligned(tmp_path):
    stems = tmp_path / "Numbered" / "stems"
    _snare_kit(stems)
    r = check_mix(stems, tmp_path / "out", good=("02 SN Top.wav", "08 SN Btm.wav", "05 Bass DI.wav"))
    t = {Path(x["source"]).name: x for x in r.session["tracks"]}
    top, btm = t["02 SN Top.wav"], t["08 SN Btm.wav"]
    assert (top["name"], btm["name"]) == ("SN Top", "SN Btm")
    assert btm["polarity_inverted"] and not top["polarity_inverted"]
    late = (top["delay_ms"] - btm["delay_ms"]) * SR_KIT / 1000  # the top waits for the bottom
    err = late - BOTTOM_LATE
    print(f"snare bottom alignment error {err:+.2f} samples")
    assert abs(err) <= 1.0
    assert any("SN Btm" in ln and "polarity flipped" in ln for ln in r.output.splitlines())


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("02 SN Top.wav", "SN Top.wav"),
        ("08_SN Btm.wav", "SN Btm.wav"),
        ("Audio 03 - Kick In.wav", "Kick In.wav"),
        ("7) Keys.wav", "Keys.wav"),
        ("Tom 1.wav", "Tom 1.wav"),
        ("BGV 2.wav", "BGV 2.wav"),
        ("808 Kick.wav", "808 Kick.wav"),
        ("2nd Vox.wav", "2nd Vox.wav"),
        ("Audio 02.wav", "Audio 02.wav"),
        ("01.wav", "01.wav"),
    ],
)
def test_export_numbering_is_stripped_and_source_numbers_kept(name, expected):
    from faderpilot.prep.naming import strip_export_number

    assert strip_export_number(name) == expected


def test_numbered_toms_stay_two_drums():
    from faderpilot.prep.align import instrument_key

    assert instrument_key("03 Tom 1.wav", "toms") != instrument_key("04 Tom 2.wav", "toms")
    assert instrument_key("02 SN Top.wav", "snare")[0] == instrument_key("08 SN Btm.wav", "snare")[0]


def test_opus_is_read(tmp_path):
    p = write(tmp_path / "x.opus", _tone(sr=48000), 48000, "OPUS", "OGG")
    assert "OPUS" in sf.available_subtypes("OGG")
    files, ignored = prep_pipeline.find_stems(tmp_path)
    assert files == [p] and not ignored


def test_cli_error_without_traceback_for_a_missing_folder(tmp_path):
    r = run_cli("mix", tmp_path / "nowhere", "-o", tmp_path / "out")
    assert r.status == 1 and "Traceback" not in r.output and "nowhere" in r.output


def test_only_short_stems_play_at_unity_unbalanced(tmp_path):
    """When every stem is too short there is nothing to protect: none is muted, all stay at unity."""
    stems = tmp_path / "Jingle"
    write(stems / "Ding.wav", _tone(0.3, freq=880.0), SR)
    write(stems / "Dong.wav", _tone(0.3, freq=660.0), SR)
    r = check_mix(stems, tmp_path / "out", code="FP-W040", file="Ding.wav")
    for t in r.session["tracks"]:
        assert (t["trim_db"], t["fader_db"], t["mute"]) == (0.0, 0.0, False)
        assert t["analysis"]["unusable"] == "FP-W040"
