"""Lua DSP scripts for Ardour sessions: our saturation and stereo width, and Ardour's own scripts.

Ardour runs Lua DSP scripts as plugins and stores each one's text in the session (base64 in
``<luaproc><script>``), identifying it by the SHA-1 of that text. Our saturation and our mid/side
width have no bundled equivalent in Ardour 7, so the session carries these scripts (faderpilot's
own code, MIT): they are the exact processors of docs/signal-flow.md.

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
