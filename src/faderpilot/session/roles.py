"""The closed set of track roles and the plain facts attached to each (label, bus, console order).

Roles are data shared by analysis (classification), prep (routing, order) and decide (targets),
so they live with the session document rather than in any one of those modules.

The role table (``ROLE_DEFAULTS``, one ``RoleDefaults`` row per role, read through ``defaults``)
holds every per-role default the assistant starts from, grouped by the rule that reads it: lead
candidacy, EQ, unmasking, compression and saturation, pan, sends and strip silence. It lives here,
not in ``decide``, because ``prep`` reads it too (strip silence) and ``decide`` already imports
``prep``: a table in ``decide`` would tie the two packages in a cycle. ``docs/decisions.md``
prints it (``role_table_markdown``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

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


@dataclass(frozen=True)
class KeyBand:
    """The band a role needs to be heard in, which unmasking keeps clear of lower-priority parts."""

    priority: int  # lower is more important
    low_hz: float
    high_hz: float
    name: str  # how a reason names the band ("presence band")


@dataclass(frozen=True)
class Eq:
    """Corrective EQ (``decide.eq.highpass``, ``decide.eq.resonances``). Engineering practice, not
    measurements of a song: each instrument's lowest useful note (the guitar's E2 at 82.4 Hz, the
    4-string bass's E1 at 41.2 Hz) and the highest a mixer would usually put a high-pass (bands
    after Kulka's chart reprinted in Owsinski, "The Mixing Engineer's Handbook")."""

    lowest_note_hz: float  # lowest plausible fundamental: peaks below it are rumble
    highpass_max_hz: float | None  # the highest a high-pass goes; None for no high-pass
    #: Look for stationary resonances; off where held notes would read as resonances (sustained
    #: chords, drones, bass lines, a printed kit's tuned kick and toms).
    hunt_resonances: bool


@dataclass(frozen=True)
class Unmask:
    """Cross-track unmasking (``decide.eq.unmask``)."""

    key_band: KeyBand | None  # the band this role is heard in, kept clear of lower-priority parts
    #: Priority when cut for masking another role's key band (lower = more important); None is
    #: never cut. A printed kit or submix is one balanced group (a cut in a kit's 1-4 kHz takes
    #: the snare's crack, in a submix's low end every part's body): its fader answers instead.
    yield_priority: int | None
    drum: bool  # a part of the drum kit: kit mics are not maskers of their own drums


@dataclass(frozen=True)
class Dynamics:
    """Compression and saturation (``decide.dynamics``)."""

    spread_target_db: float | None  # target peak-over-body spread; None leaves its dynamics alone
    harmonics: bool  # saturated when little of its energy is above 150 Hz (so small speakers read it)


@dataclass(frozen=True)
class Pan:
    """Panning (``decide.space.pan``); positions from the audience's perspective."""

    centre: bool  # a centre anchor of the mix (never spread)
    mono_low_end: bool  # if stereo, made mono so both speakers share its low end
    pair_spread: float  # how far a left/right pair by name is spread
    stack_spread: float  # how far a stack of mono parts of this role is spread
    #: Where a lone mono part goes; None alternates sides at 35 %. A printed kit or submix is the
    #: whole group, so it sits where the group's centre is.
    single_pan: float | None


@dataclass(frozen=True)
class Sends:
    """Reverb and delay sends (``decide.space.depth``), in dB; None sends nothing. The reverb sends
    are calibrated on the demo song so the lead vocal's return sits about 10 LU under the dry voice
    (Freeverb's return runs 3-7 dB hotter than what is sent, more on sparse parts whose tails fill
    the gaps)."""

    reverb_db: float | None
    delay_db: float | None


#: How silence is stripped from a role (``prep.regions`` holds the settings of each kind): close
#: mics on a kit are cut tighter and judged against the kit's bleed, sustained parts keep long
#: tails, everything else gets the plain settings.
StripKind = Literal["close_mic", "sustained", "plain"]


@dataclass(frozen=True)
class Strip:
    """Strip silence (``prep.regions``)."""

    kind: StripKind
    #: A mic on the kit whose bleed reaches the close mics. A printed kit is not: it holds the close
    #: mics' own signals, not sound bleeding into them.
    kit_mic: bool


@dataclass(frozen=True)
class RoleDefaults:
    """Every per-role default the assistant starts from, grouped by the rule that reads it."""

    melodic: bool  # may be the lead line of a song with no lead vocal (``decide.balance.choose_lead``)
    eq: Eq
    unmask: Unmask
    dynamics: Dynamics
    pan: Pan
    sends: Sends
    strip: Strip


#: The key bands unmasking keeps clear: the kick's thump, the bass's fundamentals and the lead
#: vocal's presence, in that order of priority from the vocal down.
KICK_THUMP = KeyBand(1, 45.0, 110.0, "low-end thump")
BASS_FUNDAMENTAL = KeyBand(1, 60.0, 200.0, "fundamental range")
VOCAL_PRESENCE = KeyBand(0, 1000.0, 4000.0, "presence band")

#: The role table: one row per role, in console order.
ROLE_DEFAULTS: dict[str, RoleDefaults] = {
    "kick": RoleDefaults(
        melodic=False,
        eq=Eq(lowest_note_hz=30.0, highpass_max_hz=None, hunt_resonances=False),
        unmask=Unmask(key_band=KICK_THUMP, yield_priority=None, drum=True),
        dynamics=Dynamics(spread_target_db=10.0, harmonics=False),
        pan=Pan(centre=True, mono_low_end=True, pair_spread=0.7, stack_spread=0.6, single_pan=None),
        sends=Sends(reverb_db=None, delay_db=None),
        strip=Strip(kind="close_mic", kit_mic=True),
    ),
    "snare": RoleDefaults(
        melodic=False,
        eq=Eq(lowest_note_hz=120.0, highpass_max_hz=100.0, hunt_resonances=True),
        unmask=Unmask(key_band=None, yield_priority=None, drum=True),
        dynamics=Dynamics(spread_target_db=10.0, harmonics=False),
        pan=Pan(centre=True, mono_low_end=False, pair_spread=0.7, stack_spread=0.6, single_pan=None),
        sends=Sends(reverb_db=-20.0, delay_db=None),
        strip=Strip(kind="close_mic", kit_mic=True),
    ),
    "toms": RoleDefaults(
        melodic=False,
        eq=Eq(lowest_note_hz=60.0, highpass_max_hz=60.0, hunt_resonances=True),
        unmask=Unmask(key_band=None, yield_priority=4, drum=True),
        dynamics=Dynamics(spread_target_db=12.0, harmonics=False),
        pan=Pan(centre=False, mono_low_end=False, pair_spread=0.5, stack_spread=0.5, single_pan=0.0),
        sends=Sends(reverb_db=-22.0, delay_db=None),
        strip=Strip(kind="close_mic", kit_mic=True),
    ),
    "hihat": RoleDefaults(
        melodic=False,
        eq=Eq(lowest_note_hz=200.0, highpass_max_hz=250.0, hunt_resonances=True),
        unmask=Unmask(key_band=None, yield_priority=6, drum=True),
        dynamics=Dynamics(spread_target_db=None, harmonics=False),
        pan=Pan(centre=False, mono_low_end=False, pair_spread=0.3, stack_spread=0.3, single_pan=-0.3),
        sends=Sends(reverb_db=None, delay_db=None),
        strip=Strip(kind="plain", kit_mic=True),
    ),
    "overheads": RoleDefaults(
        melodic=False,
        eq=Eq(lowest_note_hz=60.0, highpass_max_hz=80.0, hunt_resonances=True),
        unmask=Unmask(key_band=None, yield_priority=4, drum=True),
        dynamics=Dynamics(spread_target_db=None, harmonics=False),
        pan=Pan(centre=False, mono_low_end=False, pair_spread=0.8, stack_spread=0.8, single_pan=0.0),
        sends=Sends(reverb_db=-28.0, delay_db=None),
        strip=Strip(kind="plain", kit_mic=True),
    ),
    "percussion": RoleDefaults(
        melodic=False,
        eq=Eq(lowest_note_hz=120.0, highpass_max_hz=150.0, hunt_resonances=True),
        unmask=Unmask(key_band=None, yield_priority=6, drum=True),
        dynamics=Dynamics(spread_target_db=None, harmonics=False),
        pan=Pan(centre=False, mono_low_end=False, pair_spread=0.5, stack_spread=0.5, single_pan=0.4),
        sends=Sends(reverb_db=-22.0, delay_db=None),
        strip=Strip(kind="plain", kit_mic=True),
    ),
    # A printed kit: only sub-rumble goes (it holds the kick's fundamental), its tuned kick and
    # toms are not resonances, only a raw, very peaky kit is compressed (often printed through a
    # bus chain), a split stereo print goes back to full width, and it sits in the room like the
    # overheads (the kick not washed).
    "drum_kit": RoleDefaults(
        melodic=False,
        eq=Eq(lowest_note_hz=30.0, highpass_max_hz=35.0, hunt_resonances=False),
        unmask=Unmask(key_band=None, yield_priority=None, drum=True),
        dynamics=Dynamics(spread_target_db=14.0, harmonics=False),
        pan=Pan(centre=False, mono_low_end=False, pair_spread=1.0, stack_spread=1.0, single_pan=0.0),
        sends=Sends(reverb_db=-28.0, delay_db=None),
        strip=Strip(kind="plain", kit_mic=False),
    ),
    "bass": RoleDefaults(
        melodic=False,
        eq=Eq(lowest_note_hz=30.0, highpass_max_hz=None, hunt_resonances=False),
        unmask=Unmask(key_band=BASS_FUNDAMENTAL, yield_priority=None, drum=False),
        dynamics=Dynamics(spread_target_db=5.0, harmonics=True),
        pan=Pan(centre=True, mono_low_end=True, pair_spread=0.7, stack_spread=0.6, single_pan=None),
        sends=Sends(reverb_db=None, delay_db=None),
        strip=Strip(kind="sustained", kit_mic=False),
    ),
    "electric_guitar": RoleDefaults(
        melodic=True,
        eq=Eq(lowest_note_hz=80.0, highpass_max_hz=100.0, hunt_resonances=True),
        unmask=Unmask(key_band=None, yield_priority=5, drum=False),
        dynamics=Dynamics(spread_target_db=7.0, harmonics=False),
        pan=Pan(centre=False, mono_low_end=False, pair_spread=0.8, stack_spread=0.8, single_pan=None),
        sends=Sends(reverb_db=-23.0, delay_db=-24.0),
        strip=Strip(kind="sustained", kit_mic=False),
    ),
    "acoustic_guitar": RoleDefaults(
        melodic=True,
        eq=Eq(lowest_note_hz=80.0, highpass_max_hz=100.0, hunt_resonances=True),
        unmask=Unmask(key_band=None, yield_priority=5, drum=False),
        dynamics=Dynamics(spread_target_db=7.0, harmonics=False),
        pan=Pan(centre=False, mono_low_end=False, pair_spread=0.7, stack_spread=0.7, single_pan=None),
        sends=Sends(reverb_db=-21.0, delay_db=None),
        strip=Strip(kind="sustained", kit_mic=False),
    ),
    "keys": RoleDefaults(
        melodic=True,
        eq=Eq(lowest_note_hz=40.0, highpass_max_hz=60.0, hunt_resonances=False),
        unmask=Unmask(key_band=None, yield_priority=5, drum=False),
        dynamics=Dynamics(spread_target_db=8.0, harmonics=False),
        pan=Pan(centre=False, mono_low_end=False, pair_spread=0.6, stack_spread=0.6, single_pan=None),
        sends=Sends(reverb_db=-22.0, delay_db=None),
        strip=Strip(kind="sustained", kit_mic=False),
    ),
    "synth": RoleDefaults(
        melodic=True,
        eq=Eq(lowest_note_hz=50.0, highpass_max_hz=80.0, hunt_resonances=False),
        unmask=Unmask(key_band=None, yield_priority=6, drum=False),
        dynamics=Dynamics(spread_target_db=None, harmonics=False),
        pan=Pan(centre=False, mono_low_end=False, pair_spread=0.7, stack_spread=0.7, single_pan=None),
        sends=Sends(reverb_db=-20.0, delay_db=-22.0),
        strip=Strip(kind="sustained", kit_mic=False),
    ),
    "orchestral": RoleDefaults(
        melodic=True,
        eq=Eq(lowest_note_hz=60.0, highpass_max_hz=80.0, hunt_resonances=False),
        unmask=Unmask(key_band=None, yield_priority=5, drum=False),
        dynamics=Dynamics(spread_target_db=9.0, harmonics=False),
        pan=Pan(centre=False, mono_low_end=False, pair_spread=0.6, stack_spread=0.6, single_pan=None),
        sends=Sends(reverb_db=-18.0, delay_db=None),
        strip=Strip(kind="sustained", kit_mic=False),
    ),
    # A printed submix: it may hold a bass line (only infrasonic rumble goes), its chords are not
    # resonances, its dynamics and reverbs are the producer's, it is one balanced group (never cut
    # to unmask), a split print goes back to full width, and the quietest of its parts must keep
    # its tails.
    "submix": RoleDefaults(
        melodic=False,
        eq=Eq(lowest_note_hz=25.0, highpass_max_hz=30.0, hunt_resonances=False),
        unmask=Unmask(key_band=None, yield_priority=None, drum=False),
        dynamics=Dynamics(spread_target_db=None, harmonics=False),
        pan=Pan(centre=False, mono_low_end=False, pair_spread=1.0, stack_spread=1.0, single_pan=0.0),
        sends=Sends(reverb_db=None, delay_db=None),
        strip=Strip(kind="sustained", kit_mic=False),
    ),
    "lead_vocal": RoleDefaults(
        melodic=False,
        eq=Eq(lowest_note_hz=75.0, highpass_max_hz=100.0, hunt_resonances=True),
        unmask=Unmask(key_band=VOCAL_PRESENCE, yield_priority=None, drum=False),
        dynamics=Dynamics(spread_target_db=6.0, harmonics=False),
        pan=Pan(centre=True, mono_low_end=False, pair_spread=0.7, stack_spread=0.6, single_pan=None),
        sends=Sends(reverb_db=-18.0, delay_db=-18.0),
        strip=Strip(kind="sustained", kit_mic=False),
    ),
    "backing_vocals": RoleDefaults(
        melodic=False,
        eq=Eq(lowest_note_hz=90.0, highpass_max_hz=120.0, hunt_resonances=True),
        unmask=Unmask(key_band=None, yield_priority=4, drum=False),
        dynamics=Dynamics(spread_target_db=6.0, harmonics=False),
        pan=Pan(centre=False, mono_low_end=False, pair_spread=0.6, stack_spread=0.6, single_pan=None),
        sends=Sends(reverb_db=-16.0, delay_db=None),
        strip=Strip(kind="sustained", kit_mic=False),
    ),
    "fx": RoleDefaults(
        melodic=False,
        eq=Eq(lowest_note_hz=40.0, highpass_max_hz=60.0, hunt_resonances=False),
        unmask=Unmask(key_band=None, yield_priority=7, drum=False),
        dynamics=Dynamics(spread_target_db=None, harmonics=False),
        pan=Pan(centre=False, mono_low_end=False, pair_spread=0.7, stack_spread=0.7, single_pan=None),
        sends=Sends(reverb_db=-18.0, delay_db=None),
        strip=Strip(kind="sustained", kit_mic=False),
    ),
}

#: What a role not in the table gets (a centre anchor is never spread, so its pair and stack
#: spreads are these too, never read).
FALLBACK = RoleDefaults(
    melodic=False,
    eq=Eq(lowest_note_hz=40.0, highpass_max_hz=60.0, hunt_resonances=True),
    unmask=Unmask(key_band=None, yield_priority=None, drum=False),
    dynamics=Dynamics(spread_target_db=None, harmonics=False),
    pan=Pan(centre=False, mono_low_end=False, pair_spread=0.7, stack_spread=0.6, single_pan=None),
    sends=Sends(reverb_db=None, delay_db=None),
    strip=Strip(kind="plain", kit_mic=False),
)


def defaults(role: str) -> RoleDefaults:
    """The role table's row for ``role`` (``FALLBACK`` for a role not in it)."""
    return ROLE_DEFAULTS.get(role, FALLBACK)


def _cell(value: object) -> str:
    """One value as the docs table prints it."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, KeyBand):
        return f"{value.low_hz:g}-{value.high_hz:g} Hz {value.name} ({value.priority})"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _flat(row: RoleDefaults) -> dict[str, object]:
    """A row's values by dotted field name (``eq.lowest_note_hz``), in field order."""
    out: dict[str, object] = {}
    for f in fields(row):
        value = getattr(row, f.name)
        if f.name == "melodic":
            out[f.name] = value
        else:
            out.update({f"{f.name}.{g.name}": getattr(value, g.name) for g in fields(value)})
    return out


def role_table_markdown() -> str:
    """The role table as one markdown table (a column per field, the fallback row last), as
    ``docs/decisions.md`` prints it."""
    names = list(_flat(FALLBACK))
    rows = [("role", *names), ("---",) * (len(names) + 1)]
    for role, row in [*ROLE_DEFAULTS.items(), ("(other)", FALLBACK)]:
        rows.append((role, *(_cell(v) for v in _flat(row).values())))
    return "\n".join("| " + " | ".join(r) + " |" for r in rows) + "\n"
