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
from datetime import UTC, date, datetime, time

import pandas as pd

from reports.i18n import N_, NORWEGIAN, Language
from reports.tertial import OSLO

MIN_POINTS = 10  # fewer than this and the rules say nothing (Anhøj: at least 10 useful points)
DEFAULT_BASELINE = 12
PARETO_SHARE = 0.8

MONTHS = (
    N_("januar"), N_("februar"), N_("mars"), N_("april"), N_("mai"), N_("juni"),
    N_("juli"), N_("august"), N_("september"), N_("oktober"), N_("november"), N_("desember"),
)  # fmt: skip


# --- months --------------------------------------------------------------------------------------


def parse_month(text: str) -> date:
    """'2025-03' as the first day of that month; ValueError on anything else."""
    year, sep, month = text.strip().partition("-")
    if not sep or len(year) != 4 or not year.isdigit() or not month.isdigit():
        raise ValueError(text)
    if not 1900 <= int(year) <= 2999:  # a typo, not a period; and no month after 9999-12
        raise ValueError(text)
    return date(int(year), int(month), 1)


def month_code(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_range(first: date, last: date) -> list[date]:
    """Every month from first to last, both included."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, i) for i in range(max(count, 0))]


def month_start_utc(month: date) -> datetime:
    """Midnight Norwegian time on the month's first day: months are counted in Oslo time."""
    return datetime.combine(month, time(), OSLO).astimezone(UTC)


def month_label(month: date, language: Language = NORWEGIAN) -> str:
    return f"{language.gettext(MONTHS[month.month - 1])} {month.year}"


def month_short(month: date, language: Language = NORWEGIAN) -> str:
    """'mar. 25' on an axis: three letters and the year's last two digits."""
    return f"{language.gettext(MONTHS[month.month - 1])[:3]} {month.year % 100:02d}"


# --- Anhøj's rules -------------------------------------------------------------------------------


def longest_run_limit(n_useful: int) -> int:
    """``round(log2(n)) + 3``. R rounds half to even and Python's round() does too; for a whole
    n, log2(n) is never exactly k + 0.5 (that would make n = 2^k·√2), so no rounding rule can
    differ here anyway."""
    return round(math.log2(n_useful)) + 3


def crossings_limit(n_useful: int) -> int:
    """``qbinom(0.05, n_useful - 1, 0.5)``: the smallest k with P(X ≤ k) ≥ 0.05 for
    X ~ Binomial(n_useful - 1, ½), computed exactly with integers (no scipy for one function)."""
    trials = max(n_useful - 1, 0)
    total = 2**trials
    cumulative = 0
    for k in range(trials + 1):
        cumulative += math.comb(trials, k)
        if cumulative * 20 >= total:  # cumulative / 2^trials >= 0.05, without rounding
            return k
    return trials


@dataclass(frozen=True)
class Run:
    """A run of useful points on one side; start and end index the whole series (a point on the
    centre line inside the run lies between them)."""

    start: int
    end: int
    length: int  # useful points in it
    side: int  # +1 above the centre line, -1 below


@dataclass(frozen=True)
class Rules:
    n_useful: int
    longest_run: int
    longest_run_max: int
    crossings: int
    crossings_min: int
    runs: tuple[Run, ...] = field(repr=False)

    @property
    def signal_run(self) -> bool:
        return self.longest_run > self.longest_run_max

    @property
    def signal_crossings(self) -> bool:
        return self.crossings < self.crossings_min

    @property
    def signal(self) -> bool:
        return self.signal_run or self.signal_crossings

    @property
    def long_runs(self) -> tuple[Run, ...]:
        """The runs longer than the limit: the part of the line that gives the signal."""
        return tuple(r for r in self.runs if r.length > self.longest_run_max)


def anhoej(values: Sequence[float | None], centre: Sequence[float] | float) -> Rules | None:
    """The rules for ``values`` around ``centre`` (one line, or one value per point).

    A missing value (None, NaN: a month with nothing to take a share of) is left out, as
    qicharts2 leaves out NA. None when no point is useful.
    """
    centres = [centre] * len(values) if isinstance(centre, (int, float)) else list(centre)
    runs: list[Run] = []
    for index, (value, line) in enumerate(zip(values, centres, strict=True)):
        if value is None or line is None or math.isnan(value) or math.isnan(line):
            continue
        side = (value > line) - (value < line)
        if side == 0:
            continue
        if runs and runs[-1].side == side:
            last = runs[-1]
            runs[-1] = Run(last.start, index, last.length + 1, side)
        else:
            runs.append(Run(index, index, 1, side))
    n_useful = sum(r.length for r in runs)
    if not n_useful:
        return None
    return Rules(
        n_useful=n_useful,
        longest_run=max(r.length for r in runs),
        longest_run_max=longest_run_limit(n_useful),
        crossings=max(len(runs) - 1, 0),
        crossings_min=crossings_limit(n_useful),
        runs=tuple(runs),
    )


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


# --- the signals in words ------------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """One signal, as data; ``describe`` puts it in words."""

    kind: str  # "run", "crossings", "outside" or "none"
    line: str  # "median" (run chart) or "centre" (P-chart)
    rules: Rules | None = None
    run: Run | None = None
    months: tuple[date, ...] = ()  # "outside": the months outside the limits


def signals(months: Sequence[date], rules: Rules | None, line: str = "median") -> list[Signal]:
    if rules is None:
        return []
    found = [Signal("run", line, rules, run) for run in rules.long_runs]
    if rules.signal_crossings:
        found.append(Signal("crossings", line, rules))
    return found or [Signal("none", line, rules)]


def p_signals(chart: PChart) -> list[Signal]:
    found = signals(chart.months, chart.rules, "centre")
    if chart.outside:
        outside = Signal("outside", "centre", months=tuple(chart.months[i] for i in chart.outside))
        found = [s for s in found if s.kind != "none"] + [outside]
    return found


def describe(signal: Signal, months: Sequence[date], language: Language = NORWEGIAN) -> str:
    """A signal as a committee member reads it, in the report's language."""
    _ = language.gettext
    r = signal.rules
    if signal.kind == "run" and signal.run is not None and r is not None:
        run = signal.run
        values = {
            "n": run.length,
            "limit": r.longest_run_max,
            "from": month_label(months[run.start], language),
            "to": month_label(months[run.end], language),
        }
        if signal.line == "median":
            text = (
                _(
                    "Usedvanlig lang serie over medianen: %(n)s måneder, grensen er %(limit)s — "
                    "trolig en reell økning fra %(from)s (til %(to)s)."
                )
                if run.side > 0
                else _(
                    "Usedvanlig lang serie under medianen: %(n)s måneder, grensen er %(limit)s — "
                    "trolig en reell nedgang fra %(from)s (til %(to)s)."
                )
            )
        else:
            text = (
                _(
                    "Usedvanlig lang serie over senterlinjen: %(n)s måneder, grensen er "
                    "%(limit)s — trolig en reell økning fra %(from)s (til %(to)s)."
                )
                if run.side > 0
                else _(
                    "Usedvanlig lang serie under senterlinjen: %(n)s måneder, grensen er "
                    "%(limit)s — trolig en reell nedgang fra %(from)s (til %(to)s)."
                )
            )
        return text % values
    if signal.kind == "crossings" and r is not None:
        values = {"n": r.crossings, "limit": r.crossings_min}
        if signal.line == "median":
            return (
                _(
                    "Usedvanlig få kryssinger av medianen: %(n)s, grensen er %(limit)s — "
                    "trolig en reell endring i perioden, ikke tilfeldig variasjon."
                )
                % values
            )
        return (
            _(
                "Usedvanlig få kryssinger av senterlinjen: %(n)s, grensen er %(limit)s — "
                "trolig en reell endring i perioden, ikke tilfeldig variasjon."
            )
            % values
        )
    if signal.kind == "outside":
        listed = ", ".join(month_label(m, language) for m in signal.months)
        return _("Utenfor kontrollgrensene: %(months)s.") % {"months": listed}
    if r is not None:
        return _(
            "Ingen signal: lengste serie %(run)s (grensen er %(run_max)s), %(crossings)s "
            "kryssinger (minst %(crossings_min)s). Variasjonen ser tilfeldig ut."
        ) % {
            "run": r.longest_run,
            "run_max": r.longest_run_max,
            "crossings": r.crossings,
            "crossings_min": r.crossings_min,
        }
    return ""


TOO_FEW = N_("For få måneder til å lese signaler: reglene trenger minst %(n)s punkter.")


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
