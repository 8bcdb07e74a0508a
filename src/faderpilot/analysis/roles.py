"""Guess a track's role from its name, or from cheap audio features when the name says nothing.

Names are trusted first: engineers label stems ("Kick In", "Snr Btm", "BGV 3"), and a name is a
far better signal than any cheap feature. When the name is uninformative ("Audio 07") a handful
of numpy features (band energies, onsets and decays, periodicity, pitch movement) are mapped to
a role by the plain, ordered rules in ``_audio_rules``. Every guess carries one sentence saying
why, so a user can see and overrule it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import fft as sp_fft
from scipy.ndimage import maximum_filter1d, uniform_filter1d

from faderpilot.prep.naming import split_words
from faderpilot.session.roles import ROLE_LABELS, ROLES


@dataclass(frozen=True)
class RoleGuess:
    """A role guess with its confidence (0..1), the signal it came from and the reason."""

    role: str  # one of ROLES
    confidence: float  # 0..1
    signal: str  # "name" or "audio"
    reason: str  # one plain sentence


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    """What one name word says: a role, how sure, whether it only counts when nothing else does."""

    role: str
    confidence: float
    weak: bool = False
    qualifier: str = ""  # "backing", "acoustic", "reverse", "lead": modifies another word's role


def _words(
    role: str, confidence: float, words: str, weak: bool = False, qualifier: str = ""
) -> dict[str, _Word]:
    return {w: _Word(role, confidence, weak, qualifier) for w in words.split()}


#: Name vocabulary (lower-case words, plus a few joined forms such as "bassdrum" that the
#: classifier also builds from two adjacent words). Strong words decide the role; weak words
#: decide only when no strong word is present; qualifiers also modify the winning role.
_VOCAB: dict[str, _Word] = {
    # Drums.
    **_words("kick", 0.95, "kick kik kck kickdrum bassdrum"),
    **_words("kick", 0.9, "bd"),
    **_words("snare", 0.95, "snare snr"),
    **_words("snare", 0.85, "sn sd sna"),
    **_words("snare", 0.75, "rim rimshot rimclick sidestick xstick"),
    **_words("toms", 0.95, "tom hitom lotom midtom"),
    **_words("toms", 0.85, "ft"),
    **_words("toms", 0.8, "floor"),
    **_words("toms", 0.75, "rack"),
    **_words("hihat", 0.95, "hihat hh hat hhat"),
    **_words("overheads", 0.95, "oh overhead overheads ovh ovhd ohd"),
    **_words("overheads", 0.9, "room rm"),
    **_words("overheads", 0.85, "amb ambience ambient"),
    **_words("overheads", 0.75, "cymbal cym ride crash china splash"),
    **_words("overheads", 0.6, "trash crush", weak=True),
    **_words("percussion", 0.95, "perc percussion shaker tamb tambourine tambo conga bongo"),
    **_words("percussion", 0.9, "cowbell clap clp snap fingersnap clave cajon djembe timbale"),
    **_words("percussion", 0.9, "timpani timp triangle guiro cabasa woodblock agogo maraca"),
    **_words("percussion", 0.85, "shk shkr chimes windchimes tabla udu surdo cuica stomp"),
    **_words("percussion", 0.8, "steeldrum synthdrum taiko sleigh"),
    **_words("percussion", 0.6, "drumloop egg", weak=True),
    # A whole kit printed to one file. Any word naming one kit piece or mic wins over these
    # ("Kick Drum", "Drum Room", "Drums OH L"): see _PRECEDENCE.
    **_words("drum_kit", 0.85, "drum drums drumkit kit drumbus drumsbus drummix drumsmix fullkit"),
    **_words("drum_kit", 0.85, "drm drms"),
    # Bass.
    **_words("bass", 0.95, "bass bassgtr bassguitar synthbass basssynth"),
    **_words("bass", 0.9, "contrabass fretless bassline"),
    **_words("bass", 0.65, "sub upright bs", weak=True),
    **_words("bass", 0.6, "808", weak=True),
    # Guitars.
    **_words("electric_guitar", 0.9, "gtr guitar guit gtar egtr eguitar pedalsteel lapsteel"),
    **_words("electric_guitar", 0.9, "eg strat tele"),
    **_words("electric_guitar", 0.8, "gt"),
    **_words("electric_guitar", 0.75, "elec electric", weak=True),
    **_words("electric_guitar", 0.6, "rhy rhythm crunch dist fuzz", weak=True),
    **_words("electric_guitar", 0.5, "amp slide", weak=True),
    **_words("acoustic_guitar", 0.95, "ag agtr banjo mandolin mando"),
    **_words("acoustic_guitar", 0.9, "ukulele uke dobro bouzouki sitar"),
    **_words("acoustic_guitar", 0.85, "acoustic acou acous", weak=True, qualifier="acoustic"),
    **_words("acoustic_guitar", 0.7, "ac aco nylon classical", weak=True, qualifier="acoustic"),
    # Keys.
    **_words("keys", 0.95, "piano pno pia grand rhodes wurli wurlitzer epiano"),
    **_words("keys", 0.95, "organ b3 hammond clav clavinet harpsichord celesta celeste"),
    **_words("keys", 0.9, "keys key keyboard kbd kb ep org leslie mellotron harmonium accordion"),
    **_words("keys", 0.75, "vibes vibraphone marimba xylophone xylo glock glockenspiel"),
    **_words("keys", 0.75, "musicbox bandoneon"),  # instruments whose names hold a submix word
    # Synths.
    **_words("synth", 0.95, "synth syn synthesizer pad arp arpeggio arpeggiator"),
    **_words("synth", 0.85, "pluck seq sequence sequencer supersaw juno jupiter prophet"),
    **_words("synth", 0.6, "stab saw drone texture moog", weak=True),
    # General MIDI's synth-lead programs ("Lead 1 (square)"): a synth line, not a singer.
    **_words("synth", 0.85, "square sawtooth calliope chiff charang fifths"),
    # Strings, brass, winds.
    **_words("orchestral", 0.95, "strings string str strs stgs stg strgs violin vln vla viola"),
    **_words("orchestral", 0.95, "cello celli vlc brass horns horn trumpet tpt trp trombone"),
    **_words("orchestral", 0.95, "tbn trb tuba sax saxophone flute flt clarinet clar oboe"),
    **_words("orchestral", 0.95, "bassoon bassclarinet piccolo flugel flugelhorn cornet harp"),
    **_words("orchestral", 0.85, "winds woodwinds woodwind ww orch orchestra orchestral"),
    **_words("orchestral", 0.8, "ensemble ens pizz pizzicato spiccato recorder harmonica"),
    # Vocals.
    **_words("lead_vocal", 0.85, "vox vocal voc vcl vx voice singer"),
    **_words("lead_vocal", 0.95, "leadvox leadvocal mainvox ldvox lv ldv"),
    **_words("lead_vocal", 0.8, "rap rapper"),
    **_words("lead_vocal", 0.55, "lead ld main", weak=True, qualifier="lead"),
    **_words("backing_vocals", 0.95, "bgv bv bvox bgvox"),
    **_words("backing_vocals", 0.9, "harmony harmonies choir oohs ooh ahhs ahh aahs aah"),
    **_words(
        "backing_vocals",
        0.9,
        "backing backup background bkg bkgd bgd bck",
        weak=True,
        qualifier="backing",
    ),
    **_words("backing_vocals", 0.8, "harm hrm bg gang stack adlib", qualifier="backing"),
    **_words("backing_vocals", 0.75, "dbl double dub", weak=True, qualifier="backing"),
    # Other General MIDI programs by the family they play in.
    **_words("keys", 0.85, "clavi kalimba"),
    **_words("keys", 0.7, "bells bell", weak=True),
    **_words("acoustic_guitar", 0.85, "dulcimer shamisen koto"),
    **_words("orchestral", 0.85, "fiddle shanai shehnai bagpipe bagpipes ocarina shakuhachi whistle"),
    # Effects.
    **_words("fx", 0.9, "fx sfx efx riser uplifter downlifter sweep impact whoosh swoosh"),
    **_words("fx", 0.8, "seashore tweet telephone helicopter applause gunshot"),
    **_words("fx", 0.85, "transition foley glitch vinyl crackle zap laser"),
    **_words("fx", 0.6, "reverse reversed rvs rvrs rev backwards", weak=True, qualifier="reverse"),
    **_words("fx", 0.55, "noise swell boom verb reverb delay dly throw atmos", weak=True),
    # Several music parts printed to one file ("Music", "Other", "Band"). Any word naming one
    # instrument or voice wins over these ("Other Vox", "Band Horns"): see _PRECEDENCE.
    **_words("submix", 0.8, "music other instrument inst instrumental band accompaniment accomp"),
    **_words("submix", 0.8, "backingtrack submix stems rest remaining"),
    **_words("submix", 0.6, "mix bt", weak=True),  # also a full mix, a bus or a take: a weak cue
}

#: When several strong words disagree, the earliest role here wins: drum pieces over bass
#: ("Kick Sub"), bass over synth and guitar ("Synth Bass", "Bass Gtr"), instruments over vocal
#: words ("Harmony Gtr"), then the broad overheads/room and fx roles, and last the printed
#: groups: a word naming one piece, mic or part beats a word naming the whole kit ("Kick Drum",
#: "Drum Room", "Drums OH L", "Drum FX"), and any word at all beats a submix word ("Other Vox",
#: "Band Horns", "Drum Mix"), since a group word often just says which stem set a file is from.
_PRECEDENCE: tuple[str, ...] = (
    "kick",
    "snare",
    "toms",
    "hihat",
    "bass",
    "acoustic_guitar",
    "electric_guitar",
    "keys",
    "orchestral",
    "percussion",
    "synth",
    "backing_vocals",
    "lead_vocal",
    "overheads",
    "fx",
    "drum_kit",
    "submix",
)

#: Roles that a "reverse" qualifier turns into fx: a reversed hit or cymbal is a swell effect.
_DRUM_ROLES = frozenset({"kick", "snare", "toms", "hihat", "overheads", "percussion", "drum_kit"})

#: Role pairs whose words do not count as disagreeing.
_COMPATIBLE = {frozenset({"lead_vocal", "backing_vocals"})}

#: Printed-group roles: their words name the set a part belongs to ("Drums OH L", "Other Vox"),
#: so they never count against a more specific word.
_GROUP_ROLES = frozenset({"drum_kit", "submix"})

#: Vocal roles: several voices in one file are still the vocals, not a submix.
_VOCAL_ROLES = frozenset({"lead_vocal", "backing_vocals"})

#: Words that often glue onto an instrument word in lower-case file names ("kickin", "snaretop").
_GLUE = frozenset(
    "in out top btm bot bottom sub l r di amp mic mono close far up down dn hi lo low high mid"
    " main lead ld rhy comp dbl".split()
)

assert set(_PRECEDENCE) == set(ROLES)
assert all(w.role in ROLES for w in _VOCAB.values())


def _lookup(word: str) -> _Word | None:
    """Vocabulary entry for a lower-case word, allowing a plural "s" ("pads", "bgvs")."""
    if word in _VOCAB:
        return _VOCAB[word]
    if len(word) > 2 and word.endswith("s") and word[:-1] in _VOCAB:
        return _VOCAB[word[:-1]]
    return None


def _segment(word: str) -> list[str] | None:
    """Split a run-together lower-case word into known words ("snaretop" -> snare, top), or None.

    The first part must name a role and every other part must be a vocabulary or glue word, so
    ordinary words are left alone ("bottom" is not "bot" + "tom").
    """
    for cut in range(len(word) - 1, 1, -1):
        head, tail = word[:cut], word[cut:]
        if _lookup(head) is None:
            continue
        if _lookup(tail) is not None or tail in _GLUE:
            return [head, tail]
        rest = _segment(tail) if len(tail) >= 3 else None
        if rest is not None:
            return [head, *rest]
    return None


def _name_tokens(name: str) -> list[str]:
    """Lower-case words of a name, run-together words split where that yields known words."""
    tokens: list[str] = []
    for word in split_words(name):
        low = word.lower()
        if low.isdigit() or len(low) < 5 or _lookup(low) is not None or low in _GLUE:
            tokens.append(low)
        else:
            tokens.extend(_segment(low) or [low])
    return tokens


def _role_text(role: str) -> str:
    """Role label for use inside a sentence ("lead vocal", "piano/keys")."""
    return ROLE_LABELS[role].lower()


def _joins_parts(name: str, tokens: list[str]) -> bool:
    """True when a name joins parts with "+", "&" or "and" ("Keys+Gtrs", "Bass and Drums")."""
    return "+" in name or "&" in name or "and" in tokens


def classify_name(name: str) -> RoleGuess | None:
    """Role from a track or file name ("Snr Btm" -> snare), or None when the name says nothing.

    Words are matched against a studio vocabulary; adjacent words are also tried joined
    ("Bass Drum" -> kick); conflicts are settled by ``_PRECEDENCE`` and qualifier words. A name
    that joins different parts ("Keys+Gtrs", "Kick & Snare") is a printed group: a whole kit when
    every part is a drum, else a submix (voices together stay vocals).
    """
    tokens = _name_tokens(name)
    hits: list[tuple[str, _Word]] = []  # (matched text, entry)
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens) and tokens[i].isalpha() and tokens[i + 1].isalpha():
            joined = _lookup(tokens[i] + tokens[i + 1])
            if joined is not None:
                hits.append((f"{tokens[i]} {tokens[i + 1]}", joined))
                i += 2
                continue
        entry = _lookup(tokens[i])
        if entry is not None:
            hits.append((tokens[i], entry))
        i += 1
    if not hits:
        return None

    strong = [h for h in hits if not h[1].weak]
    parts = {h[1].role for h in strong}
    if len(parts) >= 2 and not parts <= _VOCAL_ROLES and _joins_parts(name, tokens):
        role = "drum_kit" if parts <= _DRUM_ROLES else "submix"
        words = " + ".join(f"'{text}'" for text, _ in strong)
        what = f"tokens {words}: several parts joined in one file"
        reason = f"name '{name}' reads as {_role_text(role)} ({what})"
        return RoleGuess(role, 0.8, "name", reason)
    text, win = min(strong or hits, key=lambda h: (_PRECEDENCE.index(h[1].role), -h[1].confidence))
    role, confidence = win.role, win.confidence
    what = f"'{text}'"
    note = ""

    def qualifier(kind: str) -> tuple[str, _Word] | None:
        return next((h for h in hits if h[1].qualifier == kind and h[0] != text), None)

    if role == "lead_vocal" and (q := qualifier("backing")):
        role, confidence = "backing_vocals", min(confidence + 0.05, q[1].confidence)
        what += f" qualified by '{q[0]}'"
        if q[0] in {"dbl", "double", "dub"}:
            note = "; a double of the lead is grouped with the backing vocals"
    elif role == "lead_vocal" and (q := qualifier("lead")):
        confidence = max(confidence, 0.95)
        what += f" qualified by '{q[0]}'"
    elif role == "electric_guitar" and (q := qualifier("acoustic")):
        role, confidence = "acoustic_guitar", max(confidence, q[1].confidence)
        what += f" qualified by '{q[0]}'"
    elif role in _DRUM_ROLES and (q := qualifier("reverse")):
        role, confidence = "fx", 0.85
        what += f" qualified by '{q[0]}'"
        note = "; a reversed hit is a swell effect, not a kit mic"

    others = {
        h[1].role
        for h in strong
        if h[1].role not in (role, win.role, *_GROUP_ROLES)
        and frozenset({h[1].role, role}) not in _COMPATIBLE
    }
    if others:
        confidence -= 0.1 * min(len(others), 3)
        note += f"; other words suggest {', '.join(_role_text(r) for r in sorted(others))}"
    if win.weak:
        note += "; a weak cue on its own"
    confidence = round(max(0.3, min(confidence, 0.99)), 2)
    reason = f"name '{name}' reads as {_role_text(role)} (token {what}{note})"
    return RoleGuess(role, confidence, "name", reason)


# --------------------------------------------------------------------------------------------
# Audio
# --------------------------------------------------------------------------------------------

_MAX_SECONDS = 30.0  # analyse at most this much, from the loudest stretch of the track
_ANALYSIS_SR = 22050.0  # approximate analysis rate after cheap decimation
_EPS = 1e-12
_SHORT = 256  # short frames (about 11 ms at the analysis rate) for onsets, decays and sustain
_SMOOTH = 3  # short frames averaged for levels (35 ms: a low note's level must not flicker)
#: Band edges (Hz) of the short-frame filterbank whose summed level rises mark onsets.
_FLUX_EDGES_HZ = (0.0, 150.0, 300.0, 500.0, 800.0, 1200.0, 1800.0, 2700.0, 4000.0, 6000.0, 9000.0)
_ONSET_DB = 25.0  # summed rise over the bands, above the local average, that makes an onset
_HIT_DB = 6.0  # long frames this close to the loudest are the main hits (not bleed or tails)


@dataclass(frozen=True)
class Balance:
    """Where the energy of some frames lies: fractions of it by band, and its centroid."""

    low150: float  # below 150 Hz (kick, bass fundamentals)
    low300: float  # below 300 Hz
    mid: float  # 300 Hz-3 kHz (voice formants, guitar)
    high5k: float  # above 5 kHz (cymbals, wires)
    centroid_hz: float  # energy-weighted spectral centroid

    @property
    def body(self) -> float:
        """Fraction at 150-300 Hz (snare and tom bodies)."""
        return self.low300 - self.low150


@dataclass(frozen=True)
class AudioFeatures:
    """The cheap features the audio rules look at."""

    seconds: float  # length analysed
    balance: Balance  # of every active frame (within 40 dB of the loud passages)
    hits: Balance  # of the loudest frames only (within 6 dB): the hits, without bleed or tails
    centroid_spread: float  # std of the per-frame centroid over active frames, octaves
    hit_spread: float  # the same over the loudest frames (a whole kit alternates drums/cymbals)
    onset_rate: float  # onsets per second (summed level rises across ten bands)
    attack_db: float  # median size of those rises (dB summed over bands; hits > 200, notes < 200)
    decay_ms: float  # median time for a main hit to fall 15 dB (inf when notes run into each other)
    decayed: float  # fraction of main hits that fall 15 dB before the next one
    low_hits: float  # fraction of the main hits with most of their power below 150 Hz (kicks)
    bright_hits: float  # fraction of the main hits with under a fifth below 150 Hz (snares, hats)
    sustain_db: float  # median level against the loudest of the previous 0.4 s (hits: < -5 dB)
    silent: float  # fraction of time more than 40 dB below the loud passages (gaps)
    grid: float  # regularity of the onsets (onset autocorrelation peak at 0.2-2 s, 0..1)
    harmonicity: float  # median normalised autocorrelation peak over active frames (0..1)
    voiced: float  # fraction of active frames that are clearly periodic
    f0_hz: float  # median pitch of voiced frames (0 when none)
    pitch_motion: float  # frame-to-frame pitch change within notes (upper quartile), cents
    stereo_corr: float  # correlation of left and right (1 for mono)


def _active_segment(x: np.ndarray, sr: int) -> np.ndarray:
    """The loudest stretch of at most ``_MAX_SECONDS``, found from a strided energy estimate."""
    n = x.shape[1]
    span = int(_MAX_SECONDS * sr)
    if n <= span:
        return x
    step = max(1, sr // 500)  # about 500 probe samples a second; skips most cache lines
    probe = x[0, ::step]
    block = max(1, int(sr / step))  # one-second blocks of the probe
    nb = len(probe) // block
    energy = np.square(probe[: nb * block]).reshape(nb, block).sum(axis=1, dtype=np.float64)
    width = min(nb, int(_MAX_SECONDS))
    sums = np.convolve(energy, np.ones(width), mode="valid")
    start = min(int(np.argmax(sums)) * block * step, n - span)
    return x[:, start : start + span]


def _frames(y: np.ndarray, size: int, hop: int) -> np.ndarray:
    """Overlapping frames of ``y`` (zero-padded so there is at least one)."""
    if len(y) < size:
        y = np.pad(y, (0, size - len(y)))
    return sliding_window_view(y, size)[::hop]


def _decimate(y: np.ndarray, q: int) -> np.ndarray:
    """Average-and-drop decimation by ``q``: crude but cheap; fine for band energies and pitch."""
    if q <= 1:
        return y
    n = len(y) // q * q
    out = np.add(y[0:n:q], y[1:n:q], dtype=np.float32)  # faster than reshape(...).mean(axis=1)
    for k in range(2, q):
        out += y[k:n:q]
    out *= np.float32(1.0 / q)
    return out


def _onsets(band_db: np.ndarray, env_db: np.ndarray, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Onset frames and their strengths from per-band levels (frames, bands) sampled at ``rate``.

    The strength of a frame is its summed level rise over the bands (spectral flux in dB); an
    onset is a strength peak, the largest within 50 ms, that stands ``_ONSET_DB`` above the
    average of the surrounding half second, in a frame within 35 dB of the loud passages.
    """
    flux = np.zeros(len(band_db))
    if len(band_db) > _SMOOTH:
        flux[_SMOOTH:] = np.maximum(band_db[_SMOOTH:] - band_db[:-_SMOOTH], 0.0).sum(axis=1)
    local = uniform_filter1d(flux, max(3, int(0.5 * rate) | 1), mode="nearest")
    biggest = maximum_filter1d(flux, 2 * max(1, int(0.05 * rate)) + 1, mode="nearest")
    loud = env_db > np.percentile(env_db, 99) - 35.0
    loud[1:] |= loud[:-1]  # the rise may start a frame before the level gets there
    on = np.flatnonzero((flux >= biggest) & (flux > local + _ONSET_DB) & loud)
    if len(on) > 1:  # equal neighbouring peaks count once
        on = on[np.concatenate([[True], np.diff(on) > 1])]
    return on, flux[on]


def _main_hits(env_db: np.ndarray, onsets: np.ndarray, rate: float) -> np.ndarray:
    """Peak frames of the main hits: onsets whose peak (within 30 ms) is within 15 dB of the
    loudest. Quieter onsets are bleed or ghost notes."""
    if len(onsets) == 0:
        return np.zeros(0, dtype=int)
    peak_win = max(1, int(0.03 * rate))
    peaks = np.array([o + int(np.argmax(env_db[o : o + peak_win])) for o in onsets], dtype=int)
    return peaks[env_db[peaks] >= np.percentile(env_db, 99.5) - 15.0]


def _decays(env_db: np.ndarray, main: np.ndarray, rate: float) -> tuple[float, float]:
    """Median time (ms) for the level to fall 15 dB after the peak of each main hit, before the
    next main hit (inf when most never do), and the fraction of main hits that do. Quieter
    onsets (bleed, ghost notes) neither count nor cut a decay short.
    """
    if len(main) == 0:
        return float("inf"), 0.0
    decays = np.full(len(main), np.inf)
    for i, (p, end) in enumerate(zip(main, [*main[1:], len(env_db)], strict=True)):
        below = np.flatnonzero(env_db[p:end] < env_db[p] - 15.0)
        if len(below):
            decays[i] = below[0] / rate * 1000.0
    return float(np.median(decays)), float(np.mean(np.isfinite(decays)))


def _hit_kinds(bands: np.ndarray, main: np.ndarray) -> tuple[float, float]:
    """Fractions of the main hits that are low (at least half their power below 150 Hz at the
    peak: a kick) and bright (under a fifth of it there: a snare, a hat, a cymbal)."""
    if len(main) == 0:
        return 0.0, 0.0
    low = bands[main, 0] / (bands[main].sum(axis=1) + _EPS)
    return float(np.mean(low >= 0.5)), float(np.mean(low < 0.2))


def _grid(n: int, onsets: np.ndarray, rate: float) -> float:
    """How regular the onsets are: the highest normalised autocorrelation of an onset pulse
    train at lags of 0.2-2 s (a steady beat reads near 1, scattered events near 0)."""
    if len(onsets) < 4:
        return 0.0
    pulses = np.zeros(n)
    pulses[onsets] = 1.0
    pulses = uniform_filter1d(pulses, 3, mode="constant")  # allow a frame of timing slop
    spec = sp_fft.rfft(pulses, n=2 * n)
    ac = sp_fft.irfft(spec.real**2 + spec.imag**2, n=2 * n)[:n]
    lo, hi = int(0.2 * rate), min(n - 1, int(2.0 * rate))
    if hi <= lo:
        return 0.0
    overlap = (n - np.arange(lo, hi + 1)) / n  # shorter overlap at long lags
    return float(np.clip(np.max(ac[lo : hi + 1] / overlap) / (ac[0] + _EPS), 0.0, 1.0))


def _periodicity(y: np.ndarray, sr: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per frame of ``y``: normalised autocorrelation peak (0..1), pitch in Hz (50-600), energy.

    The autocorrelation is divided by the window's own, so a steady periodic frame reads near 1.
    """
    size = 1024 if sr > 8000 else 512
    fr = _frames(y, size, size)  # back-to-back frames (about 90 ms at 11 kHz) keep this cheap
    win = np.hanning(size).astype(np.float32)
    spec = sp_fft.rfft(fr * win, n=2 * size)
    ac = sp_fft.irfft(spec.real**2 + spec.imag**2, n=2 * size)[:, :size]
    wac = sp_fft.irfft(np.abs(sp_fft.rfft(win, n=2 * size)) ** 2, n=2 * size)[:size]
    lo, hi = int(sr / 600.0), min(int(sr / 50.0), size - 2)
    r = ac[:, lo : hi + 1] / (ac[:, :1] + _EPS) / (wac[lo : hi + 1] / wac[0])
    r = np.clip(r, -1.0, 1.0)
    best = r.max(axis=1)
    peak = np.zeros_like(r, dtype=bool)
    peak[:, 1:-1] = (r[:, 1:-1] >= r[:, :-2]) & (r[:, 1:-1] >= r[:, 2:])
    first = np.argmax(peak & (r >= 0.9 * best[:, None]), axis=1)  # shortest near-best lag
    k = np.clip(first, 1, r.shape[1] - 2)
    rows = np.arange(len(k))
    a, b, c = r[rows, k - 1], r[rows, k], r[rows, k + 1]
    denom = a - 2 * b + c
    safe = np.where(np.abs(denom) > _EPS, denom, 1.0)
    shift = np.where(np.abs(denom) > _EPS, 0.5 * (a - c) / safe, 0.0)
    lag = lo + k + np.clip(shift, -0.5, 0.5)
    return best, sr / lag, ac[:, 0]


def _power(spec: np.ndarray) -> np.ndarray:
    """Power of a complex spectrum, without the temporaries of ``abs(spec) ** 2``."""
    power = np.square(spec.real)
    power += np.square(spec.imag)
    return power


def _balance(power: np.ndarray, freqs: np.ndarray, mask: np.ndarray) -> tuple[Balance, float]:
    """Band balance of the masked frames of a power spectrogram, and the spread of their
    per-frame centroids (std of log2, octaves)."""
    sel = power[mask]
    total = sel.sum(axis=0)
    te = float(total.sum()) + _EPS

    def frac(lo: float, hi: float) -> float:
        return float(total[(freqs >= lo) & (freqs < hi)].sum() / te)

    bal = Balance(
        low150=frac(0, 150),
        low300=frac(0, 300),
        mid=frac(300, 3000),
        high5k=frac(5000, freqs[-1] + 1.0),
        centroid_hz=float((total * freqs).sum() / te),
    )
    if len(sel) < 2:
        return bal, 0.0
    per_frame = (sel @ freqs) / (sel.sum(axis=1) + _EPS)
    return bal, float(np.std(np.log2(np.maximum(per_frame, 20.0))))


def audio_features(x: np.ndarray, sr: int) -> AudioFeatures | None:
    """Measure the features ``classify_audio`` uses; None when the audio is silent or empty.

    Works on at most 30 s from the loudest part, decimated to about 22 kHz (11 kHz for pitch).
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    if x.size == 0 or x.shape[1] < 64:
        return None
    seg = _active_segment(x, sr)
    q = max(1, int(round(sr / _ANALYSIS_SR)))
    ra = sr / q
    chans = [_decimate(seg[c], q) for c in range(min(2, seg.shape[0]))]
    if len(chans) == 2:
        left, right = chans
        ll, rr = float(np.dot(left, left)), float(np.dot(right, right))
        stereo_corr = float(np.dot(left, right) / np.sqrt(ll * rr)) if ll * rr > 0 else 1.0
        y = 0.5 * (left + right) if stereo_corr >= 0 else 0.5 * (left - right)  # no cancellation
        peak = float(max(np.max(np.abs(left)), np.max(np.abs(right))))
    else:
        y = chans[0]
        stereo_corr = 1.0
        peak = float(np.max(np.abs(y)))
    if not 1e-5 <= peak < np.inf:  # silent, or NaN/inf samples
        return None
    seconds = len(y) / ra

    # Long frames: back-to-back 1024-point frames (about 46 ms) for the band balance, of all
    # the active frames and of the loudest ones (the hits). Stereo is measured as left plus
    # right power, since a wide pair's highs partly cancel in the mono sum.
    size = 1024
    hann = np.hanning(size).astype(np.float32)
    wide = len(chans) == 2 and stereo_corr < 0.9
    power = _power(sp_fft.rfft(_frames(chans[0] if wide else y, size, size) * hann, axis=1))
    if wide:
        power += _power(sp_fft.rfft(_frames(chans[1], size, size) * hann, axis=1))
    freqs = np.fft.rfftfreq(size, 1.0 / ra)
    frame_e = power.sum(axis=1)
    balance, spread = _balance(power, freqs, frame_e > float(np.percentile(frame_e, 95)) * 1e-4)
    hit_frames = frame_e >= float(np.percentile(frame_e, 99)) * 10 ** (-_HIT_DB / 10)
    hits, hit_spread = _balance(power, freqs, hit_frames)

    # Short frames: back-to-back 256-point frames (about 11 ms) in ten bands, for onsets,
    # decays and sustain. One short frame can hold less than a cycle of a low note, so its
    # level flickers with the waveform: the band levels are averaged over _SMOOTH frames.
    win = np.sin(np.pi * (np.arange(_SHORT) + 0.5) / _SHORT).astype(np.float32)
    sspec = sp_fft.rfft(_frames(y, _SHORT, _SHORT) * win, axis=1)
    below_nyquist = [hz for hz in _FLUX_EDGES_HZ if hz < ra / 2]
    edges = np.unique(np.searchsorted(np.fft.rfftfreq(_SHORT, 1.0 / ra), below_nyquist))
    bands = np.add.reduceat(_power(sspec), edges, axis=1)
    bands = uniform_filter1d(bands, _SMOOTH, axis=0, mode="nearest")
    rate = ra / _SHORT
    env = bands.sum(axis=1)
    floor = float(np.percentile(env, 95)) * 1e-6 + _EPS  # 60 dB under the loud passages
    band_db = 10 * np.log10(bands + floor / len(edges))
    env_db = 10 * np.log10(env + floor)
    active = env_db > float(np.percentile(env_db, 95)) - 40.0
    onsets, strength = _onsets(band_db, env_db, rate)
    main = _main_hits(env_db, onsets, rate)
    decay_ms, decayed = _decays(env_db, main, rate)
    low_hits, bright_hits = _hit_kinds(bands, main)
    back = max(1, int(0.4 * rate)) | 1
    recent = maximum_filter1d(env_db, back, origin=(back - 1) // 2, mode="nearest")
    sustain = float(np.median((env_db - recent)[active])) if active.any() else 0.0

    # Periodicity and pitch at about 11 kHz.
    q2 = 2 if ra > 16000 else 1
    hb, f0, pe = _periodicity(_decimate(y, q2), ra / q2)
    act_p = pe > float(np.percentile(pe, 95)) * 1e-3
    harmonicity = float(np.median(hb[act_p])) if act_p.any() else 0.0
    voiced_mask = act_p & (hb >= 0.75)
    voiced = float(voiced_mask.sum() / max(1, act_p.sum()))
    f0_hz = float(np.median(f0[voiced_mask])) if voiced_mask.any() else 0.0
    both = voiced_mask[1:] & voiced_mask[:-1]
    cents = np.abs(1200 * np.log2(f0[1:] / f0[:-1]))[both]
    within = cents[cents < 150.0]  # bigger jumps are note changes or octave errors
    pitch_motion = float(np.percentile(within, 75)) if len(within) >= 5 else 0.0

    return AudioFeatures(
        seconds=seconds,
        balance=balance,
        hits=hits,
        centroid_spread=spread,
        hit_spread=hit_spread,
        onset_rate=len(onsets) / max(seconds, _EPS),
        attack_db=float(np.median(strength)) if len(onsets) else 0.0,
        decay_ms=decay_ms,
        decayed=decayed,
        low_hits=low_hits,
        bright_hits=bright_hits,
        sustain_db=sustain,
        silent=float(np.mean(~active)),
        grid=_grid(len(env_db), onsets, rate),
        harmonicity=harmonicity,
        voiced=voiced,
        f0_hz=f0_hz,
        pitch_motion=pitch_motion,
        stereo_corr=stereo_corr,
    )


def _pct(v: float) -> str:
    return f"{100 * v:.0f}%"


def _audio_rules(f: AudioFeatures) -> tuple[str, float, str]:
    """Map features to (role, confidence, evidence) with ordered, plain rules.

    1. Hits. At least 0.4 onsets/s with the level mostly 5 dB or more under the last hit and
       sharp attacks, or 7.5 dB under it and struck (main hits falling 15 dB before the next,
       or noise-like, or fairly sharp); or a few hits that fall away between long silences.
       Judged by the balance of the loudest frames, so bleed and tails do not count: mostly
       > 5 kHz -> hi-hat (overheads if the hits ring > 200 ms); kick-like low hits and bright
       snare/cymbal hits both among the main hits, a real share of the hits' power below
       150 Hz and cymbals present -> a whole kit printed to one file; drums and cymbals
       taking turns as the loudest sound without that low end -> overheads (a whole kit in one
       mic, thin from above); mostly < 150 Hz -> kick; a noise burst with a 150-300 Hz body ->
       snare; mostly < 300 Hz -> toms; else percussion.
    2. Notes and sounds. A bass share and a middle share both substantial, pitched but not one
       line the pitch tracker can follow, with attacks -> a submix of several parts (modest
       confidence: a piano's left hand can look the same); mostly < 150 Hz -> bass; noise-like
       -> fx; periodic with a moving pitch (vibrato), voice-range f0, formant-band energy and
       gaps -> lead vocal; no attacks -> synth/pad; attacks -> electric guitar when at least two
       of plucked (decaying between attacks), mid-range and mono, else keys.
    """
    if np.isfinite(f.decay_ms):
        hits = f"{f.onset_rate:.1f} onsets/s decaying 15 dB in {f.decay_ms:.0f} ms"
    else:
        hits = f"{f.onset_rate:.1f} onsets/s, each ringing into the next"
    falls = f"the level {-f.sustain_db:.0f} dB under the last hit"
    n_onsets = int(round(f.onset_rate * f.seconds))
    falls_away = f.sustain_db <= -5.0  # the level mostly 5 dB or more under the last hit
    deep = f.sustain_db <= -7.5
    noisy = f.harmonicity < 0.55  # cymbals and wires ring into the next hit but are not notes
    struck = f.decayed >= 0.4 or noisy or f.attack_db >= 200.0
    steady_hits = f.onset_rate >= 0.4 and ((falls_away and f.attack_db >= 300.0) or (deep and struck))
    sparse_hits = (
        f.silent >= 0.6 and n_onsets >= 2 and falls_away and (f.attack_db >= 200.0 or f.balance.low300 >= 0.5)
    )
    if steady_hits or sparse_hits:
        b = f.hits
        beat = ", on a steady beat" if f.grid >= 0.5 else ""
        if b.high5k >= 0.45 and b.low300 < 0.15:
            if f.decay_ms > 200.0:
                return "overheads", 0.45, f"{_pct(b.high5k)} of the hits above 5 kHz, ringing ({hits})"
            conf = 0.55 + 0.2 * min(1.0, (b.high5k - 0.45) / 0.4)
            return "hihat", conf, f"{_pct(b.high5k)} of the hits above 5 kHz, short ({hits}{beat})"
        whole = f.balance
        # A kit printed to one file: kicks and snares/cymbals take turns as the main hits (each
        # at least 15% of them, so a kick mic's snare bleed, 15 dB or more under its own hits,
        # does not count), the kick keeps its low end (overheads lose it: the demo's and a
        # 150 Hz high-passed kit have 15-25% of the hits' power below 150 Hz, a summed kit
        # 80-95%) and cymbals are there (1% of the energy above 5 kHz; a lone kick has 0.1%).
        if f.low_hits >= 0.15 and f.bright_hits >= 0.15 and b.low150 >= 0.35 and whole.high5k >= 0.01:
            return (
                "drum_kit",
                0.6 if f.grid >= 0.5 else 0.5,
                f"kick-like low hits ({_pct(f.low_hits)} of the main hits) and snare or cymbal hits "
                f"({_pct(f.bright_hits)}) taking turns, {_pct(b.low150)} of the hits' power below "
                f"150 Hz and {_pct(whole.high5k)} of the energy above 5 kHz, like a whole kit "
                f"printed to one file ({hits}{beat})",
            )
        if whole.low300 >= 0.1 and whole.high5k >= 0.08 and f.hit_spread >= 0.6:
            return (
                "overheads",
                0.55 if f.hit_spread >= 1.2 else 0.45,
                f"drums ({_pct(whole.low300)} of energy below 300 Hz) and cymbals "
                f"({_pct(whole.high5k)} above 5 kHz) taking turns as the loudest sound (centroid "
                f"moving {f.hit_spread:.1f} octaves), like a whole kit in one mic ({hits})",
            )
        if b.low150 >= 0.45 and b.high5k < 0.15:
            conf = 0.5 + 0.15 * min(1.0, (b.low150 - 0.45) / 0.4) + (0.1 if f.grid >= 0.5 else 0.0)
            return "kick", conf, f"{_pct(b.low150)} of the hits below 150 Hz, {falls} ({hits}{beat})"
        if b.body >= 0.08 and b.high5k >= 0.1 and b.centroid_hz >= 600.0:
            return (
                "snare",
                0.55 if f.hit_spread < 0.5 else 0.45,
                f"noisy hits centred at {b.centroid_hz:.0f} Hz with {_pct(b.body)} in a "
                f"150-300 Hz body and {_pct(b.high5k)} above 5 kHz ({hits})",
            )
        if b.low300 >= 0.5:
            return "toms", 0.45, f"{_pct(b.low300)} of the hits below 300 Hz, tonal ({hits})"
        return "percussion", 0.45, f"hits centred at {b.centroid_hz:.0f} Hz ({hits})"

    b = f.balance
    sustained = "sustained" if f.onset_rate < 0.4 else f"sustained notes ({hits})"
    # Several parts in one file: a bass register and a middle register both carry a real share
    # (a bass DI has 1% at 300 Hz-3 kHz, a lone chord instrument almost nothing below 150 Hz),
    # pitched, yet no single line holds the pitch tracker (a bass alone is voiced 95% of the
    # time, bass with chords on top about 70%), with attacks (parts that play, not one pad).
    if (
        0.2 <= b.low150 < 0.7
        and b.mid >= 0.2
        and f.harmonicity >= 0.5
        and f.voiced < 0.8
        and f.onset_rate >= 0.4
    ):
        return (
            "submix",
            0.4,
            f"{_pct(b.low150)} of energy below 150 Hz and {_pct(b.mid)} at 300 Hz-3 kHz, pitched "
            f"(periodicity {f.harmonicity:.2f}) but no single line ({_pct(f.voiced)} of it clearly "
            f"voiced), with attacks ({f.onset_rate:.1f} onsets/s): several parts in one file",
        )
    if b.low150 >= 0.4 or (b.low300 >= 0.7 and b.centroid_hz < 250.0):
        conf = 0.5 + 0.2 * min(1.0, (b.low150 - 0.4) / 0.5)
        low = (
            f"{_pct(b.low150)} of energy below 150 Hz"
            if b.low150 >= 0.4
            else f"{_pct(b.low300)} below 300 Hz"
        )
        pitch = f", pitch around {f.f0_hz:.0f} Hz" if 0.0 < f.f0_hz < 200.0 else ""
        return "bass", conf, f"{low}, {sustained}{pitch}"
    if f.harmonicity < 0.4:
        conf = 0.6 if f.centroid_spread >= 0.5 else 0.45
        motion = f"centroid moving {f.centroid_spread:.1f} octaves"
        return "fx", conf, f"noise-like (periodicity {f.harmonicity:.2f}), {sustained}, {motion}"
    votes = sum((90.0 <= f.f0_hz <= 600.0, b.mid >= 0.45, f.silent >= 0.05))
    if f.voiced >= 0.3 and f.pitch_motion >= 6.0 and votes >= 2:
        return (
            "lead_vocal",
            0.5 + 0.05 * votes,
            f"periodic with moving pitch ({f.pitch_motion:.0f} cents/frame around "
            f"{f.f0_hz:.0f} Hz), {_pct(b.mid)} of energy at 300 Hz-3 kHz, "
            f"{_pct(f.silent)} of the time in gaps",
        )
    if f.onset_rate < 0.4:
        return (
            "synth",
            0.6 if f.stereo_corr < 0.5 else 0.5,
            f"periodic and swelling without attacks (periodicity {f.harmonicity:.2f}, "
            f"{f.onset_rate:.1f} onsets/s), centred at {b.centroid_hz:.0f} Hz",
        )
    plucked = f.sustain_db <= -3.5
    midrange = b.centroid_hz >= 600.0 and b.low300 < 0.3
    mono = f.stereo_corr >= 0.9
    guitar_votes = sum((plucked, midrange, mono))
    shape = f"plucked notes, {falls}" if plucked else "held notes"
    width = "mono" if mono else f"stereo (L/R correlation {f.stereo_corr:.2f})"
    evidence = (
        f"{shape}, with attacks ({f.onset_rate:.1f} onsets/s), centred at {b.centroid_hz:.0f} Hz, {width}"
    )
    if guitar_votes >= 2:
        return "electric_guitar", 0.35 + 0.05 * guitar_votes, evidence
    return "keys", 0.35 + 0.05 * (3 - guitar_votes), evidence


def classify_audio(x: np.ndarray, sr: int) -> RoleGuess:
    """Role from the audio alone (for uninformatively named tracks), with modest confidence.

    ``x`` is (channels, frames) or (frames,) at ``sr`` (channels past two are ignored); silent
    audio comes back as fx/other with confidence 0.1.
    """
    f = audio_features(x, sr)
    if f is None:
        return RoleGuess("fx", 0.1, "audio", "audio: silent, empty or unreadable, so no role heard")
    role, conf, evidence = _audio_rules(f)
    if f.stereo_corr < 0.5 and role in {"synth", "fx", "overheads"}:
        evidence += f", wide stereo (L/R correlation {f.stereo_corr:.2f})"
    if f.seconds < 2.0:
        conf *= 0.6
        evidence += f", from only {f.seconds:.1f} s of audio"
    conf = round(float(np.clip(conf, 0.1, 0.75)), 2)
    return RoleGuess(role, conf, "audio", f"audio: {evidence} → {_role_text(role)}")


def classify(name: str, x: np.ndarray, sr: int) -> RoleGuess:
    """Role for a track: from its name when the name is informative, else from its audio."""
    guess = classify_name(name)
    if guess is not None:
        return guess
    return classify_audio(x, sr)
