"""Printed groups: a session of MUSDB-style stems ("Drums", "Bass", "Other", "Vocals"), and a kit
printed to one file under a name that says nothing, prepared (and mixed) end to end.

The audio is the demo song's synthesized parts (one performance, so the kit pieces line up),
summed at equal loudness the way a producer's balance would print them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from faderpilot import demo
from faderpilot.analysis.loudness import integrated_loudness
from faderpilot.analysis.roles import RoleGuess
from faderpilot.pipeline import mix, prep
from faderpilot.prep.setup import whole_kit_sounds
from faderpilot.session.io import load, to_dict, validate

SR = 44100
SECONDS = 10.0
N = int(SR * SECONDS)


def _group(parts: dict[str, np.ndarray], rel_lu: dict[str, float] | None = None) -> np.ndarray:
    """Parts summed at equal loudness (plus ``rel_lu``), stereo, peaking at -6 dBFS."""
    rel_lu = rel_lu or {}
    out = np.zeros((2, N))
    for name, x in parts.items():
        x2 = np.broadcast_to(np.atleast_2d(x), (2, x.shape[-1]))[:, :N].astype(np.float64)
        out += x2 * 10 ** ((-23.0 + rel_lu.get(name, 0.0) - integrated_loudness(x2, SR)) / 20)
    return (0.5 * out / np.max(np.abs(out))).astype(np.float32)


def _write(folder: Path, files: dict[str, np.ndarray]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, x in files.items():
        sf.write(folder / name, np.atleast_2d(x).T, SR, subtype="PCM_24")
    return folder


def _rng(k: int) -> np.random.Generator:
    return np.random.default_rng(k)


@pytest.fixture(scope="module")
def parts() -> dict[str, np.ndarray]:
    return {
        "kick": demo.kick(SR, SECONDS, rng=_rng(1)),
        "snare": demo.snare(SR, SECONDS, rng=_rng(2)),
        "hihat": demo.hihat(SR, SECONDS, rng=_rng(3)),
        "toms": demo.toms(SR, SECONDS, rng=_rng(4)),
        "overheads": demo.overheads(SR, SECONDS, rng=_rng(5)),
        "bass": demo.bass(SR, SECONDS, rng=_rng(6)),
        "keys": demo.rhodes(SR, SECONDS, rng=_rng(7)),
        "guitar": demo.guitar(SR, SECONDS, rng=_rng(8)),
        "pad": demo.pad(SR, SECONDS, rng=_rng(9)),
        "vocal": demo.lead_vocal(SR, SECONDS, rng=_rng(10)),
    }


@pytest.fixture(scope="module")
def musdb(tmp_path_factory: pytest.TempPathFactory, parts: dict[str, np.ndarray]) -> Path:
    kit = {k: parts[k] for k in ("kick", "snare", "hihat", "toms")}
    music = {k: parts[k] for k in ("keys", "guitar", "pad")}
    return _write(
        tmp_path_factory.mktemp("musdb") / "stems",
        {
            "Drums.wav": _group(kit, {"hihat": -8.0, "toms": -4.0}),
            "Bass.wav": parts["bass"],
            "Other.wav": _group(music, {"pad": -3.0}),
            "Vocals.wav": parts["vocal"],
        },
    )


def test_musdb_stems_are_a_kit_a_bass_a_submix_and_a_vocal_on_their_buses(
    musdb: Path, tmp_path: Path
) -> None:
    result = prep(musdb, tmp_path / "out", workers=2)
    s = result.session
    got = {t.name: (t.role.value, t.role.signal, t.output) for t in s.tracks}
    assert got == {
        "Drums": ("drum_kit", "name", "drums"),
        "Bass": ("bass", "name", "bass"),
        "Other": ("submix", "name", "music"),
        "Vocals": ("lead_vocal", "name", "vocals"),
    }
    assert [t.name for t in s.tracks] == ["Drums", "Bass", "Other", "Vocals"]  # console order
    assert [b.id for b in s.buses if b.kind == "group"] == ["drums", "bass", "music", "vocals"]
    drums = next(t for t in s.tracks if t.name == "Drums")
    assert "Drums bus" in drums.decisions["output"].reason
    # the written document validates against the schema and round-trips
    d = json.loads((tmp_path / "out" / "session.json").read_text())
    validate(d, "session.json")
    assert to_dict(load(tmp_path / "out" / "session.json")) == d


def test_printed_groups_are_mixed_as_groups(musdb: Path, tmp_path: Path) -> None:
    s = mix(musdb, tmp_path / "mix", workers=2, report=False, daws=()).session
    by_role = {t.role.value: t for t in s.tracks}
    kit, other = by_role["drum_kit"], by_role["submix"]
    kinds = {p.kind for p in other.chain}
    assert "compressor" not in kinds  # a printed submix keeps its producer's dynamics
    assert not [p for t in (kit, other) for p in t.chain if p.kind == "peak"]  # no carving of a group
    assert not [x for x in other.sends if x.bus == "reverb"]  # and its own reverbs
    hpf = [p for p in kit.chain if p.kind == "highpass"]
    assert all(p.params["freq_hz"] <= 35.0 for p in hpf)  # the kick's low end stays
    assert kit.pan == 0.0 and other.pan == 0.0
    for t in (kit, other):
        for key, dec in t.decisions.items():
            assert dec.reason, (t.name, key)


def test_a_kit_printed_under_an_unhelpful_name_becomes_a_drum_kit(
    tmp_path: Path, parts: dict[str, np.ndarray]
) -> None:
    # The whole kit as one stereo file that sounds like overheads (the kick thin from above).
    stems = _write(
        tmp_path / "stems",
        {"Audio 01.wav": parts["overheads"], "Bass.wav": parts["bass"], "Vocals.wav": parts["vocal"]},
    )
    s = prep(stems, workers=2).session
    t = next(t for t in s.tracks if Path(t.source).name == "Audio 01.wav")
    assert (t.role.value, t.role.signal, t.output) == ("drum_kit", "audio", "drums")
    assert "overheads" in t.role.reason and "printed to one file" in t.role.reason


def test_with_close_mics_a_whole_kit_sound_is_another_mic_on_the_kit(
    tmp_path: Path, parts: dict[str, np.ndarray]
) -> None:
    kit = _group({k: parts[k] for k in ("kick", "snare", "hihat")}, {"hihat": -8.0})
    stems = _write(
        tmp_path / "stems",
        {
            "Audio 01.wav": parts["overheads"],  # sounds like overheads
            "Audio 02.wav": kit,  # sounds like a printed kit (full low end)
            "Kick In.wav": parts["kick"],
            "Bass.wav": parts["bass"],
        },
    )
    s = prep(stems, workers=2).session
    roles = {Path(t.source).name: (t.role.value, t.role.signal) for t in s.tracks}
    assert roles["Audio 01.wav"] == ("overheads", "audio")
    assert roles["Audio 02.wav"] == ("overheads", "audio")


def test_whole_kit_sounds_follow_the_session_and_names_are_never_overruled() -> None:
    oh_audio = RoleGuess("overheads", 0.55, "audio", "audio: a whole kit → overheads/room")
    kit_audio = RoleGuess("drum_kit", 0.6, "audio", "audio: a whole kit → drums (full kit)")
    kit_name = RoleGuess("drum_kit", 0.85, "name", "name 'Drums' reads as drums (full kit)")
    oh_name = RoleGuess("overheads", 0.95, "name", "name 'OH L' reads as overheads/room")
    bass = RoleGuess("bass", 0.95, "name", "name 'Bass' reads as bass")
    snare = RoleGuess("snare", 0.95, "name", "name 'SN' reads as snare")
    fixed = whole_kit_sounds([oh_audio, bass])
    assert [g.role for g in fixed] == ["drum_kit", "bass"]
    assert fixed[0].confidence == oh_audio.confidence and "printed to one file" in fixed[0].reason
    assert [g.role for g in whole_kit_sounds([oh_audio, snare])] == ["overheads", "snare"]
    assert [g.role for g in whole_kit_sounds([oh_audio, oh_name])] == ["overheads", "overheads"]
    miked = whole_kit_sounds([kit_audio, snare])
    assert [g.role for g in miked] == ["overheads", "snare"] and "another mic" in miked[0].reason
    assert [g.role for g in whole_kit_sounds([kit_audio, bass])] == ["drum_kit", "bass"]
    assert whole_kit_sounds([oh_name, kit_name, snare]) == [oh_name, kit_name, snare]
