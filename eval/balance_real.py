"""Balance on real songs: the learned default against equal loudness (and the old role table),
trained on some songs and scored on songs it never saw.

The songs are built by ``eval/build_real_songs.py`` (Debian's LMMS demo projects and composed
MIDI songs, rendered per track; truth = each stem's integrated loudness in its author's mix).
For each song the stems' levels are scrambled (+-12 dB, seeded by the song), ``faderpilot mix``
runs on them with priors fitted on the other songs only (leave one song out), and each printed
stem's loudness is compared with the truth, one common offset removed: exactly how
``shared/eval/score_balance.py`` scores. A final split (about a quarter of the songs, chosen by a
hash of their names) is also scored with priors fitted on the development songs only; model
choices were made on the development songs. Each training song also counts a second time printed
as group stems (its tracks summed by role into drums, bass, guitars, vocals and music), so the
fit sees submixes like the printed stems of real recordings; a held-out song never trains in
either form. ``--groups`` scores the songs printed as groups (a stand-in for printed stems).

    python eval/balance_real.py --mix final --rough   # the committed results (balance_real_rough.md)
    python eval/balance_real.py --fast          # predicted levels only (no mixing)
    python eval/balance_real.py --groups        # the songs printed as groups
    python eval/balance_real.py --old 89ea449   # also score the role table of that commit
    python eval/balance_real.py --write         # fit on every song; write the committed priors
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyloudnorm
import soundfile as sf

from faderpilot.decide import context
from faderpilot.decide import priors as priors_mod
from faderpilot.decide.balance import choose_lead
from faderpilot.decide.priors import (
    PRIORS_PATH,
    SongRecord,
    TrackFacts,
    departure,
    fit,
    sound_measures,
    track_facts,
)
from faderpilot.pipeline import mix, prep

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / "_songs" / "real"
RESULTS = HERE / "results"
DATA = [
    Path(p)
    for p in os.environ.get(
        "FADERPILOT_REAL_SONGS",
        f"{Path.home()}/.cache/faderpilot/real-songs:{Path.home()}/.cache/faderpilot/real-midi",
    ).split(":")
]
SCRAMBLE_DB = 12.0
#: The training records behind the committed priors (what the fit read), for CI to re-fit.
RECORDS = ROOT / "tests" / "decide" / "balance_records.json"


def songs(data: Path) -> list[dict]:
    """Every built song (a folder with truth.json): its folder, truth and manifest entry."""
    manifest = data / "manifest.json"
    entries = {e["id"]: e for e in json.loads(manifest.read_text())["songs"]} if manifest.is_file() else {}
    out = []
    for truth in sorted(data.glob("*/truth.json")):
        sid = truth.parent.name
        t = json.loads(truth.read_text())
        entry = entries.get(sid, {"id": sid, "set": t.get("set")})
        out.append({"id": sid, "dir": truth.parent, "truth": t, "entry": entry})
    return out


def is_final(song_id: str) -> bool:
    """The final split: never looked at while choosing the model (about one song in four)."""
    return int(hashlib.sha256(song_id.encode()).hexdigest(), 16) % 4 == 0


def scrambled(song: dict) -> Path:
    """The song's stems with random gains (+-12 dB, seeded by the song), written once."""
    out = CACHE / song["id"] / "stems"
    if out.is_dir() and len(list(out.glob("*.wav"))) == len(song["truth"]["tracks"]):
        return out
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(zlib.crc32(song["id"].encode()))
    for t in song["truth"]["tracks"]:
        x, rate = sf.read(song["dir"] / "stems" / f"{t['track']}.wav", always_2d=True, dtype="float32")
        g = 10 ** (rng.uniform(-SCRAMBLE_DB, SCRAMBLE_DB) / 20)
        y = x * g
        peak = float(np.max(np.abs(y))) if y.size else 0.0
        if peak > 0.99:  # keep it a valid fixed-point-safe file; only the balance matters
            y *= 0.99 / peak
        sf.write(out / f"{t['track']}.wav", y, rate, subtype="FLOAT")
    return out


def _code_key() -> str:
    h = hashlib.sha256()
    for sub in ("analysis", "prep", "decide/balance.py", "session/roles.py"):  # what features read
        p = ROOT / "src" / "faderpilot" / sub
        for f in sorted(p.rglob("*.py")) if p.is_dir() else [p]:
            h.update(f.read_bytes())
    for fn in (track_facts, sound_measures, TrackFacts):  # the facts, not the fit's settings
        h.update(inspect.getsource(fn).encode())
    return h.hexdigest()[:16]


def features(song: dict) -> dict:
    """What the balance reads about each track (role, terms), beside the truth; cached by code."""
    key = _code_key()
    path = CACHE / song["id"] / f"features-{key}.json"
    if path.is_file():
        return json.loads(path.read_text())
    stems = scrambled(song)
    p = prep(stems, None, workers=2)
    ctx = context(p.session, p.analyses)
    lead = choose_lead(ctx, p.session)
    facts = track_facts(p.session, ctx.analyses, lead.id if lead else None)
    truth = {t["track"]: t["lufs_in_mix"] for t in song["truth"]["tracks"]}
    tracks = []
    for t in p.session.tracks:
        name = Path(t.source).stem
        if t.id not in facts or name not in truth:
            continue
        tracks.append(
            {
                "track": name,
                "role": t.role.value,
                "lead": t.id == (lead.id if lead else None),
                "terms": facts[t.id].terms(),
                "truth": truth[name],
            }
        )
    d = {"id": song["id"], "set": song["truth"].get("set", song["id"].split("-")[0]), "tracks": tracks}
    path.write_text(json.dumps(d, indent=1))
    return d


def record(f: dict, song: dict | None = None) -> SongRecord:
    """A training record for the fit (terms and truth per track); with ``song``, what it is."""
    info = {}
    if song is not None:
        e = song["entry"]
        info = {k: e.get(k) for k in ("set", "package", "package_version", "file", "licence", "sha256")}
        info["tracks"] = len(f["tracks"])
        info["learned"] = (
            "each track's loudness relative to the others in the author's mix; and, printed as group "
            "stems (its tracks summed by role into drums, bass, guitars, vocals and music), each "
            "group's loudness relative to the others"
        )
    return SongRecord(f["id"], [([tuple(x) for x in t["terms"]], t["truth"]) for t in f["tracks"]], info)


def predict(priors: dict, terms: list) -> float:
    """The learned departure of a track with these terms (as the balance applies it)."""
    return departure(priors, [tuple(t) for t in terms]).db


def centred(e: np.ndarray) -> np.ndarray:
    return e - np.median(e)


# --------------------------------------------------------------------------------------------
# scoring
# --------------------------------------------------------------------------------------------


def _key(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def score_out(out_dir: Path, song: dict) -> dict[str, float]:
    """Printed-stem loudness per truth track (as shared/eval/score_balance.py reads it)."""
    session = json.loads((out_dir / "session.json").read_text())
    printed = {_key(re.sub(r"^\d+_", "", p.stem)): p for p in (out_dir / "stems").glob("*.wav")}
    got = {}
    for t in song["truth"]["tracks"]:
        tr = next((x for x in session["tracks"] if Path(x["source"]).stem == t["track"]), None)
        p = printed.get(_key(tr["name"])) if tr else None
        if p is None:
            continue
        x, rate = sf.read(p, always_2d=True)
        lufs = pyloudnorm.Meter(rate).integrated_loudness(x)
        if np.isfinite(lufs):
            got[t["track"]] = float(lufs)
    return got


def errors(got: dict[str, float], song: dict) -> dict[str, float]:
    """Per track: printed loudness minus truth, the median removed."""
    names = [t["track"] for t in song["truth"]["tracks"] if t["track"] in got]
    truth = {t["track"]: t["lufs_in_mix"] for t in song["truth"]["tracks"]}
    e = centred(np.array([got[n] - truth[n] for n in names]))
    return dict(zip(names, e.tolist(), strict=True))


def baseline(song: dict) -> dict[str, float]:
    """Equal loudness: every stem at one loudness (error = median minus truth)."""
    want = np.array([t["lufs_in_mix"] for t in song["truth"]["tracks"]])
    return {t["track"]: float(np.median(want) - t["lufs_in_mix"]) for t in song["truth"]["tracks"]}


def run_mix(song: dict, priors: dict, out: Path, rough: Path | None = None) -> dict[str, float]:
    """Mix the scrambled stems with these priors (and the author's mix as the rough, if given)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(priors, f)
    try:
        mix(scrambled(song), out, report=False, daws=(), priors=f.name, workers=2, rough=rough)
        return errors(score_out(out, song), song)
    finally:
        os.unlink(f.name)
        shutil.rmtree(out, ignore_errors=True)  # a song's mix is ~0.5 GB: keep only its score


def run_old(song: dict, rev: str, out: Path) -> dict[str, float]:
    """Mix with the code of an earlier commit (its role table) in a git worktree."""
    tree = CACHE.parent / f"tree-{rev}"
    if not tree.is_dir():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev], check=True)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1] + '/src');"
        "from faderpilot.pipeline import mix; mix(sys.argv[2], sys.argv[3], report=False, daws=(), workers=2)"
    )
    subprocess.run([sys.executable, "-c", code, str(tree), str(scrambled(song)), str(out)], check=True)
    return errors(score_out(out, song), song)


# --------------------------------------------------------------------------------------------
# reporting
# --------------------------------------------------------------------------------------------


def summary(rows: list[dict], methods: list[str]) -> str:
    """Markdown tables: per set and per role, median and mean |error| per method."""
    lines = []
    sets = sorted({r["set"] for r in rows})
    head = (
        "| set | songs | tracks | " + " | ".join(f"{m} median (mean of song medians)" for m in methods) + " |"
    )
    lines += [head, "|" + " --- |" * (3 + len(methods))]
    for s in [*sets, "all"]:
        rs = [r for r in rows if s in ("all", r["set"])]
        if not rs:
            continue
        cells = []
        for m in methods:
            v = np.array([r[m] for r in rs if r.get(m) is not None])
            per_song = defaultdict(list)
            for r in rs:
                if r.get(m) is not None:
                    per_song[r["song"]].append(abs(r[m]))
            song_med = np.mean([np.median(x) for x in per_song.values()]) if per_song else np.nan
            cells.append(f"{np.median(np.abs(v)):.2f} ({song_med:.2f})" if v.size else "-")
        lines.append(f"| {s} | {len({r['song'] for r in rs})} | {len(rs)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| role (as classified) | tracks | "
        + " | ".join(f"{m} mean abs / mean signed" for m in methods)
        + " |",
    ]
    lines.append("|" + " --- |" * (2 + len(methods)))
    for role in sorted({r["role"] for r in rows}):
        rs = [r for r in rows if r["role"] == role]
        cells = []
        for m in methods:
            v = np.array([r[m] for r in rs if r.get(m) is not None])
            cells.append(f"{np.mean(np.abs(v)):.2f} / {np.mean(v):+.2f}" if v.size else "-")
        lines.append(f"| {role} | {len(rs)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, nargs="+", default=DATA, help="dataset folders")
    ap.add_argument("--fast", action="store_true", help="predicted levels only, no mixing")
    ap.add_argument("--old", help="also score the balance of this earlier commit")
    ap.add_argument("--write", action="store_true", help="fit on every song and write the committed priors")
    ap.add_argument("--only", help="songs whose id contains this")
    ap.add_argument("--mix", choices=("all", "final"), default="all", help="songs mixed end to end")
    ap.add_argument("--rough", action="store_true", help="also mix with the author's mix as the rough")
    ap.add_argument("--dev-only", action="store_true", help="score the development songs only")
    ap.add_argument("--groups", action="store_true", help="score the songs printed as group stems")
    ap.add_argument(
        "--no-groups-train",
        dest="groups_train",
        action="store_false",
        help="train on the songs' tracks only (by default each training song also counts printed as groups)",
    )
    ap.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a fit setting of decide.priors"
    )
    ap.add_argument("--drop", action="append", default=[], help="leave this sound term out of the fit")
    args = ap.parse_args()
    for key in args.drop:
        priors_mod.SOUND.pop(key)
    for item in args.set:  # e.g. RIDGE=0.03 or ROLE_TERMS=1, to compare settings on dev songs
        name, _, value = item.partition("=")
        setattr(priors_mod, name, type(getattr(priors_mod, name))(float(value)))
    all_songs = [s for d in args.data if d.is_dir() for s in songs(d)]
    if args.only:
        all_songs = [s for s in all_songs if args.only in s["id"]]
    feats = {}
    for i, s in enumerate(all_songs, 1):
        print(f"[{i}/{len(all_songs)}] features {s['id']}", file=sys.stderr)
        feats[s["id"]] = features(s)
    by_id = {s["id"]: s for s in all_songs}
    gfeats = group_features(all_songs, feats) if args.groups_train or args.groups else {}
    if args.groups:
        text = "# Balance on songs printed as groups (Drums, Bass, Guitars, Vocals, Music)\n\n"
        text += groups_report(all_songs, feats, gfeats, args.groups_train) + "\n"
        print(text)
        (RESULTS / "balance_real_groups.md").write_text(text)
        return 0
    if args.write:
        priors = fit(
            [record(feats[i], by_id[i]) for i in sorted(feats)]
            + [record(gfeats[i][1], by_id[i]) for i in sorted(gfeats)]
        )
        priors["method"] += (
            " Each song also counts printed as group stems (its tracks summed by role into drums, "
            "bass, guitars, vocals and music), counted as one song."
        )
        priors["built_from"] = {
            "data": "eval/build_real_songs.py",
            "manifests_sha256": [
                _sha(d / "manifest.json") for d in args.data if (d / "manifest.json").is_file()
            ],
        }
        PRIORS_PATH.write_text(json.dumps(priors, indent=1, ensure_ascii=False) + "\n")

        # what the fit read, per training song (terms and truth per track, no audio): CI re-fits it
        def rows(r: SongRecord) -> list:
            return [[[[k, round(x, 6)] for k, x in terms], round(v, 4)] for terms, v in r.tracks]

        recs = [record(feats[i]) for i in sorted(feats)] + [record(gfeats[i][1]) for i in sorted(gfeats)]
        records = [{"id": r.id, "tracks": rows(r)} for r in recs]
        RECORDS.write_text(json.dumps({"priors_sha256": _sha(PRIORS_PATH), "songs": records}) + "\n")
        print(f"wrote {PRIORS_PATH} from {len(feats)} songs")
        return 0

    dev = [i for i in feats if not is_final(i)]
    final = [i for i in feats if is_final(i)]
    rows: list[dict] = []
    methods = ["equal", "learned"] if args.fast else ["equal", "learned", "learned (mixed)"]
    if args.old:
        methods.append(f"table {args.old}")
    if args.rough:
        methods.append("rough = author's mix")
    for i, sid in enumerate(sorted(feats), 1):
        if args.dev_only and sid in final:
            continue
        f, song = feats[sid], by_id[sid]
        train = [j for j in dev if j != sid]  # the final split never trains
        priors = fit([record(feats[j]) for j in train] + [record(gfeats[j][1]) for j in train if j in gfeats])
        pred = centred(np.array([predict(priors, t["terms"]) - t["truth"] for t in f["tracks"]]))
        base = baseline(song)
        mixed = {}
        if not args.fast and (args.mix == "all" or sid in final):
            print(f"[{i}/{len(feats)}] mix {sid}", file=sys.stderr)
            mixed = run_mix(song, priors, CACHE / sid / "out")
        old = run_old(song, args.old, CACHE / sid / f"out-{args.old}") if args.old else {}
        rough = {}
        if args.rough and not args.fast and (args.mix == "all" or sid in final):
            rough = run_mix(song, priors, CACHE / sid / "out-rough", song["dir"] / "mix.wav")
        for t, e in zip(f["tracks"], pred, strict=True):
            rows.append(
                {
                    "song": sid,
                    "set": f["set"],
                    "split": "final" if sid in final else "dev",
                    "track": t["track"],
                    "role": t["role"],
                    "equal": base[t["track"]],
                    "learned": float(e),
                    "learned (mixed)": mixed.get(t["track"]),
                    f"table {args.old}": old.get(t["track"]) if args.old else None,
                    "rough = author's mix": rough.get(t["track"]),
                }
            )
    text = [
        "# Balance on real songs",
        "",
        f"{len(feats)} songs ({len(dev)} development, {len(final)} final) from "
        + ", ".join(str(d) for d in args.data),
        "",
    ]
    text += [
        "## Development songs, leave one song out",
        "",
        summary([r for r in rows if r["split"] == "dev"], methods),
        "",
    ]
    text += [
        "## Final split (priors fitted on development songs only)",
        "",
        summary([r for r in rows if r["split"] == "final"], methods),
        "",
    ]
    text += ["## All songs", "", summary(rows, methods), ""]
    out = "\n".join(text)
    print(out)
    RESULTS.mkdir(exist_ok=True)
    name = "balance_real.md"
    if args.fast or args.rough:
        name = "balance_real_fast.md" if args.fast else "balance_real_rough.md"
    (RESULTS / name).write_text(out + "\n")
    (RESULTS / name.replace(".md", ".json")).write_text(json.dumps(rows, indent=0) + "\n")
    return 0


#: Printed-stem groups, as a band's stems are printed for a mix engineer (role -> stem name).
GROUPS = {
    "kick": "Drums", "snare": "Drums", "hihat": "Drums", "toms": "Drums", "overheads": "Drums",
    "room": "Drums", "drum_kit": "Drums", "percussion": "Drums",
    "bass": "Bass",
    "electric_guitar": "Guitars", "acoustic_guitar": "Guitars",
    "lead_vocal": "Vocals", "backing_vocals": "Vocals",
}  # fmt: skip


def grouped(song: dict, f: dict) -> dict | None:
    """The song as printed stems of groups (Drums, Bass, Guitars, Vocals, Music: the stems summed
    by role at their level in the author's mix), with each group's loudness in that mix as the
    truth: a stand-in for printed stems of real recordings. None with fewer than 3 groups."""
    members: dict[str, list[str]] = defaultdict(list)
    for t in f["tracks"]:
        members[GROUPS.get(t["role"], "Music")].append(t["track"])
    if len(members) < 3:
        return None
    out = CACHE / f"{song['id']}~groups" / "sums"  # scrambled() writes beside it, in stems/
    tracks = []
    for name, parts in sorted(members.items()):
        wav = out / "stems" / f"{name}.wav"
        if not wav.is_file():
            xs = [sf.read(song["dir"] / "stems" / f"{p}.wav", always_2d=True, dtype="float32") for p in parts]
            rate = xs[0][1]
            n = max(x.shape[0] for x, _ in xs)
            ch = max(x.shape[1] for x, _ in xs)
            y = np.zeros((n, ch), dtype=np.float32)
            for x, _ in xs:
                y[: x.shape[0]] += x if x.shape[1] == ch else np.repeat(x, ch, axis=1)
            wav.parent.mkdir(parents=True, exist_ok=True)
            sf.write(wav, y, rate, subtype="FLOAT")
        x, rate = sf.read(wav, always_2d=True)
        tracks.append({"track": name, "lufs_in_mix": float(pyloudnorm.Meter(rate).integrated_loudness(x))})
    truth = {"song": song["id"], "set": song["truth"].get("set"), "tracks": tracks}
    return {"id": f"{song['id']}~groups", "dir": out, "truth": truth, "entry": song["entry"]}


def group_features(all_songs: list[dict], feats: dict) -> dict[str, tuple[dict, dict]]:
    """Every song printed as group stems, where it has 3 groups: song id -> (the grouped song,
    its features)."""
    out = {}
    for s in all_songs:
        g = grouped(s, feats[s["id"]])
        if g is not None:
            out[s["id"]] = (g, features(g))
    return out


def groups_report(all_songs: list[dict], feats: dict, gfeats: dict, groups_train: bool = True) -> str:
    """Equal loudness against the learned balance on the songs printed as groups (``gfeats``, from
    :func:`group_features`), each scored with priors fitted on the other songs (never on its own)."""
    dev = [i for i in feats if not is_final(i)]
    rows = []
    for s in all_songs:
        if s["id"] not in gfeats:
            continue
        g, fg = gfeats[s["id"]]
        train = [record(feats[j]) for j in dev if j != s["id"]]
        if groups_train:
            train += [record(gfeats[j][1]) for j in dev if j != s["id"] and j in gfeats]
        priors = fit(train)
        pred = centred(np.array([predict(priors, t["terms"]) - t["truth"] for t in fg["tracks"]]))
        base = baseline(g)
        for t, e in zip(fg["tracks"], pred, strict=True):
            rows.append(
                {"song": fg["id"], "set": fg["set"], "track": t["track"], "role": t["track"],
                 "equal": base[t["track"]], "learned": float(e)}
            )  # fmt: skip
    return summary(rows, ["equal", "learned"])


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


if __name__ == "__main__":
    sys.exit(main())
