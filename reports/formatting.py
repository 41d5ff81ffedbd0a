"""Numbers and dates the Norwegian way: 12 345 · 12,5 · 12,5 % · 31.08.2023 kl. 14:05."""

from __future__ import annotations

from datetime import date, datetime

from reports.tertial import OSLO

MINUS = "\u2212"  # a real minus sign: a hyphen reads as a dash on paper


def integer(value: int) -> str:
    text = f"{abs(value):,}".replace(",", " ")
    return f"{MINUS}{text}" if value < 0 else text


def decimal(value: float, places: int = 1) -> str:
    text = f"{abs(value):,.{places}f}".replace(",", " ").replace(".", ",")
    if text.strip("0, ") == "":
        return text  # no "−0,0"
    return f"{MINUS}{text}" if value < 0 else text


def percent(share: float | None, places: int = 1) -> str:
    """A share 0..1 as '12,5 %'; None (nothing to divide by) as a dash."""
    if share is None:
        return "–"
    return f"{decimal(share * 100, places)} %"


def signed_integer(value: int) -> str:
    return f"+{integer(value)}" if value > 0 else integer(value)


def signed_percent(share: float | None, places: int = 1) -> str:
    if share is None:
        return "–"
    text = percent(share, places)
    return f"+{text}" if share > 0 and not text.startswith("0,") else text


def days(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{decimal(value, 1)} d"


def date_no(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    return value.strftime("%d.%m.%Y")


def datetime_no(value: datetime) -> str:
    return value.astimezone(OSLO).strftime("%d.%m.%Y kl. %H:%M")
