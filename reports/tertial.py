"""A tertial: a third of a year (T1 1 Jan–30 Apr, T2 1 May–31 Aug, T3 1 Sep–31 Dec)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from reports.timezone import OSLO

_FIRST_MONTH = {1: 1, 2: 5, 3: 9}
_PATTERN = re.compile(r"^\s*(\d{4})\s*-\s*[Tt]?([123])\s*$")


def _untranslated(message: str) -> str:
    return message


@dataclass(frozen=True, order=True)
class Tertial:
    year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3):
            raise ValueError(f"a tertial is 1, 2 or 3, not {self.number}")
        if not 1 <= self.year <= 9998:
            raise ValueError(f"year out of range: {self.year}")

    @classmethod
    def parse(cls, text: str) -> Tertial:
        """'2023-T2', '2023-t2' or '2023-2'. Raises ValueError for anything else."""
        match = _PATTERN.match(text or "")
        if match is None:
            raise ValueError(f"not a tertial: {text!r} (write e.g. 2023-T2)")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date | datetime) -> Tertial:
        """The tertial a date falls in; an aware datetime is taken in Norwegian time."""
        if isinstance(day, datetime):
            if day.tzinfo is None:
                raise ValueError("naive datetime: give an aware one or a date")
            day = day.astimezone(OSLO).date()
        return cls(day.year, (day.month - 1) // 4 + 1)

    @classmethod
    def last_complete(cls, today: date) -> Tertial:
        return cls.of(today).previous()

    @property
    def start(self) -> date:
        return date(self.year, _FIRST_MONTH[self.number], 1)

    @property
    def end(self) -> date:
        """The last day, inclusive."""
        return self.next().start - timedelta(days=1)

    @property
    def start_utc(self) -> datetime:
        """The first instant, Norwegian midnight, as aware UTC (for SQL range filters)."""
        return datetime.combine(self.start, time(), OSLO).astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        """The first instant AFTER the tertial (exclusive bound), as aware UTC."""
        return self.next().start_utc

    def previous(self) -> Tertial:
        return (
            Tertial(self.year - 1, 3) if self.number == 1 else Tertial(self.year, self.number - 1)
        )

    def next(self) -> Tertial:
        return (
            Tertial(self.year + 1, 1) if self.number == 3 else Tertial(self.year, self.number + 1)
        )

    def same_last_year(self) -> Tertial:
        return Tertial(self.year - 1, self.number)

    def last(self, count: int) -> list[Tertial]:
        """This tertial and the count - 1 before it, oldest first."""
        result = [self]
        while len(result) < count:
            result.append(result[-1].previous())
        return list(reversed(result))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        """Norwegian: '2. tertial 2023'."""
        return self.label_in(_untranslated)

    def label_in(self, _: Callable[[str], str]) -> str:
        """The label in a report's language (``_`` is its gettext): 'Tertial 2, 2023' in English."""
        return _("%(number)d. tertial %(year)d") % {"number": self.number, "year": self.year}

    @property
    def short_label(self) -> str:
        """For chart axes: 'T2 2023'."""
        return f"T{self.number} {self.year}"

    @property
    def code(self) -> str:
        """For URLs and file names: '2023-T2'."""
        return f"{self.year}-T{self.number}"

    def __str__(self) -> str:
        return self.code
