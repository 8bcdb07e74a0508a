"""Track names from stem file names: split studio naming into words, tidy it, find stereo sides.

Studio exports name files like ``KICK_IN_01.wav``, ``LeadVox_comp.wav`` or ``OH L.wav``. These
helpers turn them into display names ("Kick In", "Lead Vox Comp", "OH L") and let prep pair the
two sides of a split stereo source. ``split_words`` is also the tokenizer the role classifier uses.
"""

from __future__ import annotations

import re

#: File extensions stripped from names (audio formats a session folder may hold).
AUDIO_EXTENSIONS: frozenset[str] = frozenset(
    {
        "wav",
        "wave",
        "aif",
        "aiff",
        "aifc",
        "flac",
        "mp3",
        "ogg",
        "oga",
        "opus",
        "m4a",
        "aac",
        "caf",
        "w64",
        "rf64",
        "bwf",
        "wv",
        "sd2",
    }
)

#: Studio abbreviations written in capitals in display names, whatever case the file used.
ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "oh",
        "di",
        "bgv",
        "bv",
        "eg",
        "ag",
        "hh",
        "ft",
        "bd",
        "sn",
        "sd",
        "fx",
        "sfx",
        "efx",
        "lv",
        "ep",
        "kb",
        "vo",
        "ms",
        "lr",
        "mc",
    }
)

_LEFT = frozenset({"l", "left", "lt", "lft"})
_RIGHT = frozenset({"r", "right", "rt", "rgt"})

_NON_WORD = re.compile(r"[\W_]+")
_LETTER_DIGIT = re.compile(r"\d+|\D+")
_ZERO_PADDED = re.compile(r"0\d+")


def strip_extension(filename: str) -> str:
    """File name without directories and without a known audio extension ("Kick.wav" -> "Kick").

    Only audio extensions are removed, so a dotted name such as "Vox.Ld" keeps both words.
    """
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    if dot and stem and ext.lower() in AUDIO_EXTENSIONS:
        return stem
    return base


def _split_camel(chunk: str) -> list[str]:
    """Split one run of letters at case changes: "LeadVox" -> Lead, Vox; "BGVHarm" -> BGV, Harm.

    A capitals run followed only by a plural "s" stays whole ("BVs", "OHs").
    """
    if chunk.isupper() or chunk.islower() or len(chunk) < 2:
        return [chunk]
    if len(chunk) >= 3 and chunk.endswith("s") and chunk[:-1].isupper():
        return [chunk]
    words: list[str] = []
    start = 0
    for i in range(1, len(chunk)):
        prev, cur = chunk[i - 1], chunk[i]
        nxt = chunk[i + 1] if i + 1 < len(chunk) else ""
        boundary = (prev.islower() and cur.isupper()) or (
            prev.isupper() and cur.isupper() and nxt.islower() and chunk[i + 1 :] != "s"
        )
        if boundary:
            words.append(chunk[start:i])
            start = i
    words.append(chunk[start:])
    return words


def split_words(name: str) -> list[str]:
    """Words of a track or file name, case kept: separators, camelCase and letter/digit runs split.

    "LeadVox_comp.wav" -> [Lead, Vox, comp]; "Tom1" -> [Tom, 1]; "B3" stays whole (one letter
    and a number reads as a model or version name, not as a word and a take number).
    """
    words: list[str] = []
    for chunk in _NON_WORD.split(strip_extension(name)):
        if not chunk:
            continue
        if re.fullmatch(r"[^\W\d_]\d+", chunk):
            words.append(chunk)
            continue
        for run in _LETTER_DIGIT.findall(chunk):
            words.extend([run] if run.isdigit() else _split_camel(run))
    return words


#: A leading track number as DAWs write it ("02 ", "7_", "Audio 3 - "): up to two digits after
#: any zeros, a separator, then a letter (so "808 Kick" and "3.5 Gtr" keep their numbers).
_LEADING_NUMBER = re.compile(
    r"\s*(?:(?:audio|track|trk)[\s_\-.]*)?0*\d{1,2}\s*[\s_\-.)]\s*(?=[^\W\d_])", re.I
)


def strip_export_number(name: str) -> str:
    """The name without the track number a DAW's export puts in front of it.

    "02 SN Top.wav" -> "SN Top.wav", "08_SN Btm" -> "SN Btm", "Audio 02 - Kick" -> "Kick". Only
    a number that leads the name and is followed by a separator and more words goes; numbers
    that name a source stay ("Tom 1", "BGV 2", "2nd Vox"), and a name that is only a number
    ("Audio 02") is kept whole.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    m = _LEADING_NUMBER.match(strip_extension(base))
    return base[m.end() :] if m else base


def _display_word(word: str, shouting: bool) -> str:
    """Case one word for display; ``shouting`` means the whole name was written in capitals."""
    low = word.lower()
    if word.isdigit():
        return word
    if low in ABBREVIATIONS:
        return word.upper()
    if len(low) >= 3 and low.endswith("s") and low[:-1] in ABBREVIATIONS:
        return low[:-1].upper() + "s"
    if len(word) == 1 or re.fullmatch(r"[^\W\d_]\d+", word):
        return word.upper()
    if not shouting and word.isupper() and len(word) <= 3:
        return word
    if not shouting and len(word) >= 3 and word.endswith("s") and word[:-1].isupper():
        return word
    return word[0].upper() + word[1:].lower()


def clean_name(filename: str) -> str:
    """Display name for a stem file: "KICK_IN_01.wav" -> "Kick In", "OH L.wav" -> "OH L".

    Zero-padded take/track numbers at either end are dropped when other words remain; short
    capital abbreviations stay capitals; other words are title-cased. Never returns "".
    """
    stem = strip_extension(filename)
    words = split_words(stem)
    while len(words) > 1 and _ZERO_PADDED.fullmatch(words[-1]) and not words[-2].isdigit():
        words.pop()
    while len(words) > 1 and _ZERO_PADDED.fullmatch(words[0]) and not words[1].isdigit():
        words.pop(0)
    letters = [c for c in stem if c.isalpha()]
    shouting = bool(letters) and all(c.isupper() for c in letters)
    cleaned = " ".join(_display_word(w, shouting) for w in words)
    return cleaned or stem.strip() or filename.strip() or "Untitled"


def _side_of(word: str) -> str | None:
    """ "L" or "R" when the word is a side marker, else None."""
    low = word.lower()
    if low in _LEFT:
        return "L"
    if low in _RIGHT:
        return "R"
    return None


def side_hint(name: str) -> str | None:
    """ "L" or "R" when the name marks one side of a split stereo source ("OH L", "Piano_Right").

    Only whole words count ("Lead" is not L); a name with both sides marked gives None.
    """
    sides = {s for s in (_side_of(w) for w in split_words(name)) if s}
    return sides.pop() if len(sides) == 1 else None


def pair_key(name: str) -> str:
    """The name with its side word removed, lower-cased, so "OH L" and "OH_R.wav" share "oh".

    Prep groups tracks by this key to find the two halves of a split stereo source.
    """
    words = split_words(strip_export_number(name))
    if side_hint(name) is not None:
        words = [w for w in words if _side_of(w) is None]
    return " ".join(w.lower() for w in words)
