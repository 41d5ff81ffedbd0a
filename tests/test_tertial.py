"""Tertial arithmetic, Norwegian number formats, and reports/ staying free of Flask."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from reports import Tertial, labels
from reports import formatting as fmt

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 1, 1), Tertial(2023, 1)),
        (date(2023, 4, 30), Tertial(2023, 1)),
        (date(2023, 5, 1), Tertial(2023, 2)),
        (date(2023, 8, 31), Tertial(2023, 2)),
        (date(2023, 9, 1), Tertial(2023, 3)),
        (date(2023, 12, 31), Tertial(2023, 3)),
        (date(2024, 2, 29), Tertial(2024, 1)),  # leap day
    ],
)
def test_tertial_of_a_date(day, expected):
    assert Tertial.of(day) == expected


def test_tertial_of_an_instant_is_taken_in_norwegian_time():
    # 30.04 22:30 UTC is 1 May 00:30 in Oslo (summer time); 31.12 23:30 UTC is 1 January.
    assert Tertial.of(datetime(2023, 4, 30, 22, 30, tzinfo=UTC)) == Tertial(2023, 2)
    assert Tertial.of(datetime(2023, 4, 30, 21, 59, tzinfo=UTC)) == Tertial(2023, 1)
    assert Tertial.of(datetime(2023, 12, 31, 23, 30, tzinfo=UTC)) == Tertial(2024, 1)
    with pytest.raises(ValueError):
        Tertial.of(datetime(2023, 5, 1))


@pytest.mark.parametrize("text", ["2023-T2", "2023-t2", "2023-2", " 2023 - T2 "])
def test_parse(text):
    assert Tertial.parse(text) == Tertial(2023, 2)


@pytest.mark.parametrize("text", ["2023-T4", "2023-0", "2023", "T2-2023", "23-T2", "", "2023-T2x"])
def test_parse_refuses(text):
    with pytest.raises(ValueError):
        Tertial.parse(text)


def test_bounds_and_neighbours():
    t1, t2, t3 = Tertial(2024, 1), Tertial(2024, 2), Tertial(2024, 3)
    assert (t1.start, t1.end) == (date(2024, 1, 1), date(2024, 4, 30))
    assert (t2.start, t2.end) == (date(2024, 5, 1), date(2024, 8, 31))
    assert (t3.start, t3.end) == (date(2024, 9, 1), date(2024, 12, 31))
    assert Tertial(2023, 1).end == date(2023, 4, 30)  # no leap day to count in April either way
    assert t1.previous() == Tertial(2023, 3) and t3.next() == Tertial(2025, 1)
    assert t2.same_last_year() == Tertial(2023, 2)
    assert [t.code for t in t1.last(4)] == ["2023-T1", "2023-T2", "2023-T3", "2024-T1"]
    # Local midnight as UTC: winter +1 h, summer +2 h.
    assert t1.start_utc == datetime(2023, 12, 31, 23, tzinfo=UTC)
    assert t2.start_utc == datetime(2024, 4, 30, 22, tzinfo=UTC)
    assert t3.end_utc == datetime(2024, 12, 31, 23, tzinfo=UTC)
    assert Tertial.last_complete(date(2024, 5, 1)) == t1
    assert Tertial.last_complete(date(2024, 1, 15)) == Tertial(2023, 3)


def test_labels():
    t = Tertial(2023, 2)
    assert (t.label, t.short_label, t.code, str(t)) == (
        "2. tertial 2023",
        "T2 2023",
        "2023-T2",
        "2023-T2",
    )


def test_norwegian_numbers():
    assert fmt.integer(1234567) == "1 234 567"
    assert fmt.integer(-1234) == "−1 234"
    assert fmt.decimal(12.5) == "12,5"
    assert fmt.decimal(1234.25, 2) == "1 234,25"
    assert fmt.percent(0.125) == "12,5 %"
    assert fmt.percent(None) == "–"
    assert fmt.signed_percent(5 / 3) == "+166,7 %"
    assert fmt.signed_percent(-0.25) == "−25,0 %"
    assert fmt.signed_percent(0.0) == "0,0 %"
    assert fmt.signed_integer(5) == "+5" and fmt.signed_integer(0) == "0"
    assert fmt.date_no(date(2023, 5, 1)) == "01.05.2023"
    assert fmt.datetime_no(datetime(2023, 9, 5, 8, 0, tzinfo=UTC)) == "05.09.2023 kl. 10:00"


def test_reports_package_imports_no_flask():
    code = "import sys, reports, reports.pdf, reports.export; print('flask' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_report_labels_match_the_stored_enum_values():
    from app.models import Direction, Harm, Status

    assert set(labels.DIRECTIONS) == {d.value for d in Direction}
    assert set(labels.HARMS) == {h.value for h in Harm}
    assert set(labels.STATUSES) == {s.value for s in Status}
    from app.models import CLOSED_STATUSES

    assert labels.CLOSED_STATUSES == {s.value for s in CLOSED_STATUSES}
