"""Audio role guessing on realistic material: the demo song's stems, classified by sound alone.

The small synthetic cases in test_roles.py pin the rules down; these check that the rules hold on
fuller parts (boomy kick, strummed guitar, electric piano, a kit in the overheads, sung phrases)
across several performances of the demo song. Each stem is read back from disk as a session
would be, and classified at its own sample rate (the pad is written at the other common rate).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from faderpilot import demo
from faderpilot.analysis.roles import classify_audio
from faderpilot.audio.io import read_audio

SEEDS = (0, 1, 2)
SECONDS = 16.0

#: The true role of every demo file, and the guesses accepted for it. A lone backing vocal is
#: one voice singing phrases: audio alone cannot tell it from a lead, and "lead vocal" is the
#: natural reading, so either is right.
TRUTH: dict[str, tuple[str, ...]] = {
    "Kick In.wav": ("kick",),
    "SN Top.wav": ("snare",),
    "HH.wav": ("hihat",),
    "OH L.wav": ("overheads",),
    "OH R.wav": ("overheads",),
    "Bass DI.flac": ("bass",),
    "Gtr DI.wav": ("electric_guitar",),
    "Rhodes.wav": ("keys",),
    "Pad.aif": ("synth",),
    "Vox Ld.wav": ("lead_vocal",),
    "BGV 1.wav": ("backing_vocals", "lead_vocal"),
}
ACCEPTED = {accepted[0]: accepted for accepted in TRUTH.values()}
#: Roles that must be right in every seed, not just on average.
ALWAYS = ("kick", "snare", "hihat", "bass", "lead_vocal")
ACCURACY_FLOOR = 0.9  # measured: 33/33 on these seeds; the floor leaves room for library drift


@pytest.fixture(scope="module")
def guesses(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[int, str, str, float, str]]:
    """(seed, file, guessed role, confidence, reason) for every demo stem of every seed."""
    rows = []
    for seed in SEEDS:
        folder = tmp_path_factory.mktemp(f"demo{seed}")
        paths = demo.generate_demo(folder, seconds=SECONDS, seed=seed)
        assert {p.name for p in paths} == set(TRUTH)
        for path in paths:
            loaded = read_audio(path)
            g = classify_audio(loaded.audio, loaded.sample_rate)
            rows.append((seed, path.name, g.role, g.confidence, g.reason))
    return rows


def _right(name: str, role: str) -> bool:
    return role in TRUTH[name]


def test_demo_stems_by_sound(
    guesses: list[tuple[int, str, str, float, str]], capsys: pytest.CaptureFixture
) -> None:
    right = sum(_right(name, role) for _, name, role, _, _ in guesses)
    accuracy = right / len(guesses)
    confusion = Counter((TRUTH[name][0], role) for _, name, role, _, _ in guesses)
    with capsys.disabled():
        print(f"\ndemo stems by sound: {right}/{len(guesses)} right ({100 * accuracy:.0f}%)")
        for (truth, role), n in sorted(confusion.items()):
            mark = "  " if role in ACCEPTED[truth] else "!!"
            print(f"  {mark} {truth:15s} -> {role:15s} x{n}")
        for seed, name, role, conf, reason in guesses:
            if not _right(name, role):
                print(f"  seed {seed} {name}: {role} {conf:.2f}  {reason}")
    assert accuracy >= ACCURACY_FLOOR


@pytest.mark.parametrize("role", ALWAYS)
def test_core_roles_right_in_every_seed(role: str, guesses: list[tuple[int, str, str, float, str]]) -> None:
    names = [n for n, accepted in TRUTH.items() if accepted[0] == role]
    rows = [row for row in guesses if row[1] in names]
    assert len(rows) == len(SEEDS) * len(names)
    for seed, name, got, _, reason in rows:
        assert _right(name, got), f"seed {seed} {name}: {reason}"


def test_confidences_are_modest(guesses: list[tuple[int, str, str, float, str]]) -> None:
    for _, name, _, conf, reason in guesses:
        assert 0.4 <= conf <= 0.75, (name, reason)
        assert reason.startswith("audio: ")


# --------------------------------------------------------------------------------------------
# The same parts the way real sessions often hold them: bleed in the close mics, an overhead
# pair in one stereo file, a tom track that is silent outside the fills, keys and pad in mono.
# --------------------------------------------------------------------------------------------

SR = 44100
PART_SECONDS = 20.0


@pytest.fixture(scope="module")
def parts() -> dict[str, np.ndarray]:
    def rng(k: int) -> np.random.Generator:
        return np.random.default_rng([11, k])

    args = (SR, PART_SECONDS, demo.TEMPO)
    return {
        "kick": demo.kick(*args, rng(0)),
        "snare": demo.snare(*args, rng(1)),
        "hihat": demo.hihat(*args, rng(2)),
        "toms": demo.toms(*args, rng(3)),
        "overheads": demo.overheads(*args, rng(4)),
        "rhodes": demo.rhodes(*args, rng(7)),
        "pad": demo.pad(*args, rng(8)),
    }


def test_session_variants(parts: dict[str, np.ndarray]) -> None:
    kick, snare, hihat = parts["kick"], parts["snare"], parts["hihat"]
    cases = {
        "kick with snare and hat bleed": (kick + 0.1 * snare + 0.05 * hihat, "kick"),
        "snare with hat and kick bleed": (snare + 0.15 * hihat + 0.1 * kick, "snare"),
        "hi-hat with snare bleed": (hihat + 0.1 * snare, "hihat"),
        "overhead pair in one stereo file": (parts["overheads"], "overheads"),
        "toms, silent outside the fills": (parts["toms"], "toms"),
        "electric piano summed to mono": (parts["rhodes"].mean(axis=0, keepdims=True), "keys"),
        "pad summed to mono": (parts["pad"].mean(axis=0, keepdims=True), "synth"),
    }
    wrong = []
    for label, (x, want) in cases.items():
        g = classify_audio(x.astype(np.float32), SR)
        if g.role != want:
            wrong.append(f"{label}: {g.role} ({g.reason})")
    assert not wrong, "\n".join(wrong)
