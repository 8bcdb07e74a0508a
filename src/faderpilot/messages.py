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
    "FP-E020": "the note is {} characters; a note may hold at most {}",
    "FP-E021": "'{}' asks for {:g} dB; a note moves a level or EQ by at most {:g} dB (say a smaller amount)",
    "FP-E022": "{} holds {} note(s) or edit(s) that a new mix would lose; mix into another folder, "
    "or add --force to replace them (the old session is then kept as {})",
    "FP-E023": "not a session document: the top level is {} (a JSON object is expected)",
    "FP-E024": "{} is {!r}: {}",
    "FP-E025": "request body nests deeper than {} levels; an edit or a note is flat JSON",
    "FP-E026": "request body not received: {} of {} bytes arrived within {:g} s",
    "FP-E027": "invalid session document at {}: {}",
    "FP-W060": "mix.wav peaks at {:+.1f} dBFS: the master fader was set by you ({:+.1f} dB), so the "
    "headroom step leaves it; pull it down to {:+.1f} dB for a peak of -2 dBFS",
    "FP-W061": "the session this mix replaced held {} note(s) or edit(s); it is kept beside it as {}",
    "FP-W070": "{} is missing: the printed stems' AAF was not written (mix again to print the stems)",
    "FP-W001": "resampled from {} Hz to the session rate of {} Hz",
    "FP-W002": "silent throughout (peak {:.1f} dBFS); kept on the console, muted",
    "FP-W003": "not an audio file type faderpilot reads; ignored",
    "FP-W004": "mix peak {:.1f} dBFS; master fader lowered {:.1f} dB to keep it below -1 dBFS",
    "FP-W005": "rough mix resampled from {} Hz to the session rate of {} Hz",
    "FP-W006": "rough mix is mono: gains matched, pans cannot be measured and stay centred",
    "FP-W007": "left out of the rough (contributes {:.0f} dB under it); muted, not matched",
    "FP-W008": "rough mix is {:+.2f} s longer than the stems; aligned at an offset of {:+.4f} s",
    "FP-E010": "no readable audio in {}; {}",
    "FP-W040": "too short to be a stem ({:.3f} s, under {:g} s): left at unity, not balanced{}",
    "FP-W041": "no programme: a DC offset of {:+.4f} and nothing above {:.0f} dBFS around it: left at "
    "unity, not balanced{}",
    "FP-W042": "{} not-a-number or infinite sample(s), first at {:.3f} s: read as 0 (the file is untouched)",
    "FP-W043": "peak {:+.1f} dBFS, far over full scale (a float file): read {:.1f} dB down so it peaks at "
    "full scale (the file is untouched); gain staging sets its level",
    "FP-W044": "cut off: the header promises {} frames, the file holds {} ({:.3f} s missing): read as "
    "the shorter file",
    "FP-W045": "a link that loops or leads nowhere: not read",
    "FP-W046": "a subfolder holding {} audio file(s): subfolders are not read; move the stems into "
    "the stems folder, or give the subfolder as the stems folder",
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
    "FP-W050": "the rough is limited or compressed on its master (its gain moves over {:.1f} dB{}): "
    "the balance was fitted under that gain curve; rough_match.wav has no master limiter, so it does "
    "not null as deep as the fit",
    "FP-W051": "the fit explains only {:.1f} dB of the rough (reverb, saturation or bus processing the "
    "matcher cannot model): {}; check the matched balance by ear",
    "FP-W052": "the rough does not pin down this track's {} (leaving out one stretch of the song moves "
    "it {}); {}",
    "FP-W053": "rough_match.wav nulls {:.1f} dB against the rough, {:.1f} dB less than the fit ({:.1f} "
    "dB): {}",
    "FP-W054": "{} departure(s) of {} left out of the profile: the fit of that song does not pin them "
    "down ({})",
    "FP-E030": "{}: permission denied; choose a folder you can write to, or change its permissions",
    "FP-E031": "{}: no such file or folder",
    "FP-E032": "{}: is a file where a folder is needed (is -o a file?); choose a folder",
    "FP-E033": "{}: is a folder where a file is needed",
    "FP-E034": "{}: no space left on the device; free some space or choose another folder",
    "FP-E035": "{}: on a read-only file system; choose a folder on a writable disk",
    "FP-E036": "{}: the system refused ({})",
    "FP-E037": "the {} is not UTF-8 text (byte(s) {} cannot be read); type it again or re-save it as UTF-8",
    "FP-E080": "{}: batch options file cannot be read ({})",
    "FP-E081": "{}: {} must be {}",
    "FP-E082": "{}: not a folder of songs",
    "FP-E083": "{} sits among the stems, so a mix would read it as a stem; move the stems into a "
    "stems/ folder beside it",
    "FP-E084": "no song folders in {} (a song is a folder of stems)",
    "FP-E085": "{} on worker {} holds other bytes than the shipped source; it is not overwritten "
    "(remove it or use a shared path)",
    "FP-E086": "cannot reach the Ray cluster at {}: {}; start it (docs/batch.md) or leave out --address "
    "and RAY_ADDRESS for a local Ray",
    "FP-E087": "Ray is not installed here ({}); pip install 'ray[client]', or run with --engine local",
}


def message(code: str, *args: object) -> str:
    """The one-line text for a code, with its fields filled."""
    return MESSAGES[code].format(*args)
