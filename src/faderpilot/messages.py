"""Stable message codes for everything a user can be told (explained at length in docs/messages.md).

Codes let users, tests and the report refer to a problem without matching on wording. Beside
them, what every layer shares to tell a user something: the error that stops a job
(:class:`FaderpilotError`) and the progress callback (:data:`Progress`).
"""

from __future__ import annotations

from collections.abc import Callable

#: progress(stage, done, total)
Progress = Callable[[str, int, int], None]


class FaderpilotError(Exception):
    """A job that cannot go on; the message names the file or folder and the problem."""


class UnsafeDestination(FaderpilotError, ValueError):
    """An output folder that is, or is inside, a folder holding the user's sources (FP-E005)."""


def noop(stage: str, done: int, total: int) -> None:
    """A progress callback that shows nothing (the default when none is given)."""
    return None


#: code -> one-line text; ``{}`` fields are filled by :func:`message`.
MESSAGES: dict[str, str] = {
    "FP-E001": "not readable as audio: {}",
    "FP-E002": "empty: the file holds no audio frames",
    "FP-E003": "has {} channels; faderpilot takes mono or stereo stems",
    "FP-E004": "no audio files found in {}",
    "FP-E005": "output folder is inside the stems folder; choose another",
    "FP-E006": "rough mix has {} channels; faderpilot matches a mono or stereo rough",
    "FP-E007": "rough mix does not contain these stems: the best fit explains only {:.1f} dB of it "
    "(wrong song or wrong version?); not matched",
    "FP-W001": "resampled from {} Hz to the session rate of {} Hz",
    "FP-W002": "silent throughout (peak {:.1f} dBFS); kept on the console, muted",
    "FP-W003": "not an audio file type faderpilot reads; ignored",
    "FP-W004": "mix peak {:.1f} dBFS; master fader lowered {:.1f} dB to keep it below -1 dBFS",
    "FP-W005": "rough mix resampled from {} Hz to the session rate of {} Hz",
    "FP-W006": "rough mix is mono: gains matched, pans cannot be measured and stay centred",
    "FP-W007": "left out of the rough (contributes {:.0f} dB under it); muted, not matched",
    "FP-W008": "rough mix is {:+.2f} s longer than the stems; aligned at an offset of {:+.4f} s",
    "FP-W020": "DC offset {:+.4f} ({:.0f} dBFS); removed by a {:g} Hz high-pass, the file is untouched",
    "FP-W021": "{} clipped run(s) (3 or more samples stuck at full scale, longest {}), first at {:.2f} s; "
    "reported, not repaired",
    "FP-W022": "stereo file with identical channels (L - R {:.0f} dB under the signal); used as mono",
    "FP-W023": "identical audio to {}; kept on the console, muted",
    "FP-W024": "near-silent throughout (peak {:.1f} dBFS): noise only; kept on the console, muted",
    "FP-W025": "{} hard edit(s) (sound jumps to or from digital silence in one sample), first at {:.3f} s; "
    "a region edge with a short fade now sits on each",
    "FP-W026": "named as the same source as {} but the audio does not line up (correlation {:+.2f}); "
    "left as is",
    "FP-W030": "no final mix and no readable DAW session in this song folder (a mix is an audio file "
    "named mix, master, final or bounce, or any audio file beside a stems/ folder; a session is a "
    "REAPER .RPP{}); left out of the profile",
    "FP-W031": "{} candidate final mixes ({}); keep one beside the stems or name it 'mix'; left out of "
    "the profile",
    "FP-W032": "the final mix {} is not a mix of these stems: the best fit explains only {:.1f} dB of "
    "it (wrong song or version?); left out of the profile",
    "FP-W033": "{} is missing or unreadable ({}); left out of the profile",
    "FP-W034": "the REAPER session {} plays {} of these stems; at least 2 are needed; left out of the "
    "profile",
}


def message(code: str, *args: object) -> str:
    """The one-line text for a code, with its fields filled."""
    return MESSAGES[code].format(*args)
