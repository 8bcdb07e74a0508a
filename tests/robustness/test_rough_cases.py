"""Rough mixes as producers send them: stems that start late or early, roughs limited, clipped or
compressed loud, and a rough the matcher cannot model (issue 15).

The truth here is not the matcher's own model: roughs are built with plain numpy gains, pans
(the constant-power and balance laws written out) and whole-sample delays, with pedalboard's
Limiter and Compressor or a hard clipper on the master, or rendered from a known session by
faderpilot's renderer.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pedalboard as pb
import pytest
import soundfile as sf
from match.synth import SR, stems

from faderpilot.analysis.loudness import integrated_loudness
from faderpilot.cli import main
from faderpilot.match.rough import fit_rough, null_depth_db, predict, shift
from faderpilot.pipeline import mix

NAMES = ("Kick", "Snare", "HiHat", "Bass", "Gtr", "Rhodes", "Pad", "Vox Lead")


def numpy_rough(xs: list[np.ndarray], gains_db, pans, delays=None) -> np.ndarray:
    """sum of stems, each delayed by whole samples, scaled and panned (mono: cos/sin of
    (pan + 1) pi / 4; stereo: balance, the far side sqrt(2) times the same curve)."""
    frames = xs[0].shape[1]
    delays = delays or [0] * len(xs)
    out = np.zeros((2, frames))
    for x, g, p, d in zip(xs, gains_db, pans, delays, strict=True):
        y = np.zeros_like(x, dtype=np.float64)
        if d >= 0:
            y[:, d:] = x[:, : frames - d]
        else:
            y[:, :d] = x[:, -d:]
        t = (p + 1) * np.pi / 4
        a = 10 ** (g / 20)
        if x.shape[0] == 1:
            out += a * np.vstack([y[0] * np.cos(t), y[0] * np.sin(t)])
        else:
            gl, gr = (1.0, np.sqrt(2) * np.sin(t)) if p <= 0 else (np.sqrt(2) * np.cos(t), 1.0)
            out += a * np.vstack([y[0] * gl, y[1] * gr])
    return out.astype(np.float32)


def known(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(-6, 6, n), rng.uniform(-0.8, 0.8, n)


@pytest.fixture(scope="module")
def xs():
    return stems(8.0)


# --- per-track offsets --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "delays",
    [
        [0, 0, 0, 12000, 0, 0, 0, 0],  # the bass 250 ms late
        [72000, 0, 0, 0, 0, 0, 0, -72000],  # kick 1.5 s late, vocal 1.5 s early
        [0, 5, -3, 1781, 0, -47, 0, 13],  # a few samples to 37 ms, both ways
    ],
)
def test_track_offsets_exact_to_the_sample(xs, delays):
    g, p = known(7, len(xs))
    rough = numpy_rough(xs, g, p, delays)
    pre = 480  # the rough has 10 ms of pre-roll too
    rough = np.concatenate([np.zeros((2, pre), np.float32), rough], axis=1)
    fit = fit_rough(rough, xs, SR)
    got = [fit.offset - pre + m.lag for m in fit.tracks]
    assert got == delays
    assert np.max(np.abs([m.gain_db for m in fit.tracks] - g)) < 0.1
    assert np.max(np.abs([m.pan for m in fit.tracks] - p)) < 0.01
    placed = rough[:, pre:]
    assert null_depth_db(placed, predict(fit, xs, SR)) >= 30.0


def test_no_track_offset_on_an_aligned_rough(xs):
    g, p = known(8, len(xs))
    fit = fit_rough(numpy_rough(xs, g, p), xs, SR)
    assert [m.lag for m in fit.tracks] == [0] * len(xs)
    assert fit.limited_db == 0.0 and fit.clipped == 0
    assert all(m.reliable for m in fit.tracks)


# --- loud roughs --------------------------------------------------------------------------------


def _errors(fit, g, p) -> tuple[float, float, float]:
    ge = np.array([m.gain_db for m in fit.tracks]) - g
    ge -= np.median(ge)  # the master's make-up gain is one common level, not balance
    pe = np.abs(np.array([m.pan for m in fit.tracks]) - p)
    return float(np.median(np.abs(ge))), float(np.max(np.abs(ge))), float(np.max(pe))


def _limited(rough: np.ndarray, kind: str) -> np.ndarray:
    r0 = rough / np.max(np.abs(rough))
    if kind == "limiter":  # JUCE's limiter: make-up to 0 dBFS, so about 6 dB off the peaks
        return pb.Pedalboard([pb.Limiter(threshold_db=-6.0, release_ms=100.0)])(r0, SR)
    if kind == "compressor":
        board = pb.Pedalboard([pb.Compressor(threshold_db=-15.0, ratio=4.0, attack_ms=5.0, release_ms=100.0)])
        return board(r0, SR) * np.float32(10 ** (6 / 20))
    return np.clip(r0 * np.float32(10 ** (6 / 20)), -1.0, 1.0)  # a hard clipper 6 dB into the peaks


@pytest.mark.parametrize(
    ("kind", "seed"), [("limiter", 0), ("limiter", 3), ("clipper", 1), ("compressor", 2)]
)
def test_loud_rough_balance(xs, kind, seed):
    g, p = known(seed, len(xs))
    rough = _limited(numpy_rough(xs, g, p), kind)
    if kind != "compressor":
        assert integrated_loudness(rough, SR) > -9.0  # as loud as roughs are sent
    fit = fit_rough(rough, xs, SR)
    med, worst, pan = _errors(fit, g, p)
    assert med <= 1.0 and worst <= 2.0 and pan <= 0.1, (med, worst, pan)
    assert fit.limited_db > 1.0 or fit.clipped > 0
    # and the plain linear fit was worse: the master's gain curve is what bent it
    plain = fit_rough(rough, xs, SR, limiter=False)
    assert _errors(plain, g, p)[1] > worst


# --- end to end through mix(): the renderer's truth, warnings, rough_match.wav ----------------


def _write(folder: Path, xs) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, x in zip(NAMES, xs, strict=True):
        sf.write(folder / f"{name}.wav", x.T, SR, subtype="FLOAT")


def _mix_rough(tmp_path: Path, out: str):
    rough = tmp_path / "rough.wav"
    return mix(tmp_path / "stems", tmp_path / out, workers=2, rough=rough, report=False, daws=())


def test_late_stem_end_to_end(tmp_path, xs):
    """A rough rendered with plain numpy in which the bass starts 250 ms late: the session gets the
    bass's delay to the sample, says so, and rough_match.wav nulls as deep as the fit."""
    _write(tmp_path / "stems", xs)
    g, p = known(4, len(xs))
    delays = [0, 0, 0, 12000, 0, 0, 0, 0]
    rough = numpy_rough(xs, g, p, delays)
    sf.write(tmp_path / "rough.wav", rough.T, SR, subtype="FLOAT")
    r = _mix_rough(tmp_path, "out")
    bass = next(t for t in r.session.tracks if t.name.lower().startswith("bass"))
    assert int(round(bass.delay_ms * SR / 1000)) == 12000
    why = bass.decisions["delay_ms"]
    assert why.origin == "rough" and "starts 250.0 ms later in your rough: moved to match" in why.reason
    info = r.session.provenance["rough"]
    assert info["null_db"] >= 30.0
    assert info["null_db"] >= min(info["fit_null_db"], 60.0) - 3.0
    matched = sf.read(tmp_path / "out" / "rough_match.wav", dtype="float32", always_2d=True)[0].T
    assert null_depth_db(rough, matched) >= 30.0
    codes = {w.code for w in r.session.warnings}
    assert not codes & {"FP-W050", "FP-W051", "FP-W052", "FP-W053"}


def test_rough_rendered_by_the_renderer(tmp_path, xs):
    """A known session (faders, pans, one track 80 ms early) rendered by faderpilot's renderer is
    the rough: the match gets faders, pans and that delay back, and its render nulls."""
    from faderpilot.prep.pipeline import prep
    from faderpilot.render.engine import render

    _write(tmp_path / "stems", xs)
    pr = prep(tmp_path / "stems", None, workers=2)
    s, audio = pr.session, pr.audio
    g, p = known(5, len(s.tracks))
    for t, gd, pd in zip(s.tracks, g, p, strict=True):
        t.fader_db, t.pan = float(gd), float(pd)
    vox = next(t for t in s.tracks if "vox" in t.name.lower())
    vox.delay_ms += -3840 * 1000.0 / SR  # 80 ms early
    for b in s.buses:
        b.chain, b.fader_db = [], 0.0
    rough = render(s, audio, workers=2).mix
    sf.write(tmp_path / "rough.wav", rough.T, SR, subtype="FLOAT")
    r = _mix_rough(tmp_path, "out")
    info = r.session.provenance["rough"]
    by_id = {t.id: t for t in s.tracks}
    for tid, m in info["tracks"].items():
        assert abs(m["fader_db"] - by_id[tid].fader_db) < 0.1, tid
        assert abs(m["pan"] - by_id[tid].pan) < 0.02, tid
    got = next(t for t in r.session.tracks if t.id == vox.id)
    assert int(round(got.delay_ms * SR / 1000)) == int(round(vox.delay_ms * SR / 1000))
    assert "earlier in your rough" in got.decisions["delay_ms"].reason
    # within 3 dB of the fit (whose null the session's rounded values cannot pass 60 dB)
    assert info["null_db"] >= 30.0 and info["null_db"] >= min(info["fit_null_db"], 60.0) - 3.0


def test_limited_rough_end_to_end_says_so(tmp_path, xs):
    _write(tmp_path / "stems", xs)
    g, p = known(0, len(xs))
    rough = _limited(numpy_rough(xs, g, p), "limiter")
    sf.write(tmp_path / "rough.wav", rough.T, SR, subtype="FLOAT")
    r = _mix_rough(tmp_path, "out")
    codes = [w.code for w in r.session.warnings]
    assert "FP-W050" in codes
    info = r.session.provenance["rough"]
    assert info["limited_db"] > 1.0
    if info["null_db"] < info["fit_null_db"] - 3.0:  # the render has no limiter: it says so
        w053 = next(w for w in r.session.warnings if w.code == "FP-W053")
        assert "limiter" in w053.message


def test_demo_mix_as_rough_warns_and_keeps_pans(tmp_path):
    """faderpilot's own demo mix with "vocal up 3 dB" as the rough: reverb, saturation and bus
    compression the matcher cannot model. It must say so (FP-W051), keep the overheads' pans and
    the render must null within 3 dB of the fit."""
    from faderpilot.demo import generate_demo

    generate_demo(tmp_path / "stems", seconds=10.0, seed=0)
    mix(tmp_path / "stems", tmp_path / "a", workers=2, report=False, daws=())
    assert main(["note", str(tmp_path / "a"), "vocal up 3 dB"]) in (0, None)
    shutil.copy(tmp_path / "a" / "mix.wav", tmp_path / "rough.wav")
    r = _mix_rough(tmp_path, "b")
    codes = [w.code for w in r.session.warnings]
    assert "FP-W051" in codes
    info = r.session.provenance["rough"]
    assert info["null_db"] >= info["fit_null_db"] - 3.0
    a = json.loads((tmp_path / "a" / "session.json").read_text())
    pans = {t["id"]: t["pan"] for t in a["tracks"]}
    for t in r.session.tracks:
        if t.name.upper().startswith("OH"):
            assert abs(info["tracks"][t.id]["pan"] - pans[t.id]) < 0.1, t.name
    for m in info["tracks"].values():
        assert "18.0 dB" not in m.get("eq", "") or m["gain_reliable"]


def test_unreliable_track_falls_back(xs):
    """Two stems that are one part (the same audio, one sample later) cannot be told apart by a
    fit: the jackknife says so (FP-W052's test) instead of returning a confident split."""
    twin = shift(xs[3], 1) + np.float32(1e-3) * np.random.default_rng(0).standard_normal(xs[3].shape).astype(
        np.float32
    )
    ys = [*xs, twin]
    g, p = known(9, len(ys))
    noise = np.random.default_rng(1).standard_normal((2, xs[0].shape[1])).astype(np.float32)
    noise *= np.float32(0.05)
    rough = numpy_rough(ys, g, p) + noise  # a rough the stems explain only partly
    fit = fit_rough(rough, ys, SR, track_lag_s=0.0)
    twin_fit = fit.tracks[-1]
    assert not twin_fit.reliable and twin_fit.gain_se_db > 1.5  # measured 4.2 dB
    assert all(m.reliable for m in fit.tracks[:3])


def test_rough_codes_are_documented():
    from faderpilot.messages import MESSAGES

    docs = (Path(__file__).parents[2] / "docs" / "messages.md").read_text(encoding="utf-8")
    for code in ("FP-W050", "FP-W051", "FP-W052", "FP-W053", "FP-W054"):
        assert code in MESSAGES and f"| {code} |" in docs, code
