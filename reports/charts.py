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
from reports.rows import Row
from reports.summary import TertialSummary


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
    """The report's charts as SVG markup for the statistics page, one drawing code, two media.

    The page's Content-Security-Policy allows no inline style, so reportlab's ``style``
    attributes become SVG presentation attributes (``fill="…"``), and each chart's ids get its
    name so three charts on one page do not share a clip path. The markup is hidden from screen
    readers: the page labels the figure and has the same numbers in a table.
    """
    from reportlab.graphics import renderSVG

    drawings = {
        "trend": trend_chart(summary, width),
        "category": bar_chart(summary.by_category, width),
        "direction": bar_chart(summary.by_direction, width),
    }
    return {name: inline_svg(renderSVG.drawToString(d), name) for name, d in drawings.items()}


_SVG = "http://www.w3.org/2000/svg"
_FONTS = {FONT: "sans-serif", BOLD: "sans-serif"}


def inline_svg(svg: str, name: str) -> str:
    """reportlab's SVG document as markup to put in a page without inline style."""
    from xml.etree import ElementTree

    ElementTree.register_namespace("", _SVG)
    ElementTree.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ElementTree.fromstring(svg[svg.index("<svg") :])
    for element in list(root):
        if element.tag in (f"{{{_SVG}}}title", f"{{{_SVG}}}desc"):
            root.remove(element)  # reportlab writes "..." there
    ids = {}
    for element in root.iter():
        if "id" in element.attrib:
            ids[element.attrib["id"]] = f"chart-{name}-{element.attrib['id']}"
            element.set("id", ids[element.attrib["id"]])
    for element in root.iter():
        style = element.attrib.pop("style", None)
        for declaration in (style or "").split(";"):
            prop, _, value = declaration.partition(":")
            prop, value = prop.strip(), value.strip()
            if not prop:
                continue
            if prop == "font-family" and value in _FONTS:
                if value == BOLD:
                    element.set("font-weight", "bold")
                value = _FONTS[value]
            for old, new in ids.items():
                value = value.replace(f"url(#{old})", f"url(#{new})")
            element.set(prop, value)
    root.set("aria-hidden", "true")
    root.set("focusable", "false")
    return ElementTree.tostring(root, encoding="unicode")
