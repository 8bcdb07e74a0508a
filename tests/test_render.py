"""Rendering correctness: the pan law, faders, buses, sends and the master sum."""

import numpy as np
import pytest
from conftest import noise, rms_db, tone

from faderpilot.render.engine import pan_gains, render
from faderpilot.session.model import Bus, Role, Send, Session, Source, Track

SR = 48000


def session_with(tracks, sends_bus=False):
    buses = [
        Bus("music", "Music", "group"),
        Bus("reverb", "Reverb", "fx"),
        Bus("master", "Master", "master", None),
    ]
    srcs = [Source(t.source_id, f"/x/{t.name}.wav", "0" * 64, SR, t.channels, SR) for t in tracks]
    return Session("t", SR, 1.0, sources=srcs, tracks=tracks, buses=buses)


def track(tid, channels=1, **kw):
    return Track(
        id=tid,
        name=tid,
        source="",
        source_id="s" + tid,
        role=Role("keys", "name", 1, ""),
        channels=channels,
        output="music",
        **kw,
    )


def test_fader_minus_6_hard_left_measures_minus_6_left_and_nothing_right():
    x = tone(1000, 1.0)
    s = session_with([track("a", fader_db=-6.0, pan=-1.0)])
    r = render(s, {"sa": x})
    stem = r.track_stems["a"]
    assert rms_db(stem[0]) - rms_db(x) == pytest.approx(-6.0, abs=0.01)
    assert np.max(np.abs(stem[1])) < 1e-6
    assert rms_db(r.mix[0]) - rms_db(x) == pytest.approx(-6.0, abs=0.01)
    assert np.max(np.abs(r.mix[1])) < 1e-6


def test_constant_power_centre_is_minus_3_each_side_and_keeps_loudness():
    gl, gr = pan_gains(0.0, 1)
    assert 20 * np.log10(gl) == pytest.approx(-3.01, abs=0.01)
    assert gl**2 + gr**2 == pytest.approx(1.0)
    for p in (-0.7, -0.2, 0.4, 1.0):
        gl, gr = pan_gains(p, 1)
        assert gl**2 + gr**2 == pytest.approx(1.0)


def test_stereo_balance_keeps_near_side_and_attenuates_far_side():
    assert pan_gains(0.0, 2) == pytest.approx((1.0, 1.0))
    assert pan_gains(-1.0, 2) == pytest.approx((1.0, 0.0), abs=1e-9)
    gl, gr = pan_gains(0.5, 2)
    assert gr == 1.0 and 20 * np.log10(gl) == pytest.approx(20 * np.log10(np.sqrt(2) * np.cos(3 * np.pi / 8)))


def test_trim_polarity_and_delay_are_applied():
    x = noise(0.5)
    s = session_with([track("a", trim_db=6.0, polarity_inverted=True, delay_ms=1.0, pan=-1.0)])
    stem = render(s, {"sa": x}).track_stems["a"]
    d = 48  # 1 ms at 48 kHz
    assert np.allclose(stem[0, d:], -x[0, :-d] * 10 ** (6 / 20), atol=1e-5)


def test_buses_sends_and_master_sum_to_the_mix():
    a, b = noise(1.0, seed=1), noise(1.0, seed=2)
    ta = track("a", fader_db=-3.0, pan=-0.5, sends=[Send("reverb", -10.0)])
    tb = track("b", fader_db=-9.0, pan=0.5)
    s = session_with([ta, tb])
    s.master.fader_db = -2.0
    r = render(s, {"sa": a, "sb": b})
    total = r.bus_stems["music"] + r.bus_stems["reverb"]
    assert np.allclose(total * 10 ** (-2 / 20), r.mix, atol=1e-6)
    assert np.allclose(r.track_stems["a"] + r.track_stems["b"], r.bus_stems["music"], atol=1e-6)
    assert rms_db(r.bus_stems["reverb"]) > -60  # the send feeds the reverb bus (empty chain: dry copy)


def test_mute_and_solo():
    a, b = noise(0.5, seed=1), noise(0.5, seed=2)
    s = session_with([track("a", mute=True), track("b")])
    r = render(s, {"sa": a, "sb": b})
    assert np.max(np.abs(r.track_stems["a"])) == 0
    s = session_with([track("a", solo=True), track("b")])
    r = render(s, {"sa": a, "sb": b})
    assert np.max(np.abs(r.track_stems["b"])) == 0 and np.max(np.abs(r.track_stems["a"])) > 0


def test_nested_group_listed_first_still_reaches_the_master():
    from faderpilot.render.engine import bus_levels

    x = noise(0.5, seed=4)
    t = track("a", pan=-1.0)
    t.output = "inner"
    buses = [
        Bus("inner", "Inner", "group", output="outer"),
        Bus("outer", "Outer", "group"),
        Bus("master", "Master", "master", None),
    ]
    s = Session("t", SR, 0.5, sources=[], tracks=[t], buses=buses)
    assert [[b.id for b in level] for level in bus_levels(s)] == [["inner"], ["outer"]]
    r = render(s, {"sa": x})
    assert np.allclose(r.mix[0], x[0], atol=1e-6)
