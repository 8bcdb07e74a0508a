"""AAF export, read back by two readers: pyaaf2 (the objects as written, and the audio they play)
and OpenTimelineIO's AAF adapter (an independent reader). Every track, name, clip position and
length (to the sample), source offset, gain (0.01 dB), pan, fade and marker is checked against the
render plan; the prep AAF's playback nulls against the renderer outside the fades; the printed
AAF's clips sum to mix.wav."""

from __future__ import annotations

import copy
import dataclasses
import logging
import math
from pathlib import Path

import aaf2
import numpy as np
import opentimelineio as otio
import pytest
import soundfile as sf

from faderpilot.export import DAW_WRITERS, approximations, export
from faderpilot.export import aaf as fpaaf
from faderpilot.render import plan as rplan
from faderpilot.render.engine import render_track
from faderpilot.session.model import Marker, Region, Send

try:
    from .test_ardour_fixtures import SR, UNICODE, P, build_session, noise, tone
except ImportError:  # pragma: no cover - run from inside tests/export
    from test_ardour_fixtures import SR, UNICODE, P, build_session, noise, tone

SECONDS = 2.0
FRAMES = int(SECONDS * SR)


def prep_session(root: Path):
    """Every kind of edit prep makes: strip-silence regions with fades, a delay (late and
    early), inverted polarity, trim, fader, pan, gain automation, a stereo track, markers."""
    kick = noise(SECONDS, 0.2, 1)
    snare = noise(SECONDS, 0.1, 2)
    gtr = np.vstack([tone(196, SECONDS, 0.2)[0], tone(247, SECONDS, 0.2)[0]]).astype(np.float32)
    vox = noise(SECONDS, 0.15, 3)
    specs = [
        (
            "kick",
            kick,
            dict(
                name="Kick In",
                trim_db=-3.0,
                fader_db=-2.5,
                pan=-0.3,
                regions=[
                    Region(0.1, 0.6, 0.1, fade_in_ms=5.0, fade_out_ms=20.0),
                    Region(0.9, 1.4, 0.9, fade_in_ms=10.0, fade_out_ms=10.0),
                ],
            ),
        ),
        ("snare", snare, dict(name="Snr Btm", polarity_inverted=True, delay_ms=2.5, fader_db=1.5, pan=0.4)),
        (
            "gtr",
            gtr,
            dict(
                name=UNICODE,
                pan=0.5,
                fader_db=-4.0,
                automation=[{"param": "gain_db", "points": [[0.5, 0.0], [1.0, -6.0], [1.5, -6.0]]}],
            ),
        ),
        (
            "vox",
            vox,
            dict(name="Vox: Lead/Dbl", delay_ms=-2.0, regions=[Region(0.0, 1.8, 0.0, fade_out_ms=40.0)]),
        ),
    ]
    s = build_session(root, specs, SECONDS, name="My Song – ünï")
    s.markers = [Marker("Intro", 0.0), Marker("Verse 1", 0.5), Marker("Chorus", 1.25)]
    return s


# ---- reader 1: pyaaf2 ------------------------------------------------------------------------


def media_format(path: Path) -> set[tuple[int, int, int]]:
    """(sample rate, bits, channels) of every embedded media."""
    with aaf2.open(str(path), "r") as f:
        return {
            (int(float(d["SampleRate"].value)), d["QuantizationBits"].value, d["Channels"].value)
            for d in (m.descriptor for m in f.content.sourcemobs())
        }


def _pcm(mob) -> np.ndarray:
    """A MasterMob's embedded PCM as float (channels, frames)."""
    src = mob.slots[0].segment.mob
    d = src.descriptor
    ch, bits = d["Channels"].value, d["QuantizationBits"].value
    raw = np.frombuffer(src.essence.open("r").read(), dtype=np.uint8)
    if bits == 16:
        v = raw.view("<i2").astype(np.int32)
    else:
        b = raw.reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        v = np.where(v >= 1 << 23, v - (1 << 24), v)
    return (v.reshape(-1, ch).T / float(2 ** (bits - 1))).astype(np.float64)


def _param(group, name: str):
    (p,) = [p for p in group.parameters if p.parameterdef.name == name]
    return p


def read_pyaaf2(path: Path) -> dict:
    """The file as plain data: per track its name, pan, volume (constant or points), clips
    (start, offset, length, gain, fade in, fade out) and the audio it plays (mono sum before
    pan), and the markers."""
    out: dict = {"tracks": [], "markers": []}
    with aaf2.open(str(path), "r") as f:
        (comp,) = list(f.content.toplevel())
        out["name"] = comp.name
        for slot in comp.slots:
            if isinstance(slot, aaf2.mobslots.EventMobSlot):
                for m in slot.segment.components:
                    out["markers"].append((m["Comment"].value, m["Position"].value))
                continue
            sr = int(slot.edit_rate)
            pan_g = slot.segment
            assert pan_g.operation.name == "Mono Audio Pan"
            pan = float(_param(pan_g, "Pan").value) * 2 - 1
            vol_g = pan_g.segments[0]
            vol = _param(vol_g, "Amplitude")
            seq = vol_g.segments[0]
            n = seq.length
            if isinstance(vol, aaf2.misc.VaryingValue):
                points = [(round(float(p.time) * n), 20 * math.log10(float(p.value))) for p in vol.pointlist]
                t = np.array([p[0] for p in points], float)
                g = np.array([10 ** (p[1] / 20) for p in points])
                vol_curve = np.interp(np.arange(n), t, g)  # AAF: linear in amplitude between points
                volume = None
            else:
                points = []
                volume = 20 * math.log10(float(vol.value))
                vol_curve = np.full(n, 10 ** (volume / 20))
            clips, cursor, audio = [], 0, None
            comps = list(seq.components)
            for k, c in enumerate(comps):
                if isinstance(c, aaf2.components.Filler):
                    cursor += c.length
                elif isinstance(c, aaf2.components.Transition):
                    cursor -= c.length
                else:
                    assert c.operation.name == "Mono Audio Gain"
                    sc = c.segments[0]
                    gain = float(_param(c, "Amplitude").value)
                    before = (
                        comps[k - 1] if k and isinstance(comps[k - 1], aaf2.components.Transition) else None
                    )
                    after = (
                        comps[k + 1]
                        if k + 1 < len(comps) and isinstance(comps[k + 1], aaf2.components.Transition)
                        else None
                    )
                    fi = before.length if before else 0
                    fo = after.length if after else 0
                    clips.append((cursor, sc.start, sc.length, 20 * math.log10(gain), fi, fo))
                    media = _pcm(sc.mob)
                    if audio is None:
                        audio = np.zeros((media.shape[0], n))
                    seg = media[:, sc.start : sc.start + sc.length] * gain
                    if fi:
                        seg[:, :fi] *= np.arange(fi) / fi
                    if fo:
                        seg[:, -fo:] *= 1 - np.arange(1, fo + 1) / fo
                    audio[:, cursor : cursor + sc.length] += seg
                    cursor += sc.length
            assert cursor == n
            if audio is not None:
                audio = audio * vol_curve
            out["tracks"].append(
                dict(
                    name=slot.name,
                    rate=sr,
                    pan=pan,
                    volume=volume,
                    points=points,
                    clips=clips,
                    audio=audio,
                    bits=None,
                )
            )
    return out


# ---- reader 2: OpenTimelineIO's AAF adapter ----------------------------------------------------


def read_otio(path: Path) -> dict:
    """The file as OpenTimelineIO reads it (unsimplified, so each track keeps its slot name)."""
    coll = otio.adapters.read_from_file(str(path), adapter_name="AAF", simplify=False)
    (tl,) = [x for x in coll if isinstance(x, otio.schema.Timeline)]
    out: dict = {"tracks": [], "markers": []}
    for holder in [tl.tracks, *tl.tracks.find_children()]:
        for m in getattr(holder, "markers", []):  # attached to what lies under them: to song time
            at = (
                m.marked_range.start_time
                if holder is tl.tracks
                else holder.transformed_time(m.marked_range.start_time, tl.tracks)
            )
            out["markers"].append((m.name, int(at.value)))
    for top in tl.tracks:
        effects, node = {}, top
        while node.name != "Sequence":  # down the track's pan and volume to its clip sequence
            kids = [c for c in node if not isinstance(c, otio.schema.Transition)]
            if len(kids) != 1 or not isinstance(kids[0], otio.core.Composition):
                break
            node = kids[0]
            for e in getattr(node, "effects", []):
                params = e.metadata["AAF"].get("Parameters", {})
                effects[e.name] = {k: _plain(v) for k, v in params.items()}
        if not effects:  # the event track holding the markers
            continue
        clips, items = [], list(node)
        for k, it in enumerate(items):
            if not isinstance(it, otio.schema.Stack):
                continue
            (clip,) = list(it.find_clips())
            amp = it.effects[0].metadata["AAF"]["Parameters"]["Amplitude"]
            r = it.range_in_parent()
            fi = items[k - 1].out_offset.value if isinstance(items[k - 1], otio.schema.Transition) else 0
            nxt = items[k + 1] if k + 1 < len(items) else None
            fo = nxt.in_offset.value if isinstance(nxt, otio.schema.Transition) else 0
            clips.append(
                (
                    int(r.start_time.value),
                    int(clip.parent().source_range.start_time.value),  # the media slot's range
                    int(r.duration.value),
                    20 * math.log10(_frac(amp)),
                    int(fi),
                    int(fo),
                )
            )
        out["tracks"].append(
            dict(
                name=top.name,
                pan=_frac(effects["Mono Audio Pan"]["Pan"]) * 2 - 1,
                effects=effects,
                clips=clips,
            )
        )
    return out


def _plain(v):
    """An adapter value as plain Python (its dictionaries live only as long as the timeline)."""
    if v is None or isinstance(v, (str, int, float)):
        return v
    if hasattr(v, "items"):
        return {k: _plain(x) for k, x in v.items()}
    return [_plain(x) for x in v]


def _frac(v) -> float:
    """A rational as OpenTimelineIO's adapter hands it over ('n/d' or a number)."""
    if isinstance(v, str) and "/" in v:
        a, b = v.split("/")
        return int(a) / int(b)
    return float(v)


# ---- what the plan says ------------------------------------------------------------------------


def expected(session) -> list[dict]:
    p = rplan.build(session)
    out = []
    for t in session.tracks:
        sp = p.strip(t.id)
        clips = []
        for c in sp.clips:
            fi, fo = c.audible_fades()
            clips.append((c.start, c.offset, c.length, t.trim_db, fi, fo))
        out.append(dict(name=t.name, pan=t.pan, fader=t.fader_db, clips=clips))
    return out


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("aaf")
    session = prep_session(root)
    out = root / "out"
    path = export(session, out, "aaf")
    return session, out, path


def _same_clips(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g[:3] == w[:3], (g, w)  # start, source offset, length: to the sample
        assert abs(g[3] - w[3]) < 0.01, (g, w)  # clip gain (trim), dB
        assert g[4:] == w[4:], (g, w)  # fade in, fade out: samples


def test_registered_and_files_named_after_the_song(written):
    session, out, path = written
    assert "aaf" in DAW_WRITERS
    assert path == out / "My Song – ünï.aaf" and path.is_file()
    assert (out / "My Song – ünï chains.txt").is_file()
    assert not list(out.glob(".*tmp*")), "temporary files left behind"


def test_pyaaf2_reads_every_track_clip_gain_pan_fade_and_marker(written):
    session, _, path = written
    got = read_pyaaf2(path)
    want = expected(session)
    assert [t["name"] for t in got["tracks"]] == [t.name for t in session.tracks]
    for g, w in zip(got["tracks"], want, strict=True):
        assert g["rate"] == SR
        _same_clips(g["clips"], w["clips"])
        assert abs(g["pan"] - w["pan"]) < 1e-6
        if w["name"] != UNICODE:  # a still fader: volume automation from start to end at its value
            assert [p[0] for p in g["points"]] == [0, FRAMES]
            assert all(abs(p[1] - w["fader"]) < 0.01 for p in g["points"])
    gtr = got["tracks"][2]
    pts = dict(gtr["points"])  # fader + automation, dB, at exact samples
    assert abs(pts[0] - (-4.0)) < 0.01 and abs(pts[int(0.5 * SR)] - (-4.0)) < 0.01
    assert abs(pts[int(1.0 * SR)] - (-10.0)) < 0.01 and abs(pts[FRAMES] - (-10.0)) < 0.01
    assert got["markers"] == [("Intro", 0), ("Verse 1", int(0.5 * SR)), ("Chorus", int(1.25 * SR))]
    # the kept edits: the snare's delay moves its clip, the vox's early delay cuts its head
    assert got["tracks"][1]["clips"][0][:3] == (int(0.0025 * SR), 0, FRAMES - int(0.0025 * SR))
    assert got["tracks"][3]["clips"][0][:3] == (0, int(0.002 * SR), int(1.8 * SR) - int(0.002 * SR))


def test_opentimelineio_reads_the_same(written):
    session, _, path = written
    got = read_otio(path)
    want = expected(session)
    assert [t["name"] for t in got["tracks"]] == [t.name for t in session.tracks]
    for g, w in zip(got["tracks"], want, strict=True):
        _same_clips(g["clips"], w["clips"])
        assert abs(g["pan"] - w["pan"]) < 1e-6
        keys = g["effects"]["Mono Audio Gain"]["Amplitude"]["keyframe_values"]
        if w["name"] != UNICODE:
            assert [round(t * FRAMES) for t, _ in keys] == [0, FRAMES]
            assert all(abs(20 * math.log10(v) - w["fader"]) < 0.01 for _, v in keys)
    keys = got["tracks"][2]["effects"]["Mono Audio Gain"]["Amplitude"]["keyframe_values"]
    pts = {round(t * FRAMES): 20 * math.log10(v) for t, v in keys}  # times are fractions of the track
    assert abs(pts[0] + 4.0) < 0.01 and abs(pts[int(0.5 * SR)] + 4.0) < 0.01
    assert abs(pts[int(1.0 * SR)] + 10.0) < 0.01 and abs(pts[FRAMES] + 10.0) < 0.01
    assert sorted(got["markers"], key=lambda m: m[1]) == [
        ("Intro", 0),
        ("Verse 1", int(0.5 * SR)),
        ("Chorus", int(1.25 * SR)),
    ]


def test_playback_nulls_against_the_renderer_outside_the_fades(written):
    """What the AAF plays (clip gain x media x track volume, before the pan) is the renderer's
    track, polarity, delay and automation included (the DAW ramps volume linearly in gain between
    points 0.1 dB apart, faderpilot in dB), to -100 dB; inside fades the DAW's own ramp applies."""
    session, _, path = written
    got = read_pyaaf2(path)
    plan = rplan.build(session)
    for t, g in zip(session.tracks, got["tracks"], strict=True):
        x, _ = sf.read(t.source, dtype="float32", always_2d=True)
        t0 = dataclasses.replace(t, pan=0.0)
        ref = render_track(t0, x.T, SR, session.pan_law).astype(np.float64)
        if t.channels == 1:
            ref = ref[:1] / math.cos(math.pi / 4)  # mono at centre: cos(pi/4) on each side
        mask = np.ones(FRAMES, bool)
        for c in plan.strip(t.id).clips:
            fi, fo = c.audible_fades()
            mask[c.start : c.start + fi] = False
            mask[c.start + c.length - fo : c.start + c.length] = False
        diff = g["audio"] - ref
        resid = 20 * np.log10(np.sqrt(np.mean(diff[:, mask] ** 2)) / np.sqrt(np.mean(ref[:, mask] ** 2)))
        assert resid < -100, (t.name, resid)
        inv = np.sum(g["audio"][:, mask] * ref[:, mask])
        assert inv > 0  # the polarity-inverted copy plays the renderer's polarity
        fades = ~mask & (np.abs(ref).max(axis=0) > 0)
        if fades.any() and not t.automation:
            rel = np.max(np.abs(diff[:, fades])) / np.max(np.abs(ref))
            assert rel < 0.01, (t.name, rel)  # linear ramps, one sample of discretisation apart


def test_media_at_the_session_rate_and_bit_depth(written, tmp_path):
    session, _, path = written
    assert media_format(path) == {(SR, 24, 1), (SR, 24, 2)}  # float sources: 24-bit PCM
    session = copy.deepcopy(session)
    for src in session.sources:
        src.subtype = "PCM_16"
    assert media_format(fpaaf.write(session, tmp_path)) == {(SR, 16, 1), (SR, 16, 2)}


def test_polarity_fixed_by_prep_is_an_inverted_copy_named_so(written):
    _, _, path = written
    with aaf2.open(str(path), "r") as f:
        names = sorted(m.name for m in f.content.mastermobs())
    assert "02_Snr Btm (polarity inverted)" in names
    assert "01_Kick In" in names


def test_chains_txt_and_approximations_list_what_aaf_cannot_carry(tmp_path, caplog):
    session = prep_session(tmp_path)
    vox = session.track("vox")
    vox.chain = [
        P("highpass", freq_hz=100.0, slope_db_oct=12.0),
        P("compressor", threshold_db=-20.0, ratio=3.0, attack_ms=5.0, release_ms=80.0),
    ]
    vox.sends = [Send("reverb", -18.0)]
    with caplog.at_level(logging.INFO, logger="faderpilot.export.aaf"):
        fpaaf.write(session, tmp_path / "out")
    text = fpaaf.chains_path(session, tmp_path / "out").read_text(encoding="utf-8")
    block = text[text.index("Vox: Lead/Dbl\n") : text.index("Reverb bus")]
    assert "High-pass: 100 Hz, 12 dB/oct" in block and "Send to Reverb: -18.0 dB" in block
    assert "3:1" in block  # the compressor in the report's words and units
    assert "in the AAF: Track delay -2.00 ms" in block
    kick = text[text.index("Kick In\n") : text.index("Snr Btm\n")]
    assert "Trim -3.0 dB" in kick and "Fader -2.5 dB" in kick
    notes = approximations(session, "aaf")
    assert any("compressor, highpass" in n for n in notes) and any("buses or sends" in n for n in notes)
    assert all(n in caplog.text for n in notes)


def test_printed_aaf_is_skipped_with_fp_w070_when_no_stems(tmp_path, caplog):
    session = prep_session(tmp_path)
    with caplog.at_level(logging.WARNING):
        fpaaf.write(session, tmp_path / "out")
    assert "FP-W070" in caplog.text
    assert not fpaaf.printed_path(session, tmp_path / "out").exists()


def test_reexport_is_byte_identical(written, tmp_path):
    session, out, path = written
    again = fpaaf.write(session, tmp_path)
    assert again.read_bytes() == path.read_bytes()


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A real `mix` of a small stems folder, writing only the AAF."""
    from faderpilot.pipeline import mix

    root = tmp_path_factory.mktemp("mixaaf")
    stems = root / "stems"
    stems.mkdir()
    t = np.arange(int(3 * SR)) / SR
    kick = 0.5 * np.sin(2 * np.pi * 55 * t) * np.exp(-((t * 2) % 1.0) * 25)
    sf.write(stems / "Kick.wav", kick.astype(np.float32), SR, subtype="PCM_24")
    sf.write(
        stems / "Bass DI.wav", (0.3 * np.sin(2 * np.pi * 82 * t)).astype(np.float32), SR, subtype="PCM_24"
    )
    gtr = np.stack([0.2 * np.sin(2 * np.pi * 196 * t), 0.2 * np.sin(2 * np.pi * 247 * t)], axis=1)
    sf.write(stems / "Gtr – ü.wav", gtr.astype(np.float32), SR, subtype="PCM_24")
    sf.write(
        stems / "Lead Vox.wav", noise(3.0, 0.1, 9)[0] * (np.sin(2 * np.pi * t) > 0), SR, subtype="PCM_24"
    )
    out = root / "out"
    mix(stems, out, report=False, daws=("aaf",))
    return out


def test_printed_aaf_sums_to_mix_wav(mixed):
    from faderpilot.session.io import load

    session = load(mixed / "session.json")
    path = fpaaf.printed_path(session, mixed)
    got = read_pyaaf2(path)
    mixwav, sr = sf.read(mixed / "mix.wav", dtype="float64", always_2d=True)
    total = np.zeros((2, mixwav.shape[0]))
    for tr in got["tracks"]:
        assert tr["pan"] == 0.0 and all(abs(p[1]) < 1e-6 for p in tr["points"])
        (clip,) = tr["clips"]
        assert clip[:3] == (0, 0, mixwav.shape[0]) and abs(clip[3]) < 0.01  # at unity
        total += tr["audio"]
    peak = np.max(np.abs(total - mixwav.T))
    assert 20 * np.log10(peak) < -90, 20 * np.log10(peak)
    names = [tr["name"] for tr in got["tracks"]]
    strips = {s.id: s.name for s in rplan.build(session).strips}
    assert names == [strips[i] for i in fpaaf.printed_sources(session, rplan.build(session))]
