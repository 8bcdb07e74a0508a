"""Session templates: the user's own names, colours, console order, bus layout and default inserts.

A template is a small JSON file (format in docs/prep.md, checked against :data:`SCHEMA`). It
is applied after the automatic setup, the way SoundFlow-style templates set up a session: what
it says wins, and every value it sets is recorded with origin "user", rule "template" and the
reason "from template <name>". :func:`capture` writes one from a session the user has edited.

Patterns (``match`` fields, ``name:`` order entries, bus ``tracks``) are case-insensitive
shell-style globs (``Kick*``, ``*Vox*``; a plain name matches exactly) or, after ``re:``,
regular expressions searched in the name (``re:^gtr_?(\\d+)``, whose groups a name rule can
use as ``\\1``).

Example
-------
>>> t = parse({"faderpilot_template": 1, "names": [{"match": "KICK_IN*", "name": "Kick In"}]})
>>> t.names[0].name
'Kick In'
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..session.io import check_schema, read_json
from ..session.model import (
    FX_ONLY,
    MASTER_ONLY,
    PROCESSOR_PARAMS,
    Bus,
    Decision,
    Processor,
    Role,
    Session,
    Track,
)
from ..session.roles import GROUP_BUSES, ROLE_BUS, ROLE_COLOURS, ROLES, console_index
from .naming import clean_name, strip_extension

FORMAT_VERSION = 1
RESERVED_BUSES = ("reverb", "delay", "master")
_COLOUR = {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"}
_PATTERN = {"type": "string", "minLength": 1}
_INSERT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "params"],
    "properties": {
        "kind": {"enum": [k for k in PROCESSOR_PARAMS if k not in FX_ONLY + MASTER_ONLY]},
        "params": {"type": "object", "additionalProperties": {"type": "number"}},
        "enabled": {"type": "boolean"},
    },
}


def _per_role_and_track(key: str, value: dict[str, Any]) -> dict[str, Any]:
    """Schema of a setting given per role (``roles``: role -> value) and per track (``tracks``:
    a list of ``{"match": pattern, key: value}``), as template colours and inserts are."""
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "roles": {
                "type": "object",
                "propertyNames": {"enum": list(ROLES)},
                "additionalProperties": value,
            },
            "tracks": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["match", key],
                    "properties": {"match": _PATTERN, key: value},
                },
            },
        },
    }


#: JSON Schema (draft 2020-12) of a template file.
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://faderpilot.dev/schema/template-1.json",
    "title": "faderpilot session template",
    "type": "object",
    "additionalProperties": False,
    "required": ["faderpilot_template"],
    "properties": {
        "faderpilot_template": {"const": FORMAT_VERSION},
        "name": {"type": "string"},
        "names": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["match"],
                "anyOf": [{"required": ["name"]}, {"required": ["role"]}],
                "properties": {
                    "match": _PATTERN,
                    "name": {"type": "string", "minLength": 1},
                    "role": {"enum": list(ROLES)},
                },
            },
        },
        "colours": _per_role_and_track("colour", _COLOUR),
        "order": {"type": "array", "items": _PATTERN},
        "buses": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "name"],
                "properties": {
                    "id": {
                        "type": "string",
                        "pattern": "^[a-z0-9][a-z0-9_-]*$",
                        "not": {"enum": list(RESERVED_BUSES)},
                    },
                    "name": {"type": "string", "minLength": 1},
                    "colour": _COLOUR,
                    "roles": {"type": "array", "items": {"enum": list(ROLES)}},
                    "tracks": {"type": "array", "items": _PATTERN},
                    "chain": {"type": "array", "items": _INSERT},
                },
            },
        },
        "inserts": _per_role_and_track("chain", {"type": "array", "items": _INSERT}),
    },
}


class TemplateError(ValueError):
    """A template that cannot be read or does not validate; the message names the file and place."""


@dataclass
class NameRule:
    match: str
    name: str | None = None
    role: str | None = None


@dataclass
class Template:
    """A parsed template (see :data:`SCHEMA`); ``label`` names it in reasons."""

    label: str = "template"
    names: list[NameRule] = field(default_factory=list)
    role_colours: dict[str, str] = field(default_factory=dict)
    track_colours: list[tuple[str, str]] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    buses: list[dict[str, Any]] | None = None
    role_inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    track_inserts: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)


def matches(pattern: str, text: str) -> re.Match | bool | None:
    """Whether a template pattern matches a name (a regex match object for ``re:`` patterns)."""
    if pattern.startswith("re:"):
        return re.search(pattern[3:], text, re.IGNORECASE)
    return fnmatch.fnmatchcase(text.lower(), pattern.lower())


def _check_inserts(chain: list[dict[str, Any]], where: str) -> None:
    for i, p in enumerate(chain):
        want = set(PROCESSOR_PARAMS[p["kind"]])
        got = set(p["params"])
        if got != want:
            missing, extra = sorted(want - got), sorted(got - want)
            parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
                [f"unknown {', '.join(extra)}"] if extra else []
            )
            raise TemplateError(
                f"{where}/{i}: a {p['kind']} takes {', '.join(sorted(want))} ({'; '.join(parts)})"
            )


def parse(d: dict[str, Any], label: str = "template", where: str = "template") -> Template:
    """Validate plain data against the schema and build a Template (TemplateError naming the place)."""
    check_schema(d, SCHEMA, TemplateError, f"{where}: invalid template")
    for pat in _patterns(d):
        if pat.startswith("re:"):
            try:
                re.compile(pat[3:])
            except re.error as e:
                raise TemplateError(f"{where}: bad regular expression {pat!r}: {e}") from None
    ins = d.get("inserts", {})
    for role, chain in ins.get("roles", {}).items():
        _check_inserts(chain, f"{where}: inserts/roles/{role}")
    for i, entry in enumerate(ins.get("tracks", [])):
        _check_inserts(entry["chain"], f"{where}: inserts/tracks/{i}/chain")
    for i, b in enumerate(d.get("buses", [])):
        _check_inserts(b.get("chain", []), f"{where}: buses/{i}/chain")
    ids = [b["id"] for b in d.get("buses", [])]
    if len(set(ids)) != len(ids):
        raise TemplateError(f"{where}: bus ids must be unique ({', '.join(ids)})")
    col = d.get("colours", {})
    return Template(
        label=d.get("name") or label,
        names=[NameRule(r["match"], r.get("name"), r.get("role")) for r in d.get("names", [])],
        role_colours=dict(col.get("roles", {})),
        track_colours=[(r["match"], r["colour"]) for r in col.get("tracks", [])],
        order=list(d.get("order", [])),
        buses=[dict(b) for b in d["buses"]] if "buses" in d else None,
        role_inserts={k: list(v) for k, v in ins.get("roles", {}).items()},
        track_inserts=[(r["match"], list(r["chain"])) for r in ins.get("tracks", [])],
    )


def _patterns(d: dict[str, Any]) -> list[str]:
    out = [r["match"] for r in d.get("names", [])]
    out += [r["match"] for r in d.get("colours", {}).get("tracks", [])]
    out += [e[5:] if e.startswith("name:") else e for e in d.get("order", [])]
    for b in d.get("buses", []):
        out += b.get("tracks", [])
    out += [r["match"] for r in d.get("inserts", {}).get("tracks", [])]
    return out


def load(path: str | Path) -> Template:
    """Read and validate a template file; it is named after the file (``my.template.json`` ->
    "my.template") unless it sets ``name``."""
    path = Path(path)
    d = read_json(path, TemplateError, "template file")
    label = path.name[:-5] if path.name.endswith(".json") else path.name
    return parse(d, label, str(path))


# ------------------------------------------------------------------------------------------
# Applying


def _why(t: Template) -> str:
    return f"From template {t.label}."


def _decide(strip: Track | Bus, param: str, value: Any, tpl: Template) -> None:
    setattr(strip, param, value)
    strip.decisions[param] = Decision(value, _why(tpl), "user", "template")


def _processors(chain: list[dict[str, Any]], strip: Track | Bus, tpl: Template) -> list[Processor]:
    out = []
    for p in chain:
        n = (
            sum(1 for q in strip.chain if q.kind == p["kind"])
            + sum(1 for q in out if q.kind == p["kind"])
            + 1
        )
        params = {k: float(v) for k, v in p["params"].items()}
        out.append(
            Processor(
                f"{p['kind']}{n}",
                p["kind"],
                params,
                p.get("enabled", True),
                Decision(dict(params), _why(tpl), "user", "template"),
            )
        )
    return out


def apply(session: Session, tpl: Template) -> list[str]:
    """Apply a template to a prepared session in place; returns one line per change made.

    Order: names and roles (matched on the file name, then the automatic name), colours by
    role then by track, inserts by role then by track, bus layout, console order (track ids are
    renumbered to follow it).
    """
    from .setup import unique_names

    done: list[str] = []
    for t in session.tracks:
        stem, auto = strip_extension(Path(t.source).name), t.name
        for rule in tpl.names:
            m = matches(rule.match, stem) or matches(rule.match, auto)
            if not m:
                continue
            if rule.name:
                new = m.expand(rule.name) if isinstance(m, re.Match) else rule.name
                if new != t.name:
                    done.append(f"'{t.name}' renamed '{new}'")
                    _decide(t, "name", new, tpl)
            if rule.role and rule.role != t.role.value:
                done.append(f"'{t.name}' is {rule.role}")
                t.role = Role(rule.role, "template", 1.0, f"set by template {tpl.label}")
                t.colour = ROLE_COLOURS[rule.role]
                t.output = ROLE_BUS[rule.role]
                t.decisions["output"] = Decision(
                    t.output,
                    f"Routed to the {GROUP_BUSES[t.output]} bus with the other {ROLE_BUS[rule.role]} parts.",
                    "prep",
                    "prep.routing",
                )
            break
    unique_names(session.tracks)

    for t in session.tracks:
        if t.role.value in tpl.role_colours:
            _decide(t, "colour", tpl.role_colours[t.role.value], tpl)
        for pat, colour in tpl.track_colours:
            if matches(pat, t.name):
                _decide(t, "colour", colour, tpl)
                break
        chain = list(tpl.role_inserts.get(t.role.value, []))
        for pat, c in tpl.track_inserts:
            if matches(pat, t.name):
                chain += c
                break
        if chain:
            t.chain.extend(_processors(chain, t, tpl))
            done.append(f"'{t.name}' gets {', '.join(p['kind'] for p in chain)}")

    if tpl.buses is not None:
        _buses(session, tpl)
        done.append(
            "bus layout: " + ", ".join(b["name"] for b in tpl.buses) if tpl.buses else "no group buses"
        )
    else:
        from .setup import make_buses

        keep = {b.id: b for b in session.buses}
        session.buses = [keep.get(b.id, b) for b in make_buses([t.role.value for t in session.tracks])]

    if tpl.order:
        _order(session, tpl)
        done.append("console order from the template")
    else:
        _order(session, Template())
    return done


def _buses(session: Session, tpl: Template) -> None:
    others = [b for b in session.buses if b.kind != "group"]
    groups = []
    for spec in tpl.buses or []:
        b = Bus(
            id=spec["id"],
            name=spec["name"],
            kind="group",
            output="master",
            colour=spec.get("colour", "#5a5a5a"),
        )
        b.decisions["output"] = Decision("master", _why(tpl), "user", "template")
        b.chain = _processors(spec.get("chain", []), b, tpl)
        groups.append((b, spec))
    for t in session.tracks:
        target = next((b for b, s in groups if any(matches(p, t.name) for p in s.get("tracks", []))), None)
        if target is None:
            target = next((b for b, s in groups if t.role.value in s.get("roles", [])), None)
        if target is None:
            t.output = "master"
            t.decisions["output"] = Decision(
                "master",
                f"From template {tpl.label}: no bus there takes this track, so it goes to the master.",
                "user",
                "template",
            )
        else:
            _decide(t, "output", target.id, tpl)
    used = {t.output for t in session.tracks}
    session.buses = [b for b, _ in groups if b.id in used] + others


def _order(session: Session, tpl: Template) -> None:
    def rank(i_t: tuple[int, Track]) -> tuple[int, int, int]:
        i, t = i_t
        for k, entry in enumerate(tpl.order):
            if entry in ROLES and not entry.startswith("name:"):
                if t.role.value == entry:
                    return (k, 0, i)
            elif matches(entry[5:] if entry.startswith("name:") else entry, t.name):
                return (k, 0, i)
        return (len(tpl.order), console_index(t.role.value), i)

    session.tracks = [t for _, t in sorted(enumerate(session.tracks), key=rank)]
    for n, t in enumerate(session.tracks, 1):
        t.id = f"t{n:02d}"


# ------------------------------------------------------------------------------------------
# Capturing


def _exact(name: str) -> str:
    """A pattern that matches exactly this name."""
    if any(c in name for c in "*?[]") or name.startswith("re:") or name.startswith("name:"):
        return "re:^" + re.escape(name) + "$"
    return name


def _user_chain(chain: list[Processor]) -> list[dict[str, Any]]:
    out = []
    for p in chain:
        if p.decision is not None and p.decision.origin != "user":
            continue
        if p.kind in FX_ONLY + MASTER_ONLY:
            continue
        d: dict[str, Any] = {"kind": p.kind, "params": dict(p.params)}
        if not p.enabled:
            d["enabled"] = False
        out.append(d)
    return out


def capture(session: Session, name: str | None = None) -> dict[str, Any]:
    """A template (plain data) that sets a new session up like this one: names that differ from
    the automatic ones (with roles the user or a template set), colours that differ from the
    role colours, the console order, the group buses with their members and chains, and the
    inserts the user added (processors with no decision or a decision of origin "user")."""
    d: dict[str, Any] = {"faderpilot_template": FORMAT_VERSION, "name": name or session.name}
    names = []
    for t in session.tracks:
        file = Path(t.source).name
        auto = clean_name(file)
        renamed = t.name != auto and not re.fullmatch(re.escape(auto) + r" \d+", t.name)
        set_role = t.role.signal in ("user", "template")
        if renamed or set_role:
            rule: dict[str, Any] = {"match": _exact(strip_extension(file))}
            if renamed:
                rule["name"] = t.name
            if set_role:
                rule["role"] = t.role.value
            names.append(rule)
    if names:
        d["names"] = names

    roles_present: dict[str, list[Track]] = {}
    for t in session.tracks:
        roles_present.setdefault(t.role.value, []).append(t)
    role_col = {}
    for role, ts in roles_present.items():
        cols = {t.colour.lower() for t in ts}
        if len(cols) == 1 and cols != {ROLE_COLOURS[role].lower()}:
            role_col[role] = ts[0].colour
    track_col = [
        {"match": _exact(t.name), "colour": t.colour}
        for t in session.tracks
        if t.role.value not in role_col and t.colour.lower() != ROLE_COLOURS[t.role.value].lower()
    ]
    if role_col or track_col:
        d["colours"] = {
            **({"roles": role_col} if role_col else {}),
            **({"tracks": track_col} if track_col else {}),
        }

    roles_in_order: list[str] = []
    for t in session.tracks:
        if t.role.value not in roles_in_order:
            roles_in_order.append(t.role.value)
    d["order"] = ["name:" + _exact(t.name) for t in session.tracks] + roles_in_order

    buses = []
    for b in session.buses:
        if b.kind != "group":
            continue
        members = [t for t in session.tracks if t.output == b.id]
        roles = [r for r, ts in roles_present.items() if ts and all(t.output == b.id for t in ts)]
        loose = [_exact(t.name) for t in members if t.role.value not in roles]
        spec: dict[str, Any] = {"id": b.id, "name": b.name, "colour": b.colour, "roles": roles}
        if loose:
            spec["tracks"] = loose
        chain = _user_chain(b.chain)
        if chain:
            spec["chain"] = chain
        buses.append(spec)
    d["buses"] = buses

    role_ins: dict[str, list[dict[str, Any]]] = {}
    for role, ts in roles_present.items():
        chains = [_user_chain(t.chain) for t in ts]
        if chains[0] and all(c == chains[0] for c in chains):
            role_ins[role] = chains[0]
    track_ins = [
        {"match": _exact(t.name), "chain": c}
        for t in session.tracks
        if t.role.value not in role_ins and (c := _user_chain(t.chain))
    ]
    if role_ins or track_ins:
        d["inserts"] = {
            **({"roles": role_ins} if role_ins else {}),
            **({"tracks": track_ins} if track_ins else {}),
        }
    parse(d, where="captured template")  # what we write must read back
    return d


def save(session: Session, path: str | Path, name: str | None = None) -> Path:
    """Capture a template from a session and write it as JSON; returns the path."""
    from ..session.io import write_text_atomic

    path = Path(path)
    d = capture(session, name)
    write_text_atomic(path, json.dumps(d, indent=2, ensure_ascii=False) + "\n")
    return path
