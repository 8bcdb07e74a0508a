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
    **_words("overheads", 0.5, "drum drums kit", weak=True),
    **_words("percussion", 0.95, "perc percussion shaker tamb tambourine tambo conga bongo"),
    **_words("percussion", 0.9, "cowbell clap clp snap fingersnap clave cajon djembe timbale"),
    **_words("percussion", 0.9, "timpani timp triangle guiro cabasa woodblock agogo maraca"),
    **_words("percussion", 0.85, "shk shkr chimes windchimes tabla udu surdo cuica stomp"),
    **_words("percussion", 0.8, "steeldrum"),
    **_words("percussion", 0.6, "drumloop egg", weak=True),
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
    # Synths.
    **_words("synth", 0.95, "synth syn synthesizer pad arp arpeggio arpeggiator"),
    **_words("synth", 0.85, "pluck seq sequence sequencer supersaw juno jupiter prophet"),
    **_words("synth", 0.6, "stab saw drone texture moog", weak=True),
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
    # Effects.
    **_words("fx", 0.9, "fx sfx efx riser uplifter downlifter sweep impact whoosh swoosh"),
    **_words("fx", 0.85, "transition foley glitch vinyl crackle zap laser"),
    **_words("fx", 0.6, "reverse reversed rvs rvrs rev backwards", weak=True, qualifier="reverse"),
    **_words("fx", 0.55, "noise swell boom verb reverb delay dly throw atmos", weak=True),
}

#: When several strong words disagree, the earliest role here wins: drum pieces over bass
#: ("Kick Sub"), bass over synth and guitar ("Synth Bass", "Bass Gtr"), instruments over vocal
#: words ("Harmony Gtr"), and the broad overheads/room and fx roles last.
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
)

#: Roles that a "reverse" qualifier turns into fx: a reversed hit or cymbal is a swell effect.
_DRUM_ROLES = frozenset({"kick", "snare", "toms", "hihat", "overheads", "percussion"})

#: Role pairs whose words do not count as disagreeing.
_COMPATIBLE = {frozenset({"lead_vocal", "backing_vocals"})}

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


def classify_name(name: str) -> RoleGuess | None:
    """Role from a track or file name ("Snr Btm" -> snare), or None when the name says nothing.

    Words are matched against a studio vocabulary; adjacent words are also tried joined
    ("Bass Drum" -> kick); conflicts are settled by ``_PRECEDENCE`` and qualifier words.
    """
    tokens = _name_tokens(name)
    hits: list[tuple[str, _Word]] = []  # (matched text, entry)
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens) and tokens[i].isalpha() and tokens[i + 1].isalpha():
            joined = tokens[i] + tokens[i + 1]
            if joined in _VOCAB:
                hits.append((f"{tokens[i]} {tokens[i + 1]}", _VOCAB[joined]))
                i += 2
                continue
        entry = _lookup(tokens[i])
        if entry is not None:
            hits.append((tokens[i], entry))
        i += 1
    if not hits:
        return None

    strong = [h for h in hits if not h[1].weak]
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
        if h[1].role not in (role, win.role) and frozenset({h[1].role, role}) not in _COMPATIBLE
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


@dataclass(frozen=True)
class AudioFeatures:
    """The cheap features the audio rules look at (fractions are of the analysed energy)."""

    seconds: float  # length analysed
    low150: float  # energy fraction below 150 Hz
    low300: float  # energy fraction below 300 Hz
    body: float  # energy fraction 150-300 Hz (snare/tom body)
    mid: float  # energy fraction 300 Hz-3 kHz (voice formants)
    high5k: float  # energy fraction above 5 kHz
    centroid_hz: float  # energy-weighted spectral centroid
    centroid_spread: float  # std of per-frame centroid, octaves (sweeps move a lot)
    crest_db: float  # peak over RMS of the analysed audio
    onset_rate: float  # onsets per second
    decay_ms: float  # median time for a hit to fall 15 dB (inf when notes run into each other)
    decayed: float  # fraction of onsets that fall 15 dB before the next onset
    silent: float  # fraction of time more than 40 dB below the loud passages (gaps)
    harmonicity: float  # median normalised autocorrelation peak over active frames (0..1)
    voiced: float  # fraction of active frames that are clearly periodic
    f0_hz: float  # median pitch of voiced frames (0 when none)
    pitch_motion: float  # median frame-to-frame pitch change within notes, cents
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


def _onsets(env_db: np.ndarray, rate: float) -> tuple[int, float, float]:
    """Onsets on a dB envelope sampled at ``rate``: (count, median decay in ms, fraction decayed).

    An onset is a rise of 9 dB over the mean power of the previous 30 ms, within 35 dB of the
    loudest passages; its decay is the time from its peak to 15 dB below it, before the next one.
    """
    back = max(2, int(0.03 * rate))
    ref = np.percentile(env_db, 99)
    power = np.power(10.0, env_db / 10.0)
    csum = np.concatenate([[0.0], np.cumsum(np.concatenate([np.full(back, power[0]), power]))])
    prev_mean = (csum[back : back + len(power)] - csum[: len(power)]) / back  # previous 30 ms
    rising = (env_db - 10 * np.log10(prev_mean + _EPS) >= 9.0) & (env_db > ref - 35.0)
    starts = np.flatnonzero(rising & ~np.concatenate([[False], rising[:-1]]))
    gap = max(1, int(0.06 * rate))
    onsets: list[int] = []
    for s in starts[:2000]:
        if not onsets or s - onsets[-1] >= gap:
            onsets.append(int(s))
    if not onsets:
        return 0, float("inf"), 0.0
    peak_win = max(1, int(0.03 * rate))
    decays: list[float] = []
    for o, end in zip(onsets, [*onsets[1:], len(env_db)], strict=True):
        seg = env_db[o:end]
        p = int(np.argmax(seg[:peak_win]))
        below = np.flatnonzero(seg[p:] < seg[p] - 15.0)
        decays.append(below[0] / rate * 1000.0 if len(below) else float("inf"))
    d = np.array(decays)
    return len(onsets), float(np.median(d)), float(np.mean(np.isfinite(d)))


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
        y = 0.5 * (left + right)
        ll, rr = float(np.dot(left, left)), float(np.dot(right, right))
        stereo_corr = float(np.dot(left, right) / np.sqrt(ll * rr)) if ll * rr > 0 else 1.0
        power_t = 0.5 * (np.square(left) + np.square(right))  # no mono-sum cancellation
    else:
        y = chans[0]
        stereo_corr = 1.0
        power_t = np.square(y)
    peak = float(np.sqrt(np.max(power_t)))
    if not peak >= 1e-5:  # silent, or NaN/inf samples
        return None
    crest_db = 20 * np.log10(peak / max(float(np.sqrt(np.mean(power_t, dtype=np.float64))), _EPS))

    # Spectrum: back-to-back 1024-point frames (about 46 ms); band statistics need no overlap.
    size = 1024
    spec = sp_fft.rfft(_frames(y, size, size) * np.hanning(size).astype(np.float32), axis=1)
    power = spec.real**2 + spec.imag**2
    freqs = np.fft.rfftfreq(size, 1.0 / ra)
    frame_e = power.sum(axis=1)
    active = frame_e > float(np.percentile(frame_e, 95)) * 1e-4
    total = power[active].sum(axis=0)
    te = float(total.sum()) + _EPS

    def band(lo: float, hi: float) -> float:
        return float(total[(freqs >= lo) & (freqs < hi)].sum() / te)

    centroid = float((total * freqs).sum() / te)
    pc = (power[active] * freqs).sum(axis=1) / (frame_e[active] + _EPS)
    spread = float(np.std(np.log2(np.maximum(pc, 20.0)))) if len(pc) > 1 else 0.0

    # Fine envelope (about 6 ms blocks) for onsets, decays and gaps.
    blk = max(1, int(ra * 0.0058))
    nb = max(1, len(y) // blk)
    env = np.pad(power_t, (0, max(0, blk - len(y))))[: nb * blk].reshape(nb, blk).mean(axis=1)
    env_db = 10 * np.log10(env + _EPS)
    n_onsets, decay_ms, decayed = _onsets(env_db, ra / blk)
    seconds = len(y) / ra
    silent = float(np.mean(env_db < np.percentile(env_db, 95) - 40.0))

    # Periodicity and pitch at about 11 kHz.
    q2 = 2 if ra > 16000 else 1
    hb, f0, pe = _periodicity(_decimate(y, q2), ra / q2)
    act = pe > float(np.percentile(pe, 95)) * 1e-3
    harmonicity = float(np.median(hb[act])) if act.any() else 0.0
    voiced_mask = act & (hb >= 0.75)
    voiced = float(voiced_mask.sum() / max(1, act.sum()))
    f0_hz = float(np.median(f0[voiced_mask])) if voiced_mask.any() else 0.0
    both = voiced_mask[1:] & voiced_mask[:-1]
    cents = np.abs(1200 * np.log2(f0[1:] / f0[:-1]))[both]
    within = cents[cents < 150.0]  # bigger jumps are note changes or octave errors
    pitch_motion = float(np.median(within)) if len(within) >= 5 else 0.0

    return AudioFeatures(
        seconds=seconds,
        low150=band(0, 150),
        low300=band(0, 300),
        body=band(150, 300),
        mid=band(300, 3000),
        high5k=band(5000, ra),
        centroid_hz=centroid,
        centroid_spread=spread,
        crest_db=float(crest_db),
        onset_rate=n_onsets / max(seconds, _EPS),
        decay_ms=decay_ms,
        decayed=decayed,
        silent=silent,
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

    1. Percussive (>= 0.4 onsets/s, most hits fall 15 dB within 300 ms), by where the energy is:
       mostly < 150 Hz with little > 5 kHz -> kick; a noise burst with a 150-300 Hz body that
       outweighs the < 150 Hz band -> snare; mostly > 5 kHz -> hi-hat (overheads if hits ring
       > 250 ms); lows and highs together -> overheads; mostly < 300 Hz -> toms; else percussion.
    2. Sustained: most energy < 300 Hz -> bass; noise-like -> fx; periodic with a moving pitch
       (vibrato), voice-range f0, formant-band energy and gaps between phrases -> lead vocal;
       periodic notes that each start with an attack -> keys; periodic and steady -> synth/pad.
    """
    if np.isfinite(f.decay_ms):
        hits = f"{f.onset_rate:.1f} onsets/s decaying 15 dB in {f.decay_ms:.0f} ms"
    else:
        hits = f"{f.onset_rate:.1f} onsets/s, each ringing into the next"
    percussive = f.onset_rate >= 0.4 and f.decayed >= 0.5 and f.decay_ms <= 300.0
    if percussive:
        if f.low150 >= 0.45 and f.high5k < 0.15:
            conf = 0.5 + 0.25 * min(1.0, (f.low150 - 0.45) / 0.4)
            return "kick", conf, f"{_pct(f.low150)} of energy below 150 Hz, percussive ({hits})"
        if f.body >= 0.08 and f.body > f.low150 and f.centroid_hz >= 600 and f.harmonicity < 0.7:
            return (
                "snare",
                0.55,
                f"noisy bursts centred at {f.centroid_hz:.0f} Hz with {_pct(f.body)} of energy "
                f"in a 150-300 Hz body, percussive ({hits})",
            )
        if f.high5k >= 0.45 or (f.high5k >= 0.3 and f.onset_rate >= 3.0):
            if f.decay_ms > 250.0:
                return "overheads", 0.45, f"{_pct(f.high5k)} of energy above 5 kHz, long hits"
            conf = 0.5 + 0.2 * min(1.0, (f.high5k - 0.45) / 0.4)
            return "hihat", conf, f"{_pct(f.high5k)} of energy above 5 kHz, percussive ({hits})"
        if f.low150 >= 0.15 and f.high5k >= 0.15:
            return (
                "overheads",
                0.4,
                f"broadband hits, {_pct(f.low150)} of energy below 150 Hz and {_pct(f.high5k)} "
                f"above 5 kHz ({hits})",
            )
        if f.low300 >= 0.5:
            return "toms", 0.45, f"{_pct(f.low300)} of energy below 300 Hz, tonal hits ({hits})"
        return "percussion", 0.45, f"percussive, centred at {f.centroid_hz:.0f} Hz ({hits})"

    sustained = "sustained" if f.onset_rate < 0.4 else f"sustained notes ({hits})"
    if f.low300 >= 0.6:
        conf = 0.5 + 0.2 * min(1.0, (f.low300 - 0.6) / 0.3)
        pitch = f", pitch around {f.f0_hz:.0f} Hz" if f.f0_hz else ""
        return "bass", conf, f"{_pct(f.low300)} of energy below 300 Hz, {sustained}{pitch}"
    if f.harmonicity < 0.4:
        conf = 0.6 if f.centroid_spread >= 0.5 else 0.45
        motion = f"centroid moving {f.centroid_spread:.1f} octaves"
        return "fx", conf, f"noise-like (periodicity {f.harmonicity:.2f}), {sustained}, {motion}"
    votes = sum((90.0 <= f.f0_hz <= 600.0, f.mid >= 0.45, f.silent >= 0.05))
    if f.voiced >= 0.3 and f.pitch_motion >= 8.0 and votes >= 2:
        return (
            "lead_vocal",
            0.5 + 0.05 * votes,
            f"periodic with moving pitch ({f.pitch_motion:.0f} cents/frame around "
            f"{f.f0_hz:.0f} Hz), {_pct(f.mid)} of energy at 300 Hz-3 kHz, "
            f"{_pct(f.silent)} of the time in gaps",
        )
    if f.onset_rate >= 0.5 and f.decayed >= 0.5:
        return "keys", 0.35, f"periodic notes with struck attacks ({hits}); keys or guitar"
    conf = 0.55 if f.silent < 0.05 and f.pitch_motion < 8.0 else 0.4
    return (
        "synth",
        conf,
        f"periodic and steady (periodicity {f.harmonicity:.2f}, pitch moving "
        f"{f.pitch_motion:.0f} cents/frame), {sustained}, centred at {f.centroid_hz:.0f} Hz",
    )


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
