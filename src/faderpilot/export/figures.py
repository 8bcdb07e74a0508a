"""The report's pictures, drawn with matplotlib (Agg) from the session document alone.

Every function takes session data (never audio) and returns a :class:`Picture`: the image as a
``data:`` URI plus its alt text, so the report stays one file that opens from disk. Figures are
built on ``matplotlib.figure.Figure`` directly (no pyplot state), so drawing is re-entrant.

Example
-------
>>> from faderpilot.export.figures import compressor_picture
>>> pic = compressor_picture("Vox", "#c04fc0", {"threshold_db": -20.0, "ratio": 3.0, "makeup_db": 2.0})
>>> pic.uri.startswith("data:image/")
True
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator
from matplotlib.transforms import blended_transform_factory

from ..render.filters import FILTER_KINDS, HALF_THIRD, chain_band_response_db, chain_response_db
from ..render.plan import band_levels

#: Image format of the embedded pictures: "png" renders identically in every browser and on
#: every machine (no font substitution); PNG_DPI keeps text sharp on high-density screens.
FORMAT = "png"
PNG_DPI = 130
#: Width (inches) of every picture: two sit side by side on a laptop screen.
WIDTH = 5.6

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.edgecolor": "#888888",
    "axes.grid": True,
    "grid.color": "#e4e4e4",
    "grid.linewidth": 0.6,
    "svg.fonttype": "path",
    "svg.hashsalt": "faderpilot",
    "axes.titley": 1.0,  # a fixed title position: automatic placement costs a layout pass
    "axes.titlepad": 5.0,
}

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


def _encode(fig: Figure, alt: str) -> Picture:
    buf = io.BytesIO()
    if FORMAT == "svg":
        fig.savefig(buf, format="svg", metadata={"Date": None})
        mime = "image/svg+xml"
    else:
        fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
        mime = "image/png"
    return Picture(f"data:{mime};base64,{base64.b64encode(buf.getvalue()).decode('ascii')}", alt)


def _figure(
    h: float,
    left: float = 0.66,
    right: float = 0.15,
    top: float = 0.3,
    bottom: float = 0.5,
    legend_rows: int = 0,
) -> Figure:
    """A WIDTH x h inch figure with fixed margins in inches (a layout engine costs twice the drawing)."""
    fig = Figure(figsize=(WIDTH, h))
    left = min(left, 0.45 * WIDTH)  # a very long track name is cut at the edge, not an error
    bottom += 0.2 * legend_rows + (0.08 if legend_rows else 0.0)
    fig.subplots_adjust(left=left / WIDTH, right=1 - right / WIDTH, bottom=bottom / h, top=1 - top / h)
    return fig


def _freq_axis(ax, fmax: float, regions: bool = True) -> None:
    ax.set_xscale("log")
    ax.set_xlim(20, fmax)
    ax.xaxis.set_major_locator(FixedLocator([t for t in FREQ_TICKS if t <= fmax]))
    ax.xaxis.set_major_formatter(FuncFormatter(_tick_hz))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("frequency (Hz)")
    if not regions:
        return
    tr = blended_transform_factory(ax.transData, ax.transAxes)
    for i, (lo, hi, name) in enumerate(REGIONS):
        if lo >= fmax:
            break
        hi = min(hi, fmax)
        if i % 2 == 0:
            ax.axvspan(lo, hi, color="#f3f3f3", zorder=0, lw=0)
        ax.text(
            np.sqrt(lo * hi), 0.985, name, transform=tr, ha="center", va="top", fontsize=7, color="#8a8a8a"
        )


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


def _legend_below(fig: Figure, handles: list, ncol: int) -> None:
    fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.01),
        ncol=ncol,
        handlelength=1.8,
        columnspacing=1.2,
        borderaxespad=0.2,
    )


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
    with rc_context(STYLE):
        fig = _figure(3.6, right=0.62 if filters else 0.15, legend_rows=2 if filters else 1)
        ax = fig.add_subplot()
        _freq_axis(ax, fmax)
        top = float(max(lv.max(), after.max()))
        ax.set_ylim(top - 66, top + 18)
        ax.set_ylabel("level per third-octave (dB)")
        handles = []
        if filters:
            ax.plot(fc, lv, color=BEFORE, ls="--", lw=1.3, marker="o", ms=2.5, zorder=3)
            ax.plot(fc, after, color=colour, lw=2.2, marker="o", ms=3, zorder=4)
            cut = after < lv - 0.05
            ax.fill_between(fc, after, lv, where=cut, interpolate=True, color=CUT, alpha=0.2, lw=0)
            boost = after > lv + 0.05
            ax.fill_between(fc, after, lv, where=boost, interpolate=True, color=BOOST, alpha=0.2, lw=0)
            handles += [
                Line2D([], [], color=BEFORE, ls="--", lw=1.3, label="as recorded"),
                Line2D([], [], color=colour, lw=2.2, label="after its EQ"),
                Line2D([], [], color=EQ_CURVE, lw=2.0, label="EQ curve (right scale)"),
                Patch(color=CUT, alpha=0.35, label="removed by the EQ"),
            ]
            if np.any(boost):
                handles.append(Patch(color=BOOST, alpha=0.35, label="added by the EQ"))
            f = np.geomspace(20, fmax * 0.999, 500)
            curve = chain_response_db(filters, f, sr)
            lo = -36.0 if curve.min() < -24 else -24.0
            hi = max(6.0, float(np.ceil(curve.max() / 6) * 6) + 6)
            ax2 = ax.twinx()
            ax2.set_ylim(lo - (hi - lo) * 0.5, hi)  # the curve lives in the upper part of the plot
            ax2.plot(f, np.maximum(curve, lo), color=EQ_CURVE, lw=2.0, zorder=5)
            ax2.axhline(0, color=EQ_CURVE, lw=0.7, ls=":", alpha=0.8)
            ax2.set_yticks([t for t in np.arange(lo, hi + 1, 12 if hi - lo > 30 else 6) if t <= hi])
            ax2.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:+g}" if v else "0"))
            ax2.set_ylabel("EQ gain (dB)", color=EQ_CURVE)
            ax2.tick_params(axis="y", colors=EQ_CURVE)
            ax2.grid(False)
            ax2.spines["right"].set_color(EQ_CURVE)
            for p in filters:
                f0, text = _filter_label(p)
                x0 = min(f0, fmax * 0.99)
                y = float(np.maximum(chain_response_db(filters, np.array([x0]), sr)[0], lo))
                ax2.annotate(
                    text,
                    (x0, y),
                    xytext=(5, -13 if y < -1 else 7),
                    textcoords="offset points",
                    ha="right" if x0 > 3000 else "left",
                    fontsize=8,
                    color=EQ_CURVE,
                    fontweight="bold",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
                )
            title = f"{name}: spectrum before and after EQ"
            alt = (
                f"Long-term spectrum of {name} as recorded and after its EQ, with the EQ curve: "
                + ", ".join(_filter_label(p)[1] for p in filters)
            )
        else:
            ax.plot(fc, lv, color=colour, lw=2.2, marker="o", ms=3)
            handles.append(Line2D([], [], color=colour, lw=2.2, label="as recorded (no EQ on this track)"))
            title = f"{name}: spectrum (no EQ)"
            alt = f"Long-term spectrum of {name}; the assistant put no EQ on it"
        ax.set_title(title, loc="left")
        _legend_below(fig, handles, 3 if len(handles) > 2 else len(handles))
        return _encode(fig, alt)


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
    with rc_context(STYLE):
        fig = _figure(3.6, legend_rows=2)
        ax = fig.add_subplot()
        _freq_axis(ax, fmax)
        ax.axvspan(freq_hz / HALF_THIRD, freq_hz * HALF_THIRD, color="#ffd9a8", alpha=0.9, zorder=1, lw=0)
        ax.plot(fc[keep], lv[keep], color=masked_colour, lw=2.4, marker="o", ms=3, zorder=4)
        ax.plot(fc2[keep2], before[keep2], color=masker_colour, lw=1.4, ls="--", zorder=3)
        ax.plot(fc2[keep2], masker_after[keep2], color=masker_colour, lw=2.0, zorder=3)
        top = float(max(lv[keep].max(), before[keep2].max()))
        ax.set_ylim(top - 50, top + 8)
        ax.set_ylabel("level in the mix (dB)")
        ax.set_title(f"{masker} makes room for {masked} at {hz(freq_hz)}", loc="left")
        _legend_below(
            fig,
            [
                Line2D([], [], color=masked_colour, lw=2.4, label=f"{masked} (protected)"),
                Line2D([], [], color=masker_colour, lw=1.4, ls="--", label=f"{masker} before the cut"),
                Line2D([], [], color=masker_colour, lw=2.0, label=f"{masker} after the cut"),
                Patch(color="#ffd9a8", label=f"contested band, cut {abs(gain_db):g} dB"),
            ],
            2,
        )
        alt = (
            f"Spectra of {masked} and {masker} in the mix; {masker} is cut {abs(gain_db):g} dB in the "
            f"contested band at {hz(freq_hz)}"
        )
        return _encode(fig, alt)


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
    x = np.linspace(lo, hi, 400)
    slope = 1 - 1 / ratio

    def out(v: float) -> float:
        return v - max(v - thr, 0.0) * slope + makeup

    with rc_context(STYLE):
        fig = _figure(4.3 if p is not None else 3.3)
        if p is not None:
            ax, axd = fig.subplots(2, 1, sharex=True, height_ratios=[2.2, 1])
            fig.subplots_adjust(hspace=0.12)
        else:
            ax, axd = fig.add_subplot(), None
        ax.plot(x, x, color=BEFORE, ls="--", lw=1.1)
        ax.plot(x, [out(v) for v in x], color=colour, lw=2.4)
        ax.axvline(thr, color=EQ_CURVE, lw=1.0, ls=":")
        ax.text(
            thr,
            0.5,
            "threshold ",
            transform=blended_transform_factory(ax.transData, ax.transAxes),
            rotation=90,
            ha="right",
            va="center",
            color=EQ_CURVE,
            fontsize=8,
            fontweight="bold",
        )
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, max(hi, out(hi)) + 2)
        ax.set_ylabel("output level (dB)")
        ax.set_title(f"{name}: compressor {ratio:g}:1 above {thr:g} dB", loc="left")
        handles = [
            Line2D([], [], color=BEFORE, ls="--", lw=1.1, label="untouched (out = in)"),
            Line2D([], [], color=colour, lw=2.4, label=f"with the compressor (makeup {makeup:+g} dB)"),
        ]
        alt = (
            f"Transfer curve of the compressor on {name}: {ratio:g}:1 above {thr:g} dB, makeup {makeup:+g} dB"
        )
        if p is not None:
            peaks, body = float(p[99]), float(p[50])
            red = max(peaks - thr, 0.0) * slope
            ax.plot([peaks], [out(peaks)], "o", color=colour, ms=6, zorder=5)
            ax.plot([body], [out(body)], "s", color=colour, ms=6, zorder=5)
            ax.text(
                0.98,
                0.05,
                f"■ body (median level) {body:.0f} dB: turned down {max(body - thr, 0) * slope:.1f} dB\n"
                f"● peaks (99th percentile) {peaks:.0f} dB: turned down {red:.1f} dB\n"
                f"then everything comes up {makeup:g} dB (makeup)",
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=8,
                linespacing=1.5,
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#dddddd"},
            )
            edges = np.arange(lo, hi + 1.0, 1.0)
            dens = _density(p, edges) * 100
            mids = (edges[:-1] + edges[1:]) / 2
            over = mids > thr
            axd.bar(mids[~over], dens[~over], width=1.0, color=BEFORE, alpha=0.55, lw=0)
            axd.bar(mids[over], dens[over], width=1.0, color=EQ_CURVE, alpha=0.85, lw=0)
            share = float(1 - np.interp(thr, p + np.arange(101) * 1e-6, np.linspace(0, 1, 101)))
            axd.axvline(thr, color=EQ_CURVE, lw=1.0, ls=":")
            axd.set_ylabel("% of time")
            axd.set_xlabel("input level: 50 ms average while playing (dBFS, after trim)")
            axd.text(
                0.02,
                0.9,
                f"above the threshold {share:.0%} of the time",
                transform=axd.transAxes,
                ha="left",
                va="top",
                fontsize=8,
                color="#a05a00",
            )
            alt += f"; above the threshold {share:.0%} of its playing time"
        else:
            ax.set_xlabel("input level (dB)")
        ax.legend(handles=handles, loc="upper left")
        return _encode(fig, alt)


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
    with rc_context(STYLE):
        longest = max((len(x) for x in names), default=4)
        fig = _figure(0.95 + 0.3 * n, left=0.3 + 0.075 * longest, right=0.25, legend_rows=1)
        ax = fig.add_subplot()
        yy = np.arange(n)[::-1]
        for y, c, b, a in zip(yy, colours, before, after, strict=True):
            ax.annotate(
                "",
                (a, y),
                (b, y),
                arrowprops={"arrowstyle": "->", "color": "#b0b0b0", "lw": 1.0, "shrinkA": 4, "shrinkB": 5},
            )
            ax.plot([b], [y], "o", mfc="white", mec=BEFORE, ms=6, mew=1.3)
            ax.plot([a], [y], "o", color=c, ms=8)
            left = a <= b
            ax.annotate(
                f"{a:+.1f}",
                (a, y),
                xytext=(-7 if left else 7, 0),
                textcoords="offset points",
                ha="right" if left else "left",
                va="center",
                fontsize=7.5,
            )
        ax.axvline(0, color="#444444", lw=0.9)
        ax.set_yticks(yy, names)
        ax.set_ylim(-0.7, n - 0.3)
        vals = [*before, *after]
        ax.set_xlim(min([*vals, -20.0]) - 5, max([*vals, 3.0]) + 3)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(xlabel)
        ax.set_title(title, loc="left")
        _legend_below(
            fig,
            [
                Line2D([], [], ls="", marker="o", mfc="white", mec=BEFORE, ms=6, label=labels[0]),
                Line2D([], [], ls="", marker="o", color="#555555", ms=8, label=labels[1]),
            ],
            2,
        )
        alt = f"{title}: " + "; ".join(
            f"{x} {b:+.1f} to {a:+.1f} {unit}" for x, b, a in zip(names, before, after, strict=True)
        )
        return _encode(fig, alt)


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
    with rc_context(STYLE):
        fig = _figure(1.15 + 0.3 * max(len(rows), 8))
        ax = fig.add_subplot()
        ys = [r.after_lu for r in rows]
        ymin, ymax = min(ys + [-20.0]) - 3, max(ys + [0.0]) + 3
        ax.set_ylim(ymin, ymax)
        ax.set_xlim(-1.2, 1.45)
        gap = (ymax - ymin) * 0.06
        # labels right of their points, grouped by where they sit, then pulled apart vertically
        groups: dict[int, list[int]] = {}
        for i, r in enumerate(rows):
            groups.setdefault(int(round(r.pan * 4)), []).append(i)
        label_y = list(ys)
        for members in groups.values():
            for i, y in zip(members, _spread_labels([ys[i] for i in members], gap), strict=True):
                label_y[i] = y
        for i, r in enumerate(rows):
            if r.stereo and r.width > 0.01:
                lo, hi = max(-1.0, r.pan - r.width), min(1.0, r.pan + r.width)
                ax.plot([lo, hi], [r.after_lu] * 2, color=r.colour, lw=6, alpha=0.3, solid_capstyle="round")
            ax.plot([r.pan], [r.after_lu], "o", color=r.colour, ms=8, zorder=4)
            moved = abs(label_y[i] - r.after_lu) > gap * 0.3
            ax.annotate(
                r.name,
                (r.pan, r.after_lu),
                xytext=(r.pan + (0.12 if moved else 0.06), label_y[i]),
                textcoords="data",
                va="center",
                fontsize=8.5,
                zorder=5,
                arrowprops={"arrowstyle": "-", "color": "#999999", "lw": 0.6, "shrinkA": 0, "shrinkB": 4}
                if moved
                else None,
            )
        ax.axhline(0, color="#444444", lw=0.8)
        ax.set_xticks([-1, -0.5, 0, 0.5, 1], ["L 100%", "L 50%", "centre", "R 50%", "R 100%"])
        ax.set_xlabel("pan, as the listener hears it")
        ax.set_ylabel(f"loudness vs {lead} (LU)")
        ax.set_title("The mix as a stage", loc="left")
        alt = "Pan position and loudness of every track: " + "; ".join(
            f"{r.name} pan {r.pan:+.2f}, {r.after_lu:+.1f} LU" for r in rows
        )
        return _encode(fig, alt)
