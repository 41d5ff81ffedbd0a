"""Anhøj's rules as qicharts2 counts them, on hand-made series, and the series pandas builds."""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction

import pandas as pd
import pytest

from reports.i18n import load
from reports.runchart import (
    anhoej,
    counts_frame,
    crossings_limit,
    describe,
    longest_run_limit,
    month_range,
    monthly,
    p_chart,
    p_signals,
    pareto,
    run_chart,
    run_chart_rows,
    signals,
)

# Anhøj & Olesen 2014, table 1, as qicharts2's vignette prints it (n useful: run limit, crossings).
PUBLISHED = {
    10: (6, 2), 11: (6, 2), 12: (7, 3), 13: (7, 3), 14: (7, 4), 15: (7, 4), 16: (7, 4),
    17: (7, 5), 18: (7, 5), 19: (7, 6), 20: (7, 6), 21: (7, 6), 22: (7, 7), 23: (8, 7),
    24: (8, 8), 25: (8, 8), 26: (8, 8), 27: (8, 9), 28: (8, 9), 29: (8, 10), 30: (8, 10),
    100: (10, 41),
}  # fmt: skip


@pytest.mark.parametrize("n", sorted(PUBLISHED))
def test_limits_match_the_published_table(n):
    assert (longest_run_limit(n), crossings_limit(n)) == PUBLISHED[n]


@pytest.mark.parametrize("n", range(10, 101))
def test_crossings_limit_is_the_exact_5th_percentile(n):
    """qbinom(0.05, n - 1, 0.5), checked by its definition with exact fractions."""
    k = crossings_limit(n)
    cdf = [
        sum(Fraction(math.comb(n - 1, i), 2 ** (n - 1)) for i in range(j + 1)) for j in (k - 1, k)
    ]
    assert cdf[0] < Fraction(1, 20) <= cdf[1]


def test_r_round_and_python_round_never_differ_on_log2_of_a_whole_number():
    # R's round() is half-to-even, like Python's; a tie would need log2(n) = k + 0.5.
    for n in range(1, 100_001):
        frac = math.log2(n) % 1
        assert abs(frac - 0.5) > 1e-6
        assert longest_run_limit(n) == math.floor(math.log2(n) + 0.5) + 3


def test_all_on_one_side():
    rules = anhoej([5, 6, 7, 8, 9, 10, 11, 12, 13, 14], 4)
    assert rules.n_useful == 10
    assert rules.longest_run == 10 and rules.longest_run_max == 6
    assert rules.crossings == 0 and rules.crossings_min == 2
    assert rules.signal_run and rules.signal_crossings
    assert [(r.start, r.end, r.side) for r in rules.long_runs] == [(0, 9, 1)]


def test_alternating_gives_no_signal():
    values = [1, 3] * 12
    rules = anhoej(values, 2)
    assert rules.n_useful == 24
    assert rules.longest_run == 1 and rules.crossings == 23
    assert (rules.longest_run_max, rules.crossings_min) == (8, 8)
    assert not rules.signal


def test_points_on_the_median_are_not_useful_and_do_not_break_a_run():
    # 15 points, 5 on the centre line: 10 useful, and a run spans the points on the line in it.
    values = [3, 2, 3, 2, 1, 2, 1, 5, 2, 5, 5, 2, 5, 5, 1]
    rules = anhoej(values, 2)
    assert rules.n_useful == 10
    assert [(r.start, r.end, r.length, r.side) for r in rules.runs] == [
        (0, 2, 2, 1),
        (4, 6, 2, -1),
        (7, 13, 5, 1),
        (14, 14, 1, -1),
    ]
    assert rules.longest_run == 5
    assert rules.crossings == 3
    assert (rules.longest_run_max, rules.crossings_min) == (6, 2)
    assert not rules.signal_run and not rules.signal_crossings


def test_every_point_on_the_median_has_no_rules():
    assert anhoej([4] * 12, 4) is None


@pytest.mark.parametrize("n", range(10, 101, 7))
def test_limits_follow_the_useful_points_not_all_points(n):
    # n useful points alternating around 10, with five points on the line inserted.
    values = [9 if i % 2 else 11 for i in range(n)]
    for position in (0, 3, 6, 9, n):
        values.insert(position, 10)
    rules = anhoej(values, 10)
    assert rules.n_useful == n
    assert rules.crossings == n - 1
    assert rules.longest_run_max == longest_run_limit(n)
    assert rules.crossings_min == crossings_limit(n)


def test_a_run_just_over_the_limit():
    # 24 points: a run of 9 below (limit 8), otherwise alternating.
    values = [1, 3] * 7 + [0] * 9 + [3]
    rules = anhoej(values, 2)
    assert rules.n_useful == 24 and rules.longest_run == 9
    assert rules.signal_run
    assert [(r.start, r.end, r.side) for r in rules.long_runs] == [(14, 22, -1)]
    # and one of 8 is not a signal
    values = [1, 3] * 8 + [0] * 8
    assert not anhoej(values, 2).signal_run


def test_few_crossings_without_a_long_run():
    values = ([5] * 6 + [1] * 6) * 2
    rules = anhoej(values, 3)
    assert (rules.n_useful, rules.longest_run, rules.crossings) == (24, 6, 3)
    assert not rules.signal_run and rules.signal_crossings
    found = signals(month_range(date(2024, 1, 1), date(2025, 12, 1)), rules)
    assert [s.kind for s in found] == ["crossings"]
    assert describe(found[0], []) == (
        "Usedvanlig få kryssinger av medianen: 3, grensen er 8 — trolig en reell endring i "
        "perioden, ikke tilfeldig variasjon."
    )


def test_monthly_counts_fill_empty_months_and_the_baseline_is_the_median():
    months = month_range(date(2024, 1, 1), date(2024, 12, 1))
    rows = [
        (date(2024, 1, 1), "kommune_sykehus", "Utskrivning", 3),
        (date(2024, 1, 1), "sykehus_kommune", "Utskrivning", 1),
        (date(2024, 3, 1), "kommune_sykehus", "Transport", 2),
        (date(2023, 12, 1), "kommune_sykehus", "Transport", 50),  # outside the months
    ]
    frame = counts_frame(rows, months, ["Utskrivning", "Transport"])
    series = monthly(frame, months)
    assert series.tolist() == [4, 0, 2] + [0] * 9
    assert monthly(frame, months, direction="kommune_sykehus").tolist()[:3] == [3, 0, 2]
    assert monthly(frame, months, category="Transport").tolist()[:3] == [0, 0, 2]
    chart = run_chart(series, baseline=3)
    assert chart.centre == 2.0 and chart.baseline == 3
    # 12 points, 1 on the line (March): 11 useful, the nine zeros a run of 10 below.
    assert chart.rules.n_useful == 11 and chart.rules.longest_run == 10
    assert chart.rules.signal_run


def test_fewer_than_ten_months_give_no_rules():
    chart = run_chart(pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9], index=range(9)))
    assert chart.rules is None


def test_cli_rows_carry_the_rules_in_every_row():
    months = month_range(date(2024, 1, 1), date(2024, 10, 1))
    chart = run_chart(pd.Series([5] * 5 + [9] * 5, index=months), baseline=10)
    rows = run_chart_rows(chart)
    assert rows[0] == ["2024-01", 5, 7.0, 10, 5, 6, 1, 2, "no", "yes"]
    assert {tuple(r[3:]) for r in rows} == {(10, 5, 6, 1, 2, "no", "yes")}


def test_p_chart_limits_widen_in_small_months_and_mark_points_outside():
    months = month_range(date(2024, 1, 1), date(2024, 12, 1))
    answered = pd.Series([100] * 10 + [4, 100], index=months)
    within = pd.Series([80] * 10 + [4, 40], index=months)
    chart = p_chart(answered, within, baseline=10)
    assert chart.centre == pytest.approx(0.8)
    width_big = chart.upper[0] - chart.lower[0]
    assert width_big == pytest.approx(6 * math.sqrt(0.8 * 0.2 / 100))
    assert chart.upper[10] == 1.0  # clipped; a small month's limits are wider
    assert chart.lower[10] < chart.lower[0]
    assert chart.outside == [11]
    kinds = [s.kind for s in p_signals(chart)]
    assert "outside" in kinds


def test_p_chart_month_without_answers_has_no_point():
    months = month_range(date(2024, 1, 1), date(2024, 3, 1))
    chart = p_chart(pd.Series([0, 10, 10], index=months), pd.Series([0, 5, 9], index=months))
    assert chart.shares[0] is None and chart.lower[0] is None
    assert chart.centre == pytest.approx(14 / 20)


def test_pareto_orders_and_names_the_categories_that_make_80_percent():
    bars = pareto(pd.Series({"A": 10, "B": 50, "C": 25, "D": 10, "E": 5, "F": 0}))
    assert [b.label for b in bars] == ["B", "C", "A", "D", "E"]
    assert [b.cumulative for b in bars] == pytest.approx([0.5, 0.75, 0.85, 0.95, 1.0])
    assert [b.vital for b in bars] == [True, True, True, False, False]


def test_signals_in_words_in_both_languages():
    values = [3, 1, 3, 1, 3, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]
    months = month_range(date(2024, 1, 1), date(2025, 4, 1))
    rules = anhoej(values, 2)
    found = signals(months, rules)
    assert [s.kind for s in found] == ["run"]
    text = describe(found[0], months)
    assert text == (
        "Usedvanlig lang serie over medianen: 10 måneder, grensen er 7 — trolig en reell "
        "økning fra juli 2024 (til april 2025)."
    )
    english = describe(found[0], months, load("en"))
    assert "Unusually long run above the median: 10 months" in english
    assert "July 2024" in english
    calm = signals(months, anhoej([1, 3] * 8, 2))
    assert [s.kind for s in calm] == ["none"]
    assert describe(calm[0], months).startswith("Ingen signal")
