"""The ``critique`` verb as one call: assistant, fit, differences, A/B excerpts, page
(each stage lives in its own module: ``fit``, ``critique``, ``ab``, ``page``)."""

from __future__ import annotations

import json
from pathlib import Path

from ..audio.io import check_destination, write_wav_atomic
from ..messages import FaderpilotError, message
from ..session.io import save, write_text_atomic
from .ab import write_excerpts
from .critique import TOP_AB, Critique, critique_fit
from .fit import assistant_session, fit_user_mix, session_mix
from .page import write_page


def critique(
    stems_dir: str | Path,
    mix_path: str | Path | None,
    out_dir: str | Path,
    *,
    session_path: str | Path | None = None,
    workers: int = 2,
    top: int = TOP_AB,
    excerpt_s: float | None = None,
) -> Critique:
    """Critique the user's mix of ``stems_dir`` (a bounce, or a REAPER session with
    ``session_path``): OUT/critique.html, critique.json, the A/B excerpts and the fitted session
    (OUT/your_mix.session.json, the assistant's session with your levels, pans, tone and returns)."""
    if (mix_path is None) == (session_path is None):
        raise ValueError("give either a mix (--mix) or a session (--session) to critique")
    for given in (mix_path, session_path):  # before the stems are prepped: say it at once
        if given is not None and not Path(given).is_file():
            raise FaderpilotError(f"{message('FP-E031', given)} [FP-E031]")
    out = Path(out_dir).resolve()
    check_destination(out, [Path(stems_dir).resolve()])
    a = assistant_session(stems_dir, workers=workers)
    note = None
    if session_path is not None:
        bounce = session_mix(a, session_path, workers)
        mix_path = out / "your_session_bounce.wav"
        write_wav_atomic(mix_path, bounce, a.session.sample_rate, "FLOAT")
        note = (
            f"read from {session_path}: levels, pans and mutes only (plugin state is opaque), played "
            "through my chains and returns, so only balance and pans are compared"
        )
    assert mix_path is not None
    u = fit_user_mix(a, mix_path, workers=workers)
    c, offset = critique_fit(a, u, str(session_path or mix_path), workers)
    c.fit = u
    if note:
        c.notes.insert(0, note)
    out.mkdir(parents=True, exist_ok=True)
    save(u.fitted, out / "your_mix.session.json")
    write_excerpts(a, u, c, offset, out, top=top, excerpt_s=excerpt_s, workers=workers)
    write_text_atomic(out / "critique.json", json.dumps(c.to_json(), indent=2) + "\n")
    write_page(c, out)
    return c
