"""The report's pictures, written directly as SVG from the session document alone.

Every function takes session data (never audio) and returns a :class:`Picture`: the image as a
``data:`` URI plus its alt text, so the report stays one file that opens from disk. The SVG is
written here (no plotting library): a picture costs about a millisecond where drawing it with
matplotlib and encoding a PNG cost half a second or more, and it stays sharp at any zoom.
Geometry is in points (72 per inch); text is SVG text in DejaVu Sans (a sans-serif where that
font is missing), so nothing is fetched. Output is deterministic (fixed number formatting).

Example
-------
>>> from faderpilot.export.figures import compressor_picture
>>> pic = compressor_picture("Vox", "#c04fc0", {"threshold_db": -20.0, "ratio": 3.0, "makeup_db": 2.0})
>>> pic.uri.startswith("data:image/")
True
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

import numpy as np

from ..render.filters import FILTER_KINDS, HALF_THIRD, chain_band_response_db, chain_response_db
from ..render.plan import band_levels

#: Image format of the embedded pictures (vector, written directly).
FORMAT = "svg"
#: Width (inches) of every picture: two sit side by side on a laptop screen.
WIDTH = 5.6
PT = 72.0  # points per inch

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
FONT_SIZE = 9.5
TITLE_SIZE = 10.5
LABEL_SIZE = 9.0
TICK_SIZE = 8.5
LEGEND_SIZE = 8.5
SPINE = "#888888"
GRID = "#e4e4e4"
INK = "#222222"

BEFORE = "#7a7a7a"
EQ_CURVE = "#e07b00"
CUT = "#d62728"
BOOST = "#2a9d4a"

#: The frequency regions a mixer names (after Kulka's chart as reprinted in Owsinski,
#: "The Mixing Engineer's Handbook").
REGIONS = (
    (20.0, 60.0, "sub"),
    (60.0, 250.0, "bass"),
    (250.0, 2000.0, "low mids"),
    (2000.0, 6000.0, "high mids"),
    (6000.0, 20000.0, "highs"),
)
FREQ_TICKS = (20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)


@dataclass
class Picture:
    """One embedded image: a data URI and the alt text a screen reader (or a test) reads."""

    uri: str
    alt: str


def hz(v: float) -> str:
    """A frequency as a mixer writes it: 90 Hz, 1.6 kHz."""
    return f"{v / 1000:.3g} kHz" if v >= 1000 else f"{v:.3g} Hz"


def _tick_hz(v: float, _pos: object = None) -> str:
    return f"{v / 1000:g}k" if v >= 1000 else f"{v:g}"


# ---------------------------------------------------------------- the SVG kit


def _n(v: float) -> str:
    """A coordinate, short and deterministic."""
    s = f"{float(v):.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _num_label(v: float) -> str:
    """A tick label: shortest form, a real minus sign."""
    v = round(float(v), 6)
    s = f"{v:g}"
    return "0" if s in ("0", "-0") else s.replace("-", "\u2212")


def text_width(s: str, size: float, bold: bool = False) -> float:
    """Estimated width (points) of a line of DejaVu Sans text: its glyphs average ~0.6 em."""
    return len(s) * size * (0.64 if bold else 0.58)


def _nice_ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    """Round tick values (1, 2, 2.5, 5 x 10^k steps) inside [lo, hi], about n of them."""
    span = max(hi - lo, 1e-9)
    mag = 10 ** math.floor(math.log10(span / n))
    step = mag
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        step = m * mag
        if span / step <= n:
            break
    first = math.ceil(lo / step - 1e-9) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


def _dash(ls: str, lw: float) -> str:
    if ls == "--":
        return f' stroke-dasharray="{_n(3.7 * lw)},{_n(1.6 * lw)}"'
    if ls == ":":
        return f' stroke-dasharray="{_n(1 * lw)},{_n(1.65 * lw)}"'
    return ""


@dataclass
class Canvas:
    """One SVG picture in points, built element by element."""

    w: float
    h: float
    parts: list[str] = field(default_factory=list)
    clips: int = 0

    def add(self, s: str) -> None:
        """Append one element."""
        self.parts.append(s)

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: float = FONT_SIZE,
        colour: str = INK,
        anchor: str = "start",
        baseline: str = "alphabetic",
        bold: bool = False,
        rotate: float | None = None,
        box: tuple[str, str | None] | None = None,
    ) -> None:
        """Text at (x, y); ``baseline`` "top", "middle" or "alphabetic"; optional box (fill, edge)."""
        lines = s.split("\n")
        lh = size * 1.5
        dy = {"top": size * 0.8, "middle": size * 0.35 - lh * (len(lines) - 1) / 2}.get(baseline, 0.0)
        if box is not None:
            w = max(text_width(x_, size, bold) for x_ in lines)
            x0 = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
            top = y + dy - size * 0.8
            hgt = lh * (len(lines) - 1) + size * 1.05
            fill, edge = box
            pad = size * 0.3
            stroke = f' stroke="{edge}" stroke-width="0.8"' if edge else ""
            self.add(
                f'<rect x="{_n(x0 - pad)}" y="{_n(top - pad)}" width="{_n(w + 2 * pad)}" '
                f'height="{_n(hgt + 2 * pad)}" rx="{_n(pad)}" fill="{fill}" fill-opacity="0.85"{stroke}/>'
            )
        rot = f' transform="rotate({_n(rotate)} {_n(x)} {_n(y)})"' if rotate else ""
        weight = ' font-weight="bold"' if bold else ""
        body = escape(lines[0])
        for line in lines[1:]:
            body += f'<tspan x="{_n(x)}" dy="{_n(lh)}">{escape(line)}</tspan>'
        self.add(
            f'<text x="{_n(x)}" y="{_n(y + dy)}" font-size="{_n(size)}" fill="{colour}" '
            f'text-anchor="{anchor}"{weight}{rot}>{body}</text>'
        )

    def path(
        self,
        xs: Sequence[float],
        ys: Sequence[float],
        colour: str,
        lw: float = 1.0,
        ls: str = "-",
        alpha: float = 1.0,
        clip: str | None = None,
        cap: str = "butt",
    ) -> None:
        """A polyline through the points."""
        if len(xs) == 0:
            return
        d = "M" + " L".join(f"{_n(x)} {_n(y)}" for x, y in zip(xs, ys, strict=True))
        op = f' stroke-opacity="{_n(alpha)}"' if alpha < 1 else ""
        cl = f' clip-path="url(#{clip})"' if clip else ""
        self.add(
            f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{_n(lw)}"{_dash(ls, lw)}{op}{cl} '
            f'stroke-linejoin="round" stroke-linecap="{cap}"/>'
        )

    def polygon(self, xs: Sequence[float], ys: Sequence[float], colour: str, alpha: float = 1.0) -> None:
        """A filled polygon."""
        d = "M" + " L".join(f"{_n(x)} {_n(y)}" for x, y in zip(xs, ys, strict=True)) + " Z"
        op = f' fill-opacity="{_n(alpha)}"' if alpha < 1 else ""
        self.add(f'<path d="{d}" fill="{colour}"{op}/>')

    def rect(self, x: float, y: float, w: float, h: float, colour: str, alpha: float = 1.0) -> None:
        """A filled rectangle (corner x, y)."""
        op = f' fill-opacity="{_n(alpha)}"' if alpha < 1 else ""
        self.add(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{colour}"{op}/>')

    def marker(
        self,
        x: float,
        y: float,
        ms: float,
        colour: str,
        face: str | None = None,
        mew: float = 1.0,
        shape: str = "o",
    ) -> None:
        """A circle (``o``) or square (``s``) marker of diameter ``ms`` points."""
        fill = face or colour
        stroke = f' stroke="{colour}" stroke-width="{_n(mew)}"' if face else ""
        if shape == "s":
            r = ms / 2
            self.add(
                f'<rect x="{_n(x - r)}" y="{_n(y - r)}" width="{_n(ms)}" height="{_n(ms)}" '
                f'fill="{fill}"{stroke}/>'
            )
        else:
            self.add(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(ms / 2)}" fill="{fill}"{stroke}/>')

    def clip_rect(self, x: float, y: float, w: float, h: float) -> str:
        """A clip path for an axes' plotting area; returns its id."""
        cid = f"c{self.clips}"
        self.clips += 1
        self.add(
            f'<clipPath id="{cid}"><rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" '
            f'height="{_n(h)}"/></clipPath>'
        )
        return cid

    def svg(self) -> bytes:
        """The finished picture."""
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(self.w)}pt" height="{_n(self.h)}pt" '
            f'viewBox="0 0 {_n(self.w)} {_n(self.h)}" font-family="{FONT}">'
            f'<rect width="100%" height="100%" fill="#ffffff"/>'
        )
        return (head + "".join(self.parts) + "</svg>").encode("utf-8")


@dataclass
class Axes:
    """A plotting area on a canvas: data limits, scale, and the mapping to points."""

    c: Canvas
    x0: float
    y0: float  # top
    x1: float
    y1: float  # bottom
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    xlog: bool = False
    clip: str = ""

    def __post_init__(self) -> None:
        self.clip = self.c.clip_rect(self.x0, self.y0, self.x1 - self.x0, self.y1 - self.y0)

    def _fx(self, v: float) -> float:
        return math.log10(max(v, 1e-12)) if self.xlog else v

    def X(self, v):  # noqa: N802 - a mapping, named like the axis
        """Data x to points (scalar or array)."""
        a, b = self._fx(self.xlim[0]), self._fx(self.xlim[1])
        fv = np.log10(np.maximum(v, 1e-12)) if self.xlog else np.asarray(v, dtype=float)
        return self.x0 + (fv - a) / (b - a) * (self.x1 - self.x0)

    def Y(self, v):  # noqa: N802
        """Data y to points (scalar or array)."""
        lo, hi = self.ylim
        return self.y1 - (np.asarray(v, dtype=float) - lo) / (hi - lo) * (self.y1 - self.y0)

    def line(
        self, xs, ys, colour: str, lw: float = 1.0, ls: str = "-", alpha: float = 1.0, cap: str = "butt"
    ):
        """A data polyline, clipped to the axes."""
        self.c.path(
            list(self.X(np.asarray(xs))), list(self.Y(np.asarray(ys))), colour, lw, ls, alpha, self.clip, cap
        )

    def markers(
        self, xs, ys, ms: float, colour: str, face: str | None = None, mew: float = 1.0, shape: str = "o"
    ):
        """Markers at data points, clipped to the axes."""
        self.c.add(f'<g clip-path="url(#{self.clip})">')
        for x, y in zip(
            np.atleast_1d(self.X(np.asarray(xs))), np.atleast_1d(self.Y(np.asarray(ys))), strict=True
        ):
            self.c.marker(float(x), float(y), ms, colour, face, mew, shape)
        self.c.add("</g>")

    def vspan(self, lo: float, hi: float, colour: str, alpha: float = 1.0) -> None:
        """A full-height band between two x values."""
        a, b = float(self.X(max(lo, self.xlim[0]))), float(self.X(min(hi, self.xlim[1])))
        if b > a:
            self.c.rect(a, self.y0, b - a, self.y1 - self.y0, colour, alpha)

    def hline(self, y: float, colour: str, lw: float = 1.0, ls: str = "-", alpha: float = 1.0) -> None:
        """A full-width horizontal line at data y."""
        yy = float(self.Y(y))
        if self.y0 - 0.01 <= yy <= self.y1 + 0.01:
            self.c.path([self.x0, self.x1], [yy, yy], colour, lw, ls, alpha)

    def vline(self, x: float, colour: str, lw: float = 1.0, ls: str = "-") -> None:
        """A full-height vertical line at data x."""
        xx = float(self.X(x))
        self.c.path([xx, xx], [self.y0, self.y1], colour, lw, ls)

    def fill_between(self, xs, a, b, where, colour: str, alpha: float) -> None:
        """Shade between two curves where ``where`` holds, cut at the crossings."""
        xs, a, b = (np.asarray(v, dtype=float) for v in (xs, a, b))
        where = np.asarray(where, dtype=bool)
        i, n = 0, len(xs)
        while i < n:
            if not where[i]:
                i += 1
                continue
            j = i
            while j + 1 < n and where[j + 1]:
                j += 1
            px, pa, pb = list(xs[i : j + 1]), list(a[i : j + 1]), list(b[i : j + 1])
            for k, m in ((i - 1, i), (j + 1, j)):  # extend to where the curves cross
                if not 0 <= k < n:
                    continue
                dk, dm = a[k] - b[k], a[m] - b[m]
                t = dk / (dk - dm) if dk != dm else 0.0
                x = float(np.exp(np.log(xs[k]) + t * (np.log(xs[m]) - np.log(xs[k]))))
                y = float(a[k] + t * (a[m] - a[k]))
                if k < i:
                    px, pa, pb = [x, *px], [y, *pa], [y, *pb]
                else:
                    px, pa, pb = [*px, x], [*pa, y], [*pb, y]
            xx = list(self.X(np.array(px)))
            self.c.polygon(
                xx + xx[::-1], list(self.Y(np.array(pa))) + list(self.Y(np.array(pb)))[::-1], colour, alpha
            )
            i = j + 1

    def frame(self, right: bool = False, right_colour: str = SPINE) -> None:
        """The left and bottom spines (and the right one when asked)."""
        self.c.path([self.x0, self.x0, self.x1], [self.y0, self.y1, self.y1], SPINE, 0.8)
        if right:
            self.c.path([self.x1, self.x1], [self.y0, self.y1], right_colour, 0.8)

    def xticks(self, ticks, labels=None, grid: bool = True, size: float = TICK_SIZE) -> None:
        """Ticks and labels under the axes, with vertical grid lines."""
        labels = labels or [_num_label(t) for t in ticks]
        for t, lab in zip(ticks, labels, strict=True):
            x = float(self.X(t))
            if grid:
                self.c.path([x, x], [self.y0, self.y1], GRID, 0.6)
            self.c.path([x, x], [self.y1, self.y1 + 3.5], SPINE, 0.8)
            self.c.text(x, self.y1 + 5.5, lab, size, INK, "middle", "top")

    def yticks(
        self,
        ticks,
        labels=None,
        grid: bool = True,
        right: bool = False,
        colour: str = INK,
        size: float = TICK_SIZE,
    ) -> None:
        """Ticks and labels beside the axes (left, or right), with horizontal grid lines."""
        labels = labels or [_num_label(t) for t in ticks]
        for t, lab in zip(ticks, labels, strict=True):
            y = float(self.Y(t))
            if grid:
                self.c.path([self.x0, self.x1], [y, y], GRID, 0.6)
            if right:
                self.c.path([self.x1, self.x1 + 3.5], [y, y], colour, 0.8)
                self.c.text(self.x1 + 5.5, y, lab, size, colour, "start", "middle")
            else:
                self.c.path([self.x0 - 3.5, self.x0], [y, y], SPINE, 0.8)
                self.c.text(self.x0 - 5.5, y, lab, size, colour, "end", "middle")

    def labels(self, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> None:
        """Title (left, bold), x label under the tick labels, y label turned up the left side."""
        if title:
            self.c.text(self.x0, self.y0 - 5, title, TITLE_SIZE, INK, "start", bold=True)
        if xlabel:
            self.c.text(
                (self.x0 + self.x1) / 2,
                self.y1 + 7 + TICK_SIZE * 1.2,
                xlabel,
                LABEL_SIZE,
                INK,
                "middle",
                "top",
            )
        if ylabel:
            self.ylabel(ylabel)

    def ylabel(self, s: str, right: bool = False, colour: str = INK, offset: float = 30.0) -> None:
        """An axis label turned along the axis."""
        x = self.x1 + offset if right else self.x0 - offset
        y = (self.y0 + self.y1) / 2
        self.c.text(x, y, s, LABEL_SIZE, colour, "middle", "alphabetic", rotate=-90)


def _figure(
    h: float,
    left: float = 0.66,
    right: float = 0.15,
    top: float = 0.3,
    bottom: float = 0.5,
    legend_rows: int = 0,
) -> tuple[Canvas, tuple[float, float, float, float]]:
    """A WIDTH x h inch canvas and its axes box (x0, y0, x1, y1 in points) from margins in inches."""
    left = min(left, 0.45 * WIDTH)  # a very long track name is cut at the edge, not an error
    bottom += 0.2 * legend_rows + (0.08 if legend_rows else 0.0)
    c = Canvas(WIDTH * PT, h * PT)
    return c, (left * PT, top * PT, (WIDTH - right) * PT, (h - bottom) * PT)


def _freq_axes(c: Canvas, box, ylim, fmax: float, regions: bool = True) -> Axes:
    ax = Axes(c, *box, xlim=(20.0, fmax), ylim=ylim, xlog=True)
    if regions:
        for i, (lo, hi, _name) in enumerate(REGIONS):
            if lo >= fmax:
                break
            if i % 2 == 0:
                ax.vspan(lo, min(hi, fmax), "#f3f3f3")
    ax.xticks([t for t in FREQ_TICKS if t <= fmax], [_tick_hz(t) for t in FREQ_TICKS if t <= fmax])
    if regions:
        for lo, hi, name in REGIONS:
            if lo >= fmax:
                break
            c.text(float(ax.X(math.sqrt(lo * min(hi, fmax)))), ax.y0 + 2, name, 7, "#8a8a8a", "middle", "top")
    ax.labels(xlabel="frequency (Hz)")
    return ax


@dataclass
class Key:
    """One legend entry: a line (with optional marker), a marker alone, or a filled patch."""

    label: str
    colour: str
    kind: str = "line"  # "line", "marker", "patch"
    lw: float = 1.5
    ls: str = "-"
    alpha: float = 1.0
    face: str | None = None
    ms: float = 6.0


def _key_glyph(c: Canvas, k: Key, x: float, y: float, length: float) -> None:
    if k.kind == "patch":
        c.rect(x, y - 3.5, length, 7, k.colour, k.alpha)
    elif k.kind == "marker":
        c.marker(x + length / 2, y, k.ms, k.colour, k.face, 1.3)
    else:
        c.path([x, x + length], [y, y], k.colour, k.lw, k.ls, k.alpha)


def _legend_below(c: Canvas, keys: list[Key], ncol: int) -> None:
    """A frameless legend centred along the bottom edge, ``ncol`` entries a row."""
    size, length, gap, colgap = LEGEND_SIZE, 1.8 * LEGEND_SIZE, 0.8 * LEGEND_SIZE, 1.2 * LEGEND_SIZE
    rows = [keys[i : i + ncol] for i in range(0, len(keys), ncol)]
    widths = [
        max((length + gap + text_width(r[j].label, size) for r in rows if j < len(r)), default=0.0)
        for j in range(ncol)
    ]
    total = sum(widths) + colgap * (ncol - 1)
    x_start = max(4.0, (c.w - total) / 2)
    row_h = size * 1.65
    y = c.h - 0.01 * c.h - 3 - row_h * (len(rows) - 1) - size * 0.5
    for r in rows:
        x = x_start
        for j, k in enumerate(r):
            _key_glyph(c, k, x, y, length)
            c.text(x + length + gap, y, k.label, size, INK, "start", "middle")
            x += widths[j] + colgap
        y += row_h


def _legend_in(c: Canvas, ax: Axes, keys: list[Key]) -> None:
    """A frameless legend in the axes' upper left corner."""
    size, length, gap = LEGEND_SIZE, 1.8 * LEGEND_SIZE, 0.8 * LEGEND_SIZE
    y = ax.y0 + 4 + size * 0.7
    for k in keys:
        _key_glyph(c, k, ax.x0 + 6, y, length)
        c.text(ax.x0 + 6 + length + gap, y, k.label, size, INK, "start", "middle")
        y += size * 1.55


def _encode(c: Canvas, alt: str) -> Picture:
    return Picture(f"data:image/svg+xml;base64,{base64.b64encode(c.svg()).decode('ascii')}", alt)


#: The figures' registry (they draw filters only), filter kind -> the typed filter's label on
#: the EQ curve.
LABELS: dict[str, Callable[..., str]] = {
    "highpass": lambda t: f"high-pass {hz(t.freq_hz)}",
    "lowpass": lambda t: f"low-pass {hz(t.freq_hz)}",
    "low_shelf": lambda t: f"low shelf {t.gain_db:+g} dB @ {hz(t.freq_hz)}",
    "high_shelf": lambda t: f"high shelf {t.gain_db:+g} dB @ {hz(t.freq_hz)}",
    "peak": lambda t: f"{t.gain_db:+g} dB @ {hz(t.freq_hz)}",
}


def _filter_label(p) -> tuple[float, str]:
    """(frequency, label) of a filter processor on the EQ curve."""
    t = p.typed()
    return t.freq_hz, LABELS[p.kind](t)


# ---------------------------------------------------------------- the pictures


def spectrum_picture(
    name: str, colour: str, bands: dict[str, float], trim_db: float, chain, sr: int
) -> Picture:
    """The track's long-term spectrum before and after its chain's filters, EQ curve on top."""
    fmax = min(20000.0, sr / 2)
    fc, lv = band_levels(bands)
    keep = fc < fmax
    fc, lv = fc[keep], lv[keep] + trim_db
    filters = [p for p in chain if p.enabled and p.kind in FILTER_KINDS]
    after = lv + chain_band_response_db(filters, fc, sr)
    c, box = _figure(3.6, right=0.62 if filters else 0.15, legend_rows=2 if filters else 1)
    top = float(max(lv.max(), after.max()))
    ylim = (top - 66, top + 18)
    ax = _freq_axes(c, box, ylim, fmax)
    ax.yticks(_nice_ticks(*ylim))
    ax.ylabel("level per third-octave (dB)")
    keys: list[Key] = []
    if filters:
        cut = after < lv - 0.05
        boost = after > lv + 0.05
        ax.fill_between(fc, after, lv, cut, CUT, 0.2)
        ax.fill_between(fc, after, lv, boost, BOOST, 0.2)
        ax.line(fc, lv, BEFORE, 1.3, "--")
        ax.markers(fc, lv, 2.5, BEFORE)
        ax.line(fc, after, colour, 2.2)
        ax.markers(fc, after, 3, colour)
        keys += [
            Key("as recorded", BEFORE, lw=1.3, ls="--"),
            Key("after its EQ", colour, lw=2.2),
            Key("EQ curve (right scale)", EQ_CURVE, lw=2.0),
            Key("removed by the EQ", CUT, "patch", alpha=0.35),
        ]
        if np.any(boost):
            keys.append(Key("added by the EQ", BOOST, "patch", alpha=0.35))
        f = np.geomspace(20, fmax * 0.999, 240)
        curve = chain_response_db(filters, f, sr)
        lo = -36.0 if curve.min() < -24 else -24.0
        hi = max(6.0, float(np.ceil(curve.max() / 6) * 6) + 6)
        ax2 = Axes(c, *box, xlim=ax.xlim, ylim=(lo - (hi - lo) * 0.5, hi), xlog=True)
        ax2.hline(0, EQ_CURVE, 0.7, ":", 0.8)
        ax2.line(f, np.maximum(curve, lo), EQ_CURVE, 2.0)
        ax2.yticks(
            [t for t in np.arange(lo, hi + 1, 12 if hi - lo > 30 else 6) if t <= hi],
            [f"{v:+g}" if v else "0" for v in np.arange(lo, hi + 1, 12 if hi - lo > 30 else 6) if v <= hi],
            grid=False,
            right=True,
            colour=EQ_CURVE,
        )
        ax2.ylabel("EQ gain (dB)", right=True, colour=EQ_CURVE, offset=38.0)
        for p in filters:
            f0, text = _filter_label(p)
            x0 = min(f0, fmax * 0.99)
            y = float(np.maximum(chain_response_db(filters, np.array([x0]), sr)[0], lo))
            right_side = x0 > 3000
            px, py = float(ax2.X(x0)), float(ax2.Y(y))
            c.text(
                px + (-5 if right_side else 5),
                py + (13 if y < -1 else -7),
                text,
                8,
                EQ_CURVE,
                "end" if right_side else "start",
                "middle",
                bold=True,
                box=("#ffffff", None),
            )
        title = f"{name}: spectrum before and after EQ"
        alt = f"Long-term spectrum of {name} as recorded and after its EQ, with the EQ curve: " + ", ".join(
            _filter_label(p)[1] for p in filters
        )
    else:
        ax.line(fc, lv, colour, 2.2)
        ax.markers(fc, lv, 3, colour)
        keys.append(Key("as recorded (no EQ on this track)", colour, lw=2.2))
        title = f"{name}: spectrum (no EQ)"
        alt = f"Long-term spectrum of {name}; the assistant put no EQ on it"
    ax.frame(right=bool(filters), right_colour=EQ_CURVE)
    ax.labels(title=title)
    _legend_below(c, keys, 3 if len(keys) > 2 else len(keys))
    return _encode(c, alt)


def masking_picture(
    masked: str,
    masked_colour: str,
    masked_levels: tuple[np.ndarray, np.ndarray],
    masker: str,
    masker_colour: str,
    masker_before: tuple[np.ndarray, np.ndarray],
    masker_after: np.ndarray,
    freq_hz: float,
    gain_db: float,
    sr: int,
) -> Picture:
    """Two tracks' spectra as heard in the mix, the contested band marked, the cut's effect shown."""
    fmax = min(20000.0, sr / 2)
    fc, lv = masked_levels
    fc2, before = masker_before
    keep, keep2 = fc < fmax, fc2 < fmax
    c, box = _figure(3.6, legend_rows=2)
    top = float(max(lv[keep].max(), before[keep2].max()))
    ylim = (top - 50, top + 8)
    ax = _freq_axes(c, box, ylim, fmax)
    ax.vspan(freq_hz / HALF_THIRD, freq_hz * HALF_THIRD, "#ffd9a8", 0.9)
    ax.yticks(_nice_ticks(*ylim))
    ax.line(fc2[keep2], before[keep2], masker_colour, 1.4, "--")
    ax.line(fc2[keep2], masker_after[keep2], masker_colour, 2.0)
    ax.line(fc[keep], lv[keep], masked_colour, 2.4)
    ax.markers(fc[keep], lv[keep], 3, masked_colour)
    ax.frame()
    ax.labels(title=f"{masker} makes room for {masked} at {hz(freq_hz)}", ylabel="level in the mix (dB)")
    _legend_below(
        c,
        [
            Key(f"{masked} (protected)", masked_colour, lw=2.4),
            Key(f"{masker} before the cut", masker_colour, lw=1.4, ls="--"),
            Key(f"{masker} after the cut", masker_colour, lw=2.0),
            Key(f"contested band, cut {abs(gain_db):g} dB", "#ffd9a8", "patch"),
        ],
        2,
    )
    alt = (
        f"Spectra of {masked} and {masker} in the mix; {masker} is cut {abs(gain_db):g} dB in the "
        f"contested band at {hz(freq_hz)}"
    )
    return _encode(c, alt)


def _density(pct: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share of time per level bin, from the 0..100th percentiles of a level distribution."""
    xp = np.asarray(pct, dtype=float) + np.arange(len(pct)) * 1e-6  # strictly increasing
    cdf = np.interp(edges, xp, np.linspace(0.0, 1.0, len(pct)))
    return np.diff(cdf)


def compressor_picture(
    name: str, colour: str, params: dict[str, float], pct: Sequence[float] | None = None
) -> Picture:
    """Transfer curve of a hard-knee compressor, over the track's measured level distribution.

    ``pct`` are the 0..100th percentiles of the level the compressor sees (dB); the quietest
    tenth is left off the axis when it lies far below the threshold.
    """
    thr = float(params["threshold_db"])
    ratio = max(float(params["ratio"]), 1.0)
    makeup = float(params.get("makeup_db", 0.0))
    p = np.asarray(pct, dtype=float) if pct is not None and len(pct) == 101 else None
    if p is not None:
        lo = float(np.floor(max(min(p[10], thr - 18.0), thr - 36.0) / 3) * 3) - 3
        hi = float(np.ceil(max(p[100], thr + 9.0) / 3) * 3) + 3
    else:
        lo, hi = thr - 24.0, thr + 18.0
    slope = 1 - 1 / ratio

    def out(v: float) -> float:
        return v - max(v - thr, 0.0) * slope + makeup

    c, (x0, y0, x1, y1) = _figure(4.3 if p is not None else 3.3)
    split = y0 + (y1 - y0) * 2.2 / (3.2 + 0.12) if p is not None else y1
    ylim = (lo, max(hi, out(hi)) + 2)
    ax = Axes(c, x0, y0, x1, split, (lo, hi), ylim)
    xt = _nice_ticks(lo, hi)
    ax.yticks(_nice_ticks(*ylim))
    if p is None:
        ax.xticks(xt)
    else:
        for t in xt:
            c.path([float(ax.X(t))] * 2, [ax.y0, ax.y1], GRID, 0.6)
    ax.line([lo, hi], [lo, hi], BEFORE, 1.1, "--")
    ax.line([lo, thr, hi], [out(lo), out(thr), out(hi)], colour, 2.4)
    ax.vline(thr, EQ_CURVE, 1.0, ":")
    c.text(
        float(ax.X(thr)) - 3, (ax.y0 + ax.y1) / 2, "threshold", 8, EQ_CURVE, "middle", bold=True, rotate=-90
    )
    ax.frame()
    ax.labels(title=f"{name}: compressor {ratio:g}:1 above {thr:g} dB", ylabel="output level (dB)")
    keys = [
        Key("untouched (out = in)", BEFORE, lw=1.1, ls="--"),
        Key(f"with the compressor (makeup {makeup:+g} dB)", colour, lw=2.4),
    ]
    alt = f"Transfer curve of the compressor on {name}: {ratio:g}:1 above {thr:g} dB, makeup {makeup:+g} dB"
    if p is not None:
        peaks, body = float(p[99]), float(p[50])
        red = max(peaks - thr, 0.0) * slope
        ax.markers([peaks], [out(peaks)], 6, colour)
        ax.markers([body], [out(body)], 6, colour, shape="s")
        c.text(
            ax.x1 - 8,
            ax.y1 - 14 - 2 * 8 * 1.5,
            f"■ body (median level) {body:.0f} dB: turned down {max(body - thr, 0) * slope:.1f} dB\n"
            f"● peaks (99th percentile) {peaks:.0f} dB: turned down {red:.1f} dB\n"
            f"then everything comes up {makeup:g} dB (makeup)",
            8,
            INK,
            "end",
            "top",
            box=("#ffffff", "#dddddd"),
        )
        edges = np.arange(lo, hi + 1.0, 1.0)
        dens = _density(p, edges) * 100
        mids = (edges[:-1] + edges[1:]) / 2
        axd = Axes(
            c,
            x0,
            split + (y1 - y0) * 0.12 / 3.32,
            x1,
            y1,
            (lo, hi),
            (0.0, max(float(dens.max()), 1e-3) * 1.05),
        )
        axd.xticks(xt)
        axd.yticks(_nice_ticks(*axd.ylim, n=3))
        for m, dv in zip(mids, dens, strict=True):
            if dv <= 0:
                continue
            a, b = float(axd.X(m - 0.5)), float(axd.X(m + 0.5))
            top_ = float(axd.Y(dv))
            over = m > thr
            c.rect(a, top_, b - a, axd.y1 - top_, EQ_CURVE if over else BEFORE, 0.85 if over else 0.55)
        share = float(1 - np.interp(thr, p + np.arange(101) * 1e-6, np.linspace(0, 1, 101)))
        axd.vline(thr, EQ_CURVE, 1.0, ":")
        axd.frame()
        axd.labels(xlabel="input level: 50 ms average while playing (dBFS, after trim)")
        axd.ylabel("% of time")
        c.text(
            axd.x0 + 0.02 * (axd.x1 - axd.x0),
            axd.y0 + 4,
            f"above the threshold {share:.0%} of the time",
            8,
            "#a05a00",
            "start",
            "top",
        )
        alt += f"; above the threshold {share:.0%} of its playing time"
    else:
        ax.labels(xlabel="input level (dB)")
    _legend_in(c, ax, keys)
    return _encode(c, alt)


@dataclass
class LevelRow:
    """One track in the overview charts: loudness relative to the lead, before and after."""

    name: str
    colour: str
    before_lu: float
    after_lu: float
    pan: float = 0.0
    width: float = 1.0
    stereo: bool = False
    muted: bool = False


def change_picture(
    names: list[str],
    colours: list[str],
    before: list[float],
    after: list[float],
    title: str,
    xlabel: str,
    labels: tuple[str, str],
    unit: str,
) -> Picture:
    """One row per track: a hollow marker for the first value, an arrow to the filled second one."""
    n = len(names)
    longest = max((len(x) for x in names), default=4)
    c, box = _figure(0.95 + 0.3 * n, left=0.3 + 0.075 * longest, right=0.25, legend_rows=1)
    vals = [*before, *after]
    ax = Axes(c, *box, xlim=(min([*vals, -20.0]) - 5, max([*vals, 3.0]) + 3), ylim=(-0.7, n - 0.3))
    ax.xticks(_nice_ticks(*ax.xlim, n=8))
    yy = np.arange(n)[::-1]
    for y, name in zip(yy, names, strict=True):
        py = float(ax.Y(y))
        c.path([ax.x0 - 3.5, ax.x0], [py, py], SPINE, 0.8)
        c.text(ax.x0 - 5.5, py, name, TICK_SIZE, INK, "end", "middle")
    ax.vline(0, "#444444", 0.9)
    for y, col, b, a in zip(yy, colours, before, after, strict=True):
        bx, ax_, py = float(ax.X(b)), float(ax.X(a)), float(ax.Y(y))
        d = 1.0 if ax_ >= bx else -1.0
        if abs(ax_ - bx) > 10:
            s, e = bx + d * 4, ax_ - d * 5
            c.path([s, e], [py, py], "#b0b0b0", 1.0)
            c.path([e - d * 4, e, e - d * 4], [py - 2.5, py, py + 2.5], "#b0b0b0", 1.0)
        c.marker(bx, py, 6, BEFORE, "#ffffff", 1.3)
        c.marker(ax_, py, 8, col)
        left = a <= b
        c.text(ax_ + (-7 if left else 7), py, f"{a:+.1f}", 7.5, INK, "end" if left else "start", "middle")
    ax.frame()
    ax.labels(title=title, xlabel=xlabel)
    _legend_below(
        c,
        [
            Key(labels[0], BEFORE, "marker", face="#ffffff", ms=6),
            Key(labels[1], "#555555", "marker", ms=8),
        ],
        2,
    )
    alt = f"{title}: " + "; ".join(
        f"{x} {b:+.1f} to {a:+.1f} {unit}" for x, b, a in zip(names, before, after, strict=True)
    )
    return _encode(c, alt)


def levels_picture(rows: list[LevelRow], lead: str) -> Picture:
    """Every track's loudness relative to the lead, as recorded and after the mix (console order)."""
    rows = [r for r in rows if not r.muted]
    return change_picture(
        [r.name for r in rows],
        [r.colour for r in rows],
        [r.before_lu for r in rows],
        [r.after_lu for r in rows],
        "Levels: as recorded vs in the mix",
        f"loudness vs {lead} (LU; 0 = as loud as the lead)",
        ("as recorded", "after trim, EQ and fader"),
        "LU",
    )


def _spread_labels(ys: list[float], gap: float) -> list[float]:
    """Label heights at least ``gap`` apart, each as close to its point as the others allow."""
    order = np.argsort(ys)
    want = np.asarray(ys, dtype=float)[order]
    placed = want.copy()
    for _ in range(50):  # push apart, then pull the stack back toward its points
        for i in range(1, len(placed)):
            placed[i] = max(placed[i], placed[i - 1] + gap)
        shift = float(np.mean(placed - want))
        if abs(shift) < gap * 0.05:
            break
        placed -= shift
    out = np.empty_like(placed)
    out[order] = placed
    return list(out)


def stage_picture(rows: list[LevelRow], lead: str) -> Picture:
    """The mix as a stage: left-right position (pan) against loudness relative to the lead."""
    rows = [r for r in rows if not r.muted]
    c, box = _figure(1.15 + 0.3 * max(len(rows), 8))
    ys = [r.after_lu for r in rows]
    ymin, ymax = min(ys + [-20.0]) - 3, max(ys + [0.0]) + 3
    ax = Axes(c, *box, xlim=(-1.2, 1.45), ylim=(ymin, ymax))
    gap = (ymax - ymin) * 0.06
    ax.xticks([-1, -0.5, 0, 0.5, 1], ["L 100%", "L 50%", "centre", "R 50%", "R 100%"])
    ax.yticks(_nice_ticks(ymin, ymax))
    ax.hline(0, "#444444", 0.8)
    # labels right of their points, grouped by where they sit, then pulled apart vertically
    groups: dict[int, list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(int(round(r.pan * 4)), []).append(i)
    label_y = list(ys)
    for members in groups.values():
        for i, y in zip(members, _spread_labels([ys[i] for i in members], gap), strict=True):
            label_y[i] = y
    for r in rows:
        if r.stereo and r.width > 0.01:
            lo, hi = max(-1.0, r.pan - r.width), min(1.0, r.pan + r.width)
            ax.line([lo, hi], [r.after_lu] * 2, r.colour, 6, alpha=0.3, cap="round")
    for i, r in enumerate(rows):
        ax.markers([r.pan], [r.after_lu], 8, r.colour)
        moved = abs(label_y[i] - r.after_lu) > gap * 0.3
        lx = float(ax.X(r.pan + (0.12 if moved else 0.06)))
        ly = float(ax.Y(label_y[i]))
        if moved:
            c.path([float(ax.X(r.pan)), lx - 2], [float(ax.Y(r.after_lu)), ly], "#999999", 0.6)
        c.text(lx, ly, r.name, 8.5, INK, "start", "middle")
    ax.frame()
    ax.labels(
        title="The mix as a stage", xlabel="pan, as the listener hears it", ylabel=f"loudness vs {lead} (LU)"
    )
    alt = "Pan position and loudness of every track: " + "; ".join(
        f"{r.name} pan {r.pan:+.2f}, {r.after_lu:+.1f} LU" for r in rows
    )
    return _encode(c, alt)
