"""Checking an exported Ardour session with Ardour's own headless tools (when installed).

- ``render``: ``ardour7-export`` renders the session range through the master bus to a WAV,
  without a display or an audio device (Ardour's "None (Dummy)" backend, freewheeling).
- ``readback``: ``ardour7-lua`` loads the session and prints every route's fader, trim, pan,
  mute/solo, polarity, plugin parameters and sends as Ardour holds them, and saves the session
  again so the file Ardour would write can be compared too.

Both work on a copy of the session folder: Ardour writes peak files and state into the folder it
opens. Nothing here is needed to write a session; the tests use it to prove Ardour hears what
faderpilot rendered (docs/daw-ardour.md).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from .ardour_map import SUPERCLOCK_RATE

#: tool names by Ardour version, newest first (Debian installs ardour7-*)
EXPORT_TOOLS = ("ardour8-export", "ardour7-export")
LUA_TOOLS = ("ardour8-lua", "ardour7-lua")
#: How often ``render`` runs the export tool when it dies by a signal: Debian's ardour7-export
#: sometimes crashes mid-export (``munmap_chunk(): invalid pointer``, SIGABRT) where a rerun of
#: the same session renders it fine. A tool that exits by itself, or times out, is not rerun.
RENDER_TRIES = 3


class ArdourToolError(RuntimeError):
    """An Ardour tool failed; the message holds the command and the end of its output."""


def find_tool(names: tuple[str, ...]) -> str | None:
    """The first of the tools found on PATH (or in /usr/bin), else None."""
    for n in names:
        p = shutil.which(n) or (f"/usr/bin/{n}" if Path(f"/usr/bin/{n}").exists() else None)
        if p:
            return p
    return None


#: Ardour's user configuration for the headless tools: one DSP thread. Ardour 7.3's export tool
#: sometimes corrupts its heap (``munmap_chunk(): invalid pointer``) with parallel DSP threads on
#: a loaded machine; one thread renders the same audio and removes that race.
TOOL_CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<Ardour>
  <Config>
    <Option name="processor-usage" value="1"/>
  </Config>
</Ardour>
"""


def _tool_env() -> dict[str, str]:
    """The environment the Ardour tools run in: ours, with a config folder holding TOOL_CONFIG."""
    home = Path(tempfile.gettempdir()) / "faderpilot-ardour-config"
    cfg = home / "ardour7" / "config"
    if not cfg.exists() or cfg.read_text() != TOOL_CONFIG:
        cfg.parent.mkdir(parents=True, exist_ok=True)
        tmp = cfg.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(TOOL_CONFIG)
        os.replace(tmp, cfg)
    return {**os.environ, "XDG_CONFIG_HOME": str(home)}


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess:
    try:
        r = subprocess.run(
            cmd, capture_output=True, text=True, errors="replace", timeout=timeout, env=_tool_env()
        )
    except subprocess.TimeoutExpired as e:
        raise ArdourToolError(f"{' '.join(cmd)}: no result after {timeout:g} s") from e
    return r


def _copy(session_file: Path, work: Path) -> Path:
    dest = work / session_file.parent.name
    shutil.copytree(session_file.parent, dest)
    return dest / session_file.name


@contextlib.contextmanager
def _tool_and_work(names: tuple[str, ...]) -> Iterator[tuple[str, Path]]:
    """(the first of the Ardour tools ``names`` found, a scratch folder removed afterwards)."""
    tool = find_tool(names)
    if tool is None:
        raise ArdourToolError(f"no {names[-1]} on this machine (Debian: apt-get install ardour)")
    with tempfile.TemporaryDirectory(prefix="faderpilot-ardour-") as work:
        yield tool, Path(work)


def _extend_session_range(session_file: Path, samples: int) -> None:
    """Move the session range's end ``samples`` later in a copy of a session (Ardour 7 XML)."""
    text = session_file.read_text(encoding="utf-8")
    m = re.search(r'sample-rate="(\d+)"', text)
    if m is None:
        raise ArdourToolError(f"{session_file}: no sample-rate in the session file")
    ticks = int(round(samples * SUPERCLOCK_RATE / int(m.group(1))))

    def later(loc: re.Match) -> str:
        return re.sub(r'end="a(\d+)"', lambda e: f'end="a{int(e.group(1)) + ticks}"', loc.group(0))

    text, n = re.subn(r"<Location [^>]*IsSessionRange[^>]*>", later, text)
    if n != 1:
        raise ArdourToolError(f"{session_file}: no session range to extend")
    session_file.write_text(text, encoding="utf-8")


def render(session_file: str | Path, timeout: float = 600, latency: int = 0) -> tuple[np.ndarray, int]:
    """The session's master output as Ardour renders it: ((2, frames) float32, sample rate).

    A run that dies by a signal is tried again on a fresh copy, ``RENDER_TRIES`` runs in all.
    ``latency``: samples of plugin latency on the master that Ardour 7.3's headless export does
    not compensate (our limiter's lookahead, ``SessionPlan.latency``): the copy's range is made
    that much longer and that many samples are dropped from the start, so the render lines up.
    """
    with _tool_and_work(EXPORT_TOOLS) as (tool, work):
        wav = work / "render.wav"
        for attempt in range(1, RENDER_TRIES + 1):
            copy = _copy(Path(session_file), work / f"try{attempt}")
            if latency:
                _extend_session_range(copy, latency)
            wav.unlink(missing_ok=True)
            cmd = [tool, "-b", "float", "-o", str(wav), str(copy.parent), copy.stem]
            r = _run(cmd, timeout)
            if r.returncode >= 0:
                break
        if r.returncode != 0 or not wav.exists():
            tail = (r.stdout + r.stderr)[-2000:]
            tries = f" (killed by a signal on all {RENDER_TRIES} tries)" if r.returncode < 0 else ""
            raise ArdourToolError(f"{' '.join(cmd)} exited {r.returncode}{tries}:\n{tail}")
        y, sr = sf.read(str(wav), dtype="float32", always_2d=True)
    return np.ascontiguousarray(y[latency:].T), int(sr)


READBACK_LUA = """
AudioEngine:set_backend ("None (Dummy)", "", "")
AudioEngine:start (false)
local s = load_session ([==[{folder}]==], [==[{name}]==])
assert (s, "could not load the session")
local function out (...) print (table.concat ({{...}}, "\\t")) end
for r in s:get_routes ():iter () do
	local width = ""
	if not r:pan_width_control ():isnil () then width = r:pan_width_control ():get_value () end
	out ("ROUTE", r:name (), r:amp ():gain_control ():get_value (), r:trim ():gain_control ():get_value (),
		r:pan_azimuth_control ():isnil () and "" or r:pan_azimuth_control ():get_value (), width,
		r:mute_control ():get_value (), r:solo_control ():get_value (),
		r:solo_isolate_control ():get_value (), tostring (r:phase_control ():inverted (0)))
	local i = 0
	while true do
		local proc = r:nth_plugin (i)
		if proc:isnil () then break end
		local pi = proc:to_insert ()
		local p = pi:plugin (0)
		out ("PLUGIN", r:name (), i, proc:name (), tostring (proc:active ()), pi:get_count ())
		local n = 0 -- control number (what get_processor_param takes); j is the port
		for j = 0, p:parameter_count () - 1 do
			if p:parameter_is_control (j) then
				if p:parameter_is_input (j) then
					local v = ARDOUR.LuaAPI.get_processor_param (proc, n, true)
					out ("PARAM", r:name (), i, j, p:parameter_label (j), v)
				end
				n = n + 1
			end
		end
		i = i + 1
	end
	i = 0
	while true do
		local snd = r:nth_send (i)
		if snd:isnil () then break end
		local is = snd:to_internalsend ()
		if not is:isnil () then
			out ("SEND", r:name (), is:target_route ():name (), snd:to_send ():gain_control ():get_value ())
		end
		i = i + 1
	end
end
s:save_state ("", false, false, false, false, false)
out ("DONE")
"""


@dataclass
class RouteState:
    """One route as Ardour loaded it (gains are linear coefficients, azimuth 0..1)."""

    gain: float
    trim: float
    azimuth: float | None
    width: float | None
    mute: bool
    solo: bool
    solo_isolate: bool
    polarity: bool
    plugins: list[dict] = field(default_factory=list)
    sends: dict[str, float] = field(default_factory=dict)


@dataclass
class Readback:
    """What ``ardour7-lua`` reported, and the session file as Ardour saved it again."""

    routes: dict[str, RouteState]
    saved_xml: str
    output: str


def _f(x: str) -> float | None:
    return None if x in ("", "nil") else float(x)


def readback(session_file: str | Path, timeout: float = 300) -> Readback:
    """Load the session in Ardour's headless Lua interpreter and report every route's state."""
    with _tool_and_work(LUA_TOOLS) as (tool, work):
        copy = _copy(Path(session_file), work)
        script = work / "readback.lua"
        script.write_text(READBACK_LUA.format(folder=str(copy.parent), name=copy.stem), encoding="utf-8")
        r = _run([tool, str(script)], timeout)
        text = r.stdout + r.stderr
        if "DONE" not in r.stdout.split():
            raise ArdourToolError(f"{tool} {script.name} exited {r.returncode}:\n{text[-2000:]}")
        saved = copy.read_text(encoding="utf-8")
    routes: dict[str, RouteState] = {}
    for line in r.stdout.splitlines():
        f = line.split("\t")
        if f[0] == "ROUTE" and len(f) == 10:
            routes[f[1]] = RouteState(
                float(f[2]),
                float(f[3]),
                _f(f[4]),
                _f(f[5]),
                float(f[6]) > 0.5,
                float(f[7]) > 0.5,
                float(f[8]) > 0.5,
                f[9] == "true",
            )
        elif f[0] == "PLUGIN" and f[1] in routes:
            routes[f[1]].plugins.append(
                {"name": f[3], "active": f[4] == "true", "count": int(f[5]), "params": {}}
            )
        elif f[0] == "PARAM" and f[1] in routes:
            routes[f[1]].plugins[int(f[2])]["params"][f[4]] = float(f[5])
        elif f[0] == "SEND" and f[1] in routes:
            routes[f[1]].sends[f[2]] = float(f[3])
    return Readback(routes, saved, text)
