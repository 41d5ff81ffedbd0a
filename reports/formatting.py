"""Numbers and dates in the report's language, by Babel: 12 345 · 12,5 · 12,5 % · 31.08.2023 kl. 14:05.

Babel's locale data give the decimal sign and the grouping (Norwegian 12 345,5; English
12,345.5). Three choices of ours are kept on top, the same in both languages:
- dates day first, dd.mm.yyyy (the pages show them so, and a report is read beside the pages);
- a space before the percent sign and a real minus sign (a hyphen reads as a dash on paper);
- plain spaces rather than Babel's no-break space between thousands: a table cell never wraps
  a number, and text taken from the PDF is searched with an ordinary space.
``Numbers`` holds one language's style; the module-level functions are the Norwegian one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from reports.timezone import OSLO

MINUS = "\u2212"
DATE_PATTERN = "dd.MM.yyyy"


def _typeset(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    if text.startswith("-"):
        text = text[1:]
        # A value that rounds to zero gets no sign: "0,0", not "−0,0".
        return text if not any(c in "123456789" for c in text) else MINUS + text
    return text


def _places(places: int) -> str:
    return "." + "0" * places if places else ""


@dataclass(frozen=True)
class Numbers:
    locale: str = "nb"
    at: str = "kl."  # the word before a time of day

    def integer(self, value: int) -> str:
        return _typeset(format_decimal(value, format="#,##0", locale=self.locale))

    def decimal(self, value: float, places: int = 1) -> str:
        pattern = "#,##0" + _places(places)
        return _typeset(format_decimal(value, format=pattern, locale=self.locale))

    def percent(self, share: float | None, places: int = 1) -> str:
        """A share 0..1 as '12,5 %'; None (nothing to divide by) as a dash."""
        if share is None:
            return "–"
        pattern = "#,##0" + _places(places) + " %"
        return _typeset(format_percent(share, format=pattern, locale=self.locale))

    def signed_integer(self, value: int) -> str:
        return f"+{self.integer(value)}" if value > 0 else self.integer(value)

    def signed_percent(self, share: float | None, places: int = 1) -> str:
        if share is None:
            return "–"
        text = self.percent(share, places)
        return f"+{text}" if share > 0 and any(c in "123456789" for c in text) else text

    def days(self, value: float | None) -> str:
        if value is None:
            return "–"
        return f"{self.decimal(value, 1)} d"

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(OSLO).date()
        return format_date(value, DATE_PATTERN, locale=self.locale)

    def datetime(self, value: datetime) -> str:
        return format_datetime(value, datetime_pattern(self.at), tzinfo=OSLO, locale=self.locale)


def datetime_pattern(at: str) -> str:
    """dd.mm.yyyy, the word before the time ("kl.", "at"; quoted for Babel), and hh:mm."""
    return f"{DATE_PATTERN} '{at.replace(chr(39), chr(39) * 2)}' HH:mm"


NORWEGIAN = Numbers()
ENGLISH = Numbers(locale="en_GB", at="at")


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
