"""The render plan is the one place clip spans, the lead and the EQ loudness change come from:
move one region (or the lead) and the renderer, every DAW writer and the report follow it."""

from __future__ import annotations

import re

import numpy as np

from faderpilot.export import ardour, dawproject, reaper
from faderpilot.export.report import level_rows
from faderpilot.render import plan as rplan
from faderpilot.render.engine import render
from faderpilot.session.model import Decision, Processor, Region

try:
    from .test_ardour_fixtures import SR, build_session, noise
except ImportError:  # pragma: no cover - run from inside tests/export
    from test_ardour_fixtures import SR, build_session, noise

SECONDS = 2.0


def song(tmp_path):
    """Two noise tracks: "a" with one region and a 3 ms delay, "b" whole and 2 ms early."""
    a = dict(name="a", regions=[Region(0.25, 1.0, 0.25)], delay_ms=3.0)
    b = dict(name="b", delay_ms=-2.0)
    specs = [("a", noise(SECONDS, 0.1, 1), a), ("b", noise(SECONDS, 0.1, 2), b)]
    return build_session(tmp_path, specs, SECONDS)


def spans(session, audio) -> dict[str, list[tuple[int, int]]]:
    """Track "a"'s clips as (start, length) in samples, as each view places them."""
    sr = session.sample_rate
    out = {"plan": [(c.start, c.length) for c in rplan.build(session).strip("a").clips]}
    route = next(r for r in ardour.plan(session).routes if r.faderpilot_id == "a")
    out["ardour"] = [(r.position, r.length) for r in route.regions]
    clips = [c for c in dawproject.build(session).project.iter("Clip") if c.get("name") == "a"]
    out["dawproject"] = [
        (round(float(c.get("time")) * sr), round(float(c.get("duration")) * sr)) for c in clips
    ]
    items = re.findall(
        r"<ITEM\s+POSITION (\S+).*?LENGTH (\S+).*?NAME \"?a\"?\n", reaper.build(session).text, re.S
    )
    out["reaper"] = [(round(float(p) * sr), round(float(n) * sr)) for p, n in items]
    stem = render(session, audio).track_stems["a"]
    live = np.flatnonzero(np.any(stem != 0, axis=0))
    out["renderer"] = [(int(live[0]), int(live[-1] - live[0] + 1))]
    return out


def test_moving_one_region_moves_it_in_every_view(tmp_path):
    session = song(tmp_path)
    audio = {s.id: noise(SECONDS, 0.1, k + 1) for k, s in enumerate(session.sources)}
    before = spans(session, audio)
    delay = round(0.003 * SR)
    assert before["plan"] == [(round(0.25 * SR) + delay, round(0.75 * SR))]
    assert all(v == before["plan"] for v in before.values()), before

    session.track("a").regions[0] = Region(0.5, 1.6, 0.5)
    after = spans(session, audio)
    assert after["plan"] == [(round(0.5 * SR) + delay, round(1.1 * SR))]
    assert all(v == after["plan"] for v in after.values()), after


def test_a_delay_past_the_session_end_cuts_the_clip_there_in_every_view(tmp_path):
    session = song(tmp_path)
    audio = {s.id: noise(SECONDS, 0.1, k + 1) for k, s in enumerate(session.sources)}
    session.track("a").regions[0] = Region(1.0, SECONDS, 1.0)
    got = spans(session, audio)
    frames = round(SECONDS * SR)
    start = round(1.0 * SR) + round(0.003 * SR)
    assert got["plan"] == [(start, frames - start)]  # the 3 ms past the end are cut, as we render
    assert all(v == got["plan"] for v in got.values()), got


def test_the_report_measures_levels_against_the_lead_the_balance_recorded(tmp_path):
    session = song(tmp_path)
    for t, lufs in zip(session.tracks, (-20.0, -30.0), strict=True):
        t.analysis["active_lufs"] = lufs
    for t in session.tracks:
        t.decisions["fader_db"] = Decision(0.0, "balance", "rules", "balance.learned", {"lead": "b"})
    rows, lead = level_rows(session)
    assert lead.id == "b" and [round(r.before_lu, 1) for r in rows] == [10.0, 0.0]
    # a note rewrites one fader's decision (no refs): the lead still comes from the balance
    session.track("b").decisions["fader_db"] = Decision(3.0, "vocal up 3 dB", "prompt", "prompt")
    assert rplan.build(session).lead.track_id == "b"
    # no decision names a lead: levels are read against the loudest track as heard, and say so
    for t in session.tracks:
        t.decisions.pop("fader_db")
    assert rplan.build(session).lead is None
    assert level_rows(session)[1].id == "a"


def test_the_eq_loudness_change_is_one_number_for_the_report_and_the_plan(tmp_path):
    session = song(tmp_path)
    t = session.track("a")
    t.analysis["band_db"] = {str(f): -30.0 for f in (63, 125, 250, 500, 1000, 2000, 4000, 8000)}
    assert rplan.build(session).strip("a").eq_change_db == 0.0
    t.chain.append(Processor("hp", "highpass", {"freq_hz": 1000.0, "slope_db_oct": 24.0}))
    change = rplan.build(session).strip("a").eq_change_db
    # half the bands are cut, but under K-weighting's high shelf they weigh less than half: < 3 dB
    assert -3.0 < change < -1.0
    assert rplan.eq_change_db(t, session.sample_rate) == change
