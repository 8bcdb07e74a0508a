"""Build a dataset of real songs: each stem as heard in the author's mix, the mix, and the truth.

Why: a mixing balance model needs songs whose human balance is known. Here the "human" is the
song's author: every stem is rendered exactly at the level it has in the author's own mix, so each
stem's integrated loudness (BS.1770, pyloudnorm) in that mix is the truth to learn and score against.

Sources (all from Debian packages already on the machine; Debian's ``freedoom`` is deliberately
not used):

* ``lmms``: the demo and shorties projects of lmms-common, rendered headless by LMMS itself
  (``render`` of the project for the master; ``render`` of a copy with every other track muted
  for each stem, since LMMS 1.2.2's ``rendertracks`` output does not sum to the master).
* ``openmsx``: the OpenMSX MIDI music set of openttd-openmsx.
* ``planetblupi``: the MIDI music of planetblupi-music-midi.

MIDI songs are rendered with fluidsynth and the FluidR3 General MIDI soundfont, once in full and
once per MIDI channel (notes of every other channel removed, every controller, program change and
meta event kept), so each stem keeps the author's volume, expression, pan and programs.

For each song the sum of the stems is aligned with the full render and the residual is recorded;
where it exceeds -20 dB (random voices, shared non-linear bus effects) the sum of the stems is
written as ``mix.wav`` instead. Every song is cut to its first 150 s (mix and stems identically)
and trailing silence is trimmed identically.

Run: python eval/build_real_songs.py [--sets lmms,openmsx,planetblupi] [--only SUBSTR] [--jobs 2]
     [--force] [--retry-skipped] [--out DIR]
Output: $FADERPILOT_REAL_SONGS or ~/.cache/faderpilot/real-songs/ (see eval/README-real-songs.md).
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
import warnings
import zlib
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mido
import numpy as np
import pyloudnorm
import soundfile as sf
from scipy import signal

RATE = 44100
CAP_S = 150.0
SILENT_LUFS = -70.0
RECONCILE_DB = -20.0
MAX_LAG = RATE // 20  # 50 ms either way
TRIM_DBFS = -80.0
BAD_SAMPLE = 16.0  # |sample| above +24 dBFS is a numeric blow-up, not music
MAX_BAD_FRACTION = 1e-4  # more blown-up samples than this: the render is corrupt
TRIM_PAD_S = 0.1
MIDI_TAIL_S = 3.0
SF2 = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
FLUID_GAIN = "0.3"
FLUID_POLYPHONY = "1024"
LMMS_TIMEOUT_S = 3600
FLUID_TIMEOUT_S = 300

LMMS_DIRS = [Path("/usr/share/lmms/projects/demos"), Path("/usr/share/lmms/projects/shorties")]
OPENMSX_DIR = Path("/usr/share/games/openttd/baseset/openmsx")
PLANETBLUPI_DIR = Path("/usr/share/planetblupi/music")
SETS = ("lmms", "openmsx", "planetblupi")

# General MIDI level 1 instrument names, programs 0-127 (public standard).
# fmt: off
GM_NAMES = [
    "Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano", "Honky-tonk Piano",
    "Electric Piano 1", "Electric Piano 2", "Harpsichord", "Clavi",
    "Celesta", "Glockenspiel", "Music Box", "Vibraphone",
    "Marimba", "Xylophone", "Tubular Bells", "Dulcimer",
    "Drawbar Organ", "Percussive Organ", "Rock Organ", "Church Organ",
    "Reed Organ", "Accordion", "Harmonica", "Tango Accordion",
    "Acoustic Guitar (nylon)", "Acoustic Guitar (steel)", "Electric Guitar (jazz)",
    "Electric Guitar (clean)", "Electric Guitar (muted)", "Overdriven Guitar",
    "Distortion Guitar", "Guitar Harmonics",
    "Acoustic Bass", "Electric Bass (finger)", "Electric Bass (pick)", "Fretless Bass",
    "Slap Bass 1", "Slap Bass 2", "Synth Bass 1", "Synth Bass 2",
    "Violin", "Viola", "Cello", "Contrabass",
    "Tremolo Strings", "Pizzicato Strings", "Orchestral Harp", "Timpani",
    "String Ensemble 1", "String Ensemble 2", "SynthStrings 1", "SynthStrings 2",
    "Choir Aahs", "Voice Oohs", "Synth Voice", "Orchestra Hit",
    "Trumpet", "Trombone", "Tuba", "Muted Trumpet",
    "French Horn", "Brass Section", "SynthBrass 1", "SynthBrass 2",
    "Soprano Sax", "Alto Sax", "Tenor Sax", "Baritone Sax",
    "Oboe", "English Horn", "Bassoon", "Clarinet",
    "Piccolo", "Flute", "Recorder", "Pan Flute",
    "Blown Bottle", "Shakuhachi", "Whistle", "Ocarina",
    "Lead 1 (square)", "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)",
    "Lead 5 (charang)", "Lead 6 (voice)", "Lead 7 (fifths)", "Lead 8 (bass + lead)",
    "Pad 1 (new age)", "Pad 2 (warm)", "Pad 3 (polysynth)", "Pad 4 (choir)",
    "Pad 5 (bowed)", "Pad 6 (metallic)", "Pad 7 (halo)", "Pad 8 (sweep)",
    "FX 1 (rain)", "FX 2 (soundtrack)", "FX 3 (crystal)", "FX 4 (atmosphere)",
    "FX 5 (brightness)", "FX 6 (goblin)", "FX 7 (echoes)", "FX 8 (sci-fi)",
    "Sitar", "Banjo", "Shamisen", "Koto",
    "Kalimba", "Bag pipe", "Fiddle", "Shanai",
    "Tinkle Bell", "Agogo", "Steel Drums", "Woodblock",
    "Taiko Drum", "Melodic Tom", "Synth Drum", "Reverse Cymbal",
    "Guitar Fret Noise", "Breath Noise", "Seashore", "Bird Tweet",
    "Telephone Ring", "Helicopter", "Applause", "Gunshot",
]
# fmt: on
assert len(GM_NAMES) == 128
DRUM_CHANNEL = 9


@dataclass(frozen=True)
class Song:
    """One source file to render, with the dataset id and set it belongs to."""

    id: str
    set: str
    file: Path


class SkipSong(Exception):
    """The song cannot join the dataset; the message says why."""


# ----------------------------------------------------------------------------------------------
# discovery and provenance


def slug(text: str) -> str:
    """Lower-case slug of a file stem: runs of anything but letters and digits become '-'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def discover(sets: list[str]) -> list[Song]:
    """All source files of the chosen sets, in a stable order, with unique song ids."""
    songs: list[Song] = []
    if "lmms" in sets:
        for d in LMMS_DIRS:
            for p in sorted(d.rglob("*")):
                if p.suffix in (".mmp", ".mmpz") and p.is_file():
                    songs.append(Song(f"lmms-{slug(p.stem)}", "lmms", p))
    if "openmsx" in sets:
        for p in sorted(OPENMSX_DIR.glob("*.mid")):
            songs.append(Song(f"openmsx-{slug(p.stem)}", "openmsx", p))
    if "planetblupi" in sets:
        for p in sorted(PLANETBLUPI_DIR.glob("*.mid")):
            songs.append(Song(f"planetblupi-{slug(p.stem)}", "planetblupi", p))
    dupes = [k for k, n in Counter(s.id for s in songs).items() if n > 1]
    if dupes:
        raise SystemExit(f"song id collision: {dupes}")
    return songs


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def owning_package(path: Path) -> tuple[str, str]:
    """Debian package that ships ``path`` and its installed version (dpkg -S, dpkg-query -W)."""
    out = subprocess.run(["dpkg", "-S", str(path)], capture_output=True, text=True, check=True).stdout
    pkg = out.split(":", 1)[0].strip()
    ver = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True, check=True
    ).stdout.strip()
    return pkg, ver


def dep5_licence(copyright_file: Path, rel_path: str) -> str:
    """Licence line for ``rel_path`` from a machine-readable Debian copyright file.

    The last ``Files:`` paragraph whose pattern matches wins (DEP-5 rule). Returns e.g.
    "CC-BY-SA-3 (Copyright: 2010-2011 Armin Heller; per /usr/share/doc/.../copyright)".
    """
    best: tuple[str, str] | None = None
    for para in copyright_file.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, list[str]] = {}
        key = ""
        for line in para.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key].append(line.strip())
            elif ":" in line:
                key, val = line.split(":", 1)
                fields[key] = [val.strip()] if val.strip() else []
        if "Files" not in fields or "License" not in fields:
            continue
        patterns = " ".join(fields["Files"]).split()
        if any(fnmatch.fnmatchcase(rel_path, pat) for pat in patterns):
            holders = "; ".join(x for x in fields.get("Copyright", []) if x)
            best = (fields["License"][0], holders)
    if best is None:
        return f"unknown (no paragraph in {copyright_file})"
    return f"{best[0]} (Copyright: {best[1]}; per {copyright_file})"


def licence_for(song: Song, package: str) -> str:
    """Licence of a source file, read from its package's Debian copyright file."""
    copyright_file = Path("/usr/share/doc") / package / "copyright"
    if song.set == "lmms":
        rel = "data/projects/" + str(song.file.relative_to("/usr/share/lmms/projects"))
    else:
        rel = song.file.name
    return dep5_licence(copyright_file, rel)


# ----------------------------------------------------------------------------------------------
# audio helpers


def read_wav(path: Path, frames: int = -1) -> np.ndarray:
    """Float32 samples, shape (frames, channels), at most ``frames`` from the start."""
    data, rate = sf.read(str(path), frames=frames, dtype="float32", always_2d=True)
    if rate != RATE:
        raise SkipSong(f"{path.name} rendered at {rate} Hz, not {RATE}")
    return data


def sanitize(x: np.ndarray) -> tuple[np.ndarray, int]:
    """``x`` with numeric blow-ups (NaN, inf, |x| > BAD_SAMPLE) zeroed, and how many there were.

    LMMS occasionally renders a few such samples (an unstable filter at a track's first note).
    """
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(x) | (np.abs(x) > BAD_SAMPLE)
    nbad = int(bad.sum())
    return (np.where(bad, np.float32(0), x) if nbad else x), nbad


def loudness(x: np.ndarray) -> float:
    """Integrated loudness (LUFS, BS.1770 via pyloudnorm); -inf when silent or too short."""
    if x.shape[0] < int(0.4 * RATE):
        return float("-inf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(pyloudnorm.Meter(RATE).integrated_loudness(x.astype(np.float64)))


def fit_length(x: np.ndarray, n: int) -> np.ndarray:
    """Zero-pad or cut ``x`` to ``n`` frames."""
    if x.shape[0] >= n:
        return x[:n]
    return np.concatenate([x, np.zeros((n - x.shape[0], x.shape[1]), x.dtype)])


def shift(x: np.ndarray, lag: int) -> np.ndarray:
    """Delay ``x`` by ``lag`` frames (advance when negative), keeping its length."""
    if lag == 0:
        return x
    pad = np.zeros((abs(lag), x.shape[1]), x.dtype)
    if lag > 0:
        return np.concatenate([pad, x[:-lag]])
    return np.concatenate([x[-lag:], pad])


def best_lag(mix: np.ndarray, stems_sum: np.ndarray) -> int:
    """Delay (frames, within +-MAX_LAG) of the stem sum that best matches the mix."""
    a = mix.mean(axis=1)
    b = stems_sum.mean(axis=1)
    if not np.any(a) or not np.any(b):
        return 0
    corr = signal.correlate(a, b, mode="full", method="fft")
    lags = signal.correlation_lags(a.size, b.size, mode="full")
    keep = np.abs(lags) <= MAX_LAG
    return int(lags[keep][np.argmax(corr[keep])])


def residual_db(mix: np.ndarray, stems_sum: np.ndarray) -> float:
    """Power of (mix - sum of stems) relative to the mix power, in dB."""
    num = float(np.sum((mix.astype(np.float64) - stems_sum) ** 2))
    den = float(np.sum(mix.astype(np.float64) ** 2))
    if den == 0.0:
        return float("inf")
    return 10.0 * np.log10(max(num, 1e-30) / den)


def as_channels(x: np.ndarray, channels: int) -> np.ndarray:
    """``x`` with ``channels`` channels (mono is copied to every channel)."""
    if x.shape[1] == channels:
        return x
    if x.shape[1] == 1:
        return np.repeat(x, channels, axis=1)
    return np.repeat(x.mean(axis=1, keepdims=True), channels, axis=1)


def unique_name(name: str, taken: set[str]) -> str:
    """``name`` or ``name 2``, ``name 3``... whichever is not taken yet (case-insensitive)."""
    cand, k = name, 2
    while cand.lower() in taken:
        cand, k = f"{name} {k}", k + 1
    taken.add(cand.lower())
    return cand


# ----------------------------------------------------------------------------------------------
# assembling one song from its renders


@dataclass
class StemRender:
    """One rendered stem: its dataset name, render file and where it came from."""

    name: str
    path: Path
    detail: str


def assemble(
    song: Song, mix_path: Path, stems: list[StemRender], final: Path, repeat_path: Path | None = None
) -> dict[str, Any]:
    """Align, cap, trim, measure and write one song into ``final``; returns truth + notes.

    The stems define the truth as they are. The author's render is kept as ``mix.wav`` when the
    stem sum explains it within RECONCILE_DB, else the stem sum replaces it.
    """
    cap = int(CAP_S * RATE)
    mix, mix_bad = sanitize(read_wav(mix_path, cap + MAX_LAG))
    mix_corrupt = mix_bad > MAX_BAD_FRACTION * mix.size
    audio, repaired, corrupt = [], {}, []
    for s in list(stems):
        a, nbad = sanitize(read_wav(s.path, cap + MAX_LAG))
        if nbad > MAX_BAD_FRACTION * a.size:
            corrupt.append(s.name)
            stems.remove(s)
            continue
        if nbad:
            repaired[s.name] = nbad
        audio.append(a)
    if not audio:
        raise SkipSong(f"every stem render is corrupt: {corrupt}")
    n = max([mix.shape[0]] + [a.shape[0] for a in audio])
    ch = mix.shape[1]
    mix = fit_length(mix, n)
    audio = [fit_length(a, n) for a in audio]
    full_sum = np.sum([as_channels(a, ch) for a in audio], axis=0)
    lag = best_lag(mix[:cap], full_sum[:cap])
    audio = [shift(a, lag)[:cap] for a in audio]
    mix = mix[:cap]
    seconds_before_trim = mix.shape[0] / RATE

    # one trailing-silence cut for every file of the song
    thresh = 10 ** (TRIM_DBFS / 20)
    peak = np.max(np.abs(mix), axis=1)
    for a in audio:
        peak = np.maximum(peak, np.max(np.abs(a), axis=1))
    loud = np.nonzero(peak > thresh)[0]
    if loud.size == 0:
        raise SkipSong("the full render is silent")
    end = min(mix.shape[0], int(loud[-1]) + 1 + int(TRIM_PAD_S * RATE))
    mix = mix[:end]
    audio = [a[:end] for a in audio]

    kept: list[tuple[StemRender, np.ndarray, float]] = []
    dropped: list[str] = []
    for s, a in zip(stems, audio, strict=True):
        lufs = loudness(a)
        if not np.isfinite(lufs) or lufs < SILENT_LUFS:
            dropped.append(s.name)
        else:
            kept.append((s, a, lufs))
    if len(kept) < 3:
        extra = f"; corrupt renders: {corrupt}" if corrupt else ""
        raise SkipSong(f"only {len(kept)} non-silent stems (need 3); silent: {dropped}{extra}")

    stem_sum = np.sum([as_channels(a, ch) for _, a, _ in kept], axis=0)
    res = residual_db(mix, stem_sum)
    repeat_db = None
    if repeat_path is not None:
        # a second render of the author's mix: how reproducible the render itself is
        again, _ = sanitize(fit_length(read_wav(repeat_path, cap), end))
        repeat_db = round(residual_db(mix, as_channels(again, ch).astype(np.float64)), 2)
    is_sum = mix_corrupt or not res <= RECONCILE_DB
    if is_sum:
        mix = stem_sum.astype(np.float32)

    (final / "stems").mkdir(parents=True)
    tracks = []
    for s, a, lufs in kept:
        sf.write(str(final / "stems" / f"{s.name}.wav"), a, RATE, subtype="FLOAT")
        tracks.append({"track": s.name, "lufs_in_mix": round(lufs, 2), "source_detail": s.detail})
    sf.write(str(final / "mix.wav"), mix, RATE, subtype="FLOAT")
    truth = {
        "song": song.id,
        "set": song.set,
        "tracks": tracks,
        "mix_residual_db": round(res, 2),
        "mix_repeat_residual_db": repeat_db,
        "mix_is_sum_of_stems": is_sum,
        "mix_lufs": round(loudness(mix), 2),
        "seconds": round(mix.shape[0] / RATE, 3),
        "stem_lag_frames": lag,
        "dropped_silent": dropped,
        "dropped_corrupt": corrupt,
        "repaired_samples": repaired,
        "author_mix_corrupt": bool(mix_corrupt),
        "mix_peak": round(float(np.max(np.abs(mix))), 4),
        "capped": seconds_before_trim >= CAP_S,
    }
    (final / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    return truth


# ----------------------------------------------------------------------------------------------
# LMMS


def run_logged(cmd: list[str], log: Path, timeout: int, env: dict[str, str] | None = None) -> None:
    """Run ``cmd`` with output to ``log``; SkipSong with the log's tail when it fails."""
    try:
        with log.open("w") as fh:
            proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as exc:
        raise SkipSong(f"{Path(cmd[0]).name} timed out after {timeout} s") from exc
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-300:].replace("\r", " ").strip()
        raise SkipSong(f"{Path(cmd[0]).name} exited {proc.returncode}: {tail}")


def lmms_project_xml(path: Path) -> str:
    """XML text of an LMMS project (.mmpz is Qt's qCompress: 4-byte length, then zlib)."""
    data = path.read_bytes()
    if path.suffix == ".mmpz":
        data = zlib.decompress(data[4:])
    return data.decode("utf-8")


TRACK_TAG = re.compile(r"<track\b[^>]*>")


def lmms_tracks(xml: str) -> list[tuple[re.Match[str], str, str]]:
    """Audible instrument and sample tracks of a project: (tag match, author's name, instrument).

    Tracks the author muted are left out: they are not in the author's mix.
    """
    tags = list(TRACK_TAG.finditer(xml))
    found = []
    for i, tag in enumerate(tags):
        text = tag.group()
        kind = re.search(r'\btype="(\d+)"', text)
        if kind is None or kind.group(1) not in ("0", "2") or re.search(r'\bmuted="1"', text):
            continue
        name = re.search(r'\bname="([^"]*)"', text)
        author = html.unescape(name.group(1)) if name else ""
        body = xml[tag.end() : tags[i + 1].start() if i + 1 < len(tags) else len(xml)]
        inst = re.search(r'<instrument\b[^>]*\bname="([^"]*)"', body)
        found.append((tag, author, inst.group(1) if inst and kind.group(1) == "0" else "sample track"))
    return found


def lmms_solo_xml(xml: str, tracks: list[tuple[re.Match[str], str, str]], keep: int) -> str:
    """The project with every audible track but ``tracks[keep]`` muted (what rendertracks does)."""
    out, pos = [], 0
    for i, (tag, _, _) in enumerate(tracks):
        if i == keep:
            continue
        text = tag.group()
        if re.search(r'\bmuted="[^"]*"', text):
            text = re.sub(r'\bmuted="[^"]*"', 'muted="1"', text)
        else:
            text = text.replace("<track", '<track muted="1"', 1)
        out += [xml[pos : tag.start()], text]
        pos = tag.end()
    out.append(xml[pos:])
    return "".join(out)


def wav_frames(path: Path) -> int:
    """Frames in a WAV file, or -1 when it is missing or unreadable."""
    try:
        return int(sf.info(str(path)).frames)
    except Exception:  # noqa: BLE001 - a truncated or absent file
        return -1


def lmms_render_file(cmd: list[str], wav: Path, log: Path, env: dict[str, str], frames: int) -> str:
    """Run one LMMS render into ``wav``, up to three tries; returns a note when LMMS crashed anyway.

    LMMS 1.2.2 now and then segfaults (often while shutting down, after the file is written) or
    leaves no file: a file with the master's exact length (``frames`` > 0) is accepted even after
    a crash, anything else is tried again.
    """
    why = ""
    for _ in range(3):
        wav.unlink(missing_ok=True)
        try:
            run_logged(cmd, log, LMMS_TIMEOUT_S, env)
        except SkipSong as exc:
            why = str(exc).split(":")[0]
            if frames > 0 and wav_frames(wav) == frames:
                return f"{why} after writing the whole file"
            continue
        if wav_frames(wav) > 0:
            return ""
        why = f"lmms wrote no usable {wav.name}"
    raise SkipSong(f"{why} (3 tries)")


def lmms_render(song: Song, work: Path) -> tuple[Path, list[StemRender], Path | None]:
    """Master render and one solo render per audible track of an LMMS project (44.1 kHz float).

    LMMS 1.2.2's own ``rendertracks`` is not used: its track files come out shifted by ~20
    samples against the master (all but the last track) and some start with blown-up samples,
    so they never sum to the master. A plain ``render`` of a copy of the project in which every
    other track is muted does sum to the master render (to rounding error on deterministic songs).
    """
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    base = ["lmms", "--allowroot", "-c", str(work / "lmmsrc.xml"), "render"]
    opts = ["-f", "wav", "-a", "-s", str(RATE), "-o"]
    mix = work / "master.wav"
    lmms_render_file([*base, str(song.file), *opts, str(mix)], mix, work / "render.log", env, -1)
    frames = wav_frames(mix)
    repeat: Path | None = work / "master-again.wav"
    try:
        lmms_render_file(
            [*base, str(song.file), *opts, str(repeat)], repeat, work / "render2.log", env, frames
        )
    except SkipSong:
        repeat = None  # only a diagnostic
    xml = lmms_project_xml(song.file)
    tracks = lmms_tracks(xml)
    if len(tracks) < 3:
        raise SkipSong(f"only {len(tracks)} audible instrument/sample tracks (need 3)")
    taken: set[str] = set()
    stems = []
    for i, (_, author, inst) in enumerate(tracks):
        project = work / f"solo{i:02d}.mmp"
        project.write_text(lmms_solo_xml(xml, tracks, i), encoding="utf-8")
        wav = work / f"solo{i:02d}.wav"
        crash = lmms_render_file(
            [*base, str(project), *opts, str(wav)], wav, work / f"solo{i:02d}.log", env, frames
        )
        clean = re.sub(r"[\x00-\x1f/\\:*?\"<>|]", "", author).strip(" .") or f"Track {i + 1}"
        detail = f"LMMS track {i + 1} '{author}' ({inst}), rendered solo (all other tracks muted)"
        if crash:
            detail += f"; {crash}"
        stems.append(StemRender(unique_name(clean, taken), wav, detail))
    return mix, stems, repeat


# ----------------------------------------------------------------------------------------------
# MIDI


def load_midi(path: Path) -> mido.MidiFile:
    """Parse a MIDI file, clipping out-of-range data bytes if strict parsing fails."""
    try:
        return mido.MidiFile(str(path))
    except Exception:  # noqa: BLE001 - any parse error: retry leniently
        try:
            return mido.MidiFile(str(path), clip=True)
        except Exception as exc:  # noqa: BLE001
            raise SkipSong(f"mido cannot parse: {exc}") from exc


def tempo_map(mid: mido.MidiFile) -> list[tuple[int, int]]:
    """(absolute tick, tempo) changes of the song, starting with the default 120 bpm at tick 0."""
    changes = [(0, 500000)]
    # type 2 (independent patterns, rare): the first track's tempo only
    track = mid.tracks[0] if mid.type == 2 else mido.merge_tracks(mid.tracks)
    tick = 0
    for msg in track:
        tick += msg.time
        if msg.type == "set_tempo":
            changes.append((tick, msg.tempo))
    changes.sort(key=lambda c: c[0])
    return changes


def tick_to_s(tick: int, tmap: list[tuple[int, int]], tpb: int) -> float:
    """Seconds at ``tick`` under the tempo map."""
    sec, prev_tick, tempo = 0.0, 0, 500000
    for t, tp in tmap:
        if t >= tick:
            break
        sec += (t - prev_tick) * tempo / 1e6 / tpb
        prev_tick, tempo = t, tp
    return sec + (tick - prev_tick) * tempo / 1e6 / tpb


def s_to_tick(seconds: float, tmap: list[tuple[int, int]], tpb: int) -> int:
    """First tick at or after ``seconds`` under the tempo map."""
    sec, prev_tick, tempo = 0.0, 0, 500000
    for t, tp in tmap:
        seg = (t - prev_tick) * tempo / 1e6 / tpb
        if sec + seg >= seconds:
            break
        sec += seg
        prev_tick, tempo = t, tp
    return prev_tick + int(np.ceil((seconds - sec) * 1e6 * tpb / tempo))


def channel_programs(mid: mido.MidiFile, last_tick: int) -> dict[int, Counter[int]]:
    """Per channel, how many notes (up to ``last_tick``) each program played."""
    programs = dict.fromkeys(range(16), 0)
    counts: dict[int, Counter[int]] = {}
    tracks = mid.tracks if mid.type == 2 else [mido.merge_tracks(mid.tracks)]
    for track in tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if tick > last_tick:
                break
            if msg.type == "program_change":
                programs[msg.channel] = msg.program
            elif msg.type == "note_on" and msg.velocity > 0:
                counts.setdefault(msg.channel, Counter())[programs[msg.channel]] += 1
    return counts


def write_midi_part(
    mid: mido.MidiFile, channel: int | None, stop_tick: int, end_tick: int, out: Path
) -> None:
    """Copy of ``mid`` up to ``stop_tick``, silenced there, ending at ``end_tick``; ``channel``'s notes only.

    Notes (note_on/note_off) of every other channel are removed; their delta times are carried
    to the next kept message so timing is unchanged. Everything else is kept. ``channel=None``
    keeps all notes (the full render). At ``stop_tick`` every channel gets sustain off and all
    notes off (releases ring on), at ``end_tick`` all sound off: fluidsynth renders until every
    voice has ended, so a note still held at the cut would otherwise render forever.
    """
    new = mido.MidiFile(type=mid.type, ticks_per_beat=mid.ticks_per_beat)
    for i, track in enumerate(mid.tracks):
        nt = mido.MidiTrack()
        tick = 0
        last_kept = 0
        for msg in track:
            tick += msg.time
            if msg.type == "end_of_track" or tick > stop_tick:
                continue
            if msg.type in ("note_on", "note_off") and channel is not None and msg.channel != channel:
                continue
            nt.append(msg.copy(time=tick - last_kept))
            last_kept = tick
        if i == 0:
            for k, ch in enumerate(range(16)):
                dt = stop_tick - last_kept if k == 0 else 0
                nt.append(mido.Message("control_change", channel=ch, control=64, value=0, time=dt))
                nt.append(mido.Message("control_change", channel=ch, control=123, value=0, time=0))
            last_kept = stop_tick
            for k, ch in enumerate(range(16)):
                dt = end_tick - last_kept if k == 0 else 0
                nt.append(mido.Message("control_change", channel=ch, control=120, value=0, time=dt))
            last_kept = end_tick
        nt.append(mido.MetaMessage("end_of_track", time=max(0, end_tick - last_kept)))
        new.tracks.append(nt)
    new.save(str(out))


def fluid_render(mid_path: Path, wav: Path, log: Path) -> None:
    """Render a MIDI file with fluidsynth (GM soundfont, 44.1 kHz float, default reverb+chorus)."""
    cmd = [
        "fluidsynth",
        "-ni",
        "-q",
        "-R",
        "1",
        "-C",
        "1",
        "-g",
        FLUID_GAIN,
        "-o",
        f"synth.polyphony={FLUID_POLYPHONY}",
        "-r",
        str(RATE),
        "-O",
        "float",
        "-T",
        "wav",
        "-F",
        str(wav),
        str(SF2),
        str(mid_path),
    ]
    run_logged(cmd, log, FLUID_TIMEOUT_S)
    if not wav.is_file():
        raise SkipSong(f"fluidsynth wrote no {wav.name}")


def midi_render(song: Song, work: Path) -> tuple[Path, list[StemRender]]:
    """Full render and one render per MIDI channel that plays notes in the first CAP_S seconds."""
    mid = load_midi(song.file)
    tpb = mid.ticks_per_beat
    tmap = tempo_map(mid)
    total_ticks = max((sum(m.time for m in t) for t in mid.tracks), default=0)
    # events after CAP_S + 1 s cannot change the first CAP_S seconds: cut them to save time
    stop_tick = min(total_ticks, s_to_tick(CAP_S + 1.0, tmap, tpb))
    end_tick = max(stop_tick, s_to_tick(tick_to_s(stop_tick, tmap, tpb) + MIDI_TAIL_S, tmap, tpb))
    counts = channel_programs(mid, stop_tick)
    if not counts:
        raise SkipSong("no notes")

    full_mid = work / "full.mid"
    write_midi_part(mid, None, stop_tick, end_tick, full_mid)
    mix = work / "full.wav"
    fluid_render(full_mid, mix, work / "full.log")

    taken: set[str] = set()
    stems = []
    for ch in sorted(counts):
        program, _ = counts[ch].most_common(1)[0]
        if ch == DRUM_CHANNEL:
            base, detail = "Drums", f"MIDI channel {ch + 1}, drums (program {program})"
        else:
            base = GM_NAMES[program]
            detail = f"MIDI channel {ch + 1}, program {program} {GM_NAMES[program]}"
        if len(counts[ch]) > 1:
            others = ", ".join(str(p) for p, _ in counts[ch].most_common()[1:])
            detail += f" (also programs {others})"
        part = work / f"ch{ch:02d}.mid"
        write_midi_part(mid, ch, stop_tick, end_tick, part)
        wav = work / f"ch{ch:02d}.wav"
        fluid_render(part, wav, work / f"ch{ch:02d}.log")
        stems.append(StemRender(unique_name(base, taken), wav, detail))
    return mix, stems


# ----------------------------------------------------------------------------------------------
# per song, in a worker process


def song_notes(song: Song, truth: dict[str, Any]) -> str:
    """Human-readable notes for the manifest, from the song's truth."""
    if song.set == "lmms":
        how = (
            "Rendered headless by LMMS (render of the project = mix; render of a copy with every "
            "other track muted = stem; 44.1 kHz float, default interpolation/oversampling)."
        )
    else:
        how = (
            f"Rendered by fluidsynth with {SF2.name} (gain {FLUID_GAIN}, reverb and chorus on, "
            f"polyphony {FLUID_POLYPHONY}); stems = one render per MIDI channel with other "
            "channels' notes removed; channels numbered 1-16, programs 0-127."
        )
    parts = [
        how,
        f"Capped at the first {CAP_S:g} s (mix and stems cut identically); trailing "
        "silence trimmed identically.",
    ]
    if truth.get("capped"):
        parts.append("This song is longer than the cap.")
    if truth.get("dropped_silent"):
        parts.append(f"Silent stems dropped: {', '.join(truth['dropped_silent'])}.")
    if truth.get("dropped_corrupt"):
        parts.append(
            f"Stems dropped as corrupt renders (NaN/inf/blow-up): {', '.join(truth['dropped_corrupt'])}."
        )
    if truth.get("repaired_samples"):
        fixed = ", ".join(f"{k} ({v})" for k, v in truth["repaired_samples"].items())
        parts.append(f"Blown-up samples (NaN/inf/>+24 dBFS) zeroed in: {fixed}.")
    if truth.get("mix_peak", 0) > 1.0:
        parts.append(f"Float mix peaks at {truth['mix_peak']} (above full scale; not clipped).")
    if truth.get("stem_lag_frames"):
        parts.append(f"Stems delayed by {truth['stem_lag_frames']} frames to align with the mix.")
    if truth.get("author_mix_corrupt"):
        parts.append("The author's render itself is corrupt (NaN/inf/blow-up): mix.wav is the stem sum.")
    elif truth["mix_is_sum_of_stems"]:
        again = truth.get("mix_repeat_residual_db")
        if again is not None and again > RECONCILE_DB:
            parts.append(
                f"The author's render is not reproducible (two renders differ by {again} dB: random "
                "voices or effects), so no set of stems can sum to it."
            )
        parts.append(
            f"Author's render does not reconcile with the stems (residual "
            f"{truth['mix_residual_db']} dB > {RECONCILE_DB:g} dB): mix.wav is the stem sum."
        )
    else:
        parts.append(f"mix.wav is the author's render; stem sum residual {truth['mix_residual_db']} dB.")
    return " ".join(parts)


def build_song(song: Song, out: Path) -> dict[str, Any]:
    """Render and write one song; returns {"id", "truth"} or {"id", "skip": why}."""
    t0 = time.time()
    work = out / ".work" / song.id
    final = out / ".work" / f"{song.id}.final"
    for d in (work, final):
        shutil.rmtree(d, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        if song.set == "lmms":
            mix, stems, repeat = lmms_render(song, work)
            truth = assemble(song, mix, stems, final, repeat)
        else:
            mix, stems = midi_render(song, work)
            truth = assemble(song, mix, stems, final)
        dest = out / song.id
        shutil.rmtree(dest, ignore_errors=True)
        final.rename(dest)
        return {"id": song.id, "truth": truth, "secs": time.time() - t0}
    except SkipSong as exc:
        return {"id": song.id, "skip": str(exc), "secs": time.time() - t0}
    except Exception as exc:  # noqa: BLE001 - one bad song must not stop the build
        return {"id": song.id, "skip": f"error: {type(exc).__name__}: {exc}", "secs": time.time() - t0}
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(final, ignore_errors=True)


# ----------------------------------------------------------------------------------------------
# manifest and main


def manifest_entry(song: Song, truth: dict[str, Any], pkgs: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """Manifest row of a built song (provenance from dpkg and the Debian copyright file)."""
    if song.set not in pkgs:
        pkgs[song.set] = owning_package(song.file)
    pkg, ver = pkgs[song.set]
    return {
        "id": song.id,
        "set": song.set,
        "package": pkg,
        "package_version": ver,
        "file": str(song.file),
        "licence": licence_for(song, pkg),
        "sha256": sha256(song.file),
        "tracks": [t["track"] for t in truth["tracks"]],
        "seconds": truth.get("seconds"),
        "notes": song_notes(song, truth),
    }


def default_out() -> Path:
    """$FADERPILOT_REAL_SONGS or ~/.cache/faderpilot/real-songs."""
    env = os.environ.get("FADERPILOT_REAL_SONGS")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "faderpilot" / "real-songs"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=default_out(), help="dataset folder")
    ap.add_argument("--sets", default=",".join(SETS), help="comma list of: " + ", ".join(SETS))
    ap.add_argument("--only", default=None, help="only songs whose id or file contains this")
    ap.add_argument("--jobs", type=int, default=2, help="songs rendered in parallel")
    ap.add_argument("--force", action="store_true", help="rebuild songs that are already built")
    ap.add_argument(
        "--retry-skipped", action="store_true", help="retry songs the previous manifest lists as skipped"
    )
    ap.add_argument(
        "--manifest-only", action="store_true", help="only rewrite manifest.json from the songs already built"
    )
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build (or complete) the dataset and rewrite manifest.json."""
    args = parse_args(argv)
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    bad = [s for s in sets if s not in SETS]
    if bad:
        raise SystemExit(f"unknown sets {bad}; choose from {SETS}")
    out: Path = args.out.expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    old = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    old_skips = {s["file"]: s["why"] for s in old.get("skipped", [])}

    every = discover(list(SETS))
    chosen = [s for s in every if s.set in sets]
    if args.only:
        needle = args.only.lower()
        chosen = [s for s in chosen if needle in s.id or needle in str(s.file).lower()]
    todo = []
    for s in chosen:
        if (out / s.id / "truth.json").is_file() and not args.force:
            continue
        if str(s.file) in old_skips and not (args.force or args.retry_skipped):
            continue
        todo.append(s)
    if args.manifest_only:
        todo = []
    print(f"{len(chosen)} songs chosen, {len(todo)} to build, output {out}", flush=True)

    t0 = time.time()
    skips = {}
    retried = {str(s.file) for s in todo}
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(build_song, s, out): s for s in todo}
        for k, fut in enumerate(as_completed(futures), 1):
            song = futures[fut]
            res = fut.result()
            if "skip" in res:
                skips[str(song.file)] = res["skip"]
                msg = f"SKIP {res['skip']}"
            else:
                tr = res["truth"]
                msg = (
                    f"{len(tr['tracks'])} stems, residual {tr['mix_residual_db']} dB"
                    f"{' (mix = stem sum)' if tr['mix_is_sum_of_stems'] else ''}"
                )
            print(f"[{k}/{len(todo)}] {song.id}: {msg} ({res['secs']:.0f} s)", flush=True)
    print(f"built in {time.time() - t0:.0f} s", flush=True)

    pkgs: dict[str, tuple[str, str]] = {}
    rows, skipped = [], []
    for s in every:
        truth_path = out / s.id / "truth.json"
        if truth_path.is_file():
            rows.append(manifest_entry(s, json.loads(truth_path.read_text()), pkgs))
        elif str(s.file) in skips:
            skipped.append({"file": str(s.file), "why": skips[str(s.file)]})
        elif str(s.file) in old_skips and str(s.file) not in retried:
            skipped.append({"file": str(s.file), "why": old_skips[str(s.file)]})
    manifest = {"built_by": "eval/build_real_songs.py", "songs": rows, "skipped": skipped}
    tmp = manifest_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=1) + "\n")
    tmp.replace(manifest_path)
    shutil.rmtree(out / ".work", ignore_errors=True)
    by_set = Counter(r["set"] for r in rows)
    print(f"manifest: {dict(by_set)} songs, {len(skipped)} skipped -> {manifest_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
