"""Intents to session edits, each with a Decision (origin "prompt") that quotes the note.

Sizes: an explicit number in the note wins; otherwise the scale word's dB (parse.AMOUNT_WORDS);
otherwise the per-action default below. Every edit returns one line for the summary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..session.model import Bus, Decision, Processor, Send, Session, Track
from ..session.processors import KINDS, Compressor
from .parse import DEFAULT_DB, DESCRIPTORS, Intent
from .resolve import resolve

#: Default size of a move per action when the note gives no amount (dB unless noted).
DEFAULTS: dict[str, float] = {
    "level": DEFAULT_DB,
    "eq": 2.0,
    "deess": 3.0,
    "reverb": 3.0,
    "delay": 3.0,
    "depth": 3.0,
    "compression": 3.0,
    "sustain": 3.0,
    "punch": 3.0,
}
#: A new send a note adds where a strip had none (dB).
NEW_SEND_DB = -18.0
#: A compressor a note adds where a strip had none.
NEW_COMPRESSOR = Compressor(threshold_db=-20.0, ratio=3.0, attack_ms=10.0, release_ms=120.0, makeup_db=0.0)
#: How far one step of width or pan goes: the move's dB size / 8 (1.5 dB -> 0.19, "way" -> 0.75).
WIDTH_PER_DB = 1.0 / 8.0


@dataclass
class Applied:
    """What one intent did: lines for the summary, strips it changed, whether sends changed."""

    intent: Intent
    how: str
    lines: list[str] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)
    sends_changed: bool = False


def _size(intent: Intent) -> float:
    if intent.amount is not None and intent.action not in ("pan",):
        return float(intent.amount)
    return DEFAULTS.get(intent.action, DEFAULT_DB)


def _sign(intent: Intent) -> float:
    return 1.0 if intent.direction in ("up", "right") else -1.0


def _decision(value, note: str, what: str, rule: str) -> Decision:
    return Decision(
        value=value, reason=f"note: '{note}' \u2192 {what}", origin="prompt", rule=f"prompt.{rule}"
    )


def _fx_bus(session: Session, kind: str) -> Bus | None:
    for b in session.buses:
        if b.kind == "fx" and any(p.kind == kind for p in b.chain):
            return b
    return None


def _new_id(strip: Track | Bus, kind: str) -> str:
    ids = {p.id for p in strip.chain}
    n = 1
    while f"prompt_{kind}{n}" in ids:
        n += 1
    return f"prompt_{kind}{n}"


def _octaves(a: float, b: float) -> float:
    return abs(math.log2(a / b))


def _eq_band(strip: Track | Bus, kind: str, freq: float, q: float, gain: float, note: str) -> str:
    """Add gain to a prompt band of this kind near freq (within 1/3 octave), or insert one."""
    for p in strip.chain:
        if p.id.startswith("prompt_") and p.kind == kind and _octaves(p.params["freq_hz"], freq) <= 1 / 3:
            before = p.params["gain_db"]
            p.params["gain_db"] = round(before + gain, 2)
            p.decision = _decision(
                dict(p.params), note, f"{kind} {freq:g} Hz {p.params['gain_db']:+g} dB", "eq"
            )
            return f"{kind} at {freq:g} Hz {before:+g} -> {p.params['gain_db']:+g} dB"
    band = KINDS[kind](freq_hz=float(freq), gain_db=round(gain, 2), q=float(q))
    p = Processor.of(_new_id(strip, kind), band)
    p.decision = _decision(dict(p.params), note, f"{kind} {freq:g} Hz {gain:+g} dB", "eq")
    strip.chain.append(p)
    return f"new {kind} at {_hz_text(freq)} {gain:+g} dB (Q {q:g})"


def _hz_text(freq: float) -> str:
    """A frequency as a mixer reads it: whole hertz from 100 Hz up ("6928 Hz", "80 Hz", "31.5 Hz")."""
    return f"{freq:.0f} Hz" if freq >= 100 else f"{freq:g} Hz"


def _compressor(strip: Track | Bus) -> Processor | None:
    return next((p for p in strip.chain if p.kind == "compressor" and p.enabled), None)


def _set_send(session: Session, strip: Track, kind: str, delta: float, note: str) -> str | None:
    bus = _fx_bus(session, kind)
    if bus is None:
        return None
    send = next((s for s in strip.sends if s.bus == bus.id), None)
    if send is None:
        if delta < 0:
            return f"no {kind} send to take down"
        send = Send(bus.id, NEW_SEND_DB)
        strip.sends.append(send)
        send.decision = _decision(send.level_db, note, f"new {kind} send {send.level_db:+g} dB", kind)
        return f"new send to {bus.name} at {send.level_db:+g} dB"
    before = send.level_db
    send.level_db = round(before + delta, 2)
    send.decision = _decision(send.level_db, note, f"{kind} send {delta:+g} dB", kind)
    return f"send to {bus.name} {before:+g} -> {send.level_db:+g} dB"


def _fader(strip: Track | Bus, delta: float, note: str) -> str:
    before = strip.fader_db
    strip.fader_db = round(before + delta, 2)
    strip.decisions["fader_db"] = _decision(strip.fader_db, note, f"{delta:+g} dB", "level")
    return f"fader {before:+g} -> {strip.fader_db:+g} dB"


def apply_intent(session: Session, intent: Intent, note: str, sections=None) -> Applied:
    """Apply one intent to every strip it resolves to; returns what changed and why."""
    res = resolve(intent, session)
    out = Applied(intent, res.how)
    size = _size(intent)
    sign = _sign(intent)
    if not res.strips:
        out.lines.append(f"nothing changed: {res.how}")
        return out
    if intent.action in ("reverb", "delay") and intent.target == "mix":
        return apply_fx_everywhere(session, intent, note, out, size, sign)
    if intent.section is not None:
        if intent.action != "level":
            out.lines.append(
                f"nothing changed: only level notes follow sections so far ({intent.understood})"
            )
            return out
        return apply_section_level(session, intent, res, out, note, sections)
    tracks = [s for s in res.strips if isinstance(s, Track)]
    for strip in res.strips:
        line = _one(session, strip, intent, size, sign, note, tracks, out)
        if line:
            out.lines.append(f"{strip.name}: {line}")
            if not line.startswith("nothing changed"):
                out.changed.add(strip.id)
    if not out.lines:
        out.lines.append(f"nothing changed: {intent.understood} has nothing to act on here")
    return out


def apply_fx_everywhere(session: Session, intent: Intent, note: str, out: Applied, size: float, sign: float):
    """ "less reverb on everything" (or no target at all): every send to the reverb (delay) return
    moves by the amount; with no such send, the return's own fader moves. Says which."""
    kind = intent.action
    bus = _fx_bus(session, kind)
    if bus is None:
        out.lines.append(f"nothing changed: this session has no {kind} return")
        return out
    feeding = [t for t in session.tracks if any(x.bus == bus.id for x in t.sends)]
    out.how = f"'{intent.target_words or 'no target'}' = every send to {bus.name}" + (
        f" ({len(feeding)}: {', '.join(t.name for t in feeding)})" if feeding else " (none; its return fader)"
    )
    if not feeding:
        out.lines.append(f"{bus.name}: return {_fader(bus, sign * size, note)}")
        out.changed.add(bus.id)
        return out
    for t in feeding:
        line = _set_send(session, t, kind, sign * size, note)
        if line:
            out.lines.append(f"{t.name}: {line}")
    out.sends_changed = bool(out.lines)
    return out


def apply_section_level(session: Session, intent: Intent, res, out, note: str, sections):
    """A level note over a section: gain automation on each track (see :mod:`.sections`)."""
    from .sections import add_section_gain, select  # numpy: loaded only when a note needs it

    sec = intent.section or {}
    where = select(sections or [], sec.get("name", ""), sec.get("index"))
    if not where:
        have = sorted({k for k, _, _ in sections or []})
        out.lines.append(
            f"nothing changed: no {sec.get('name')} section"
            + (f" #{sec['index']}" if sec.get("index") not in (None, -1) else "")
            + f" in this song's markers ({', '.join(have) or 'none'}); set them with `faderpilot markers`"
        )
        return out
    delta = _sign(intent) * _size(intent)
    span_txt = ", ".join(f"{a:.2f}-{b:.2f} s" for a, b in where)
    for strip in res.strips:
        if not isinstance(strip, Track):
            out.lines.append(f"{strip.name}: section moves apply to tracks only; nothing changed")
            continue
        add_section_gain(strip, where, delta)
        strip.decisions["automation"] = _decision(
            delta, note, f"{delta:+g} dB over {sec['name']} ({span_txt})", "section_level"
        )
        out.lines.append(f"{strip.name}: gain automation {delta:+g} dB over {span_txt}")
        out.changed.add(strip.id)
    return out


def _one(session, strip, intent: Intent, size, sign, note, group, out: Applied) -> str | None:
    a = intent.action
    if a in ("mute", "solo"):
        on = intent.direction == "on"
        if a == "solo" and not isinstance(strip, Track) or strip is session.master:
            return f"nothing changed: {a} applies to tracks{' and group buses' if a == 'mute' else ''} only"
        before = getattr(strip, a)
        if before == on:
            return f"nothing changed: already {'' if on else 'un'}{a}d"
        setattr(strip, a, on)
        strip.decisions[a] = _decision(on, note, f"{'' if on else 'un'}{a}", a)
        return f"{a} {'off -> on' if on else 'on -> off'}"
    if a == "level":
        return _fader(strip, sign * size, note)
    if a == "eq":
        if intent.freq is not None and not intent.descriptor:
            q = 1.0
            if intent.freq_range:
                lo, hi = intent.freq_range
                q = round(max(0.5, min(4.0, intent.freq / max(hi - lo, 1.0))), 2)
                return _eq_band(strip, "peak", intent.freq, q, sign * size, note) + (
                    f" (centre {_hz_text(intent.freq)} = geometric mean of {lo:g}-{hi:g} Hz,"
                    f" Q {q:g} from its width)"
                )
            return _eq_band(strip, "peak", intent.freq, q, sign * size, note)
        d = DESCRIPTORS[intent.descriptor]
        return _eq_band(strip, d.kind, d.freq_hz, d.q, sign * size, note)
    if a == "deess":
        return _eq_band(strip, "peak", 7000.0, 2.0, -sign * size, note) + " (static de-ess dip)"
    if a in ("highpass", "lowpass"):
        freq = intent.freq or (80.0 if a == "highpass" else 12000.0)
        for p in strip.chain:
            if p.kind == a:
                before = p.params["freq_hz"]
                p.params["freq_hz"] = float(freq)
                p.decision = _decision(dict(p.params), note, f"{a} at {freq:g} Hz", a)
                return f"{a} {before:g} -> {freq:g} Hz"
        p = Processor.of(_new_id(strip, a), KINDS[a](freq_hz=float(freq), slope_db_oct=12.0))
        p.decision = _decision(dict(p.params), note, f"{a} at {freq:g} Hz", a)
        # a high-pass goes first in the chain, a low-pass last
        strip.chain.insert(0, p) if a == "highpass" else strip.chain.append(p)
        return f"new {a} at {freq:g} Hz, 12 dB/oct"
    if a in ("reverb", "delay", "depth"):
        if not isinstance(strip, Track):
            return None
        kind = "reverb" if a == "depth" else a
        delta = sign * size if a != "depth" else -sign * size
        line = _set_send(session, strip, kind, delta, note)
        if line is None:
            return None
        out.sends_changed = True
        if a == "depth":
            line += "; " + _fader(strip, sign * 1.0, note)
        return line
    if a in ("compression", "punch", "sustain"):
        c = _compressor(strip)
        new = c is None
        if new:
            if sign < 0 and a == "compression":
                return "no compressor to ease off"
            c = Processor.of(_new_id(strip, "compressor"), NEW_COMPRESSOR)
            strip.chain.append(c)
        before = dict(c.params)
        q = c.params
        if a == "compression":
            q["threshold_db"] = round(q["threshold_db"] - sign * size, 2)
            q["ratio"] = round(max(1.0, q["ratio"] + sign * 0.5), 2)
        elif a == "punch":
            q["attack_ms"] = 30.0 if sign > 0 else 3.0
            q["ratio"] = max(q["ratio"], 4.0) if sign > 0 else q["ratio"]
        else:
            q["attack_ms"] = 1.0 if sign > 0 else max(q["attack_ms"], 20.0)
            q["release_ms"] = 250.0 if sign > 0 else q["release_ms"]
            q["threshold_db"] = round(q["threshold_db"] - sign * size, 2)
            q["makeup_db"] = round(max(0.0, q["makeup_db"] + sign * size / 2), 2)
        changes = ", ".join(f"{k} {before[k]:g} -> {q[k]:g}" for k in q if q[k] != before[k])
        c.decision = _decision(dict(q), note, f"compressor {changes}", a)
        return ("new compressor: " if new else "compressor ") + (changes or "unchanged")
    if a == "width":
        step = size * WIDTH_PER_DB * sign
        if isinstance(strip, Track) and strip.channels > 1:
            before = strip.width
            strip.width = round(min(1.0, max(0.0, before + step)), 3)
            if strip.width == before:
                return None
            strip.decisions["width"] = _decision(strip.width, note, f"width {strip.width:g}", "width")
            return f"width {before:g} -> {strip.width:g}"
        if isinstance(strip, Track):
            mono = [t for t in group if t.channels == 1]
            before = strip.pan
            if abs(before) > 0.01:
                strip.pan = round(max(-1.0, min(1.0, before * (1 + step / max(abs(before), 0.1)))), 3)
            elif len(mono) >= 2 and sign > 0:
                side = -1 if mono.index(strip) % 2 == 0 else 1
                strip.pan = round(side * min(1.0, 0.25 + abs(step)), 3)
            elif sign < 0:
                return None
            else:
                return None
            strip.decisions["pan"] = _decision(strip.pan, note, f"pan {strip.pan:+g}", "width")
            return f"pan {before:+g} -> {strip.pan:+g} (mono track: width by panning)"
        return None
    if a == "pan":
        if intent.direction == "centre":
            target = 0.0
        elif intent.amount is not None and intent.explicit:
            target = sign * min(100.0, intent.amount) / 100.0
        else:
            step = (intent.amount if intent.amount is not None else DEFAULT_DB) * WIDTH_PER_DB * 2
            target = max(-1.0, min(1.0, strip.pan + sign * step))
        before = strip.pan
        strip.pan = round(target, 3)
        strip.decisions["pan"] = _decision(strip.pan, note, f"pan {strip.pan:+g}", "pan")
        return f"pan {before:+g} -> {strip.pan:+g}"
    return None
