"""The HTML report: every value in the session with its reason, and pictures that teach the craft.

A view of the session document, like every exporter: it reads ``session.json`` (and the run's
``run.json`` for the time taken when it is there) and never analyses audio. "After" spectra are
the measured long-term spectrum plus the chain's filter response from ``render.filters``, the one
filter definition every renderer and exporter shares.

The page is one self-contained file (inline CSS, pictures as ``data:`` URIs) that opens from disk
in any browser and makes no network request.

Example
-------
>>> from faderpilot.export.report import write_report
>>> write_report("demo_out")  # doctest: +SKIP
PosixPath('demo_out/report.html')
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from ..decide.priors import term_size
from ..render.filters import FILTER_KINDS, chain_band_response_db
from ..render.plan import Plan, band_levels, eq_change_db
from ..render.plan import build as build_plan
from ..session.io import load, write_text_atomic
from ..session.model import Bus, Decision, Processor, Session, Track
from ..session.processors import BandFilter, Compressor, Gate, PassFilter
from ..session.roles import GROUP_BUSES, ROLE_LABELS
from ..version import __version__
from . import figures
from .dawproject import PRINTED_SUFFIX, printed
from .figures import LevelRow, hz

REPORT_NAME = "report.html"
RUN_NAME = "run.json"

#: Who set a value, in words a producer reads (session.model.ORIGINS).
ORIGIN_WORDS = {
    "rules": "assistant",
    "prep": "session prep",
    "rough": "your rough mix",
    "profile": "your profile",
    "prompt": "a text note",
    "user": "you, by hand",
}

PROCESSOR_WORDS = {
    "highpass": "High-pass",
    "lowpass": "Low-pass",
    "low_shelf": "Low shelf",
    "high_shelf": "High shelf",
    "peak": "Bell EQ",
    "compressor": "Compressor",
    "gate": "Gate",
    "saturation": "Saturation",
    "reverb": "Reverb",
    "delay": "Delay",
    "limiter": "Limiter",
}

SIGNAL_WORDS = {"name": "from the file name", "audio": "from the sound", "user": "by you"}

GLOSSARY = (
    (
        "LUFS / LU",
        "Loudness as the ear weighs it (ITU-R BS.1770). LUFS is absolute (full scale = 0); "
        "LU is a difference, so +1 LU is one dB louder.",
    ),
    (
        "dBFS, dBTP",
        "Level against digital full scale (0 dBFS is the loudest sample a file holds); "
        "true peak (dBTP) also counts the peaks between samples that a converter will make.",
    ),
    ("Loudness range", "How much the loudness moves over the song (EBU Tech 3342), in LU."),
    (
        "Active regions",
        "The stretches where a track actually plays; levels are measured there, so "
        "a part that rests half the song is not judged quieter than it sounds.",
    ),
    (
        "Trim and fader",
        "Trim sets a track's working level before anything else (all tracks start "
        "at the same loudness); the fader then sets the balance.",
    ),
    (
        "High-pass",
        "A filter that removes everything below its frequency; the slope (dB per octave) says how steeply.",
    ),
    ("Bell EQ and Q", "A boost or cut around one frequency; Q is how narrow it is (higher Q, narrower)."),
    (
        "Masking",
        "When two parts are loud in the same frequency band, the louder hides the other; a "
        "cut on the less important part lets the important one through.",
    ),
    (
        "Compressor",
        "Turns a signal down while it is above the threshold, by the ratio (3:1: 3 dB "
        "over the threshold comes out as 1 dB over); attack and release are how fast it reacts; "
        "makeup turns the whole track back up.",
    ),
    (
        "Send",
        "A copy of the track fed to a shared effect (reverb, delay); the send level sets how "
        "much of the track goes into the effect.",
    ),
    (
        "Third-octave band",
        "A slice of the spectrum a third of an octave wide: the resolution the spectra here are drawn at.",
    ),
)


# ---------------------------------------------------------------- formatting


def _e(x: Any) -> str:
    return escape(str(x), quote=True)


def fmt_db(v: float) -> str:
    """A gain in dB with its sign ("+4.2 dB")."""
    return f"{float(v):+.1f} dB"


def fmt_pan(v: float) -> str:
    """A pan position in words ("Left 30%", "Centre")."""
    v = float(v)
    if abs(v) < 0.005:
        return "Centre"
    return f"{'Left' if v < 0 else 'Right'} {abs(v) * 100:.0f}%"


def _fmt_pass(t: PassFilter) -> str:
    return f"{hz(t.freq_hz)}, {t.slope_db_oct:g} dB/oct"


def _fmt_shelf(t: BandFilter) -> str:
    return f"{t.gain_db:+g} dB from {hz(t.freq_hz)}, Q {t.q:g}"


def _fmt_compressor(t: Compressor) -> str:
    return (
        f"{t.ratio:g}:1 above {t.threshold_db:g} dB, attack {t.attack_ms:g} ms, "
        f"release {t.release_ms:g} ms, makeup {t.makeup_db:+g} dB"
    )


def _fmt_gate(t: Gate) -> str:
    return (
        f"threshold {t.threshold_db:g} dB, range {t.range_db:g} dB, attack "
        f"{t.attack_ms:g} ms, release {t.release_ms:g} ms"
    )


#: The report's registry, kind -> the typed processor's settings in the units a mixer reads
#: (the console shows the same text).
FORMAT: dict[str, Callable[..., str]] = {
    "highpass": _fmt_pass,
    "lowpass": _fmt_pass,
    "low_shelf": _fmt_shelf,
    "high_shelf": _fmt_shelf,
    "peak": lambda t: f"{t.gain_db:+g} dB at {hz(t.freq_hz)}, Q {t.q:g}",
    "compressor": _fmt_compressor,
    "gate": _fmt_gate,
    "saturation": lambda t: f"drive {t.drive_db:g} dB, {t.mix_pct:g}% mix",
    "reverb": lambda t: f"room size {t.room_size:g}, damping {t.damping:g}, width {t.width:g}",
    "delay": lambda t: f"{t.time_ms:g} ms, {t.feedback_pct:g}% feedback",
    "limiter": lambda t: f"ceiling {t.ceiling_db:g} dB, release {t.release_ms:g} ms",
}


def fmt_processor(p: Processor) -> str:
    """A processor's settings in the units a mixer reads."""
    return FORMAT[p.kind](p.typed()) + ("" if p.enabled else " (bypassed)")


def fmt_value(key: str, v: Any, bus_names: dict[str, str] | None = None) -> str:
    """Any decided value, formatted by what it is."""
    if key == "polarity_inverted" and isinstance(v, bool):
        return "inverted" if v else "normal"
    if key == "mute" and isinstance(v, bool):
        return "muted" if v else "playing"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if key == "channels" and v in (1, 2):
        return "mono" if v == 1 else "stereo"
    if key == "regions" and isinstance(v, int):
        return f"{v} region{'s' if v != 1 else ''}"
    if key == "automation" and isinstance(v, int):
        return f"{v} lane{'s' if v != 1 else ''}"
    if key == "pan" and _num(v):
        return fmt_pan(v)
    if key == "width" and _num(v):
        return "mono" if float(v) == 0 else f"{float(v) * 100:.0f}%"
    if key.endswith("_db") and _num(v):
        return fmt_db(v)
    if key.endswith("_ms") and _num(v):
        return f"{float(v):.2f} ms"
    if key == "output" and bus_names:
        return bus_names.get(str(v), str(v))
    if isinstance(v, dict):
        return ", ".join(f"{a} {b}" for a, b in v.items())
    if isinstance(v, list):
        return f"{len(v)} item{'s' if len(v) != 1 else ''}"
    return str(v)


def _mmss(s: float) -> str:
    m, sec = divmod(float(s), 60.0)
    return f"{int(m)}:{sec:04.1f}"


def _num(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _same(a: Any, b: Any) -> bool:
    """Whether a decided value still holds; values of different kinds can't be compared, so they
    are taken as unchanged rather than flagged as edits."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if _num(a) and _num(b):
        return abs(float(a) - float(b)) < 1e-6
    if type(a) is not type(b):
        return True
    return a == b


# ---------------------------------------------------------------- what the page says


@dataclass
class Row:
    """One line of a settings table: what, the value now, why, who."""

    setting: str
    value: str
    decision: Decision | None
    edited_from: str | None = None  # the decided value, when the document now holds another


#: Strip settings in signal-flow order: (key, label, value left alone). The chain goes after
#: trim, the sends after the output.
EARLY = (
    ("polarity_inverted", "Polarity", False),
    ("delay_ms", "Track delay", 0.0),
    ("channels", "Channels", None),
    ("regions", "Regions", None),
    ("mute", "Mute", False),
    ("trim_db", "Trim", 0.0),
)
LATE = (
    ("fader_db", "Fader", 0.0),
    ("width", "Stereo width", 1.0),
    ("pan", "Pan", 0.0),
    ("automation", "Automation", 0),
)


def _current(strip: Track | Bus, key: str) -> Any:
    v = getattr(strip, key, None)
    if key in ("regions", "automation") and isinstance(v, list):
        return len(v)
    return v


def _field_row(
    strip: Track | Bus, key: str, label: str, left_alone: Any, names: dict[str, str]
) -> Row | None:
    d = strip.decisions.get(key)
    now = _current(strip, key) if hasattr(strip, key) else (d.value if d else None)
    if d is None and (now is None or left_alone is None or _same(now, left_alone)):
        return None
    value = fmt_value(key, now, names)
    if key == "regions" and isinstance(strip, Track) and strip.regions:
        kept = sum(r.end_s - r.start_s for r in strip.regions)
        value += f", {kept:.1f} s playing"
    edited = None if d is None or _same(d.value, now) else fmt_value(key, d.value, names)
    return Row(label, value, d, edited)


def _processor_row(p: Processor) -> Row:
    d = p.decision
    edited = None
    if d is not None and isinstance(d.value, dict) and not _same(d.value, p.params):
        try:
            edited = fmt_processor(Processor(p.id, p.kind, dict(d.value)))
        except (KeyError, TypeError, ValueError):
            edited = fmt_value(p.kind, d.value)
    return Row(PROCESSOR_WORDS.get(p.kind, p.kind), fmt_processor(p), d, edited)


def strip_rows(strip: Track | Bus, names: dict[str, str]) -> list[Row]:
    """Every value on a strip in signal-flow order, each with its decision (if any)."""
    rows: list[Row] = []
    is_track = isinstance(strip, Track)
    early = EARLY if is_track else tuple(x for x in EARLY if x[0] == "mute")
    late = LATE if is_track else tuple(x for x in LATE if x[0] in ("fader_db", "pan"))
    for key, label, left_alone in early:
        if (r := _field_row(strip, key, label, left_alone, names)) is not None:
            rows.append(r)
    rows += [_processor_row(p) for p in strip.chain]
    for key, label, left_alone in late:
        if (r := _field_row(strip, key, label, left_alone, names)) is not None:
            rows.append(r)
    if strip.output is not None or "output" in strip.decisions:
        rows.append(
            _field_row(strip, "output", "Goes to", None, names)
            or Row("Goes to", names.get(strip.output, "-"), None)
        )
    for x in strip.sends if is_track else ():
        d = x.decision
        edited = None if d is None or _same(d.value, x.level_db) else fmt_value("level_db", d.value)
        rows.append(Row(f"Send to {names.get(x.bus, x.bus)}", fmt_db(x.level_db), d, edited))
    done = {k for k, _, _ in (*EARLY, *LATE)} | {"output"}
    for key in sorted(set(strip.decisions) - done):
        d = strip.decisions[key]
        now = _current(strip, key) if hasattr(strip, key) else d.value
        edited = None if _same(d.value, now) else fmt_value(key, d.value, names)
        rows.append(Row(key.replace("_", " ").capitalize(), fmt_value(key, now, names), d, edited))
    return rows


def level_rows(session: Session, plan: Plan | None = None) -> tuple[list[LevelRow], Track | None]:
    """Each track's loudness relative to the lead the balance chose (the plan's; without one,
    the loudest track as heard): as recorded, and after trim, EQ and fader."""
    plan = plan or build_plan(session)
    raw = {t.id: float(t.analysis.get("active_lufs", -120.0)) for t in session.tracks}
    heard = {t.id: raw[t.id] + t.trim_db + t.fader_db + plan.strip(t.id).eq_change_db for t in session.tracks}
    lead = session.track(plan.lead.track_id) if plan.lead is not None else None
    if lead is None:
        sounding = [t for t in session.tracks if plan.strip(t.id).audible and raw[t.id] > -119.0]
        lead = max(sounding, key=lambda t: heard[t.id], default=None)
    ref_raw = raw[lead.id] if lead else 0.0
    ref_heard = heard[lead.id] if lead else 0.0
    rows = [
        LevelRow(
            t.name,
            t.colour,
            raw[t.id] - ref_raw,
            heard[t.id] - ref_heard,
            pan=t.pan,
            width=t.width,
            stereo=t.channels == 2,
            muted=t.mute or raw[t.id] <= -119.0,
        )
        for t in session.tracks
    ]
    return rows, lead


def masked_track(session: Session, decision: Decision | None, masker: Track) -> Track | None:
    """The track an unmasking cut protects (its decision's ``refs["masked"]``)."""
    masked = decision.refs.get("masked") if decision is not None else None
    return next((t for t in session.tracks if t.id == masked and t.id != masker.id), None)


def heard_bands(t: Track, sr: int, chain: list[Processor] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A track's third-octave spectrum as it reaches the mix: trim, filters, fader."""
    fc, lv = band_levels(t.analysis["band_db"])
    return fc, lv + t.trim_db + t.fader_db + chain_band_response_db(
        t.chain if chain is None else chain, fc, sr
    )


def track_pictures(session: Session, t: Track) -> list[tuple[figures.Picture, str]]:
    """The pictures for one track, each with a caption that says how to read it."""
    sr = session.sample_rate
    out: list[tuple[figures.Picture, str]] = []
    bands = t.analysis.get("band_db")
    if bands:
        pic = figures.spectrum_picture(t.name, t.colour, bands, t.trim_db, t.chain, sr)
        cap = (
            "The track's average spectrum while it plays, in third-octave bands. Grey dashed: as "
            "recorded (after trim); coloured: after its EQ. Red shading is what the EQ removes; the "
            "orange curve is the EQ itself (right-hand scale, 0 dB = untouched)."
        )
        if not any(p.enabled and p.kind in FILTER_KINDS for p in t.chain):
            cap = "The track's average spectrum while it plays, in third-octave bands. No EQ was needed."
        change = eq_change_db(t, sr)
        if abs(change) >= 0.1:
            cap += f" The EQ changes its loudness by {change:+.1f} dB."
        other = sorted(
            {PROCESSOR_WORDS.get(p.kind, p.kind).lower() for p in t.chain if p.kind not in FILTER_KINDS}
        )
        if other:
            verb = "is" if len(other) == 1 else "are"
            cap += f" The {' and '.join(other)} {verb} not EQ, so not part of this picture."
        out.append((pic, cap))
    pct = t.analysis.get("env_percentiles")
    for p in t.chain:
        if p.kind == "compressor":
            shifted = [v + t.trim_db for v in pct] if pct else None
            pic = figures.compressor_picture(t.name, t.colour, p.params, shifted)
            cap = (
                "Top: what the compressor does to each input level. Below the threshold nothing "
                f"changes; above it, every {p.params['ratio']:g} dB in comes out as 1 dB, then makeup "
                "lifts the whole track."
            )
            if shifted:
                cap += (
                    f" Bottom: how much of its playing time {t.name} spends at each level (measured, "
                    "after trim); the orange part is what gets compressed."
                )
            out.append((pic, cap))
    for i, p in enumerate(t.chain):
        d = p.decision
        if p.kind != "peak" or d is None or d.rule != "eq.unmask" or not bands:
            continue
        other = masked_track(session, d, t)
        if other is None or not other.analysis.get("band_db"):
            continue
        without = t.chain[:i] + t.chain[i + 1 :]
        fc, before = heard_bands(t, sr, without)
        _, after = heard_bands(t, sr)
        pic = figures.masking_picture(
            other.name,
            other.colour,
            heard_bands(other, sr),
            t.name,
            t.colour,
            (fc, before),
            after,
            p.params["freq_hz"],
            p.params["gain_db"],
            sr,
        )
        cap = (
            f"Both tracks as heard in the mix (trim, EQ and fader applied). Where {t.name} is as loud "
            f"as {other.name} in the same band, it hides it; the cut at {hz(p.params['freq_hz'])} "
            f"(shaded) makes room there."
        )
        out.append((pic, cap))
    return out


# ---------------------------------------------------------------- HTML

CSS = """
:root { --ink:#1f2328; --mute:#5f6670; --line:#d8dde3; --soft:#f5f7f9; --accent:#2f6fb3; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--ink); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 60px; }
header.page { border-bottom: 3px solid var(--ink); margin-bottom: 18px; padding-bottom: 10px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 36px 0 10px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 18px; margin: 0; }
.sub { color: var(--mute); margin: 0; }
nav.toc { font-size: 14px; color: var(--mute); margin: 8px 0 0; }
nav.toc a { margin-right: 14px; display: inline-block; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; margin: 0; }
dl.facts dt { font-weight: 600; color: var(--mute); }
dl.facts dd { margin: 0; }
.note { color: var(--mute); font-size: 13.5px; }
ul.flags { padding-left: 0; list-style: none; margin: 6px 0; }
ul.flags li { padding: 6px 10px; border-left: 4px solid #e0a000; background: #fff8e6; margin: 4px 0; }
ul.flags li.skipped { border-color: #c62828; background: #fdecea; }
ul.flags li.ignored { border-color: #9aa0a6; background: var(--soft); }
code, .code { font: 12.5px/1.3 ui-monospace, "DejaVu Sans Mono", monospace; color: var(--mute); }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th { text-align: left; font-weight: 600; color: var(--mute); border-bottom: 2px solid var(--line);
  padding: 6px 8px; white-space: nowrap; }
td { border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: top; }
td.num { white-space: nowrap; font-variant-numeric: tabular-nums; }
table.settings { table-layout: fixed; }
table.settings th:nth-child(1) { width: 9.5em; }
table.settings th:nth-child(2) { width: 12.5em; }
table.settings th:nth-child(4) { width: 11.5em; }
table.settings td.setting { font-weight: 600; }
table.settings td.value { font-variant-numeric: tabular-nums; }
table.settings td.who { font-size: 13px; }
td.setting { font-weight: 600; }
table.console td, table.console th { padding: 4px 8px; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 6px;
  vertical-align: baseline; }
.origin { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 12px;
  background: #e8eef6; color: #244a75; white-space: nowrap; }
.o-prep { background: #eceff1; color: #455a64; }
.o-user { background: #fde7c8; color: #7a4100; }
.o-rough, .o-profile { background: #e4f3e6; color: #1f5f2a; }
.o-prompt { background: #efe6f7; color: #5a2d82; }
.o-none { background: #f4f4f4; color: #8a8a8a; }
.edited { display: block; color: #7a4100; font-size: 12.5px; }
article.strip { border: 1px solid var(--line); border-left: 7px solid var(--c, #888); border-radius: 6px;
  padding: 14px 18px 16px; margin: 18px 0; }
.strip-head { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; margin-bottom: 6px; }
.role { color: var(--mute); }
.measured { font-size: 13px; color: var(--mute); margin: 4px 0 10px; }
.pics, .overview { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px;
  margin-top: 14px; }
@media (max-width: 900px) { .pics, .overview { grid-template-columns: 1fr; } }
@media (max-width: 700px) { table.settings { table-layout: auto; }
  table.settings th { width: auto !important; } main { padding: 12px; }
  table.console { display: block; overflow-x: auto; } td.who code { word-break: break-all; }
  table.settings td, table.settings th { padding: 4px; } article.strip { padding: 10px 8px; }
  .origin { white-space: normal; } }
figure { margin: 0; }
figure img { display: block; width: 100%; height: auto; border: 1px solid #eceff1; border-radius: 4px; }
figcaption { font-size: 13px; color: var(--mute); margin-top: 4px; }
details summary { cursor: pointer; color: var(--accent); margin: 10px 0 6px; }
details.glossary dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; font-size: 14px; }
details.glossary dt { font-weight: 600; }
details.glossary dd { margin: 0; }
ol.priors li { margin: 4px 0; }
footer { margin-top: 40px; color: var(--mute); font-size: 13px; }
@media print { .pics, .overview { display: block; } figure { break-inside: avoid; margin-bottom: 10px; } }
"""


def _origin_cell(d: Decision | None, edited_from: str | None) -> str:
    if d is None:
        return '<span class="origin o-none">default</span>'
    who = ORIGIN_WORDS.get(d.origin, d.origin)
    if edited_from is not None and d.origin != "user":
        who = ORIGIN_WORDS["user"]
        cls = "o-user"
    else:
        cls = f"o-{_e(d.origin)}"
    rule = f'<br><code title="the rule or step that set it">{_e(d.rule)}</code>' if d.rule else ""
    return f'<span class="origin {cls}">{_e(who)}</span>{rule}'


def _settings_table(rows: list[Row]) -> str:
    out = [
        '<table class="settings"><thead><tr><th>Setting</th><th>Value</th><th>Why</th>'
        "<th>Set by</th></tr></thead><tbody>"
    ]
    for r in rows:
        why = _e(r.decision.reason) if r.decision else '<span class="note">Not a decision: as set up.</span>'
        value = _e(r.value)
        if r.edited_from is not None:
            value += f'<span class="edited">changed by hand; was {_e(r.edited_from)}</span>'
        out.append(
            f'<tr><td class="setting">{_e(r.setting)}</td><td class="value">{value}</td>'
            f'<td class="why">{why}</td><td class="who">{_origin_cell(r.decision, r.edited_from)}</td></tr>'
        )
    out.append("</tbody></table>")
    return "".join(out)


def _figure_html(pic: figures.Picture, caption: str) -> str:
    return (
        f'<figure><img src="{pic.uri}" alt="{_e(pic.alt)}" loading="eager">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _anchor(prefix: str, x: str) -> str:
    return prefix + "-" + re.sub(r"[^A-Za-z0-9_-]+", "-", x)


def _measured(t: Track) -> str:
    a = t.analysis
    bits = []
    if "active_fraction" in a:
        bits.append(f"plays {a['active_fraction']:.0%} of the time")
    if "active_lufs" in a:
        bits.append(f"{a['active_lufs']:.1f} LUFS while playing")
    if "peak_db" in a:
        bits.append(f"peak {a['peak_db']:.1f} dBFS")
    if "crest_db" in a:
        bits.append(f"peak-to-average {a['crest_db']:.1f} dB")
    if "lra_lu" in a:
        bits.append(f"loudness range {a['lra_lu']:.1f} LU")
    bits.append("stereo" if t.channels == 2 else "mono")
    return "Measured as recorded: " + ", ".join(bits) + "."


def _role_line(t: Track) -> str:
    r = t.role
    how = SIGNAL_WORDS.get(r.signal, f"from {r.signal}")
    label = ROLE_LABELS.get(r.value, r.value)
    return (
        f'<p class="role-line"><strong>Role: {_e(label)}</strong>, decided {_e(how)} '
        f"({r.confidence:.0%} sure): <span>{_e(r.reason)}</span></p>"
    )


def _printed_html(session: Session, strip: Track | Bus) -> str:
    """A line saying the DAWproject export plays this strip from its printed stem, or ""."""
    why = printed(session).get(strip.id)
    if why is None:
        return ""
    return (
        f'<p class="measured">In the DAWproject export ({_e(why)}: no DAWproject device or element a '
        f"host plays) this strip's sound is its printed stem on the track "
        f"“{_e(strip.name + PRINTED_SUFFIX)}”; the live strip stays beside it, muted, with every "
        "parameter kept.</p>"
    )


def _track_html(session: Session, n: int, t: Track, names: dict[str, str]) -> str:
    head = (
        f'<article class="strip" id="{_anchor("track", t.id)}" style="--c:{_e(t.colour)}">'
        f'<div class="strip-head"><h3>{n}. {_e(t.name)}</h3>'
        f'<span class="role">{_e(ROLE_LABELS.get(t.role.value, t.role.value))} · '
        f"{_e(names.get(t.output, t.output))} bus"
        f"{' · muted' if t.mute else ''}</span></div>"
    )
    body = [
        _role_line(t),
        f'<p class="measured">{_e(_measured(t))}</p>',
        _printed_html(session, t),
        _settings_table(strip_rows(t, names)),
    ]
    pics = track_pictures(session, t)
    if pics:
        body.append('<div class="pics">' + "".join(_figure_html(p, c) for p, c in pics) + "</div>")
    return head + "".join(body) + "</article>"


def _bus_html(session: Session, b: Bus, names: dict[str, str]) -> str:
    members = [t.name for t in session.tracks if t.output == b.id]
    sends = [t.name for t in session.tracks if any(s.bus == b.id for s in t.sends)]
    kind = {"group": "group bus", "fx": "effects return", "master": "master bus"}.get(b.kind, b.kind)
    who = ""
    if members:
        who = "Tracks: " + ", ".join(members) + "."
    elif sends:
        who = "Fed by sends from: " + ", ".join(sends) + "."
    return (
        f'<article class="strip" id="{_anchor("bus", b.id)}" style="--c:{_e(b.colour)}">'
        f'<div class="strip-head"><h3>{_e(b.name)}</h3><span class="role">{_e(kind)}</span></div>'
        + (f'<p class="measured">{_e(who)}</p>' if who else "")
        + _printed_html(session, b)
        + _settings_table(strip_rows(b, names))
        + "</article>"
    )


def _summary_html(session: Session, run: dict | None, names: dict[str, str]) -> str:
    roles = Counter(ROLE_LABELS.get(t.role.value, t.role.value) for t in session.tracks)
    groups = [b.name for b in session.buses if b.kind == "group"]
    fx = [b.name for b in session.buses if b.kind == "fx"]
    mix = session.provenance.get("mix") or {}
    facts = [
        ("Song", f"{session.name}: {_mmss(session.length_s)} ({session.length_s:.1f} s)"),
        ("Sample rate", f"{session.sample_rate / 1000:g} kHz"),
        ("Tracks", f"{len(session.tracks)}: " + ", ".join(f"{k} ×{v}" for k, v in roles.items())),
        (
            "Buses",
            "; ".join(
                x
                for x in (
                    "groups: " + ", ".join(groups) if groups else "",
                    "effects: " + ", ".join(fx) if fx else "",
                    "and the master",
                )
                if x
            ),
        ),
    ]
    if mix:
        facts.append(
            (
                "Mix loudness",
                f"{mix.get('integrated_lufs', float('nan')):.1f} LUFS integrated · true peak "
                f"{mix.get('true_peak_db', float('nan')):.1f} dBTP · sample peak "
                f"{mix.get('peak_db', float('nan')):.1f} dBFS · loudness range "
                f"{mix.get('lra_lu', float('nan')):.1f} LU",
            )
        )
    if run and isinstance(run.get("seconds"), int | float):
        facts.append(
            (
                "Time taken",
                f"{run['seconds']:.1f} s to load, analyse, decide and render"
                + (f" (faderpilot {run['faderpilot']})" if run.get("faderpilot") else ""),
            )
        )
    out = ['<dl class="facts">']
    out += [f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts]
    out.append("</dl>")
    if mix:
        out.append(
            '<p class="note">Mix loudness is measured on <code>mix.wav</code> as rendered; '
            "after editing <code>session.json</code>, re-render to update it.</p>"
        )
    edited = [
        r
        for strip in [*session.tracks, *session.buses]
        for r in strip_rows(strip, names)
        if r.edited_from is not None or (r.decision is not None and r.decision.origin == "user")
    ]
    if edited:
        out.append(
            f'<p class="note">{len(edited)} value(s) were set by hand; they are marked '
            '<span class="origin o-user">you, by hand</span> below.</p>'
        )
    flags = []
    for s in session.skipped:
        flags.append(("skipped", f"Skipped {Path(s.path).name}: {s.message}", s.code))
    for s in session.warnings:
        flags.append(("warning", f"{Path(s.path).name}: {s.message}", s.code))
    for t in session.tracks:
        if t.mute and "mute" not in t.decisions:
            flags.append(("warning", f"{t.name} is muted.", ""))
    for name in (run or {}).get("ignored", []) or []:
        flags.append(("ignored", f"Ignored {name}: not an audio file type faderpilot reads", "FP-W003"))
    out.append("<h3>Skipped and flagged</h3>")
    if flags:
        out.append('<ul class="flags">')
        for cls, text, code in flags:
            c = f' <code title="explained in docs/messages.md">[{_e(code)}]</code>' if code else ""
            out.append(f'<li class="{cls}">{_e(text)}{c}</li>')
        out.append("</ul>")
        out.append('<p class="note">Codes are explained in <code>docs/messages.md</code>.</p>')
    else:
        out.append("<p>Nothing was skipped or flagged.</p>")
    return "".join(out)


def _console_html(session: Session, names: dict[str, str]) -> str:
    out = [
        '<table class="console"><thead><tr><th>#</th><th>Track</th><th>Role</th><th>Bus</th>'
        "<th>Trim</th><th>Fader</th><th>Pan</th><th>Chain</th><th>Sends</th></tr></thead><tbody>"
    ]
    for n, t in enumerate(session.tracks, 1):
        chain = ", ".join(PROCESSOR_WORDS.get(p.kind, p.kind) for p in t.chain) or "–"
        sends = ", ".join(f"{names.get(s.bus, s.bus)} {s.level_db:g}" for s in t.sends) or "–"
        out.append(
            f'<tr><td class="num">{n}</td><td><span class="swatch" style="background:{_e(t.colour)}"></span>'
            f'<a href="#{_anchor("track", t.id)}">{_e(t.name)}</a>{" (muted)" if t.mute else ""}</td>'
            f"<td>{_e(ROLE_LABELS.get(t.role.value, t.role.value))}</td>"
            f'<td>{_e(names.get(t.output, t.output))}</td><td class="num">{fmt_db(t.trim_db)}</td>'
            f'<td class="num">{fmt_db(t.fader_db)}</td><td class="num">{_e(fmt_pan(t.pan))}</td>'
            f"<td>{_e(chain)}</td><td>{_e(sends)}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _origin_section(
    session: Session,
    names: dict[str, str],
    origin: str,
    title: str,
    intro: str,
    facts: list[tuple[str, str]],
    extra: str = "",
) -> str:
    """Rough-mix and profile sections: only when the document holds values they set."""
    items = [
        (strip.name, r)
        for strip in [*session.tracks, *session.buses]
        for r in strip_rows(strip, names)
        if r.decision is not None and r.decision.origin == origin
    ]
    if not items and not facts and not extra:
        return ""
    out = [f'<section id="{origin}"><h2>{_e(title)}</h2><p>{_e(intro)}</p>']
    if facts:
        out.append('<dl class="facts">')
        out += [f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts]
        out.append("</dl>")
    out.append(extra)
    if items:
        out.append(
            f'<details class="values"><summary>Every value that came from '
            f"{_e(ORIGIN_WORDS.get(origin, origin))} ({len(items)})</summary>"
            '<table class="console"><thead><tr><th>Strip</th><th>Setting</th><th>Value</th><th>Why</th>'
            "</tr></thead><tbody>"
        )
        for name, r in items:
            out.append(
                f'<tr><td class="setting">{_e(name)}</td><td>{_e(r.setting)}</td><td class="value">'
                f"{_e(r.value)}</td><td>{_e(r.decision.reason)}</td></tr>"
            )
        out.append("</tbody></table></details>")
    out.append("</section>")
    return "".join(out)


def _rough_parts(session: Session) -> tuple[list[tuple[str, str]], str]:
    """Facts and the rough-vs-matched-vs-improved picture and table, from provenance["rough"]
    (written by ``match`` when a rough mix was given); nothing when there was none."""
    info = session.provenance.get("rough")
    if not isinstance(info, dict):
        return [], ""
    facts = []
    if info.get("path"):
        facts.append(("Rough mix", Path(str(info["path"])).name))
    if _num(info.get("offset_s")):
        facts.append(("Offset", f"{info['offset_s'] * 1000:+.1f} ms between the rough and the stems"))
    if _num(info.get("null_db")):
        facts.append(
            (
                "How close the match is",
                f"the matched session, rendered, cancels the rough down to {info['null_db']:.1f} dB "
                "(more negative is closer)",
            )
        )
    tracks = info.get("tracks") if isinstance(info.get("tracks"), dict) else {}
    rows = [
        (t, m)
        for t in session.tracks
        if isinstance(m := tracks.get(t.id), dict) and not m.get("muted") and _num(m.get("fader_db"))
    ]
    if not rows:
        return facts, ""
    pic = figures.change_picture(
        [t.name for t, _ in rows],
        [t.colour for t, _ in rows],
        [float(m["fader_db"]) for _, m in rows],
        [t.fader_db for t, _ in rows],
        "Faders: matched to your rough vs in this mix",
        "fader (dB)",
        ("matched to your rough", "in this mix"),
        "dB",
    )
    out = [
        '<div class="pics">',
        _figure_html(
            pic,
            "Hollow: the fader that reproduces your rough; coloured: the fader in this mix. Where they "
            "differ, the table says why.",
        ),
        "</div>",
        '<table class="console"><thead><tr><th>Track</th><th>Gain in the rough</th><th>Matched fader</th>'
        "<th>This mix</th><th>Change</th><th>Why</th></tr></thead><tbody>",
    ]
    for t, m in rows:
        change = t.fader_db - float(m["fader_db"])
        d = t.decisions.get("fader_db")
        why = "Kept as in your rough." if abs(change) < 0.05 or d is None else d.reason
        gain = fmt_db(m["gain_db"]) if _num(m.get("gain_db")) else "–"
        out.append(
            f'<tr><td class="setting">{_e(t.name)}</td><td class="num">{gain}</td>'
            f'<td class="num">{fmt_db(m["fader_db"])}</td><td class="num">{fmt_db(t.fader_db)}</td>'
            f'<td class="num">{fmt_db(change)}</td><td>{_e(why)}</td></tr>'
        )
    out.append("</tbody></table>")
    return facts, "".join(out)


def _training_html(training: dict | None) -> str:
    """The learned balance: each departure with the songs it rests on, and every training song."""
    if not training:
        return ""
    out = [
        "<h3>What the balance learned, and from which songs</h3>",
        f"<p>{_e(training.get('what', ''))}. {_e(training.get('method', ''))}</p>",
        '<table class="console"><thead><tr><th>Departure</th><th>Value</th><th>Training songs</th>'
        "</tr></thead><tbody>",
    ]
    for key, v in sorted(training.get("terms", {}).items(), key=lambda kv: -term_size(kv[1])):
        value = fmt_db(v["value_db"])
        if "per_unit_of" in v:
            per_sd = fmt_db(v["db_per_sd"])
            value = f"{v['value_db']:+.2f} dB per unit of {v['per_unit_of']} ({per_sd} per sd)"
        out.append(
            f'<tr><td>{_e(key)}</td><td class="num">{_e(value)}</td><td class="num">{v["songs"]}</td></tr>'
        )
    out.append("</tbody></table>")
    for src in training.get("published", []):
        out.append(f"<p>Published figure weighted as a few songs: {_e(src)}</p>")
    songs = training.get("songs", [])
    if songs:
        out.append(
            f"<details><summary>{len(songs)} training songs (package, file, licence, SHA-256)</summary>"
            '<table class="console"><thead><tr><th>Song</th><th>Package</th><th>File</th><th>Licence</th>'
            "<th>SHA-256</th></tr></thead><tbody>"
        )
        for x in songs:
            pkg = f"{x.get('package') or ''} {x.get('package_version') or ''}".strip()
            out.append(
                f"<tr><td>{_e(x.get('id', ''))}</td><td>{_e(pkg)}</td><td>{_e(str(x.get('file', '')))}</td>"
                f"<td>{_e(str(x.get('licence', '')))}</td>"
                f"<td><code>{_e(str(x.get('sha256', ''))[:16])}…</code></td></tr>"
            )
        out.append("</tbody></table></details>")
    return "".join(out)


def _provenance_html(session: Session) -> str:
    prov = session.provenance
    out = ['<dl class="facts">']
    out.append(f"<dt>Program</dt><dd>{_e(prov.get('program', 'faderpilot'))}</dd>")
    profile = prov.get("profile")
    if not profile:
        ptxt = "none: the built-in defaults below, not learned from anyone's past sessions"
    elif isinstance(profile, dict) and "songs" in profile:
        songs = profile["songs"]
        names = ", ".join(Path(s["folder"]).name for s in songs)
        ptxt = (
            f"{profile.get('path')} (SHA-256 {str(profile.get('sha256'))[:16]}..., learned "
            f"{profile.get('learned_at')}), from {len(songs)} of your songs ({names}), "
            f"{sum(len(s.get('files', [])) for s in songs)} files, each listed with its SHA-256 in "
            f"session.json; it changed {profile.get('changed', 0)} values"
        )
    elif isinstance(profile, dict):
        ptxt = ", ".join(f"{k}: {v}" for k, v in profile.items())
    else:
        ptxt = str(profile)
    out.append(f"<dt>Profile</dt><dd>{_e(ptxt)}</dd>")
    notes = prov.get("notes") or []
    ntxt = "; ".join(n if isinstance(n, str) else json.dumps(n, ensure_ascii=False) for n in notes) or "none"
    out.append(f"<dt>Text notes</dt><dd>{_e(ntxt)}</dd>")
    for key in sorted(set(prov) - {"program", "profile", "notes", "priors", "mix", "rough", "training"}):
        v = prov[key]
        if v in (None, "", [], {}):
            continue
        text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
        out.append(f"<dt>{_e(key.replace('_', ' ').capitalize())}</dt><dd>{_e(text)}</dd>")
    pl = session.pan_law
    out.append(
        f"<dt>Pan law</dt><dd>{_e(pl.mono.replace('_', ' '))} for mono sources ({pl.center_db:g} dB per side "
        f"at centre), {_e(pl.stereo)} for stereo sources</dd>"
    )
    out.append("</dl>")
    priors = prov.get("priors") or []
    if priors:
        out.append('<h3>What the defaults rest on</h3><ol class="priors">')
        for p in priors:
            if isinstance(p, dict):
                out.append(f"<li><strong>{_e(p.get('what', ''))}</strong>: {_e(p.get('source', ''))}</li>")
            else:
                out.append(f"<li>{_e(p)}</li>")
        out.append("</ol>")
    out.append(_training_html(prov.get("training")))
    if session.history:
        out.append("<h3>Edit history</h3><ol>")
        for h in session.history:
            out.append(f"<li><code>{_e(json.dumps(h, ensure_ascii=False))}</code></li>")
        out.append("</ol>")
    out.append(
        '<h3>Source files</h3><table class="console"><thead><tr><th>File</th><th>Format</th><th>Rate</th>'
        "<th>Channels</th><th>Length</th><th>SHA-256</th></tr></thead><tbody>"
    )
    for s in session.sources:
        out.append(
            f"<tr><td>{_e(Path(s.path).name)}</td>"
            f"<td>{_e(' '.join(x for x in (s.format, s.subtype) if x))}</td>"
            f'<td class="num">{s.sample_rate / 1000:g} kHz</td><td class="num">{s.channels}</td>'
            f'<td class="num">{s.frames / max(session.sample_rate, 1):.1f} s</td>'
            f'<td><code title="{_e(s.sha256)}">{_e(s.sha256[:16])}…</code></td></tr>'
        )
    out.append("</tbody></table>")
    return "".join(out)


def build_report(session: Session, run: dict | None = None) -> str:
    """The report page for a session, as one self-contained HTML string.

    ``run`` is the mix job's ``run.json`` (seconds taken, program version, ignored files), if known.
    """
    names = {b.id: b.name for b in session.buses}
    names.update({k: v for k, v in GROUP_BUSES.items() if k not in names})
    rows, lead = level_rows(session)
    lead_name = lead.name if lead else "the loudest track"
    overview = ""
    if any(not r.muted for r in rows):
        lv = figures.levels_picture(rows, lead_name)
        st = figures.stage_picture(rows, lead_name)
        overview = (
            '<div class="overview">'
            + _figure_html(
                lv,
                "Each track's loudness while it plays, relative to the lead. Hollow grey: as the files "
                "arrived; coloured: in the mix (after trim, EQ and fader). The arrows are what the "
                "balance did.",
            )
            + _figure_html(
                st,
                "Left to right is the pan; up and down is loudness against the lead. Stereo tracks "
                "are drawn as a band across their stereo image.",
            )
            + "</div>"
        )
    sections = [
        f'<header class="page"><h1>Mix report: {_e(session.name)}</h1>'
        f'<p class="sub">What faderpilot set on every track and bus, and why. Edit '
        f"<code>session.json</code> and run <code>faderpilot report</code> to refresh this page.</p>"
        '<nav class="toc"><a href="#summary">Summary</a><a href="#levels">Levels</a>'
        '<a href="#console">Console</a><a href="#tracks">Tracks</a><a href="#buses">Buses</a>'
        '<a href="#provenance">Provenance</a><a href="#glossary">Terms</a></nav></header>',
        f'<section id="summary"><h2>Summary</h2>{_summary_html(session, run, names)}</section>',
        f'<section id="levels"><h2>Levels and placement</h2>{overview}</section>',
        f'<section id="console"><h2>Console at a glance</h2>{_console_html(session, names)}</section>',
        '<section id="tracks"><h2>Tracks, in console order</h2>'
        + "".join(_track_html(session, n, t, names) for n, t in enumerate(session.tracks, 1))
        + "</section>",
        '<section id="buses"><h2>Buses</h2>'
        + "".join(_bus_html(session, b, names) for b in session.buses)
        + "</section>",
        _origin_section(
            session,
            names,
            "rough",
            "From your rough mix",
            "The session was first fitted to the rough mix you supplied (rough vs matched), then the "
            "assistant's rules improved on it where they had reason to (matched vs this mix).",
            *_rough_parts(session),
        ),
        _origin_section(
            session,
            names,
            "profile",
            "From your profile",
            "Values where your learned taste replaced the built-in defaults.",
            [],
        ),
        f'<section id="provenance"><h2>Provenance</h2>{_provenance_html(session)}</section>',
        '<section id="glossary"><h2>Terms used here</h2><details class="glossary" open>'
        "<summary>New to these words? Short definitions.</summary><dl>"
        + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in GLOSSARY)
        + "</dl></details></section>",
        f"<footer>Written by faderpilot {_e(__version__)} from <code>session.json</code>; "
        "no audio was analysed to draw it. Spectra are the measurements stored in the session; "
        "the after-EQ curves add the exact filter responses the renderer uses.</footer>",
    ]
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Mix report: {_e(session.name)}</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(sections)}</main></body></html>\n"
    )


def read_run(out_dir: str | Path) -> dict | None:
    """The mix job's run.json, or None when it is missing or unreadable."""
    try:
        run = json.loads((Path(out_dir) / RUN_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return run if isinstance(run, dict) else None


def write_report(out_dir: str | Path, session: Session | None = None) -> Path:
    """Write OUT_DIR/report.html (atomically) from the session (default: OUT_DIR/session.json)."""
    out_dir = Path(out_dir)
    if session is None:
        session = load(out_dir / "session.json")
    path = out_dir / REPORT_NAME
    write_text_atomic(path, build_report(session, read_run(out_dir)))
    return path
