"""The closed set of track roles and the plain facts attached to each (label, bus, console order).

Roles are data shared by analysis (classification), prep (routing, order) and decide (targets),
so they live with the session document rather than in any one of those modules.
"""

from __future__ import annotations

#: Every role a track can have, in the usual console order (drums, bass, guitars, keys,
#: other music, vocals, fx). Two roles are printed groups rather than one part: ``drum_kit``, a
#: whole kit mixed to one file ("Drums"), and ``submix``, several music parts in one file
#: ("Music", "Other", "Band"); each is treated as one balanced group, not as one microphone.
ROLES: tuple[str, ...] = (
    "kick",
    "snare",
    "toms",
    "hihat",
    "overheads",
    "percussion",
    "drum_kit",
    "bass",
    "electric_guitar",
    "acoustic_guitar",
    "keys",
    "synth",
    "orchestral",
    "submix",
    "lead_vocal",
    "backing_vocals",
    "fx",
)

ROLE_LABELS: dict[str, str] = {
    "kick": "Kick",
    "snare": "Snare",
    "toms": "Toms",
    "hihat": "Hi-hat",
    "overheads": "Overheads/room",
    "percussion": "Percussion",
    "drum_kit": "Drums (full kit)",
    "bass": "Bass",
    "electric_guitar": "Electric guitar",
    "acoustic_guitar": "Acoustic guitar",
    "keys": "Piano/keys",
    "synth": "Synth/pad",
    "orchestral": "Strings/brass/winds",
    "submix": "Submix (several parts)",
    "lead_vocal": "Lead vocal",
    "backing_vocals": "Backing vocals",
    "fx": "FX/other",
}

#: Group bus each role is routed to.
ROLE_BUS: dict[str, str] = {
    "kick": "drums",
    "snare": "drums",
    "toms": "drums",
    "hihat": "drums",
    "overheads": "drums",
    "percussion": "drums",
    "drum_kit": "drums",  # a printed kit sums with any other drum tracks, so one bus rides them all
    "bass": "bass",
    "electric_guitar": "music",
    "acoustic_guitar": "music",
    "keys": "music",
    "synth": "music",
    "orchestral": "music",
    "submix": "music",  # "Music"/"Other" stems are the accompaniment's instruments
    "lead_vocal": "vocals",
    "backing_vocals": "vocals",
    "fx": "music",
}

#: Group buses in console order, with their display names.
GROUP_BUSES: dict[str, str] = {
    "drums": "Drums",
    "bass": "Bass",
    "music": "Music",
    "vocals": "Vocals",
}

#: Track colours by role (hex), so every view of a session colours a role the same way.
ROLE_COLOURS: dict[str, str] = {
    "kick": "#d94f3d",
    "snare": "#e0663f",
    "toms": "#e5823f",
    "hihat": "#e9a23b",
    "overheads": "#d9b43c",
    "percussion": "#c9c23f",
    "drum_kit": "#c8503a",  # the drums' warm family, darker than any single kit piece
    "bass": "#4f7fd9",
    "electric_guitar": "#3fae6a",
    "acoustic_guitar": "#6cbf4a",
    "keys": "#3fb0a6",
    "synth": "#5ab3d9",
    "orchestral": "#8a7fd0",
    "submix": "#5f8f7f",  # the music family's green-blue, greyed: many parts, none in front
    "lead_vocal": "#c04fc0",
    "backing_vocals": "#d77fc9",
    "fx": "#8c8c8c",
}


def console_index(role: str) -> int:
    """Position of a role in console order (unknown roles sort last)."""
    return ROLES.index(role) if role in ROLES else len(ROLES)
