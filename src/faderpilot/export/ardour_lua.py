"""Lua DSP scripts for Ardour sessions: our own processors, and Ardour's own scripts.

Ardour runs Lua DSP scripts as plugins and stores each one's text in the session (base64 in
``<luaproc><script>``), identifying it by the SHA-1 of that text. Our saturation, mid/side width,
compressor, gate, delay, reverb and limiter have no exact equivalent in Ardour 7, so the session
carries these scripts (faderpilot's own code, MIT): they are the processors of
docs/signal-flow.md, computed sample by sample as the renderer does (the limiter's 4x peak reading
is a windowed sinc where pedalboard uses JUCE's half-band filters). A track's fader ride (its
``gain_db`` lanes) is a script written for that track (``gain_ride_script``), its points as
data. ``--ardour-native`` maps the dynamics and effects on Ardour's ACE plugins instead
(``ardour_map``).

The ACE High/Low Pass Filter is one of Ardour's own Lua scripts. Its text is not part of
faderpilot: when an Ardour installation is found on this machine, the session embeds that copy
(as Ardour itself does) so it opens in any Ardour version; otherwise it names the script by the
hash of the copy shipped with Ardour 7.3.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
from functools import cache
from pathlib import Path

SATURATION_SCRIPT = """\
ardour {
	["type"]    = "dsp",
	name        = "faderpilot Saturation",
	category    = "Distortion",
	license     = "MIT",
	author      = "faderpilot",
	description = [[Tanh saturation at unity small-signal gain, blended with the dry signal:
y = (1 - m) x + m tanh(g x) / g, g = 10^(drive / 20), m = mix / 100 (faderpilot's definition).]]
}

function dsp_ioconfig ()
	return { { audio_in = -1, audio_out = -1 } }
end

function dsp_params ()
	return
	{
		{ ["type"] = "input", name = "Drive", min = 0, max = 48, default = 0, unit = "dB" },
		{ ["type"] = "input", name = "Mix", min = 0, max = 100, default = 100, unit = "%" },
	}
end

function dsp_run (ins, outs, n_samples)
	local ctrl = CtrlPorts:array ()
	local g = 10 ^ (ctrl[1] / 20)
	local m = math.min (1, math.max (0, ctrl[2] / 100))
	local dry, wet, g2 = 1 - m, m / g, 2 * g
	local exp = math.exp
	for c = 1, #ins do
		local x = ins[c]:array ()
		local y = outs[c]:array ()
		for i = 1, n_samples do
			local v = x[i]
			-- tanh (g v) = 1 - 2 / (exp (2 g v) + 1), stable for any v
			y[i] = dry * v + wet * (1 - 2 / (exp (g2 * v) + 1))
		end
	end
end
"""

WIDTH_SCRIPT = """\
ardour {
	["type"]    = "dsp",
	name        = "faderpilot Stereo Width",
	category    = "Utility",
	license     = "MIT",
	author      = "faderpilot",
	description = [[Mid/side width of a stereo signal: mid = (L + R) / 2, side = (L - R) / 2 * width,
L = mid + side, R = mid - side (faderpilot's definition; 1 leaves the signal as it is).]]
}

function dsp_ioconfig ()
	return { { audio_in = 2, audio_out = 2 } }
end

function dsp_params ()
	return { { ["type"] = "input", name = "Width", min = 0, max = 4, default = 1 } }
end

local mem = nil -- scratch copies of the inputs (processing may be in place)

function dsp_init (rate)
	mem = ARDOUR.DSP.DspShm (16384)
end

function dsp_run (ins, outs, n_samples)
	assert (n_samples <= 8192)
	local w = CtrlPorts:array ()[1]
	local a, b = (1 + w) / 2, (1 - w) / 2 -- L' = a L + b R, R' = b L + a R
	local l, r = mem:to_float (0), mem:to_float (8192)
	ARDOUR.DSP.copy_vector (l, ins[1], n_samples)
	ARDOUR.DSP.copy_vector (r, ins[2], n_samples)
	ARDOUR.DSP.copy_vector (outs[1], l, n_samples)
	ARDOUR.DSP.apply_gain_to_buffer (outs[1], n_samples, a)
	ARDOUR.DSP.mix_buffers_with_gain (outs[1], r, n_samples, b)
	ARDOUR.DSP.copy_vector (outs[2], r, n_samples)
	ARDOUR.DSP.apply_gain_to_buffer (outs[2], n_samples, a)
	ARDOUR.DSP.mix_buffers_with_gain (outs[2], l, n_samples, b)
end
"""

_DYN_HEADER = """\
ardour {{
	["type"]    = "dsp",
	name        = "faderpilot {name}",
	category    = "{category}",
	license     = "MIT",
	author      = "faderpilot",
	description = [[{description}]]
}}
"""

COMPRESSOR_SCRIPT = (
    _DYN_HEADER.format(
        name="Compressor",
        category="Dynamics",
        description="Feed-forward hard-knee compressor, each channel on its own (faderpilot's definition, "
        "the algorithm of pedalboard/JUCE's Compressor): peak detector e = |x| + c (e - |x|), "
        "c = exp(-2 pi 1000 / (ms rate)) for the attack while |x| > e, for the release otherwise; "
        "gain (e / threshold)^(1/ratio - 1) above the threshold; then the makeup gain.",
    )
    + """
function dsp_ioconfig ()
	return { { audio_in = -1, audio_out = -1 } }
end

function dsp_params ()
	return
	{
		{ ["type"] = "input", name = "Threshold", min = -200, max = 24, default = -20, unit = "dB" },
		{ ["type"] = "input", name = "Ratio", min = 1, max = 1000, default = 4 },
		{ ["type"] = "input", name = "Attack", min = 0, max = 10000, default = 10, unit = "ms" },
		{ ["type"] = "input", name = "Release", min = 0, max = 60000, default = 100, unit = "ms" },
		{ ["type"] = "input", name = "Makeup", min = -96, max = 96, default = 0, unit = "dB" },
	}
end

local rate = 48000
local env = {}

function dsp_init (r)
	rate = r
end

function dsp_run (ins, outs, n_samples)
	local ctrl = CtrlPorts:array ()
	local thr = 10 ^ (ctrl[1] / 20)
	local p = 1 / math.max (1, ctrl[2]) - 1
	local k = -2 * math.pi * 1000 / rate
	local at = ctrl[3] < 0.001 and 0 or math.exp (k / ctrl[3])
	local rl = ctrl[4] < 0.001 and 0 or math.exp (k / ctrl[4])
	local mk = 10 ^ (ctrl[5] / 20)
	local ithr = 1 / thr
	local abs = math.abs
	for c = 1, #ins do
		local x = ins[c]:array ()
		local y = outs[c]:array ()
		local e = env[c] or 0
		for i = 1, n_samples do
			local v = x[i]
			local a = abs (v)
			if a > e then e = a + at * (e - a) else e = a + rl * (e - a) end
			if e < thr then y[i] = v * mk else y[i] = v * (e * ithr) ^ p * mk end
		end
		env[c] = e
	end
end
"""
)

GATE_SCRIPT = (
    _DYN_HEADER.format(
        name="Gate",
        category="Dynamics",
        description="Downward expander, each channel on its own (faderpilot's definition, the algorithm "
        "of pedalboard/JUCE's NoiseGate): RMS pre-filter r = x^2 + c50 (r - x^2) (instant rise, 50 ms "
        "fall), peak ballistics on sqrt(r) with the attack and release, gain (e / threshold)^(ratio - 1) "
        "below the threshold, ratio = max(1.5, 1 + |range| / 6).",
    )
    + """
function dsp_ioconfig ()
	return { { audio_in = -1, audio_out = -1 } }
end

function dsp_params ()
	return
	{
		{ ["type"] = "input", name = "Threshold", min = -200, max = 24, default = -50, unit = "dB" },
		{ ["type"] = "input", name = "Attack", min = 0, max = 10000, default = 1, unit = "ms" },
		{ ["type"] = "input", name = "Release", min = 0, max = 60000, default = 100, unit = "ms" },
		{ ["type"] = "input", name = "Range", min = 0, max = 200, default = 20, unit = "dB" },
	}
end

local rate = 48000
local rms, env = {}, {}

function dsp_init (r)
	rate = r
end

function dsp_run (ins, outs, n_samples)
	local ctrl = CtrlPorts:array ()
	local thr = 10 ^ (ctrl[1] / 20)
	local ithr = 1 / thr
	local k = -2 * math.pi * 1000 / rate
	local at = ctrl[2] < 0.001 and 0 or math.exp (k / ctrl[2])
	local rl = ctrl[3] < 0.001 and 0 or math.exp (k / ctrl[3])
	local p = math.max (1.5, 1 + math.abs (ctrl[4]) / 6) - 1
	local c50 = math.exp (k / 50)
	local sqrt = math.sqrt
	for c = 1, #ins do
		local x = ins[c]:array ()
		local y = outs[c]:array ()
		local r, e = rms[c] or 0, env[c] or 0
		for i = 1, n_samples do
			local v = x[i]
			local s = v * v
			if s > r then r = s else r = s + c50 * (r - s) end
			local a = sqrt (r)
			if a > e then e = a + at * (e - a) else e = a + rl * (e - a) end
			if e > thr then y[i] = v else y[i] = v * (e * ithr) ^ p end
		end
		rms[c], env[c] = r, e
	end
end
"""
)

DELAY_SCRIPT = (
    _DYN_HEADER.format(
        name="Delay",
        category="Delay",
        description="Feedback delay, 100 % wet (faderpilot's definition, pedalboard's Delay): "
        "y[n] = w[n - d], w[n] = x[n] + feedback y[n], d = the time in whole samples.",
    )
    + """
function dsp_ioconfig ()
	return { { audio_in = -1, audio_out = -1 } }
end

function dsp_params ()
	return
	{
		{ ["type"] = "input", name = "Time", min = 0, max = 30000, default = 375, unit = "ms" },
		{ ["type"] = "input", name = "Feedback", min = 0, max = 100, default = 25, unit = "%" },
	}
end

local rate = 48000
local d, size, pos, buf = -1, 1, 0, {}

function dsp_init (r)
	rate = r
end

function dsp_run (ins, outs, n_samples)
	local ctrl = CtrlPorts:array ()
	local nd = math.floor (math.min (ctrl[1] / 1000 * rate + 1e-6, 30 * rate))
	if nd ~= d then -- a new time: a new, silent delay line
		d, size, pos = nd, nd + 1, 0
		buf = {}
		for c = 1, #ins do
			local b = {}
			for j = 0, size - 1 do b[j] = 0 end
			buf[c] = b
		end
	end
	if d <= 0 then
		for c = 1, #ins do ARDOUR.DSP.copy_vector (outs[c], ins[c], n_samples) end
		return
	end
	local fb = ctrl[2] / 100
	local p = pos
	for c = 1, #ins do
		local x = ins[c]:array ()
		local y = outs[c]:array ()
		local b = buf[c]
		p = pos
		for i = 1, n_samples do
			local rp = p - d
			if rp < 0 then rp = rp + size end
			local o = b[rp]
			b[p] = x[i] + fb * o
			y[i] = o
			p = p + 1
			if p >= size then p = 0 end
		end
	end
	pos = p
end
"""
)

REVERB_SCRIPT = (
    _DYN_HEADER.format(
        name="Reverb",
        category="Reverb",
        description="Freeverb at 100 % wet (faderpilot's definition, pedalboard/JUCE's Reverb): the "
        "mono sum x 0.015 into 8 parallel damped combs (feedback 0.7 + 0.28 room, damping 0.4 damp) "
        "and 4 series all-passes (0.5) per side, tunings 1116 1188 1277 1356 1422 1491 1557 1617 / "
        "556 441 341 225 samples at 44.1 kHz, right side + 23; wet gains 1.5 (1 +/- width).",
    )
    + """
function dsp_ioconfig ()
	return { { audio_in = 2, audio_out = 2 } }
end

function dsp_params ()
	return
	{
		{ ["type"] = "input", name = "Room size", min = 0, max = 1, default = 0.5 },
		{ ["type"] = "input", name = "Damping", min = 0, max = 1, default = 0.5 },
		{ ["type"] = "input", name = "Width", min = 0, max = 1, default = 1 },
	}
end

local TUNE = { 1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617 }
local APTUNE = { 556, 441, 341, 225 }
local comb, csz, cix, clast, ap, asz, aix = {}, {}, {}, {}, {}, {}, {}

function dsp_init (rate)
	local r = math.floor (rate)
	for ch = 0, 1 do
		for j = 1, 8 do
			local n = ch * 8 + j
			local sz = (TUNE[j] + 23 * ch) * r // 44100
			local b = {}
			for k = 1, sz do b[k] = 0 end
			comb[n], csz[n], cix[n], clast[n] = b, sz, 1, 0
		end
		for j = 1, 4 do
			local n = ch * 4 + j
			local sz = (APTUNE[j] + 23 * ch) * r // 44100
			local b = {}
			for k = 1, sz do b[k] = 0 end
			ap[n], asz[n], aix[n] = b, sz, 1
		end
	end
end

function dsp_run (ins, outs, n_samples)
	local ctrl = CtrlPorts:array ()
	local fbk = ctrl[1] * 0.28 + 0.7
	local damp = ctrl[2] * 0.4
	local damp1 = 1 - damp
	local wet1 = 1.5 * (1 + ctrl[3])
	local wet2 = 1.5 * (1 - ctrl[3])
	local xl, xr = ins[1]:array (), ins[2]:array ()
	local yl, yr = outs[1]:array (), outs[2]:array ()
	for i = 1, n_samples do
		local input = (xl[i] + xr[i]) * 0.015
		local ol, or_ = 0, 0
		for n = 1, 16 do
			local b, k = comb[n], cix[n]
			local o = b[k]
			local last = o * damp1 + clast[n] * damp
			clast[n] = last
			b[k] = input + last * fbk
			k = k + 1
			if k > csz[n] then k = 1 end
			cix[n] = k
			if n <= 8 then ol = ol + o else or_ = or_ + o end
		end
		for n = 1, 4 do
			local b, k = ap[n], aix[n]
			local bv = b[k]
			b[k] = ol + bv * 0.5
			ol = bv - ol
			k = k + 1
			if k > asz[n] then k = 1 end
			aix[n] = k
		end
		for n = 5, 8 do
			local b, k = ap[n], aix[n]
			local bv = b[k]
			b[k] = or_ + bv * 0.5
			or_ = bv - or_
			k = k + 1
			if k > asz[n] then k = 1 end
			aix[n] = k
		end
		yl[i] = ol * wet1 + or_ * wet2
		yr[i] = or_ * wet1 + ol * wet2
	end
end
"""
)

LIMITER_SCRIPT = (
    _DYN_HEADER.format(
        name="Limiter",
        category="Dynamics",
        description="True-peak brickwall limiter (faderpilot's definition, pedalboard's BrickwallLimiter "
        "with a 5 ms lookahead): the linked peak of both channels, read 4x oversampled, sets a gain "
        "ceiling / peak that drops at once, holds for the lookahead and then releases with "
        "exp(-1 / (release in samples)); the audio is delayed by the lookahead (reported to Ardour as "
        "latency) and clipped at the ceiling. The 4x interpolation is a windowed sinc: pedalboard's "
        "half-band filters read peaks within a few hundredths of a dB of it.",
    )
    + """
function dsp_ioconfig ()
	return { { audio_in = 2, audio_out = 2 } }
end

function dsp_params ()
	return
	{
		{ ["type"] = "input", name = "Ceiling", min = -96, max = 24, default = -1, unit = "dB" },
		{ ["type"] = "input", name = "Release", min = 0, max = 60000, default = 100, unit = "ms" },
	}
end

local DETECT = 35 -- samples from an input sample to the oversampled peak that reads it
local UPSAMPLE = 60 -- the oversampler's latency, added to the lookahead
local M = 32 -- interpolation taps each side
local SIZE = 8192 -- history ring (more than lookahead + taps at any rate up to 192 kHz)
local rate, lookahead = 48000, 300
local hist, pos, gain, hold = { {}, {} }, 0, 1, 0
local now, loud = 0, -1000000 -- samples seen, and when the last one above ceiling / 3 came
local taps = {} -- taps[f][j], f = 1..3 (t + f/4), j = 1..2M

function dsp_init (r)
	rate = r
	lookahead = math.max (1, math.floor (r * 5 / 1000)) + UPSAMPLE
	for c = 1, 2 do
		for k = 0, SIZE - 1 do hist[c][k] = 0 end
	end
	for f = 1, 3 do
		local t = {}
		for j = 1, 2 * M do
			local u = f / 4 + M - j -- distance from tap j (sample m - M + j) to m + f/4
			local s = math.sin (math.pi * u) / (math.pi * u)
			local w = u / (M + 1) -- Blackman window over +/- (M + 1)
			local win = 0.42 + 0.5 * math.cos (math.pi * w) + 0.08 * math.cos (2 * math.pi * w)
			t[j] = s * win
		end
		taps[f] = t
	end
end

function dsp_latency ()
	return lookahead
end

function dsp_run (ins, outs, n_samples)
	local ctrl = CtrlPorts:array ()
	local ceil = 10 ^ (ctrl[1] / 20)
	local coeff = 1 - math.exp (-1 / math.max (1, math.floor (rate * ctrl[2] / 1000)))
	local xl, xr = ins[1]:array (), ins[2]:array ()
	local yl, yr = outs[1]:array (), outs[2]:array ()
	local hl, hr = hist[1], hist[2]
	local abs, mask = math.abs, SIZE - 1
	local quiet = ceil / 3 -- an interpolated peak above the ceiling needs a sample above this
	for i = 1, n_samples do
		hl[pos], hr[pos] = xl[i], xr[i]
		-- the group of oversampled points read now: t - 1 + f/4 (f = 1..3) and t, t = now - DETECT
		local t = pos - DETECT
		local peak = math.max (abs (hl[t & mask]), abs (hr[t & mask]))
		local m = t - 1
		if abs (xl[i]) > quiet or abs (xr[i]) > quiet then loud = now end
		if now - loud <= DETECT + M then
			for f = 1, 3 do
				local tf = taps[f]
				local sl, sr = 0, 0
				for j = 1, 2 * M do
					local k = (m - M + j) & mask
					sl = sl + tf[j] * hl[k]
					sr = sr + tf[j] * hr[k]
				end
				peak = math.max (peak, abs (sl), abs (sr))
			end
		end
		local target = peak > ceil and ceil / peak or 1
		if target < gain then
			gain, hold = target, lookahead
		elseif target < 1 then
			hold = lookahead
		elseif hold > 0 then
			hold = hold - 1
		else
			gain = gain + coeff * (1 - gain)
		end
		local d = (pos - lookahead) & mask
		yl[i] = math.min (ceil, math.max (-ceil, hl[d] * gain))
		yr[i] = math.min (ceil, math.max (-ceil, hr[d] * gain))
		pos = (pos + 1) & mask
		now = now + 1
	end
end
"""
)

FILTER_SCRIPT = (
    _DYN_HEADER.format(
        name="Filter",
        category="Filter",
        description="One filter of faderpilot's set, the biquads of render/filters.py: Butterworth "
        "high/low-pass of order slope/6 (sections with Q = 1/(2 cos phi), plus a first-order section "
        "for odd orders; -3.01 dB at the frequency), RBJ Cookbook peak and shelves. Kind: 0 high-pass, "
        "1 low-pass, 2 low shelf, 3 high shelf, 4 peak.",
    )
    + """
function dsp_ioconfig ()
	return { { audio_in = -1, audio_out = -1 } }
end

function dsp_params ()
	return
	{
		{ ["type"] = "input", name = "Kind", min = 0, max = 4, default = 4, integer = true },
		{ ["type"] = "input", name = "Frequency", min = 1, max = 200000, default = 1000, unit = "Hz" },
		{ ["type"] = "input", name = "Gain", min = -96, max = 96, default = 0, unit = "dB" },
		{ ["type"] = "input", name = "Q", min = 0.01, max = 100, default = 0.7071 },
		{ ["type"] = "input", name = "Slope", min = 6, max = 96, default = 12, unit = "dB/oct" },
	}
end

local rate = 48000
local sections, key = {}, nil
local state = {} -- state[c][2k - 1], state[c][2k]: section k's two delays

function dsp_init (r)
	rate = r
end

local function design (kind, freq, gain, q, slope)
	local s = {}
	local f0 = math.min (math.max (freq, 5), rate / 2 * 0.95)
	local w0 = 2 * math.pi * f0 / rate
	local cs, sn = math.cos (w0), math.sin (w0)
	if kind < 2 then
		local order = math.max (1, math.floor (slope / 6 + 0.5))
		local odd = order % 2
		for k = 0, order // 2 - 1 do
			local theta = (odd == 0) and (2 * k + 1) * math.pi / (2 * order) or (k + 1) * math.pi / order
			local alpha = sn / (2 / (2 * math.cos (theta)))
			local a0 = 1 + alpha
			local b0, b1
			if kind == 0 then b0, b1 = (1 + cs) / 2, -(1 + cs) else b0, b1 = (1 - cs) / 2, 1 - cs end
			s[#s + 1] = { b0 / a0, b1 / a0, b0 / a0, -2 * cs / a0, (1 - alpha) / a0 }
		end
		if odd == 1 then
			local t = math.tan (w0 / 2)
			if kind == 0 then
				s[#s + 1] = { 1 / (1 + t), -1 / (1 + t), 0, (t - 1) / (t + 1), 0 }
			else
				s[#s + 1] = { t / (1 + t), t / (1 + t), 0, (t - 1) / (t + 1), 0 }
			end
		end
		return s
	end
	local a = 10 ^ (gain / 40)
	local alpha = sn / (2 * math.max (q, 0.05))
	local b0, b1, b2, a0, a1, a2
	if kind == 4 then
		b0, b1, b2 = 1 + alpha * a, -2 * cs, 1 - alpha * a
		a0, a1, a2 = 1 + alpha / a, -2 * cs, 1 - alpha / a
	else
		local sq = 2 * math.sqrt (a) * alpha
		if kind == 2 then
			b0 = a * ((a + 1) - (a - 1) * cs + sq)
			b1 = 2 * a * ((a - 1) - (a + 1) * cs)
			b2 = a * ((a + 1) - (a - 1) * cs - sq)
			a0 = (a + 1) + (a - 1) * cs + sq
			a1 = -2 * ((a - 1) + (a + 1) * cs)
			a2 = (a + 1) + (a - 1) * cs - sq
		else
			b0 = a * ((a + 1) + (a - 1) * cs + sq)
			b1 = -2 * a * ((a - 1) + (a + 1) * cs)
			b2 = a * ((a + 1) + (a - 1) * cs - sq)
			a0 = (a + 1) - (a - 1) * cs + sq
			a1 = 2 * ((a - 1) - (a + 1) * cs)
			a2 = (a + 1) - (a - 1) * cs - sq
		end
	end
	s[1] = { b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0 }
	return s
end

function dsp_run (ins, outs, n_samples)
	local ctrl = CtrlPorts:array ()
	local kind = math.floor (ctrl[1] + 0.5)
	local k = table.concat ({ kind, ctrl[2], ctrl[3], ctrl[4], ctrl[5] }, " ")
	if k ~= key then
		key = k
		sections = design (kind, ctrl[2], ctrl[3], ctrl[4], ctrl[5])
	end
	for c = 1, #ins do
		local st = state[c]
		if not st then
			st = {}
			for j = 1, 16 do st[j] = 0 end
			state[c] = st
		end
		local x = ins[c]:array ()
		local y = outs[c]:array ()
		if x ~= y then ARDOUR.DSP.copy_vector (outs[c], ins[c], n_samples) end
		for n, sec in ipairs (sections) do
			local b0, b1, b2, a1, a2 = sec[1], sec[2], sec[3], sec[4], sec[5]
			local z1, z2 = st[2 * n - 1], st[2 * n]
			for i = 1, n_samples do
				local v = y[i]
				local o = b0 * v + z1
				z1 = b1 * v - a1 * o + z2
				z2 = b2 * v - a2 * o
				y[i] = o
			end
			st[2 * n - 1], st[2 * n] = z1, z2
		end
	end
end
"""
)

_RIDE_HEADER = _DYN_HEADER.format(
    name="Gain ride",
    category="Amplifier",
    description="faderpilot's gain automation (the session's gain_db lanes) as the renderer plays it:\n"
    "at every sample the level in dB is linear in time between the points (held before the first and\n"
    "after the last), lanes add in dB, gain = 10^(dB / 20). The points are in this script (LANES:\n"
    "seconds from the session start, dB); Ardour's fader stays free to move.",
)

_RIDE_BODY = """
function dsp_ioconfig ()
	return { { audio_in = -1, audio_out = -1 } }
end

function dsp_params ()
	return {}
end

local rate = 48000
local g = {} -- this block's gains

function dsp_init (r)
	rate = r
	for _, L in ipairs (LANES) do L.k = 1 end
end

-- the lane's value at t (seconds): linear between points, held outside them (numpy's interp)
local function level (L, t)
	local T, D, n = L.T, L.D, #L.T
	if t <= T[1] then return D[1] end
	if t >= T[n] then return D[n] end
	local k = L.k
	while k > 1 and T[k] > t do k = k - 1 end
	while T[k + 1] <= t do k = k + 1 end
	L.k = k
	if T[k] == t then return D[k] end
	return (D[k + 1] - D[k]) / (T[k + 1] - T[k]) * (t - T[k]) + D[k]
end

-- true when every lane holds one level from t0 to t1
local function flat (t0, t1)
	for _, L in ipairs (LANES) do
		local v = level (L, t0)
		if level (L, t1) ~= v then return false end
		local T, D = L.T, L.D
		for j = 1, #T do
			if T[j] > t0 and T[j] < t1 and D[j] ~= v then return false end
		end
	end
	return true
end

local function db (t)
	local s = 0
	for _, L in ipairs (LANES) do s = s + level (L, t) end
	return s
end

-- the timeline position of the audio reaching this insert: Ardour reads each track ahead of the
-- transport by the latency from its disk reader to the outputs, and the inserts before this one
-- (UPSTREAM samples) have taken their share of it
local function ahead ()
	local r = self:route ()
	if r:isnil () then return 0 end
	return r:playback_latency (true)
end

local function position ()
	local ok, a = pcall (ahead)
	return Session:transport_sample () + (ok and a or 0) - UPSTREAM
end

function dsp_run (ins, outs, n_samples)
	local p0 = position ()
	local t0, t1 = p0 / rate, (p0 + n_samples - 1) / rate
	if flat (t0, t1) then
		local k = 10 ^ (db (t0) / 20)
		for c = 1, #ins do
			if ins[c] ~= outs[c] then ARDOUR.DSP.copy_vector (outs[c], ins[c], n_samples) end
			ARDOUR.DSP.apply_gain_to_buffer (outs[c], n_samples, k)
		end
		return
	end
	for i = 1, n_samples do
		g[i] = 10 ^ (db ((p0 + i - 1) / rate) / 20)
	end
	for c = 1, #ins do
		local x = ins[c]:array ()
		local y = outs[c]:array ()
		for i = 1, n_samples do
			y[i] = x[i] * g[i]
		end
	end
end
"""


def _lua_numbers(values: list[float]) -> str:
    """A Lua table of numbers, each written so Lua reads back the same double."""
    return "{ " + ", ".join(repr(float(v)) for v in values) + " }"


def gain_ride_script(lanes: list[tuple[list[float], list[float]]], upstream: int = 0) -> str:
    """The ``faderpilot Gain ride`` script for one strip: ``lanes`` as (times s, levels dB) lists.

    ``upstream``: samples of latency the inserts before it on its route report (our limiter's
    lookahead). The text differs per strip, so each ride is its own script in the session.
    """
    rows = [f"\t{{ T = {_lua_numbers(t)}, D = {_lua_numbers(d)} }}," for t, d in lanes]
    data = (
        "\n-- the ride: per lane, T = seconds from the session start, D = dB at those times\n"
        "local LANES = {\n" + "\n".join(rows) + "\n}\n"
        "-- samples of latency of the inserts before this one on its route\n"
        f"local UPSTREAM = {int(upstream)}\n"
    )
    return _RIDE_HEADER + data + _RIDE_BODY


#: SHA-1 of HiAndLowPass.lua as shipped with Ardour 7.3 (Debian 1:7.3.0+ds0-1), Ardour's id for it
HPLP_ARDOUR73_ID = "cbf2433c611d0849cbb198719a5ad05d2f69d24a"

#: where Ardour installations keep their Lua scripts (newest version first after sorting)
SCRIPT_DIRS = (
    "/usr/share/ardour*/scripts",
    "/usr/local/share/ardour*/scripts",
    "/opt/Ardour-*/share/scripts",
    "/Applications/Ardour*.app/Contents/Resources/scripts",
    "C:/Program Files/Ardour*/share/scripts",
)


def script_id(text: str) -> str:
    """Ardour's unique id of a Lua DSP script: the SHA-1 of its text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _version_key(path: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", path)]


@cache
def installed_script(filename: str) -> str | None:
    """The text of one of Ardour's Lua scripts from an installation on this machine, if any.

    ``FADERPILOT_ARDOUR_SCRIPTS`` (a folder) takes precedence; ``""`` there disables the search.
    """
    env = os.environ.get("FADERPILOT_ARDOUR_SCRIPTS")
    dirs: list[str]
    if env is not None:
        dirs = [env] if env else []
    else:
        dirs = []
        for pattern in SCRIPT_DIRS:
            dirs += sorted(glob.glob(pattern), key=_version_key, reverse=True)
    for d in dirs:
        p = Path(d) / filename
        if p.is_file():
            try:
                return p.read_bytes().decode("utf-8")  # no newline translation: the id is its hash
            except (OSError, UnicodeDecodeError):
                continue
    return None


def hplp_script() -> tuple[str, str | None]:
    """(unique id, text or None) for the ACE High/Low Pass Filter."""
    text = installed_script("HiAndLowPass.lua")
    if text is None:
        return HPLP_ARDOUR73_ID, None
    return script_id(text), text
