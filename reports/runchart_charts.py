"""*Endring over tid*'s charts, drawn once with reportlab's shapes: into the tertial PDF, and as
SVG for the page (``change_svgs``), as reports/charts.py does for the tertial's charts.

Every chart says its signal twice, by colour and by shape (a larger ring around each point of a
signal), so a grey printout and a colour-blind reader see it too. The page gets each chart at
two sizes: a narrow one with fewer, larger labels for a phone, and a wide one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors

from reports.charts import _nice_ceiling, inline_svg
from reports.i18n import NORWEGIAN, Language
from reports.pdf_layout import ACCENT, BOLD, CONTENT_W, FONT, INK, MUTED, RULE
from reports.runchart import ChangeOverTime, ParetoBar, PChart, RunChart, month_short

SIGNAL = colors.HexColor("#b93a00")  # 5.6:1 on white; dark enough to read in grey, too
GRID = colors.HexColor("#e3e8ed")
BASELINE_BG = colors.HexColor("#eef3f8")
MINOR = colors.HexColor("#9db4cc")


@dataclass(frozen=True)
class Size:
    width: float
    height: float
    font: float
    max_labels: int  # month labels on the axis at most


PDF = Size(CONTENT_W, 140, 8, 12)
WIDE = Size(1000, 380, 13, 18)
NARROW = Size(340, 280, 12, 6)


def _label_step(count: int, size: Size) -> int:
    for step in (1, 2, 3, 4, 6, 12, 24):
        if math.ceil(count / step) <= size.max_labels:
            return step
    return 24


class _Frame:
    """The plotting area: months across, a value scale up."""

    def __init__(self, drawing: Drawing, size: Size, count: int, low: float, high: float):
        self.left, self.bottom = size.font * 4.2, size.font * 2.6
        self.right = size.width - size.font
        # Room for the legend: on two lines on a phone.
        self.top = size.height - size.font * (2.6 if size.width >= 450 else 3.8)
        self.count, self.low, self.high = max(count, 1), low, high
        self.drawing, self.size = drawing, size

    def x(self, index: float) -> float:
        return self.left + (index + 0.5) * (self.right - self.left) / self.count

    def slot(self) -> float:
        return (self.right - self.left) / self.count

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1
        return self.bottom + (value - self.low) / span * (self.top - self.bottom)

    def grid(self, ticks: Sequence[float], label) -> None:
        d, f = self.drawing, self.size.font
        for tick in ticks:
            y = self.y(tick)
            d.add(Line(self.left, y, self.right, y, strokeColor=GRID, strokeWidth=0.6))
            d.add(
                String(self.left - 4, y - f / 3, label(tick), fontName=FONT, fontSize=f * 0.9,
                       textAnchor="end", fillColor=MUTED)
            )  # fmt: skip
        d.add(Line(self.left, self.bottom, self.right, self.bottom, strokeColor=RULE))

    def months(self, months: Sequence, language: Language) -> None:
        step = _label_step(len(months), self.size)
        f = self.size.font
        for i, month in enumerate(months):
            if i % step:
                continue
            x = self.x(i)
            self.drawing.add(Line(x, self.bottom, x, self.bottom - 3, strokeColor=RULE))
            self.drawing.add(
                String(x, self.bottom - f * 1.3, month_short(month, language), fontName=FONT,
                       fontSize=f * 0.9, textAnchor="middle", fillColor=INK)
            )  # fmt: skip


def _legend(drawing: Drawing, size: Size, items: Sequence[tuple[str, str, object]]) -> None:
    """A row of keys at the top: (kind, text, colour); kind 'line', 'dash', 'ring' or 'box'."""
    f = size.font
    x, y = size.font * 4.2, size.height - f * 1.2
    for kind, text, colour in items:
        needed = 28 + len(text) * f * 0.5
        if x + needed > size.width and x > size.font * 4.2:
            x, y = size.font * 4.2, y - f * 1.25
        if kind in ("line", "dash"):
            drawing.add(
                Line(x, y + f / 3, x + 16, y + f / 3, strokeColor=colour, strokeWidth=1.6,
                     strokeDashArray=[4, 3] if kind == "dash" else None)
            )  # fmt: skip
        elif kind == "ring":
            drawing.add(Circle(x + 8, y + f / 3, f * 0.45, fillColor=None, strokeColor=colour,
                               strokeWidth=1.6))  # fmt: skip
        else:
            drawing.add(Rect(x + 2, y, 12, f * 0.75, fillColor=colour, strokeColor=None))
        drawing.add(String(x + 20, y, text, fontName=FONT, fontSize=f * 0.9, fillColor=INK))
        x += needed


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    step = (high - low) / count
    return [low + step * i for i in range(count + 1)]


def _share_ticks(low: float) -> list[float]:
    step = 0.1 if 1 - low <= 0.6 else 0.2
    ticks, value = [], 1.0
    while value >= low - 1e-9:
        ticks.append(round(value, 2))
        value -= step
    return ticks


def _line(frame: _Frame, points: Sequence[tuple[int, float]], colour, width: float) -> None:
    flat = [c for i, v in points for c in (frame.x(i), frame.y(v))]
    if len(flat) >= 4:
        frame.drawing.add(PolyLine(flat, strokeColor=colour, strokeWidth=width, strokeLineJoin=1))


def _centre(frame: _Frame, value: float, baseline: int, colour) -> None:
    """Solid over the baseline it was computed from, dashed where it is carried on."""
    d, y = frame.drawing, frame.y(value)
    left, split = frame.left, frame.left + baseline * frame.slot()
    d.add(Line(left, y, split, y, strokeColor=colour, strokeWidth=1.4))
    if split < frame.right:
        d.add(Line(split, y, frame.right, y, strokeColor=colour, strokeWidth=1.4,
                   strokeDashArray=[5, 3]))  # fmt: skip


def _baseline_band(frame: _Frame, baseline: int, text: str) -> None:
    width = baseline * frame.slot()
    frame.drawing.add(
        Rect(frame.left, frame.bottom, width, frame.top - frame.bottom, fillColor=BASELINE_BG,
             strokeColor=None)
    )  # fmt: skip
    frame.drawing.add(
        String(frame.left + 3, frame.top - frame.size.font, text, fontName=FONT,
               fontSize=frame.size.font * 0.85, fillColor=MUTED)
    )  # fmt: skip


def _marked(rules, outside: Sequence[int] = ()) -> set[int]:
    marked = set(outside)
    if rules is not None:
        for run in rules.long_runs:
            marked.update(range(run.start, run.end + 1))
    return marked


def run_chart_drawing(chart: RunChart, size: Size = PDF, language: Language = NORWEGIAN) -> Drawing:
    _, fmt = language.gettext, language.numbers
    d = Drawing(size.width, size.height)
    high = _nice_ceiling(max([*chart.counts, chart.centre, 1]) * 1.1)
    frame = _Frame(d, size, len(chart.counts), 0, high)
    _baseline_band(frame, chart.baseline, _("Grunnlinje"))
    frame.grid(_ticks(0, high), lambda v: fmt.integer(round(v)))
    frame.months(chart.months, language)
    signal = chart.rules is not None and chart.rules.signal
    _centre(frame, chart.centre, chart.baseline, SIGNAL if signal else MUTED)
    _line(frame, list(enumerate(chart.counts)), ACCENT, 1.3)
    marked = _marked(chart.rules)
    if chart.rules is not None:
        for run in chart.rules.long_runs:
            _line(frame, [(i, chart.counts[i]) for i in range(run.start, run.end + 1)], SIGNAL, 2.6)
    r = size.font * 0.22
    for i, v in enumerate(chart.counts):
        d.add(Circle(frame.x(i), frame.y(v), r, fillColor=SIGNAL if i in marked else ACCENT,
                     strokeColor=None))  # fmt: skip
        if i in marked:
            d.add(Circle(frame.x(i), frame.y(v), r * 2.2, fillColor=None, strokeColor=SIGNAL,
                         strokeWidth=1.1))  # fmt: skip
    _legend(
        d,
        size,
        [
            ("line", _("Avvik per måned"), ACCENT),
            ("dash", _("Median"), SIGNAL if signal else MUTED),
            ("ring", _("Signal"), SIGNAL),
        ],
    )
    return d


def p_chart_drawing(chart: PChart, size: Size = PDF, language: Language = NORWEGIAN) -> Drawing:
    _, fmt = language.gettext, language.numbers
    d = Drawing(size.width, size.height)
    seen = [v for v in (*chart.shares, *chart.lower) if v is not None]
    low = max(0.0, math.floor(min(seen, default=0.0) * 10) / 10) if seen else 0.0
    low = 1.0 - math.ceil(round((1.0 - low) / 0.2, 6)) * 0.2 if 1 - low > 0.6 else low
    frame = _Frame(d, size, len(chart.months), low, 1.0)
    _baseline_band(frame, chart.baseline, _("Grunnlinje"))
    frame.grid(_share_ticks(low), lambda v: fmt.percent(v, 0))
    frame.months(chart.months, language)
    half = frame.slot() / 2
    for i, (lo, hi) in enumerate(zip(chart.lower, chart.upper, strict=True)):
        if lo is None or hi is None:
            continue
        for limit in (lo, hi):
            if limit >= low:
                d.add(Line(frame.x(i) - half, frame.y(limit), frame.x(i) + half, frame.y(limit),
                           strokeColor=MUTED, strokeWidth=0.9, strokeDashArray=[2, 2]))  # fmt: skip
    signal = bool(chart.outside) or (chart.rules is not None and chart.rules.signal)
    if chart.centre is not None:
        _centre(frame, chart.centre, chart.baseline, SIGNAL if signal else MUTED)
    points = [(i, s) for i, s in enumerate(chart.shares) if s is not None]
    _line(frame, points, ACCENT, 1.3)
    marked = _marked(chart.rules, chart.outside)
    r = size.font * 0.22
    for i, s in points:
        d.add(Circle(frame.x(i), frame.y(s), r, fillColor=SIGNAL if i in marked else ACCENT,
                     strokeColor=None))  # fmt: skip
        if i in marked:
            d.add(Circle(frame.x(i), frame.y(s), r * 2.2, fillColor=None, strokeColor=SIGNAL,
                         strokeWidth=1.1))  # fmt: skip
    _legend(
        d,
        size,
        [
            ("line", _("Andel besvart innen fristen"), ACCENT),
            ("line", _("Senterlinje"), SIGNAL if signal else MUTED),
            ("dash", _("Kontrollgrenser"), MUTED),
            ("ring", _("Signal"), SIGNAL),
        ],
    )
    return d


def pareto_drawing(
    bars: Sequence[ParetoBar], size: Size = PDF, language: Language = NORWEGIAN
) -> Drawing:
    """Horizontal: each category's share of all as a bar, and the cumulative share as a line on
    the same 0–100 % scale, with the 80 % mark. Labels go beside the bars where the width
    allows (paper, a wide screen), above them on a phone."""
    _, fmt = language.gettext, language.numbers
    f = size.font
    beside = size.width >= 450
    row = f * (1.6 if beside else 2.7)
    top_axis = f * 2.6
    height = top_axis + row * max(len(bars), 1) + f * 0.5
    d = Drawing(size.width, height)
    left = size.width * 0.36 if beside else f * 1.4
    right = size.width - f * 5.5

    def x(share: float) -> float:
        return left + share * (right - left)

    axis_y = height - f * 1.2
    bottom = f * 0.5
    for tick in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        d.add(Line(x(tick), bottom, x(tick), axis_y - f * 0.6, strokeColor=GRID, strokeWidth=0.6))
        d.add(String(x(tick), axis_y, fmt.percent(tick, 0), fontName=FONT, fontSize=f * 0.85,
                     textAnchor="middle", fillColor=MUTED))  # fmt: skip
    d.add(Line(x(0.8), bottom, x(0.8), axis_y - f * 0.6, strokeColor=SIGNAL, strokeWidth=1,
               strokeDashArray=[4, 3]))  # fmt: skip
    cumulative = []
    for i, bar in enumerate(bars):
        y = height - top_axis - (i + 1) * row  # the row's bottom
        bar_y, bar_h = y + f * 0.3, f * 0.8
        font = BOLD if bar.vital else FONT
        if beside:
            d.add(String(left - 4, bar_y + f * 0.1, bar.label, fontName=font, fontSize=f * 0.9,
                         fillColor=INK, textAnchor="end"))  # fmt: skip
            label_y = bar_y + f * 0.1
        else:
            label_y = y + row - f * 1.05
            d.add(String(f * 0.3, label_y, bar.label, fontName=font, fontSize=f * 0.9,
                         fillColor=INK))  # fmt: skip
        d.add(String(size.width - 2, label_y,
                     _("kum. %(share)s") % {"share": fmt.percent(bar.cumulative, 0)},
                     fontName=FONT, fontSize=f * 0.8, fillColor=SIGNAL, textAnchor="end"))  # fmt: skip
        d.add(Rect(left, bar_y, max(x(bar.share) - left, 0.5), bar_h,
                   fillColor=ACCENT if bar.vital else MINOR, strokeColor=None))  # fmt: skip
        d.add(String(x(bar.share) + 3, bar_y + f * 0.1,
                     f"{fmt.integer(bar.count)} ({fmt.percent(bar.share, 0)})", fontName=FONT,
                     fontSize=f * 0.85, fillColor=INK))  # fmt: skip
        cumulative.append((x(bar.cumulative), bar_y + bar_h / 2))
    flat = [c for point in cumulative for c in point]
    if len(flat) >= 4:
        d.add(PolyLine(flat, strokeColor=SIGNAL, strokeWidth=1.2))
    for px, py in cumulative:
        d.add(Circle(px, py, f * 0.22, fillColor=SIGNAL, strokeColor=None))
    return d


def change_svgs(change: ChangeOverTime, language: Language = NORWEGIAN) -> dict[str, str]:
    """Each chart as SVG markup for the page, at a phone's size and a wide one."""
    from reportlab.graphics import renderSVG

    drawings = {}
    for suffix, size in (("narrow", NARROW), ("wide", WIDE)):
        drawings[f"run_{suffix}"] = run_chart_drawing(change.run, size, language)
        drawings[f"p_{suffix}"] = p_chart_drawing(change.p, size, language)
        drawings[f"pareto_{suffix}"] = pareto_drawing(change.pareto, size, language)
    return {name: inline_svg(renderSVG.drawToString(d), name) for name, d in drawings.items()}
