"""faderpilot's JSFX effects against the processor definitions.

Always: the sources are well formed and their sliders are our parameters in PROCESSOR_PARAMS
order; Python transcriptions of the compressor, gate, delay and reverb loops match pedalboard.

With ysfx (the open-source JSFX host built on REAPER's EEL2 compiler): the JSFX themselves run
on noise and tones and match faderpilot's renderer (filters: the Butterworth and RBJ design
equations). Set FADERPILOT_YSFX to a ysfx checkout built with cmake (``build/libysfx.a``); see
docs/daw-reaper.md.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pedalboard as pb
import pytest
from scipy.signal import butter, sosfilt

from faderpilot.export.reaper import _fx_values
from faderpilot.export.reaper_jsfx import FILTER_ORDER, SLIDERS, SOURCES
from faderpilot.render.chain import run_chain
from faderpilot.render.engine import pan_stereo
from faderpilot.render.filters import FILTER_KINDS
from faderpilot.session.model import PROCESSOR_PARAMS, PanLaw, Processor


def _signal(sr: int, seconds: float, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(sr * seconds)
    t = np.arange(n) / sr
    x = 0.5 * np.sin(2 * np.pi * 220 * t) * (0.2 + 0.8 * (t % 0.25 < 0.1)) + 0.1 * rng.standard_normal(n)
    return np.vstack([x, 0.7 * np.roll(x, 100)]).astype(np.float32)


def _rel_db(err: np.ndarray, ref: np.ndarray) -> float:
    return 20 * math.log10(max(float(np.max(np.abs(err))), 1e-30) / float(np.max(np.abs(ref))))


def test_sources_are_well_formed_and_sliders_are_our_parameters():
    for kind, (name, sliders) in SLIDERS.items():
        src = SOURCES[name]
        assert src.startswith("desc:faderpilot ")
        declared = re.findall(r"^slider(\d+):", src, flags=re.M)
        assert [int(d) for d in declared] == list(range(1, len(sliders) + 1)), name
        for section in ("@sample",):
            assert section in src
        assert src.count("(") == src.count(")"), name
        if kind == "filter":
            assert sliders[0] == "kind"
            assert set(sliders[1:]) == {p for k in FILTER_KINDS for p in PROCESSOR_PARAMS[k]}
        elif kind != "width":
            assert sliders == PROCESSOR_PARAMS[kind]
    assert FILTER_ORDER == FILTER_KINDS


# Python transcriptions of the loops the JSFX run (JUCE's algorithms inside pedalboard)

SR = 44100


def _comp(x, thr_db, ratio, att, rel):
    expf = -2 * math.pi * 1000 / SR
    thr = 10 ** (thr_db / 20)
    cat = 0 if att < 1e-3 else math.exp(expf / att)
    crl = 0 if rel < 1e-3 else math.exp(expf / rel)
    y = np.zeros_like(x, dtype=np.float64)
    for c in range(x.shape[0]):
        e = 0.0
        for i, v in enumerate(x[c].astype(np.float64)):
            a = abs(v)
            e = a + (cat if a > e else crl) * (e - a)
            y[c, i] = v * (1.0 if e < thr else (e / thr) ** (1 / ratio - 1))
    return y


def _gate(x, thr_db, ratio, att, rel):
    expf = -2 * math.pi * 1000 / SR
    thr = 10 ** (thr_db / 20)
    cat = 0 if att < 1e-3 else math.exp(expf / att)
    crl = 0 if rel < 1e-3 else math.exp(expf / rel)
    r50 = math.exp(expf / 50)
    y = np.zeros_like(x, dtype=np.float64)
    for c in range(x.shape[0]):
        r = e = 0.0
        for i, v in enumerate(x[c].astype(np.float64)):
            s = v * v
            r = s + (0 if s > r else r50) * (r - s)
            env = math.sqrt(r)
            e = env + (cat if env > e else crl) * (e - env)
            y[c, i] = v * (1.0 if e > thr else (e / thr) ** (ratio - 1))
    return y


def _delay(x, ms, fb):
    d = int(ms / 1000 * SR + 1e-6)
    y = np.zeros_like(x, dtype=np.float64)
    for c in range(x.shape[0]):
        w = np.zeros(x.shape[1])
        for i, v in enumerate(x[c].astype(np.float64)):
            o = w[i - d] if i >= d else 0.0
            w[i] = v + fb * o
            y[c, i] = o
    return y


def _reverb(x, room, damping, width):
    tunes = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617]
    ap_tunes = [556, 441, 341, 225]
    combs = [[np.zeros(SR * (v + 23 * ch) // 44100) for v in tunes] for ch in range(2)]
    aps = [[np.zeros(SR * (v + 23 * ch) // 44100) for v in ap_tunes] for ch in range(2)]
    ci = [[0] * 8 for _ in range(2)]
    last = [[0.0] * 8 for _ in range(2)]
    ai = [[0] * 4 for _ in range(2)]
    damp, fbk = damping * 0.4, room * 0.28 + 0.7
    w1, w2 = 1.5 * (1 + width), 1.5 * (1 - width)
    y = np.zeros_like(x, dtype=np.float64)
    left, right = x.astype(np.float64)
    for i in range(x.shape[1]):
        inp = (left[i] + right[i]) * 0.015
        out = [0.0, 0.0]
        for ch in range(2):
            for j in range(8):
                b, k = combs[ch][j], ci[ch][j]
                o = b[k]
                last[ch][j] = o * (1 - damp) + last[ch][j] * damp
                b[k] = inp + last[ch][j] * fbk
                ci[ch][j] = (k + 1) % len(b)
                out[ch] += o
            for j in range(4):
                b, k = aps[ch][j], ai[ch][j]
                bv = b[k]
                b[k] = out[ch] + bv * 0.5
                ai[ch][j] = (k + 1) % len(b)
                out[ch] = bv - out[ch]
        y[0, i] = out[0] * w1 + out[1] * w2
        y[1, i] = out[1] * w1 + out[0] * w2
    return y


def test_python_transcriptions_of_the_jsfx_loops_match_pedalboard():
    x = _signal(SR, 0.4)
    ref = pb.Compressor(threshold_db=-24, ratio=4, attack_ms=5, release_ms=120)(x, SR, reset=True)
    assert _rel_db(_comp(x, -24, 4, 5, 120) - ref, ref) < -100
    ref = pb.NoiseGate(threshold_db=-20, ratio=6, attack_ms=2, release_ms=80)(x, SR, reset=True)
    assert _rel_db(_gate(x, -20, 6, 2, 80) - ref, ref) < -100
    ref = pb.Delay(delay_seconds=0.05, feedback=0.25, mix=1.0)(x, SR, reset=True)
    assert _rel_db(_delay(x, 50, 0.25) - ref, ref) < -100
    xs = x[:, : SR // 10]
    ref = pb.Reverb(room_size=0.55, damping=0.5, wet_level=1.0, dry_level=0.0, width=0.8)(xs, SR, reset=True)
    assert _rel_db(_reverb(xs, 0.55, 0.5, 0.8) - ref, ref) < -100


# The JSFX themselves, in ysfx

_DRIVER = r"""
#include "ysfx.h"
#include <cstdio>
#include <cstdlib>
#include <vector>
static void report(intptr_t, ysfx_log_level level, const char *msg) {
    fprintf(stderr, "[%s] %s\n", ysfx_log_level_string(level), msg);
}
int main(int argc, char **argv) {
    if (argc < 4) return 2;
    ysfx_config_t *cfg = ysfx_config_new();
    ysfx_set_log_reporter(cfg, &report);
    ysfx_t *fx = ysfx_new(cfg);
    if (!ysfx_load_file(fx, argv[1], 0) || !ysfx_compile(fx, 0)) return 3;
    uint32_t n = (uint32_t)atol(argv[3]);
    ysfx_set_sample_rate(fx, atof(argv[2]));
    ysfx_set_block_size(fx, 512);
    for (int i = 4; i < argc; ++i) ysfx_slider_set_value(fx, (uint32_t)(i - 4), atof(argv[i]));
    ysfx_init(fx);
    std::vector<double> io(2 * (size_t)n), l(n), r(n), ol(n), orr(n);
    if (fread(io.data(), sizeof(double), io.size(), stdin) != io.size()) return 5;
    for (uint32_t i = 0; i < n; ++i) { l[i] = io[2 * i]; r[i] = io[2 * i + 1]; }
    for (uint32_t off = 0; off < n; off += 512) {
        uint32_t m = n - off < 512 ? n - off : 512;
        const double *ins[2] = {l.data() + off, r.data() + off};
        double *outs[2] = {ol.data() + off, orr.data() + off};
        ysfx_process_double(fx, ins, outs, 2, 2, m);
    }
    for (uint32_t i = 0; i < n; ++i) { io[2 * i] = ol[i]; io[2 * i + 1] = orr[i]; }
    fwrite(io.data(), sizeof(double), io.size(), stdout);
    ysfx_free(fx);
    ysfx_config_free(cfg);
    return 0;
}
"""


@pytest.fixture(scope="module")
def jsfx_runner(tmp_path_factory):
    root = os.environ.get("FADERPILOT_YSFX")
    if not root:
        pytest.skip("set FADERPILOT_YSFX to a built ysfx checkout to run the JSFX (docs/daw-reaper.md)")
    root = Path(root)
    lib = next(iter(sorted(root.glob("build*/libysfx.a"))), None)
    cxx = shutil.which("g++") or shutil.which("c++")
    if lib is None or cxx is None or not (root / "include" / "ysfx.h").exists():
        pytest.skip(f"no built ysfx (include/ysfx.h, build/libysfx.a) or C++ compiler for {root}")
    work = tmp_path_factory.mktemp("jsfx")
    (work / "run.cpp").write_text(_DRIVER)
    exe = work / "run"
    subprocess.run(
        [
            cxx,
            "-O2",
            "-std=c++11",
            f"-I{root / 'include'}",
            str(work / "run.cpp"),
            str(lib),
            "-o",
            str(exe),
            "-lpthread",
            "-ldl",
        ],
        check=True,
        capture_output=True,
    )
    fx_dir = work / "faderpilot"
    fx_dir.mkdir()
    for name, src in SOURCES.items():
        (fx_dir / name).write_text(src)

    def run(name: str, values: list[float], x: np.ndarray, sr: int) -> np.ndarray:
        io = np.empty(2 * x.shape[1])
        io[0::2], io[1::2] = x[0], x[1]
        args = [str(exe), str(fx_dir / name), str(sr), str(x.shape[1])] + [repr(float(v)) for v in values]
        r = subprocess.run(args, input=io.tobytes(), capture_output=True, check=False)
        assert r.returncode == 0 and not r.stderr, r.stderr.decode()
        y = np.frombuffer(r.stdout, dtype=np.float64)
        return np.vstack([y[0::2], y[1::2]])

    return run


CASES = [
    Processor("a", "highpass", {"freq_hz": 100.0, "slope_db_oct": 12.0}),
    Processor("a", "highpass", {"freq_hz": 120.0, "slope_db_oct": 18.0}),
    Processor("a", "highpass", {"freq_hz": 80.0, "slope_db_oct": 24.0}),
    Processor("a", "lowpass", {"freq_hz": 3000.0, "slope_db_oct": 6.0}),
    Processor("a", "lowpass", {"freq_hz": 9000.0, "slope_db_oct": 30.0}),
    Processor("a", "lowpass", {"freq_hz": 12000.0, "slope_db_oct": 48.0}),
    Processor("a", "peak", {"freq_hz": 300.0, "gain_db": -4.5, "q": 1.4}),
    Processor("a", "low_shelf", {"freq_hz": 150.0, "gain_db": 3.0, "q": 0.7}),
    Processor("a", "high_shelf", {"freq_hz": 8000.0, "gain_db": -6.0, "q": 0.9}),
    Processor(
        "a",
        "compressor",
        {"threshold_db": -24.0, "ratio": 4.0, "attack_ms": 5.0, "release_ms": 120.0, "makeup_db": 3.0},
    ),
    Processor("a", "gate", {"threshold_db": -20.0, "attack_ms": 2.0, "release_ms": 80.0, "range_db": 30.0}),
    Processor("a", "saturation", {"drive_db": 17.9, "mix_pct": 35.0}),
    Processor("a", "delay", {"time_ms": 375.0, "feedback_pct": 25.0}),
    Processor("a", "reverb", {"room_size": 0.55, "damping": 0.5, "width": 1.0}),
    Processor("a", "reverb", {"room_size": 0.8, "damping": 0.2, "width": 0.6}),
]


@pytest.mark.parametrize("sr", [44100, 48000])
@pytest.mark.parametrize(
    "p", CASES, ids=lambda p: f"{p.kind}-{'-'.join(f'{v:g}' for v in p.params.values())}"
)
def test_jsfx_play_the_processor_definitions(jsfx_runner, p, sr):
    x = _signal(sr, 1.0)
    name, values, _ = _fx_values(p)
    y = jsfx_runner(name, values, x.astype(np.float64), sr)
    if p.kind in ("highpass", "lowpass"):
        # the definition: Butterworth of order slope/6, -3.01 dB at the frequency
        order = int(round(p.params["slope_db_oct"] / 6))
        ref = sosfilt(butter(order, p.params["freq_hz"], btype=p.kind, fs=sr, output="sos"), x, axis=-1)
    else:
        ref = run_chain(x.copy(), [p], sr)
    assert _rel_db(y - ref, ref) < -100


def test_jsfx_limiter_and_width(jsfx_runner):
    sr = 48000
    x = _signal(sr, 0.5) * 2
    p = Processor("a", "limiter", {"ceiling_db": -6.0, "release_ms": 100.0})
    name, values, _ = _fx_values(p)
    y = jsfx_runner(name, values, x.astype(np.float64), sr)
    assert np.max(np.abs(y)) <= 10 ** (-6 / 20) + 1e-9  # a sample-peak limiter: the reported approximation
    w = jsfx_runner(SLIDERS["width"][0], [0.5], x.astype(np.float64), sr)
    ref = pan_stereo(x.copy(), 0.0, 0.5, PanLaw())
    assert _rel_db(w - ref, ref) < -100
