"""Stable message codes for everything a user can be told (explained at length in docs/messages.md).

Codes let users, tests and the report refer to a problem without matching on wording.
"""

from __future__ import annotations

#: code -> one-line text; ``{}`` fields are filled by :func:`message`.
MESSAGES: dict[str, str] = {
    "FP-E001": "not readable as audio: {}",
    "FP-E002": "empty: the file holds no audio frames",
    "FP-E003": "has {} channels; faderpilot takes mono or stereo stems",
    "FP-E004": "no audio files found in {}",
    "FP-E005": "output folder is inside the stems folder; choose another",
    "FP-W001": "resampled from {} Hz to the session rate of {} Hz",
    "FP-W002": "silent throughout (peak {:.1f} dBFS); kept on the console, muted",
    "FP-W003": "not an audio file type faderpilot reads; ignored",
    "FP-W004": "mix peak {:.1f} dBFS; master fader lowered {:.1f} dB to keep it below -1 dBFS",
}


def message(code: str, *args: object) -> str:
    """The one-line text for a code, with its fields filled."""
    return MESSAGES[code].format(*args)
