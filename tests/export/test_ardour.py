"""Ardour export without Ardour: the file, the audio it references, the math it matches, safety.

The render comparisons against Ardour itself are in test_ardour_render.py.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import math
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import freqz

from faderpilot.cli import main
from faderpilot.demo import generate_demo
from faderpilot.export import ardour, available, export
from faderpilot.export import ardour_lua as lua
from faderpilot.export import ardour_map as am
from faderpilot.render.engine import pan_gains
from faderpilot.render.filters import response_db, sos
from faderpilot.session.io import load, save
from faderpilot.session.model import Bus, Region, Send

try:
    from .test_ardour_fixtures import (
        COLON,
        NAME_60,
        SR,
        UNICODE,
        P,
        build_session,
        every_processor_session,
        noise,
    )
except ImportError:  # collected without the package
    from test_ardour_fixtures import (
        COLON,
        NAME_60,
        SR,
        UNICODE,
        P,
        build_session,
        every_processor_session,
        noise,
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("every")
    session = every_processor_session(root)
    before = tree_digest(root / "stems")
    out = root / "out"
    path = ardour.write(session, out, native=True)  # the ACE mapping (--ardour-native)
    return session, root, out, path, before


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def xml_routes(path: Path) -> dict[str, ET.Element]:
    root = ET.parse(path).getroot()
    return {r.get("name"): r for r in root.iter("Route")}


def plugin_params(proc: ET.Element) -> dict:
    if proc.get("type") == "lv2":
        return {p.get("symbol"): float(p.get("value")) for p in proc.find("lv2").iter("Port")}
    return {int(p.get("id")): float(p.get("value")) for p in proc.find("luaproc").iter("Port")}


def plugins_of(route: ET.Element) -> list[ET.Element]:
    return [p for p in route.findall("Processor") if p.get("type") in ("lv2", "luaproc")]


# --- the files ----------------------------------------------------------------------------------


def test_writes_session_file_and_its_audio_by_relative_name(written):
    session, root, out, path, _ = written
    song = ardour.song_name(session)
    assert path == out / "ardour" / song / f"{song}.ardour"
    text = path.read_text(encoding="utf-8")
    assert str(out) not in text and str(root) not in text  # nothing absolute: the folder can move
    tree = ET.parse(path).getroot()
    assert tree.tag == "Session" and tree.get("version") == "7002" and tree.get("sample-rate") == str(SR)
    audio = path.parent / "interchange" / song / "audiofiles"
    names = {s.get("name") for s in tree.iter("Source")}
    assert names == {p.name for p in audio.iterdir()}
    for t, f in zip(session.tracks, sorted(audio.iterdir()), strict=True):
        info = sf.info(str(f))
        assert info.samplerate == SR and info.frames == int(session.length_s * SR)
        assert f.name.startswith(f"{session.tracks.index(t) + 1:02d}_")
    # every referenced id exists; ids are unique and below the session's id counter
    ids = [int(e.get("id")) for e in tree.iter() if e.tag != "Port" and e.get("id")]  # luaproc Ports: indices
    assert len(ids) == len(set(ids)) and max(ids) < int(tree.get("id-counter"))
    route_ids = {r.get("id") for r in tree.iter("Route")}
    assert all(p.get("target") in route_ids for p in tree.iter("Processor") if p.get("type") == "intsend")
    rng = tree.find("Locations/Location[@flags='IsSessionRange']")
    assert rng.get("end") == f"a{am.superclock(int(session.length_s * SR), SR)}"
    assert [m.get("name") for m in tree.findall("Locations/Location[@flags='IsMark']")] == ["Verse", "Chorus"]
    assert (path.parent / ardour.NOTES_FILE).exists()


def test_stems_are_only_read(written):
    _, root, _, _, before = written
    assert tree_digest(root / "stems") == before


def test_registry_and_export_entry_point(tmp_path):
    assert "ardour" in available()
    s = build_session(tmp_path, [("a", noise(0.5), {})], 0.5)
    p = export(s, tmp_path / "out", "ardour")
    assert p.suffix == ".ardour" and p.exists()


# --- every processor, as the plan and as the file -----------------------------------------------


def test_every_processor_type_becomes_an_ardour_plugin(written):
    session, _, _, path, _ = written
    routes = xml_routes(path)
    kick = plugins_of(routes["Kick In"])
    assert [p.get("name") for p in kick] == ["ACE High/Low Pass Filter"] * 2 + ["ACE EQ", "ACE Compressor"]
    qs = sorted(plugin_params(p)[2] for p in kick[:2])  # 24 dB/oct Butterworth: two sections
    assert qs == pytest.approx(sorted(am.butterworth_qs(24.0)[0]))
    assert all(plugin_params(p)[1] == 30.0 and plugin_params(p)[0] == 1.0 for p in kick[:2])
    eq = plugin_params(kick[2])
    assert eq["freq1"] == 60.0 and eq["g1"] == 3.0 and am.peak_q(eq["bw1"]) == pytest.approx(1.2)
    assert eq["filtog1"] == 1.0 and eq["filtogl"] == eq["filtogh"] == eq["filtog2"] == 0.0
    comp = plugin_params(kick[3])
    assert comp == pytest.approx(
        {
            "att": 10 / (2 * math.pi),
            "rel": 120 / (2 * math.pi),
            "kn": 0.0,
            "rat": 4.0,
            "thr": -18.0,
            "mak": 2.0,
            "sidech": 0.0,
            "enable": 1.0,
        }
    )
    assert kick[3].get("unique-id") == am.URI_COMP and kick[3].get("count") == "1"
    gate = plugins_of(routes[NAME_60])[0]
    assert gate.get("unique-id") == am.URI_EXP and plugin_params(gate)["rat"] == pytest.approx(5.0)
    bass = plugins_of(routes["Bass DI"])
    assert bass[0].get("name") == "faderpilot Saturation" and plugin_params(bass[0]) == {0: 9.0, 1: 35.0}
    assert bass[0].find("luaproc/script") is not None  # our own script travels inside the session
    shelf = plugin_params(bass[1])
    assert shelf["filtogl"] == 1.0 and shelf["gl"] == 2.5
    assert shelf["freql"] == pytest.approx(am.shelf_frequency("low_shelf", 120.0, 2.5, SR))
    pad = plugins_of(routes["Pad"])
    assert [p.get("name") for p in pad] == ["faderpilot Stereo Width"] and plugin_params(pad[0]) == {0: 0.6}
    rev = plugins_of(routes["Reverb"])
    assert [p.get("name") for p in rev] == [
        "ACE High/Low Pass Filter",
        "ACE Reverb",
        "ACE High/Low Pass Filter",
    ]
    assert plugin_params(rev[1]) == pytest.approx({"blend": 1.0, "roomsz": 0.775, "enable": 1.0})
    dly = plugin_params(plugins_of(routes["Delay"])[1])
    assert dly["time"] == 375.0 and dly["feedback"] == 25.0 and dly["drywet"] == 100.0
    lim = plugins_of(routes["Master"])[0]
    assert lim.get("unique-id") == am.URI_COMP + "#stereo" and plugin_params(lim)["thr"] == -0.3
    # mono plugins on stereo strips run once per channel, like pedalboard's unlinked detectors
    drums_sat = plugins_of(routes["Drums"])[0]
    assert drums_sat.get("count") == "1" and drums_sat.find("InputMap-0/Channelmap[@from='1']") is not None
    music_eq = plugins_of(routes["Music"])[0]
    assert music_eq.get("count") == "2" and music_eq.find("InputMap-1/Channelmap").get("to") == "1"


@pytest.fixture(scope="module")
def written_own(tmp_path_factory):
    """The every-processor session as the default export writes it: our own Lua processors."""
    root = tmp_path_factory.mktemp("own")
    session = every_processor_session(root)
    return session, ardour.write(session, root / "out")


def test_by_default_every_processor_is_our_own_lua_plugin(written_own):
    session, path = written_own
    routes = xml_routes(path)
    kick = plugins_of(routes["Kick In"])
    assert [p.get("name") for p in kick] == ["faderpilot Filter"] * 2 + ["faderpilot Compressor"]
    assert plugin_params(kick[0]) == {0: 0.0, 1: 30.0, 2: 0.0, 3: 0.7071, 4: 24.0}  # one filter, whole
    assert plugin_params(kick[1])[0] == am.FILTER_ORDER.index("peak")
    assert plugin_params(kick[2]) == {0: -18.0, 1: 4.0, 2: 10.0, 3: 120.0, 4: 2.0}  # our units
    gate = plugins_of(routes[NAME_60])[0]
    assert gate.get("name") == "faderpilot Gate" and plugin_params(gate) == {
        0: -30.0,
        1: 1.0,
        2: 60.0,
        3: 24.0,
    }
    rev = plugins_of(routes["Reverb"])
    assert [p.get("name") for p in rev] == ["faderpilot Filter", "faderpilot Reverb", "faderpilot Filter"]
    assert plugin_params(rev[1]) == {0: 0.55, 1: 0.5, 2: 1.0}
    assert plugin_params(plugins_of(routes["Delay"])[1]) == {0: 375.0, 1: 25.0}
    lim = plugins_of(routes["Master"])[0]
    assert lim.get("name") == "faderpilot Limiter" and plugin_params(lim) == {0: -0.3, 1: 100.0}
    for p in (*kick, gate, *rev, lim):  # every script travels inside the session, named by its hash
        text = base64.b64decode(p.find("luaproc/script").text).decode()
        assert p.get("unique-id") == lua.script_id(text) and f'name        = "{p.get("name")}"' in text
    assert ardour.plan(session).latency == am.limiter_latency(SR) == 300
    # nothing is approximated, the fader ride included (faderpilot Gain ride)
    assert ardour.approximations(session) == []


def test_by_default_a_fader_ride_is_our_gain_ride_and_the_fader_stays_static(written_own):
    """The vocal's gain_db lane: a ``faderpilot Gain ride`` insert last before the fader, its
    points in its script; Ardour's fader holds the track's fader value with no automation."""
    session, path = written_own
    vox = xml_routes(path)["Vox- Lead-Double"]
    order = [p.get("type") for p in vox.findall("Processor")]
    ride = plugins_of(vox)[-1]
    assert ride.get("name") == am.RIDE_NAME and order.index("luaproc") < order.index("amp")
    assert order[order.index("amp") - 1] == "luaproc"  # the last insert before the fader
    text = base64.b64decode(ride.find("luaproc/script").text).decode()
    assert ride.get("unique-id") == lua.script_id(text)
    assert "T = { 1.0, 1.03, 2.97, 3.0 }, D = { 0.0, 2.0, 2.0, 0.0 }" in text
    assert "local UPSTREAM = 0" in text
    amp = vox.find("Processor[@type='amp']")
    assert amp.find("Automation") is None
    gain = float(amp.find("Controllable[@name='gaincontrol']").get("value"))
    plan = ardour.plan(session)
    route = next(r for r in plan.routes if r.name == "Vox- Lead-Double")
    native = next(r for r in ardour.plan(session, native=True).routes if r.name == route.name)
    assert gain == pytest.approx(am.db_to_gain(route.fader_db))  # the track's fader, static
    assert route.fader_db == native.fader_db and native.gain_automation  # native: Ardour's fader
    assert all(not r.gain_automation for r in plan.routes)
    # a ride after a limiter knows the limiter's lookahead comes before it
    t = copy.deepcopy(session.tracks[-2])
    t.chain.append(P("limiter", ceiling_db=-1.0, release_ms=50.0))
    session2 = copy.deepcopy(session)
    session2.tracks[-2] = t
    vox2 = next(r for r in ardour.plan(session2).routes if r.name == "Vox- Lead-Double")
    assert f"local UPSTREAM = {am.limiter_latency(SR)}" in vox2.plugins[-1].text


def test_the_ace_mapping_is_kept_behind_native(written_own):
    session, _ = written_own
    native = ardour.approximations(session, native=True)
    assert any("ACE Reverb" in n for n in native) and any("ACE Compressor" in n for n in native)
    assert ardour.plan(session, native=True).latency == 0


def test_gains_routing_sends_and_strip_states(written):
    session, _, _, path, _ = written
    routes = xml_routes(path)

    def ctrl(route, name):
        return float(route.find(f".//Controllable[@name='{name}']").get("value"))

    vox = routes["Vox- Lead-Double"]  # ':' and '/' are reserved in Ardour port names
    assert vox.find("IO[@direction='Output']/Port/Connection").get("other") == "Vocals/audio_in 1"
    sends = {p.get("name"): p for p in vox.findall("Processor[@type='intsend']")}
    assert set(sends) == {"Reverb", "Delay"}
    assert float(sends["Reverb"].find("Controllable[@name='gaincontrol']").get("value")) == pytest.approx(
        10 ** (-8 / 20)
    )
    order = [p.get("type") for p in vox.findall("Processor")]
    assert order.index("amp") < order.index("intsend") < order.index("main-outs")  # post-fader sends
    perc = routes[NAME_60]
    assert perc.find("Controllable[@name='phase']").get("phase-invert") == "1"
    ohs = routes["OH  Stereo"]
    assert ctrl(ohs, "trimcontrol") == pytest.approx(10 ** (3 / 20))
    assert ohs.find(".//PannerShell").get("user-panner") == am.PANNER_STEREO  # width 0, centred
    assert routes["Pad"].find(".//PannerShell").get("user-panner") == am.PANNER_BALANCE
    dup = routes["Ünïcödé Gitarre – Straße (2)"]
    assert dup.find("MuteMaster").get("muted") == "1" and ctrl(dup, "mute") == 1.0
    assert routes["Reverb"].find("Controllable[@name='solo-iso']").get("solo-isolated") == "1"
    auto = vox.find("Processor[@type='amp']/Automation/AutomationList")
    assert auto.get("state") == "Play" and len(auto.find("events").text.split("\n")) > 8


def test_regions_fades_and_delay_in_ardour_time(written):
    session, _, _, path, _ = written
    pl = next(p for p in ET.parse(path).getroot().iter("Playlist") if p.get("name") == NAME_60)
    regions = pl.findall("Region")
    d = round(1.5 * SR / 1000)  # the track's 1.5 ms delay moves its regions
    sc = am.superclock
    assert regions[0].get("length") == f"a{sc(int(1.5 * SR), SR)}@a{sc(d, SR)}"
    assert regions[1].get("start") == f"a{sc(2 * SR, SR)}"
    assert regions[1].get("length") == f"a{sc(2 * SR - d, SR)}@a{sc(2 * SR + d, SR)}"
    assert regions[0].get("fade-in-active") == "0" and regions[1].get("fade-in-active") == "1"
    fade_in = regions[1].find("FadeIn/AutomationList/events").text.split()
    assert fade_in == ["a0", "0", f"a{sc(int(0.03 * SR) + 1, SR)}", "1"]  # Ardour's fade ends one later
    fade_out = regions[1].find("FadeOut/AutomationList/events").text.split()
    assert fade_out == ["a0", "1", f"a{sc(int(0.05 * SR), SR)}", "0"]


def test_approximations_are_listed_and_written_next_to_the_session(written):
    session, _, _, path, _ = written
    notes = ardour.approximations(session, native=True)
    kinds = " ".join(notes)
    for word in ("ACE Compressor", "ACE Expander", "ACE Reverb", "ACE Delay", "limiter"):
        assert word in kinds
    exact = ("track 'Bass DI'", "track 'Pad'", "bus 'Drums'", "track 'OH  Stereo'")  # saturation, width
    assert not any(n.startswith(exact) for n in notes)
    assert any(n.startswith("track 'Vox: Lead/Double': its gain automation") for n in notes)
    assert all(n in (path.parent / ardour.NOTES_FILE).read_text(encoding="utf-8") for n in notes)


def test_exact_chain_has_no_approximations(tmp_path):
    chain = [
        P("highpass", freq_hz=80.0, slope_db_oct=24.0),
        P("peak", freq_hz=900.0, gain_db=-4.0, q=2.0),
        P("saturation", drive_db=6.0, mix_pct=50.0),
        P("high_shelf", freq_hz=8000.0, gain_db=2.0, q=0.7071),
    ]
    s = build_session(
        tmp_path, [("a", noise(0.5), dict(chain=chain, pan=0.4, fader_db=9.0, trim_db=-25.0))], 0.5
    )
    assert ardour.approximations(s) == []


def test_odd_slopes_and_other_shelf_q_are_reported(tmp_path):
    chain = [
        P("highpass", freq_hz=80.0, slope_db_oct=18.0),
        P("low_shelf", freq_hz=150.0, gain_db=3.0, q=1.5),
    ]
    s = build_session(tmp_path, [("a", noise(0.5), dict(chain=chain))], 0.5)
    notes = ardour.approximations(s, native=True)
    assert any("18 dB/oct" in n and "24 dB/oct" in n for n in notes)
    assert any("Q 1.5" in n for n in notes)
    assert ardour.approximations(s) == []  # our own faderpilot Filter runs both exactly


# --- the math the writer matches (Ardour 7.3's own designs, from its source) --------------------


def ardour_pan(x: float) -> float:
    """panner_1in2out.cc: g(x) = x (s x + 1 - s), s = 2 - 4 * 10^(-3/20)."""
    s = 2 - 4 * 10 ** (-3 / 20)
    return x * (s * x + 1 - s)


@pytest.mark.parametrize("pan", [-1.0, -0.8, -0.5, -0.2, 0.0, 0.1, 0.35, 0.7, 1.0])
def test_mono_pan_law_matches_after_the_fader_correction(pan):
    st = am.mono_pan(pan)
    g = 10 ** (st.fader_comp_db / 20)
    ours = pan_gains(pan, 1)
    theirs = (g * ardour_pan(1 - st.azimuth), g * ardour_pan(st.azimuth))
    assert theirs == pytest.approx(ours, abs=1e-6)
    assert -0.011 < st.fader_comp_db < 0.09


@pytest.mark.parametrize("pan", [-1.0, -0.6, -0.1, 0.0, 0.3, 0.9, 1.0])
def test_stereo_balance_is_exact(pan):
    st, plugin = am.stereo_pan(pan, 1.0)
    assert plugin is None and st.panner == am.PANNER_BALANCE and st.fader_comp_db == 0.0
    a = st.azimuth  # panner_balance.cc: L = 1 or 2 - 2a, R = 2a or 1
    theirs = (1.0 if a <= 0.5 else 2 - 2 * a, 2 * a if a < 0.5 else 1.0)
    assert theirs == pytest.approx(pan_gains(pan, 2), abs=1e-12)


@pytest.mark.parametrize("width", [0.0, 0.3, 0.8])
def test_centred_width_on_equal_power_stereo_is_exact(width):
    st, plugin = am.stereo_pan(0.0, width)
    assert plugin is None and st.panner == am.PANNER_STEREO and st.error_db < 1e-6
    assert am.stereo_pan(0.5, width)[1] is not None  # with a pan: our width plugin + balance


def ardour_biquad(kind: str, f: float, q: float, sr: int) -> tuple[list[float], list[float]]:
    """ARDOUR::DSP::Biquad::compute for the ACE High/Low Pass Filter (RBJ Cookbook)."""
    w = 2 * math.pi * f / sr
    c, s = math.cos(w), math.sin(w)
    alpha = s / (2 * q)
    b = [(1 + c) / 2, -(1 + c), (1 + c) / 2] if kind == "highpass" else [(1 - c) / 2, 1 - c, (1 - c) / 2]
    return b, [1 + alpha, -2 * c, 1 - alpha]


def aeq_band(kind: str, f0: float, gain_db: float, q: float, sr: int) -> tuple[list[float], list[float]]:
    """a-eq.c's linear SVF (Simper) as a transfer function: H = m0 + m1 BP + m2 LP, bilinear."""
    a = 10 ** (gain_db / 40)
    g = math.tan(math.pi * f0 / sr)
    if kind == "peak":
        k = 1 / (q * a)
        m0, m1, m2 = 1.0, k * (a * a - 1), 0.0
    elif kind == "low_shelf":
        k = 1 / q
        m0, m1, m2 = 1.0, k * (a - 1), a * a - 1
    else:
        k = 1 / q
        m0, m1, m2 = a * a, k * (1 - a) * a, 1 - a * a
    # analog prototype s' = (z-1)/(z+1)/g: LP = 1/(s'^2 + k s' + 1), BP = s'/(...)
    zm, zp = np.poly1d([1, -1]), np.poly1d([1, 1])
    den = zm * zm + g * k * zm * zp + g * g * zp * zp
    num = m0 * den + m1 * g * zm * zp + m2 * g * g * zp * zp
    return list(num.coeffs), list(den.coeffs)


F = np.geomspace(30, 16000, 300)


@pytest.mark.parametrize(
    "kind,params",
    [
        ("highpass", {"freq_hz": 120.0, "slope_db_oct": 12.0}),
        ("highpass", {"freq_hz": 80.0, "slope_db_oct": 24.0}),
        ("lowpass", {"freq_hz": 3000.0, "slope_db_oct": 48.0}),
        ("lowpass", {"freq_hz": 15000.0, "slope_db_oct": 12.0}),
    ],
)
def test_ace_high_low_pass_sections_are_our_butterworth(kind, params):
    ours = response_db(kind, params, F, SR)
    total = np.zeros(len(F))
    for q in am.butterworth_qs(params["slope_db_oct"])[0]:
        b, a = ardour_biquad(kind, params["freq_hz"], q, SR)
        _, h = freqz(b, a, worN=F, fs=SR)
        total += 20 * np.log10(np.abs(h))
    live = ours > -120
    assert np.max(np.abs(total - ours)[live]) < 1e-6


@pytest.mark.parametrize(
    "kind,f0,gain,q",
    [
        ("peak", 1000.0, -6.0, 4.0),
        ("peak", 250.0, 4.0, 1.4),
        ("peak", 60.0, 3.0, 0.5),
        ("peak", 9000.0, -9.0, 8.0),
        ("low_shelf", 200.0, 5.0, 0.7071),
        ("low_shelf", 80.0, -8.0, 0.7071),
        ("high_shelf", 5000.0, -4.0, 0.7071),
        ("high_shelf", 10000.0, 12.0, 0.7071),
    ],
)
def test_ace_eq_bands_are_our_cookbook_filters(kind, f0, gain, q):
    params = {"freq_hz": f0, "gain_db": gain, "q": q}
    ours = response_db(kind, params, F, SR)
    if kind == "peak":
        fa, qa = f0, am.peak_q(am.peak_bandwidth_octaves(q))
    else:
        fa, qa = am.shelf_frequency(kind, f0, gain, SR), 0.7071068  # a-EQ's fixed shelf Q
    b, a = aeq_band(kind, fa, gain, qa, SR)
    _, h = freqz(b, a, worN=F, fs=SR)
    assert np.max(np.abs(20 * np.log10(np.abs(h)) - ours)) < 1e-4
    assert sos(kind, params, SR).shape == (1, 6)


def test_automation_points_follow_the_db_ramp():
    lanes = [{"param": "gain_db", "points": [[1.0, 0.0], [1.03, 3.0], [2.0, 3.0], [2.5, -9.0]]}]
    pts, top = am.gain_automation(lanes, -2.0, SR, 3 * SR)
    t = np.array([n for n, _ in pts]) / SR
    db = 20 * np.log10([g for _, g in pts])
    assert top == pytest.approx(1.0)
    assert db[0] == pytest.approx(-2.0) and db[-1] == pytest.approx(-11.0)
    want = -2.0 + np.interp(t, [1.0, 1.03, 2.0, 2.5], [0.0, 3.0, 3.0, -9.0])
    assert np.max(np.abs(db - want)) < 0.01
    assert np.max(np.abs(np.diff(db))) <= am.AUTOMATION_STEP_DB + 1e-9


def test_gains_beyond_ardour_ranges_move_to_regions_and_eq_gain(tmp_path):
    s = build_session(tmp_path, [("a", noise(0.5), dict(trim_db=30.0, fader_db=10.0))], 0.5)
    s.master.fader_db = 7.0
    p = ardour.plan(s)
    track = next(r for r in p.routes if r.kind == "track")
    assert (track.trim_db, track.region_gain_db) == (20.0, 10.0)
    assert track.fader_db == pytest.approx(am.FADER_MAX_DB)
    assert track.plugins[-1].params["master"] == pytest.approx(
        10.0 - am.FADER_MAX_DB + track.pan.fader_comp_db
    )
    master = p.routes[0]
    assert master.plugins[-1].params["master"] == pytest.approx(7.0 - am.FADER_MAX_DB)


def test_without_an_ardour_install_the_filter_is_named_by_its_73_hash(tmp_path, monkeypatch):
    monkeypatch.setenv("FADERPILOT_ARDOUR_SCRIPTS", "")
    lua.installed_script.cache_clear()
    try:
        s = build_session(tmp_path, [("a", noise(0.5), dict(chain=[P("highpass", freq_hz=90.0)]))], 0.5)
        path = ardour.write(s, tmp_path / "out", native=True)
    finally:
        lua.installed_script.cache_clear()
    proc = ET.parse(path).getroot().find(".//Processor[@type='luaproc']")
    assert proc.get("unique-id") == lua.HPLP_ARDOUR73_ID and proc.find("luaproc/script") is None


def test_an_installed_filter_script_is_embedded_with_its_hash(tmp_path, monkeypatch):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    text = 'ardour { ["type"] = "dsp", name = "ACE High/Low Pass Filter" }\r\n-- test copy\n'
    (scripts / "HiAndLowPass.lua").write_bytes(text.encode())
    monkeypatch.setenv("FADERPILOT_ARDOUR_SCRIPTS", str(scripts))
    lua.installed_script.cache_clear()
    try:
        assert lua.hplp_script() == (hashlib.sha1(text.encode()).hexdigest(), text)
    finally:
        lua.installed_script.cache_clear()


# --- names, re-export, atomicity, safety --------------------------------------------------------


def test_unusual_names_stay_unique_and_legal(written):
    session, _, _, path, _ = written
    names = [r.get("name") for r in ET.parse(path).getroot().iter("Route")]
    assert len(names) == len({n.lower() for n in names})
    assert UNICODE in names and f"{UNICODE} (2)" in names and NAME_60 in names
    assert COLON not in names and not any(":" in n or "/" in n for n in names)
    for r in ET.parse(path).getroot().iter("Route"):
        for port in r.findall("IO/Port"):
            assert port.get("name").startswith(r.get("name") + "/")
    song = ardour.song_name(session)
    assert song == "Test Song – Ünïcödé" and path.name == f"{song}.ardour"


def test_reexport_from_an_edited_session_replaces_the_previous_one(tmp_path):
    s = build_session(
        tmp_path,
        [("a", noise(0.5), dict(name="Gtr", fader_db=-3.0)), ("b", noise(0.5, seed=2), dict(name="Keys"))],
        0.5,
    )
    out = tmp_path / "out"
    save(s, out / "session.json")
    assert main(["export", str(out), "--to", "ardour"]) == 0
    path = out / "ardour" / "song" / "song.ardour"
    first = path.read_bytes()
    edited = load(out / "session.json")
    edited.tracks[0].fader_db = -9.5
    edited.tracks[0].pan = 0.5
    edited.tracks[1].chain.append(P("peak", freq_hz=1500.0, gain_db=-3.0, q=2.0))
    save(edited, out / "session.json")
    assert main(["export", str(out), "--to", "ardour"]) == 0
    assert path.read_bytes() != first
    routes = xml_routes(path)
    gain = float(routes["Gtr"].find("Processor[@type='amp']/Controllable").get("value"))
    assert 20 * math.log10(gain) == pytest.approx(-9.5 + am.mono_pan(0.5).fader_comp_db, abs=1e-6)
    assert [p.get("name") for p in plugins_of(routes["Keys"])] == ["faderpilot Filter"]
    assert sorted(os.listdir(out / "ardour")) == ["song"]  # no temporary or old folders left
    assert main(["export", str(out), "--to", "ardour", "--ardour-native"]) == 0
    assert [p.get("name") for p in plugins_of(xml_routes(path)["Keys"])] == ["ACE EQ"]


def test_a_failed_export_keeps_the_previous_one(tmp_path, monkeypatch):
    s = build_session(tmp_path, [("a", noise(0.5), {})], 0.5)
    out = tmp_path / "out"
    path = ardour.write(s, out)
    before = path.read_bytes()

    def boom(plan):
        raise OSError("disk full")

    monkeypatch.setattr(ardour, "session_xml", boom)
    with pytest.raises(OSError, match="disk full"):
        ardour.write(s, out)
    assert path.read_bytes() == before
    assert sorted(os.listdir(out / "ardour")) == ["song"]


def test_never_writes_into_the_stems_folder(tmp_path):
    s = build_session(tmp_path, [("a", noise(0.5), {})], 0.5)
    with pytest.raises(ValueError, match="stems"):
        ardour.write(s, tmp_path / "stems")
    assert sorted(p.name for p in (tmp_path / "stems").iterdir()) == ["a.wav"]


def test_cli_prints_the_error_for_a_stems_folder(tmp_path, capsys):
    s = build_session(tmp_path, [("a", noise(0.5), {})], 0.5)
    save(s, tmp_path / "stems" / "session.json")
    assert main(["export", str(tmp_path / "stems"), "--to", "ardour"]) == 1
    assert not (tmp_path / "stems" / "ardour").exists()


def test_mix_with_ardour_native_writes_ace_plugins_and_prints_their_approximations(tmp_path, capsys):
    generate_demo(tmp_path / "stems", seconds=8.0)
    out = tmp_path / "out"
    assert main(["mix", str(tmp_path / "stems"), "-o", str(out), "--ardour-native"]) == 0
    printed = capsys.readouterr().out.replace("\n", " ")
    assert "ardour: approximate" in printed and "ACE Reverb" in printed
    text = next((out / "ardour").glob("*/*.ardour")).read_text(encoding="utf-8")
    assert 'name="ACE Reverb"' in text and 'name="faderpilot Reverb"' not in text


def test_plan_is_json_friendly_enough_to_print(written):
    session = written[0]
    p = ardour.plan(session)
    assert json.dumps([r.name for r in p.routes], ensure_ascii=False)
    assert [r.kind for r in p.routes][:1] == ["master"]
    assert {r.name for r in p.routes if r.kind == "bus"} == {
        "Drums",
        "Bass",
        "Music",
        "Vocals",
        "Reverb",
        "Delay",
    }


def test_regions_cut_by_an_advance_start_at_zero(tmp_path):
    s = build_session(tmp_path, [("a", noise(1.0), dict(delay_ms=-3.0))], 1.0)
    s.tracks[0].regions = [Region(0.0, 1.0, 0.0, fade_in_ms=5.0)]
    r = ardour.plan(s).routes[1].regions[0]
    assert (r.position, r.start, r.length, r.fade_in) == (0, 144, SR - 144, 240 - 144 + 1)
    assert any("fade-in" in n for n in ardour.approximations(s))


def test_sends_to_a_group_bus_are_kept(tmp_path):
    buses = [Bus("music", "Music", "group"), Bus("master", "Master", "master", None)]
    s = build_session(tmp_path, [("a", noise(0.5), dict(sends=[Send("music", -6.0)]))], 0.5, buses)
    p = ardour.plan(s)
    assert p.routes[1].sends[0].target == "Music"
