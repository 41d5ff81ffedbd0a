"""Numbers and dates the Norwegian way: 12 345 · 12,5 · 12,5 % · 31.08.2023 kl. 14:05.

English reports keep the same dates (dd.mm.yyyy: day first as in British usage, and the same
dates the pages show) and the space between thousands (the SI style, correct in English too), but
take the decimal point and "at" before a time: "12,5" would read as a list or as 125 to an English
reader. ``Numbers`` holds one style; the module-level functions are the Norwegian one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reports.tertial import OSLO

MINUS = "\u2212"  # a real minus sign: a hyphen reads as a dash on paper


@dataclass(frozen=True)
class Numbers:
    decimal_sign: str = ","
    at: str = "kl."  # the word before a time of day

    def integer(self, value: int) -> str:
        text = f"{abs(value):,}".replace(",", " ")
        return f"{MINUS}{text}" if value < 0 else text

    def decimal(self, value: float, places: int = 1) -> str:
        text = f"{abs(value):,.{places}f}".replace(",", " ").replace(".", self.decimal_sign)
        if text.strip(f"0{self.decimal_sign} ") == "":
            return text  # no "−0,0"
        return f"{MINUS}{text}" if value < 0 else text

    def percent(self, share: float | None, places: int = 1) -> str:
        """A share 0..1 as '12,5 %'; None (nothing to divide by) as a dash."""
        if share is None:
            return "–"
        return f"{self.decimal(share * 100, places)} %"

    def signed_integer(self, value: int) -> str:
        return f"+{self.integer(value)}" if value > 0 else self.integer(value)

    def signed_percent(self, share: float | None, places: int = 1) -> str:
        if share is None:
            return "–"
        text = self.percent(share, places)
        return f"+{text}" if share > 0 and not text.startswith(f"0{self.decimal_sign}") else text

    def days(self, value: float | None) -> str:
        if value is None:
            return "–"
        return f"{self.decimal(value, 1)} d"

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(OSLO).date()
        return value.strftime("%d.%m.%Y")

    def datetime(self, value: datetime) -> str:
        return value.astimezone(OSLO).strftime(f"%d.%m.%Y {self.at} %H:%M")


NORWEGIAN = Numbers()
ENGLISH = Numbers(decimal_sign=".", at="at")


def for_language(code: str) -> Numbers:
    return ENGLISH if code == "en" else NORWEGIAN


integer = NORWEGIAN.integer
decimal = NORWEGIAN.decimal
percent = NORWEGIAN.percent
signed_integer = NORWEGIAN.signed_integer
signed_percent = NORWEGIAN.signed_percent
days = NORWEGIAN.days
date_no = NORWEGIAN.date
datetime_no = NORWEGIAN.datetime
