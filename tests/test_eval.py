"""The synthesized-song balance harness runs end to end (a smoke test: its songs are balanced by
assumptions of ours, so it cannot judge quality; eval/balance_real.py does, on real songs)."""

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _harness():
    spec = importlib.util.spec_from_file_location("balance_eval", ROOT / "eval" / "balance_eval.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["balance_eval"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_harness_scores_a_synthesized_song(tmp_path):
    h = _harness()
    songs = json.loads((ROOT / "eval" / "songs.json").read_text())
    songs["songs"] = [dict(songs["songs"][0], seconds=10)]
    (tmp_path / "songs.json").write_text(json.dumps(songs))
    [(name, folder, sp)] = h.synth_songs(tmp_path / "songs.json", tmp_path / "cache")
    r = h.evaluate(name, folder, sp)
    assert len(r.tracks) == 11
    assert abs(float(r.ours.mean())) < 1e-9  # one common offset removed
    assert np.all(np.isfinite(r.ours)) and np.all(np.isfinite(r.baseline))
    assert float(abs(r.ours).max()) < 15.0  # scrambled by +-12 dB: the mix undid the scrambling
