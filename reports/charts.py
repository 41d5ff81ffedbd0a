"""The tertial report's charts, drawn once with reportlab's vector graphics: into the PDF, and
as SVG for the statistics page (``chart_svgs``), so the screen and the paper show the same picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, Rect, String
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


def trend_chart(summary: TertialSummary, width: float, font_size: float = 8.5) -> Drawing:
    """The stacked columns of the last six tertials. Paper: the legend beside the columns. A
    narrow screen (``font_size`` above the paper's): the legend under them, one category a line,
    and each axis label on two lines, so nothing shrinks below a readable size."""
    trend = summary.trend
    series = [c for c in trend.categories]
    narrow = font_size > 8.5
    legend_line = font_size * 1.3
    legend_h = legend_line * len(series) + 8 if narrow else 0
    plot_h = 200
    height = plot_h + 50 + legend_h + (font_size if narrow else 0)
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    legend_w = 0 if narrow else 175
    left = font_size * 3 + 6 if narrow else 40
    chart.x, chart.y = left, legend_h + 30 + (font_size if narrow else 0)
    chart.width, chart.height = width - legend_w - left - (8 if narrow else 20), plot_h
    chart.categoryAxis.style = "stacked"
    chart.data = [trend.counts[c] for c in series] or [[0] * len(trend.tertials)]
    chart.categoryAxis.categoryNames = [
        f"T{t.number}\n{t.year}" if narrow else t.short_label for t in trend.tertials
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = font_size
    chart.categoryAxis.labels.leading = font_size * 1.15
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = font_size if narrow else 8
    chart.valueAxis.labelTextFormat = lambda v: formatting.integer(int(v))
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e3e8ed")
    chart.valueAxis.strokeColor = RULE
    chart.barWidth = 14
    chart.groupSpacing = 8 if narrow else 12
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
                fontSize=font_size if narrow else 8,
                textAnchor="middle",
                fillColor=INK,
            )
        )
    legend = Legend()
    if narrow:
        legend.x, legend.y = 4, legend_h
        legend.fontSize = font_size
        legend.deltay = legend_line
        legend.dx = legend.dy = font_size * 0.8
        legend.columnMaximum = max(len(series), 1)
    else:
        legend.x, legend.y = width - legend_w + 4, height - 12
        legend.fontSize = 7.5
        legend.deltay = 11
        legend.dx = legend.dy = 7
        legend.columnMaximum = 14
    legend.alignment = "right"
    legend.fontName = FONT
    legend.boxAnchor = "nw"
    legend.dxTextSpace = 4
    # Top of the legend = top of the stack.
    legend.colorNamePairs = [
        (colors.HexColor(PALETTE[i % len(PALETTE)]), c)
        for i, c in reversed(list(enumerate(series)))
    ]
    drawing.add(legend)
    return drawing


# The page's charts: labels in SVG units, drawn about as wide as a phone's column (the page's
# SCREEN_WIDTH), so that at 360 px they show at 11 px or more and on a wide screen larger.
SCREEN_FONT = 11.5


def _wrapped(text: str, width: float, font_size: float) -> list[str]:
    """``text`` in lines no wider than ``width`` (by the font's own metrics)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and stringWidth(candidate, FONT, font_size) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines or [""]


def labelled_bars(rows: Sequence[Row], width: float, font_size: float = SCREEN_FONT) -> Drawing:
    """The bar chart for a narrow screen: each label above its bar (wrapped when long), the
    count after the bar, so a long name needs no column of its own beside the bars."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    line = font_size * 1.25
    bar_h = font_size * 0.9
    gap = font_size * 0.7
    peak = max((r.count for r in rows), default=0)
    count_w = stringWidth(formatting.integer(peak), FONT, font_size) + 6
    span = width - count_w
    labels = [_wrapped(r.label, width, font_size) for r in rows]
    height = sum(len(ls) * line + bar_h + gap for ls in labels) + 2
    drawing = Drawing(width, height)
    y = height
    for row, lines in zip(rows, labels, strict=True):
        for text in lines:
            y -= line
            drawing.add(
                String(
                    0, y + font_size * 0.3, text, fontName=FONT, fontSize=font_size, fillColor=INK
                )
            )
        y -= bar_h
        bar = span * row.count / peak if peak else 0
        drawing.add(Rect(0, y, bar, bar_h, fillColor=ACCENT, strokeColor=None))
        drawing.add(
            String(
                bar + 4,
                y + bar_h / 2 - font_size * 0.35,
                formatting.integer(row.count),
                fontName=FONT,
                fontSize=font_size,
                fillColor=INK,
            )
        )
        y -= gap
    return drawing


def chart_svgs(summary: TertialSummary, width: float = CONTENT_W) -> dict[str, str]:
    """The report's charts as SVG markup for the statistics page, from the same figures and the
    same drawing code as the PDF's; drawn for a screen's column (``width``; the bars with their
    labels above them, the trend's legend below) where that is narrower than the paper.

    The page's Content-Security-Policy allows no inline style, so reportlab's ``style``
    attributes become SVG presentation attributes (``fill="…"``), and each chart's ids get its
    name so three charts on one page do not share a clip path. The markup is hidden from screen
    readers: the page labels the figure and has the same numbers in a table.
    """
    from reportlab.graphics import renderSVG

    if width < CONTENT_W:
        drawings = {
            "trend": trend_chart(summary, width, SCREEN_FONT),
            "category": labelled_bars(summary.by_category, width),
            "direction": labelled_bars(summary.by_direction, width),
        }
    else:
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
