"""Typed processors (issue 14): one definition per kind, a registry entry for it in every view,
and a lossless round trip between the document's ``Processor`` and its typed form."""

import json
import re
from dataclasses import asdict
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest

from faderpilot.console import state
from faderpilot.export import ardour_map, dawproject, figures, reaper, reaper_jsfx, report
from faderpilot.render import chain, filters
from faderpilot.session import processors as P
from faderpilot.session.io import schema
from faderpilot.session.model import FX_ONLY, MASTER_ONLY, PROCESSOR_PARAMS, Decision, Processor

JS = Path(state.__file__).with_name("static") / "console.js"

#: One processor of each kind, with the ints and floats a hand-edited document may hold.
SAMPLES: dict[str, dict[str, float]] = {
    "highpass": {"freq_hz": 80, "slope_db_oct": 18.0},
    "lowpass": {"freq_hz": 12000.0, "slope_db_oct": 24},
    "low_shelf": {"freq_hz": 120.0, "gain_db": 2.5, "q": 0.707},
    "high_shelf": {"freq_hz": 8000.0, "gain_db": -1.5, "q": 0.9},
    "peak": {"freq_hz": 3150.0, "gain_db": -3, "q": 1.4},
    "compressor": {
        "threshold_db": -18.5,
        "ratio": 4,
        "attack_ms": 3.0,
        "release_ms": 120.0,
        "makeup_db": 2.0,
    },
    "gate": {"threshold_db": -45.0, "attack_ms": 1.0, "release_ms": 80.0, "range_db": -24.0},
    "saturation": {"drive_db": 6.0, "mix_pct": 35.0},
    "reverb": {"room_size": 0.55, "damping": 0.5, "width": 1},
    "delay": {"time_ms": 375.0, "feedback_pct": 25.0},
    "limiter": {"ceiling_db": -1.0, "release_ms": 100.0},
}


def _js_kind_class() -> set[str]:
    m = re.search(r"const KIND_CLASS = \{(.*?)\};", JS.read_text(encoding="utf-8"), re.S)
    assert m, "console.js has no KIND_CLASS table"
    return set(re.findall(r"(\w+):", m.group(1)))


#: Every view's registry: (name, its keys, the kinds it must cover).
VIEWS = [
    ("render.chain.RENDER", set(chain.RENDER), set(P.KINDS)),
    ("render.filters.SECTIONS", set(filters.SECTIONS), set(P.FILTER_KINDS)),
    ("export.ardour_map.ARDOUR", set(ardour_map.ARDOUR), set(P.KINDS)),
    ("export.dawproject.DAWPROJECT", set(dawproject.DAWPROJECT), set(P.KINDS)),
    ("export.reaper.REAPER", set(reaper.REAPER), set(P.KINDS)),
    (
        "export.reaper_jsfx.SLIDERS",
        set(reaper_jsfx.SLIDERS) - {"filter", "width"},
        set(P.KINDS) - set(P.FILTER_KINDS),
    ),
    ("export.reaper_jsfx.FILTER_ORDER", set(reaper_jsfx.FILTER_ORDER), set(P.FILTER_KINDS)),
    ("export.report.FORMAT", set(report.FORMAT), set(P.KINDS)),
    ("export.report.PROCESSOR_WORDS", set(report.PROCESSOR_WORDS), set(P.KINDS)),
    ("export.figures.LABELS", set(figures.LABELS), set(P.FILTER_KINDS)),
    ("console.state.SHORT", set(state.SHORT), set(P.KINDS)),
    ("console.js KIND_CLASS", _js_kind_class(), set(P.KINDS)),
]


def test_samples_are_the_closed_set():
    assert list(SAMPLES) == list(P.KINDS)
    assert {k: tuple(v) for k, v in SAMPLES.items()} == PROCESSOR_PARAMS


@pytest.mark.parametrize(("name", "keys", "kinds"), VIEWS, ids=[v[0] for v in VIEWS])
def test_every_kind_has_an_entry_in_every_views_registry(name, keys, kinds):
    assert keys == kinds, f"{name}: missing {sorted(kinds - keys)}, unknown {sorted(keys - kinds)}"


def test_the_document_tables_derive_from_the_dataclasses():
    assert PROCESSOR_PARAMS is P.PARAMS
    assert FX_ONLY == ("reverb", "delay") and MASTER_ONLY == ("limiter",)
    assert P.FILTER_KINDS == ("highpass", "lowpass", "low_shelf", "high_shelf", "peak")
    assert filters.FILTER_KINDS is P.FILTER_KINDS
    for kind, cls in P.KINDS.items():
        assert cls.kind == kind and cls.__name__.lower() == kind.replace("_", "")


def test_the_schema_holds_the_same_kinds_and_parameters():
    proc = schema()["$defs"]["processor"]
    assert proc["properties"]["kind"]["enum"] == list(P.KINDS)
    per_kind = {
        c["if"]["properties"]["kind"]["const"]: c["then"]["properties"]["params"] for c in proc["allOf"]
    }
    assert {k: tuple(v["required"]) for k, v in per_kind.items()} == P.PARAMS
    assert {k: tuple(v["propertyNames"]["enum"]) for k, v in per_kind.items()} == P.PARAMS


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_typed_round_trip_is_exact(kind):
    d = Decision(dict(SAMPLES[kind]), "why", "rules", "test")
    p = Processor(f"{kind}1", kind, dict(SAMPLES[kind]), False, d)
    t = p.typed()
    assert isinstance(t, P.KINDS[kind]) and t.kind == kind
    back = Processor.of(p.id, t, p.enabled, p.decision)
    assert back == p
    assert list(back.params) == list(p.params)
    assert [type(v) for v in back.params.values()] == [type(v) for v in p.params.values()]
    assert json.dumps(asdict(back)) == json.dumps(asdict(p))
    assert P.typed(kind, P.params_of(t)) == t


def test_typed_fills_defaults_and_names_what_is_wrong():
    assert P.typed("highpass", {"freq_hz": 80.0}) == P.Highpass(freq_hz=80.0, slope_db_oct=12.0)
    assert P.typed("peak", {"freq_hz": 1000.0, "gain_db": 2.0}).q == 0.707
    assert P.typed("compressor", {k: 1.0 for k in PROCESSOR_PARAMS["compressor"][:4]}).makeup_db == 0.0
    with pytest.raises(ValueError, match="a gate needs range_db"):
        P.typed("gate", {"threshold_db": -40.0, "attack_ms": 1.0, "release_ms": 50.0})
    with pytest.raises(ValueError, match="unknown processor kind 'chorus'"):
        Processor("x", "chorus", {}).typed()
    with pytest.raises(AttributeError):
        P.Peak(freq_hz=1000.0, gain_db=1.0).gain_db = 2.0  # frozen


def test_every_view_takes_every_kind():
    """Each registry's function runs on each kind's typed processor (no view is left a stub)."""
    procs = [Processor(f"{k}1", k, dict(v)) for k, v in SAMPLES.items()]
    x = (np.random.default_rng(0).standard_normal((2, 4800)) * 0.1).astype(np.float32)
    y = chain.run_chain(x, procs, 48000)
    assert y.shape == x.shape and np.all(np.isfinite(y))
    plugins = ardour_map.map_chain(procs, 48000, "track 'All'", 2, native=True)
    assert {pl.name for pl in plugins} >= {
        "ACE EQ",
        "ACE Compressor",
        "ACE Expander",
        "ACE Reverb",
        "ACE Delay",
    }
    own = {pl.name for pl in ardour_map.map_chain(procs, 48000, "track 'All'", 2)}
    assert own == {
        f"faderpilot {n}"
        for n in ("Filter", "Compressor", "Gate", "Saturation", "Reverb", "Delay", "Limiter")
    }
    devices, notes = ET.Element("Devices"), []
    dawproject._Chain("All", dawproject._Ids(), notes).build(devices, procs)
    assert [e.tag for e in devices] == [
        "Equalizer",
        "Compressor",
        "NoiseGate",
        "Device",
        "Device",
        "Device",
        "Limiter",
    ]
    for p in procs:
        path, values, label = reaper._fx_values(p)
        assert path.endswith(".jsfx") and values and label
        assert report.fmt_processor(p) and state.short_processor(p)
        if p.kind in P.FILTER_KINDS:
            assert figures._filter_label(p)[0] == p.params["freq_hz"]
