"""The session document: plain dataclasses for sources, tracks, buses, processors and decisions.

The session is the single source of truth; render, export, report and console are views of it.
Pure data: nothing here touches audio or files (see ``session.io`` for the JSON round trip).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import processors
from .processors import TypedProcessor

SCHEMA_VERSION = "1"

#: Who set a value: the assistant's rules, session prep, a rough-mix match, a learned profile,
#: a text note, or the user by hand.
ORIGINS: tuple[str, ...] = ("rules", "prep", "rough", "profile", "prompt", "user")

#: The closed processor set and the parameters (real units) each kind takes, from the typed
#: processors (``session.processors``), which define them once.
PROCESSOR_PARAMS: dict[str, tuple[str, ...]] = processors.PARAMS

#: Processors that only make sense on particular strips.
FX_ONLY: tuple[str, ...] = processors.FX_ONLY
MASTER_ONLY: tuple[str, ...] = processors.MASTER_ONLY


@dataclass
class Decision:
    """One value the assistant (or someone) set, with the sentence that justifies it."""

    value: Any
    reason: str
    origin: str = "rules"
    rule: str = ""
    #: Structured facts the sentence is made from (e.g. ``{"lead": "t07", "departures": [...]}``),
    #: so views read data, never the reason's words.
    refs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Source:
    """An original audio file, referenced by path and SHA-256; never rewritten."""

    id: str
    path: str
    sha256: str
    sample_rate: int
    channels: int
    frames: int
    format: str = ""
    subtype: str = ""


@dataclass
class Region:
    """A stretch of the source placed on the timeline (seconds), with fades in ms."""

    start_s: float
    end_s: float
    source_offset_s: float = 0.0
    fade_in_ms: float = 0.0
    fade_out_ms: float = 0.0


@dataclass
class Processor:
    """One insert: a kind from the closed set with parameters in real units."""

    id: str
    kind: str
    params: dict[str, float]
    enabled: bool = True
    decision: Decision | None = None

    def typed(self) -> TypedProcessor:
        """The parameters as this kind's typed processor (``session.processors``), which every
        view's registry takes; ValueError when the kind is unknown or a parameter missing."""
        return processors.typed(self.kind, self.params)

    @classmethod
    def of(
        cls, id: str, t: TypedProcessor, enabled: bool = True, decision: Decision | None = None
    ) -> Processor:
        """A document processor holding a typed processor's parameters (exactly, in order)."""
        return cls(id, t.kind, processors.params_of(t), enabled, decision)


@dataclass
class Send:
    """A post-fader send from a strip to an FX bus."""

    bus: str
    level_db: float
    decision: Decision | None = None


@dataclass
class Role:
    """A track's role and how it was decided (which signal, how sure)."""

    value: str
    signal: str
    confidence: float
    reason: str


@dataclass
class Track:
    """One stem on the console: source, placement, gain structure, chain, routing, reasons."""

    id: str
    name: str
    source: str
    source_id: str
    role: Role
    channels: int
    colour: str = "#8c8c8c"
    regions: list[Region] = field(default_factory=list)
    polarity_inverted: bool = False
    delay_ms: float = 0.0
    trim_db: float = 0.0
    fader_db: float = 0.0
    pan: float = 0.0
    width: float = 1.0
    mute: bool = False
    solo: bool = False
    chain: list[Processor] = field(default_factory=list)
    output: str = "master"
    sends: list[Send] = field(default_factory=list)
    decisions: dict[str, Decision] = field(default_factory=dict)
    analysis: dict[str, Any] = field(default_factory=dict)
    #: Automation lanes: ``{"param": "gain_db", "points": [[t_s, dB], ...]}`` is a dB offset on
    #: top of the fader, linear between points, holding the end values (see docs/prompt.md).
    automation: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Bus:
    """A group bus, an FX (return) bus or the master: a chain, a fader and where it goes."""

    id: str
    name: str
    kind: str  # "group" | "fx" | "master"
    output: str | None = "master"
    fader_db: float = 0.0
    pan: float = 0.0
    mute: bool = False
    colour: str = "#5a5a5a"
    chain: list[Processor] = field(default_factory=list)
    decisions: dict[str, Decision] = field(default_factory=dict)


@dataclass
class Marker:
    """A named point in time (song sections)."""

    name: str
    time_s: float


@dataclass
class Skipped:
    """An input that was not used, with a stable message code and the reason."""

    path: str
    code: str
    message: str


@dataclass
class PanLaw:
    """The pan law every renderer and exporter honours.

    ``constant_power``: a mono source at pan p in [-1, 1] gets L = cos(t), R = sin(t) with
    t = (p + 1) * pi / 4, so -3.01 dB per side at centre and 0 dB on the hard side.
    Stereo sources use ``stereo``: balance, where the channel away from the pan side is
    attenuated by the same constant-power curve and the near one stays at 0 dB.
    """

    mono: str = "constant_power"
    stereo: str = "balance"
    center_db: float = -3.01


@dataclass
class Session:
    """The whole session document."""

    name: str
    sample_rate: int
    length_s: float
    sources: list[Source] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)
    buses: list[Bus] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    pan_law: PanLaw = field(default_factory=PanLaw)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    version: str = SCHEMA_VERSION

    def bus(self, bus_id: str) -> Bus:
        """The bus with this id (KeyError naming it when absent)."""
        for b in self.buses:
            if b.id == bus_id:
                return b
        raise KeyError(f"session has no bus {bus_id!r}")

    def track(self, track_id: str) -> Track:
        """The track with this id (KeyError naming it when absent)."""
        for t in self.tracks:
            if t.id == track_id:
                return t
        raise KeyError(f"session has no track {track_id!r}")

    @property
    def master(self) -> Bus:
        """The master bus."""
        return self.bus("master")
