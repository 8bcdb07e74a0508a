"""What the console page shows, built from the session document: strips in console order with
their values, compact chains, sends and the reason behind every value.

Pure data in, plain JSON-ready dicts out; the server adds what the printed stems were rendered
with (``printed``) so the page can compute exact client-side gains.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..export.report import ORIGIN_WORDS, PROCESSOR_WORDS, fmt_processor, fmt_value, strip_rows
from ..render.filters import FILTER_KINDS, chain_response_db
from ..session.model import Bus, Decision, Processor, Session, Track
from ..session.processors import BandFilter, PassFilter
from ..session.roles import ROLE_LABELS

#: Frequencies (Hz) of the small EQ curve drawn on each strip: 48 points, 20 Hz to 20 kHz.
CURVE_HZ = np.geomspace(20.0, 20000.0, 48)

#: What a value is called in the reason panel.
FIELD_LABELS = {"fader_db": "Fader", "pan": "Pan", "mute": "Mute", "output": "Goes to", "width": "Width"}


def _num(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def differs(a: Any, b: Any) -> bool:
    """Whether a decided value no longer holds (numbers compared to 1e-6, dicts key by key)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() != b.keys() or any(differs(a[k], b[k]) for k in a)
    if _num(a) and _num(b):
        return abs(float(a) - float(b)) > 1e-6
    return a != b


def why(d: Decision | None, key: str, now: Any, names: dict[str, str] | None = None) -> dict[str, Any]:
    """The reason panel's content for one value: what it is, why, and who set it, in plain words.

    A value that no longer matches its decision was edited in the file by hand, so it reads
    "you, by hand" as the report has it.
    """
    shown = fmt_value(key, now, names) if not isinstance(now, dict) else None
    if d is None:
        return {
            "value": shown,
            "reason": "No decision recorded: the value the session started with.",
            "origin": None,
            "who": "default",
            "rule": "",
            "edited_from": None,
        }
    edited = differs(d.value, now)
    origin = "user" if edited else d.origin
    return {
        "value": shown,
        "reason": d.reason,
        "origin": origin,
        "who": ORIGIN_WORDS.get(origin, origin),
        "rule": d.rule,
        "edited_from": (fmt_value(key, d.value, names) if not isinstance(d.value, dict) else "other settings")
        if edited
        else None,
    }


def _khz(f: float) -> str:
    """A frequency in as few characters as a strip has room for ("80", "1.6k", "12k")."""
    return f"{f:.0f}" if f < 1000 else f"{f / 1000:.1f}".rstrip("0").rstrip(".") + "k"


def _short_pass(name: str) -> Callable[[PassFilter], str]:
    def short(t: PassFilter) -> str:
        slope = t.slope_db_oct
        return f"{name} {_khz(t.freq_hz)}" + ("" if slope == 12 else f"/{slope:g}")

    return short


def _short_band(name: str) -> Callable[[BandFilter], str]:
    return lambda t: f"{name} {_khz(t.freq_hz)} {t.gain_db:+.1f}"


#: The console's registry, kind -> the typed processor in about 12 characters for a strip's
#: chain list ("HPF 80", "EQ 1.6k -2.0", "CMP 3:1 -20"); the full text is one click away.
SHORT: dict[str, Callable[..., str]] = {
    "highpass": _short_pass("HPF"),
    "lowpass": _short_pass("LPF"),
    "low_shelf": _short_band("LS"),
    "high_shelf": _short_band("HS"),
    "peak": _short_band("EQ"),
    "compressor": lambda t: f"CMP {t.ratio:.3g}:1 {t.threshold_db:.0f}",
    "gate": lambda t: f"GATE {t.threshold_db:g}",
    "saturation": lambda t: f"SAT {t.drive_db:.0f}dB {t.mix_pct:.0f}%",
    "reverb": lambda t: f"VERB {t.room_size:g}",
    "delay": lambda t: f"DLY {t.time_ms:g}ms",
    "limiter": lambda t: f"LIM {t.ceiling_db:g}",
}


def short_processor(p: Processor) -> str:
    """A processor in about 12 characters for the strip (``SHORT``); the full settings
    (``fmt_processor``) are one click away."""
    return SHORT[p.kind](p.typed())


def eq_curve(chain: list[Processor], sr: int) -> list[float] | None:
    """The chain's filter response in dB at :data:`CURVE_HZ` (None when it has no filters)."""
    if not any(p.enabled and p.kind in FILTER_KINDS for p in chain):
        return None
    f = np.minimum(CURVE_HZ, sr * 0.499)
    return [round(float(v), 2) for v in chain_response_db(chain, f, sr)]


def _processor(p: Processor) -> dict[str, Any]:
    return {
        "id": p.id,
        "kind": p.kind,
        "label": PROCESSOR_WORDS.get(p.kind, p.kind),
        "short": short_processor(p),
        "text": fmt_processor(p),
        "enabled": p.enabled,
        "params": dict(p.params),
        "why": why(p.decision, p.kind, dict(p.params)),
    }


def _rows(strip: Track | Bus, names: dict[str, str]) -> list[dict[str, Any]]:
    """Every setting on the strip with its reason (the report's rows, as data)."""
    out = []
    for r in strip_rows(strip, names):
        d = r.decision
        origin = "user" if r.edited_from is not None else (d.origin if d else None)
        out.append(
            {
                "setting": r.setting,
                "value": r.value,
                "reason": d.reason if d else "",
                "origin": origin,
                "who": ORIGIN_WORDS.get(origin, origin) if origin else "default",
                "edited_from": r.edited_from,
            }
        )
    return out


def _loudness(t: Track) -> dict[str, float]:
    a = t.analysis or {}
    return {k: float(a[k]) for k in ("active_lufs", "integrated_lufs", "peak_db") if _num(a.get(k))}


def strip_order(session: Session) -> list[Track | Bus]:
    """Tracks in console order, then group buses, FX returns and the master."""
    kinds = {"group": 0, "fx": 1, "master": 2}
    buses = sorted(session.buses, key=lambda b: kinds.get(b.kind, 1))
    return [*session.tracks, *buses]


def strip_view(session: Session, s: Track | Bus, names: dict[str, str]) -> dict[str, Any]:
    """One channel strip: identity, values, chain, sends and reasons."""
    is_track = isinstance(s, Track)
    fields = ("fader_db", "pan", "mute", "output") + (("width",) if is_track else ())
    out: dict[str, Any] = {
        "id": s.id,
        "type": "track" if is_track else "bus",
        "kind": "track" if is_track else s.kind,
        "name": s.name,
        "role": s.role.value if is_track else s.kind,
        "role_label": ROLE_LABELS.get(s.role.value, s.role.value)
        if is_track
        else {"group": "Group bus", "fx": "FX return", "master": "Stereo out"}.get(s.kind, s.kind),
        "colour": s.colour,
        "output": s.output,
        "output_name": names.get(s.output, s.output) if s.output else None,
        "fader_db": float(s.fader_db),
        "pan": float(s.pan),
        "mute": bool(s.mute),
        "channels": s.channels if is_track else 2,
        "width": float(s.width) if is_track else 1.0,
        "chain": [_processor(p) for p in s.chain],
        "eq": eq_curve(s.chain, session.sample_rate),
        "sends": [
            {
                "bus": x.bus,
                "bus_name": names.get(x.bus, x.bus),
                "level_db": float(x.level_db),
                "why": why(x.decision, "level_db", x.level_db),
            }
            for x in (s.sends if is_track else [])
        ],
        "why": {k: why(s.decisions.get(k), k, getattr(s, k), names) for k in fields},
        "rows": _rows(s, names),
        "loudness": _loudness(s) if is_track else {},
    }
    for k in fields:
        out["why"][k]["label"] = FIELD_LABELS[k]
    return out


def view(session: Session) -> dict[str, Any]:
    """The whole page's data from the document (the server adds printed state and status)."""
    names = {b.id: b.name for b in session.buses}
    mix = session.provenance.get("mix") or {}
    rough = session.provenance.get("rough")
    return {
        "name": session.name,
        "sample_rate": session.sample_rate,
        "length_s": session.length_s,
        "strips": [strip_view(session, s, names) for s in strip_order(session)],
        "markers": [{"name": m.name, "time_s": m.time_s} for m in session.markers],
        "curve_hz": [round(float(f), 1) for f in CURVE_HZ],
        "history": [
            {"kind": h.get("kind", ""), "note": h.get("note", ""), "changes": list(h.get("changes", []))}
            for h in session.history
        ],
        "rough": {"available": bool(rough and rough.get("path")), "offset_s": (rough or {}).get("offset_s")},
        "mix_lufs_at_mix": mix.get("integrated_lufs") if _num(mix.get("integrated_lufs")) else None,
    }
