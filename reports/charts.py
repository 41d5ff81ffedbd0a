"""The tertial report's charts, drawn once with reportlab's vector graphics: into the PDF, and
as SVG for the statistics page (``chart_svgs``), so the screen and the paper show the same picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from reports import formatting
from reports.pdf_layout import ACCENT, BOLD, CONTENT_W, FONT, INK, PALETTE, RULE
from reports.summary import Row, TertialSummary


def bar_chart(rows: Sequence[Row], width: float, label_width: float = 62 * mm) -> Drawing:
    """Horizontal bars, one per row, the count written at the end of each bar."""
    bar_h = 16
    height = max(len(rows), 1) * bar_h + 28
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 18
    chart.width, chart.height = width - label_width - 40, height - 24
    ordered = list(reversed(rows))  # the chart draws bottom-up; the table reads top-down
    chart.data = [[r.count for r in ordered] or [0]]
    chart.categoryAxis.categoryNames = [r.label for r in ordered] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = lambda v: formatting.integer(int(v))
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e3e8ed")
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: formatting.integer(int(v))
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 8
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.barSpacing = 2
    drawing.add(chart)
    return drawing


def _nice_ceiling(value: float) -> float:
    """The next of 1, 2, 2.5, 5 x 10^n at or above value, so the axis has round steps."""
    if value <= 0:
        return 5.0
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= value:
            return float(factor * magnitude)
    return float(10 * magnitude)


def trend_chart(summary: TertialSummary, width: float) -> Drawing:
    trend = summary.trend
    height = 250
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    legend_w = 175
    chart.x, chart.y = 40, 30
    chart.width, chart.height = width - legend_w - 60, height - 50
    chart.categoryAxis.style = "stacked"
    series = [c for c in trend.categories]
    chart.data = [trend.counts[c] for c in series] or [[0] * len(trend.tertials)]
    chart.categoryAxis.categoryNames = [t.short_label for t in trend.tertials]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8.5
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = lambda v: formatting.integer(int(v))
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e3e8ed")
    chart.valueAxis.strokeColor = RULE
    chart.barWidth = 14
    chart.groupSpacing = 12
    for i, _ in enumerate(series):
        chart.bars[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
        chart.bars[i].strokeColor = colors.white
        chart.bars[i].strokeWidth = 0.3
    drawing.add(chart)
    # The total above each column: the one number a reader looks for first.
    peak = max(trend.totals, default=0)
    top = _nice_ceiling(peak * 1.12)
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = top / 5
    step = chart.width / len(trend.tertials)
    for i, total in enumerate(trend.totals):
        drawing.add(
            String(
                chart.x + step * (i + 0.5),
                chart.y + chart.height * total / top + 3,
                formatting.integer(total),
                fontName=BOLD,
                fontSize=8,
                textAnchor="middle",
                fillColor=INK,
            )
        )
    legend = Legend()
    legend.x, legend.y = width - legend_w + 4, height - 12
    legend.alignment = "right"
    legend.fontName = FONT
    legend.fontSize = 7.5
    legend.boxAnchor = "nw"
    legend.columnMaximum = 14
    legend.dxTextSpace = 4
    legend.deltay = 11
    legend.dx = legend.dy = 7
    # Top of the legend = top of the stack.
    legend.colorNamePairs = [
        (colors.HexColor(PALETTE[i % len(PALETTE)]), c)
        for i, c in reversed(list(enumerate(series)))
    ]
    drawing.add(legend)
    return drawing


def chart_svgs(summary: TertialSummary, width: float = CONTENT_W) -> dict[str, str]:
    """The report's charts as SVG text, for the statistics page: one drawing code, two media."""
    from reportlab.graphics import renderSVG

    drawings = {
        "trend": trend_chart(summary, width),
        "category": bar_chart(summary.by_category, width),
        "direction": bar_chart(summary.by_direction, width),
    }
    result = {}
    for name, drawing in drawings.items():
        svg = renderSVG.drawToString(drawing)
        # The browser has no "AvvikSans": name the generic family it falls back to anyway.
        svg = svg.replace(f"font-family: {BOLD}", "font-family: sans-serif; font-weight: bold")
        svg = svg.replace(f"font-family: {FONT}", "font-family: sans-serif")
        result[name] = svg[svg.index("<svg") :]
    return result
