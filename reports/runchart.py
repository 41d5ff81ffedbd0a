"""Signal or noise: run charts with Anhøj's rules, a P-chart and a Pareto (*Endring over tid*).

pandas does the series: counts per month with empty months as zero, the baseline's median, the
shares per month. The rules are Anhøj's, counted exactly as the qicharts2 reference
implementation (``runs.analysis``) counts them:

- a point on the centre line is not *useful*: it neither breaks nor extends a run;
- a *run* is a sequence of useful points on the same side of the centre line;
- unusually long run: the longest run ``> round(log2(n_useful)) + 3`` (Schilling 2012);
- unusually few crossings: the crossings ``< qbinom(0.05, n_useful - 1, 0.5)`` (Chen 2010).

Anhøj & Olesen, *Run charts revisited*, PLoS ONE 9(11): e113825, 2014.

Plain data in, plain data out: no Flask, and no words but N_-marked msgids (``describe``
translates them with the caller's language). pandas is imported by this module only, and this
module only by the pages, the PDF and the command that draw these charts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

# The months and the rules live in reports/anhoej.py; the page's callers take them from here.
from reports.anhoej import (  # noqa: F401
    MIN_POINTS,
    TOO_FEW,
    Rules,
    Signal,
    add_months,
    anhoej,
    crossings_limit,
    describe,
    longest_run_limit,
    month_code,
    month_label,
    month_range,
    month_short,
    month_start_utc,
    parse_month,
    signals,
)

DEFAULT_BASELINE = 12
PARETO_SHARE = 0.8


# --- the series ----------------------------------------------------------------------------------


def counts_frame(
    rows: Iterable[tuple[date, str, str, int]], months: Sequence[date], categories: Sequence[str]
) -> pd.DataFrame:
    """Counts per month × category × direction (long form), every month present.

    ``rows`` are (month, direction, category, count) as the database grouped them; months and
    combinations without a deviation are simply absent there, and come back here as zeros for
    the month (the series) but not as rows for every empty combination.
    """
    frame = pd.DataFrame(list(rows), columns=["month", "direction", "category", "count"])
    frame = frame[frame["count"] > 0]
    frame = frame.groupby(["month", "direction", "category"], as_index=False)["count"].sum()
    order = {c: i for i, c in enumerate(categories)}
    frame["_order"] = frame["category"].map(order).fillna(len(order))
    frame = frame.sort_values(["month", "direction", "_order", "category"]).drop(columns="_order")
    frame = frame[frame["month"].isin(set(months))]
    return frame.reset_index(drop=True)


def monthly(
    frame: pd.DataFrame,
    months: Sequence[date],
    direction: str | None = None,
    category: str | None = None,
) -> pd.Series:
    """One count per month for the chosen direction and category (None: all), zeros filled."""
    selected = frame
    if direction is not None:
        selected = selected[selected["direction"] == direction]
    if category is not None:
        selected = selected[selected["category"] == category]
    series = selected.groupby("month")["count"].sum()
    return series.reindex(list(months), fill_value=0).astype(int)


@dataclass(frozen=True)
class RunChart:
    months: list[date]
    counts: list[int]
    centre: float  # the baseline's median
    baseline: int  # the first this many months make the centre line
    rules: Rules | None  # None with fewer than MIN_POINTS months or no useful point

    @property
    def total(self) -> int:
        return sum(self.counts)


def run_chart(series: pd.Series, baseline: int = DEFAULT_BASELINE) -> RunChart:
    """The run chart of a monthly series: the median of its first ``baseline`` months."""
    baseline = max(1, min(baseline, len(series)))
    centre = float(series.iloc[:baseline].median()) if len(series) else 0.0
    values = [int(v) for v in series.tolist()]
    rules = anhoej(values, centre) if len(values) >= MIN_POINTS else None
    return RunChart(list(series.index), values, centre, baseline, rules)


@dataclass(frozen=True)
class PChart:
    """Share answered within the deadline per month: p̄ from the baseline's months, limits
    p̄ ± 3·sqrt(p̄(1 − p̄)/n_i) per month, so they widen in small months."""

    months: list[date]
    answered: list[int]  # n_i: cases answered (or rejected) in the month
    within: list[int]  # x_i: of those, answered within the deadline
    shares: list[float | None]  # None in a month with no answer
    centre: float | None
    lower: list[float | None]
    upper: list[float | None]
    outside: list[int]  # indexes of the points outside the limits
    baseline: int
    rules: Rules | None


def p_chart(answered: pd.Series, within: pd.Series, baseline: int = DEFAULT_BASELINE) -> PChart:
    frame = pd.DataFrame({"n": answered, "x": within}).fillna(0).astype(int)
    baseline = max(1, min(baseline, len(frame)))
    base = frame.iloc[:baseline]
    centre = float(base["x"].sum() / base["n"].sum()) if base["n"].sum() else None
    share = frame["x"] / frame["n"].where(frame["n"] > 0)
    if centre is None:
        lower = upper = pd.Series([float("nan")] * len(frame), index=frame.index)
    else:
        sigma = (centre * (1 - centre) / frame["n"].where(frame["n"] > 0)) ** 0.5
        lower = (centre - 3 * sigma).clip(lower=0.0)
        upper = (centre + 3 * sigma).clip(upper=1.0)
    outside = [
        i
        for i, (p, lo, hi) in enumerate(zip(share, lower, upper, strict=True))
        if not (math.isnan(p) or math.isnan(lo)) and (p < lo or p > hi)
    ]

    def listed(values: pd.Series) -> list[float | None]:
        return [None if math.isnan(v) else float(v) for v in values]

    shares = listed(share)
    useful = sum(1 for s in shares if s is not None)
    rules = (
        anhoej([math.nan if s is None else s for s in shares], centre)
        if centre is not None and useful >= MIN_POINTS
        else None
    )
    return PChart(
        months=list(frame.index),
        answered=frame["n"].tolist(),
        within=frame["x"].tolist(),
        shares=shares,
        centre=centre,
        lower=listed(lower),
        upper=listed(upper),
        outside=outside,
        baseline=baseline,
        rules=rules,
    )


@dataclass(frozen=True)
class ParetoBar:
    label: str
    count: int
    share: float
    cumulative: float  # share of all, this bar and the ones before it
    vital: bool  # among the few that make up PARETO_SHARE


def pareto(counts: pd.Series) -> list[ParetoBar]:
    """Bars in falling order (ties by name), the cumulative share, and the categories that
    together first reach 80 % marked."""
    counts = counts[counts > 0]
    if counts.empty:
        return []
    ordered = sorted(counts.items(), key=lambda item: (-int(item[1]), str(item[0])))
    total = sum(int(c) for _, c in ordered)
    bars, running, reached = [], 0, False
    for label, count in ordered:
        running += int(count)
        bars.append(ParetoBar(str(label), int(count), count / total, running / total, not reached))
        reached = reached or running / total >= PARETO_SHARE
    return bars


# --- the signals -------------------------------------------------------------------------------


def p_signals(chart: PChart) -> list[Signal]:
    found = signals(chart.months, chart.rules, "centre")
    if chart.outside:
        outside = Signal("outside", "centre", months=tuple(chart.months[i] for i in chart.outside))
        found = [s for s in found if s.kind != "none"] + [outside]
    return found


# --- the points, as the CSV and the data set write them ----------------------------------------

RUN_CHART_COLUMNS = [
    "month",
    "count",
    "centre",
    "useful",
    "longest_run",
    "longest_run_max",
    "crossings",
    "crossings_min",
    "signal_run",
    "signal_crossings",
]
P_CHART_COLUMNS = [
    "month",
    "answered",
    "within_deadline",
    "share",
    "centre",
    "lower",
    "upper",
    "outside",
    "useful",
    "longest_run",
    "longest_run_max",
    "crossings",
    "crossings_min",
    "signal_run",
    "signal_crossings",
]
PARETO_COLUMNS = ["category", "count", "share", "cumulative_share", "within_80_percent"]


def _rule_cells(rules: Rules | None) -> list[object]:
    if rules is None:
        return [None, None, None, None, None, None, None]
    return [
        rules.n_useful,
        rules.longest_run,
        rules.longest_run_max,
        rules.crossings,
        rules.crossings_min,
        "yes" if rules.signal_run else "no",
        "yes" if rules.signal_crossings else "no",
    ]


def run_chart_rows(chart: RunChart) -> list[list[object]]:
    """One row per month in RUN_CHART_COLUMNS order; the last six are the same in every row."""
    rules = _rule_cells(chart.rules)
    return [
        [month_code(m), count, round(chart.centre, 4)] + rules
        for m, count in zip(chart.months, chart.counts, strict=True)
    ]


def p_chart_rows(chart: PChart) -> list[list[object]]:
    rules = _rule_cells(chart.rules)

    def r(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return [
        [
            month_code(m),
            chart.answered[i],
            chart.within[i],
            r(chart.shares[i]),
            r(chart.centre),
            r(chart.lower[i]),
            r(chart.upper[i]),
            "yes" if i in chart.outside else "no",
        ]
        + rules
        for i, m in enumerate(chart.months)
    ]


def pareto_rows(bars: Sequence[ParetoBar]) -> list[list[object]]:
    return [
        [b.label, b.count, round(b.share, 4), round(b.cumulative, 4), "yes" if b.vital else "no"]
        for b in bars
    ]


# --- the whole page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesRules:
    """One line of the table of every direction's and category's run chart."""

    key: str  # the direction's code or the category's name, for a link to its chart
    label: str
    chart: RunChart


@dataclass(frozen=True)
class ChangeOverTime:
    scope: str
    months: list[date]
    baseline: int
    run: RunChart  # deviations per month, for the chosen direction and category
    p: PChart
    pareto: list[ParetoBar]
    by_direction: list[SeriesRules]
    by_category: list[SeriesRules]
    frame: pd.DataFrame = field(repr=False, compare=False)  # month × direction × category

    @property
    def run_signals(self) -> list[Signal]:
        return signals(self.months, self.run.rules, "median")

    @property
    def p_signals(self) -> list[Signal]:
        return p_signals(self.p)


def change_over_time(
    *,
    scope: str,
    months: Sequence[date],
    counts: Iterable[tuple[date, str, str, int]],
    answered: Sequence[int],
    within: Sequence[int],
    categories: Sequence[str],
    directions: dict[str, str],
    baseline: int = DEFAULT_BASELINE,
    direction: str | None = None,
    category: str | None = None,
) -> ChangeOverTime:
    """Everything *Endring over tid* shows, from the counts the database grouped.

    ``counts`` are (month, direction code, category name, count) for every direction and
    category; ``answered``/``within`` are the P-chart's n_i and x_i for the chosen ones, one per
    month; ``directions`` maps a code to its label (already in the reader's language).
    """
    months = list(months)
    frame = counts_frame(counts, months, categories)
    in_direction = frame if direction is None else frame[frame["direction"] == direction]
    in_category = frame if category is None else frame[frame["category"] == category]
    chosen = (
        in_direction if category is None else in_direction[in_direction["category"] == category]
    )
    run = run_chart(monthly(chosen, months), baseline)
    p = p_chart(
        pd.Series(list(answered), index=months), pd.Series(list(within), index=months), baseline
    )
    bars = pareto(chosen.groupby("category")["count"].sum())

    def table(selected: pd.DataFrame, column: str) -> pd.DataFrame:
        """One column of monthly counts per value of ``column``, every month a row."""
        wide = selected.groupby(["month", column])["count"].sum().unstack(fill_value=0)
        return wide.reindex(months, fill_value=0)

    per_direction = table(in_category, "direction")
    per_category = table(in_direction, "category")

    def column(wide: pd.DataFrame, key: str) -> pd.Series:
        if key in wide.columns:
            return wide[key].astype(int)
        return pd.Series(0, index=months, dtype=int)

    by_direction_rows = [
        SeriesRules(code, label, run_chart(column(per_direction, code), baseline))
        for code, label in directions.items()
    ]
    seen = list(categories) + sorted(set(frame["category"]) - set(categories))
    by_category_rows = [
        SeriesRules(name, name, run_chart(column(per_category, name), baseline)) for name in seen
    ]
    return ChangeOverTime(
        scope=scope,
        months=months,
        baseline=run.baseline,
        run=run,
        p=p,
        pareto=bars,
        by_direction=by_direction_rows,
        by_category=by_category_rows,
        frame=frame,
    )


def dataset_sheets(change: ChangeOverTime) -> list[tuple[str, list[str], list[list[object]]]]:
    """The data set's sheets after the rows behind the period: counts per month × category ×
    direction, and each chart's points (title, columns, rows)."""
    counts = [
        [month_code(m), d, c, int(n)]
        for m, d, c, n in change.frame[["month", "direction", "category", "count"]].itertuples(
            index=False
        )
    ]
    return [
        ("Antall", ["month", "direction", "category", "count"], counts),
        ("Seriediagram", RUN_CHART_COLUMNS, run_chart_rows(change.run)),
        ("P-diagram", P_CHART_COLUMNS, p_chart_rows(change.p)),
        ("Pareto", PARETO_COLUMNS, pareto_rows(change.pareto)),
    ]
