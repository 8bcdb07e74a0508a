"""faderpilot's processors as REAPER JSFX effects (plain-text EEL2 sources, shipped with the export).

Every processor of the closed set becomes one JSFX whose sliders are our parameters in our units,
in the order of ``session.model.PROCESSOR_PARAMS``, so the .RPP stores them as readable numbers.
The DSP is the definition in docs/signal-flow.md:

- ``fp_filter``: the biquads of docs/signal-flow.md (Butterworth high/low-pass of order slope/6,
  -3.01 dB at the frequency; RBJ peak and shelves), computed from the design equations.
- ``fp_compressor``, ``fp_gate``: the algorithms of pedalboard's Compressor and NoiseGate (JUCE's
  peak-following ballistics filter, hard knee; the gate's RMS pre-filter and expander ratio
  1 + range/6), plus the compressor's makeup gain.
- ``fp_saturation``: y = (1 - m) x + m tanh(g x) / g.
- ``fp_reverb``: JUCE's Freeverb (pedalboard Reverb) at 100 % wet; ``fp_delay``: pedalboard's
  Delay (whole-sample delay line with feedback) at 100 % wet.
- ``fp_limiter``: a sample-peak limiter with instant attack (an approximation of the true-peak
  brickwall limiter: reported by the exporter).
- ``fp_width``: the track width of the strip (mid/side, side x width).

Checked by running these JSFX in ysfx (the open-source JSFX host built on REAPER's EEL2
compiler) against faderpilot's renderer: within -110 dB of the signal or better for every
processor but the limiter (tests/export/test_reaper_jsfx.py, which also checks Python
transcriptions of the compressor, gate, delay and reverb loops against pedalboard).
"""

from __future__ import annotations

#: folder under REAPER's Effects folder that the RPP references (``<JS faderpilot/fp_filter.jsfx``)
FOLDER = "faderpilot"

#: processor kind -> (JSFX file name, slider order). Filters share one effect; its first slider is
#: the kind's index in FILTER_ORDER.
FILTER_ORDER = ("highpass", "lowpass", "low_shelf", "high_shelf", "peak")
SLIDERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "filter": ("fp_filter.jsfx", ("kind", "freq_hz", "gain_db", "q", "slope_db_oct")),
    "compressor": ("fp_compressor.jsfx", ("threshold_db", "ratio", "attack_ms", "release_ms", "makeup_db")),
    "gate": ("fp_gate.jsfx", ("threshold_db", "attack_ms", "release_ms", "range_db")),
    "saturation": ("fp_saturation.jsfx", ("drive_db", "mix_pct")),
    "reverb": ("fp_reverb.jsfx", ("room_size", "damping", "width")),
    "delay": ("fp_delay.jsfx", ("time_ms", "feedback_pct")),
    "limiter": ("fp_limiter.jsfx", ("ceiling_db", "release_ms")),
    "width": ("fp_width.jsfx", ("width",)),
}

_PINS = """
in_pin:left input
in_pin:right input
out_pin:left output
out_pin:right output
"""

_HEADER = """//author: faderpilot
// Part of a REAPER project exported by faderpilot. Copy the folder "faderpilot" holding this file
// into REAPER's Effects folder (Options > Show REAPER resource path in explorer/finder).
"""

FILTER = (
    """desc:faderpilot Filter
//tags: filter equalizer faderpilot
"""
    + _HEADER
    + """// High/low-pass: Butterworth of order N = slope/6, -3.01 dB at the frequency: second-order
// sections with Q = 1/(2 cos phi), phi = (2k+1) pi/2N (even N) or (k+1) pi/N (odd N, which
// adds a first-order section). Peak, low shelf, high shelf: RBJ Audio EQ Cookbook biquads (gain in dB, Q).
slider1:0<0,4,1{High-pass,Low-pass,Low shelf,High shelf,Peak}>Kind
slider2:1000<5,40000,1>Frequency (Hz)
slider3:0<-48,48,0.1>Gain (dB)
slider4:0.707<0.05,20,0.001>Q
slider5:12<6,48,6>Slope (dB/oct)
"""
    + _PINS
    + """
@init
coef = 0;
state = 64;
nsec = 0;

@slider
kind = floor(slider1 + 0.5);
f0 = min(max(slider2, 5), srate * 0.5 * 0.95);
w0 = 2 * $pi * f0 / srate;
cs = cos(w0);
sn = sin(w0);
nsec = 0;
kind < 2 ? (
  order = max(1, floor(slider5 / 6 + 0.5));
  odd = order - 2 * floor(order / 2);
  k = 0;
  loop(floor(order / 2),
    qk = 1 / (2 * cos((2 * k + 1 + odd) * $pi / (2 * order)));
    alpha = sn / (2 * qk);
    a0 = 1 + alpha;
    kind == 0 ? (
      b0 = (1 + cs) / 2; b1 = -(1 + cs); b2 = b0;
    ) : (
      b0 = (1 - cs) / 2; b1 = 1 - cs; b2 = b0;
    );
    c = coef + nsec * 5;
    c[0] = b0 / a0; c[1] = b1 / a0; c[2] = b2 / a0; c[3] = -2 * cs / a0; c[4] = (1 - alpha) / a0;
    nsec += 1;
    k += 1;
  );
  odd > 0 ? (
    tw = tan(w0 / 2);
    c = coef + nsec * 5;
    kind == 0 ? (
      c[0] = 1 / (1 + tw); c[1] = -1 / (1 + tw);
    ) : (
      c[0] = tw / (1 + tw); c[1] = tw / (1 + tw);
    );
    c[2] = 0; c[3] = (tw - 1) / (tw + 1); c[4] = 0;
    nsec += 1;
  );
) : (
  amp = pow(10, slider3 / 40);
  alpha = sn / (2 * max(slider4, 0.05));
  kind == 4 ? (
    b0 = 1 + alpha * amp; b1 = -2 * cs; b2 = 1 - alpha * amp;
    a0 = 1 + alpha / amp; a1 = -2 * cs; a2 = 1 - alpha / amp;
  ) : (
    sq = 2 * sqrt(amp) * alpha;
    kind == 2 ? (
      b0 = amp * ((amp + 1) - (amp - 1) * cs + sq);
      b1 = 2 * amp * ((amp - 1) - (amp + 1) * cs);
      b2 = amp * ((amp + 1) - (amp - 1) * cs - sq);
      a0 = (amp + 1) + (amp - 1) * cs + sq;
      a1 = -2 * ((amp - 1) + (amp + 1) * cs);
      a2 = (amp + 1) + (amp - 1) * cs - sq;
    ) : (
      b0 = amp * ((amp + 1) + (amp - 1) * cs + sq);
      b1 = -2 * amp * ((amp - 1) + (amp + 1) * cs);
      b2 = amp * ((amp + 1) + (amp - 1) * cs - sq);
      a0 = (amp + 1) - (amp - 1) * cs + sq;
      a1 = 2 * ((amp - 1) - (amp + 1) * cs);
      a2 = (amp + 1) - (amp - 1) * cs - sq;
    );
  );
  coef[0] = b0 / a0; coef[1] = b1 / a0; coef[2] = b2 / a0; coef[3] = a1 / a0; coef[4] = a2 / a0;
  nsec = 1;
);

@sample
c = coef;
st = state;
loop(nsec,
  y = c[0] * spl0 + st[0];
  st[0] = c[1] * spl0 - c[3] * y + st[1];
  st[1] = c[2] * spl0 - c[4] * y;
  spl0 = y;
  y = c[0] * spl1 + st[2];
  st[2] = c[1] * spl1 - c[3] * y + st[3];
  st[3] = c[2] * spl1 - c[4] * y;
  spl1 = y;
  c += 5;
  st += 4;
);
"""
)

COMPRESSOR = (
    """desc:faderpilot Compressor
//tags: dynamics compressor faderpilot
"""
    + _HEADER
    + """// Feed-forward, hard knee, peak-following detector per channel (pedalboard/JUCE Compressor),
// then makeup gain.
slider1:-20<-80,0,0.1>Threshold (dB)
slider2:4<1,50,0.01>Ratio (N:1)
slider3:10<0,500,0.1>Attack (ms)
slider4:100<1,5000,1>Release (ms)
slider5:0<-24,24,0.1>Makeup (dB)
"""
    + _PINS
    + """
@init
expf = -2 * $pi * 1000 / srate;
e0 = 0;
e1 = 0;

@slider
thr = slider1 > -200 ? pow(10, slider1 / 20) : 0;
thrinv = thr > 0 ? 1 / thr : 0;
rinv = 1 / max(slider2, 1);
cte_at = slider3 < 0.001 ? 0 : exp(expf / slider3);
cte_rl = slider4 < 0.001 ? 0 : exp(expf / slider4);
makeup = pow(10, slider5 / 20);

@sample
x = abs(spl0);
e0 = x + (x > e0 ? cte_at : cte_rl) * (e0 - x);
spl0 *= (e0 < thr ? 1 : pow(e0 * thrinv, rinv - 1)) * makeup;
x = abs(spl1);
e1 = x + (x > e1 ? cte_at : cte_rl) * (e1 - x);
spl1 *= (e1 < thr ? 1 : pow(e1 * thrinv, rinv - 1)) * makeup;
"""
)

GATE = (
    """desc:faderpilot Gate
//tags: dynamics gate expander faderpilot
"""
    + _HEADER
    + """// Downward expander (pedalboard/JUCE NoiseGate): RMS pre-filter (release 50 ms), peak ballistics
// with the attack and release, ratio 1 + range/6 (at least 1.5).
slider1:-50<-100,0,0.1>Threshold (dB)
slider2:1<0,500,0.1>Attack (ms)
slider3:100<1,5000,1>Release (ms)
slider4:20<0,100,0.1>Range (dB)
"""
    + _PINS
    + """
@init
expf = -2 * $pi * 1000 / srate;
rms_rl = exp(expf / 50);
r0 = 0; r1 = 0; g0 = 0; g1 = 0;

@slider
thr = slider1 > -200 ? pow(10, slider1 / 20) : 0;
thrinv = thr > 0 ? 1 / thr : 0;
ratio = max(1.5, 1 + abs(slider4) / 6);
cte_at = slider2 < 0.001 ? 0 : exp(expf / slider2);
cte_rl = slider3 < 0.001 ? 0 : exp(expf / slider3);

@sample
x = spl0 * spl0;
r0 = x + (x > r0 ? 0 : rms_rl) * (r0 - x);
v = sqrt(r0);
g0 = v + (v > g0 ? cte_at : cte_rl) * (g0 - v);
spl0 *= g0 > thr ? 1 : pow(g0 * thrinv, ratio - 1);
x = spl1 * spl1;
r1 = x + (x > r1 ? 0 : rms_rl) * (r1 - x);
v = sqrt(r1);
g1 = v + (v > g1 ? cte_at : cte_rl) * (g1 - v);
spl1 *= g1 > thr ? 1 : pow(g1 * thrinv, ratio - 1);
"""
)

SATURATION = (
    """desc:faderpilot Saturation
//tags: distortion saturation faderpilot
"""
    + _HEADER
    + """// y = (1 - m) x + m tanh(g x) / g, g = 10^(drive/20), m = mix/100: unity gain for quiet signals.
slider1:6<0,48,0.1>Drive (dB)
slider2:100<0,100,0.1>Mix (%)
"""
    + _PINS
    + """
@slider
g = pow(10, slider1 / 20);
m = min(max(slider2 / 100, 0), 1);

@sample
spl0 = (1 - m) * spl0 + m * (1 - 2 / (exp(2 * g * spl0) + 1)) / g;
spl1 = (1 - m) * spl1 + m * (1 - 2 / (exp(2 * g * spl1) + 1)) / g;
"""
)

DELAY = (
    """desc:faderpilot Delay
//tags: delay faderpilot
"""
    + _HEADER
    + """// Feedback delay (pedalboard Delay), 100 % wet: out = w[n - d], w = in + feedback * out,
// d = whole samples of the time.
slider1:375<0,30000,1>Time (ms)
slider2:25<0,100,0.1>Feedback (%)
"""
    + _PINS
    + """
@init
pos = 0;
d = -1;

@slider
nd = min(floor(slider1 / 1000 * srate + 0.000001), 30 * srate);
nd != d ? (
  d = nd;
  size = d + 1;
  buf0 = 16;
  buf1 = buf0 + size;
  memset(buf0, 0, 2 * size);
  pos = 0;
);
fb = slider2 / 100;

@sample
d > 0 ? (
  rp = pos - d;
  rp < 0 ? (rp += size);
  o0 = buf0[rp];
  o1 = buf1[rp];
  buf0[pos] = spl0 + fb * o0;
  buf1[pos] = spl1 + fb * o1;
  pos += 1;
  pos >= size ? (pos = 0);
  spl0 = o0;
  spl1 = o1;
);
"""
)

REVERB = (
    """desc:faderpilot Reverb
//tags: reverb faderpilot
"""
    + _HEADER
    + """// Freeverb as JUCE/pedalboard's Reverb at 100 % wet: 8 parallel combs and 4 series all-passes
// per side (tunings at 44.1 kHz, stereo spread 23), feedback 0.7 + 0.28 room, damping 0.4 damp,
// input gain 0.015, wet gains 1.5 (1 +/- width). Sizes are integer divisions (+1e-6: EEL2 divides
// by a constant as a multiplication by its reciprocal).
slider1:0.5<0,1,0.01>Room size
slider2:0.5<0,1,0.01>Damping
slider3:1<0,1,0.01>Width
"""
    + _PINS
    + """
@init
tune = 0;
tune[0] = 1116; tune[1] = 1188; tune[2] = 1277; tune[3] = 1356;
tune[4] = 1422; tune[5] = 1491; tune[6] = 1557; tune[7] = 1617;
tune[8] = 556; tune[9] = 441; tune[10] = 341; tune[11] = 225;
cbase = 20; csize = 40; cidx = 60; clast = 80;
abase = 100; asize = 110; aidx = 120;
isr = floor(srate);
p = 1000;
ch = 0;
loop(2,
  j = 0;
  loop(8,
    n = ch * 8 + j;
    sz = floor(isr * (tune[j] + ch * 23) / 44100 + 0.000001);
    cbase[n] = p; csize[n] = sz; cidx[n] = 0; clast[n] = 0;
    p += sz;
    j += 1;
  );
  j = 0;
  loop(4,
    n = ch * 4 + j;
    sz = floor(isr * (tune[8 + j] + ch * 23) / 44100 + 0.000001);
    abase[n] = p; asize[n] = sz; aidx[n] = 0;
    p += sz;
    j += 1;
  );
  ch += 1;
);
memset(1000, 0, p - 1000);

@slider
damp = slider2 * 0.4;
fbk = slider1 * 0.28 + 0.7;
wet1 = 0.5 * 3 * (1 + slider3);
wet2 = 0.5 * 3 * (1 - slider3);

@sample
input = (spl0 + spl1) * 0.015;
outl = 0;
outr = 0;
n = 0;
loop(16,
  b = cbase[n];
  i = cidx[n];
  o = b[i];
  clast[n] = o * (1 - damp) + clast[n] * damp;
  b[i] = input + clast[n] * fbk;
  i += 1;
  i >= csize[n] ? (i = 0);
  cidx[n] = i;
  n < 8 ? (outl += o) : (outr += o);
  n += 1;
);
n = 0;
loop(8,
  b = abase[n];
  i = aidx[n];
  bv = b[i];
  n < 4 ? (
    b[i] = outl + bv * 0.5;
    outl = bv - outl;
  ) : (
    b[i] = outr + bv * 0.5;
    outr = bv - outr;
  );
  i += 1;
  i >= asize[n] ? (i = 0);
  aidx[n] = i;
  n += 1;
);
spl0 = outl * wet1 + outr * wet2;
spl1 = outr * wet1 + outl * wet2;
"""
)

LIMITER = (
    """desc:faderpilot Limiter (sample peak)
//tags: dynamics limiter faderpilot
"""
    + _HEADER
    + """// Sample-peak limiter, instant attack, exponential release, linked channels. faderpilot's own
// limiter is a true-peak brickwall limiter with lookahead: this is an approximation of it.
slider1:-1<-24,0,0.1>Ceiling (dB)
slider2:100<1,1000,1>Release (ms)
"""
    + _PINS
    + """
@init
g = 1;

@slider
ceilg = pow(10, slider1 / 20);
rel = exp(-1 / (max(slider2, 0.01) / 1000 * srate));

@sample
pk = max(abs(spl0), abs(spl1));
target = pk > ceilg ? ceilg / pk : 1;
g = target < g ? target : target + rel * (g - target);
spl0 *= g;
spl1 *= g;
"""
)

WIDTH = (
    """desc:faderpilot Width
//tags: utility stereo width faderpilot
"""
    + _HEADER
    + """// The strip's stereo width: mid = (L + R)/2, side = (L - R)/2 x width.
slider1:1<0,2,0.01>Width
"""
    + _PINS
    + """
@sample
mid = (spl0 + spl1) * 0.5;
side = (spl0 - spl1) * 0.5 * slider1;
spl0 = mid + side;
spl1 = mid - side;
"""
)

#: file name -> JSFX source
SOURCES: dict[str, str] = {
    "fp_filter.jsfx": FILTER,
    "fp_compressor.jsfx": COMPRESSOR,
    "fp_gate.jsfx": GATE,
    "fp_saturation.jsfx": SATURATION,
    "fp_delay.jsfx": DELAY,
    "fp_reverb.jsfx": REVERB,
    "fp_limiter.jsfx": LIMITER,
    "fp_width.jsfx": WIDTH,
}
