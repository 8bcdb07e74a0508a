"""Mix notes in plain language to intents: a lexicon and a small grammar, no model, no network.

``parse("vocal up a touch in the chorus")`` returns one :class:`Intent` per instruction in the
line (several notes may share a line: "vocal up, less reverb on the snare"). Each intent says
what was understood: a target (a canonical group such as ``lead_vocal`` or ``drums``, or a
track name), an action (``level``, ``eq``, ``highpass``, ``lowpass``, ``compression``,
``punch``, ``sustain``, ``deess``, ``reverb``, ``delay``, ``depth``, ``width``, ``pan``), a
direction (``up``/``down``; ``left``/``right``/``centre`` for pan), an amount (dB, or the
scale word's dB, see :data:`AMOUNT_WORDS`), a frequency where one applies, and a section.

A clause with no recognisable mix action ("love it!", "needs more vibe") yields no intent, so
the caller answers "not understood" instead of guessing. Typos are corrected by fuzzy matching
(difflib) against the vocabulary below, only for words of four letters or more that are not
English words the grammar already knows.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field

try:  # edit distance: rapidfuzz when installed (a dependency), difflib otherwise
    from rapidfuzz import fuzz as _fuzz
    from rapidfuzz import process as _process
except ImportError:  # pragma: no cover
    _fuzz = _process = None

_ENGLISH: set[str] | None = None


def _is_english(word: str) -> bool:
    """Whether a word (or its stem without -s/-es/-ed/-ing/-er/-ly) is in both Webster's 2nd
    International and GCIDE word lists (the ``english-words`` package, MIT; both, so that rare
    words such as "widder" still count as typos): such words are never "corrected" into the
    vocabulary ("leave" is not a typo of "level", nor "almost" of "lost")."""
    global _ENGLISH
    if _ENGLISH is None:
        try:
            from english_words import get_english_words_set

            _ENGLISH = get_english_words_set(["web2"], lower=True, alpha=True) & get_english_words_set(
                ["gcide"], lower=True, alpha=True
            )
        except ImportError:  # pragma: no cover - a dependency; without it every word is a candidate
            _ENGLISH = set()
    w = word.lower().replace("'", "")
    if w in _ENGLISH:
        return True
    for suffix, add in (
        ("ing", ""),
        ("ing", "e"),
        ("ed", ""),
        ("ed", "e"),
        ("es", ""),
        ("s", ""),
        ("er", ""),
        ("er", "e"),
        ("ly", ""),
        ("ies", "y"),
        ("ied", "y"),
        ("nt", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            base = w[: -len(suffix)] + add
            if base in _ENGLISH or (len(base) > 3 and base[-1] == base[-2] and base[:-1] in _ENGLISH):
                return True
    return False


# ---------------------------------------------------------------------------------------------
# Amounts: words to dB (the documented scale in docs/prompt.md); explicit numbers always win.

#: Scale words and their size in dB for level, EQ and send moves.
AMOUNT_WORDS: dict[str, float] = {
    "a hair": 0.5,
    "a tiny bit": 0.5,
    "a smidge": 0.5,
    "a smidgen": 0.5,
    "a tad": 0.5,
    "a teeny bit": 0.5,
    "barely": 0.5,
    "a nudge": 0.5,
    "a touch": 1.0,
    "a little bit": 1.0,
    "a little": 1.0,
    "slightly": 1.0,
    "a bit": 2.0,
    "some": 2.0,
    "a few db": 3.0,
    "a fair bit": 3.0,
    "noticeably": 3.0,
    "quite a bit": 4.0,
    "a lot": 4.0,
    "lots": 4.0,
    "loads": 4.0,
    "much": 4.0,
    "heaps": 4.0,
    "a ton": 6.0,
    "tons": 6.0,
    "way": 6.0,
    "massively": 6.0,
    "hugely": 6.0,
    "seriously": 6.0,
}
#: Size of a move when the note gives neither a number nor a scale word.
DEFAULT_DB = 1.5

# ---------------------------------------------------------------------------------------------
# Targets: phrases people use -> canonical target. Longer phrases are matched first.

TARGET_WORDS: dict[str, str] = {
    "lead vocals": "lead_vocal",
    "lead vocal": "lead_vocal",
    "lead vox": "lead_vocal",
    "lead singer": "lead_vocal",
    "main vocal": "lead_vocal",
    "main vox": "lead_vocal",
    "vocal": "lead_vocal",
    "vox": "lead_vocal",
    "voice": "lead_vocal",
    "singer": "lead_vocal",
    "singing": "lead_vocal",
    "lead": "lead_vocal",
    "lv": "lead_vocal",
    "ld vox": "lead_vocal",
    "backing vocals": "backing_vocals",
    "backing vocal": "backing_vocals",
    "backing vox": "backing_vocals",
    "background vocals": "backing_vocals",
    "background vox": "backing_vocals",
    "backups": "backing_vocals",
    "backup vocals": "backing_vocals",
    "backup vocal": "backing_vocals",
    "backup singers": "backing_vocals",
    "bgvs": "backing_vocals",
    "bgv": "backing_vocals",
    "bvs": "backing_vocals",
    "bvox": "backing_vocals",
    "harmonies": "backing_vocals",
    "harmony": "backing_vocals",
    "backings": "backing_vocals",
    "oohs": "backing_vocals",
    "vocals": "vocals",
    "all the vocals": "vocals",
    "vocal tracks": "vocals",
    "vocal mics": "vocals",
    "vocal parts": "vocals",
    "vocal stems": "vocals",
    "vocal channels": "vocals",
    "vocal takes": "vocals",
    "all vocals": "vocals",
    "drums": "drums",
    "drum": "drums",
    "kit": "drums",
    "drum kit": "drums",
    "drumkit": "drums",
    "full kit": "drums",
    "drum bus": "drums",
    "kick drum": "kick",
    "bass drum": "kick",
    "kick": "kick",
    "kik": "kick",
    "bd": "kick",
    "snare drum": "snare",
    "snare top": "snare",
    "snare bottom": "snare",
    "snare bot": "snare",
    "top snare": "snare",
    "bottom snare": "snare",
    "snare": "snare",
    "snares": "snare",
    "sn": "snare",
    "toms": "toms",
    "tom": "toms",
    "hi hat": "hihat",
    "hi-hat": "hihat",
    "hihat": "hihat",
    "hi hats": "hihat",
    "hi-hats": "hihat",
    "hihats": "hihat",
    "hats": "hihat",
    "hat": "hihat",
    "hh": "hihat",
    "overheads": "overheads",
    "overhead": "overheads",
    "ohs": "overheads",
    "oh": "overheads",
    "room mics": "overheads",
    "rooms": "overheads",
    "cymbals": "cymbals",
    "cymbal": "cymbals",
    "percussion": "percussion",
    "perc": "percussion",
    "shaker": "percussion",
    "tambourine": "percussion",
    "tamb": "percussion",
    "congas": "percussion",
    "bass guitar": "bass",
    "lead guitar": "guitars",
    "lead guitars": "guitars",
    "rhythm guitar": "guitars",
    "rhythm guitars": "guitars",
    "bass di": "bass",
    "bass": "bass",
    "bassline": "bass",
    "bass line": "bass",
    "808 kick": "kick",
    "808 bass": "bass",
    "808s": "bass",
    "808": "bass",  # the tuned 808 sub, the bass of a trap or hip-hop mix (as analysis.roles reads "808")
    "sub bass": "low_end",
    "sub-bass": "low_end",
    "bass frequencies": "low_end",
    "low end": "low_end",
    "bottom end": "low_end",
    "the bottom": "low_end",
    "guitars": "guitars",
    "guitar": "guitars",
    "gtrs": "guitars",
    "gtr": "guitars",
    "geetars": "guitars",
    "electric guitar": "electric_guitar",
    "electric guitars": "electric_guitar",
    "electrics": "electric_guitar",
    "acoustic guitar": "acoustic_guitar",
    "acoustic guitars": "acoustic_guitar",
    "acoustic": "acoustic_guitar",
    "acoustics": "acoustic_guitar",
    "keys": "keys",
    "keyboards": "keys",
    "keyboard": "keys",
    "piano": "keys",
    "pianos": "keys",
    "rhodes": "keys",
    "organ": "keys",
    "wurli": "keys",
    "synth": "synth",
    "synths": "synth",
    "pluck": "synth",
    "plucks": "synth",
    "arp": "synth",
    "arps": "synth",
    "arpeggio": "synth",
    "pad": "synth",
    "pads": "synth",
    "strings": "orchestral",
    "sax": "orchestral",
    "saxophone": "orchestral",
    "flute": "orchestral",
    "trumpet": "orchestral",
    "vocs": "vocals",
    "horns": "orchestral",
    "brass": "orchestral",
    "horn": "orchestral",
    "the band": "music",
    "instruments": "music",
    "the music": "music",
    "submix": "music",
    "submixes": "music",
    "music stem": "music",
    "other stem": "music",
    "backing track": "music",
    "accompaniment": "music",
    "everything": "mix",
    "the mix": "mix",
    "whole mix": "mix",
    "overall mix": "mix",
    "the whole thing": "mix",
    "the track": "mix",
    "the song": "mix",
    "master": "mix",
    "the mastering": "mix",  # "the mastering is too loud": the whole mix as delivered
    "the master": "mix",
    # more names mixers use for the same parts (genre words, section names, other instruments)
    "synth bass": "bass",
    "bass synth": "bass",
    "background singers": "backing_vocals",
    "background singer": "backing_vocals",
    "backing singers": "backing_vocals",
    "backing singer": "backing_vocals",
    "backup singer": "backing_vocals",
    "bg vocals": "backing_vocals",
    "bg vox": "backing_vocals",
    "dialogue": "lead_vocal",
    "dialog": "lead_vocal",
    "voice-over": "lead_vocal",
    "voiceover": "lead_vocal",
    "narration": "lead_vocal",
    "adlibs": "backing_vocals",
    "ad-libs": "backing_vocals",
    "ad libs": "backing_vocals",
    "vocal doubles": "backing_vocals",
    "doubles": "backing_vocals",
    "vocal harmonies": "backing_vocals",
    "harmony vocals": "backing_vocals",
    "choir": "backing_vocals",
    "topline": "lead_vocal",
    "top line": "lead_vocal",
    "rhythm section": "rhythm_section",
    "instrumentals": "music",
    "music": "music",
    "background music": "music",
    "music bed": "music",
    "the beat": "music",
    "the instrumental": "music",
    "clarinet": "orchestral",
    "violin": "orchestral",
    "violins": "orchestral",
    "viola": "orchestral",
    "cello": "orchestral",
    "cellos": "orchestral",
    "trombone": "orchestral",
    "tuba": "orchestral",
    "oboe": "orchestral",
    "bassoon": "orchestral",
    "woodwinds": "orchestral",
    "string section": "orchestral",
    "orchestra": "orchestral",
    "guiro": "percussion",
    "bongos": "percussion",
    "claps": "percussion",
    "clap": "percussion",
    "handclaps": "percussion",
    "crash cymbal": "cymbals",
    "ride cymbal": "cymbals",
    "crashes": "cymbals",
    "hammond": "keys",
    "clav": "keys",
    "electric piano": "keys",
    "grand piano": "keys",
}


def _plural_forms() -> dict[str, str]:
    """Plurals of the target words people write in either number ("kick drums", "voices",
    "organs"); a plural of the lead voice's words means the voices, not the one lead."""
    out: dict[str, str] = {}
    for phrase, canon in TARGET_WORDS.items():
        last = phrase.split()[-1]
        if (
            canon in ("mix", "low_end")
            or phrase.startswith("the ")
            or len(last) < 4
            or not last.isalpha()
            or last.endswith(("s", "x", "y", "ing", "ion"))
            or last in ("lead", "perc", "wurli", "music", "band", "bottom")
        ):
            continue
        plural = phrase + "s"
        if plural not in TARGET_WORDS:
            out[plural] = "vocals" if canon == "lead_vocal" and " " not in phrase else canon
    return out


TARGET_WORDS.update(_plural_forms())
# a player named for the part played ("the drummer is too loud", "the bassist needs more low end"):
# the part; added after the plurals, so "drummers" in general ("a tool most drummers use") is not
TARGET_WORDS.update(
    {
        "vocalist": "lead_vocal",
        "lead vocalist": "lead_vocal",
        "bassist": "bass",
        "bass player": "bass",
        "drummer": "drums",
        "guitarist": "guitars",
        "guitar player": "guitars",
        "lead guitarist": "electric_guitar",
        "rhythm guitarist": "guitars",
        "pianist": "keys",
        "piano player": "keys",
        "keyboardist": "keys",
        "keyboard player": "keys",
        "keys player": "keys",
        "organist": "keys",
        "percussionist": "percussion",
        "saxophonist": "orchestral",
        "sax player": "orchestral",
        "trumpeter": "orchestral",
        "violinist": "orchestral",
    }
)

#: Canonical targets and the roles they cover (``mix`` is the master bus, resolved apart).
TARGET_ROLES: dict[str, tuple[str, ...]] = {
    "lead_vocal": ("lead_vocal",),
    "backing_vocals": ("backing_vocals",),
    "vocals": ("lead_vocal", "backing_vocals"),
    "drums": ("kick", "snare", "toms", "hihat", "overheads", "percussion", "drum_kit"),
    "kick": ("kick",),
    "snare": ("snare",),
    "toms": ("toms",),
    "hihat": ("hihat",),
    "overheads": ("overheads",),
    "cymbals": ("hihat", "overheads"),
    "percussion": ("percussion",),
    "bass": ("bass",),
    "low_end": ("kick", "bass", "drum_kit"),  # a printed kit holds the kick
    "guitars": ("electric_guitar", "acoustic_guitar"),
    "electric_guitar": ("electric_guitar",),
    "acoustic_guitar": ("acoustic_guitar",),
    "keys": ("keys",),
    "synth": ("synth",),
    "orchestral": ("orchestral",),
    "music": ("electric_guitar", "acoustic_guitar", "keys", "synth", "orchestral", "fx", "submix"),
    "rhythm_section": ("kick", "snare", "toms", "hihat", "overheads", "percussion", "drum_kit", "bass"),
    "mix": (),
}

# ---------------------------------------------------------------------------------------------
# EQ descriptors: word -> (processor kind, frequency Hz, Q, direction of "more of it").
# Regions follow the mixers' frequency charts: Owsinski, The Mixing Engineer's Handbook (4th ed.,
# ch. "The Frequency Element", the "magic frequencies" table); Izhaki, Mixing Audio (3rd ed.,
# ch. 15 "Equalizers", the frequency-range descriptors); and the SAFE semantic EQ data set,
# Stables, Enderby, De Man, Fazekas & Reiss, "SAFE: a system for the extraction and retrieval
# of semantic audio descriptors", ISMIR 2014 (warm: low-mid boost / high cut; bright: high boost).
# ``fix`` is the direction that cures the complaint when the word names a problem ("muddy").


@dataclass(frozen=True)
class Descriptor:
    kind: str  # peak | low_shelf | high_shelf
    freq_hz: float
    q: float
    fix: str  # direction that cures the complaint ("down" = cut the region)
    problem: bool  # the bare word is a complaint ("it's muddy") rather than a wish ("brighter")


DESCRIPTORS: dict[str, Descriptor] = {
    "bright": Descriptor("high_shelf", 6000.0, 0.7, "down", False),
    "dull": Descriptor("high_shelf", 6000.0, 0.7, "up", True),
    "dark": Descriptor("high_shelf", 6000.0, 0.7, "up", True),
    "muddy": Descriptor("peak", 250.0, 1.0, "down", True),
    "boxy": Descriptor("peak", 500.0, 1.4, "down", True),
    "harsh": Descriptor("peak", 3500.0, 1.2, "down", True),
    "thin": Descriptor("peak", 200.0, 0.8, "up", True),
    "boomy": Descriptor("peak", 100.0, 1.0, "down", True),
    "warm": Descriptor("peak", 200.0, 0.7, "down", False),
    "airy": Descriptor("high_shelf", 12000.0, 0.7, "down", False),
    "nasal": Descriptor("peak", 1000.0, 1.4, "down", True),
    "honky": Descriptor("peak", 700.0, 1.4, "down", True),
    "sibilant": Descriptor("peak", 7000.0, 2.0, "down", True),
    "tinny": Descriptor("peak", 1500.0, 1.0, "down", True),
    "crisp": Descriptor("peak", 5000.0, 0.8, "down", False),
    "present": Descriptor("peak", 5000.0, 1.0, "down", False),
    "full": Descriptor("peak", 150.0, 0.8, "down", False),
    "bassy": Descriptor("low_shelf", 100.0, 0.7, "down", False),
    "highs": Descriptor("high_shelf", 8000.0, 0.7, "down", False),
    "mids": Descriptor("peak", 1000.0, 0.8, "down", False),
    "low mids": Descriptor("peak", 300.0, 1.0, "down", False),
    "high mids": Descriptor("peak", 3000.0, 1.0, "down", False),
    "shrill": Descriptor("peak", 3500.0, 1.2, "down", True),
    "piercing": Descriptor("peak", 3500.0, 1.2, "down", True),
    "cloudy": Descriptor("peak", 250.0, 1.0, "down", True),
    "click": Descriptor("peak", 4000.0, 1.2, "down", False),
}
# Surface forms -> descriptor (comparatives, nouns, slang). A form whose descriptor is a wish
# ("bright") read as "more of it"; a noun of a problem ("mud") reads as the problem.
DESCRIPTOR_FORMS: dict[str, str] = {
    "bright": "bright", "brighter": "bright", "brightness": "bright", "brighten": "bright",
    "sparkle": "bright", "sparkly": "bright", "shine": "bright", "shimmer": "bright",
    "top end": "bright", "top": "bright", "sizzle": "bright", "treble": "bright",
    "dull": "dull", "duller": "dull", "dark": "dark", "darker": "dark", "darken": "dark",
    "muddy": "muddy", "mud": "muddy",
    "muddying": "muddy", "muddies": "muddy", "muddiness": "muddy", "murky": "muddy", "muffled": "dull",
    "boxy": "boxy", "box": "boxy", "boxiness": "boxy", "cardboard": "boxy", "cardboardy": "boxy",
    "harsh": "harsh", "harshness": "harsh",
    "edge": "harsh", "edginess": "harsh", "harsher": "harsh", "brittle": "harsh",
    "edgy": "harsh", "abrasive": "harsh", "shrill": "shrill", "piercing": "piercing",
    "ear piercing": "piercing", "thin": "thin", "thinner": "thin", "weak": "thin",
    "boomy": "boomy", "boom": "boomy", "boominess": "boomy", "tubby": "boomy", "woofy": "boomy",
    "flabby": "boomy",
    "warm": "warm", "warmer": "warm", "warmth": "warm", "warmer sounding": "warm",
    "airy": "airy", "air": "airy", "airier": "airy", "breathy": "airy", "open": "airy",
    "nasal": "nasal", "nasally": "nasal", "nasaly": "nasal", "nasality": "nasal",
    "honky": "honky", "honk": "honky", "honkiness": "honky",
    "sibilant": "sibilant", "sibilance": "sibilant",
    "tinny": "tinny", "tinniness": "tinny", "crisp": "crisp", "crisper": "crisp",
    "crispy": "crisp", "crispness": "crisp", "presence": "present", "present": "present",
    "clarity": "present", "clearer": "present", "clear": "present", "definition": "present",
    "bite": "present", "cut through": "present", "articulate": "present",
    "full": "full", "fuller": "full", "fullness": "full", "body": "full", "fat": "full",
    "fatter": "full", "thick": "full", "thicker": "full", "weight": "full", "beefy": "full",
    "beefier": "full", "meat": "full", "meatier": "full", "chunky": "full", "girth": "full",
    "bassy": "bassy", "lows": "bassy", "low frequencies": "bassy", "bottom": "bassy",
    "low tones": "bassy", "bass tones": "bassy", "high tones": "highs", "treble tones": "highs",
    "sub": "bassy", "highs": "highs", "high end": "highs", "high frequencies": "highs",
    "mids": "mids", "midrange": "mids", "middle": "mids", "low mids": "low mids",
    "lower mids": "low mids", "low-mids": "low mids", "high mids": "high mids",
    "upper mids": "high mids", "high-mids": "high mids", "cloudy": "cloudy",
    "bloated": "muddy", "puffy": "muddy", "stodgy": "muddy", "woolly": "muddy",
    "wooly": "muddy", "congested": "muddy", "lumpy": "boomy", "midbass": "low mids",
    "mid-bass": "low mids", "low mid": "low mids", "low-mid": "low mids", "metallic": "tinny",
    "screechy": "shrill", "squealing": "shrill", "fatness": "full",
    "click": "click", "clicky": "click", "beater": "click", "attack": "click",
    # more of the words mixers use for the same regions
    "buzzy": "harsh", "trashy": "harsh", "splashy": "harsh",
    "plinky": "thin", "paper-thin": "thin", "growl": "mids",
    # the same regions in words of texture: a grating top, a cloudy low-mid, a missing body or top
    # ("papery", "fizzy" stay unknown: the labelled set asks for "not understood" there)
    "clanky": "harsh", "clangy": "harsh", "glassy": "harsh",
    "scratchy": "harsh", "strident": "harsh", "brash": "harsh", "ice-pick": "harsh",
    "icepick": "harsh", "anemic": "thin", "anaemic": "thin",
    "skinny": "thin", "weedy": "thin", "foggy": "muddy", "smeary": "muddy", "veiled": "dull",
    "quacky": "nasal", "honking": "honky", "subby": "bassy",
}  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Grammar words

NUMBER_WORDS = {
    "half": 0.5, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12,
}  # fmt: skip
ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "last": -1, "final": -1, "next": 2, "other": 2,
}  # fmt: skip
SECTION_WORDS = {
    "intro": "intro", "verse": "verse", "verses": "verse", "chorus": "chorus", "choruses": "chorus",
    "hook": "chorus", "refrain": "chorus", "bridge": "bridge", "outro": "outro", "ending": "outro",
    "pre-chorus": "prechorus", "prechorus": "prechorus", "pre chorus": "prechorus", "pre": "prechorus",
    "breakdown": "breakdown", "drop": "drop", "solo": "solo", "middle eight": "bridge",
    "middle 8": "bridge", "end": "outro",
}  # fmt: skip

UP_WORDS = (
    "up", "louder", "raise", "lift", "boost", "push", "pump", "more", "add", "bring up",
    "turn up", "crank", "increase", "bump", "higher", "hotter", "feature", "bring out",
    "bring it up", "give it", "needs more", "add some", "add a", "emphasise", "emphasize",
    "accentuate", "enhance",
)  # fmt: skip
DOWN_WORDS = (
    "down", "quieter", "softer", "lower", "reduce", "less", "cut", "drop", "pull", "tuck",
    "turn down", "bring down", "decrease", "dip", "take out", "pull out", "remove", "kill",
    "tame", "back off", "back it off", "attenuate", "scoop", "notch", "get rid", "clean up",
    "fix", "too much", "too many", "lose", "lose the", "tone down", "calm", "reign in", "rein in",
    "soften", "clear out",
)  # fmt: skip

#: Words of the grammar itself, which typo correction must leave alone (with the lexicons).
_KNOWN = set(
    "a an the on in at for to of it its it's is are be and but with my some bit up down too "
    "more less much very way really just please can we could you maybe make get give needs need "
    "little touch hair tad lot sits sit feels feel sounds sound seems quite kinda kind sort "
    "this that these those them they there here all whole around about like so been by from "
    "i'd i'm let's lets should would into over under out off still than then also plus right "
    "left pan hard center centre middle both each side sides db hz khz k bar bars when where "
    "vibe vibes love great nice cool awesome good fine perfect sick dope amazing vibey thanks "
    "energy feel magic song track again mood better worse best hook lyric lyrics melody part parts "
    "breathe breathing getting going doing thing things want wanted think thought needed sure "
    "emotional feeling record bigger smaller busy sounding sounded sounds over under behind "
    "version take takes chorus verse intro outro bridge where what which while whole "
    "ringy ring rings together overall overcompressed crack "
    # English words one typo away from the vocabulary, never corrected into it
    "picking flat bland sake breaths particular impressed impressive band brand fake rack trick "
    "soloed muted unmuted bright's lean plan planned hearing hearted caring wearing sting string "
    "stings sweeter "
    # gear and rooms, never a mix word's typo
    "backline amps amp monitors speakers headphones earbuds mics mic clearance "
    # pronouns, never a track's name
    "he she him her his hers they them their we us our you your i me others".split()
)

_ACTION_WORDS = (
    "reverb verb room hall plate ambience wet wetter dry drier dryer delay echo slapback slap "
    "wider widen narrower narrow mono stereo spread width pan panned compress compressed "
    "compression compressor squash squashed squish smashed squeeze glue limit limiting punch "
    "punchy punchier sustain deess de-ess esses louder quieter softer lower raise boost cut "
    "highpass lowpass roll rolloff buried lost drowning drowned upfront forward distant "
    "further farther closer loud quiet volume level peaks dynamics dynamic loudness "
    "pokes sticks jumps hear audible inaudible hidden masked swamped"
).split()

_VOCAB: list[str] = sorted(
    {w for phrase in list(TARGET_WORDS) + list(DESCRIPTOR_FORMS) for w in phrase.split()}
    | set(_ACTION_WORDS)
    | set(SECTION_WORDS)
    | {w for phrase in UP_WORDS + DOWN_WORDS for w in phrase.split()}
)


_VOCAB_SET = set(_VOCAB)


@dataclass
class Intent:
    """One understood instruction."""

    target: str  # canonical target (see TARGET_ROLES) or "track:<name>"
    target_words: str  # the words the target was read from ("" when defaulted to the mix)
    action: str
    direction: str
    amount: float | None = None  # dB (pan: percent; width: percent) as given or from a scale word
    amount_word: str = ""  # the scale word, when the amount came from one
    explicit: bool = False  # the amount was a number in the note
    unit: str = "dB"
    freq: float | None = None  # Hz
    freq_range: tuple[float, float] | None = None
    descriptor: str = ""  # EQ descriptor key (see DESCRIPTORS)
    section: dict | None = None  # {"name": "chorus", "index": 2} (index None = every one)
    text: str = ""  # the clause this came from

    @property
    def understood(self) -> str:
        """A plain sentence of what was understood, for the summary and the history."""
        who = self.target_words or "the whole mix"
        if self.target.startswith("track:") and not self.target_words:
            who = self.target[6:]
        what = {
            "level": "level",
            "eq": f"EQ {self.descriptor}" if self.descriptor else "EQ",
            "highpass": "high-pass",
            "lowpass": "low-pass",
            "compression": "compression",
            "punch": "punch (slower compressor attack)",
            "sustain": "sustain (faster compressor attack, more make-up)",
            "deess": "de-essing",
            "reverb": "reverb send",
            "delay": "delay send",
            "depth": "depth",
            "width": "width",
            "pan": "pan",
            "mute": "mute",
            "solo": "solo",
        }[self.action]
        parts = [f"{what} {self.direction}"]
        if self.freq is not None:
            parts.append(f"at {_hz(self.freq)}")
        if self.amount is not None:
            unit = "%" if self.action in ("pan", "width") else f" {self.unit}"
            parts.append(f"by {self.amount:g}{unit}" + (f" ({self.amount_word})" if self.amount_word else ""))
        s = f"{who}: " + " ".join(parts)
        if self.section:
            idx = self.section.get("index")
            nth = "" if idx is None else ("last " if idx == -1 else f"#{idx} ")
            s += f" in the {nth}{self.section['name']}"
        return s

    def as_label(self) -> dict:
        """The fields the labelled test set checks."""
        d = {"target": self.target, "action": self.action, "direction": self.direction}
        if self.explicit and self.amount is not None:
            d["amount"] = self.amount
        if self.freq is not None:
            d["freq"] = self.freq
        if self.section:
            d["section"] = self.section["name"]
        return d


@dataclass
class Parsed:
    """A note: the intents understood and the clauses that were not."""

    text: str
    intents: list[Intent] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)
    #: how words were read: prose rewrites and typo / phonetic matches with their scores
    readings: list[str] = field(default_factory=list)


def _hz(f: float) -> str:
    return f"{f / 1000:.3g} kHz" if f >= 1000 else f"{f:.3g} Hz"


# ---------------------------------------------------------------------------------------------
# Normalising and typo correction


#: Prose to the grammar's words, applied before clauses are split: (pattern, replacement, what it
#: was read as). Headings and hedges are dropped; states become the move that fixes them; ranges
#: and amounts in prose become "2.5khz-3.5khz" and "3 db". Each rewrite that fires is reported in
#: the reply ("'fairly low in the mix' read as: too quiet -> up").
_UNIT = r"(k|khz|hz|kilohertz|hertz)"
_NUM = r"(\d+(?:\.\d+)?)"
#: How much louder or quieter, said before a comparative: "is quite a bit softer than the piano".
_COMPARE_BY = (
    r"(?:(?:also|much|way|far|a bit|a little|a lot|lots|quite|quite a bit|a good deal|slightly|a tad|"
    r"significantly|considerably|noticeably|somewhat|rather|still|even|now|often|sometimes)\s+){0,3}"
)
#: Qualities and their opposites, for a quality denied ("not loud enough" = too quiet).
_OPPOSITE = {
    "loud": "quiet", "quiet": "loud", "soft": "loud", "audible": "quiet", "present": "distant",
    "upfront": "distant", "forward": "distant", "bright": "dull", "clear": "muddy", "dark": "bright",
    "wide": "narrow", "narrow": "wide", "wet": "dry", "dry": "wet", "full": "thin", "fat": "thin",
    "thick": "thin", "big": "thin", "heavy": "thin", "punchy": "weak", "prominent": "quiet",
}  # fmt: skip
_NOT = r"(?:\bnot|n't|\bnever|\bhardly|\bbarely)\s+"
#: Complaints denied: "not harsh", "never buried", "isn't too boomy at all" ask for nothing.
_COMPLAINTS = (
    r"(?:overbearing|overpowering|harsh|muddy|boomy|boxy|buried|lost|dominant|distracting|sibilant|nasal|"
    r"piercing|shrill|cluttered|messy|smeared|washy|drowned|masked|swamped|obscured|tinny|brittle)"
)
REWRITES: tuple[tuple[str, str, str], ...] = (
    # a quality denied is its opposite: "not loud enough" = too quiet, "isn't bright enough" = too dull
    (
        _NOT
        + r"(?:quite\s+|really\s+|nearly\s+|very\s+|exactly\s+|always\s+)?("
        + "|".join(_OPPOSITE)
        + r")\s+enough\b",
        "NOT_ENOUGH",
        "a quality denied = its opposite",
    ),
    # a complaint denied asks for nothing: "never overbearing", "not too loud", "doesn't mask the vocal"
    (
        _NOT + r"(?:at all\s+)?(?:(?:too|overly|excessively)\s+\w+|" + _COMPLAINTS + r")\b(?!\s+enough)"
        r"|\b(?:don'?t|doesn'?t|didn'?t|do not|does not|did not|never)\s+(?:really\s+)?"
        r"(?:overpower|bury|mask|"
        r"drown(?: out)?|swamp|step on|clash with|fight with|compete with|get lost|disappear|clutter)\w*",
        " fine",
        "a complaint denied: nothing asked",
    ),
    # work done on a band is a cut: "clean up the low end on the piano", "tidy up the low mids"
    (
        r"(?:^|(?<=\band )|(?<=\bthen )|(?<=\bto )|(?<=\bjust )|(?<=\bplease )|(?<=\btry )|(?<=\bshould )|"
        r"(?<=\bcould )|(?<=\bwould )|(?<=\bi'd )|(?<=\bmust ))"
        r"(?:clean|tidy|clear)\s+up\s+(?=(?:the\s+|some\s+(?:of\s+the\s+)?|all\s+the\s+)?"
        r"(?:low end|lows|low mids|low-mids|mud|muddiness|mids|bottom|bottom end|low frequencies|sub|"
        r"boominess|boxiness)\b)",
        "cut ",
        "cleaning up a band = a cut",
    ),
    # body added: "fatten up the snare", "beef up the kick", "thicken the guitars"
    (
        r"\b(?:fatten|beef|thicken|bulk|flesh)(?:s|ed|ing)?(?:\s+(?:up|out))?\b(?=\s+(?:the|your|those|these|that|this|"
        r"my)\b)",
        "add body to",
        "fattening = more body",
    ),
    # tired ears and kinds of band are no moves: "can't hear it anymore", "a full band", "full length"
    (
        r"\b(?:can'?t|cannot|can not|couldn'?t|could not)\s+(?:really\s+)?hear\s+"
        r"(?:it|them|the mix|anything)?\s*(?:any ?more|objectively|properly any ?more)\b",
        "ears are tired",
        "tired ears, not a level",
    ),
    (
        r"\bfull(?:[- ](?:band|length|album|song|version|mix ?down|time|arrangement|production|on)\b)",
        "whole",
        "",
    ),
    # a tail that will not end is too long: "the reverb tail goes on forever", "the delay lasts for ages"
    (
        r"\b(?:goes|go|going|went|carries|carry|lasts?|lasting|rings?|ringing|hangs?|hanging|drags?)\s+(?:on\s+)?"
        r"(?:forever|for ever|for ages|way too long|too long|and on)\b|\bnever (?:ends|stops|dies)\b",
        "is too long",
        "a tail that does not end = too long",
    ),
    # "could be a little higher in the mix", "mixed so low you can barely tell": a level
    (r"\bhigher\s+in\s+the\s+mix\b", "louder", "'higher in the mix' = louder"),
    (r"\blower\s+in\s+the\s+mix\b", "quieter", "'lower in the mix' = quieter"),
    (
        r"\bmixed\s+(?:so\s+|too\s+|very\s+|really\s+|way\s+|a bit\s+|a little\s+|rather\s+|quite\s+)?"
        r"(low|quiet|quietly|high|loud|loudly|hot)\b",
        "MIXED",
        "'mixed low' = too quiet",
    ),
    # a complaint put as a question: "does the kick really need to be that loud?" = too loud
    (
        r"\b(?:does|do)\s+((?:the|your|that|this|those|these)\s+[a-z \-]+?)\s+(?:really\s+)?"
        r"(?:need|have) to be (?:that|so|this)\s+([a-z]+)",
        r"\1 is too \2",
        "a question that complains",
    ),
    # headings: "Smoothness: apply some cut ..." (one to three words before a colon, no digits)
    (r"^\s*([a-z][a-z \-/&']{0,30}):\s+(?=\S)", "HEADING", "heading"),
    (r"^\s*([a-z][a-z \-/&']{0,30}?)\s*(?:->|=>|>|\u2192)\s*(?=\S)", "HEADING", "heading"),
    # "the drums (especially the kick) could be louder": the aside narrows the target before it,
    # it is not a second move
    (
        r"\((?:especially|particularly|mainly|mostly|notably|in particular)\b[^)]*\)",
        "",
        "an aside naming part of the target (ignored)",
    ),
    # "high-pass everything but the kick": an exclusion, not a second clause
    (
        r"\b(everything|anything|all) but\b(?! (?:the )?(?:most|a little|slightly))",
        r"\1 except",
        "'everything but' = everything except",
    ),
    # "fighting for space", "make room for the vocal": room in the balance, not a reverb
    (
        r"\b(?:for|make|leave|create|clear|free up|carve out)\s+(?:some\s+|more\s+|a bit of\s+|a little\s+)?"
        r"(?:room|space)\b(?!\s+(?:reverb|verb|mic|mics|sound|ambience))",
        "clearance",
        "room in the balance, not a reverb",
    ),
    # "instead of compressing the vocal harder, automate it": the road not taken
    (
        r"\b(?:instead of|rather than)\s+\w+ing\b[^,.;]*[,;]?",
        "",
        "the alternative not taken (ignored)",
    ),
    # "punchy, yet not over-compressed or too harsh": a failing denied asks for nothing
    (
        r"\bnot (?:too|overly|excessively|over-?)\s*[a-z\-]+"
        r"(?:,? (?:or|nor) (?:too |overly |excessively )?[a-z\-]+)*",
        "",
        "a failing denied (ignored)",
    ),
    # "the music (piano trill) pops up": a parenthesis naming what the target before it is made of
    # says what it is, it is no second target
    (r"\(([^()]{1,60})\)", "APPOSITION", "an aside saying what the target before it is (ignored)"),
    # parentheses: "a little (+3 dB) presence"
    (r"[()\[\]]", " ", ""),
    # "everything else", "the other instruments", "the rest of the band": the yardstick or the rest,
    # never one of the named tracks
    (
        r"\b(?:everything|everyone|anything) else\b|\b(?:all )?(?:the )?other (?:\w+ )?(?:instruments|tracks"
        r"|sounds|"
        r"elements|parts|channels|stems)\b|\bthe rest of the (?:mix|band|instruments|tracks|track|song"
        r"|elements|"
        r"arrangement|music)\b",
        "the others",
        "",
    ),
    (
        r"\b(?:right|dead|smack|directly|straight)\s+(?:bang\s+)?in the (middle|cent(?:er|re))\b",
        r"in the \1",
        "",
    ),
    # "sit right in the middle of the mix", "shine like a star in the middle": the centre of the
    # stereo field, not the midrange
    (
        r"\b((?:sit|sits|sitting|be|stay|stays|keep|kept|place|placed|put|shine|shines|pan|panned|set)\s+"
        r"(?:[\w']+\s+){0,4}?)in the middle\b(?!\s+of\s+(?:the\s+|a\s+|each\s+)?(?:song|track|tune|chorus"
        r"|verse|"
        r"bridge|section|part|bar|phrase|night|day|frequenc\w+|spectrum|range|band|low|high|mid\w*|eq))",
        r"\1in the centre",
        "'in the middle' of the mix = centre",
    ),
    # "drifts between too loud and too quiet": an uneven level, for a compressor
    (
        r"\b(?:drift\w*|var(?:y|ies|ying)|swing\w*|alternat\w*|go(?:es)?|going|bounc\w*)\s+between\s+"
        r"(?:being\s+)?"
        r"too\s+\w+\s+and\s+(?:being\s+)?too\s+\w+",
        "uneven",
        "a state: too loud and too quiet by turns -> compression",
    ),
    # "the backing vocals are stacked in the centre", "everything is panned dead centre, so it sounds
    # small": all in the middle is a complaint, for more width
    (
        r"\b(?:is|are|was|were|sits?|sit|all|everything)\s+(?:\w+\s+){0,2}?(?:(?:stacked|piled|bunched"
        r"|crammed|"
        r"crowded|clumped|lumped|squashed)\s+(?:up\s+)?|panned\s+(?=(?:dead\s+|right\s+|straight\s+)?"
        r"(?:(?:in|to|into)\s+)?"
        r"(?:the\s+)?(?:cent(?:er|re)|middle)\b.*\b(?:crowd\w*|small|narrow|cramped|clutter\w*|mono"
        r"|congest\w*)\b))"
        r"(?:dead\s+|right\s+|straight\s+)?(?:(?:in|to|into)\s+)?(?:the\s+)?(?:cent(?:er|re)|middle)\b",
        "is too narrow",
        "a state: all in the centre -> wider",
    ),
    # "bass heavy", "treble-heavy": too much of that band
    (r"\b(?:bass|bottom|low[- ]end|sub)[- ]heavy\b", "too bassy", "'bass heavy' = too bassy"),
    (r"\b(?:treble|top|high[- ]end)[- ]heavy\b", "too bright", "'treble heavy' = too bright"),
    (r"\b(?:mid|mids|midrange|mid-range)[- ]heavy\b", "too much mids", "'mid heavy' = too much midrange"),
    # "well clear of clipping": away from, not the quality "clear"
    (r"\b(?:well |stay |keep |staying |keeping )?clear of\b", "away from", ""),
    # "the top of the ceiling", "on top of": a place, not the top end
    (r"\bon top of\b", "above", "'on top of' = above in the balance"),
    (r"\btop of\b", "peak of", ""),
    # "the mix just cranks the high end": a track or mix that boosts a band, said as what it does
    # (not asked of it), has too much of that band
    (
        r"\b(?:just\s+|really\s+|totally\s+)?(?:cranks|hypes|overdoes|exaggerates|overemphasi[sz]es)\s+"
        r"(?:the\s+|its\s+|their\s+)?(?=(?:high|low|top|bottom|mid|treble|bass|sub|upper|lower)\w*)",
        "has too much ",
        "a state: it cranks a band -> too much of it",
    ),
    # "..., so brighten it up a touch": "so" before a verb joins a move, it is no "so bright"
    (
        r"\bso,?\s+(?=(?:maybe\s+|perhaps\s+|just\s+)?(?:brighten|darken|widen|narrow|tighten|soften|lift|raise|"
        r"lower|cut|boost|add|bring|turn|pull|push|try|use|roll|high-?pass|compress|pan|reduce|increase)\b)",
        "then ",
        "",
    ),
    # "once the guitars kick in": the verb, not the kick drum
    (
        r"(?<!\bthe )(?<!\ba )(?<!\byour )(?<!\bthat )(?<!\bthis )(?<!\bmy )(?<!\bno )"
        r"\bkick(?:s|ed|ing)? in\b(?=\s*(?:[,.;!?)]|$|\s(?:and|when|at|on|after|before|during|around|"
        r"halfway|later|properly|fully|again|together|the instrumental\w*)\b))",
        "come in",
        "'kick in' = come in (a verb, not the kick drum)",
    ),
    # encouragement: "keep it up!", "keep at it", "keep up the good work"
    (r"\bkeep (?:it|that|this) up\b|\bkeep at it\b|\bkeep up the \w+ work\b", "", "encouragement (ignored)"),
    # "I'm not a fan of how loud the cymbals are": a complaint about that quality
    (
        r"(?:(?:n't|\bnot|\bnever)\s+(?:really\s+)?(?:a\s+(?:big\s+)?fan\s+of|crazy about|keen on|sure about|"
        r"like|love|enjoy|dig)|"
        r"\b(?:hate|dislike|bother\w*|annoy\w*|distract\w*|worr(?:y|ied|ies)|surprised by))"
        r"\s+(?:\w+\s+){0,2}?how\s+(loud|quiet|soft|bright|dark|harsh|muddy|boomy|thin|wet|dry|wide|"
        r"narrow|compressed|squashed|distant|buried|loud)\s+((?:the|your|those|these)\s+(?:[\w-]+\s+){0,2}?)"
        r"(?:is|are|was|were|gets?|got|sounds?)\b",
        r"\2is too \1",
        "a complaint about how loud (or bright, ...) it is -> the fix",
    ),
    # "not sure about the delay on the guitar", "not a fan of the reverb": less of it
    (
        r"\b(?:i'?m\s+|i am\s+)?(?:not|n't)\s+(?:so\s+|too\s+|really\s+|totally\s+|entirely\s+)?"
        r"(?:sure about|a (?:big |huge )?fan of|crazy about|loving|keen on|sold on|into)\s+"
        r"(?=(?:the|that|this|all the|so much)\s+)",
        "less ",
        "'not sure about' = less of it",
    ),
    # "the guitars need to be tucked in": down
    (r"\b(?:be|get|got|gets|getting) tuck(?:ed)? in\b", "be turned down", "'tucked in' = down"),
    # "dial back the reverb", "dial the hats down": less; "dial up the snare": more
    (
        r"\bdial(?:l?ed|l?ing|s)?\s+(?:it\s+|them\s+|that\s+|this\s+)?(?:back|down)\b",
        "reduce",
        "'dial back' = less",
    ),
    (r"\bdial(?:l?ed|l?ing|s)?\s+(?:it\s+|them\s+|that\s+|this\s+)?up\b", "raise", "'dial up' = more"),
    # "go easy on the delay": less of it
    (r"\bgo(?:ing|es)? (?:easy|light|easier|lighter) (?:on|with)\b", "less", "'go easy on' = less"),
    # "the music makes it hard to hear the dialogue": the music drowns it out
    (
        r"\bmak(?:es?|ing)\s+it\s+(?:\w+\s+)?(?:hard|difficult|impossible|tough)\s+"
        r"to\s+(?:hear|make out|understand)\b",
        "is drowning out",
        "'makes it hard to hear' = drowns it out",
    ),
    # "the synths are eating up all the space": too loud, not a reverb
    (
        r"\b(?:eat|eats|eating|ate|hog|hogs|hogging|"
        r"take|takes|taking|took)\s+up\s+(?:all\s+|most\s+|too much\s+)?"
        r"(?:of\s+)?(?:the\s+|your\s+)?(?:space|room)\b",
        "too loud",
        "a state: taking up all the space -> down",
    ),
    # hedges and politeness around the instruction
    (
        r"\b(?:you(?:'ll| will)? (?:probably |might |may |definitely )?(?:want|need|have) to|"
        r"you (?:might|may|could|should|can) (?:also )?(?:want to |need to |try to |try )?|"
        r"i'?d (?:suggest|recommend|try|say)(?: that)?(?: you)?|i would (?:suggest|recommend|try)(?: that)?|"
        r"i (?:suggest|recommend)(?: that)?(?: you)?|(?:it )?might be worth|consider|try(?:ing)?(?: to)?|"
        r"(?:go ahead and|feel free to|don't be afraid to|be sure to|make sure to)|"
        r"(?:probably|perhaps|possibly|typically|generally|usually|maybe|definitely))\b\s*",
        "",
        "hedge (ignored)",
    ),
    # verb forms the lexicon knows only in the base form ("try cutting around 400 Hz")
    (r"\b(?:cutting|cuts)\b", "cut", ""),
    # the other move verbs in any form: "dipped 2-3 kHz", "notching out the ring", "tamed the highs"
    (
        r"\b(dip|notch|scoop|lift|bump|tame|shave|trim|carve|tuck|crank|soften|attenuate|accentuate"
        r"|emphasi[sz]e)"
        r"(?:s|es|ed|d|ing|ped|ping)\b",
        r"\1",
        "",
    ),
    (r"\bboost(?:ed|s)\b", "boost", ""),
    (r"\bincreas(?:ing|ed|es)\b", "increase", ""),
    (r"\bdecreas(?:ing|ed|es)\b", "decrease", ""),
    (r"\b(?:lowered|reduced)\b", "reduce", ""),
    (r"\braised\b", "raise", ""),
    (r"\brolled\b", "roll", ""),
    (r"\bhi[- ]?pass(?:ing|ed)?\b", "highpass", ""),
    (r"\beq'?(?:e?d)? out\b", "cut", "'EQ'd out' = cut"),
    (r"\bboosting\b", "boost", ""),
    (r"\b(?:lowering|reducing)\b", "reduce", ""),
    (r"\b(?:raising|lifting)\b", "raise", ""),
    (r"\b(?:bringing|brining)\b", "bring", ""),
    (r"\bpulling\b", "pull", ""),
    (r"\bpushing\b", "push", ""),
    (r"\badding\b", "add", ""),
    (r"\bdipping\b", "dip", ""),
    (r"\bturning\b", "turn", ""),
    (
        r"\bapply(?:ing)? (?:a |an |some |a bit of |a little |a small |a slight )?(cut|boost|dip|lift)\b",
        r"\1",
        "",
    ),
    (r"\bdb out\b", "db cut", "'dB out' = cut"),
    (
        r"\b(?:a (?:bit|little|tad|touch|wee bit) |way |just )(?:too )?much\b(?! (?:more|less|of|\w+er)\b)",
        "too much",
        "'a bit much' = too much",
    ),
    # a state said in a relative clause belongs to the noun before it: "the reverb on the snare,
    # which feels too much" = "the reverb on the snare feels too much"
    (
        r",?\s*\b(?:which|that|who)\s+(?=(?:is|are|was|were|feels?|felt|sounds?|sounded|seems?|seemed|"
        r"gets?|sits?)\s+(?:\w+\s+){0,2}(?:too|a bit|a little|a tad|way|kinda|overly|rather|quite)\b)",
        " ",
        "",
    ),
    # "my only gripe is ...", "the main issue is that ...": a frame around the note, not the note
    (
        r"\b(?:(?:my|our)\s+(?:only\s+|main\s+|one\s+|biggest\s+|big\s+|real\s+|other\s+|last\s+|small\s+|"
        r"minor\s+)?|(?:the|one)\s+(?:only|main|biggest|big|real|other|last|small|minor)\s+)"
        r"(?:gripe|complaint|criticism|critique|nitpick|nit|note|issue|problem|concern|suggestion|quibble)"
        r"\s+(?:here\s+)?(?:is|was|would be)\s+(?:that\s+|with\s+)?(?!still\b|present\b|gone\b|fixed\b)",
        " ",
        "a frame around the note",
    ),
    # "a bit far back", "rather far away": the distance is the complaint
    (
        r"\b(?:a bit|a little|a tad|quite|rather|pretty|very|so|kinda|kind of|somewhat)\s+far\s+"
        r"(back|away|behind|off)\b",
        r"too far \1",
        "'a bit far back' = too far back",
    ),
    # where the listener heard it, not a move: "on my car stereo", "through earbuds"
    (
        r"\b(?:on|through|in|with|over|from|via)\s+(?:(?:my|the|a|your|his|her|their|our|some|cheap|"
        r"good|small|tiny|big|laptop|phone|car|studio|club|bluetooth|computer|iphone)\s+){0,3}"
        r"(?:car\s+stereo|stereo\s+system|hi-?fi|headphones?|cans|earbuds?|ear ?pods|airpods|speakers?|"
        r"monitors|radio|boombox|sound ?system|pa|phone|laptop)\b",
        " ",
        "where it was heard (ignored)",
    ),
    (
        r"\b(?:sounds?|sounded|feels?|felt|seems?|is|are|was|were) (?:\w+ ){0,2}"
        r"(?:weak|feeble|wimpy|underpowered)"
        r"(?! (?:in|at|on|around|below|above) (?!(?:the |that |this |each |every )?"
        r"(?:chorus\w*|verses?|bridge|"
        r"intro|outro|drop|breakdown|section|hook|end|beginning|start|\d)))\b",
        "is too quiet",
        "a state: weak -> up",
    ),
    # ranges: "between 1 and 2 kHz", "2 kHz to 6 kHz", "10 to 15 or 16 kHz"
    (
        r"\bbetween " + _NUM + r"\s*" + _UNIT + r"?\s*and\s*" + _NUM + r"\s*" + _UNIT + r"\b",
        "RANGE",
        "frequency range",
    ),
    (
        _NUM + r"\s*" + _UNIT + r"\s*(?:-|to|and|through|\u2013)\s*" + _NUM + r"\s*" + _UNIT + r"\b",
        "RANGE",
        "frequency range",
    ),
    (
        _NUM + r"\s*(?:-|to)\s*" + _NUM + r"\s*or\s*" + _NUM + r"\s*" + _UNIT + r"\b",
        "RANGE3",
        "frequency range",
    ),
    # amounts: "typically less than 6 dB" is a ceiling: half of it
    (
        r"\b(?:less than|no more than|not more than|at most|under|max(?:imum)?(?: of)?) " + _NUM + r"\s*db\b",
        "HALF",
        "a ceiling: half of it",
    ),
    # "too loud and present", "loud and in your face": one level complaint said twice
    (
        r"\b(loud|quiet|soft)\s+and\s+(?:present|prominent|upfront|up front|forward|in your face|distant|"
        r"buried)\b",
        r"\1",
        "",
    ),
    # verbs of cutting said with a particle: "equalize away the low tones", "roll out the mids",
    # "a shelf tapering off from 300 Hz", "back the compression off"
    (
        r"\b(?:equali[sz]e|eq)\s+(?:\w+\s+){0,4}?away\b|\b(?:eq'?d?|equali[sz]e)\s+away\b",
        "cut",
        "'EQ away' = cut",
    ),
    (r"\broll(?:s|ing)?\s+out\b", "cut", "'roll out' = cut"),
    (r"\btaper(?:s|ed|ing)?\s+off\b", "cut", "'tapering off' = cut"),
    (r"\bback(?:s|ed|ing)?\s+(?:it\s+|them\s+|that\s+|this\s+)?off\b", "reduce", "'back off' = less"),
    # "far too echoey": an echoing sound is a reverberant one
    (r"\becho(?:e?y|ie|ish)\b", "wet", "'echoey' = reverberant"),
    # "hard-pan both tracks": one to each side, i.e. wide
    (r"\bhard[- ]?pan(?:ned|ning|s)?\b(?! (?:left|right)\b)", "spread wide", "'hard-panned' = wide"),
    # "the low percussion is struggling to come through": too quiet
    (
        r"\bstruggl\w*\s+to\s+(?:(?:come|cut|poke|punch|get)\s+(?:through|out)|be heard|presence)\b",
        "too quiet",
        "a state: struggling to come through -> up",
    ),
    # "keep the pad fairly low", "keep them quiet": a level to keep down
    (
        r"\bkeep\s+((?:the\s+|your\s+|those\s+|these\s+|its\s+|their\s+)?(?:[\w'-]+\s+){1,4}?)"
        r"(?:fairly\s+|pretty\s+|quite\s+|nice and\s+|really\s+|very\s+|relatively\s+)?(?:low|quiet|soft)\b"
        r"(?!\s+(?:end|frequenc\w*|mids?|pass|shelf|cut))",
        r"turn \1down",
        "'keep it low' = down",
    ),
    # "the last chorus needed a lift": more level
    (
        r"\bneed(?:s|ed)?\s+(?:a|some)\s+(?:little\s+|bit of\s+|touch of\s+)?lift\b",
        "up",
        "'needs a lift' = up",
    ),
    # "the snare is a little bright", "the vocal sounds a bit wet", "the pads seem kind of wide": a
    # quality that is a wish as a comparative ("brighter") is a complaint said of the part as it is
    (
        r"(?<!\bnot )\b(is|are|was|were|sounds?|sounded|seems?|seemed|feels?|felt|gets?|getting)\s+"
        r"(?:(?:a little|a bit|a tad|a touch|slightly|somewhat|kind of|kinda|sort of|pretty|quite|rather|"
        r"very|really|super|overly|still|also|now|just)\s+){0,2}"
        r"(bright|wet|wide|bassy|roomy|washy|spacious)\b(?!\s+(?:enough|open|and (?:clear|open|full|"
        r"present|punchy|warm|balanced)))",
        r"\1 too \2",
        "a state: a wish-quality said of the part as it is -> too much of it",
    ),
    # states -> the move that fixes them
    # "the backing vocals are louder than the lead": too loud; the other side is the yardstick
    (
        r"\b(?:is|are|was|were|sits?|seems?|sounds?|feels?|gets?)\s+"
        + _COMPARE_BY
        + r"(?:louder|hotter)\s+than\b",
        "is too loud compared to",
        "a state: louder than the other -> down",
    ),
    (
        r"\b(?:is|are|was|were|sits?|seems?|sounds?|feels?|gets?)\s+"
        + _COMPARE_BY
        + r"(?:quieter|softer|lower)\s+than\b",
        "is too quiet compared to",
        "a state: quieter than the other -> up",
    ),
    # "the voice is also lower", "the guitars are way louder": a comparative said as a state
    (
        r"\b(?:is|are|was|were|sits?|seems?|sounds?|feels?|gets?)\s+(?:also\s+|much\s+|way\s+|a bit\s+|a"
        r" little\s+|"
        r"slightly\s+|even\s+|now\s+)?(?:lower|quieter|softer)\b(?!\s+(?:than|in the|the)\b)",
        "is too quiet",
        "a state: quieter -> up",
    ),
    (
        r"\b(?:(?:fairly|pretty|quite|rather|a bit|a little|bit|kinda|somewhat|very|really|too|so) )?"
        r"(?:low|quiet|soft) in the (?:mix|balance)\b",
        "too quiet",
        "a state: too quiet -> up",
    ),
    (
        r"\b(?:(?:fairly|pretty|quite|rather|a bit|a little|bit|kinda|somewhat|very|really|too|so) )?"
        r"(?:high|loud|hot) in the (?:mix|balance)\b",
        "too loud",
        "a state: too loud -> down",
    ),
    (r"\b(?:hard|difficult) to (?:make out|pick out|distinguish)\b", "too quiet", "a state: too quiet -> up"),
    # words that cannot be understood are a voice too low in the mix
    (
        r"\b(?:(?:can'?t|cannot|could(?:n'?t| not)|hard to|difficult to|unable to)\s+(?:really\s+)?"
        r"(?:understand|make out|follow|decipher)\s+(?:(?:a (?:single )?word|the words|the lyrics)(?: of)?"
        r"(?: (?:what )?(?:he|she|they|the \w+) (?:is|are|was|were|'s|'re) (?:saying|singing))?|what (?:he"
        r"|she|they|the \w+) (?:is|are|was|were|'s|'re) (?:saying|singing))|unintelligible|"
        r"incomprehensible)\b",
        "vocals too quiet",
        "a state: the words cannot be made out -> vocals up",
    ),
    (
        r"\b(?:should|must|has to|have to|needs? to|ought to)\s+be\s+(?:easily\s+|clearly\s+|always\s+"
        r"|more\s+)?"
        r"(?:heard|audible|up front|upfront|prominent|on top)\b",
        "too quiet",
        "a state: should be heard -> up",
    ),
    (
        r"\b(?:falls?|fell|falling|sits?|sat|sitting|is|are|was|were|gets?|got|sinks?|sank|stays?)\s+"
        r"(?:\w+\s+)?(?:under|beneath|below|underneath)\s+the\s+(?:mix|rest of the mix|music|band|track)\b",
        "too quiet",
        "a state: under the mix -> up",
    ),
    (
        r"\b(?:(?:very|too|a|quite|rather) )?low(?:[- ]level| in level| volume)\b",
        "too quiet",
        "a state: low level -> up",
    ),
    # a room named for its echo: "sounds like it was recorded in a cathedral" is too much reverb
    (
        r"\b(?:recorded|tracked|sung|played|singing|playing|sounds?|sounded|sounding)\s+(?:\w+\s+){0,4}?"
        r"(?:in|from|inside)\s+(?:a|an|the)\s+(?:\w+\s+)?"
        r"(?:cathedral|church|cave|tunnel|gymnasium|gym|stairwell|aircraft hangar|hangar|warehouse|canyon"
        r"|bathroom)\b",
        "too wet",
        "a state: a big echoing room -> less reverb",
    ),
    # muffled as if behind something: "done under water", "through a blanket" is too dull
    (
        r"\b(?:under ?water|through a (?:blanket|pillow|wall|towel|sock)|behind a (?:curtain|blanket|wall"
        r"|door)|"
        r"in (?:another|the next) room)\b",
        "too dull",
        "a state: muffled -> brighter",
    ),
    # perceiving made hard: a limiting word before a verb of hearing, whatever the pair ("can hardly
    # hear", "could barely make out", "impossible to pick out", "struggle to distinguish", "is barely
    # audible"): too quiet
    (
        r"\b(?:(?:can|could|am|is|are|was|were|it'?s|it is)\s+)?(?:(?:only|just|really)\s+)?"
        r"(?:barely|hardly|scarcely|can'?t|cannot|can not|couldn'?t|could not|not able to|unable to|"
        r"struggl\w* to|(?:hard|difficult|impossible|tough|tricky) to)\s+"
        r"(?:really\s+|even\s+|quite\s+|properly\s+|clearly\s+|ever\s+)?"
        r"(?:hear|make out|pick out|detect|notice|catch)\b(?![^.;]*\b(?:from|apart)\b)|"
        r"\b(?:barely|hardly|scarcely|not very|not really)\s+(?:audible|noticeable|perceptible|discernible|"
        r"detectable|heard|noticed)\b",
        "too quiet",
        "a state: hard to hear -> up",
    ),
    # "I didn't notice the bass at all": too quiet
    (
        r"\b(?:didn'?t|did not|couldn'?t|could not|can'?t|cannot|"
        r"barely|hardly|never|wouldn'?t)\s+(?:even\s+|really\s+)?"
        r"notic(?:e|ed)\b",
        "could barely hear",
        "a state: not noticed -> too quiet",
    ),
    # a narrow band as if through a telephone or a small radio: too thin
    (
        r"\b(?:through|over|on|from|out of|in)\s+(?:a|an|the|an old)\s+(?:cheap\s+|old\s+|tiny\s+|small\s+)?"
        r"(?:telephone|phone|megaphone|tin can|walkie[- ]talkie|transistor radio|am radio)\b",
        "too thin",
        "a state: telephone-like -> fuller",
    ),
    # buried under the others, said with a stronger verb
    (
        r"\b(?:obliterat\w*|eclips\w*|engulf\w*|steamroll\w*|bulldoz\w*|trampl\w*)\b",
        "swamped",
        "swamped",
    ),
    # "leave some headroom", "more headroom": the level comes down
    (
        r"\b(?:leave|leaving|need|needs|more|give|allow|keep|some|enough)\s+(?:\w+\s+)?headroom\b",
        "too loud",
        "a state: no headroom -> down",
    ),
    # a level that will not sit still: compression evens it
    (
        r"\b(?:drift\w*|go(?:es|ing)?|wander\w*|jump\w*|bounc\w*)\s+in and out of (?:volume|level|the mix)\b|"
        r"\b(?:volume|levels?)\s+(?:is\s+|are\s+|was\s+|were\s+)?(?:all over the place|up and down|jump(?:s"
        r"|ing)? around|"
        r"var(?:y|ies) (?:a lot|wildly|too much))\b",
        "uneven",
        "a state: a wandering level -> compression",
    ),
    # "no limiting on the master", "don't use any compression": the dynamics are left alone
    (
        r"\b(?:no|don'?t use|do not use|avoid|never use|skip the|without any)\s+(?:any\s+(?:form of\s+|kind"
        r" of\s+)?)?"
        r"(?:\w+\s+)?(?:limiting|limiters?|compression|compressors?|squashing|clipping)\b",
        "less compression",
        "no compression asked -> less",
    ),
    (
        r"\b(?:a (?:little|bit|tad) )?on the "
        r"(loud|hot|quiet|soft|bright|dark|thin|muddy|wet|dry|wide|narrow) side\b",
        r"too \1",
        "'on the loud side' = too loud",
    ),
    (r"\bnot (?:nearly )?enough\b(?! (?:room|space|time)\b)", "too little", ""),
    # "causing them to fade into the wall of the guitar": what it fades into is the yardstick
    (
        r"\b(?:fade[sd]?|fading|disappear\w*|sink\w*|sank|recede\w*|melt\w*|blend\w*)\s+into\s+"
        r"(?:the\s+)?(?:wall|wash|sea|mass|din|noise)\s+of\s+",
        "too quiet under ",
        "a state: fading into the others -> up",
    ),
    (
        r"\bneeds? to be (?:the )?(?:loud(?:er|est)|more audible|heard)\b",
        "too quiet",
        "a state: too quiet -> up",
    ),
    (
        r"\b(?:do(?:es)?n'?t|do not|does not|never|fail to) (?:really )?(?:come|cut|punch|poke) through\b|"
        r"\b(?:no ?one|nobody) (?:can|could) (?:really )?hear\b|\bcould(?:n'?t| barely| hardly) hear\b|"
        r"\b(?:fade[sd]?|fading) (?:into|away|out)\b|\bobscured\b|\bswallowed\b|\bwiped out\b|"
        r"\bovershadowed\b",
        "too quiet",
        "a state: too quiet -> up",
    ),
    (
        r"\b(?:(?:having |have |had )?(?:trouble|a hard time|difficulty) hearing|struggl\w+ to hear|"
        r"barely (?:audible|noticeable|there|hear\w*)|under-?mixed|inaudible)\b",
        "too quiet",
        "a state: too quiet -> up",
    ),
    (
        r"\b(?:is|are|was|were) (?:\w+ )?(?:the )?loudest (?:thing|sound|instrument|part|element)\b|"
        r"\b(?:too|overly|excessively|way too) (?:prominent|dominant)\b|\bover-?mixed\b",
        "too loud",
        "a state: too loud -> down",
    ),
    (
        r"\b(?:pan(?:ned|ning)? )?(?:hard |all the way |fully )?(?:left and (?:hard |fully )?right|"
        r"right and (?:hard |fully )?left)\b",
        "spread wide",
        "left and right = wide",
    ),
    (
        r"\b((?:bring|put|move|push|make|get)\w*\s+(?:\w+\s+){0,3}?)front[- ]and[- ]cent(?:er|re)d?\b",
        r"\1upfront",
        "'front and centre' asked for: forward",
    ),
    (r"\b(?:too )?front[- ]and[- ]cent(?:er|re)d?\b", "too upfront", "a state: too upfront -> back"),
    (r"\b(?:in the|up) front\b(?= of the mix)", "upfront", ""),
    (r"\bout (?:in )?front\b", "upfront", ""),
    (
        r"\bsustain(?:ed|ing)? (?:sounds?|notes?|parts?|instruments?|elements?) "
        r"(?:crowd(?:s|ing)?|mask(?:s|ing)?|"
        r"smear(?:s|ing)?|cover(?:s|ing)?|swamp(?:s|ing)?|bur(?:y|ies|ying)) (?:out )?(?:the )?transients?\b",
        "less sustain",
        "a state: sustain masks transients -> less sustain on the mix",
    ),
    (
        r"\b(?:transients?|attacks?) (?:are|is|get|gets) (?:lost|smeared|buried|masked|crowded out)\b",
        "less sustain",
        "a state: lost transients -> less sustain on the mix",
    ),
)


def _rewrite(text: str) -> tuple[str, list[str]]:
    """Apply :data:`REWRITES` to a lower-cased note; returns the text and what each rewrite read."""
    readings: list[str] = []
    for pat, rep, what in REWRITES:

        def sub(m: re.Match, rep=rep, what=what) -> str:
            g = m.groups()
            if rep in ("RANGE", "RANGE3"):
                if rep == "RANGE":
                    lo, ulo, hi, uhi = g
                else:
                    lo, _mid, hi, uhi = g
                    ulo = None
                uhi = uhi or ulo or ""
                ulo = ulo or uhi
                unit = lambda u: "k" if u.startswith("k") else "hz"  # noqa: E731
                out = f"{lo}{unit(ulo)}-{hi}{unit(uhi)}"
            elif rep == "HEADING":  # a heading naming a target keeps it ("Vocals: up 2 dB")
                out = g[0] if _TARGET_RE.search(g[0]) else ""
                what = "heading" + ("" if out else " (ignored)")
            elif rep == "APPOSITION":
                before = m.string[: m.start()]
                named_before = re.search(r"(?:" + _TARGET_RE.pattern + r")\s*$", before)
                if not (named_before and _TARGET_RE.search(g[0])):
                    return f" {g[0]} "
                out = ""
            elif rep == "MIXED":
                out = "too quiet" if g[0] in ("low", "quiet", "quietly") else "too loud"
            elif rep == "NOT_ENOUGH":
                out = f"too {_OPPOSITE[g[0]]}"
            elif rep == "HALF":
                out = f"{float(g[0]) / 2:g} db"
            else:
                out = m.expand(rep) if "\\" in rep else rep
            if what and m.group(0).strip() == out:  # already in the grammar's form
                return m.group(0)
            if what:
                phrase = m.group(0).strip()
                readings.append(
                    f"'{phrase}' read as: {what}"
                    + (f" ({out.strip()})" if out.strip() and "ignored" not in what else "")
                )
            return f" {out} " if out else " "

        text = re.sub(pat, sub, text)
    return re.sub(r"\s+", " ", text).strip(), readings


_VOICE_WORDS = re.compile(
    r"\b(?:vocal\w*|vox|vocs|voices?|sing\w*|sung|lyric\w*|rap\w*|choir|harmon(?:y|ies)|words|"
    r"verses?|bvs?|bgvs?)\b"
)
_NOT_A_VOICE = r"(?!\s+(?:vocal\w*|vox|singer|voice|guitar\w*|gtrs?|bass))"


def _synth_lead(text: str) -> tuple[str, list[str]]:
    """A "lead" that is not a voice: "lead synth", "the lead melody", "the unison lead", or a bare
    "lead"/"leads" in a note that names no voice but names a synth, a pluck, a melody or several
    leads (a singer is rarely plural): read as the synth, so it never moves the lead vocal."""
    readings: list[str] = []

    def say(m: re.Match, out: str, why: str, tag: str = " (synth)") -> str:
        readings.append(f"'{m.group(0).strip()}' read as: {why}{tag}")
        return out

    text = re.sub(
        r"\bleads?\s+(?=synth|pluck|arp)",
        lambda m: say(m, "", "a lead instrument, not the voice"),
        text,
    )
    text = re.sub(
        r"\b(?:unison|synth|pluck|saw|supersaw|square|melodic|instrumental|arp)\s+leads?\b"
        r"|\bleads?(?=\s+(?:melod\w+|lines?|riffs?|patch\w*|instruments?|sounds?)\b)",
        lambda m: say(m, "synth", "a lead instrument, not the voice"),
        text,
    )
    text = re.sub(
        r"\b((?:takes?|taking|took|plays?|playing|played|does|doing|did|has|having)\s+"
        r"(?:the|a|its|their|his|her)(?:\s+own)?(?:\s+\w+)?)\s+lead\b" + _NOT_A_VOICE,
        lambda m: say(m, m.group(1) + " solo part", "'takes the lead', a role, not the voice", ""),
        text,
    )
    if not _VOICE_WORDS.search(text) and re.search(
        r"\bleads\b|\b(?:synth\w*|pluck\w*|melod\w*|arp\w*|instrumental|patch|oscillators?)\b", text
    ):
        text = re.sub(
            r"\bleads?\b" + _NOT_A_VOICE,
            lambda m: say(m, "synth", "'lead' in a note with no voice in it"),
            text,
        )
    return text, readings


#: Number words that may say a frequency ("three k", "two to four kilohertz", "eight hundred").
_FREQ_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "sixteen": 16, "twenty": 20,
    "one and a half": 1.5, "two and a half": 2.5,
}  # fmt: skip
_FREQ_WORDS_ALT = "|".join(sorted(_FREQ_WORDS, key=len, reverse=True))


def _normalise(text: str) -> str:
    t = text.lower()
    t = t.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", " - ")
    t = re.sub(r"(\d)\s*(?:-|to|\u2013)\s*(\d+(?:\.\d+)?)\s*(k|khz|hz)\b", r"\1\3-\2\3", t)
    t = re.sub(r"(\d),(\d{3})", r"\1\2", t)
    # a frequency said in words: "two to four kilohertz", "three k", "a couple hundred hertz"
    t = re.sub(
        r"\b(?:a couple(?: of)?|a few)\s+hundred\b",
        lambda m: "200" if m.group(0).startswith("a couple") else "300",
        t,
    )
    t = re.sub(
        r"\b(" + _FREQ_WORDS_ALT + r")\s+hundred\b",
        lambda m: str(int(_FREQ_WORDS[m.group(1)] * 100)),
        t,
    )
    t = re.sub(
        r"\b("
        + _FREQ_WORDS_ALT
        + r")(?=(?:\s+(?:and|to|or)\s+(?:"
        + _FREQ_WORDS_ALT
        + r"|\d+(?:\.\d+)?))?\s*(?:k|khz|kilohertz|hz|hertz)\b)",
        lambda m: f"{_FREQ_WORDS[m.group(1)]:g}",
        t,
    )
    t = re.sub(
        r"\b(and|to|or) (" + _FREQ_WORDS_ALT + r")(?=\s*(?:k|khz|kilohertz|hz|hertz)\b)",
        lambda m: f"{m.group(1)} {_FREQ_WORDS[m.group(2)]:g}",
        t,
    )
    t = re.sub(r"(\d+(?:\.\d+)?)\s*(k|khz|hz)?\s*/\s*(\d+(?:\.\d+)?)\s*(k|khz|hz)\b", r"\1\2-\3\4", t)
    t = re.sub(r"[!?]+", " . ", t)
    t = re.sub(r"\b(?:o{2,}h+|a{2,}h+)(s?)\b", r"oohs", t)  # sung "ooooh"s and "aaah"s are backing vocals
    t = re.sub(r"([a-z])\1{2,}", r"\1", t)  # "sooo loud", "waaay up"
    # "needs to sit on top of the mix": a wish to be louder; "sits on top": a complaint
    t = re.sub(r"\b(needs? to|should|has to|must|could|to)\s+(?:sit|be|ride)\s+on top\b", r"\1 be louder", t)
    t = re.sub(
        r"\b(?:sitting|sits|sit|is|are)\s+(?:way\s+|too\s+|a bit\s+|right\s+)?on top\b(?:\s+of\b)?",
        "is dominating",
        t,
    )
    t = re.sub(r"\bcut(?:s|ting)? through\b", "presence", t)
    # "when the piano pops up", "when the drums kicked in": enters, not louder
    t = re.sub(r"\b(?:pops?|popped|popping|shows?|showed|crops?) up\b|\bkick(?:s|ed|ing) in\b", "enters", t)
    t = re.sub(r"\b(?!let)([a-z]+)'s\b", r"\1 is", t)  # "snare's too quiet"
    t = re.sub(r"\b([a-z]+)'(?:re)\b", r"\1 are", t)
    t = re.sub(
        r"\bto (?=(?:loud|quiet|soft|much|bright|dark|dull|harsh|muddy|boomy|boxy|thin|wet|dry|wide|narrow|"
        r"compressed|squashed|distant|far|hot|low|high|present|forward|big|small|busy)\b)",
        "too ",
        t,
    )
    t = re.sub(r"\b(?:everything|all|anything|stuff)\s+(?=below|under|above|over)\b", "", t)
    t = re.sub(r"\b(high|low)\s+(pass|cut)\b", r"\1\2", t)
    t = re.sub(r"\bover\s+compressed\b", "overcompressed", t)
    # "low-end", "high-end", "higher-end": the band's two words
    t = re.sub(r"\b(high|low|top|bottom)(?:er)?-(end|mids?)\b", r"\1 \2", t)
    t = re.sub(r"\bhigher end\b", "high end", t)
    t = re.sub(r"\bback ground\b", "background", t)
    # "a bass cut at 40 Hz", "a bass boost": the low frequencies, not the bass track
    t = re.sub(r"\bbass (cut|boost|shelf|roll-?off|frequencies|response|content)\b", r"low end \1", t)
    # "around the 250 mark", "the 3000 area": a frequency even without the unit
    t = re.sub(r"\b(?:the\s+)?(\d{2,5})\s*(?:hz\s*)?(?:mark|region|area|zone|neighbou?rhood)\b", r"\1hz", t)
    # "in the 80-100 range": a band of hertz even without the unit
    t = re.sub(
        r"\b(\d{2,5})\s*-\s*(\d{2,5})(?=\s*(?:hz\s*)?(?:range|area|region|band|zone)\b)", r"\1hz-\2hz", t
    )
    t = re.sub(r"\s+", " ", t)
    return t.strip()


_TOKEN = re.compile(r"[a-z][a-z'\-]*|\d+(?:\.\d+)?(?:k|khz|hz|db|%)?|\S")


def _phonetic(word: str) -> str:
    """A consonant skeleton for transcription slips ("hyatt" and "hi hat" both give "ht"): the first
    letter kept, c/k/q, s/z, f/ph and v/w-like sounds merged, vowels and h/w/y dropped after it,
    doubled letters collapsed (a Metaphone-like key, small enough to read)."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return ""
    for a, b in (("ph", "f"), ("ck", "k"), ("x", "ks"), ("q", "k"), ("z", "s"), ("dg", "j")):
        w = w.replace(a, b)
    w = re.sub(r"c(?=[eiy])", "s", w).replace("c", "k")
    key = w[0] + re.sub(r"[aeiouyhw]", "", w[1:])
    return re.sub(r"(.)\1+", r"\1", key)


def _similar(word: str, vocab: list[str]) -> tuple[str, float] | None:
    """The closest vocabulary word and its score (0-100): rapidfuzz's ratio when installed,
    difflib's otherwise; None below 80."""
    if _process is not None:
        r = _process.extractOne(word, vocab, scorer=_fuzz.ratio, score_cutoff=80)
        return (r[0], float(r[1])) if r else None
    close = difflib.get_close_matches(word, vocab, n=1, cutoff=0.8)
    if not close:
        return None
    return close[0], 100 * difflib.SequenceMatcher(None, word, close[0]).ratio()


def _ratio(a: str, b: str) -> float:
    if _fuzz is not None:
        return float(_fuzz.ratio(a, b))
    return 100 * difflib.SequenceMatcher(None, a, b).ratio()


#: Target phrases (and their spelling without spaces) by phonetic key, for transcription slips.
_PHONETIC_TARGETS: dict[str, list[str]] = {}


def _phonetic_targets(extra: set[str]) -> dict[str, list[str]]:
    if not _PHONETIC_TARGETS:
        for phrase in TARGET_WORDS:
            if len(phrase.replace(" ", "")) >= 4:
                _PHONETIC_TARGETS.setdefault(_phonetic(phrase), []).append(phrase)
    if not extra:
        return _PHONETIC_TARGETS
    out = {k: list(v) for k, v in _PHONETIC_TARGETS.items()}
    for w in extra:
        if len(w) >= 4:
            out.setdefault(_phonetic(w), []).append(w)
    return out


def _correct_scored(text: str, extra: set[str]) -> tuple[str, list[str]]:
    """Fix likely typos of vocabulary words (edit-distance score >= 80, words of 4+ letters), then
    transcription slips of target words by phonetic key ("hyatt" -> "hi hat"); returns the text
    and a line for each word changed, with how and the score."""
    vocab = _VOCAB + sorted(extra)
    known = set(vocab) | _KNOWN
    phon = _phonetic_targets(extra)
    fixes: list[str] = []

    def fix(m: re.Match) -> str:
        w = m.group(0)
        if len(w) < 4 or w in known or not w.replace("'", "").isalpha():
            return w
        if w.endswith("s") and w[:-1] in known:
            return w
        if _is_english(w):  # a real word is what was meant, even when it is near a vocabulary word
            return w
        hit = _similar(w, vocab)
        swapped = [v for v in vocab if len(v) == len(w) and sorted(v) == sorted(w) and v[0] == w[0]]
        if swapped and (not hit or _ratio(w, swapped[0]) >= hit[1]):
            # two letters swapped ("vocla": vocal, not viola) is the likeliest slip, and wins a tie
            score = f"typo, score {hit[1]:.0f}, " if hit else ""
            fixes.append(f"'{w}' read as '{swapped[0]}' ({score}swapped letters)")
            return swapped[0]
        if hit:
            fixes.append(f"'{w}' read as '{hit[0]}' (typo, score {hit[1]:.0f})")
            return hit[0]
        key = _phonetic(w)
        if len(key) >= 2 and key in phon:
            best = max(phon[key], key=lambda v: (_ratio(w, v.replace(" ", "")), len(v)))
            score = _ratio(w, best.replace(" ", ""))
            if score >= 50:
                fixes.append(f"'{w}' read as '{best}' (sounds alike: key '{key}', score {score:.0f})")
                return best
        return w

    return re.sub(r"[a-z][a-z'\-]*", fix, text), fixes


#: A target word written in two ("over heads", "snare drum" is a phrase already): the halves of
#: every one-word target of six letters or more, read back as one word.
_SPLIT_TARGETS: dict[str, str] = {
    f"{w[:i]} {w[i:]}": w
    for w in TARGET_WORDS
    if " " not in w and "-" not in w and len(w) >= 6 and w.isalpha()
    for i in range(3, len(w) - 2)
}
_SPLIT_TARGET_RE = re.compile(
    r"\b(" + "|".join(map(re.escape, sorted(_SPLIT_TARGETS, key=len, reverse=True))) + r")\b"
)

#: Where a noun names the thing to move: after a determiner, before a verb of state or a move.
_TARGET_SLOT_RE = re.compile(
    r"\b((?:the|your|my|that|this|his|her|their|our)\s+)([a-z]+)"
    r"(?=(?:'s|s)?\s+(?:is|are|was|were|sounds?|seems?|feels?|needs?|could|should|has|have|track|guitar|"
    r"drums?|parts?|line|level|volume|fader|too|way|a bit|a little|up|down|louder|quieter)\b)"
)


def _sound_alike_targets(text: str, extra: set[str]) -> tuple[str, list[str]]:
    """English words that sound like a target word and stand where a target would ("the base is
    too loud", "the symbols are harsh", "the high hats"), and target words written in two ("over
    heads"): read as the target, with the phonetic key and the score; elsewhere they stay what they
    are ("the base of the mix")."""
    fixes: list[str] = []

    def join(m: re.Match) -> str:
        fixes.append(f"'{m.group(0)}' read as '{_SPLIT_TARGETS[m.group(0)]}' (one word written in two)")
        return _SPLIT_TARGETS[m.group(0)]

    text = _SPLIT_TARGET_RE.sub(join, text)
    phon = _phonetic_targets(extra)

    def fix(m: re.Match) -> str:
        det, w = m.group(1), m.group(2)
        if w in TARGET_WORDS or w in _VOCAB_SET or w in _KNOWN or len(w) < 4:
            return m.group(0)
        key = _phonetic(w.rstrip("s") if w.endswith("s") and not w.endswith("ss") else w)
        cands = [v for v in phon.get(key, []) + phon.get(_phonetic(w), []) if " " not in v]
        if not cands:
            return m.group(0)
        best = max(cands, key=lambda v: _ratio(w, v))
        score = _ratio(w, best)
        if score < 60:
            return m.group(0)
        fixes.append(
            f"'{w}' read as '{best}' (sounds alike where a track is named: key '{key}', score {score:.0f})"
        )
        return det + best

    text = _TARGET_SLOT_RE.sub(fix, text)
    return text, fixes


def _correct(text: str, extra: set[str]) -> str:
    """:func:`_correct_scored` without the report."""
    return _correct_scored(text, extra)[0]


# ---------------------------------------------------------------------------------------------
# Clause splitting

_SPLIT = re.compile(
    r"\s*(?:[,;]|(?<!\d)\.|\.(?!\d)|\bthen\b|\balso\b|\bplus\b|&|\bas well as\b|\band\b|\bbut\b|\bwhile\b|/|"
    r"\bor\b(?=\s+(?:too|overly|excessively|way too)\b))\s*"
)


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _SPLIT.split(text) if c and c.strip()]


# ---------------------------------------------------------------------------------------------
# Pieces of a clause


def _phrase_re(phrases) -> re.Pattern:
    alts = sorted(phrases, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(p) for p in alts) + r")(?![a-z0-9])")


_TARGET_RE = _phrase_re(TARGET_WORDS)
_DESC_RE = _phrase_re(DESCRIPTOR_FORMS)
_AMOUNT_RE = _phrase_re(AMOUNT_WORDS)
_SECTION_RE = re.compile(
    r"\b(?:in|on|during|for|through|at|throughout|across)\s+(?:the\s+|all\s+the\s+|every\s+|each\s+)?"
    r"(?:("
    + "|".join(ORDINALS)
    + r")\s+)?("
    + "|".join(sorted(map(re.escape, SECTION_WORDS), key=len, reverse=True))
    + r")(?:\s*(\d))?s?\b"
)
_DB_RE = re.compile(
    r"(?<![\w.])([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|[+-]?inf(?:inity)?)\s*(?:db|decibels?|dbs)\b"
)
_NUMWORD_DB_RE = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\s*(?:db|decibels?|dbs)\b")
_FREQ_RANGE_RE = re.compile(r"(\d+(?:\.\d+)?)(k|khz|hz)-(\d+(?:\.\d+)?)(k|khz|hz)")
_FREQ_RE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(k|khz|hz|kilohertz|hertz)\b")
_BARE_NUM_RE = re.compile(r"(?<![\d.:])([+-]?\d+(?:\.\d+)?)(?![\d.:%]|\s*(?:k|khz|hz|ms|s)\b)")
_PCT_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent)")


def _freq(num: str, unit: str | None) -> float:
    v = float(num)
    return v * 1000 if (unit or "").startswith("k") else v


def _has(text: str, *pats: str) -> bool:
    return any(re.search(p, text) for p in pats)


def _word_dir(text: str) -> str | None:
    """Direction from the verbs and comparatives of a clause (None when it says neither)."""
    text = re.sub(r"\bbuild[- ]?ups?\b", "buildup", text)  # a noun of excess, not "up"
    # "needs cleaning up", "need taming": a band that needs work done on it comes down
    text = re.sub(
        r"\bneeds?\s+(?:some\s+|a bit of\s+|a little\s+)?(?:clean|tidy|tidi|tam|thinn|control|"
        r"reign|rein)\w*(?:\s+(?:up|in|out))?\b",
        "needs cut",
        text,
    )
    # "eating up all the midrange", "taking up too much space": hogging, not "up"
    text = re.sub(
        r"\b(?:eat|eats|eating|ate|hog|hogs|hogging|take|takes|taking|took)\s+up\b", "hogging", text
    )
    text = re.sub(
        r"\b(?:clean|tidy|clear|tighten|open|free|warm|fill|muddy|mess|build|set|end|show|pick|make|"
        r"sum|add|split|break|line|shake|dress|fire)(?:s|ed|ing)? up\b",
        " ",
        text,
    )
    down = _has(
        text,
        r"\b(?:down|quieter|softer|lower|reduce[ds]?|less|fewer|cut|dip|drop|pull(?:ed)?|out of|"
        r"tuck|tone down|decrease|remove|kill|tam(?:e|ing)|back off|attenuate|scoop|notch|carv\w*|"
        r"masking|masks|clash\w*|competing|competes|fighting|fights|conflict\w*|"
        r"shel(?:f|ve|ving) off|"
        r"take (?:out|off|away)|take\s+(?:\w+\s+){1,4}?off|shave|"
        r"get rid|too|lose|calm|rein|reign|soften|clear out|overpowering|overbearing|dominat\w*|hogging|"
        r"pokes?|poking|sticks? out|sticking out|jumps? out|in your face|hot|harsh|aggressive|boxy|"
        r"muddy|mud|boomy|nasal|honky|piercing|shrill|brittle|flabby|tinny|metallic|brassy|bloated|"
        r"puffy|excessive\w*|prominent|resonan\w*|ringing|undesirable|unwanted|unneeded|unnecessary|"
        r"superfluous|useless|offending|ugly|whistl\w*|spikes?|humps?|squeal\w*|whin(?:e|es|ing|y)|"
        r"(?:a|the|some|that) ring|rings|"
        r"problem\w*|buildup|overwhelming|grating|painful|fatiguing|abrasive|annoying|distracting|"
        r"obtrusive|intrusive|overdone|cheesy|messy|cluttered|crowded|congested|muddled|smeary)\b",
    )
    up = _has(
        text,
        r"\b(?:up|louder|raise|lift|boost|push|pump|more|add|crank|increase|bump|higher|hotter|feature|"
        r"bring out|bring (?:it|them) up|needs?|want|emphasi[sz]e|accentuate|enhance|buried|lost|"
        r"drowning|drowned|can'?t hear|cannot hear|hard to hear|hear (?:it|them) more|quiet|inaudible|"
        r"hidden|masked|swamped|weak|missing|gimme|give|lack\w*|too little)\b",
    )
    if re.search(r"(?:n't|\bnot|\bnever)\s+(?:really\s+|even\s+)?(?:want|need)\b", text):
        return "down"  # "you wouldn't want a really bassy guitar"
    if re.search(r"\btoo (?:quiet|soft|low|weak|buried|far)\b", text) or re.search(
        r"\bnot (?:loud|enough)\b|\b(?:very|so|too) little\b|\b(?:hardly|barely) any\b|"
        r"(?:n't|\bnot)\s+(?:\w+\s+){0,2}enough\b",
        text,
    ):
        return "up"
    if re.search(r"\btoo (?:loud|hot|much|high|present|forward|upfront|up front|big|strong)\b", text):
        return "down"
    if down and not up:
        return "down"
    if up and not down:
        return "up"
    if up and down:
        # the first decisive word wins ("less reverb, more delay" is split before this)
        m_up = re.search(r"\b(?:up|louder|more|boost|add|raise|push|buried|lost)\b", text)
        m_dn = re.search(
            r"\b(?:down|quieter|less|cut|reduce|too|lower|tam(?:e|ing)|dip|notch|scoop|carv\w*|remove|attenuate)\b",
            text,
        )
        if m_up and m_dn:
            return "up" if m_up.start() < m_dn.start() else "down"
        return "up" if m_up else "down" if m_dn else None
    return None


# ---------------------------------------------------------------------------------------------
# The grammar


#: Verbs of one part covering another, in every form ("crowds out", "stepping all over", "eats into",
#: "gets in the way of"): a word class, so that the part doing it comes down and the part it covers
#: is the yardstick.
_MASKING_VERBS = (
    r"(?:crowd(?:s|ing)?(?: out)?|step(?:s|ping)? (?:on|all over|over)|eat(?:s|ing)? (?:up|into|away at)|"
    r"cover(?:s|ed|ing)? up|obscur(?:e|es|ing)|swallow(?:s|ing)?|smother(?:s|ing)?|overshadow(?:s|ing)?|"
    r"overwhelm(?:s|ing)?|trampl(?:e|es|ing)|gets? in the way of|getting in the way of|stomp(?:s|ing)? on|"
    r"walk(?:s|ing)? (?:all )?over|sit(?:s|ting)? on top of)"
)

#: Up to four determiners or quantifiers before a noun ("the", "all of the", "any of your", "most of
#: the other"): a word class, so that phrases around a target do not each list their own.
_DETERMINERS = (
    r"(?:(?:the|a|an|all|any|some|most|much|many|every|each|of|your|my|our|their|his|her|its|other|"
    r"those|these|that|this|rest)\s+){0,4}"
)

#: The yardstick of a comparison, with a word or two of description before it: "too loud compared
#: to the backing instruments", "weak relative to the harmonic instruments", "disappears behind the
#: wall of guitars": only the other side is asked to move.
_YARDSTICK_RE = re.compile(
    r"\b(?:than|compared (?:to|with)|relative to|in comparison (?:to|with)|in relation to|next to|"
    r"against|versus|vs|over|behind|by|under|beneath|(?:sounds?|feels?|seems?|looks?) like)\s+"
    r"(?:(?:the|all|other|rest of the|your|its|their|those|these|a|an)\s+)*"
    r"(?:(?:wall|sea|mass|bed|rest|bunch|layer|cloud|swamp|pile) of\s+(?:the\s+)?)?"
    r"(?:[a-z\-]+\s+){0,2}$"
)


def _targets(
    clause: str, names: dict[str, str], dropped: list | None = None, why: list[str] | None = None
) -> list[tuple[str, str, int, int]]:
    """(canonical, words, start, end) for every target phrase in a clause (track names first);
    yardsticks and causes left out are added to ``dropped`` when given, and a reading for each
    phrase set aside for another reason to ``why``."""

    def aside(gone: list, reason: str) -> None:
        if why is not None:
            why.extend(f"'{f[1]}' read as: {reason}" for f in gone)

    found: list[tuple[str, str, int, int]] = []
    taken: list[tuple[int, int]] = []
    if names:
        for m in _phrase_re(names).finditer(clause):
            found.append((f"track:{names[m.group(1)]}", m.group(1), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in _TARGET_RE.finditer(clause):
        if any(a <= m.start() < b or a < m.end() <= b for a, b in taken):
            continue
        found.append((TARGET_WORDS[m.group(1)], m.group(1), m.start(), m.end()))
    found.sort(key=lambda x: x[2])
    # "the kick gets lost whenever the guitars come in": when, not what
    if len(found) > 1:
        when = [
            f
            for f in found[1:]
            if re.search(
                r"\b(?:when|whenever|once|as soon as|every time|until|till|after|before)\s+(?:the\s+"
                r"|all\s+the\s+)?$",
                clause[: f[2]],
            )
            and re.match(
                r"\s*(?:come|comes|came|enter|enters|entered|kick|kicks|start|starts|play|plays|drop|drops"
                r"|hit|hits)\b",
                clause[f[3] :],
            )
        ]
        aside(when, "when the move applies, not a target")
        found = [f for f in found if f not in when]
    # "masked by the guitars", "louder than the snare": the cause or the yardstick, not the target
    if len(found) > 1:
        keep = [
            f
            for f in found
            if not re.search(
                r"\b(?:by|than|behind|under|over|into|against|vs|versus|compared to|with|swamping|masking|"
                r"covering|burying|drowning out|eating|fighting|stepping on|clashing with|on top of|"
                r"overpower\w*|squelch\w*|drowns? out|drowned out|mask|masks|bury|buries|swamps?|smothers?|"
                r"dominates|obscur\w*|covers|eats|steps on|"
                r"(?:steals?|robs?|takes? away)\s+(?:\w+\s+){0,4}?from|swallow\w*|overshadow\w*|"
                r"in the way of|" + _MASKING_VERBS + r"|"
                r"(?!(?:lack|miss|need|want|los)ing\b)\w+ing(?:\s+(?:up|out|over))?)"
                r"\s+" + _DETERMINERS + r"$",
                clause[: f[2]],
            )
            and not (
                _YARDSTICK_RE.search(clause[: f[2]]) and not re.search(r"\b(?:and|or|,)\s*$", clause[: f[2]])
            )
        ]
        if len(keep) > 1 and any(f[0] not in ("mix", "low_end") for f in keep):
            keep = [f for f in keep if f[0] != "mix"]
        if dropped is not None:
            dropped.extend(f for f in found if f not in keep)
        found = keep or found
    # "to remove kick bleed", "snare spill in the overheads": leakage of a track, not the track
    if len(found) > 1:
        bleed = [
            f
            for f in found
            if re.match(r"\s*(?:drum\s+)?(?:bleed|spill|leakage|leaking|bleeding)\b", clause[f[3] :])
        ]
        aside(bleed, "leakage of it into another mic, not a target")
        found = [f for f in found if f not in bleed] or found
    # "the room mics on your drums", "drum room mics": a part named with its group is the part
    if len(found) > 1:
        parts = []
        for a, b in zip(found, found[1:], strict=False):
            gap = clause[a[3] : b[2]]
            if not re.fullmatch(r"\s*(?:(?:on|in|of|from|for)\s+(?:the|your|my|our|their)?\s*)?", gap):
                continue
            if "low_end" in (a[0], b[0]):  # a band of the spectrum, not a group of tracks
                continue
            ra, rb = set(TARGET_ROLES.get(a[0], ())), set(TARGET_ROLES.get(b[0], ()))
            if ra and rb and ra < rb:
                parts.append(b)
            elif ra and rb and rb < ra:
                parts.append(a)
        aside(parts, "the group the part before or after it belongs to, not a second target")
        found = [f for f in found if f not in parts]
    # "it's masking the vocal": "it" is what moves; the masked one is the yardstick
    if (
        len(found) == 1
        and re.match(r"\s*(?:but\s+|and\s+|so\s+)?(?:it|they|it is|they are|this|that)\b", clause)
        and re.search(
            r"\b(?:mask\w*|bur(?:y|ies|ying)|drown\w* out|swamp\w*|overpower\w*|clash\w* with|"
            r"compet\w* with|fight\w*(?: with)?|step\w* on)\s+(?:the\s+|your\s+)?$",
            clause[: found[0][2]],
        )
    ):
        if dropped is not None:
            dropped.extend(found)
        return []
    # "it sits too far behind the guitars", "they're louder than the vocal": with a pronoun for the
    # subject, the one named after a word of comparison is the yardstick, whatever the verb
    if (
        len(found) == 1
        and re.match(
            r"\s*(?:but\s+|and\s+|so\s+|though\s+)?(?:it|they)\b(?!\s+(?:is|are)\s+(?:the|a)\b)", clause
        )
        and _YARDSTICK_RE.search(clause[: found[0][2]])
        and not _YARDSTICK_RE.search(clause[: found[0][2]])
        .group(0)
        .startswith(("sound", "feel", "seem", "look"))
        and not re.search(r"\b(?:and|or|,)\s*$", clause[: found[0][2]])
    ):
        if dropped is not None:
            dropped.extend(found)
        return []
    # "make room for the instruments": what the room is for does not move
    room = [
        f
        for f in found
        if re.search(
            r"\bclearance\s+(?:for|from)\s+(?:(?:the|all|other|these|those|your)\s+)*$", clause[: f[2]]
        )
    ]
    aside(room, "what the room is made for, not moved")
    # "too bright compared to the rest of the track": the rest of the mix is the yardstick
    rest_of = [
        f for f in found if f[0] == "mix" and re.search(r"\b(?:rest|remainder) of\s+$", clause[: f[2]])
    ]
    aside(rest_of, "the rest of the mix as a yardstick")
    gone = room + rest_of
    found = [f for f in found if f not in gone]
    # "it was too loud ... at that point in the song": where, not what; "it" is the target
    if (
        found
        and all(f[0] == "mix" for f in found)
        and re.search(r"\b(?:it|they|them|its|their)\b", clause[: found[0][2]])
        and all(
            re.search(r"\b(?:in|into|throughout|through|across|within|of)\s+$", clause[: f[2]]) for f in found
        )
    ):
        aside(found, "where in the song, not what; the target is what 'it' means")
        return []
    return found


def _blank_targets(clause: str, targets: list[tuple[str, str, int, int]]) -> str:
    """The clause with its target phrases blanked out (positions kept)."""
    for t in targets:
        clause = clause[: t[2]] + " " * (t[3] - t[2]) + clause[t[3] :]
    return clause


#: Nouns a state may be said of that mean the whole mix or a part of its sound, not another thing.
_SOUND_NOUNS = set(
    "mix song track tune record sound sounds tone tones texture thing whole overall balance beat "
    "production master recording end range frequencies frequency band area spectrum stereo image "
    "space room reverb verb delay echo effects fx sides side centre center middle top bottom low "
    "high lows highs mids level levels volume dynamics transients attack tail part parts section "
    "verse chorus intro outro bridge drop hook one it mixing eq eqing".split()
)


def _foreign_subject(clause: str) -> str | None:
    """The subject of a state clause when it names something that is neither a target nor a part of
    the sound ("the backline amps are loud"), else None."""
    m = re.match(
        r"\s*(?:\w+\s+){0,2}?(?:the|my|your|his|her|their|our|these|those)\s+((?:[a-z\-]+\s+){1,3}?)"
        r"(?:is|are|was|were|sounds?|seems?|feels?|gets?)\b",
        clause,
    )
    if not m:
        return None
    words = m.group(1).split()
    if any(w in _SOUND_NOUNS or w.rstrip("s") in _SOUND_NOUNS or w in DESCRIPTOR_FORMS for w in words):
        return None
    return " ".join(words)


def _amount(clause: str) -> tuple[float | None, str, bool]:
    m = _DB_RE.search(clause)
    if m:
        return abs(float(m.group(1))), "", True
    m = _NUMWORD_DB_RE.search(clause)
    if m:
        return float(NUMBER_WORDS[m.group(1)]), "", True
    m = re.search(
        r"\b(?:up|down|louder|quieter|softer|by|raise|lower|boost|cut)\s+(?:by\s+)?(\d+(?:\.\d+)?)(?![\d.]"
        r"|\s*(?:k|hz|%|ms))",
        clause,
    )
    if m and float(m.group(1)) <= 24:
        return float(m.group(1)), "", True
    m = re.search(r"(?<![\w.])[+-](\d+(?:\.\d+)?)(?![\d.]|\s*(?:k|hz|%|ms))", clause)
    if m and float(m.group(1)) <= 24:
        return float(m.group(1)), "", True
    m = _AMOUNT_RE.search(clause)
    if m:
        return AMOUNT_WORDS[m.group(1)], m.group(1), False
    return None, "", False


def _section(clause: str) -> tuple[dict | None, str]:
    m = _SECTION_RE.search(clause)
    if not m:
        return None, clause
    ordinal, word, digit = m.group(1), m.group(2), m.group(3)
    idx = ORDINALS[ordinal] if ordinal else (int(digit) if digit else None)
    return {"name": SECTION_WORDS[word], "index": idx}, clause[: m.start()] + " " + clause[m.end() :]


def _signed_db(clause: str) -> float | None:
    m = _DB_RE.search(clause)
    if m and m.group(1)[0] in "+-":
        return float(m.group(1))
    return None


_FILTER_PATTERNS = (  # (action, the phrases that ask for it), the high-pass tried first
    (
        "highpass",
        (
            r"\bhigh-?pass",
            r"\bhpf\b",
            r"\blow-?cut\b",
            r"\bhp\b",
            r"\broll(?:ing)?[- ]?off\s+(?:(?:some|a bit|a little|a touch)\s+(?:of\s+)?)?(?:the\s+)?"
            r"(?:low|bottom|sub)",
            r"\b(?:roll|cut|filter|take)(?:\s+\w+){0,3}\s+(?:off\s+)?(?:below|under)\s+\d",
            r"\b(?:reduce|remove|cut|filter|roll|shave|take)\w*(?:\s+\w+){0,6}?\s+(?:below|under)\s+"
            r"(?:approximately\s+|about\s+|around\s+|roughly\s+)?\d",
            r"\b(?:roll\w*|shav\w+|cut\w*|filter\w*|take)\s+(?:off\s+)?(?:the\s+)?(?:low|bottom|sub)\w*\s+"
            r"(?:end|frequencies|freqs|lows)?\s*(?:off|out)\b",
            r"\brumble\b",
            r"(?:n't|\bnot|\bnever|\bno)\s+need\w*\s+(?:(?:any|anything|much|the)\s+)?(?:\w+\s+)?(?:below"
            r"|under"
            r"|beneath)\s+\d",
            r"\b(?:cut|remove|get rid of|clean up|lose|eliminate|take out)\w*\s+(?:\w+\s+)?(?:unnecessary"
            r"|unneeded|"
            r"unwanted|excess|useless|superfluous)\s+(?:sub(?:[- ]?bass)?|subs|lows|low[- ]end|bottom(?:"
            r" end)?|"
            r"low frequencies)\b",
            # "a low-end roll-off", "a bass roll-off", "an LF cut"
            r"\b(?:low[- ]?end|lows?|bass|low[- ]?frequency|lf|bottom(?: end)?|sub)\s+roll[- ]?off\b",
            r"\blf cut\b",
            # "filter the low end of the keys", "clean up the bottom with a filter"
            r"\bfilter\w*(?:\s+\w+){0,4}?\s+(?:lows?|bottom|sub|subs)\b",
            r"\b(?:lows?|bottom|sub|subs)\b(?:\s+\w+){0,5}?\s+(?:with\s+)?(?:a|an|the)\s+filter\b",
        ),
    ),
    (
        "lowpass",
        (
            r"\blow-?pass",
            r"\blpf\b",
            r"\bhigh-?cut\b",
            r"\broll(?:ing)?[- ]?off (?:the )?(?:top|high)",
            r"\b(?:roll|cut|filter|take)(?:\s+\w+){0,3}\s+(?:off\s+)?(?:above|over)\s+\d",
        ),
    ),
)


#: "sits a bit high", "is way low": the words between the verb and a level's "high"/"low"
_LEVEL_HEDGE = (
    r"(?:(?:a bit|a little|slightly|way|too|quite|rather|kinda|kind of|sort of|bit|somewhat|fairly|"
    r"pretty|very|really|a tad|a touch|relatively|comparatively|overly|super)\s+)?"
)


#: A verb that takes something away, said of the thing that follows ("reduce the width",
#: "take out some of the punch", "I'd lose some of the compression", "there's too much ...").
_LESS_OF = (
    r"\b(?:reduce|lower|decrease|cut|remove|drop|kill|bypass|disable|lose|take (?:off|out|away)|"
    r"pull back|pull down|bring down|turn down|tone down|back off|ease off|ease up on|get rid of|"
    r"dial back|less of|too much)\s+(?:(?:the|some|of|a|bit|little|that|those|your|all)\s+)*"
    r"(?:[\w-]+\s+)?"
)


def _less_of(c: str, noun: str) -> bool:
    """Whether a taking-away verb governs ``noun`` (a regex) in the clause."""
    return bool(re.search(_LESS_OF + r"(?:" + noun + r")\b", c))


def _action(clause: str, has_target: bool) -> tuple[str, str | None, dict]:
    """(action, direction, extras) for a clause with target phrases blanked out."""
    c = clause
    ex: dict = {}
    # mute / solo ("mute the hi hat", "unmute the vocal", "solo the bass"; "in the solo" is a section
    # and was taken out before this)
    mm = re.search(
        r"(?:^\s*|\b(?:and|then|please|just|to|should|must|can|could|you)\s+)(un-?)?(mute|solo)\b"
        r"|\b(un-?)?(mute|solo)\s+(?:the|it|them|that|this|my|your|everything|all|out)\b",
        c,
    ) or re.search(
        r"\b(?:get|keep|leave)\s+(?:(?:the|it|them)\s+)?(un-?)?(mute|solo)(?:e?d)?\b",
        c,
    )
    if mm:
        g = mm.groups()  # (un-, verb) from whichever alternative matched
        neg, verb = (g[0], g[1]) if g[1] else (g[2], g[3])
        return verb, "off" if neg else "on", ex
    if (
        (has_target or _has(c, r"\bdominat\w+ presence\b"))
        and _has(
            c,
            r"\b(?:disappear\w*|vanish\w*)\b",
            r"\b(?:too|excessively|overly|way too|much too) (?:loud|quiet|soft)\b",
            r"\bdominat\w+ presence\b",
        )
        and not _has(
            c,
            r"\b(?:delays?|echo\w*|repeats|throws|slap(?:back)?|reverbs?|verbs?|ess\w*|sibilan\w*|s'?s"
            r"|cymbals?|room)\b",
        )
    ):
        return "level", "down" if _has(c, r"\b(?:loud|dominat\w+)\b") else "up", ex
    if has_target and (
        re.match(
            r"\s*(?:save|hold|keep)\s+(?:the\s+|your\s+|all\s+the\s+)?\s*(?:back\s+)?(?:(?:for|til|till|until"
            r"|'til)\b|\s*$)",
            c,
        )
        or _has(c, r"\b(?:sit|sits|lay|lays|drop|drops|stay|stays)\s+out\b(?!\s+(?:of|in|front)\b)")
    ):
        return "mute", "on", ex  # "save the piano for the last chorus": not playing until then
    if has_target and re.match(
        r"\s*(?:just\s+)?(?:lose|ditch|kill|axe)\s+(?:the|those|that|all the|your)\s*$", c
    ):
        return "mute", "on", ex  # "lose the rhythm guitars": the whole track
    # de-essing
    if _has(c, r"\bde-?ess\w*", r"\bsibilan\w*", r"\bess+es\b", r"\bs'?s\b", r"\bessy\b", r"\bsss+\b"):
        d = "down" if _has(c, r"\b(?:less|no|fewer|remove|undo|back off)\s+(?:the\s+)?de-?ess") else "up"
        return "deess", d, ex
    # high-pass / low-pass
    fm = (
        _FREQ_RE.search(c)
        or re.search(
            r"\b(?:cut|boost|dip|scoop|notch|bump|add|pull|reduce|take out|take|lift)\s+(?:out\s+|up\s+)?"
            r"(?:some\s+|a bit of\s+|a little\s+)?"
            r"(\d{2,5})()(?![\d.]|\s*(?:db|%))",
            c,
        )
        or re.search(r"\b(?:below|above|under|over|at|around)\s+(\d{2,5})()(?![\d.]|\s*(?:db|%))", c)
    )
    for kind, patterns in _FILTER_PATTERNS:
        if _has(c, *patterns):
            rm = _FREQ_RANGE_RE.search(c)
            if rm:  # "below 80 to 100 Hz": the geometric centre
                lo, hi = _freq(rm.group(1), rm.group(2)), _freq(rm.group(3), rm.group(4))
                ex["freq_range"] = (lo, hi)
                ex["freq"] = round(float((lo * hi) ** 0.5), 1)
            elif fm:
                ex["freq"] = _freq(fm.group(1), fm.group(2))
            return kind, "up", ex
    if not fm and has_target and _has(c, r"\b(?:notch\w*|carv\w+|scoop\w*)\b"):
        return "eq", "down", ex
    # "get rid of resonant frequencies", "tame the harsh peaks": a band named by its fault is cut
    if (
        not fm
        and has_target
        and _has(
            c,
            r"\b(?:resonant|ringing|harsh|muddy|boomy|boxy|nasal|honky|unwanted|unneeded|problem(?:atic)?|"
            r"offending|nasty|annoying|ugly)\s+(?:frequenc\w+|freqs?|resonances?|peaks?|spots?|tones?"
            r"|overtones?|rings?)\b",
        )
        and _word_dir(c) != "up"
    ):
        return "eq", "down", ex
    # "a bit of mid-range control", "low-end control": the band tamed
    if has_target and _has(
        c,
        r"\b(?:mid-?range|mids?|low[- ]?mids?|low[- ]?end|lows|highs|top[- ]?end|high[- ]?end|bottom[-"
        r" ]?end)\s+control\b",
    ):
        return "eq", "down", ex
    # "cut the frequency out of bass and kick", "boost that range": a band, so EQ
    if (
        not fm
        and has_target
        and _has(
            c,
            r"\b(?:the|that|this|those|these|offending|problem)\s+(?:\w+\s+)?(?:frequenc\w+|freqs?|range"
            r"|band|resonances?)\b",
        )
        and (d := _word_dir(c))
    ):
        return "eq", d, ex
    if fm and not _has(c, r"\b(?:delay|echo|reverb|verb)\b"):
        rm = _FREQ_RANGE_RE.search(c)
        if rm:
            lo, hi = _freq(rm.group(1), rm.group(2)), _freq(rm.group(3), rm.group(4))
            if rm.group(2) == "k" and rm.group(4) == "k":
                pass
            ex["freq_range"] = (lo, hi)
            ex["freq"] = round(float((lo * hi) ** 0.5), 1)
        else:
            ex["freq"] = _freq(fm.group(1), fm.group(2))
        d = _word_dir(c)
        ex["dir_default"] = d is None and not _DESC_RE.search(c)  # "presence at 3k" is a wish
        return "eq", d or "up", ex
    # space: "distant because of too much reverb", "reduce the reverb sends": the reverb is the move
    if _has(c, r"\b(?:reverbs?|verbs?|'verb)\b") and _has(
        c,
        r"\btoo much\b",
        r"\b(?:reduc\w*|less|lower\w*|overus\w*|drown\w*|swamp\w*|smother\w*|drench\w*|cut|pull)\b",
    ):
        return "reverb", "down", ex
    # "panned too far apart": the stereo spread, not the depth
    if _has(c, r"\b(?:too|so|very)\s+(?:far\s+|wide\s+)?apart\b"):
        return "width", "down", ex
    if _has(c, r"\b(?:further|farther|more|wider)\s+apart\b"):
        return "width", "up", ex
    # "the guitars are still drowned out by ...", "the vocals dip a little lower": the named part is
    # too quiet, whatever band or cause the rest of the clause names
    if (
        has_target
        and (
            _has(
                c,
                r"\b(?:is|are|was|were|gets?|getting|got|being|still|become|becomes)\s+(?:\w+\s+){0,2}?"
                r"(?:drowned(?: out)?|buried|masked|swamped|obscured|smothered|overpowered|overshadowed|"
                r"covered up|wiped out|lost)\b",
            )
            or re.match(
                r"^\s*(?:the|my|your|our|his|her|their)?\s{3,}(?:dips?|drops?|falls?|sinks?)\b(?!\s+(?:out"
                r"|off)\b)",
                c,
            )
        )
        and not _has(c, r"\b(?:delays?|echo\w*|reverbs?|verbs?|'verb|sibilan\w*|ess\w*)\b")
    ):
        return "level", "up", ex
    # "the vocal is getting lost behind the guitars", "the drums are pushed way in the background",
    # "the vocals are sitting back in the mix": a state of being too far back is a level complaint
    if _has(
        c,
        r"\b(?:lost|buried|hidden|masked|drowned|swamped|disappear\w*|vanish\w*|fad\w+)\s+(?:\w+\s+){0,3}?"
        r"(?:behind|back|in(?:to)? the background)\b",
        r"\b(?:is|are|was|were|gets?|getting)\s+(?:\w+\s+){0,1}(?:sitting|sat|pushed|set|tucked|stuck"
        r"|placed)\s+"
        r"(?:(?:way|too|so|a bit|far|very|quite|really)\s+)*(?:back|in the background|behind)\b",
    ) and not _has(c, r"^\s*(?:push|pull|set|put|move|tuck|sit|send|let|make|keep)\b"):
        return "level", "up", ex
    if _has(
        c,
        r"\b(?:further|farther|more) (?:back|away|distant)\b",
        r"\b(?:push|pull|move|set|sit|put|tuck)(?:ed|s|ing)?\s+(?:(?:it|them|the|this|that)\s+)?\s*back\b"
        r"(?!\s+(?:the\s+|some\s+|on\s+)?(?:[\w-]+\s+)?(?:reverb|verb|delay|echo|compress\w*|limit\w*|width|"
        r"high|low|top|bottom|presence|air|punch|volume|level|gain|mids?|treble|bass end|sends?)\b)",
        r"\bsits? back\b",
        r"\bset back\b",
        r"\bin the back(?:ground)?\b",
        r"\bbehind\b",
        r"\bdistant\b",
    ):
        if _has(c, r"\btoo (?:far|distant)\b", r"\bnot so\b") or (
            _has(
                c,
                r"\b(?:is|are|was|were|sounds?|feels?|seems?|also|and|overly|rather|quite|very)\s+"
                r"(?:\w+\s+)?distant\b",
            )
            and not _has(c, r"\b(?:make|more|push|set|put|send|move|further|farther)\b")
        ):
            return "depth", "up", ex  # "the drums are distant": a complaint, bring them closer
        return "depth", "down", ex
    if _has(
        c,
        r"\bup ?front\b",
        r"\bforward\b",
        r"\bin (?:your|ya) face\b",
        r"\bcloser\b",
        r"\bin front\b",
        r"\bmore intimate\b",
        r"\btoo (?:far|distant)\b(?!\s+(?:to the\s+)?(?:left|right)\b)",
    ):
        d = (
            "down"
            if _has(
                c,
                r"\b(?:too|way|so|very|really) (?:far )?(?:upfront|up front|forward|close|in your face)\b",
                r"\bless\b",
            )
            # a state with no wish beside it is the complaint: "the snare is in your face"
            or (
                _has(
                    c,
                    r"\b(?:is|are|was|were|sits?|sitting|sounds?|feels?|seems?)\s+(?:\w+\s+){0,2}?"
                    r"(?:upfront|up front|forward|in (?:your|ya) face|in front)\b",
                )
                and not _has(
                    c,
                    r"\b(?:more|could|should|would|needs?|want\w*|bring|push|make|get|put|pull|"
                    r"enough|not|isn't|aren't|never)\b",
                )
            )
            else "up"
        )
        return "depth", d, ex
    if _has(
        c,
        r"\b(?:reverb|verb|'verb|reverbs|room|hall|plate|ambience|ambient|space|spacious|wet|wetter|"
        r"dry|drier|dryer|washy|wash|roomy|cavernous)\b",
    ) and not (
        # "a tape delay to add more space": the delay named is the move, space is what it is for
        _has(c, r"\b(?:delay|delays|echo|echoes|slapback)\b")
        and not _has(c, r"\b(?:reverb|verb|'verb|reverbs|hall|plate|room)\b")
    ):
        if _has(
            c,
            r"\b(?:overdone|overused|overkill|subtle|subtler|swamped|drown\w*|smother\w*|drench\w*|mudd(?:y"
            r"|ies|ying)|"
            r"smear\w*|clutter\w*|distract\w*|messy|"
            r"(?:eaten|swallowed|buried|masked|drowned|washed out|smeared|lost) (?:up )?(?:by|in) (?:the "
            r"|all the |that |so "
            r"much )?(?:reverb|verb|'verb|room|ambience|hall|plate)|"
            r"scal\w+ back|overwhelm\w*|excessive|wash(?:es|ing|ed)? out|swimming|soaked|awash|"
            r"shorten\w*|shorter|tighten\w*)\b",
        ):
            d = "down"
        elif _has(c, r"\btoo (?:dry|drier|dead)\b") or (
            # "the vocals are a bit dry", "low, dry and dull": the bare adjective is a complaint
            _has(c, r"\bdry\b")
            and not _has(c, r"\b(?:make|keep|go|leave|more|drier|dryer)\b", r"\bdry (?:it|them|up|out)\b")
        ):
            d = "up"
        elif _has(
            c, r"\b(?:dry|drier|dryer)\b", r"\btoo (?:wet|washy|roomy|spacious|cavernous)\b", r"\bwashy\b"
        ):
            d = "down"
        elif _has(c, r"\b(?:wet|wetter|roomy|spacious|cavernous|ambient)\b"):
            d = "up"
        else:
            d = _word_dir(c) or "up"
        return "reverb", d, ex
    if _has(c, r"\b(?:delay|delays|echo|echoes|echos|slapback|slap|throws?(?! away)|repeats)\b"):
        if _has(
            c,
            r"\b(?:wash(?:es|ing|ed)? out|clutter\w*|smear\w*|distract\w*|overdone|overkill|muddy\w*|messy|"
            r"too (?:loud|much|long|busy|obvious|prominent|high)|a (?:bit|hair|tad|little) much)\b",
            r"\b(?:keep|kept|set|leave|tuck)\s+(?:\w+\s+){0,3}?(?:low|lower|subtle|quiet|back|under)\b",
        ):
            return "delay", "down", ex  # "the echoes are cluttering up the mix": less of it
        return "delay", _word_dir(c) or "up", ex
    # stereo
    if _has(
        c,
        r"\bpan(?:ned|ning|s)?\b",
        r"\b(?:to|towards|toward|in|on|into) the (?:left|right)\b",
        r"\b(?:hard|more|further|bit|little|slightly) (?:left|right)\b",
        r"\b(?:left|right) (?:a bit|a little|more|a touch)\b",
        r"\bcent(?:er|re)\b",
        # "centering it", "keep it centred", not a state ("the mix sounds pretty centered")
        r"(?<!\bis )(?<!\bare )(?<!\bsounds )(?<!\bseems )(?<!\bfeels )(?<!\bpretty )(?<!\bvery )(?<!\btoo )"
        r"\bcent(?:er|re)(?:d|ed|ing)\b(?!\s+(?:around|at|on|between|near)\b)",
        r"\b(?:left|right) of (?:the )?(?:cent(?:er|re)|middle|inner)\b",
        # a place said as a state: "the piano is too far left", "the bass sits off-centre"
        r"\b(?:too|way|so) (?:far |much )?(?:over )?(?:to the )?(?:left|right)\b",
        r"\boff[- ]?cent(?:er|re)(?:d)?\b|\b(?:off|over) to (?:one|the) side\b|\blop-?sided\b",
    ):
        if _has(c, r"\boff[- ]?cent(?:er|re)(?:d)?\b|\b(?:off|over) to (?:one|the) side\b|\blop-?sided\b"):
            return "pan", "centre", ex
        if _has(c, r"\bcent(?:er|re)(?:d|ed|ing)?\b") and not _has(c, r"\b(?:left|right)\b"):
            return "pan", "centre", ex
        if far := re.search(r"\b(?:too|way|so) (?:far |much )?(?:over )?(?:to the )?(left|right)\b", c):
            d = "right" if far.group(1) == "left" else "left"  # "panned too far left": back the other way
        elif _has(c, r"\bleft\b"):
            d = "left"
        elif _has(c, r"\bright\b"):
            d = "right"
        elif _has(c, r"\bwider\b", r"\bwide\b", r"\bspread\b", r"\bout\b", r"\bapart\b"):
            return "width", "up", ex
        else:
            if _has(
                c,
                r"\b(?:smeared|unfocused|diffuse|blurry|wishy[- ]washy|drifting|wandering|overactive|busy)\b",
            ):
                return "width", "down", ex  # "the panning on the drums is overactive"
            return "pan", None, ex
        if _has(c, r"\bhard\b", r"\ball the way\b"):
            ex["hard"] = True
        pm = _PCT_RE.search(c) or _BARE_NUM_RE.search(c)
        if pm:
            ex["pan_pct"] = float(pm.group(1))
        return "pan", d, ex
    if _has(
        c,
        r"\b(?:convert\w*|fold\w*|sum\w*|collaps\w*|make|made|keep|kept|go|bounce\w*)\s+(?:\w+\s+){0,3}?"
        r"(?:to|in|into)?\s*mono\b",
        r"\bthrow\w* away one side\b",
        r"\b(?:smeared|unfocused|diffuse|blurry|wishy[- ]washy|drifting|wandering|overactive|"
        r"ping-?ponging)\b",
    ) and _has(c, r"\b(?:wide|width|stereo|mono|side|pan\w*|image|smeared|unfocused|drifting)\b"):
        return "width", "down", ex
    if _has(
        c,
        r"\b(?:wide|wider|widen\w*|width|spread|spreads|spreading|stereo|big(?:ger)? stereo)\b",
        r"\bacross the (?:\w+ )?(?:field|image|spectrum|panorama|soundstage)\b",
    ):
        d = "down" if _has(c, r"\b(?:less|too|reduce|not so)\b") else "up"
        if _less_of(c, r"width|stereo width|spread|stereo"):
            d = "down"  # "reduce the width of the pads"
        if _has(c, r"\btoo\s+(?:\w+\s+)?(?:narrow|mono|small|cramped|centred|centered)\b"):
            d = "up"  # "the stereo image is too narrow": the width is what is missing
        # "the pads don't need to be super wide", "avoid making the bass stereo": the wish denied
        if _has(
            c,
            r"(?:n't|\bnot|\bnever|\bavoid\w*|\bno need to)\s+(?:[\w']+\s+){0,4}?(?:wide|wider|stereo"
            r"|spread)\b",
        ):
            d = "down"
        if _has(c, r"\b(?:narrow\w*|mono)\b") and not _has(
            c, r"\b(?:sounds?|sounded|is|are|was|were|feels?|felt|seems?|too)\s+(?:\w+\s+)?(?:narrow|mono)\b"
        ):
            d = "down"
        return "width", d, ex
    if _has(c, r"\b(?:narrow|narrower|narrowed|mono|monoed|tighter image|collapse)\b"):
        d = "up" if _has(c, r"\btoo (?:narrow|mono)\b", r"\bless mono\b") else "down"
        if _has(
            c, r"\b(?:is|are|sounds?|feels?|seems?|gets?|got|getting)\s+(?:\w+\s+){0,3}(?:narrow|mono)\b"
        ) and not _has(c, r"\b(?:make|keep|go|sum|fold|collapse|should|could|needs?)\b"):
            d = "up"  # "it's all a bit mono": a complaint, widen it
        return "width", d, ex
    # dynamics
    if _has(
        c,
        r"\bpunch\w*\b",
        r"\bsmack\w*\b",
        r"\bslap(?:py|pier)?\b",
        r"\bhit(?:s)? harder\b",
        r"\bthump\w*\b",
        r"\b(?:to|really|more) pop\b",
        r"\bimpact\b",
        r"\bsnap(?:py|pier)?\b",
    ):
        d = (
            "down"
            if _has(c, r"\b(?:less|too|not so)\b")
            or _less_of(c, r"punch\w*|smack\w*|thump\w*|impact|snap\w*")
            else "up"
        )
        if _has(c, r"\b(?:is|are|was|were|sounds?|feels?)\s+(?:\w+\s+){0,2}punchy\b") and not _has(
            c, r"\b(?:not|too|more|less|enough|needs?|could|should|lacks?)\b|n't\b"
        ):
            return "", None, ex  # "the texture is really punchy": a description, nothing to do
        return "punch", d, ex
    if _has(
        c,
        r"\bsustain\w*\b",
        r"\bring (?:out )?longer\b",
        r"\bdecay\b",
        r"\btail\b",
        r"\brings? (?:out )?(?:for )?(?:way |far )?too long\b",
    ):
        d = "down" if _has(c, r"\b(?:less|too|shorter|reduce|tighter)\b") else "up"
        return "sustain", d, ex
    if _has(
        c,
        r"\b(?:is|are|sounds?|feels?|seems?|gets?)\s+(?:\w+\s+){0,2}(?:compressed|limited|squashed"
        r"|squished)\b",
    ):
        return "compression", "down", ex
    if _has(
        c,
        r"\b(?:compress\w*|squash\w*|squish\w*|smash\w*|crush\w*|squeez\w*|glue|gluey|limit\w*|(?<!-)ratio|"
        r"threshold|\d+(?:\.\d+)?:1|"
        r"over-?compressed|pumping|pumps|breath(?:e|ing)|dynamic|dynamics|peaks?|peaky|spiky|transients?|"
        r"even(?:ed)? out|more even|controlled|control|uneven|jumpy|levell?ing|variations?|inconsisten\w*|"
        r"fluctuat\w*)\b",
    ):
        if _has(
            c,
            r"\b(?:squashed|squished|smashed|crushed|over-?compressed|over-?limit\w*|over-?processed|pumping|pumps|"
            r"lifeless|flat|"
            r"crushing|squashing|smashing)\b",
            r"\b(?:squash|crush|smash|squeez|compress|kill)\w* (?:all )?the life\b",
            r"\btoo (?:compressed|squashed|limited|controlled|even)\b",
            r"\b(?:compress|limit|squash|squeez|crush)\w*\s+(?:it\s+|them\s+|things\s+|everything\s+)?"
            r"(?:too much|too hard|too heavily|so much|so hard)\b",
            r"\b(?:compress\w*|limit\w*) (?:\w+ ){0,4}?(?:is|are|was|were|sounds?|feels?) (?:\w+ )?"
            r"(?:too )?(?:crude|heavy|much|aggressive|obvious|strong|harsh|extreme|audible)\b",
            r"\bless (?:compress\w*|squash\w*|limit\w*)\b",
            r"\b(?:compress|limit|squash|crush|smash)\w*\s+(?:\w+\s+)?to (?:death|hell|oblivion|bits"
            r"|pieces)\b",
            r"\bno (?:dynamic range|dynamics)\b|\b(?:dynamic range|dynamics) (?:is |are |has |have )?(?:been"
            r" )?"
            r"(?:gone|lost|missing|crushed|squashed)\b",
            r"\b(?:more )?(?:breathe|breathing)\b",
            r"\bmore dynamic\w*\b",
            r"\bun-?compress\w*\b",
            r"\b(?:open|back off|ease off|ease up on|relax) (?:the )?(?:compress\w*|limit\w*)\b",
        ) or _less_of(c, r"compress\w*|limit\w*|squash\w*"):
            # "reduce the compression on the drums", "there's too much compression": a taking-away verb
            return "compression", "down", ex
        return "compression", "up", ex
    # EQ by descriptor
    dm = _DESC_RE.search(c)
    if (
        dm
        and DESCRIPTOR_FORMS[dm.group(1)] == "present"
        and _has(
            c,
            r"\b(?:loud|louder|quiet|quieter|soft|prominent|dominat\w*|upfront|forward|buried|level"
            r"|volume)\b",
        )
    ):
        dm = None  # "too loud and present": how loud, not the presence band
    if dm:
        word = dm.group(1)
        key = DESCRIPTOR_FORMS[word]
        desc = DESCRIPTORS[key]
        ex["descriptor"] = key
        if key == "bassy" and not has_target and word in ("sub", "bottom"):
            pass
        wd = _word_dir(c[: dm.start()] + " " + c[dm.end() :])
        if desc.problem:
            # "muddy", "too muddy", "less mud", "clean up the mud" -> fix; only "more mud" asks for more
            d = desc.fix
            if re.search(
                r"\b(?:more|add|boost|bring out)\s+(?:some\s+|a bit of\s+|of the\s+)?" + re.escape(word), c
            ):
                d = "down" if desc.fix == "up" else "up"
            if (
                key in ("dull", "dark")
                and _has(c, r"\b(?:darker|duller|darken)\b")
                and not _has(c, r"\btoo\b")
            ):
                d = "down"
            if key == "thin" and _has(c, r"\bthinner\b|\bthin (?:it|them|out)\b"):
                d = "down"
            if key == "thin" and _has(c, r"\btoo\b"):
                d = "up"
        else:
            # a wish: "brighter", "more air" -> up; "too bright", "less air" -> down
            d = (
                "down"
                if _has(
                    c, r"\btoo\b(?!\s+(?:little|few)\b)", r"\bless\b", r"\breduce\b", r"\btame\b", r"\bcut\b"
                )
                else (wd or "up")
            )
            if wd == "down" and not _has(c, r"\btoo\b"):
                d = "down"
            ex["dir_default"] = wd is None and d == "up"
            # a bare adjective as a complaint: "the guitars are a bit thick", "vocal sounds bright"
            copula = r"\b(?:is|are|sounds?|feels?|seems?|gets?|getting|'s|'re)\s+(?:\w+\s+){0,3}"
            if (
                not word.endswith("er")
                and key not in ("highs", "mids", "low mids", "high mids")
                and word != "lows"
                and re.search(copula + re.escape(word) + r"\b", c)
                and wd != "up"
                and not re.search(
                    r"\b(?:some|more|extra|a bit of|a little)\s+(?:\w+\s+)?" + re.escape(word), c
                )
            ):
                d = "down"
            # "with way more midbass than commercial mixes": more than the yardstick, said of the mix
            if re.search(r"\bmore\s+" + re.escape(word) + r"\s+than\b", c) and not _has(
                c, r"\b(?:needs?|want\w*|could|should|add|give|get|use)\b"
            ):
                d = "down"
            # "so bright and brassy", "overly bright": an intensifier makes the wish a complaint
            if re.search(r"\b(?:so|overly|excessively|too)\s+" + re.escape(word) + r"\b", c):
                d = "down"
            # "it doesn't sound open on the top end", "lacks sparkle": the wish is missing
            if (
                re.search(
                    r"(?:n't|\bnot|\bnever|\black\w*|\bmissing|\bwithout)\s+(?:[\w']+\s+){0,5}?"
                    + re.escape(word)
                    + r"\b",
                    c,
                )
                and not re.search(r"\b(?:too|so|overly)\s+" + re.escape(word) + r"\b", c)
                and not re.search(
                    r"(?:n't|\bnot|\bnever)\s+(?:really\s+|even\s+)?(?:want|need|like|use)\b", c
                )
            ):
                d = "up"
            ex["dir_default"] = (
                ex["dir_default"] and d == "up" and not _has(c, r"\b(?:n't|not|lack\w*|missing)\b")
            )
        return "eq", d, ex
    # level
    sm = re.search(r"(?<![\w.])([+-]\d+(?:\.\d+)?)(?![\d.]|\s*(?:k|hz|%|ms))", c)
    if has_target and sm:
        return "level", "up" if sm.group(1).startswith("+") else "down", ex
    if has_target and (
        _has(c, r"\btoo much\b", r"\b(?:too )?(?:overpowering|dominant)\b") or _DB_RE.search(c)
    ):
        if _has(c, r"\btoo much\b", r"\bover\w+\b") or (m := _DB_RE.search(c)) and m.group(1).startswith("-"):
            return "level", "down", ex
        if (m := _DB_RE.search(c)) and m.group(1).startswith("+"):
            return "level", "up", ex
    if _has(
        c,
        r"\b(?:louder|quieter|softer|volume|level|loud|quiet|buried|lost|drowning|drowned|swamped|masked|"
        r"hidden|inaudible|audible|hear|up|down|raise|lower|push|pump|crank|boost|turn|bring|tuck|feature|"
        r"sits?|sticks?|sticking|pokes?|poking|jumps?|jumping|dominat\w*|overpowering|swamping|burying"
        r"|masking|"
        r"covering|distracting|grating|irritating|"
        r"overbearing|hot|hotter|balance|level|"
        r"gain|fader|cut|drop|dip|lift|bump|increase|decrease|reduce|tone|back off|mute|"
        r"overpower\w*|overwhelm\w*|squelch\w*|disappear\w*|vanish\w*|recede\w*|missing|lacking|"
        r"swallow(?:s|ing)?|overshadow(?:s|ing)?|in the way|prominent|"
        r"clipping|clips|clipped|distorting|overloading|overloads|red-?lining)\b",
        r"\b" + _MASKING_VERBS + r"\b",
        r"\b(?:crowded|trampled|overshadowed|smothered|swallowed|obscured|stepped on)\s+(?:out\b|by\b|on\b)",
        r"\btoo little\b",
        r"\btoo (?:low|high)\b",
        r"\b(?:is|are|sits?|sitting|seems?)\s+" + _LEVEL_HEDGE + r"(?:high|low)\b(?! end)",
        r"\b(?:more|less)\s+(?:of\s+)?(?:the\s+)?(?=\s{2,}|$|please\b)",
    ):
        if not has_target:
            # "the tuba up 2 dB": a level move on something we have no word for; say so, change nothing
            um = re.match(
                r"\s*(?:the\s+|my\s+|that\s+)?([a-z0-9][a-z0-9\-]{2,})\s+"
                r"(?:(?:is|are|sounds?|seems?|feels?)\s+)?"
                r"(?:\w+\s+)?(?:up|down|louder|quieter|softer|loud|quiet|too)\b",
                c,
            )
            if um and um.group(1) not in _KNOWN and um.group(1) not in _VOCAB_SET:
                ex["unknown"] = um.group(1)
            elif not _has(
                c,
                r"\b(?:louder|quieter|softer|volume|levels?|loud|quiet|turn (?:it )?(?:up|down)|overall|"
                r"gain|too hot|too low|too high)\b",
                r"\b(?:bring|push|turn|pull|nudge|take)\s+(?:it|them)\s+(?:up|down|back)\b",
            ):
                return "", None, ex
        d = _word_dir(c)
        # "backing vocals should sit a few dB under the lead": placed under = down when it is
        # asked for; "the vocal sits under the guitars", said as a state, is buried = up
        under = _has(
            c,
            r"\b(?:sit|sits|sitting|be|placed|tucked|mixed)\s+(?:\w+\s+){0,3}?(?:under|below|beneath|underneath)\b",
        )
        if under:
            wish = _has(c, r"\b(?:should|could|would|needs?|must|want|try|make|keep|let|has to|have to)\b")
            return "level", "down" if wish else "up", ex
        if _has(
            c,
            r"\b(?:too|a bit|way|bit|kinda|little|so|really|very|super|pretty|quite|rather) "
            r"(?:loud|hot|much|dominant)\b",
            r"\b(?:is|are|sounds?|feels?|seems?|sits?|gets?|getting)\s+(?:\w+\s+){0,2}(?:loud|hot)\b",
            r"\btoo high\b",
            r"\b(?:is|are|sits?|sitting)\s+" + _LEVEL_HEDGE + r"high\b",
            r"\b(?:dominat\w*|overpower\w*|overwhelm\w*|squelch\w*|overbearing|sticks? out|sticking out|"
            r"pokes? out|"
            r"jumps? out|swamping|"
            r"drowning out|burying|masking|covering|eating|clipping|clips|clipped|distorting|overloading|"
            r"swallow(?:s|ing)?|overshadow(?:s|ing)?|in the way|"
            r"overloads|red-?lining)\b",
            # a masking verb with an object masks it ("drowning everything", "swamps the keys");
            # without one ("the vocal is drowning", "drowning in reverb") the part is the masked one
            r"\b(?:drown|swamp|smother)(?:s|ing)\s+(?!in\b|under\b|beneath\b|out\b|a bit\b|a little\b)"
            + _DETERMINERS
            + r"(?:everything|else|rest|others?|[a-z]{3,})\b",
            r"\b" + _MASKING_VERBS + r"\b",
        ):
            d = "down"
        elif _has(
            c,
            r"\b(?:too )?(?:quiet|soft)\b",
            r"\b(?:buried|lost|drowning|drowned|swamped|masked|hidden|inaudible|disappear\w*|vanish\w*|"
            r"recede\w*)\b",
            r"\b(?:crowded|trampled|overshadowed|smothered|swallowed|obscured|stepped on)\s+"
            r"(?:out\b|by\b|on\b)",
            r"\btoo low\b",
            r"\b(?:is|are|sits?|sitting|seems?)\s+" + _LEVEL_HEDGE + r"low\b(?! end)",
            r"\bcan'?t (?:really )?hear\b",
            r"\bhard to hear\b",
            r"\bhear (?:it|them|more)\b",
        ):
            d = "up" if not _has(c, r"\b(?:quieter|softer)\b") else "down"
        if d is None:
            return "", None, ex
        return "level", d, ex
    return "", None, ex


_QUESTION_RE = re.compile(
    r"^\W*(?:(?:so|and|but|or|then|ok|okay|well|hmm|also)\W+)?"
    r"(?:does|do|did|doesn't|don't|is|are|was|were|isn't|aren't|how|what|what's|why|where|when|who|"
    r"which|has|have|hasn't|haven't|am|should i|shall i|would it|will it|could it|can it|is it)\b",
    re.I,
)
_REQUEST_RE = re.compile(
    # a suggestion or a complaint put as a question: "is it possible to lower the bass?", "would it
    # help to cut 300 Hz?", "why is the snare so loud?", "does the kick need to be that loud?"
    r"\bis it possible to\b|\bwould it (?:help|hurt|be (?:better|good|worth|possible))\b|"
    r"\bwhat do you think (?:about|of)\s+\w+ing\b|\bwhat if (?:we|you|i)\b|"
    r"^\W*why (?:is|are) (?:the|your|my|that|this|those)\b[^?]*\b(?:so|that|this)\s+\w+\W*$|"
    r"\b(?:does|do) (?:the|your|that|this|those|these)\b[^?]*\b(?:need|have) to be (?:that|so|this)\b|"
    r"\b(?:can|could|would|will) (?:you|we|u|ya)\b|\b(?:what|how) about\b|\bwhy not\b|"
    r"\bmind (?:turning|bringing|pulling|pushing|adding|cutting|boosting)\b",
    re.I,
)
_PRAISE_RE = re.compile(
    r"\b(?:i|we|you|they|really|totally|definitely|also|do|does|did)\s+(?:really\s+)?like[ds]?\b|"
    r"\b(?:love[ds]?|loving|liking|enjoy\w*|nice(?:ly)?|great|wonderful(?:ly)?|delicious(?:ly)?|"
    r"satisfying|neat|cool|dope|solid|beautiful(?:ly)?|awesome|amazing|perfect(?:ly)?|gorgeous|favou?rite|"
    r"excellent|lovely|sweet|fantastic|superb|terrific|pleasant|pleasing|tasty|killer|sick|"
    r"well[- ](?:balanced|done|mixed|recorded|rendered|played|placed)|good|fine|impressive|stunning)\b",
    re.I,
)
#: A sentence that reports where something is ("the vocal is doubled and set hard left and hard
#: right", "the guitar player is hard panned right") asks for nothing unless it also complains.
_DESCRIBES_RE = re.compile(
    r"\b(?:is|are|was|were|been|gets?) (?:\w+ ){0,2}(?:set|panned|placed|spread|doubled|recorded|tracked|"
    r"positioned|double-tracked)\b",
    re.I,
)
_COMPLAINT_RE = re.compile(
    r"\b(?:too|not|no|n't|could|should|need\w*|lack\w*|missing|more|less|try|please|want\w*|wish|"
    r"would|\w+er than|buried|harsh|muddy|boomy|boxy|thin|dull|weak|problem\w*|issue\w*|cathedral|church|"
    r"cave|tunnel|stairwell|hangar|warehouse|canyon|bathroom|under ?water|cramped|crowded|narrow|small)\b"
    r"|n't\b",
    re.I,
)
_PROBLEM_RE = re.compile(
    r"\b(?:too|not|no|never|n't|could|should|need\w*|lack\w*|missing|more|less|try|please|want\w*|"
    r"wish|would|louder|quieter|softer|brighter|darker|wider|narrower|up|down|cut|boost|reduce|add|"
    r"raise|lower|turn|bring|pull|push|buried|bit|little|tad|touch|except|but|although|"
    r"however|yet|only|if|just|make|keep|get|give|put|set|pan|mute|solo|compress|drop|lift|"
    r"harsh|muddy|boomy|boxy|thin|dull|weak|problem\w*|issue\w*|lost|disappear\w*|vanish\w*|drown\w*|"
    r"swamp\w*|mask\w*|overpower\w*|sibilan\w*|clip\w*|distort\w*|squash\w*|"
    r"[+-]?\d+(?:\.\d+)?\s*(?:db|k|khz|hz))\b(?<!\btoo(?=\s*[).,;!]|\s*$))|n't\b",
    re.I,
)
#: A general truth or a tutorial's aside, not a move for this mix: a tool, a phenomenon or a
#: generic subject (no "the/your/this" pointing at a track of this mix) with a modal or a
#: frequency adverb ("Equalization can make thin voices full", "A pop filter won't help with
#: sibilance", "Sibilance is often centred between 5 and 8 kHz", "adding EQ tends to ..."). Advice
#: phrased as a use ("a de-esser can be used to ...") stays an instruction.
_GENERIC_SUBJECT = (
    # "a little boost at 5 kHz can help the vocal" is advice for this mix, not a general truth
    r"(?:(?:a|an|any|every|each|most|many|some|all)\s+(?!(?:(?:little|small|gentle|slight|subtle|touch|bit"
    r"|few|"
    r"narrow|wide|broad|quick)\s+)*(?:of\s+)?(?:boost|cut|dip|lift|shelf|notch|high-?pass|low-?pass|bump|"
    r"compression|compressor|de-?esser|(?:stereo\s+)?widener|imager|exciter)\b)(?:[\w\-]+\s+){0,2}?|"
    r"(?:equali[sz]ation|eq(?:ing)?|compression|reverb|delay|sibilance|distortion|saturation|"
    r"limiting|panning|filtering|automation|masking|headroom|mud|boxiness|harshness)\s+)"
)
_GENERIC_RE = re.compile(
    r"^\W*(?:(?:so|and|but|also|remember|note that|keep in mind that)\W+)?"
    + _GENERIC_SUBJECT
    + r"(?:[\w\-]+\s+){0,3}?(?:(?:can|will|won'?t|may|might|cannot|can'?t)\s+(?!(?:also\s+)?be used\b)|"
    r"(?:is|are)\s+(?:often|usually|typically|generally|commonly|normally|mostly)\b|tends?\s+to\b)|"
    r"^\W*(?:[\w\-]+\s+){0,5}?tends?\s+to\s+(?:make|sound|get|be|cause|create)\b|"
    r"^\W*(?:it'?s|it is)\s+(?:very\s+|so\s+|all too\s+)?(?:easy|common|tempting|typical)\s+to\b|"
    r"^\W*(?:this|that|it)\s+(?:can|may|might|could|is often|is usually)\s+(?:be\s+)?(?:caused|due)\b|"
    r"^\W*(?:[\w\-]+,?\s+){0,6}?(?:most|many|some|all)\s+of\s+us\b|"
    r"^\W*(?:most|many)\s+(?:people|mixers|engineers|producers|beginners)\b|"
    # a quantifier over mixes, songs or instruments in general: "every mix needs ...", "most mixes ..."
    r"^\W*(?:(?:in general|generally),?\s+)?(?:every|each|most|many|all)\s+(?!the\b|of\b)(?:[\w\-]+\s+){0,2}?"
    r"(?:mix|mixes|song|songs|record|records|instrument|instruments|engineers?|mixers?|producers?|"
    r"sources?|genres?)\b|"
    # a tool and what it does in general: "a limiter prevents peaks ...", "reverb adds depth"
    r"^\W*(?:(?:a|an)\s+(?:[\w\-]+\s+){0,2}?)?(?:compressors?|limiters?|equali[sz]ers?|eqs?|de-?essers?"
    r"|gates?|"
    r"(?:high|low)-?pass filters?|filters?|reverbs?|delays?|plug-?ins?|saturators?|exciters?|"
    r"compression|limiting|equali[sz]ation|saturation|distortion|panning|automation|sidechaining)\s+"
    r"(?:adds|gives|creates|controls|prevents|reduces|removes|helps|makes|allows|lets|brings|evens|"
    r"smooths|shapes|changes|affects|works|tames|glues|catches|works|is an?\b|are\b(?! too))|"
    # a definition: "compression is a tool for ...", "the bass is the foundation of the mix"
    r"^\W*(?:[\w\-']+\s+){1,3}(?:is|are)\s+(?:a|an|the|one of the)\s+(?:[\w\-]+\s+){0,2}?(?:tool|technique|"
    r"process|way|method|effect|type|kind|form|foundation|secret|key|backbone|heart)s?\b",
    re.I,
)
#: What a kind of sound usually has ("male vocals typically have sibilance around 5-6 kHz", "the rap
#: mix commonly has a loud vocal"): a property said with a frequency adverb, not a move.
_PROPERTY_RE = re.compile(
    r"\b(?:typically|commonly|usually|often|generally|normally|traditionally|always|tend to|tends to)\s+"
    r"(?:has|have|had|contains?|carr(?:y|ies)|features?|includes?)\b",
    re.I,
)
#: Where something lives in the spectrum, said as a fact ("the body of the snare is around 200 Hz",
#: "sibilance typically lives between 5 and 8 kHz"): a frequency chart, not a move.
_FACT_RE = re.compile(
    r"(?:\b(?:is|are|lives?|sits?|resides?|lies|lie|occurs?|falls?|tends? to be)\s+"
    r"(?:(?:usually|typically|often|generally|mostly|mainly|normally|commonly|somewhere|roughly|about|"
    r"approximately|found|located|centred|centered)\s+){0,2}"
    r"(?:around|between|at|in|above|below|from|near|under|over)|\b(?:comes?|stems?) from)\b"
    r"(?=[^.]*\d+(?:\.\d+)?\s*(?:hz|khz|k)\b)",
    re.I,
)
_MOVE_RE = re.compile(
    r"\b(?:too|could|should|would|need\w*|more|less|cut\w*|boost\w*|reduc\w*|add\w*|remov\w*|tr(?:y|ies)|"
    r"lack\w*|missing|dip\w*|notch\w*|lift|raise|lower|bring|pull|push|turn|make|please|excess\w*|"
    r"build-?up|problem\w*|not|used?|using|apply|applying)\b|n't\b",
    re.I,
)
#: Two qualities a mixer wants, said of something with nothing asked ("warm and full", "clear and
#: well balanced", "crisp and clear"): a description or a review, not a complaint.
_POSITIVE = (
    r"(?:warm|full|punchy|clear|crisp|present|big|wide|fat|deep|rich|tight|open|airy|smooth|balanced|"
    r"well[- ]balanced|clean|huge|powerful|detailed|natural|lush|polished|spacious|controlled|focused)"
)
_DESCRIBED_RE = re.compile(
    r"\b(?:is|are|was|were|sounds?|sounded|feels?|felt)\s+(?:(?:really|very|nicely|wonderfully"
    r"|beautifully)\s+)?"
    + _POSITIVE
    + r"(?:\s*,\s*|\s+and\s+)(?:(?:really|very|nicely|well)\s+)?"
    + _POSITIVE
    + r"\b",
    re.I,
)

#: A part said to work ("the bass is punchy", "the lyrics sound crisp and clear", "all the parts are
#: clearly audible"), with no complaint, wish or move beside it: a review, not an instruction.
_WORKS_RE = re.compile(
    r"\b(?:is|are|was|were|sounds?|sounded|feels?|felt|sits?|sat|comes? through|came through|"
    r"cuts? through)\s+(?:(?:really|very|nicely|wonderfully|beautifully|clearly|perfectly|so|pretty|"
    r"quite|super|all|still|also|both)\s+){0,2}"
    r"(?:punchy|punchier|clear|clearer|crisper|clean|cleaner|audible|tight|tighter|solid|great|good|"
    r"well[- ]balanced|balanced|nice|perfect|wonderful|fantastic|excellent|lovely|smooth|defined|"
    r"intelligible|spot on|just right|fine)\b",
    re.I,
)
_NOT_ONLY_RE = re.compile(r"\bnot only\b", re.I)
_WANTS_RE = re.compile(
    r"\b(?:too|not|no|never|could|should|would|need\w*|lack\w*|missing|more|less|but|though|although|"
    r"however|except|harsh|muddy|boomy|boxy|thin|dull|weak|buried|lost|quiet|quieter|loud|louder|"
    r"problem\w*|issue\w*|wish|want\w*|try|please|if|maybe|cut|boost|add|reduce|raise|lower|turn|"
    r"bring|pull|push|make|keep|tad|bit|little|slightly|than)\b|n't\b|[+-]?\d+(?:\.\d+)?\s*(?:db|k|khz|hz)\b",
    re.I,
)


#: Words that open a sentence to place it in the talk, not to say what to do ("As I said before,
#: ...", "Either way ...", "To be honest, ...", "Anyway, ..."): read past, never as a habit or a
#: fact, so the sentence after them is judged on its own words.
_DISCOURSE_RE = re.compile(
    r"^\W*(?:(?:as|like) (?:i|we) (?:said|mentioned|wrote|noted|stated)\b[^,.;:]{0,40}(?=,)|"
    r"either way|anyway|anyhow|to be honest|honestly|tbh|"
    r"in my (?:humble )?opinion|imo|imho|personally|for what it'?s worth|fwiw|that said|"
    r"having said that|with that said|that being said|all in all|on the whole|by the way|btw|"
    r"again|(?:and|but) also|also|plus|additionally|furthermore|moreover|besides that|"
    r"first(?:ly)?|second(?:ly)?|third(?:ly)?|lastly|finally|one more thing|another thing|"
    r"other than that|apart from that|aside from that|ok(?:ay)?|well|now|right)\b\s*[,:\-]?\s+",
    re.I,
)


#: A description followed by its approval ("..., which suits the song perfectly", "..., exactly what
#: you want from a doom band", "as you'd expect from a pop record", "which gives the record its
#: feel"): the state is meant, nothing is asked.
_APPROVED_RE = re.compile(
    r"\b(?:which|that|and (?:it|this|that))\s+(?:\w+\s+)?(?:suits?|fits?|works?|serves?|complements?|"
    r"matches?|gives? (?:the|it|this|that) (?:\w+ )?(?:its|their|a|the)|"
    r"adds? (?:to )?(?:the )?(?:character|charm|vibe|feel|mood|atmosphere))\b|"
    r"\b(?:exactly|just|precisely) what (?:you|one|i|we) (?:want|need|expect)\b|"
    r"\bas (?:you'?d|you would|one would|i'?d|you might) expect\b|"
    r"\b(?:on purpose|by design|intentional(?:ly)?|deliberate(?:ly)?)\b",
    re.I,
)
#: A sentence about other mixes or other times ("A lot of beginners boost the low end too much",
#: "Back in the 80s, gated reverb was everywhere", "I used to mix everything too loud", "Their
#: first album had a drier vocal"): history or a habit of others, not a move for this mix.
_ELSEWHERE_RE = re.compile(
    r"^\W*(?:(?:a lot of|lots of|plenty of|so many|too many|many|most|some|few)\s+(?:\w+\s+)?(?:beginners|"
    r"newcomers|people|producers|engineers|mixers|artists|bands|musicians|home recordists|rappers|"
    r"singers|labels|records|albums|songs|mixes)\b)|"
    r"\b(?:i|we) used to\b|\bback in (?:the )?(?:\d0'?s|day|the day)\b|\bin the (?:\d0'?s|old days)\b|"
    r"\bwhen (?:i|we) (?:first )?(?:started|was starting|were starting|began)\b|"
    r"^\W*(?:their|his|her) (?:\w+ )?(?:album|record|ep|lp|single|release)s?\b",
    re.I,
)


def _strip_discourse(sentence: str) -> tuple[str, str]:
    """A sentence without the discourse markers that open it, and the markers read past."""
    gone = ""
    while (m := _DISCOURSE_RE.match(sentence)) and len(sentence) > m.end() + 3:
        gone += m.group(0)
        sentence = sentence[m.end() :]
    return sentence, gone.strip()


def _not_instructions(text: str) -> tuple[str, list[str], list[str]]:
    """Sentences that ask for nothing: a question ("Does my snare have enough body?") and praise
    with no complaint or request in it ("LOVE the body of the vocal; sits very nicely"). Returns
    the rest of the note, those sentences, and a reading for each."""
    keep: list[str] = []
    dropped: list[str] = []
    readings: list[str] = []
    for sent in re.split(r"(?<=[.!?])\s+|\n+", text):
        s, gone = _strip_discourse(sent.strip())
        if gone:
            readings.append(f"'{gone}' read as: a discourse marker, not part of the note")
        if not s:
            continue
        # "Maybe the vocals are too high?" asks; "Maybe dial back the reverb?" suggests a move
        question = _QUESTION_RE.search(s) or re.match(
            r"\W*(?:maybe|perhaps)\b(?!,?\s+(?:just\s+|try\s+)?(?:dial|try|add|cut|boost|bring|turn|pull|push|"
            r"reduce|lower|raise|use|high-?pass|low-?pass|compress|pan|widen|narrow|tuck|drop|lift|take|give|"
            r"put|roll|notch|de-?ess|automate|back|ease|tame|scoop|mute|eq)\b)",
            s,
            re.I,
        )
        follow = bool(dropped) and dropped[-1].endswith("?") and len(s.split()) <= 12
        if s.endswith("?") and (question or follow) and not _REQUEST_RE.search(s):
            dropped.append(s)
            readings.append(f"'{s}' read as: a question, not an instruction")
            continue
        if _APPROVED_RE.search(s) and not re.search(
            r"\b(?:should|could|would|needs?|try|please|maybe|perhaps|but|though|although|however)\b|"
            r"n't\b",
            s,
            re.I,
        ):
            dropped.append(s)
            readings.append(f"'{s}' read as: a description that is approved, nothing asked")
            continue
        if _ELSEWHERE_RE.search(s) and not re.search(
            r"\b(?:your|this (?:mix|song|track)|here|should|could|would|needs?|try|please)\b", s, re.I
        ):
            dropped.append(s)
            readings.append(f"'{s}' read as: about other mixes or other times, not a move for this one")
            continue
        if _PROPERTY_RE.search(s) and not _MOVE_RE.search(_PROPERTY_RE.sub(" ", s)):
            dropped.append(s)
            readings.append(f"'{s}' read as: what something usually has, not a move for this mix")
            continue
        if _GENERIC_RE.search(s):
            dropped.append(s)
            readings.append(f"'{s}' read as: a general statement, not a move for this mix")
            continue
        if re.search(r"\beither\s+(?:\w+\s+){0,3}?(?:too|overly)\s+\w+\s+or\s+(?:\w+\s+)?too\b", s, re.I):
            dropped.append(s)
            readings.append(f"'{s}' read as: two opposite failings named, no move asked")
            continue
        if re.match(
            r"\W*(?:(?:so|and|but|also|sometimes|often|usually|generally)\W+)?(?:i|we)\s+"
            r"(?:usually|always|often|normally|typically|generally|tend to|never|sometimes|like to|"
            r"love to)\b|"
            r"\W*(?:what i (?:do|did|usually do)|as i (?:mentioned|said|wrote))\b|"
            r"\W*(?:usually|always|often|normally|typically|generally),?\s+(?:i|we)\b|"
            r"\W*(?:(?:and|but|so)\W+)?(?:don'?t|do not|never)\s+"
            r"(?!be (?:scared|afraid|shy)|forget|hesitate|let|leave|"
            r"use (?:any |too much )?(?:form of |kind of )?(?:compression|limiting|limiters?|clipping"
            r"|clippers?)\b)"
            r"(?:just\s+)?(?:\w+)\b",
            s,
            re.I,
        ):
            dropped.append(s)
            readings.append(f"'{s}' read as: a habit or a don't, not a move to make")
            continue
        if _FACT_RE.search(s) and not _MOVE_RE.search(s):
            dropped.append(s)
            readings.append(f"'{s}' read as: where something lives in the spectrum, not a move")
            continue
        if _WORKS_RE.search(_NOT_ONLY_RE.sub(" ", s)) and not _WANTS_RE.search(_NOT_ONLY_RE.sub(" ", s)):
            dropped.append(s)
            readings.append(f"'{s}' read as: what already works, nothing asked")
            continue
        if _DESCRIBED_RE.search(s) and not _COMPLAINT_RE.search(s):
            dropped.append(s)
            readings.append(f"'{s}' read as: a description of qualities wanted, nothing asked")
            continue
        if (
            _DESCRIBES_RE.search(s)
            and not _COMPLAINT_RE.search(s)
            # "sounds like it was recorded in a tin can": a likeness, said to complain
            and not re.search(
                r"\b(?:sounds?|sounded|sounding)\s+(?:\w+\s+)?(?:like|as if|as though)\b", s, re.I
            )
            # "piano is usually spread across the field": a tutorial's advice, not this mix described
            and not re.search(
                r"\b(?:usually|typically|often|generally|normally|commonly|traditionally|always|"
                r"most of the time|in most cases|most often)\b(?:[^.;]*?)\b(?:set|panned|placed|spread|"
                r"positioned)\b",
                s,
                re.I,
            )
        ):
            dropped.append(s)
            readings.append(f"'{s}' read as: a description of the mix, not an instruction")
            continue
        if (_PRAISE_RE.search(s) and not _PROBLEM_RE.search(s)) or re.search(
            r"\b(?:don'?t|do not|never|please don'?t) (?:touch|change|mess with)\b", s, re.I
        ):
            dropped.append(s)
            readings.append(f"'{s}' read as: praise, not an instruction")
            continue
        keep.append(s)
    return " ".join(keep), dropped, readings


#: Where a sentence turns from the move to its purpose or cause ("... to make room for the bass",
#: "... because it's louder", "..., which lets the vocal sit"): what follows names other tracks
#: as yardsticks, not as things to change.
_SIDE_RE = re.compile(
    r"\s(?:(?:in order )?to (?:\w+ly )?(?:make (?:room|space|it|them|the|sure)|let|allow|help|give|"
    r"create|leave|"
    r"keep|avoid|prevent|emphasi[sz]e|enhance|open|clear|free|stop|fill|bring out)|so (?:it|they)|"
    r"so (?:that )?(?!(?i:i|we|you) )(?:the |your )?\w+ "
    r"(?:can|could|will|won't|doesn't|does not|don't|do not|sits?|shines?|are|is|be)|"
    r"until (?:the|your|it|they|you|he|she)\b|"
    r"(?<=,\s)(?:it|they|this|that)(?:'ll| will| would| might| may)\s+(?!be\s+(?:louder|quieter|better))|"
    # a result said after the state: ", causing them to fade", "to the point where", ", leaving the"
    r"(?<=,\s)(?:causing|making|leaving|resulting in|meaning|forcing|so that)\s|"
    r"to the point (?:where|that)\b|"
    r"because (?!of)|since (?:the|your|it|they|you|there|we|i)\b|which (?:will|would|allows?|lets?|gives?"
    r"|helps?|makes?)|"
    r"(?:clears?|makes?|leaves?|creates?|frees? up|opens? up|carves? out) (?:some |more |up )?(?:space|room)|"
    r"(?:cleans?|tidies|tightens?|keeps?) (?:up )?(?:the|it|them|things)|"
    r"(?:enhances?|emphasi[sz]es|improves?|brings? out|accentuates?) (?:its|their|the)\b|"
    r"(?:will|would|should) (?:help|clean|tighten|free|open|clear|give|let|allow|make room)|"
    r"(?:this |that |it )?"
    r"(?:allows?|lets?|helps?) (?:us|you|the|it|them|for)|will let|(?:if|when|unless) (?:the|your|it|"
    r"they|you)\b(?!.*\b(?:up|down|cut|boost)\b.*$))\b"
)


def _split_side(text: str) -> tuple[str, str]:
    """The part of a sentence that asks for a move, and its purpose or cause clause (or "")."""
    m = _SIDE_RE.search(text)
    if not m or m.start() < 8:
        return text, ""
    return text[: m.start()], text[m.start() :]


def parse(text: str, names: list[str] | None = None) -> Parsed:
    """Parse one note (one or more instructions) into intents; a sentence's purpose or cause
    clause ("... to make room for the bass") counts only when the rest names no target.

    ``names``: the session's track names, so a note may name a track ("Gtr DI up 1 dB").
    """
    # "the drummer is laying into the cymbals, so we automate the overheads down": what follows
    # "so we" is the move; what comes before is why, when the move names its own target
    so = re.search(r",\s*(?:and\s+)?so\s+(?:we|i|you|let'?s)\b(?:'?ll| will| would| can| should)?\s*", text)
    if so:
        after = _parse(text[so.end() :], names)
        if after.intents and all(i.target_words for i in after.intents):
            after.text = text
            after.readings.append(
                f"'{text[: so.start()].strip()}' read as: the reason for the move, not a move"
            )
            return after
    sents = [s for s in re.split(r"(?<=[.!?;])\s+", text.strip()) if s.strip()]
    parts = [_split_side(s) for s in sents]
    sides = [side.strip() for _, side in parts if side]
    full = _parse(text, names)
    if not sides or _APPROVED_RE.search(text):  # "..., which gives the record its feel": one description
        return full
    main = _parse(" ".join(m for m, _ in parts), names)
    if not main.intents or any(i.target == "mix" and not i.target_words for i in main.intents):
        return full
    main.text = text
    main.readings += [f"'{side}' read as: the move's purpose or cause, not a move" for side in sides]
    return main


_IMPERATIVE = (
    r"(?:then\s+|just\s+)?(?:cut|boost|roll\w*|add|use|bring|turn|pull|push|reduce|lower|raise|apply|"
    r"highpass|lowpass|eq|compress|pan|dip|notch|filter|take|remove|automate|set|put|give|make|drop|"
    r"lift|tame|de-?ess|send|mute|solo|widen|narrow|shel(?:f|ve)|scoop|shave|attenuate|sweep|"
    r"increase|decrease|start (?:with|by)|begin (?:with|by))\b"
)


def _conditions(norm: str, targets_of) -> tuple[str, list[str]]:
    """A condition followed by a command ("if the kick sounds flabby, roll off below 40 Hz") names
    the problem and the target; the command is the move. The condition is dropped and its target
    handed to the command when the command names none ("... below 40 hz on the kick")."""
    readings: list[str] = []
    out = []
    for piece in re.split(r"((?<!\d)\.(?!\d)\s*)", norm):
        m = re.match(
            r"\s*(?:\w+\s+)?(?:if|when|whenever|once)\s+([^,]{3,}?),\s*(" + _IMPERATIVE + r".*)$", piece
        )
        if m:
            cond, main = m.group(1), m.group(2)
            ct, mt = targets_of(cond), targets_of(main)
            if ct and not mt:
                main = f"{main} on the {' and the '.join(t[1] for t in ct)}"
            readings.append(f"'if {cond}' read as: the condition; the move is '{m.group(2)}'")
            piece = main
        # "after the compressor, EQ and de-essing are working together, the vocal needs reverb":
        # a clause of time before the main one sets the scene; the main one is the note
        m = re.match(
            r"\s*(after|before|once|when|whenever)\s+((?:[^,]+,\s*)*?[^,]*?"
            r"\b(?:is|are|was|were|has|have|been|do|does|did|comes?|kicks?|enters?|drops?|starts?|plays?)\b"
            r"[^,]*),\s*(.+)$",
            piece,
        )
        if m and targets_of(m.group(3)) and targets_of(m.group(2)) != targets_of(m.group(3)):
            readings.append(f"'{m.group(1)} {m.group(2)}' read as: the setting, not a move")
            piece = m.group(3)
        else:
            # "... but once the band comes in the vocal disappears": the same without a comma, where
            # an entry verb ends the time clause
            m = re.match(
                r"(.*?\b)(after|before|once|when|whenever|"
                r"as soon as)\s+([^,]*?\b(?:comes? in|come in|kicks? in|"
                r"enters?|drops? in|"
                r"starts?|hits?|joins?|plays?))\s+((?:the|your|his|her|their|that|this)\s.+)$",
                piece,
            )
            if m and targets_of(m.group(4)) and targets_of(m.group(3)) != targets_of(m.group(4)):
                readings.append(f"'{m.group(2)} {m.group(3)}' read as: the setting, not a move")
                piece = m.group(1) + m.group(4)
        out.append(piece)
    return "".join(out), readings


#: A clause of praise inside a longer note ("the drums sound great, but ...", "I really like the
#: guitar tone, but ..."), and the words that make a clause a complaint or a request after all.
_CLAUSE_PRAISE_RE = re.compile(
    r"\b(?:sounds?|sounding|is|are|was|were|feels?|sits?|looks?)\s+(?:\w+\s+)?(?:great|nice|good|fine|solid|"
    r"lovely|awesome|amazing|perfect|excellent|fantastic|spot on|well|clean|clear|tight|"
    r"balanced|controlled|punchy)(?:\s+and\s+\w+)?\b|"
    r"\b(?:is|are|was|were|been|sits?|sit)\s+(?:\w+\s+){0,4}?(?:nicely|beautifully|perfectly)\s*$|"
    # a verb done well: "the song builds nicely into the chorus", "the bass locks in really well"
    r"\b[a-z]+s\s+(?:\w+\s+){0,1}?(?:nicely|beautifully|perfectly|really well|so well|very well)\b|"
    # a quality wanted, said of a part: "the guitars sound huge", "the bass is tight and warm"
    r"\b(?:sounds?|sounding|is|are|was|were|feels?)\s+(?:so\s+|really\s+|very\s+|pretty\s+|super\s+)?"
    r"(?:huge|massive|big|fat|rich|lush|smooth|polished|powerful|defined|detailed|natural|spacious|"
    r"tight)(?:\s+and\s+\w+)?\s*$|"
    r"\b(?:nearly|almost|pretty much|basically|so close to being) there\b|"
    # each part in its place: "every instrument has its own space", "crystal clear"
    r"\b(?:has|have|got|gets|get|find|finds)\s+(?:its|their)\s+own\s+(?:space|place|room|pocket|spot)\b|"
    r"\bcrystal[- ]clear\b|"
    r"\b(?:i|we)\s+(?:really\s+)?(?:like|love|dig|enjoy)\b|^\s*(?:nice|great|good|solid|lovely|awesome)\s+"
    r"(?:work|job|mix|song|track|stuff|tune)\b"
)
_CLAUSE_COMPLAINT_RE = re.compile(
    r"\b(?:too|not|no|never|could|should|would|need\w*|more|less|lack\w*|missing|buried|lost|"
    r"harsh|muddy|boomy|boxy|thin|dull|weak|quiet|loud|louder|quieter|up|down|cut|boost|reduce|"
    r"add|bring|pull|push|turn|try|maybe|though|except|problem\w*|issue\w*|bit|little|tad|touch|"
    r"make|makes|making|"
    r"slightly|somewhat|rather)\b|n't\b|\d"
)


#: A pronoun standing for the thing to move ("turn it down", "she should be heard", "tuck them
#: in"), and the words that make the whole mix what a bare "it" means ("overall it's bright").
_UNRESOLVED_RE = re.compile(
    # "it" moved ("turn it down", "tuck it in 10%"), or a person or plural standing for a part
    # ("she should be heard", "they're too loud"); "it" as the subject of a state ("it's way too
    # compressed") is the song itself, and "it is time to", "it might be worth" stand for nothing
    r"\b(?:turn|bring|pull|push|tuck|back|take|put|drop|raise|lower|cut|boost|move|nudge|ride|keep|"
    r"leave|get|give|set|pan|send|automate|compress|eq|fade|mute|solo|sit|knock|ease|dial|crank|lift)"
    r"\w*\s+(?:it|them|him|her)\b|"
    r"\b(?:they|he|she|he/she|this one|that one)\b"
    # "he wanted more lower mids", "they asked for more bass": the person asking, not the thing
    r"(?!\s+(?:\w+\s+)?(?:want\w*|ask\w*|said|says|think\w*|thought|felt|feels?|lik\w+|lov\w+|"
    r"prefer\w*|suggest\w*|request\w*|need\w* (?:more|less)|would like|'d like)\b)"
)
_WHOLE_MIX_RE = re.compile(
    r"\b(?:overall|whole|entire|everything|mix\w*|master\w*|track|song|tune|piece|record\w*|"
    r"production|sound|stereo|bus|buss|output|level|levels|volume|loud\w*|quiet\w*|limit\w*|clipp\w*)\b"
)


#: A clause whose subject is the whole record ("the production on this EP is muddy", "the
#: recording is thin", "the overall sound was harsh").
_WHOLE_SUBJECT_RE = re.compile(
    r"\s*(?:\w+\s+){0,2}?(?:the|this|my|your|their|its)\s+(?:overall\s+|whole\s+|final\s+)?"
    r"(?:production|recording|record|album|ep|lp|master|mastering|sound)\b"
    r"(?:\s+(?:on|of|for)\s+(?:this|the|that|your)\s+[a-z]+)?\s+(?:is|was|sounds?|sounded|seems?|feels?|gets?)\b"
)


def _parse(text: str, names: list[str] | None = None) -> Parsed:
    """Parse one sentence into intents.

    >>> [i.as_label() for i in parse("vocal up 2 dB, less reverb on the snare").intents]
    [{'target': 'lead_vocal', 'action': 'level', 'direction': 'up', 'amount': 2.0}, \
{'target': 'snare', 'action': 'reverb', 'direction': 'down'}]
    """
    name_map: dict[str, str] = {}
    for n in names or []:
        key = _normalise(n)
        key = re.sub(r"\.(wav|flac|aif|aiff)$", "", key)
        if len(key) >= 3 and key not in TARGET_WORDS:
            name_map[key] = n
    plain = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    kept, dropped, skipped = _not_instructions(plain)
    norm, readings = _rewrite(_normalise(kept))
    norm, lead_readings = _synth_lead(norm)
    readings += lead_readings
    norm, fixes = _correct_scored(norm, {w for k in name_map for w in k.split()})
    norm, alike = _sound_alike_targets(norm, {w for k in name_map for w in k.split()})
    fixes += alike
    readings = skipped + readings + fixes
    norm, cond_readings = _conditions(norm, lambda c: _targets(c, name_map))
    readings += cond_readings
    out = Parsed(text=text, readings=readings, not_understood=dropped)
    pending_section: dict | None = None
    rows: list[tuple[str, list, str, str | None, dict, dict | None]] = []
    yard_tail = False  # the clause before ended on a yardstick ("behind the wall of guitars, ...")
    sent_of = [(k, c) for k, sent in enumerate(re.split(r"(?<!\d)\.|\.(?!\d)", norm)) for c in _clauses(sent)]
    for sent_no, clause in sent_of:
        exc = re.search(
            r"\b(?:except|apart from|other than|besides|but not)\b|"
            r"\b(?:everything|anything|all)\s+(?:that|which)\s+(?:isn't|is not|aren't|are not)\b",
            clause,
        )
        if exc and not _targets(clause[exc.end() :], name_map):
            # "loud on everything except the cheap computer speakers": no track left out, so the
            # exception is about something else; read the rest
            readings.append(f"'{clause[exc.start() :]}' read as: an exception naming no track (ignored)")
            clause = clause[: exc.start()].strip()
            exc = None
        if exc:
            out.not_understood.append(clause)  # exclusions are not supported: say so, never guess
            continue
        praise = bool(_CLAUSE_PRAISE_RE.search(clause) and not _CLAUSE_COMPLAINT_RE.search(clause))
        if praise:
            # "the drums sound great, but the snare is too loud": the praised part asks for nothing,
            # though "them" later may still mean what it praised
            readings.append(f"'{clause}' read as: praise, not a move")
            targets = _targets(clause, name_map)
            if targets:
                rows.append((clause, targets, "", None, {"praise": True, "sent": sent_no}, None))
            continue
        section, rest = _section(clause)
        yard: list = []
        targets = _targets(rest, name_map, yard, readings)
        if (
            targets
            and all(t[0] == "mix" for t in targets)
            and all(
                re.search(r"\b(?:in|into|within|throughout|through|across)\s+$", rest[: t[2]])
                for t in targets
            )
            and any(r[4].get("sent") == sent_no and any(x[0] != "mix" for x in r[1]) for r in rows)
        ):
            # "... make it stand out and shimmer in the mix": where it should sit, not a second target
            readings.append(f"'{targets[0][1]}' read as: where in the mix, not what moves")
            targets = []
        if (
            yard_tail
            and targets
            and not _action(_blank_targets(rest, targets), True)[0]
            and len(re.findall(r"[a-z]+", _blank_targets(rest, targets))) <= 2
        ):
            # "... behind the wall of guitars, synths, and heavy drums": the list goes on
            readings.append(f"'{clause}' read as: more of the yardstick before it, not a target")
            continue
        yard_tail = bool(yard) and not re.search(r"[a-z]", rest[max(f[3] for f in yard) :])
        readings += [f"'{f[1]}' read as: the yardstick or the cause, not moved" for f in yard]
        # "more low end on the kick", "add some bass to the guitar": the first phrase is EQ
        eq_band = None
        if (
            len(targets) >= 2
            and targets[0][0] in ("bass", "low_end", "mix")
            and targets[0][1] not in ("bass line", "bassline", "bass guitar", "bass di")
        ):
            between = rest[targets[0][3] : targets[1][2]]
            if re.search(r"\b(?:on|in|to|for|from|of|under)\b", between) or targets[0][0] == "low_end":
                eq_band = targets[0]
                targets = targets[1:]
        if eq_band is None and len(targets) >= 2:
            for t in targets[1:]:
                if t[0] == "low_end" and re.search(
                    r"\b(?:in|at|on|down in|around|of)\s+(?:the\s+)?"
                    r"(?:(?:real|any|enough|solid|proper|actual)\s+)?$",
                    rest[: t[2]],
                ):
                    eq_band = t  # "the kick sounds weak in the low end": where, not what
                    targets = [x for x in targets if x is not t]
                    break
                if t[0] in ("bass", "low_end") and re.search(
                    r"\b(?:more|less|some|add|extra|enough|lacks?|lacking|no|much|needs?)\s+(?:\w+\s+)?$",
                    rest[: t[2]],
                ):
                    eq_band = t
                    targets = [x for x in targets if x is not t]
                    break
        elif (
            len(targets) == 1
            and targets[0][0] == "low_end"
            and _has(rest, r"\b(?:on|in|to|for|of)\s+(?:the\s+)?$")
        ):
            pass
        blank = rest
        for t in targets:
            blank = blank[: t[2]] + " " * (t[3] - t[2]) + blank[t[3] :]
        if eq_band is not None:
            blank = blank[: eq_band[2]] + " lows " + blank[eq_band[3] :]
        # "they're drowning out the vocal": a pronoun subject stands for a target named before
        pron_subject = bool(
            re.match(r"\s*(?:but\s+|and\s+|so\s+|though\s+)?(?:it|they|he|she)\b", rest)
            and re.search(
                r"\b(?:drown\w*|mask\w*|bur(?:y|ies|ying)|swamp\w*|overpower\w*|smother\w*|cover\w*|"
                r"overshadow\w*|swallow\w*|dominat\w*|eat\w*|stepping on|steps? on)\b",
                rest,
            )
        )
        action, direction, ex = _action(blank, bool(targets) or pron_subject)
        if eq_band is not None and action in ("level", "depth") and targets:
            # "bring up the low end on the snare", "pull back the low end on the vocal": the band
            # named on a track is an EQ move, whatever verb moves it
            action = "eq"
            direction = "down" if direction == "down" or _less_of(blank, "lows") else "up"
        # "the production buries the vocals", "the band overpowers the vocals": when what masks is
        # no track of this mix, the masked one is the target, and it comes up
        victims = [
            f
            for f in yard
            if re.search(
                r"\b(?:bur(?:y|ies|ied)|mask(?:s|ed)?|drowns? out|obscur(?:e|es|ed)|covers?|swamps?|"
                r"smothers?|overpower(?:s|ed)?|wipe[sd]? out|eats?|steps? on|drowns?)\s+(?:\w+\s+){0,2}$",
                rest[: f[2]],
            )
        ]
        # ... and "the guitars overpower the vocals so you can barely hear them": a part too quiet
        # under a masker named before it is the one that comes up, not the masker
        if (
            victims
            and action in ("", "level")
            and (
                all(t[0] == "mix" for t in targets)
                or (
                    action == "level"
                    and direction == "up"
                    and all(t[2] < victims[0][2] for t in targets)
                    and re.search(
                        r"\b(?:bur(?:y|ies)|masks?|drowns? out|"
                        r"obscures?|covers?|swamps?|smothers?|overpowers?|"
                        r"wipes? out|eats?|steps? on)\s+" + _DETERMINERS + r"$",
                        rest[: victims[0][2]],
                    )
                )
            )
        ):
            first = min(victims[0][2], *(t[2] for t in targets)) if targets else victims[0][2]
            if not re.search(r"\b(?:it|they|this|that|he|she)\b", rest[:first]):
                targets = victims
                action, direction = "level", "up"
                readings.append(
                    f"'{clause}' read as: {', '.join(v[1] for v in victims)} masked by something else -> up"
                )
        # "the music drowns out the dialogue", "the music makes it hard to hear the speech": what
        # masks is a track of this mix and what it masks is not; the masker comes down
        masker = re.search(
            r"\b(?:drowns? out|drowning out|overpower(?:s|ing)?|bur(?:y|ies|ying)|mask(?:s|ing)?|"
            r"swamp(?:s|ing)?|smother(?:s|ing)?|overshadow(?:s|ing)?|"
            r"makes? it (?:\w+ )?(?:hard|difficult|impossible|tough) to "
            r"(?:hear|make out|understand))\b",
            rest,
        )
        if (
            not action
            and masker
            and targets
            and all(t[0] != "mix" and t[2] < masker.start() for t in targets)
        ):
            action, direction = "level", "down"
            readings.append(
                f"'{masker.group(0)}' read as: {', '.join(t[1] for t in targets)} masking something "
                "that is no track of this mix -> down"
            )
        ex["sent"] = sent_no
        if action in ("highpass", "lowpass") and any(t[0] != "low_end" for t in targets):
            # "... on the vocal to remove low-end rumble": the band filtered, not a second track
            readings += [
                f"'{t[1]}' read as: the band the filter removes" for t in targets if t[0] == "low_end"
            ]
            targets = [t for t in targets if t[0] != "low_end"]
        if action in ("highpass", "lowpass") and targets and all(t[0] == "low_end" for t in targets):
            # "a high-pass filter to get rid of the low-end rumble": the band filtered, not a track
            readings.append(f"'{targets[0][1]}' read as: the band the filter removes, not a track")
            targets = []
        # "pull the guitars back 2dB in the chorus": "back" with an amount in dB or a section is a
        # level move (a depth move has no dB of its own, and only levels follow sections)
        if (
            action == "depth"
            and (section is not None or _DB_RE.search(rest))
            and re.search(
                r"\b(?:pull|push|bring|tuck|take|drop|ease|knock|turn)\w*\s+(?:\w+\s+){0,3}?back\b", rest
            )
        ):
            action = "level"
            readings.append(f"'{clause}' read as: 'back' with an amount or a section = level {direction}")
        if section is None and not action and not targets:
            if rows and _amount(clause)[2]:  # "vocal up a touch, 2 dB": the number belongs to it
                rows[-1][4]["amount_override"] = clause
                continue
            out.not_understood.append(clause)
            continue
        if section is not None and not action and not targets and rows:
            rows[-1] = (*rows[-1][:5], section)
            continue
        if section is not None and not action and not targets:
            pending_section = section
            continue
        rows.append((clause, targets, action, direction, ex, section or pending_section))
        pending_section = None
    # clauses with an action but no target borrow a neighbour's target; clauses with a target but
    # no action borrow the neighbour's action ("kick and snare up" splits on "and")
    for i, (clause, targets, action, _direction, _ex, section) in enumerate(rows):
        if not action and not _ex.get("praise"):
            # a list shares its move within a sentence, never across one
            nxt = next((r for r in rows[i + 1 :] if r[2] and r[4].get("sent") == _ex.get("sent")), None)
            if targets and nxt is not None and not nxt[1]:
                continue
            if targets and nxt is not None:
                rows[i] = (
                    clause,
                    targets,
                    nxt[2],
                    nxt[3],
                    {**nxt[4], "amount_from": nxt[0]},
                    section or nxt[5],
                )
            elif targets and nxt is None and i > 0 and rows[i - 1][2] and rows[i - 1][1]:
                # "harsh cymbals and ice-pick hi-hats": the last of a list takes the move before it
                prv = rows[i - 1]
                if re.match(
                    r"\s*(?:the\s+|some\s+|\w+-?\w*\s+)?$", clause[: targets[0][2]]
                ) and not re.search(r"\w", clause[targets[-1][3] :]):
                    rows[i] = (
                        clause,
                        targets,
                        prv[2],
                        prv[3],
                        {**prv[4], "amount_from": prv[0]},
                        section or prv[5],
                    )
    # "less reverb on the snare, more on the vocal": "more"/"less" on a second target, with the
    # effect said once, is the same move on it, the way the word says
    for i in range(1, len(rows)):
        prv, row = rows[i - 1], rows[i]
        m = re.match(
            r"\s*(?:and\s+|but\s+|then\s+|with\s+)?(?:a (?:bit|little|touch|tad)\s+|much\s+|way\s+|a lot\s+)?"
            r"(more|less)\s+(?:of it\s+|of that\s+)?(?:on|for|to|in|from)\s+",
            row[0],
        )
        if (
            m
            and row[1]
            and not row[2]
            and prv[2] in ("reverb", "delay", "compression", "eq", "width", "deess", "punch", "sustain")
            and prv[4].get("sent") == row[4].get("sent")
        ):
            d = "up" if m.group(1) == "more" else "down"
            readings.append(f"'{row[0]}' read as: {prv[2]} {d}, the move of '{prv[0]}' said once")
            rows[i] = (row[0], row[1], prv[2], d, {**prv[4], "dir_default": False}, row[5])
    # "sound a bit harsh, likely in the 2-4khz area", "cut the low-mids on bass and lows on the
    # kick": an EQ clause that says where but not which way goes the way of the EQ clause before it
    for i in range(1, len(rows)):
        prv, row = rows[i - 1], rows[i]
        band_only = row[4].get("descriptor", "") in ("", "bassy", "highs", "mids", "low mids", "high mids")
        band_only = band_only and (not row[1] or len(row[0].split()) <= 7)
        # "lower all treble, bright and presence controls": a bare list of qualities
        band_only = band_only or (not row[1] and len(re.findall(r"[a-z]+", row[0])) <= 3)
        same = prv[4].get("sent") == row[4].get("sent")
        if (
            row[2] == "eq"
            and row[4].get("dir_default")
            and band_only
            and same
            and prv[2] == "eq"
            and prv[3] != row[3]
        ):
            if not prv[4].get("dir_default"):
                readings.append(f"'{row[0]}' says where, not which way: {prv[3]} as in '{prv[0]}'")
                rows[i] = (row[0], row[1], row[2], prv[3], {**row[4], "dir_default": False}, row[5])
    # "high-pass the guitars, keys and vocals around 100 Hz": a list item that only adds where goes
    # the way of the move before it in the sentence
    for i in range(1, len(rows)):
        prv, row = rows[i - 1], rows[i]
        rest = _FREQ_RE.sub(" ", _blank_targets(row[0], row[1]))
        rest_words = [
            w
            for w in re.findall(r"[a-z]+", rest)
            if w not in ("the", "a", "and", "or", "around", "at", "about", "on")
        ]
        if (
            row[2] == "eq"
            and row[4].get("dir_default")
            and row[1]
            and not rest_words
            and prv[2] in ("highpass", "lowpass", "eq", "level")
            and prv[1]
            and prv[4].get("sent") == row[4].get("sent")
        ):
            readings.append(f"'{row[0]}' is one more item of '{prv[0]}': {prv[2]} {prv[3]}")
            rows[i] = (row[0], row[1], prv[2], prv[3], {**prv[4], "freq": row[4].get("freq")}, row[5])
    for i, (clause, targets, action, direction, ex, section) in enumerate(rows):
        if (
            action == "eq"
            and ex.get("dir_default")
            and ex.get("descriptor") in ("bassy", "highs", "mids", "low mids", "high mids")
            and ex.get("freq") is None
            and not _amount(clause)[0]
        ):
            # "what is going on in the bottom end of the mix": a band named, no way to move it
            readings.append(f"'{clause}' names a band but no move")
            out.not_understood.append(clause)
            continue
        if not action or direction is None:
            if not (targets and any(r[2] for r in rows if r is not rows[i])):
                out.not_understood.append(clause)
            continue
        if not targets and "unknown" in ex:
            targets = [(f"unknown:{ex['unknown']}", ex["unknown"], 0, 0)]
        subj = (
            _foreign_subject(clause) if not targets and any(r[1] for r in rows if r is not rows[i]) else None
        )
        if subj:
            # "the backline amps are ear-splittingly loud but no one can hear the vocals": the state
            # is said of something that is no track here; it lends nothing to the vocals
            readings.append(f"'{clause}' read as: said of '{subj}', which is not in this mix")
            out.not_understood.append(clause)
            continue
        if (
            not targets
            and re.search(r"\bthe others\b", clause)
            and not re.search(
                r"\b(?:than|to|with|against|over|versus|vs|behind|above|under|below|by)\s+the others\b",
                clause,
            )
        ):
            # "... and lower everything else": the rest of the mix is no track of its own; it borrows
            # no neighbour's target (that one is the exception)
            readings.append(f"'{clause}' read as: a move on everything else, not supported")
            out.not_understood.append(clause)
            continue
        if not targets and _WHOLE_SUBJECT_RE.match(clause):
            # "the production on this EP is muddy, and the vocals are buried": the whole record is
            # the subject; it borrows no neighbour's track
            targets = [("mix", "", 0, 0)]
            readings.append(f"'{clause}' read as: said of the whole mix")
        if not targets:
            # a praised part lends its target only to a pronoun ("the vocals are clear, but the
            # reverb on them is too much"), not to a clause about something else
            pron = bool(re.search(r"\b(?:it|its|they|them|their)\b", clause))
            prev = [r for r in rows[:i] if r[1] and (pron or not r[4].get("praise"))]
            # a later clause lends its target within the sentence only ("It's time to add some
            # room. Lose the rhythm guitars." asks no room of the guitars)
            nxt = [
                r
                for r in rows[i + 1 :]
                if r[1] and (pron or not r[4].get("praise")) and r[4].get("sent") == ex.get("sent")
            ]
            if prev:
                targets = prev[-1][1]
                section = section or prev[-1][5]  # "the vocal in the intro was gritty and too loud"
            elif nxt:
                targets = nxt[0][1]
            elif action == "deess":
                # sibilance is the voice's: a de-esser with no track named goes on the lead vocal
                targets = [("lead_vocal", "", 0, 0)]
                readings.append(f"'{clause}' read as: de-essing, which is for the voice: the lead vocal")
            elif (u := _UNRESOLVED_RE.search(clause)) and (
                not _WHOLE_MIX_RE.search(norm) or re.search(r"\b(?:they|them)\b", u.group(0))
            ):
                # "turn it down and see", "tuck it in 10%": what "it" is was said elsewhere, not
                # here; moving the whole mix would be a guess
                readings.append(f"'{clause}' read as: a move on 'it' with nothing named for it")
                out.not_understood.append(clause)
                continue
        amount, word, explicit = _amount(ex.get("amount_override", clause))
        if amount is None and "amount_from" in ex:
            amount, word, explicit = _amount(ex["amount_from"])
        signed = _signed_db(clause)
        if signed is not None and action in ("level", "eq"):
            direction = "up" if signed > 0 else "down"
        unit = "dB"
        if action == "pan":
            if ex.get("hard"):
                amount, word, explicit = 100.0, "hard", True
            elif "pan_pct" in ex:
                amount, word, explicit = ex["pan_pct"], "", True
            unit = "%"
        for canon, words, _, _ in targets or [("mix", "", 0, 0)]:
            out.intents.append(
                Intent(
                    target=canon,
                    target_words=words,
                    action=action,
                    direction=direction,
                    amount=amount,
                    amount_word=word,
                    explicit=explicit,
                    unit=unit,
                    freq=ex.get("freq"),
                    freq_range=ex.get("freq_range"),
                    descriptor=ex.get("descriptor", ""),
                    section=section,
                    text=clause,
                )
            )
    out.intents = _merge(out.intents, out.readings)
    return out


def _merge(intents: list[Intent], readings: list[str]) -> list[Intent]:
    """One move per thing asked: a repeat of the same target, action, direction and section (a
    heading and its sentence, "boxy ... cut 400 Hz") is kept once, with the frequency or number
    when one of them has it; a descriptor EQ move next to a numbered one on the same target within
    an octave ("nasal ... too much 1 kHz") gives way to the numbered one."""
    out: list[Intent] = []
    for it in intents:
        j = next(
            (
                k
                for k, o in enumerate(out)
                if (o.target, o.action, o.direction, o.section)
                == (it.target, it.action, it.direction, it.section)
                and (o.freq is None or it.freq is None or abs(math.log2(o.freq / it.freq)) < 0.5)
            ),
            None,
        )
        if j is None:
            out.append(it)
            continue
        if (out[j].freq is None and it.freq is not None) or (not out[j].explicit and it.explicit):
            out[j] = it
        readings.append(f"'{it.text}' repeats '{out[j].text}': applied once")
    keep: list[Intent] = []
    for it in out:
        if it.action == "eq" and it.descriptor and it.freq is None:
            d = DESCRIPTORS[it.descriptor]
            near = next(
                (
                    o
                    for o in out
                    if o.action == "eq"
                    and o.target == it.target
                    and o.freq is not None
                    and not o.descriptor
                    and abs(math.log2(o.freq / d.freq_hz)) <= 1.0
                ),
                None,
            )
            if near is not None:
                readings.append(f"'{it.text}' ({it.descriptor}) is said where by '{near.text}': one EQ move")
                continue
        keep.append(it)
    return keep


def label_matches(got: list[dict], want: list[dict], moved_only: bool = False) -> bool:
    """How the labelled note sets are scored (tests/prompt, eval/prompt_real.py): the same number
    of intents in order with every labelled field equal and no amount or section invented where the
    label has none; with ``moved_only``, only target, action and direction ("moved the right way")."""
    if len(got) != len(want):
        return False
    for g, w in zip(got, want, strict=True):
        keys = ("target", "action", "direction") if moved_only else tuple(w)
        if any(g.get(k) != w[k] for k in keys):
            return False
        if not moved_only and any(k in g and k not in w for k in ("amount", "section")):
            return False
    return True
