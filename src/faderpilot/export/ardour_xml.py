"""The Ardour 7 session file (``<song>.ardour``, format version 7002) from a ``SessionPlan``.

The element layout follows what Ardour 7.3 writes itself (learned from sessions it saved with
``ardour7-new_session`` and ``ardour7-lua``); automation lists and other state Ardour rebuilds
with defaults on load are left out. Audio is referenced by file name only: Ardour finds it in
``interchange/<session folder>/audiofiles``, so the folder can be moved or zipped.
"""

from __future__ import annotations

import base64
import math
import xml.etree.ElementTree as ET

from ..version import __version__
from .ardour_lua import (
    COMPRESSOR_SCRIPT,
    DELAY_SCRIPT,
    FILTER_SCRIPT,
    GATE_SCRIPT,
    LIMITER_SCRIPT,
    REVERB_SCRIPT,
    SATURATION_SCRIPT,
    WIDTH_SCRIPT,
    hplp_script,
    script_id,
)
from .ardour_map import (
    COMP_NAME,
    COMP_PARAMS,
    DELAY_NAME,
    DELAY_PARAMS,
    DELAY_PORTS,
    DYN_PORTS,
    FILTER_NAME,
    FILTER_PARAMS,
    GATE_NAME,
    GATE_PARAMS,
    HPLP_NAME,
    HPLP_PARAMS,
    LIMITER_NAME,
    LIMITER_PARAMS,
    PANNER_BALANCE,
    PANNER_MONO,
    PANNER_STEREO,
    REVERB_NAME,
    REVERB_PARAMS,
    REVERB_PORTS,
    RIDE_NAME,
    SAT_NAME,
    SAT_PARAMS,
    URI_COMP,
    URI_DELAY,
    URI_EQ,
    URI_EXP,
    URI_REVERB,
    WIDTH_NAME,
    WIDTH_PARAMS,
    Plugin,
    RegionPlan,
    RoutePlan,
    SessionPlan,
    db_to_gain,
    superclock,
)

FORMAT_VERSION = "7002"

PANNER_NAMES = {
    PANNER_MONO: "Mono to Stereo Panner",
    PANNER_STEREO: "Equal Power Stereo",
    PANNER_BALANCE: "Stereo Balance",
}

#: LV2 control port names (from the plugins' .ttl files), by symbol
LV2_NAMES = {
    URI_EQ: {
        "freql": "Frequency L",
        "gl": "Gain L",
        "freq1": "Frequency 1",
        "g1": "Gain 1",
        "bw1": "Bandwidth 1",
        "freq2": "Frequency 2",
        "g2": "Gain 2",
        "bw2": "Bandwidth 2",
        "freq3": "Frequency 3",
        "g3": "Gain 3",
        "bw3": "Bandwidth 3",
        "freq4": "Frequency 4",
        "g4": "Gain 4",
        "bw4": "Bandwidth 4",
        "freqh": "Frequency H",
        "gh": "Gain H",
        "master": "Master Gain",
        "filtogl": "Filter L",
        "filtog1": "Filter 1",
        "filtog2": "Filter 2",
        "filtog3": "Filter 3",
        "filtog4": "Filter 4",
        "filtogh": "Filter H",
        "enable": "Enable",
    },
    URI_COMP: {
        "att": "Attack",
        "rel": "Release",
        "kn": "Knee",
        "rat": "Ratio",
        "thr": "Threshold",
        "mak": "Makeup",
        "sidech": "Sidechain",
        "enable": "Enable",
    },
    URI_DELAY: {
        "inv": "Invert",
        "sync": "Sync BPM",
        "time": "Time",
        "div": "Divisor",
        "drywet": "Dry/Wet",
        "feedback": "Feedback",
        "lpf": "LPF",
        "gain": "Output Gain",
        "enable": "Enable",
        "dot": "Dotted",
    },
    URI_REVERB: {"blend": "Blend", "roomsz": "Room Size", "enable": "Enable"},
}
LV2_NAMES[URI_EXP] = LV2_NAMES[URI_COMP]
LV2_NAMES[URI_COMP + "#stereo"] = LV2_NAMES[URI_COMP]
_EQ_INDEX = {sym: i for i, sym in enumerate(LV2_NAMES[URI_EQ])}
LV2_INDEX = {
    URI_EQ: _EQ_INDEX,
    URI_COMP: {s: i for s, i, _ in DYN_PORTS},
    URI_COMP + "#stereo": {s: i for s, i, _ in DYN_PORTS},
    URI_EXP: {s: i for s, i, _ in DYN_PORTS},
    URI_DELAY: {s: i for s, i, _ in DELAY_PORTS},
    URI_REVERB: {s: i for s, i, _ in REVERB_PORTS},
}
LUA_PARAMS = {
    HPLP_NAME: HPLP_PARAMS,
    SAT_NAME: SAT_PARAMS,
    WIDTH_NAME: WIDTH_PARAMS,
    COMP_NAME: COMP_PARAMS,
    GATE_NAME: GATE_PARAMS,
    DELAY_NAME: DELAY_PARAMS,
    REVERB_NAME: REVERB_PARAMS,
    LIMITER_NAME: LIMITER_PARAMS,
    FILTER_NAME: FILTER_PARAMS,
    RIDE_NAME: [],
}
#: our own scripts, embedded in every session that uses them
OWN_SCRIPTS = {
    SAT_NAME: SATURATION_SCRIPT,
    WIDTH_NAME: WIDTH_SCRIPT,
    COMP_NAME: COMPRESSOR_SCRIPT,
    GATE_NAME: GATE_SCRIPT,
    DELAY_NAME: DELAY_SCRIPT,
    REVERB_NAME: REVERB_SCRIPT,
    LIMITER_NAME: LIMITER_SCRIPT,
    FILTER_NAME: FILTER_SCRIPT,
}
TOGGLES = {
    "enable",
    "sidech",
    "inv",
    "sync",
    "dot",
    "filtogl",
    "filtog1",
    "filtog2",
    "filtog3",
    "filtog4",
    "filtogh",
}


def num(x: float) -> str:
    """A number as Ardour writes it (shortest round-trip repr, no trailing .0 on integers)."""
    x = float(x)
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def colour_rgba(hex_colour: str) -> str:
    """ "#rrggbb" as Ardour's 32-bit RGBA integer."""
    h = hex_colour.lstrip("#")
    try:
        rgb = int(h[:6], 16)
    except ValueError:
        rgb = 0x8C8C8C
    return str((rgb << 8) | 0xFF)


class _Ids:
    def __init__(self, start: int = 100) -> None:
        self.n = start

    def __call__(self) -> str:
        self.n += 1
        return str(self.n)


def _sub(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attrs.items()})


class SessionWriter:
    """Builds the XML tree of one session plan."""

    def __init__(self, plan: SessionPlan) -> None:
        self.plan = plan
        self.sr = plan.sample_rate
        self.ids = _Ids()
        self.route_ids: dict[str, str] = {r.name: self.ids() for r in plan.routes}
        self.hplp_id, self.hplp_text = hplp_script()
        self.sends_slot = 0

    def pos(self, samples: int) -> str:
        return f"a{superclock(samples, self.sr)}"

    # ---- pieces -------------------------------------------------------------------------
    def location(self, parent: ET.Element, name: str, start: int, end: int, flags: str) -> None:
        """A ``Location`` from ``start`` to ``end`` (samples): the session range or a marker."""
        _sub(
            parent,
            "Location",
            id=self.ids(),
            name=name,
            start=self.pos(start),
            end=self.pos(end),
            flags=flags,
            locked="0",
            timestamp="0",
            cue="0",
        )

    def controllable(
        self, parent: ET.Element, name: str, value: float, flags: str = "", **extra: str
    ) -> None:
        _sub(parent, "Controllable", name=name, id=self.ids(), flags=flags, value=num(value), **extra)

    def io(self, parent: ET.Element, route: RoutePlan, direction: str, n: int, targets: list[str]) -> None:
        io = _sub(parent, "IO", name=route.name, id=self.ids(), direction=direction, default_type="audio")
        suffix = "audio_in" if direction == "Input" else "audio_out"
        for c in range(n):
            port = _sub(io, "Port", type="audio", name=f"{route.name}/{suffix} {c + 1}")
            for t in targets:
                _sub(port, "Connection", other=t.format(c=c + 1))

    def pannable(self, parent: ET.Element, azimuth: float, width: float) -> None:
        p = _sub(parent, "Pannable")
        self.controllable(p, "pan-azimuth", azimuth)
        self.controllable(p, "pan-width", width)
        self.controllable(p, "pan-elevation", 0.0)
        self.controllable(p, "pan-frontback", 0.0)
        self.controllable(p, "pan-lfe", 0.0)

    def panner_shell(self, parent: ET.Element, uri: str | None) -> None:
        shell = _sub(parent, "PannerShell", bypassed="0", user_panner=uri or "", linked_to_route="1")
        if uri:
            _sub(shell, "Panner", uri=uri, type=PANNER_NAMES[uri])

    def processor(
        self, parent: ET.Element, name: str, ptype: str, active: bool = True, **extra: str
    ) -> ET.Element:
        return _sub(
            parent,
            "Processor",
            id=self.ids(),
            name=name,
            active="1" if active else "0",
            user_latency="0",
            use_user_latency="0",
            type=ptype,
            **extra,
        )

    def plugin(self, parent: ET.Element, pl: Plugin, channels: int) -> None:
        count = channels if pl.per_channel else 1
        if pl.kind == "lv2":
            proc = self.processor(
                parent, pl.name, "lv2", pl.active, unique_id=pl.uri, count=str(count), custom="0"
            )
        else:
            if pl.script == HPLP_NAME:
                uid, text = self.hplp_id, self.hplp_text
            elif pl.script in OWN_SCRIPTS or pl.text is not None:
                text = pl.text if pl.text is not None else OWN_SCRIPTS[pl.script]
                uid = script_id(text)
            else:
                raise ValueError(f"unknown Lua plugin {pl.script!r}")
            proc = self.processor(parent, pl.name, "luaproc", pl.active, unique_id=uid, count="1", custom="0")
        n_in = 1 if pl.per_channel else channels
        for tag in ("ConfiguredInput", "CustomSinks", "ConfiguredOutput"):
            _sub(_sub(proc, tag), "Channels", type="audio", count=str(channels))
        _sub(proc, "PresetOutput")
        for k in range(count):
            for tag in (f"InputMap-{k}", f"OutputMap-{k}"):
                m = _sub(proc, tag)
                for c in range(n_in):
                    _sub(m, "Channelmap", type="audio", **{"from": str(c), "to": str(c + k)})
        _sub(proc, "ThruMap")
        if pl.kind == "lv2":
            state = _sub(
                proc, "lv2", last_preset_uri="", last_preset_label="", parameter_changed_since_last_preset="1"
            )
            for sym, v in pl.params.items():
                _sub(state, "Port", symbol=sym, value=num(v))
            names, index = LV2_NAMES[pl.uri], LV2_INDEX[pl.uri]
            for sym, v in pl.params.items():
                self.controllable(
                    proc,
                    names[sym],
                    v,
                    "Toggle" if sym in TOGGLES else "",
                    parameter=str(index[sym]),
                    symbol=sym,
                )
        else:
            state = _sub(
                proc,
                "luaproc",
                last_preset_uri="",
                last_preset_label="",
                parameter_changed_since_last_preset="1",
            )
            if text is not None:
                s = _sub(state, "script", lua="Lua 5.3", origin="")
                s.text = base64.b64encode(text.encode("utf-8")).decode("ascii")
            for i, v in sorted(pl.params.items()):
                _sub(state, "Port", id=str(i), value=num(v))
            defs = LUA_PARAMS[pl.script]
            for i, v in sorted(pl.params.items()):
                flags = "Toggle" if defs[i][0] == "Enable" else ""
                self.controllable(proc, defs[i][0], v, flags, parameter=str(i))

    def gain_processor(self, parent: ET.Element, kind: str, db: float, auto: list | None = None) -> None:
        if kind == "trim":
            proc = self.processor(parent, "Amp", "trim")
            self.controllable(proc, "trimcontrol", db_to_gain(db), "GainLike")
            return
        proc = self.processor(parent, "Amp", "amp")
        if auto:
            al = _sub(
                _sub(proc, "Automation"),
                "AutomationList",
                automation_id="gain",
                id=self.ids(),
                interpolation_style="Exponential",
                time_domain="AudioTime",
                state="Play",
            )
            _sub(al, "events").text = "".join(f"{self.pos(n)} {num(g)}\n" for n, g in auto)
        self.controllable(proc, "gaincontrol", db_to_gain(db) if db > -200 else 0.0, "GainLike")

    def send(self, parent: ET.Element, route: RoutePlan, target: str, gain_db: float) -> None:
        self.sends_slot += 1
        proc = self.processor(
            parent,
            target,
            "intsend",
            own_input="1",
            own_output="1",
            role="Aux",
            bitslot=str(self.sends_slot),
            selfdestruct="0",
            target=self.route_ids[target],
            allow_feedback="0",
        )
        pan = route.pan
        self.panner_shell(proc, pan.panner if pan else None)
        self.pannable(proc, pan.azimuth if pan else 0.5, pan.width if pan else 0.0)
        self.controllable(proc, "polarity-invert", 0, "Toggle")
        self.controllable(proc, "gaincontrol", db_to_gain(gain_db), "GainLike,InlineControl")

    # ---- routes -------------------------------------------------------------------------
    def route(self, parent: ET.Element, r: RoutePlan, order: int, playlist_id: str | None) -> None:
        attrs = dict(
            version=FORMAT_VERSION,
            id=self.route_ids[r.name],
            name=r.name,
            default_type="audio",
            strict_io="1",
            active="1",
            denormal_protection="0",
            meter_point="MeterOutput" if r.kind == "master" else "MeterPostFader",
            disk_io_point="DiskIOPreFader",
            meter_type="MeterK14" if r.kind == "master" else "MeterPeak",
        )
        if r.kind == "master":
            attrs["volume_applies_to_output"] = "1"
        if r.kind == "track":
            attrs.update(
                audio_playlist=playlist_id or "",
                saved_meter_point="MeterPostFader",
                alignment_choice="Automatic",
                mode="Normal",
            )
        node = _sub(parent, "Route", **attrs)
        flags = {"track": "AudioTrack,OrderSet", "bus": "AudioBus,OrderSet", "master": "MasterOut,OrderSet"}[
            r.kind
        ]
        _sub(node, "PresentationInfo", order=str(order), flags=flags, color=colour_rgba(r.colour))
        self.controllable(
            node,
            "solo",
            1 if r.solo else 0,
            "Toggle,RealTime",
            self_solo="1" if r.solo else "0",
            soloed_by_upstream="0",
            soloed_by_downstream="0",
        )
        # FX returns are solo-isolated: soloing a track keeps its reverb and delay audible, as in
        # our renderer (which mutes unsoloed tracks and never a bus)
        iso = "1" if r.solo_isolate else "0"
        self.controllable(node, "solo-iso", int(iso), "Toggle,RealTime", solo_isolated=iso)
        self.controllable(node, "solo-safe", 0, "Toggle", solo_safe="0")
        n_in = r.channels
        self.io(node, r, "Input", n_in, [])
        if r.output is None:
            outs = ["system:playback_{c}"]
        else:
            outs = [f"{r.output}/audio_in {{c}}"]
        self.io(node, r, "Output", 2, outs)
        _sub(node, "MuteMaster", mute_point="PostFader,Listen,Main", muted="1" if r.mute else "0")
        self.controllable(node, "mute", 1 if r.mute else 0, "Toggle,RealTime")
        bits = ("1" if r.polarity else "0") * n_in
        self.controllable(node, "phase", 1 if r.polarity else 0, "Toggle", phase_invert=bits)
        if r.kind == "master":
            self.controllable(node, "mastervolume", 1, "GainLike,NotAutomatable")
        pan = r.pan
        self.pannable(node, pan.azimuth if pan else 0.5, pan.width if pan else (1.0 if n_in == 2 else 0.0))
        if r.kind == "track":
            self.processor(node, f"recorder:{r.name}", "diskwriter", record_safe="0")
            self.processor(node, f"player:{r.name}", "diskreader")
        if r.aux:
            self.processor(node, "Return", "intreturn")
        self.processor(node, "Polarity", "polarity")
        self.gain_processor(node, "trim", r.trim_db)
        for pl in r.plugins:
            self.plugin(node, pl, n_in)
        self.gain_processor(node, "amp", r.fader_db, r.gain_automation)
        for s in r.sends:
            self.send(node, r, s.target, s.gain_db)
        if r.kind != "master":
            self.processor(node, f"meter-{r.name}", "meter")
        main = self.processor(
            node, r.name, "main-outs", own_input="1", own_output="0", output=r.name, role="Main"
        )
        self.panner_shell(main, pan.panner if pan else None)
        if r.kind == "master":
            self.processor(node, f"meter-{r.name}", "meter")
        _sub(node, "Slavable")
        if r.kind == "track":
            self.controllable(node, "monitor", 0, "RealTime", monitoring="")
            self.controllable(node, "rec-safe", 0, "Toggle,RealTime")
            self.controllable(node, "rec-enable", 0, "Toggle,RealTime")

    def region(
        self, parent: ET.Element, name: str, rp: RegionPlan, sources: list[str], whole: bool, gain: float
    ) -> None:
        attrs = dict(
            name=name,
            muted="0",
            opaque="1",
            locked="0",
            video_locked="0",
            automatic="1" if whole else "0",
            whole_file="1" if whole else "0",
            import_="0",
            external="0",
            sync_marked="0",
            left_of_split="0",
            right_of_split="0",
            hidden="0",
            position_locked="0",
            valid_transients="0",
            start=self.pos(rp.start),
            length=f"{self.pos(rp.length)}@{self.pos(rp.position)}",
            sync_position=self.pos(0),
            ancestral_start=self.pos(0),
            ancestral_length="a0@a0",
            stretch="1",
            shift="1",
            layering_index="0",
            tags="",
            contents="0",
            envelope_active="0",
            default_fade_in="0",
            default_fade_out="0",
            fade_in_active="1" if rp.fade_in > 0 else "0",
            fade_out_active="1" if rp.fade_out > 0 else "0",
            scale_amplitude=num(gain),
            id=self.ids(),
            type="audio",
            first_edit="nothing",
        )
        for i, s in enumerate(sources):
            attrs[f"source_{i}"] = s
        for i, s in enumerate(sources):
            attrs[f"master_source_{i}"] = s
        attrs["channels"] = str(len(sources))
        reg = _sub(parent, "Region", **{k.rstrip("_"): v for k, v in attrs.items()})
        if whole:
            return
        for tag, aid, n, values in (
            ("FadeIn", "fadein", rp.fade_in, ("0", "1")),
            ("FadeOut", "fadeout", rp.fade_out, ("1", "0")),
        ):
            n = max(n, 64)
            wrap = _sub(reg, tag)
            al = _sub(
                wrap,
                "AutomationList",
                automation_id=aid,
                id=self.ids(),
                interpolation_style="Linear",
                time_domain="AudioTime",
                state="Off",
            )
            ev = _sub(al, "events")
            ev.text = f"a0 {values[0]}\n{self.pos(n)} {values[1]}\n"

    # ---- the document -------------------------------------------------------------------
    def build(self) -> ET.ElementTree:
        p = self.plan
        root = ET.Element(
            "Session",
            {
                "version": FORMAT_VERSION,
                "name": p.name,
                "sample-rate": str(self.sr),
                "end-is-free": "0",
                "session-range-is-free": "0",
            },
        )
        _sub(
            root,
            "ProgramVersion",
            created_with=f"faderpilot {__version__}",
            modified_with=f"faderpilot {__version__}",
        )
        _sub(root, "MIDIPorts")
        cfg = _sub(root, "Config")
        for name, value in (
            ("use-region-fades", "1"),
            ("use-transport-fades", "0"),
            ("use-monitor-fades", "0"),
            ("native-file-data-format", "FormatFloat"),
            ("native-file-header-format", "WAVE"),
            ("auto-play", "0"),
            ("auto-return", "0"),
            ("auto-input", "1"),
            ("realtime-export", "0"),
            ("show-region-fades", "1"),
            ("show-busses-on-meterbridge", "0"),
        ):
            _sub(cfg, "Option", name=name, value=value)
        _sub(root, "Metadata")
        sources_el = _sub(root, "Sources")
        regions_el = ET.Element("Regions")
        playlists: list[tuple[RoutePlan, list[str]]] = []
        for r in p.routes:
            if r.kind != "track":
                continue
            ids = []
            for c in range(r.channels):
                sid = self.ids()
                _sub(
                    sources_el,
                    "Source",
                    name=r.media,
                    type="audio",
                    flags="",
                    id=sid,
                    captured_for="",
                    channel=str(c),
                    origin="",
                    gain="1",
                )
                ids.append(sid)
            playlists.append((r, ids))
            stem = r.media.rsplit(".", 1)[0]
            self.region(regions_el, stem, RegionPlan(0, 0, p.length), ids, True, 1.0)
        _sub(root, "TriggerBindings")
        root.append(regions_el)
        _sub(root, "Selection")
        loc = _sub(root, "Locations")
        self.location(loc, "session", 0, p.length, "IsSessionRange")
        for name, t in p.markers:
            self.location(loc, name, t, t, "IsMark")
        _sub(root, "Bundles")
        _sub(root, "VCAManager")
        routes_el = _sub(root, "Routes")
        playlist_ids = {r.name: self.ids() for r, _ in playlists}
        order = 0
        for r in p.routes:
            self.route(
                routes_el, r, 0 if r.kind == "master" else (order := order + 1), playlist_ids.get(r.name)
            )
        pls = _sub(root, "Playlists")
        for r, ids in playlists:
            pl = _sub(
                pls,
                "Playlist",
                id=playlist_ids[r.name],
                name=r.name,
                type="audio",
                orig_track_id=self.route_ids[r.name],
                pgroup_id="",
                shared_with_ids="",
                frozen="0",
                combine_ops="0",
            )
            stem = r.media.rsplit(".", 1)[0]
            for k, rp in enumerate(r.regions, 1):
                self.region(pl, f"{stem}.{k}", rp, ids, False, db_to_gain(r.region_gain_db))
        _sub(root, "UnusedPlaylists")
        _sub(root, "RouteGroups")
        click = _sub(root, "Click")
        io = _sub(click, "IO", name="Click", id=self.ids(), direction="Output", default_type="audio")
        for c in (1, 2):
            _sub(
                _sub(io, "Port", type="audio", name=f"Click/audio_out {c}"),
                "Connection",
                other=f"system:playback_{c}",
            )
        amp = _sub(
            click,
            "Processor",
            id=self.ids(),
            name="Amp",
            active="1",
            user_latency="0",
            use_user_latency="0",
            type="amp",
        )
        self.controllable(amp, "gaincontrol", 1.0, "GainLike")
        spk = _sub(root, "Speakers")
        _sub(spk, "Speaker", azimuth="240", elevation="0", distance="1")
        _sub(spk, "Speaker", azimuth="120", elevation="0", distance="1")
        tm = _sub(root, "TempoMap", superclocks_per_second="282240000")
        _sub(
            _sub(tm, "Tempos"),
            "Tempo",
            npm="120",
            enpm="120",
            note_type="4",
            type="Tempo::Constant",
            active="1",
            locked_to_meter="0",
            continuing="0",
            sclock="0",
            quarters="0:0",
            bbt="1|1|0",
            omega="0",
        )
        _sub(
            _sub(tm, "Meters"),
            "Meter",
            note_value="4",
            divisions_per_bar="4",
            sclock="0",
            quarters="0:0",
            bbt="1|1|0",
        )
        _sub(tm, "MusicTimes")
        _sub(root, "IOPlugins")
        root.set("id-counter", str(self.ids.n + 1))
        root.set("name-counter", "1")
        root.set("event-counter", "0")
        root.set("vca-counter", "1")
        tree = ET.ElementTree(root)
        ET.indent(tree, "  ")
        return tree


def session_xml(plan: SessionPlan) -> bytes:
    """The complete ``.ardour`` file for a plan, as UTF-8 bytes."""
    tree = SessionWriter(plan).build()
    body = ET.tostring(tree.getroot(), encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")
