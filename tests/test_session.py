"""The session document: lossless JSON round trip and schema validation with clear messages."""

import json

import pytest

from faderpilot.session.io import SessionError, dumps, from_dict, load, save, to_dict, validate
from faderpilot.session.model import (
    Bus,
    Decision,
    Marker,
    Processor,
    Region,
    Role,
    Send,
    Session,
    Source,
    Track,
)


def sample() -> Session:
    t = Track(
        id="t01",
        name="Vox Ld",
        source="/stems/Vox Ld.wav",
        source_id="s01",
        role=Role("lead_vocal", "name", 0.95, "name says lead vocal"),
        channels=1,
        regions=[Region(0.0, 10.0, 0.0, 5.0, 10.0)],
        trim_db=7.5,
        fader_db=-1.2,
        pan=0.0,
        chain=[
            Processor(
                "highpass1",
                "highpass",
                {"freq_hz": 90.0, "slope_db_oct": 12.0},
                decision=Decision({"freq_hz": 90.0}, "rumble", "rules", "eq.highpass"),
            ),
            Processor(
                "compressor1",
                "compressor",
                {
                    "threshold_db": -20.0,
                    "ratio": 3.0,
                    "attack_ms": 5.0,
                    "release_ms": 120.0,
                    "makeup_db": 2.0,
                },
            ),
        ],
        output="vocals",
        sends=[Send("reverb", -12.0, Decision(-12.0, "depth", "rules", "space.depth"))],
        decisions={"fader_db": Decision(-1.2, "balance", "rules", "balance.role_targets")},
        analysis={"active_lufs": -30.5},
    )
    return Session(
        name="song",
        sample_rate=48000,
        length_s=10.0,
        sources=[Source("s01", "/stems/Vox Ld.wav", "a" * 64, 44100, 1, 441000, "WAV", "PCM_24")],
        tracks=[t],
        buses=[
            Bus("vocals", "Vocals", "group"),
            Bus("reverb", "Reverb", "fx"),
            Bus("master", "Master", "master", None),
        ],
        markers=[Marker("chorus", 4.0)],
    )


def test_round_trip_is_lossless(tmp_path):
    s = sample()
    save(s, tmp_path / "session.json")
    back = load(tmp_path / "session.json")
    assert back == s
    assert dumps(back) == dumps(s)
    d = json.loads((tmp_path / "session.json").read_text())
    assert to_dict(from_dict(d)) == d


@pytest.mark.parametrize(
    "path,value,where",
    [
        (("tracks", 0, "pan"), 1.5, "tracks/0/pan"),
        (("tracks", 0, "role", "value"), "kazoo", "tracks/0/role/value"),
        (("tracks", 0, "chain", 0, "params"), {"freq_hz": 90.0}, "tracks/0/chain/0/params"),
        (("tracks", 0, "decisions", "fader_db", "origin"), "magic", "tracks/0/decisions/fader_db/origin"),
    ],
)
def test_invalid_documents_are_refused_with_the_place(path, value, where):
    d = to_dict(sample())
    node = d
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    with pytest.raises(SessionError, match=where):
        validate(d, "x.json")


def test_unreadable_file_names_the_file(tmp_path):
    p = tmp_path / "session.json"
    p.write_text("{not json")
    with pytest.raises(SessionError, match="session.json: not valid JSON"):
        load(p)


def test_schema_role_enum_is_the_role_set_in_console_order():
    from faderpilot.session.io import schema
    from faderpilot.session.roles import ROLE_BUS, ROLE_COLOURS, ROLE_LABELS, ROLES

    enum = schema()["$defs"]["role"]["properties"]["value"]["enum"]
    assert enum == list(ROLES)
    assert set(ROLE_LABELS) == set(ROLE_BUS) == set(ROLE_COLOURS) == set(ROLES)


@pytest.mark.parametrize("role", ["drum_kit", "submix"])
def test_printed_group_roles_round_trip_and_validate(tmp_path, role):
    s = sample()
    s.tracks[0].role = Role(role, "name", 0.85, f"name says {role}")
    save(s, tmp_path / "session.json")
    d = json.loads((tmp_path / "session.json").read_text())
    validate(d, "session.json")
    assert load(tmp_path / "session.json") == s
