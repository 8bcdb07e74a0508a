"""DAWproject playback: a small reader plays a written project as a host would, and the sum
nulls against faderpilot's own mix.

The reader knows nothing of the session: it reads ``project.xml`` and the embedded audio, places
each clip (time, playStart, duration, linear fades), runs each channel's devices (Equalizer bands
as RBJ Cookbook biquads written here from the band's type, frequency, gain and Q; Compressor,
NoiseGate and Limiter as the processors faderpilot defines them; a generic ``Device`` as a host
does with a plug-in it cannot load: passed through), applies Volume (and its automation points,
linear in gain), Pan (faderpilot's pan law: the one the docs ask the host to use), Mute and solo,
and sums each channel into its ``destination`` and, through enabled post-fader ``Send``s, into
theirs, down to the master. What a host cannot play is therefore only heard through the printed
tracks, and the sum says whether they, and the muting of the live strips, are right.
"""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import sosfilt

from faderpilot.audio.io import load_sources, sha256_file, write_wav_atomic
from faderpilot.export import dawproject
from faderpilot.render.chain import run_chain
from faderpilot.render.engine import render
from faderpilot.render.plan import stem_paths
from faderpilot.session.io import save
from faderpilot.session.model import Bus, Processor, Role, Send, Session, Source, Track

try:
    from .test_dawproject_fixtures import demo_session, every_processor_session
except ImportError:  # collected without the package
    from test_dawproject_fixtures import demo_session, every_processor_session

#: The depth the issue asks for.
NULL_DB = -60.0


def _rbj(btype: str, f: float, gain_db: float, q: float, sr: int) -> list[float]:
    """One normalised biquad of the RBJ Audio EQ Cookbook for a DAWproject band type."""
    a = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * f / sr
    c, alpha = math.cos(w0), math.sin(w0) / (2 * q)
    sq = 2 * math.sqrt(a) * alpha
    if btype == "highPass":
        b, d = [(1 + c) / 2, -(1 + c), (1 + c) / 2], [1 + alpha, -2 * c, 1 - alpha]
    elif btype == "lowPass":
        b, d = [(1 - c) / 2, 1 - c, (1 - c) / 2], [1 + alpha, -2 * c, 1 - alpha]
    elif btype == "bell":
        b, d = [1 + alpha * a, -2 * c, 1 - alpha * a], [1 + alpha / a, -2 * c, 1 - alpha / a]
    elif btype == "lowShelf":
        b = [
            a * ((a + 1) - (a - 1) * c + sq),
            2 * a * ((a - 1) - (a + 1) * c),
            a * ((a + 1) - (a - 1) * c - sq),
        ]
        d = [(a + 1) + (a - 1) * c + sq, -2 * ((a - 1) + (a + 1) * c), (a + 1) + (a - 1) * c - sq]
    elif btype == "highShelf":
        b = [
            a * ((a + 1) + (a - 1) * c + sq),
            -2 * a * ((a - 1) + (a + 1) * c),
            a * ((a + 1) + (a - 1) * c - sq),
        ]
        d = [(a + 1) - (a - 1) * c + sq, 2 * ((a - 1) - (a + 1) * c), (a + 1) - (a - 1) * c - sq]
    else:
        raise ValueError(f"band type {btype!r} is not played by this reader")
    return [b[0] / d[0], b[1] / d[0], b[2] / d[0], 1.0, d[1] / d[0], d[2] / d[0]]


def _v(e: ET.Element, tag: str) -> float:
    return float(e.find(tag).get("value"))


def _on(e: ET.Element) -> bool:
    en = e.find("Enabled")
    return en is None or en.get("value") == "true"


def _devices(x: np.ndarray, devices: ET.Element, sr: int) -> np.ndarray:
    """A channel's devices, in order, on (channels, frames) audio."""
    for dev in devices:
        if not _on(dev):
            continue
        if dev.tag == "Equalizer":
            if dev.find("InputGain") is not None:
                x = x * 10 ** (_v(dev, "InputGain") / 20)
            sections = []
            for band in dev.findall("Band"):
                if band.find("Enabled").get("value") != "true":
                    continue
                gain = _v(band, "Gain") if band.find("Gain") is not None else 0.0
                sections.append(_rbj(band.get("type"), _v(band, "Freq"), gain, _v(band, "Q"), sr))
            if sections:
                x = sosfilt(np.asarray(sections), x, axis=-1)
        elif dev.tag == "Compressor":
            p = {
                "threshold_db": _v(dev, "Threshold"),
                "ratio": dawproject.percent_to_ratio(_v(dev, "Ratio")),
                "attack_ms": 1000 * _v(dev, "Attack"),
                "release_ms": 1000 * _v(dev, "Release"),
                "makeup_db": _v(dev, "OutputGain"),
            }
            x = run_chain(np.asarray(x, np.float32), [Processor("c", "compressor", p)], sr)
        elif dev.tag == "NoiseGate":
            p = {
                "threshold_db": _v(dev, "Threshold"),
                "attack_ms": 1000 * _v(dev, "Attack"),
                "release_ms": 1000 * _v(dev, "Release"),
                "range_db": -_v(dev, "Range"),
            }
            x = run_chain(np.asarray(x, np.float32), [Processor("g", "gate", p)], sr)
        elif dev.tag == "Limiter":
            p = {"ceiling_db": _v(dev, "Threshold"), "release_ms": 1000 * _v(dev, "Release")}
            x = run_chain(np.asarray(x, np.float32), [Processor("l", "limiter", p)], sr)
        # a generic Device is a plug-in the host cannot load: it passes the sound through
    return np.asarray(x, dtype=np.float64)


def _pan(x: np.ndarray, normalized: float) -> np.ndarray:
    """faderpilot's pan law: constant power for mono, balance for stereo (docs/signal-flow.md)."""
    p = 2 * normalized - 1
    t = (p + 1) * math.pi / 4
    if x.shape[0] == 1:
        return np.vstack([x[0] * math.cos(t), x[0] * math.sin(t)])
    gl, gr = (1.0, math.sqrt(2) * math.sin(t)) if p <= 0 else (math.sqrt(2) * math.cos(t), 1.0)
    return np.vstack([x[0] * gl, x[1] * gr])


def play(path: Path) -> tuple[np.ndarray, int]:
    """The master output of a .dawproject as a host plays it: (2, frames) float64 and the rate."""
    z = zipfile.ZipFile(path)
    project = ET.fromstring(z.read("project.xml"))
    audio_els = list(project.iter("Audio"))
    sr = int(audio_els[0].get("sampleRate"))
    frames = int(round(float(audio_els[0].get("duration")) * sr))
    tracks = list(project.find("Structure").iter("Track"))
    channel_of = {t.get("id"): t.find("Channel") for t in tracks}
    channels = {c.get("id"): c for c in project.iter("Channel")}
    lanes = {ln.get("track"): ln for ln in project.find("Arrangement").find("Lanes").findall("Lanes")}
    media: dict[str, np.ndarray] = {}

    def clip_audio(track_id: str, n_ch: int) -> np.ndarray:
        out = np.zeros((n_ch, frames))
        lane = lanes.get(track_id)
        if lane is None:
            return out
        for clip in lane.find("Clips").findall("Clip"):
            f = clip.find("Audio").find("File").get("path")
            if f not in media:
                media[f] = sf.read(io.BytesIO(z.read(f)), dtype="float64", always_2d=True)[0].T
            start = int(round(float(clip.get("time")) * sr))
            off = int(round(float(clip.get("playStart")) * sr))
            n = int(round(float(clip.get("duration")) * sr))
            seg = media[f][:, off : off + n].copy()
            fi = int(round(float(clip.get("fadeInTime", 0)) * sr))
            fo = int(round(float(clip.get("fadeOutTime", 0)) * sr))
            if fi:
                seg[:, :fi] *= np.linspace(0.0, 1.0, fi, endpoint=False)
            if fo:
                seg[:, n - fo :] *= np.linspace(1.0, 0.0, fo)
            out[:, start : start + n] += seg
        return out

    automation: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for pts in project.iter("Points"):
        rp = pts.findall("RealPoint")
        automation[pts.find("Target").get("parameter")] = (
            np.array([float(p.get("time")) for p in rp]),
            np.array([float(p.get("value")) for p in rp]),
        )

    feeders: dict[str, set[str]] = {c: set() for c in channels}
    for cid, ch in channels.items():
        for dest in [ch.get("destination")] + [s.get("destination") for s in ch.iter("Send")]:
            if dest:
                feeders[dest].add(cid)
    soloing = any(ch.get("solo") == "true" for ch in channels.values() if ch.get("role") == "regular")
    track_of = {ch.get("id"): tid for tid, ch in channel_of.items()}
    inputs = {cid: np.zeros((2, frames)) for cid in channels}
    master = None
    done: set[str] = set()
    while len(done) < len(channels):
        ready = [c for c in channels if c not in done and feeders[c] <= done]
        assert ready, "routing loop"
        for cid in ready:
            ch = channels[cid]
            if ch.get("role") == "regular":
                x = clip_audio(track_of[cid], int(ch.get("audioChannels")))
            else:
                x = inputs[cid]
            x = _devices(x, ch.find("Devices"), sr)
            vol = ch.find("Volume")
            if vol.get("id") in automation:
                t, v = automation[vol.get("id")]
                x = x * np.interp(np.arange(frames) / sr, t, v)
            else:
                x = x * float(vol.get("value"))
            x = _pan(x, _v(ch, "Pan"))
            muted = ch.find("Mute").get("value") == "true"
            if ch.get("role") == "regular" and soloing and ch.get("solo") != "true":
                muted = True
            if muted:
                x = np.zeros_like(x)
            if ch.get("role") == "master":
                master = x
            else:
                inputs[ch.get("destination")] += x
                for s in ch.iter("Send"):
                    if s.find("Enable").get("value") == "true":
                        inputs[s.get("destination")] += x * _v(s, "Volume")
            done.add(cid)
    assert master is not None
    return master, sr


def null_db(a: np.ndarray, ref: np.ndarray) -> float:
    """Level of ``a - ref`` relative to ``ref`` (dB, RMS over both channels)."""
    return 20 * math.log10(np.sqrt(np.mean((a - ref) ** 2)) / np.sqrt(np.mean(ref**2)))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    session, out = demo_session(tmp_path_factory)
    return session, out, dawproject.write(session, out)


def test_demo_project_plays_our_mix_within_60_db(demo):
    session, out, path = demo
    # the demo prints what no host plays: its reverb, delay, saturated drum bus and bass, the
    # polarity-flipped kick
    assert set(dawproject.printed(session)) == {"reverb", "delay", "drums", "t01", "t06"}
    played, sr = play(path)
    mix, mix_sr = sf.read(out / "mix.wav", dtype="float64", always_2d=True)
    assert sr == mix_sr == session.sample_rate and played.shape == mix.T.shape
    null = null_db(played, mix.T)
    assert null < NULL_DB, f"the DAWproject plays our mix only to {null:.1f} dB"
    # without the printed tracks (the live strips unmuted) the project falls far short: the
    # printed tracks carry what the hosts cannot play
    z = zipfile.ZipFile(path)
    project = ET.fromstring(z.read("project.xml"))
    for tr in list(project.find("Structure").iter("Track")):
        if tr.get("name").endswith(dawproject.PRINTED_SUFFIX):
            tr.find("Channel").find("Mute").set("value", "true")
        elif tr.get("name") in {"Reverb", "Delay", "Drums", "Kick In", "Bass DI"}:
            tr.find("Channel").find("Mute").set("value", "false")
            for s in tr.iter("Send"):
                s.find("Enable").set("value", "true")
    live = out.parent / (out.name + "-live.dawproject")
    with zipfile.ZipFile(live, "w") as zl:
        for n in z.namelist():
            zl.writestr(n, dawproject.xml_bytes(project) if n == "project.xml" else z.read(n))
    live_null = null_db(play(live)[0], mix.T)
    live.unlink()
    assert live_null > -6.0, live_null  # -1.5 dB measured: no reverb, no delay, no saturation


def test_demo_printed_tracks_are_the_printed_stems_routed_as_the_strips(demo):
    session, out, path = demo
    z = zipfile.ZipFile(path)
    project = ET.fromstring(z.read("project.xml"))
    tracks = {t.get("name"): t for t in project.find("Structure").iter("Track")}
    ids = {e.get("id"): e for e in project.iter() if e.get("id")}
    stems = stem_paths(session, out)
    strips = {t.id: t for t in session.tracks} | {b.id: b for b in session.buses}
    for sid in dawproject.printed(session):
        strip = strips[sid]
        tr = tracks[strip.name + dawproject.PRINTED_SUFFIX]
        live = tracks[strip.name].find("Channel")
        ch = tr.find("Channel")
        # unity, centre, stereo, not muted; routed where the live strip goes
        assert ch.get("role") == "regular" and ch.get("audioChannels") == "2"
        assert _v(ch, "Volume") == 1.0 and _v(ch, "Pan") == 0.5 and ch.find("Mute").get("value") == "false"
        assert ch.get("destination") == live.get("destination")
        # the live strip is muted; its unplayable devices are off, their parameters kept
        assert live.find("Mute").get("value") == "true"
        for dev in live.find("Devices").findall("Device"):
            assert dev.find("Enabled").get("value") == "false" and len(dev.find("Parameters")) >= 2
        # a printed track takes over the track's sends; the live ones are off
        live_sends = {s.get("destination"): _v(s, "Volume") for s in live.iter("Send")}
        assert {s.get("destination"): _v(s, "Volume") for s in ch.iter("Send")} == live_sends
        assert all(s.find("Enable").get("value") == "false" for s in live.iter("Send"))
        # one clip over the whole song, playing the printed stem byte for byte (not rendered again)
        lane = next(ln for ln in project.iter("Lanes") if ln.get("track") == tr.get("id"))
        (clip,) = lane.find("Clips").findall("Clip")
        assert float(clip.get("time")) == 0.0 and float(clip.get("playStart")) == 0.0
        assert float(clip.get("duration")) == pytest.approx(session.length_s)
        member = clip.find("Audio").find("File").get("path")
        assert member == f"{dawproject.PRINTED_DIR}/{stems[sid].name}"
        assert z.read(member) == stems[sid].read_bytes()
        # placed next to its live strip, in the same folder
        parent = next(p for p in project.find("Structure").iter() if tracks[strip.name] in list(p))
        kids = list(parent)
        assert kids.index(tr) == kids.index(tracks[strip.name]) + 1
        assert ids[ch.get("destination")] is ids[live.get("destination")]


def test_demo_summary_says_what_is_printed(demo):
    session, *_ = demo
    text = "\n".join(dawproject.approximations(session))
    for name in ("Reverb", "Delay", "Drums", "Bass DI", "Kick In"):
        assert f"'{name}{dawproject.PRINTED_SUFFIX}'" in text, name
    assert "not written" not in text  # the kick's polarity is printed, not lost


def test_without_printed_stems_the_writer_renders_them_and_the_project_still_nulls(tmp_path):
    session = every_processor_session(tmp_path / "stems")
    out = tmp_path / "out"
    save(session, out / "session.json")
    path = dawproject.write(session, out)  # no stems/ here: rendered in memory
    rendered = render(session, load_sources(session))
    z = zipfile.ZipFile(path)
    names = {b.id: b.name for b in session.buses}
    members = {}
    for sid in ("verb", "echo"):
        members[sid] = next(
            n for n in z.namelist() if n.startswith(dawproject.PRINTED_DIR) and f"_{names[sid]} Bus" in n
        )
        data, _ = sf.read(io.BytesIO(z.read(members[sid])), dtype="float32", always_2d=True)
        assert np.array_equal(data.T, rendered.bus_stems[sid])
    first = z.read(members["verb"])
    # keys is soloed: only it sounds, so only it (saturation) and the FX buses are printed
    assert set(dawproject.printed(session)) == {"t04", "verb", "echo"}
    played, _ = play(path)
    null = null_db(played, rendered.mix.astype(np.float64))
    assert null < NULL_DB, null
    # a stem of another shape (an older, shorter render) is not used
    stem = stem_paths(session, out)["verb"]
    stem.parent.mkdir()
    sf.write(stem, np.zeros((100, 2), np.float32), session.sample_rate, subtype="FLOAT")
    again = dawproject.write(session, out)
    assert zipfile.ZipFile(again).read(members["verb"]) == first
    # one of the session's shape is used as it is: copied, never rendered again
    frames = int(round(session.length_s * session.sample_rate))
    marker = np.full((2, frames), 0.125, np.float32)
    write_wav_atomic(stem, marker, session.sample_rate, "FLOAT")
    third = zipfile.ZipFile(dawproject.write(session, out)).read(members["verb"])
    assert third == stem.read_bytes() != first


def test_every_strip_sounding_nested_groups_width_and_a_track_into_an_fx_bus(tmp_path):
    """The hand-built session with solo and mute lifted: a printed track inside nested group
    folders (the vocal: saturation and polarity), a printed stereo width (the backing vocal), a
    muted FX return fed straight by a live track (the guitar into the delay), a group compressor
    and the master limiter: still our mix."""
    session = every_processor_session(tmp_path / "stems")
    for t in session.tracks:
        t.solo = t.mute = False
    assert set(dawproject.printed(session)) == {"t01", "t02", "t04", "verb", "echo"}
    path = dawproject.write(session, tmp_path / "out")
    rendered = render(session, load_sources(session))
    null = null_db(play(path)[0], rendered.mix.astype(np.float64))
    assert null < NULL_DB, null
    z = zipfile.ZipFile(path)
    project = ET.fromstring(z.read("project.xml"))
    tracks = {t.get("name"): t for t in project.find("Structure").iter("Track")}
    assert len(list(tracks[f"{session.track('t02').name} (printed)"].iter("Send"))) == 1  # to the reverb
    inner = tracks["Vocals"]
    vox = session.track("t01").name
    assert tracks[f"{vox} (printed)"] in list(inner)  # in the group's folder, routed to the group
    assert tracks[f"{vox} (printed)"].find("Channel").get("destination") == inner.find("Channel").get("id")
    # printed tracks with sends, inside nested folders, still validate
    xmlschema = pytest.importorskip("xmlschema")
    shared = Path(__file__).resolve().parents[3] / "shared" / "dawproject"
    if not (shared / "Project.xsd").exists():
        pytest.skip(f"official DAWproject XSDs not found in {shared}")
    xmlschema.XMLSchema(str(shared / "Project.xsd")).validate(z.read("project.xml").decode("utf-8"))
    xmlschema.XMLSchema(str(shared / "MetaData.xsd")).validate(z.read("metadata.xml").decode("utf-8"))


def test_report_says_which_strips_the_dawproject_prints(demo):
    from faderpilot.export.report import build_report

    session, *_ = demo
    html = build_report(session)
    for name in ("Reverb", "Delay", "Drums", "Bass DI", "Kick In"):
        assert f"“{name}{dawproject.PRINTED_SUFFIX}”" in html, name


def test_printed_reverb_and_delay_are_the_renderers_on_impulses_and_noise_bursts(tmp_path):
    """The DAWproject's reverb and delay are the renderer's own (docs/signal-flow.md defines
    them once): on an impulse and a noise burst the printed returns equal the rendered bus
    stems sample for sample, and the whole project nulls against the render."""
    sr, n = 48000, 48000
    x = np.zeros(n, np.float32)
    x[1000] = 0.8  # an impulse
    x[20000:22400] = 0.3 * np.random.default_rng(7).standard_normal(2400).astype(np.float32)  # 50 ms burst
    stems = tmp_path / "stems"
    stems.mkdir()
    src = stems / "clicks.wav"
    sf.write(src, x, sr, subtype="FLOAT")
    source = Source("s1", str(src), sha256_file(src), sr, 1, n, "WAV", "FLOAT")
    track = Track(
        "t1", "Clicks", str(src), "s1", Role("other", "name", 1.0, "test"), 1,
        pan=-0.3, sends=[Send("verb", -6.0), Send("echo", -9.0)],
    )  # fmt: skip

    def fx(bid: str, name: str, proc: Processor) -> Bus:
        return Bus(bid, name, "fx", "master", fader_db=-2.0, chain=[proc])

    buses = [
        fx("verb", "Reverb", Processor("r", "reverb", {"room_size": 0.7, "damping": 0.3, "width": 1.0})),
        fx("echo", "Delay", Processor("d", "delay", {"time_ms": 120.0, "feedback_pct": 45.0})),
        Bus("master", "Master", "master", None),
    ]
    session = Session("Clicks", sr, n / sr, [source], [track], buses)
    path = dawproject.write(session, tmp_path / "out")
    rendered = render(session, load_sources(session))
    z = zipfile.ZipFile(path)
    names = stem_paths(session, tmp_path / "out")
    for bid in ("verb", "echo"):
        data, _ = sf.read(io.BytesIO(z.read(f"{dawproject.PRINTED_DIR}/{names[bid].name}")), dtype="float32")
        assert np.array_equal(data.T, rendered.bus_stems[bid])
        assert np.max(np.abs(data)) > 1e-3  # the return sounds
    null = null_db(play(path)[0], rendered.mix.astype(np.float64))
    assert null < NULL_DB, null
