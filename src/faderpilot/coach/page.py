"""OUT/critique.html: one self-contained page (no network, audio embedded) that teaches the
differences, top first, each with its A/B excerpts."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import numpy as np
import soundfile as sf

from ..session.io import write_text_atomic
from .critique import Critique, Difference

CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
.d{border:1px solid #ccc;border-radius:6px;padding:.8em 1em;margin:1em 0}
.lesson{border-left:6px solid #c0392b}.taste{border-left:6px solid #27ae60}
.difference{border-left:6px solid #2980b9}.tag{font-weight:bold;text-transform:uppercase;font-size:12px}
.ab{display:flex;gap:1em;flex-wrap:wrap}.ab figure{margin:0}.small{color:#666;font-size:13px}
"""


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _flac(path: Path, scale: float) -> str:
    """A WAV file as a base64 FLAC data URL (16-bit, scaled so nothing clips)."""
    x, sr = sf.read(str(path), dtype="float32", always_2d=True)
    buf = io.BytesIO()
    sf.write(buf, np.clip(x * scale, -1.0, 1.0), sr, format="FLAC", subtype="PCM_16")
    return "data:audio/flac;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _scale(out: Path, c: Critique) -> float:
    """One gain for every excerpt, so they stay loudness-matched and none clips."""
    peak = 0.0
    for d in c.differences:
        for key in ("a", "b"):
            if d.ab and (out / d.ab[key]).is_file():
                x, _ = sf.read(str(out / d.ab[key]), dtype="float32")
                peak = max(peak, float(np.max(np.abs(x))) if x.size else 0.0)
    return min(1.0, 0.99 / peak) if peak > 0 else 1.0


def _diff_html(k: int, d: Difference, out: Path, scale: float, cache: dict[str, str]) -> str:
    tag = {"lesson": "lesson", "taste": "taste", "difference": "differs from mine"}[d.verdict]
    parts = [
        f'<div class="d {d.verdict}" id="d{k}"><span class="tag">{k}. {_e(tag)}</span> '
        f'<span class="small">audibility {d.audibility_db:+.1f} dB re the mix</span>',
        f"<p><b>What I hear:</b> {_e(d.hears)}.</p>",
        f"<p><b>Why it matters:</b> {_e(d.why)}.</p>",
        f"<p><b>What to try:</b> {_e(d.try_)}.</p>",
        f"<p><b>Reach for:</b> {_e(d.control)}.</p>",
    ]
    if d.assistant_why:
        parts.append(f'<p class="small"><b>Why I set mine there:</b> {_e(d.assistant_why)}</p>')
    if d.ab:
        for key in ("a", "b"):
            if d.ab[key] not in cache:
                cache[d.ab[key]] = _flac(out / d.ab[key], scale)
        parts.append(
            '<div class="ab">'
            '<figure><figcaption>A: your mix</figcaption><audio class="your-mix" controls '
            'preload="none"></audio></figure>'
            f'<figure><figcaption>B: only this change</figcaption><audio controls preload="none" '
            f'src="{cache[d.ab["b"]]}"></audio></figure></div>'
            f'<p class="small">{d.ab["seconds"]:.1f} s from {d.ab["start_s"]:.1f} s, the busiest stretch; '
            f"both at {d.ab['lufs_a']:.1f} LUFS (B {d.ab['lufs_b']:.1f}), so louder does not win.</p>"
        )
    parts.append("</div>")
    return "\n".join(parts)


def build_page(c: Critique, out: Path) -> str:
    """The critique page as one HTML string."""
    scale = _scale(out, c)
    cache: dict[str, str] = {}
    body = [
        "<h1>Your mix, critiqued</h1>",
        f"<p>{_e(c.mix_path)}: the fit explains your mix to {c.fit_null_db:.1f} dB. Differences are "
        "ranked by how audible they are. <b>Lesson</b>: outside what real mixes do. <b>Taste</b>: "
        "inside the range real mixes use, so yours to choose. <b>Differs from mine</b>: no real-mix "
        "data on this, only how I would do it.</p>",
    ]
    if not c.differences:
        body.append("<p>No difference worth a lesson: your mix is close to mine.</p>")
    body += [_diff_html(k, d, out, scale, cache) for k, d in enumerate(c.differences, 1)]
    mine = next((cache[d.ab["a"]] for d in c.differences if d.ab), None)
    if mine:  # your mix once, given to every A player (it is the same excerpt for all)
        body.append(
            f"<script>const yourMix = {json.dumps(mine)};\n"
            "for (const e of document.querySelectorAll('audio.your-mix')) e.src = yourMix;</script>"
        )
    if c.notes:
        body.append("<h2>Notes</h2><ul>" + "".join(f"<li>{_e(n)}</li>" for n in c.notes) + "</ul>")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>faderpilot critique</title>'
        f"<style>{CSS}</style></head><body>" + "\n".join(body) + "</body></html>\n"
    )


def write_page(c: Critique, out: Path) -> Path:
    """Write OUT/critique.html atomically."""
    p = out / "critique.html"
    write_text_atomic(p, build_page(c, out))
    return p
