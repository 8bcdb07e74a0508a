"""Each decision rule on synthetic signals with a known right answer."""

import numpy as np
import pytest
from conftest import noise, rms_db
from rulekit import build, harmonic
from scipy.signal import butter, sosfilt

from faderpilot.analysis.measure import analyse
from faderpilot.decide import apply, decide
from faderpilot.decide.balance import balance
from faderpilot.decide.dynamics import compression, saturation
from faderpilot.decide.eq import highpass, unmask
from faderpilot.decide.space import pan
from faderpilot.render.chain import run_chain
from faderpilot.render.engine import render

SR = 48000


def chain_of(session, tid, kind):
    return [p for p in session.track(tid).chain if p.kind == kind]


def test_rumble_at_40hz_gets_a_highpass_above_it_and_below_the_fundamental():
    gtr = harmonic([110.0, 146.8, 164.8, 130.8], 8.0)  # A2 D3 E3 C3
    t = np.arange(gtr.shape[1]) / SR
    rumble = (0.02 * np.sin(2 * np.pi * 40 * t)).astype(np.float32)[None]
    s, ctx, _ = build({"Gtr.wav": (gtr + rumble, "electric_guitar")})
    moves = highpass(ctx, s)
    assert len(moves) == 1
    f = moves[0].value.params["freq_hz"]
    assert 50 < f < 110, f
    assert "rumble at 40 Hz" in moves[0].reason and "A2, 110 Hz" in moves[0].reason


def test_guitar_masking_the_vocals_presence_is_cut_in_the_guitar_not_the_vocal():
    sr = SR
    rng = np.random.default_rng(1)
    n = 8 * sr
    # vocal-like: harmonic tone with energy in 1-4 kHz; guitar: noise band 2-4 kHz loud
    voc = harmonic([220.0, 247.0, 262.0, 294.0], 8.0, n_harm=18, amp=0.2)
    band = sosfilt(butter(4, [2000, 4000], "bandpass", fs=sr, output="sos"), rng.standard_normal(n))
    gtr_body = harmonic([110.0, 147.0], 8.0, amp=0.2, seed=3)[0]
    gtr = (gtr_body + 0.6 * band / np.max(np.abs(band)) * 0.2).astype(np.float32)[None]
    s, ctx, _ = build({"Vox.wav": (voc, "lead_vocal"), "Gtr.wav": (gtr, "electric_guitar")})
    apply(s, balance(ctx, s))
    vocal = next(t for t in s.tracks if t.role.value == "lead_vocal")
    guitar = next(t for t in s.tracks if t.role.value == "electric_guitar")
    guitar.fader_db -= 9.0  # a mixer's guitar under the vocal: close enough in 2-4 kHz to mask it
    moves = unmask(ctx, s)
    assert moves and all(m.target == guitar.id for m in moves)
    assert not any(m.target == vocal.id for m in moves)
    f = moves[0].value.params["freq_hz"]
    assert 2000 <= f <= 4000 and moves[0].value.params["gain_db"] < 0
    assert "unmask" in moves[0].reason


def test_twenty_db_of_peaks_over_the_body_gets_compression_in_the_measured_range():
    sr = SR
    n = 10 * sr
    t = np.arange(n) / sr
    body = 10 ** (-30 / 20) * np.sqrt(2) * np.sin(2 * np.pi * 220 * t)
    env = np.ones(n)
    for k in range(10):  # a 150 ms peak every second, 20 dB over the body
        env[k * sr + sr // 2 : k * sr + sr // 2 + int(0.15 * sr)] = 10.0
    x = (body * env).astype(np.float32)[None]
    s, ctx, audio = build({"Vox.wav": (x, "lead_vocal")})
    moves = compression(ctx, s)
    assert len(moves) == 1
    p = moves[0].value.params
    a = ctx.analyses[s.tracks[0].id]
    spread = a.env_percentiles[99] - a.env_percentiles[50]
    assert spread == pytest.approx(20, abs=1.5)
    # measure the real gain reduction on the peaks: render with and without the compressor
    trim = 10 ** (s.tracks[0].trim_db / 20)
    y = run_chain(x * trim, [moves[0].value], sr)
    peaks = slice(5 * sr + sr // 2 + int(0.05 * sr), 5 * sr + sr // 2 + int(0.15 * sr))
    gr = rms_db(x[:, peaks] * trim) - rms_db(y[:, peaks] / 10 ** (p["makeup_db"] / 20))
    assert 3.0 < gr < 20.0, gr
    # and the body passes almost untouched
    quiet = slice(2 * sr, 2 * sr + sr // 4)
    assert abs(rms_db(x[:, quiet] * trim) - rms_db(y[:, quiet] / 10 ** (p["makeup_db"] / 20))) < 2.0


def test_steady_pad_gets_no_compression():
    x = harmonic([220.0] * 4, 8.0)
    x[:] = harmonic([220.0], 8.0)[:, : x.shape[1]]
    s, ctx, _ = build(
        {
            "Keys.wav": (
                np.tile(x[:, :SR], (1, 8)) * 0
                + 0.1 * np.sin(2 * np.pi * 330 * np.arange(8 * SR) / SR).astype(np.float32)[None],
                "keys",
            )
        }
    )
    assert compression(ctx, s) == []


def test_bass_without_upper_content_gets_saturation_that_adds_harmonics():
    t = np.arange(8 * SR) / SR
    bass = (0.3 * np.sin(2 * np.pi * 55 * t)).astype(np.float32)[None]
    s, ctx, audio = build({"Bass.wav": (bass, "bass")})
    moves = [m for m in saturation(ctx, s) if m.target != "drums"]
    assert len(moves) == 1 and "150 Hz" in moves[0].reason
    before = analyse(bass * 10 ** (s.tracks[0].trim_db / 20), SR)
    y = run_chain(bass * 10 ** (s.tracks[0].trim_db / 20), [moves[0].value], SR)
    after = analyse(y, SR)

    def upper(a):
        p = 10 ** (a.ltas_db / 10)
        return 10 * np.log10(np.sum(p[a.freqs > 150]) / np.sum(p[a.freqs > 20]))

    assert upper(after) - upper(before) > 20
    assert upper(after) > -35


def test_pan_centres_anchors_and_spreads_pairs():
    x = noise(4.0)
    s, ctx, _ = build(
        {
            "Kick.wav": (x, "kick"),
            "Bass.wav": (x, "bass"),
            "Vox.wav": (x, "lead_vocal"),
            "OH L.wav": (x, "overheads"),
            "OH R.wav": (x, "overheads"),
            "BGV 1.wav": (x, "backing_vocals"),
            "BGV 2.wav": (x, "backing_vocals"),
            "BGV 3.wav": (x, "backing_vocals"),
        }
    )
    apply(s, pan(ctx, s))
    by = {t.name: t.pan for t in s.tracks}
    assert by["Kick"] == by["Bass"] == by["Vox"] == 0.0
    assert by["OH L"] < -0.5 and by["OH R"] > 0.5
    bgv = sorted(by[f"BGV {i}"] for i in (1, 2, 3))
    assert bgv[0] < 0 < bgv[2] and bgv[1] == 0


def test_stereo_bass_is_made_mono():
    x = np.vstack([noise(4.0, seed=1)[0], noise(4.0, seed=2)[0]])
    s, ctx, _ = build({"Bass.wav": (x, "bass")})
    apply(s, pan(ctx, s))
    assert s.tracks[0].width == 0.0


def _printed_lufs(s, ctx, audio, priors):
    from faderpilot.analysis.loudness import integrated_loudness

    ctx.priors = priors
    decide(s, ctx)
    r = render(s, audio)
    return {t.role.value: integrated_loudness(r.track_stems[t.id], SR) for t in s.tracks}, s


def _three_parts():
    voc = harmonic([220.0, 247.0, 262.0, 294.0], 8.0, n_harm=12, amp=0.02)  # very quiet
    gtr = harmonic([110.0, 147.0, 165.0, 131.0], 8.0, amp=0.9, seed=2)  # very loud
    keys = harmonic([262.0, 330.0, 392.0, 349.0], 8.0, amp=0.3, seed=4)
    return {"Vox.wav": (voc, "lead_vocal"), "Gtr.wav": (gtr, "electric_guitar"), "Keys.wav": (keys, "keys")}


def test_balance_with_no_learned_departure_is_equal_loudness_after_the_chain():
    s, ctx, audio = build(_three_parts())
    lv, s = _printed_lufs(s, ctx, audio, {"terms": {}})
    assert max(lv.values()) - min(lv.values()) < 0.6, lv  # 38 dB apart in the files
    for t in s.tracks:
        assert t.decisions["fader_db"].refs["departures"] == []
        assert "at equal loudness" in t.decisions["fader_db"].reason


def test_a_stereo_bass_made_mono_keeps_its_balanced_loudness():
    wide = np.vstack([noise(8.0, amp=0.2, seed=1)[0], noise(8.0, amp=0.2, seed=2)[0]])  # side = mid
    s, ctx, audio = build({"Bass.wav": (wide, "bass"), **_three_parts()})
    lv, s = _printed_lufs(s, ctx, audio, {"terms": {}})
    bass = next(t for t in s.tracks if t.role.value == "bass")
    assert bass.width == 0.0 and bass.decisions["fader_db"].refs["width_change_db"] < -2.5
    assert abs(lv["bass"] - lv["keys"]) < 0.6, lv  # the 3 dB the fold to mono removes is given back


def test_balance_applies_each_learned_departure_and_says_on_how_many_songs():
    priors = {
        "terms": {
            "role:keys": {"value": 4.0, "songs": 7, "what": "piano/keys parts"},
            "role:electric_guitar": {"value": -3.0, "songs": 5, "what": "electric guitar parts"},
            "role:lead_vocal": {"value": 0.0, "songs": 0, "what": "lead vocal parts"},
        }
    }
    parts = _three_parts()
    parts["Vox.wav"] = (parts["Vox.wav"][0], "synth")  # an instrumental song: nothing caps the keys
    s, ctx, audio = build(parts)
    lv, s = _printed_lufs(s, ctx, audio, priors)
    assert lv["keys"] - lv["synth"] == pytest.approx(4.0, abs=0.6)
    assert lv["electric_guitar"] - lv["synth"] == pytest.approx(-3.0, abs=0.6)
    keys = next(t for t in s.tracks if t.role.value == "keys").decisions["fader_db"]
    assert keys.refs["departures"][0]["term"] == "role:keys" and keys.refs["departures"][0]["songs"] == 7
    assert "+4.0 dB for piano/keys parts (7 training songs)" in keys.reason


def test_with_a_lead_vocal_no_part_is_set_over_it_and_it_is_not_set_under_equal_loudness():
    priors = {
        "terms": {
            "role:keys": {"value": 4.0, "songs": 7, "what": "piano/keys parts"},
            "role:electric_guitar": {"value": -3.0, "songs": 5, "what": "electric guitar parts"},
            "role:lead_vocal": {"value": -2.0, "songs": 3, "what": "lead vocal parts"},
        }
    }
    s, ctx, audio = build(_three_parts())
    lv, s = _printed_lufs(s, ctx, audio, priors)
    assert lv["keys"] - lv["lead_vocal"] == pytest.approx(0.0, abs=0.6)  # held at the vocal's level
    assert lv["electric_guitar"] - lv["lead_vocal"] == pytest.approx(-3.0, abs=0.6)  # under it: kept
    keys = next(t for t in s.tracks if t.role.value == "keys").decisions["fader_db"]
    vocal = next(t for t in s.tracks if t.role.value == "lead_vocal").decisions["fader_db"]
    assert "no part is set over the lead vocal" in keys.reason
    assert vocal.refs["departure_db"] == 0.0 and "not set under the parts it leads" in vocal.reason


def _resonant(x, f0, gain_db, q):
    from faderpilot.render.filters import sos

    return sosfilt(sos("peak", {"freq_hz": f0, "gain_db": gain_db, "q": q}, SR), x, axis=-1).astype(
        np.float32
    )


def test_fixed_resonance_under_moving_notes_gets_a_cut_there_and_clean_tracks_get_none():
    from faderpilot.decide.eq import resonances

    notes = [110.0, 123.5, 146.8, 164.8, 130.8, 98.0, 116.5, 138.6]
    gtr = harmonic(notes, 8.0, n_harm=40, amp=0.3)
    s, ctx, _ = build({"Gtr.wav": (_resonant(gtr, 1200.0, 10.0, 6.0), "electric_guitar")})
    moves = resonances(ctx, s)
    assert moves, "resonance not found"
    f = moves[0].value.params["freq_hz"]
    assert 1200 / 2 ** (1 / 6) < f < 1200 * 2 ** (1 / 6), f
    assert moves[0].value.params["gain_db"] <= -3
    s, ctx, _ = build({"Gtr.wav": (gtr, "electric_guitar")})
    assert resonances(ctx, s) == []


def _sung_phrases(swell: float) -> np.ndarray:
    """A part that plays a few phrases: four 1.5 s phrases of a -30 dBFS tone, each with a 0.3 s
    swell ``swell`` times the body's amplitude, then silence; swells smoothed (sung, not hit)."""
    sr = SR
    n = 16 * sr
    body = 10 ** (-30 / 20) * np.sqrt(2) * np.sin(2 * np.pi * 220 * np.arange(n) / sr)
    env = np.zeros(n)
    for k in range(4):
        env[k * 4 * sr : k * 4 * sr + int(1.5 * sr)] = 1.0
        env[k * 4 * sr + sr // 2 : k * 4 * sr + sr // 2 + int(0.3 * sr)] = swell
    w = np.hanning(int(0.2 * sr))
    return (body * np.convolve(env, w / w.sum(), mode="same")).astype(np.float32)[None]


def _loudness_through_chain(track, audio) -> tuple[float, float]:
    """(LUFS after the track's chain, LUFS of what enters it) for a track of a ``build`` session."""
    from faderpilot.analysis.loudness import integrated_loudness

    trimmed = audio[track.source_id] * np.float32(10 ** (track.trim_db / 20))
    return integrated_loudness(run_chain(trimmed, track.chain, SR), SR), integrated_loudness(trimmed, SR)


def test_a_compressor_on_a_part_that_plays_a_few_phrases_keeps_its_measured_loudness():
    """The static-curve makeup reads 50 ms levels, the detector follows the peaks: on a sparse,
    peaky part it takes several dB more; the makeup measured on the audio gives all of it back."""
    from faderpilot.decide.dynamics import calibrate_makeup
    from faderpilot.render.engine import compressor_changes_db

    sr = SR
    x = _sung_phrases(4.0)  # swells 12 dB over the body
    s, ctx, audio = build({"Lead.wav": (x, "lead_vocal")})
    apply(s, compression(ctx, s))
    track = s.tracks[0]
    comp = chain_of(s, track.id, "compressor")
    assert comp, "the sparse, peaky part is compressed"
    static = comp[0].params["makeup_db"]
    changes = {track.id: compressor_changes_db(track, audio[track.source_id], sr)}
    before = changes[track.id][comp[0].id]
    assert before < -1.0, before  # the static-curve makeup falls short by more than 1 dB
    apply(s, calibrate_makeup(s, changes))
    assert chain_of(s, track.id, "compressor")[0].params["makeup_db"] == pytest.approx(
        static - before, abs=0.11
    )
    after = compressor_changes_db(track, audio[track.source_id], sr)[comp[0].id]
    assert abs(after) <= 0.15, after
    out, into = _loudness_through_chain(track, audio)
    assert out == pytest.approx(into, abs=0.3)
    assert "Measured on its audio" in chain_of(s, track.id, "compressor")[0].decision.reason


def test_a_compressor_that_would_need_more_than_twelve_db_of_makeup_compresses_less():
    """Swells 20 dB over the body of a sparse part: the measured loss is over 12 dB, so the
    threshold goes up until makeup can give it back, and the part keeps its loudness."""
    from faderpilot.decide.dynamics import MAX_MAKEUP_DB
    from faderpilot.pipeline import keep_compressed_loudness

    x = _sung_phrases(10.0)
    s, ctx, audio = build({"Lead.wav": (x, "lead_vocal")})
    apply(s, compression(ctx, s))
    track = s.tracks[0]
    threshold = chain_of(s, track.id, "compressor")[0].params["threshold_db"]
    keep_compressed_loudness(s, audio, workers=1)
    comp = chain_of(s, track.id, "compressor")[0]
    assert comp.params["threshold_db"] > threshold and comp.params["makeup_db"] <= MAX_MAKEUP_DB
    assert "compresses less" in comp.decision.reason
    out, into = _loudness_through_chain(track, audio)
    assert out == pytest.approx(into, abs=0.5)
