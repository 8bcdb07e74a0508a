"""Ardour hears what faderpilot rendered: the exported session rendered by Ardour's own headless
tools (ardour7-export, ardour7-lua) against faderpilot's renderer.

Skipped where Ardour is not installed (CI installs Debian's ``ardour``). One *measurement* session
plays each case alone in its own time slot, so one Ardour render measures them all: track levels
and pans per channel (0.1 dB), every EQ type's magnitude response from 30 Hz to 16 kHz (0.5 dB),
every dynamics processor, and the reverb and delay on an impulse then a noise burst, each null
against the renderer (-60 dB or deeper; our own Lua processors). The same session on Ardour's ACE
plugins (``native=True``, ``--ardour-native``) is rendered once more to measure those
approximations; it holds fader rides too (``gain_db`` lanes, on faderpilot Gain ride by default).
The session with every processor kind (its master limiter set to work hard, a fader ride on the
vocal) is rendered whole for the full-mix null residual, and read back with Ardour's Lua
interpreter; the
demo song is rendered against its ``mix.wav``. Numbers are printed (run with ``-s``) and recorded
in docs/daw-ardour.md.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import soundfile as sf

from faderpilot.demo import generate_demo
from faderpilot.export import ardour
from faderpilot.export import ardour_check as check
from faderpilot.export import ardour_map as am
from faderpilot.export import ardour_xml as ax
from faderpilot.export.media import track_audio
from faderpilot.pipeline import mix
from faderpilot.render.engine import render
from faderpilot.render.filters import response_db
from faderpilot.session.model import Bus, Send

try:
    from .test_ardour_fixtures import SR, P, build_session, every_processor_session, noise
except ImportError:  # collected without the package
    from test_ardour_fixtures import SR, P, build_session, every_processor_session, noise

pytestmark = pytest.mark.skipif(
    check.find_tool(check.EXPORT_TOOLS) is None or check.find_tool(check.LUA_TOOLS) is None,
    reason="Ardour's headless tools (ardour7-export, ardour7-lua) are not installed (CI installs them)",
)

PLAY, GAP = 0.35, 0.15  # seconds of audio per slot, then silence for tails
# EQ and dynamics cases are mono and panned hard: two of them share a slot, one per channel
REPORT: dict[str, object] = {}

LEVEL_CASES = [  # (name, channels, track fields)
    ("mono hard left, fader -3", 1, dict(pan=-1.0, fader_db=-3.0)),
    (
        "mono -0.5, trim +4, polarity, delay 1.3 ms",
        1,
        dict(pan=-0.5, trim_db=4.0, polarity_inverted=True, delay_ms=1.3),
    ),
    ("mono centre", 1, dict(pan=0.0)),
    ("mono +0.35, fader -7.5", 1, dict(pan=0.35, fader_db=-7.5)),
    ("mono +0.8", 1, dict(pan=0.8)),
    ("mono hard right", 1, dict(pan=1.0)),
    ("stereo -0.7", 2, dict(pan=-0.7)),
    ("stereo +0.3, fader -2", 2, dict(pan=0.3, fader_db=-2.0)),
    ("stereo width 0", 2, dict(width=0.0)),
    ("stereo width 0.5, pan -0.4", 2, dict(width=0.5, pan=-0.4)),
    ("trim +30, fader +10 (beyond Ardour's ranges)", 1, dict(trim_db=30.0, fader_db=10.0)),
    ("to a group bus (fader -3, pan +0.4)", 1, dict(output="grp", pan=-0.2)),
    ("send -6 dB to a linear FX bus", 1, dict(pan=0.2, fader_db=-2.0, sends=[Send("fx", -6.0)])),
]
EQ_CASES = [
    ("highpass 120 Hz 12 dB/oct", P("highpass", freq_hz=120.0, slope_db_oct=12.0)),
    ("highpass 80 Hz 24 dB/oct", P("highpass", freq_hz=80.0, slope_db_oct=24.0)),
    ("lowpass 6 kHz 12 dB/oct", P("lowpass", freq_hz=6000.0, slope_db_oct=12.0)),
    ("lowpass 3 kHz 48 dB/oct", P("lowpass", freq_hz=3000.0, slope_db_oct=48.0)),
    ("peak 1 kHz -6 dB Q 4", P("peak", freq_hz=1000.0, gain_db=-6.0, q=4.0)),
    ("peak 250 Hz +4 dB Q 1.4", P("peak", freq_hz=250.0, gain_db=4.0, q=1.4)),
    ("low shelf 200 Hz +5 dB", P("low_shelf", freq_hz=200.0, gain_db=5.0, q=0.7071)),
    ("high shelf 5 kHz -4 dB", P("high_shelf", freq_hz=5000.0, gain_db=-4.0, q=0.7071)),
    ("high shelf 10 kHz +12 dB", P("high_shelf", freq_hz=10000.0, gain_db=12.0, q=0.7071)),
]
DYN_CASES = [
    ("saturation 9 dB / 35 %", dict(chain=[P("saturation", drive_db=9.0, mix_pct=35.0)])),
    (
        "compressor -24 dB 3:1 5/150 ms +3 dB",
        dict(
            chain=[
                P("compressor", threshold_db=-24.0, ratio=3.0, attack_ms=5.0, release_ms=150.0, makeup_db=3.0)
            ]
        ),
    ),
    (
        "compressor -18 dB 4:1 10/120 ms",
        dict(
            chain=[
                P(
                    "compressor",
                    threshold_db=-18.0,
                    ratio=4.0,
                    attack_ms=10.0,
                    release_ms=120.0,
                    makeup_db=0.0,
                )
            ]
        ),
    ),
    (
        "gate -30 dB range 24 dB",
        dict(chain=[P("gate", threshold_db=-30.0, attack_ms=1.0, release_ms=60.0, range_db=24.0)]),
    ),
]

RIDE_CASES = [  # (name, channels, track fields, gain_db lanes: (s from the slot's start, dB) points)
    (
        "mono, fader -3: ramps, a hold, a 0.5 ms jump",
        1,
        dict(pan=-0.3, fader_db=-3.0),
        [[[0.03, 0.0], [0.06, -6.0], [0.15, -6.0], [0.1505, 4.0], [0.3, 1.0]]],
    ),
    (
        "stereo width 0.5, fader +2: two lanes",
        2,
        dict(width=0.5, fader_db=2.0),
        [[[0.02, 0.0], [0.33, -10.0]], [[0.1, 0.0], [0.12, 3.0], [0.25, 3.0], [0.26, 0.0]]],
    ),
    (  # the limiter never reaches its ceiling: it only delays, and the ride must know it does
        "mono after a track limiter (its 300-sample lookahead)",
        1,
        dict(pan=0.6, chain=[P("limiter", ceiling_db=0.0, release_ms=50.0)]),
        [[[0.05, 0.0], [0.1, -8.0], [0.2, 2.0], [0.25, 2.0], [0.2505, -4.0]]],
    ),
]


def slot(k: int) -> slice:
    a = int(round((k + 1) * (PLAY + GAP) * SR))
    return slice(a, a + int(round((PLAY + GAP * 0.9) * SR)))


def ours(session) -> np.ndarray:
    audio = {t.source_id: track_audio(session, t) for t in session.tracks}
    return render(session, audio).mix


def db(x: float) -> float:
    return 20 * math.log10(max(abs(x), 1e-15))


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2)))


def side(i: int) -> float:
    """Hard left for even cases, hard right for odd ones (channel i % 2)."""
    return -1.0 if i % 2 == 0 else 1.0


def dynamic_signal(k: int) -> np.ndarray:
    """Noise with a 10 Hz on/off envelope and a louder stretch: something to compress or gate."""
    n = int(round(PLAY * SR))
    t = np.arange(n) / SR
    env = np.where((t * 10) % 1.0 < 0.5, 1.0, 0.03) * np.where(t > PLAY / 2, 1.0, 0.3)
    return (noise(PLAY, 0.25, 100 + k)[0] * env)[None].astype(np.float32)


def ardour_render(path, latency: int = 0):
    """Ardour's own render of a session (``latency``: see ``ardour_check.render``); a crash inside
    Ardour itself (a signal on every try) is not a measurement of faderpilot: the test is skipped
    saying so."""
    try:
        return check.render(path, latency=latency)
    except check.ArdourToolError as e:
        if "killed by a signal" in str(e):
            pytest.skip(f"ardour7-export crashed on every try (an Ardour bug): {str(e).splitlines()[0]}")
        raise


def render_against(path, latency: int, mine: np.ndarray, floor_db: float = -60.0) -> np.ndarray:
    """Ardour's render of a session that should null against ``mine``. Ardour 7.3 sometimes wires
    an aux-send return one process cycle late on load (see ``_measure``), which leaves the FX
    returns one block late in the whole render; the same XML renders right when loaded again.
    When the null misses ``floor_db``, render again (three renders in all) and say so; the
    tolerance stays."""
    for _ in range(3):
        theirs, _ = ardour_render(path, latency)
        null = max(db(rms(theirs[c] - mine[c]) / rms(mine[c])) for c in range(2))
        if null <= floor_db:
            break
        print(f"\nArdour's render nulls at {null:.1f} dB only on this load; rendering the session again")
    return theirs


FX_CASES = [  # (bus id, name, processor, seconds of window): an impulse, then a noise burst
    (
        "rev",
        "reverb room 0.55, damping 0.5, width 1",
        P("reverb", room_size=0.55, damping=0.5, width=1.0),
        1.6,
    ),
    ("dly", "delay 250 ms, feedback 40 %", P("delay", time_ms=250.0, feedback_pct=40.0), 1.4),
]


def fx_signal(k: int) -> np.ndarray:
    """An impulse, then 0.1 s of noise 0.2 s later: the reverb's and delay's response and texture."""
    x = np.zeros((1, int(round(PLAY * SR))), np.float32)
    x[0, 0] = 0.5
    a = int(0.2 * SR)
    x[0, a : a + int(0.1 * SR)] = noise(0.1, 0.1, 200 + k)[0]
    return x


def ride_slot(i: int) -> int:
    """The i-th fader-ride case's slot: after the level, EQ and dynamics slots."""
    return len(LEVEL_CASES) + (len(EQ_CASES) + 1) // 2 + (len(DYN_CASES) + 1) // 2 + i


def n_slots() -> int:
    return ride_slot(len(RIDE_CASES))


def fx_window(i: int) -> slice:
    """The i-th FX case's window: after every slot, each as long as its tail."""
    a = slot(n_slots()).start + int(round(sum(w for *_, w in FX_CASES[:i]) * SR))
    return slice(a, a + int(round(FX_CASES[i][3] * SR)))


def _measure(root, native: bool):
    """The measurement session rendered by Ardour (ACE plugins when ``native``) and by faderpilot,
    and faderpilot's render with the FX returns muted (to tell each return's wet signal)."""
    seconds = fx_window(len(FX_CASES) - 1).stop / SR + GAP
    frames = int(round(seconds * SR))
    specs = []
    k = 0

    def place(x: np.ndarray, at: int | None = None) -> np.ndarray:
        y = np.zeros((x.shape[0], frames), np.float32)
        a = slot(k).start if at is None else at
        y[:, a : a + x.shape[1]] = x
        return y

    for name, ch, kw in LEVEL_CASES:
        x = noise(PLAY, 0.1, k, channels=ch)
        if ch == 2:
            x[1] *= 0.5  # different channels show a wrong matrix
        specs.append((f"l{k:02d}", place(x), dict(kw, name=name[:40])))
        k += 1
    for i, (name, proc) in enumerate(EQ_CASES):
        k = len(LEVEL_CASES) + i // 2
        specs.append(
            (f"e{i:02d}", place(noise(PLAY, 0.1, 50 + i)), dict(name=name, pan=side(i), chain=[proc]))
        )
    for i, (name, kw) in enumerate(DYN_CASES):
        k = len(LEVEL_CASES) + (len(EQ_CASES) + 1) // 2 + i // 2
        specs.append((f"d{i:02d}", place(dynamic_signal(i)), dict(kw, name=name, pan=side(i))))
    for i, (name, ch, kw, lanes) in enumerate(RIDE_CASES):
        k = ride_slot(i)
        t0 = slot(k).start / SR
        auto = [{"param": "gain_db", "points": [[t0 + t, d] for t, d in lane]} for lane in lanes]
        x = place(noise(PLAY, 0.1, 300 + i, channels=ch))
        specs.append((f"r{i:02d}", x, dict(kw, name=name[:40], automation=auto)))
    for i, (bus, name, _, _) in enumerate(FX_CASES):
        x = place(fx_signal(i), fx_window(i).start)
        specs.append((f"x{i:02d}", x, dict(name=name[:40], pan=0.3, fader_db=-6.0, sends=[Send(bus, 0.0)])))
    buses = [
        Bus("grp", "Group", "group", fader_db=-3.0, pan=0.4),
        Bus("fx", "FX", "fx", chain=[P("highpass", freq_hz=300.0, slope_db_oct=12.0)]),
        *[Bus(bus, name[:20], "fx", chain=[proc]) for bus, name, proc, _ in FX_CASES],
        Bus("master", "Master", "master", None),
    ]
    session = build_session(root, specs, seconds, buses, name="measure")
    path = ardour.write(session, root / "out", native=native)
    theirs, sr = ardour_render(path)
    assert sr == SR
    mine = ours(session)
    # Ardour 7.3 occasionally (about 1 load in 7 seen here) wires the aux-send return one process
    # cycle late, which shows as the send case ~2.5 dB low; the same XML renders right when
    # loaded again. Render once more in that case and say so; the tolerances stay as they are.
    # The FX returns of our own reverb and delay are checked the same way (three renders in all).
    k = next(i for i, (name, _, _) in enumerate(LEVEL_CASES) if name.startswith("send"))
    sl = slot(k)

    def wired_late(theirs: np.ndarray) -> bool:
        late = abs(db(rms(theirs[0, sl])) - db(rms(mine[0, sl]))) > 0.1
        w = slice(fx_window(0).start, None)
        return late or (not native and db(rms(theirs[:, w] - mine[:, w]) / rms(mine[:, w])) > -60)

    for _ in range(2):
        if not wired_late(theirs):
            break
        print("\nArdour wired an aux send late on this load; rendering the same session again")
        theirs, sr = ardour_render(path)
    dry = copy.deepcopy(session)
    for b in dry.buses:
        b.mute = b.mute or b.id in {bus for bus, *_ in FX_CASES}
    return session, theirs, mine, ours(dry)


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """The measurement session on our own Lua processors (the default export)."""
    return _measure(tmp_path_factory.mktemp("measure"), native=False)


@pytest.fixture(scope="module")
def measured_native(tmp_path_factory):
    """The measurement session on Ardour's ACE plugins (``--ardour-native``)."""
    return _measure(tmp_path_factory.mktemp("measure_native"), native=True)


#: the full-mix session's master limiter ceiling: faderpilot's own mastering ceiling (-1 dBTP),
#: which takes about 1 dB off this song's peaks (its fixture's -0.3 dB barely touches them)
HARD_CEILING_DB = -1.0


def _full(root):
    """Every processor kind, the master limiter working hard, and the vocal's fader ride."""
    session = every_processor_session(root)
    session.master.chain[0].params["ceiling_db"] = HARD_CEILING_DB
    path = ardour.write(session, root / "out")
    mine = ours(session)
    return session, path, render_against(path, ardour.plan(session).latency, mine), mine


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    return _full(tmp_path_factory.mktemp("full"))


def test_ardour_renders_sample_aligned_and_as_long_as_the_session(measured):
    session, theirs, mine, _ = measured
    assert theirs.shape == mine.shape == (2, int(round(session.length_s * SR)))
    # the first level slot is a plain gain: the best alignment is lag 0
    s = slot(0)
    a, b = theirs[0, s], mine[0, s]
    lags = range(-4, 5)
    err = [rms(np.roll(a, lag) - b) for lag in lags]
    assert lags[int(np.argmin(err))] == 0


def test_track_levels_and_pans_match_within_0_1_db_per_channel(measured):
    _, theirs, mine, _ = measured
    rows = []
    for k, (name, _, _) in enumerate(LEVEL_CASES):
        s = slot(k)
        for c in range(2):
            lo = rms(mine[c, s])
            if lo < 1e-6:  # a hard pan: the other side must stay silent in Ardour too
                assert rms(theirs[c, s]) < 1e-6, name
                continue
            diff = db(rms(theirs[c, s])) - db(lo)
            null = db(rms(theirs[c, s] - mine[c, s]) / lo)
            rows.append((name, "LR"[c], diff, null))
            assert abs(diff) < 0.1, f"{name}, channel {'LR'[c]}: {diff:+.4f} dB"
    REPORT["levels"] = rows
    worst, null = max(abs(r[2]) for r in rows), max(r[3] for r in rows)
    print(f"\ntrack level / pan per channel: worst {worst:.5f} dB; nulls {null:.1f} dB or less")
    for r in rows:
        print(f"  {r[0]:48s} {r[1]}  {r[2]:+.5f} dB  null {r[3]:6.1f} dB")


def _eq_rows(measured) -> list[tuple[str, float, float, float]]:
    """(case, max deviation from faderpilot dB, from the design dB, null dB) for every EQ case."""
    session, theirs, mine, _ = measured
    base = len(LEVEL_CASES)
    rows = []
    for i, (name, proc) in enumerate(EQ_CASES):
        s, c = slot(base + i // 2), i % 2
        x = session.tracks[base + i]
        # the slot holds the whole response (input, then silence for the tail): the DFT ratio of
        # output to input is the transfer function at every bin, no averaging needed
        src = np.fft.rfft(track_audio(session, x)[0, s].astype(np.float64))
        f = np.fft.rfftfreq(s.stop - s.start, 1 / SR)
        band = (f >= 30) & (f <= 16000)
        ha = 20 * np.log10(np.abs(np.fft.rfft(theirs[c, s].astype(np.float64))[band] / src[band]))
        ho = 20 * np.log10(np.abs(np.fft.rfft(mine[c, s].astype(np.float64))[band] / src[band]))
        design = response_db(proc.kind, proc.params, f[band], SR)
        live = design > -60  # below that the steep low-pass meets the float noise floor
        dev = float(np.max(np.abs(ha - ho)[live]))
        dev_design = float(np.max(np.abs(ha - design)[live]))
        null = db(rms(theirs[c, s] - mine[c, s]) / rms(mine[c, s]))
        rows.append((name, dev, dev_design, null))
    return rows


@pytest.mark.parametrize("native", [False, True], ids=["faderpilot Filter", "ACE"])
def test_eq_magnitude_responses_match(native, request):
    """Our Lua filter nulls (-60 dB or deeper); the ACE filters and EQ match within 0.5 dB."""
    rows = _eq_rows(request.getfixturevalue("measured_native" if native else "measured"))
    what = "ACE High/Low Pass Filter and ACE EQ" if native else "faderpilot Filter"
    print(f"\nEQ on {what} vs faderpilot, 30 Hz - 16 kHz:")
    for name, dev, dev_design, null in rows:
        REPORT[f"eq {'ace ' if native else ''}{name}"] = (dev, null)
        print(
            f"  {name:28s} max {dev:.4f} dB vs faderpilot, {dev_design:.4f} dB vs design; null {null:.1f} dB"
        )
        assert dev < 0.5 and dev_design < 0.5, name
        if not native:
            assert null < -60, name


def _dyn_rows(measured) -> list[tuple[str, float, float]]:
    """(case, level difference dB, null dB) for every dynamics case."""
    _, theirs, mine, _ = measured
    base = len(LEVEL_CASES) + (len(EQ_CASES) + 1) // 2
    rows = []
    for i, (name, _) in enumerate(DYN_CASES):
        s, c = slot(base + i // 2), i % 2
        diff = db(rms(theirs[c, s])) - db(rms(mine[c, s]))
        rows.append((name, diff, db(rms(theirs[c, s] - mine[c, s]) / rms(mine[c, s]))))
    return rows


def test_our_dynamics_null_in_ardour(measured):
    """faderpilot Compressor, Gate and Saturation: the renderer's algorithms, -60 dB or deeper."""
    print("\nfaderpilot's Lua dynamics in Ardour vs faderpilot on a gated-noise burst:")
    for name, diff, null in _dyn_rows(measured):
        REPORT[f"dyn {name}"] = (diff, null)
        print(f"  {name:40s} level {diff:+.5f} dB, null {null:.1f} dB")
        assert null < -60, name


def test_ace_dynamics_differences_are_measured(measured_native):
    """--ardour-native: ACE Compressor / Expander, same settings and a different detector."""
    print("\nACE dynamics (--ardour-native) vs faderpilot on a gated-noise burst:")
    for name, diff, null in _dyn_rows(measured_native):
        REPORT[f"dyn ace {name}"] = (diff, null)
        print(f"  {name:40s} level {diff:+.3f} dB, null {null:.1f} dB")
        if name.startswith("saturation"):
            assert null < -80, name  # our own Lua script in both mappings
        else:
            assert abs(diff) < 1.5 and null < -10, name


def _ride_rows(measured) -> list[tuple[str, float, float]]:
    """(case, worst level difference dB, worst null dB over both channels) for every fader ride."""
    _, theirs, mine, _ = measured
    rows = []
    for i, (name, *_) in enumerate(RIDE_CASES):
        s = slot(ride_slot(i))
        level = max(abs(db(rms(theirs[c, s])) - db(rms(mine[c, s]))) for c in range(2))
        null = max(db(rms(theirs[c, s] - mine[c, s]) / rms(mine[c, s])) for c in range(2))
        rows.append((name, level, null))
    return rows


@pytest.mark.parametrize("native", [False, True], ids=["faderpilot Gain ride", "Ardour's fader"])
def test_fader_rides(native, request):
    """A gain_db ride on faderpilot Gain ride nulls at -60 dB or deeper; on Ardour's own fader
    automation (``--ardour-native``) it is the approximation measured here (de-zipper, per block)."""
    rows = _ride_rows(request.getfixturevalue("measured_native" if native else "measured"))
    what = "Ardour's fader automation (--ardour-native)" if native else "faderpilot Gain ride"
    print(f"\nfader rides on {what} vs faderpilot:")
    for name, level, null in rows:
        REPORT[f"ride {'ace ' if native else ''}{name}"] = (level, null)
        print(f"  {name:48s} level {level:.5f} dB, null {null:.1f} dB")
    for name, level, null in rows:
        if native:  # the 0.5 ms 10 dB jump is what Ardour's de-zipper smooths most
            assert level < 0.5 and null < -10, name
        else:
            assert null < -60, name


def _fx_rows(measured) -> list[tuple[str, float, float]]:
    """(case, wet level difference dB, null against the wet signal dB) for the reverb and delay."""
    _, theirs, mine, dry = measured
    rows = []
    for i, (_, name, _, _) in enumerate(FX_CASES):
        w = fx_window(i)
        wet_mine = mine[:, w] - dry[:, w]
        wet_theirs = theirs[:, w] - dry[:, w]
        level = db(rms(wet_theirs)) - db(rms(wet_mine))
        rows.append((name, level, db(rms(theirs[:, w] - mine[:, w]) / rms(wet_mine))))
    return rows


def test_our_reverb_and_delay_null_on_impulses_and_noise_bursts(measured):
    """faderpilot Reverb (Freeverb) and Delay: the wet signal nulls at -60 dB or deeper."""
    print("\nfaderpilot's Lua reverb and delay in Ardour vs faderpilot (impulse, then a noise burst):")
    for name, level, null in _fx_rows(measured):
        REPORT[f"fx {name}"] = (level, null)
        print(f"  {name:40s} wet level {level:+.5f} dB, null {null:.1f} dB")
        assert null < -60, name


def test_ace_reverb_and_delay_differences_are_measured(measured_native):
    """--ardour-native: ACE Reverb is another reverb; ACE Delay differs by its low-pass and timing."""
    print("\nACE Reverb and ACE Delay (--ardour-native) vs faderpilot (impulse, then a noise burst):")
    for name, level, null in _fx_rows(measured_native):
        REPORT[f"fx ace {name}"] = (level, null)
        print(f"  {name:40s} wet level {level:+.2f} dB, null {null:.1f} dB")
        assert np.isfinite(level)


def _nulls(theirs: np.ndarray, mine: np.ndarray) -> tuple[list[float], list[float]]:
    """(null per channel dB, level difference per channel dB)."""
    null = [db(rms(theirs[c] - mine[c]) / rms(mine[c])) for c in range(2)]
    level = [db(rms(theirs[c])) - db(rms(mine[c])) for c in range(2)]
    return null, level


def test_limiter_works_hard_in_the_full_mix(full):
    """The full-mix check covers real limiting: without the limiter the mix differs by far more."""
    session = copy.deepcopy(full[0])
    session.master.chain[0].enabled = False
    effect = max(db(rms(full[3][c] - ours(session)[c]) / rms(full[3][c])) for c in range(2))
    REPORT["limiter effect"] = effect
    print(f"\nthe master limiter at {HARD_CEILING_DB:g} dB changes the mix by {effect:.1f} dB (residual)")
    assert effect > -40


def test_full_mix_with_every_processor_and_a_fader_ride_nulls_at_60_db(full):
    """Every processor kind, FX returns, bus processing, a hard-working master limiter and the
    vocal's fader ride (0 -> +2 dB in 30 ms and back, on faderpilot Gain ride)."""
    session, _, theirs, mine = full
    assert any(t.automation for t in session.tracks)
    null, level = _nulls(theirs, mine)
    REPORT["full"] = (null, level)
    print(
        f"\nfull mix (every processor kind, a fader ride): null L {null[0]:.1f} dB, R {null[1]:.1f} dB; "
        f"level L {level[0]:+.5f} dB, R {level[1]:+.5f} dB"
    )
    assert theirs.shape == mine.shape
    assert max(null) < -60


@pytest.mark.slow
def test_full_mix_on_ace_plugins(full, tmp_path):
    """--ardour-native on the same song: what the ACE approximations cost in the full mix."""
    session = full[0]
    theirs, _ = ardour_render(ardour.write(session, tmp_path / "native", native=True))
    null, level = _nulls(theirs, full[3])
    REPORT["full ace"] = (null, level)
    print(f"\nfull mix on ACE plugins (--ardour-native): null L {null[0]:.1f} dB, R {null[1]:.1f} dB")
    assert max(null) < -5


def test_demo_song_nulls_against_its_mix_wav(tmp_path):
    """The demo (8 s) mixed by faderpilot, exported and rendered by Ardour, against mix.wav."""
    generate_demo(tmp_path / "stems", seconds=8.0)
    r = mix(tmp_path / "stems", tmp_path / "out", daws=("ardour",), report=False)
    path = next(f for f in r.files if f.suffix == ".ardour")
    mine, sr = sf.read(str(tmp_path / "out" / "mix.wav"), dtype="float32", always_2d=True)
    assert sr == r.session.sample_rate
    theirs = render_against(path, ardour.plan(r.session).latency, mine.T)
    null, level = _nulls(theirs, mine.T)
    REPORT["demo"] = (null, level)
    print(f"\ndemo (8 s) against mix.wav: null L {null[0]:.1f} dB, R {null[1]:.1f} dB")
    assert max(null) < -60


def test_lua_readback_holds_every_gain_pan_and_plugin_parameter(full):
    session, path, _, _ = full
    rb = check.readback(path)
    plan = ardour.plan(session)
    assert set(rb.routes) == {r.name for r in plan.routes}
    for r in plan.routes:
        got = rb.routes[r.name]
        assert not r.gain_automation  # the ride is an insert: every fader is static
        assert got.gain == pytest.approx(am.db_to_gain(r.fader_db), rel=1e-6), r.name
        assert got.trim == pytest.approx(am.db_to_gain(r.trim_db), rel=1e-6), r.name
        if r.pan is not None:
            assert got.azimuth == pytest.approx(r.pan.azimuth, abs=1e-6), r.name
        assert (got.mute, got.solo, got.polarity, got.solo_isolate) == (
            r.mute,
            r.solo,
            r.polarity,
            r.solo_isolate,
        )
        assert [p["name"] for p in got.plugins] == [p.name for p in r.plugins], r.name
        for mine, theirs in zip(r.plugins, got.plugins, strict=True):
            assert theirs["active"] == mine.active
            assert theirs["count"] == (r.channels if mine.per_channel else 1)
            if mine.kind == "lua":
                names = [n for n, _ in ax.LUA_PARAMS[mine.script]]
                want = {names[i]: v for i, v in mine.params.items()}
            else:
                want = {ax.LV2_NAMES[mine.uri][sym]: v for sym, v in mine.params.items()}
            assert theirs["params"] == pytest.approx(want, rel=1e-6, abs=1e-6), (r.name, mine.name)
        assert got.sends == pytest.approx({s.target: am.db_to_gain(s.gain_db) for s in r.sends}, rel=1e-6)
    # and the file Ardour saves again keeps the panners and regions we wrote
    assert f'user-panner="{am.PANNER_BALANCE}"' in rb.saved_xml
    assert f'user-panner="{am.PANNER_STEREO}"' in rb.saved_xml
    assert 'fade-in-active="1"' in rb.saved_xml
    assert rb.saved_xml.count(f'name="{am.RIDE_NAME}"') == 1  # the vocal's ride, kept


def test_a_failing_render_reports_the_tool_output(tmp_path):
    broken = tmp_path / "x" / "x.ardour"
    broken.parent.mkdir()
    broken.write_text("<Session version='7002'/>", encoding="utf-8")
    with pytest.raises(check.ArdourToolError, match="exited"):
        check.render(broken, timeout=120)
