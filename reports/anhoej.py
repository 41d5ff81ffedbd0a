"""Anhøj's rules for run charts, the months they count, and their signals in words.

Pure Python (no pandas, no Flask): reports/runchart.py builds the series and charts on it.
Anhøj & Olesen, *Run charts revisited*, PLoS ONE 9(11): e113825, 2014, counted as the
qicharts2 reference implementation counts them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from reports.i18n import N_, NORWEGIAN, Language
from reports.tertial import OSLO

MIN_POINTS = 10  # fewer than this and the rules say nothing (Anhøj: at least 10 useful points)

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
