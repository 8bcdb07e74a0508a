"""The prep detectors and edits one at a time, on small generated signals."""

from __future__ import annotations

import numpy as np
import pytest

from faderpilot.prep import align, cleanup
from faderpilot.prep import regions as reg
from faderpilot.render.engine import render
from faderpilot.session.model import Bus, Role, Session, Source, Track

SR = 48000


def sine(f: float, seconds: float, amp: float = 0.5, phase: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (amp * np.sin(2 * np.pi * f * t + phase)).astype(np.float32)


def track(tid: str, name: str, role: str, channels: int = 1, **kw) -> Track:
    return Track(
        id=tid,
        name=name,
        source=f"/x/{name}.wav",
        source_id="s" + tid,
        role=Role(role, "name", 1.0, ""),
        channels=channels,
        **kw,
    )


def test_clipped_runs_count_plateaus_at_full_scale_only():
    clipped = np.clip(1.5 * sine(100, 1.0, 1.0), -1, 1)[None]
    c = cleanup.clipped_runs(clipped, SR)
    assert c.runs == 200 and c.longest > 3 and c.first_s == pytest.approx(0.0017, abs=0.001)
    assert cleanup.clipped_runs(sine(100, 1.0, 0.98)[None], SR).runs == 0  # loud but not clipped
    two = np.zeros((1, 1000), np.float32)
    two[0, 10:12] = 1.0  # two samples at full scale: not a run
    assert cleanup.clipped_runs(two, SR).runs == 0


def test_fake_stereo_needs_channels_within_90_db():
    x = sine(220, 0.5)
    assert cleanup.fake_stereo(np.stack([x, x]))[0]
    tiny = x + np.float32(1e-6) * np.random.default_rng(0).standard_normal(x.size).astype(np.float32)
    assert cleanup.fake_stereo(np.stack([x, tiny]))[0]  # -110 dB apart: the same signal
    assert not cleanup.fake_stereo(np.stack([x, 0.99 * x]))[0]  # -46 dB apart: a real level difference
    assert not cleanup.fake_stereo(np.zeros((2, 100), np.float32))[0]
    assert not cleanup.fake_stereo(x[None])[0]


def test_dc_offset_is_a_steady_offset_not_lopsided_notes():
    x = sine(110, 4.0) + np.float32(0.01)
    assert cleanup.dc_offset(x[None], SR) == pytest.approx(0.01, abs=1e-4)
    # notes whose waveforms lean one way or the other (each second a different lean)
    lean = np.repeat(np.array([0.003, -0.002, 0.0025, -0.003, 0.002, -0.001], np.float32), SR)
    notes = sine(55, 6.0) + lean
    assert cleanup.dc_offset(notes[None], SR) == 0.0
    hits = np.zeros(4 * SR, np.float32)
    for i in range(8):  # lopsided kick-like hits twice a second, silence between
        hits[i * SR // 2 : i * SR // 2 + 4800] = sine(55, 0.1, 0.8) * np.exp(-np.arange(4800) / 2400.0)
    assert cleanup.dc_offset(hits[None], SR) == 0.0
    assert cleanup.dc_offset((hits + np.float32(0.01))[None], SR) == pytest.approx(0.0146, abs=1e-3)
    stereo = np.stack([sine(110, 4.0), sine(110, 4.0) - np.float32(0.02)])
    assert cleanup.dc_offset(stereo, SR) == pytest.approx(-0.02, abs=1e-4)


def test_duplicates_keep_the_shortest_name_and_skip_silence():
    a, b = sine(220, 1.0)[None], sine(330, 1.0)[None]
    z = np.zeros((1, SR), np.float32)
    items = [(a.copy(), SR), (b, SR), (a.copy(), SR), (z, SR), (z.copy(), SR)]
    names = ["Vox copy.wav", "Gtr.wav", "Vox.wav", "A.wav", "B.wav"]
    assert cleanup.duplicates(items, skip={3, 4}, names=names) == {0: 2}
    near = a.copy()
    near[0, SR // 2] += np.float32(1e-3)  # one sample differs: not identical
    assert cleanup.duplicates([(a, SR), (near, SR)]) == {}


def test_hard_edits_are_jumps_to_or_from_digital_silence_not_attacks():
    x = sine(233, 2.0, 0.4, 0.3)
    x[SR // 2 : SR] = 0.0
    z = cleanup.hard_edits(x[None], SR)
    assert [(e.kind, e.time_s) for e in z.edits] == [("end", pytest.approx(0.5, abs=1e-4)), ("start", 1.0)]
    soft = sine(233, 2.0, 0.4)
    soft[SR // 2 : SR] = 0.0
    ramp = np.linspace(0, 1, 48, dtype=np.float32)
    soft[SR : SR + 48] *= ramp  # a 1 ms attack
    soft[SR // 2 - 48 : SR // 2] *= ramp[::-1]
    assert cleanup.hard_edits(soft[None], SR).edits == []


def test_find_lag_is_exact_to_a_sample_and_reads_polarity():
    rng = np.random.default_rng(1)
    a = rng.standard_normal(SR * 2).astype(np.float32)
    for lag, sign in ((37, 1.0), (-120, -1.0), (0, -1.0)):
        b = sign * np.roll(a, lag)
        sa, sb = align.Sig([(a[None], 1.0)]), align.Sig([(b[None], 1.0)])
        got = align.find_lag(sa, sb, align.blocks(sa, sb), 480, sr=SR)
        assert got.lag == lag and np.sign(got.corr) == sign and got.strength > 0.9


def test_multi_mic_groups_by_role_and_position_words():
    ts = [
        track("1", "SN Top", "snare"),
        track("2", "Snr Btm", "snare"),
        track("3", "Tom 1", "toms"),
        track("4", "Tom 2", "toms"),
        track("5", "Bass Amp", "bass"),
        track("6", "Bass DI", "bass"),
        track("7", "Gtr", "electric_guitar"),
        track("8", "Gtr 2", "electric_guitar"),
        track("9", "OH L", "overheads"),
        track("10", "OH R", "overheads"),
    ]
    groups = [[t.name for t in g] for g in align.multi_mic_groups(ts)]
    assert groups == [["SN Top", "Snr Btm"], ["Bass DI", "Bass Amp"]]  # primary (top, DI) first
    assert [t.name for t in align.overhead_tracks(ts)] == ["OH L", "OH R"]


def tom_with_bleed() -> tuple[np.ndarray, np.ndarray, list[float]]:
    n = 6 * SR
    hits, snare_hits = [1.0, 4.0], [0.5, 1.5, 2.0, 2.5, 3.0, 3.5, 4.5, 5.0]
    shot = sine(100, 0.3, 1.0) * np.exp(-np.arange(int(0.3 * SR)) / (0.1 * SR)).astype(np.float32)
    snare = np.random.default_rng(2).standard_normal(int(0.15 * SR)).astype(np.float32) * np.exp(
        -np.arange(int(0.15 * SR)) / (0.03 * SR)
    ).astype(np.float32)
    snare /= np.abs(snare).max()
    tom, sn = np.zeros(n, np.float32), np.zeros(n, np.float32)
    for h in hits:
        tom[int(h * SR) : int(h * SR) + shot.size] += 0.8 * shot
    for h in snare_hits:
        sn[int(h * SR) : int(h * SR) + snare.size] += 0.9 * snare
        tom[int(h * SR) : int(h * SR) + snare.size] += 0.8 * 10 ** (-12 / 20) * snare
    return tom, sn, hits


def test_bleed_12_db_under_the_hits_makes_no_regions_only_when_bleed_is_judged():
    tom, sn, hits = tom_with_bleed()
    env_t, env_s = reg.envelope(tom[None], SR), reg.envelope(sn[None], SR)
    plain = reg.strip_silence(env_t, SR, tom.size, reg.CLOSE_MIC)
    assert len(plain) == 1  # the bleed keeps a plain threshold open all the time
    bleed = reg.bleed_level(env_t, [reg.kit_track(env_s)])
    aware = reg.strip_silence(env_t, SR, tom.size, reg.CLOSE_MIC, bleed)
    assert [(r.start_s, r.end_s) for r in aware] == [
        (pytest.approx(h - 0.05, abs=0.003), pytest.approx(h + 0.3 + 0.2, abs=0.01)) for h in hits
    ]


def test_short_gaps_are_kept_and_regions_get_fades():
    x = np.zeros(4 * SR, np.float32)
    x[SR : 2 * SR] = sine(440, 1.0)
    x[int(2.6 * SR) : int(3.0 * SR)] = sine(440, 0.4)  # 0.6 s later: under the 1 s minimum gap
    rs = reg.strip_silence(reg.envelope(x[None], SR), SR, x.size)
    assert [(r.start_s, r.end_s) for r in rs] == [(0.95, 3.2)]
    assert rs[0].fade_in_ms == 5.0 and rs[0].fade_out_ms == 10.0 and rs[0].source_offset_s == rs[0].start_s


def test_render_takes_one_channel_of_a_stereo_file_used_as_mono():
    x = sine(300, 0.5)
    t = track("a", "Rhodes", "keys", channels=1, output="master", pan=-1.0)
    s = Session(
        "t",
        SR,
        0.5,
        sources=[Source("sa", "/x/Rhodes.wav", "0" * 64, SR, 2, x.size)],
        tracks=[t],
        buses=[Bus("master", "Master", "master", None)],
    )
    stem = render(s, {"sa": np.stack([x, x])}).track_stems["a"]
    assert np.allclose(stem[0], x, atol=1e-6) and np.max(np.abs(stem[1])) < 1e-6  # mono, panned hard left


@pytest.mark.parametrize("sr", [44100, 48000, 22050])
def test_region_edges_stay_on_the_hits_late_in_a_song_at_any_rate(sr):
    """The envelope's step is a whole number of samples (44 at 44.1 kHz, not 44.1): read as exact
    milliseconds, edges drifted 0.2 s late by 90 s and a crash lost its hit. Each region must start
    its pre-roll before its hit and end after the hit's ring, wherever the hit is."""
    n = 150 * sr
    x = np.zeros((1, n), np.float32)
    hits = [10.0, 60.0, 90.0, 140.0]
    ring = np.exp(-np.arange(int(0.4 * sr)) / (0.08 * sr)) * np.sin(
        2 * np.pi * 3000 * np.arange(int(0.4 * sr)) / sr
    )
    for h in hits:
        a = int(h * sr)
        x[0, a : a + ring.size] = 0.5 * ring
    rs = reg.strip_silence(reg.envelope(x, sr), sr, n, reg.PLAIN)
    assert len(rs) == len(hits)
    for r, h in zip(rs, hits, strict=True):
        assert h - reg.PLAIN.pre_roll_s - 0.003 <= r.start_s <= h - reg.PLAIN.pre_roll_s + 0.003, (h, r)
        assert r.end_s >= h + 0.3, (h, r)
