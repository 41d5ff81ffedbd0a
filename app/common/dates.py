"""Dates as Norwegians write them (dd.mm.åååå), in Norwegian time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def today_local() -> date:
    return datetime.now(UTC).astimezone(OSLO).date()


def local(dt: datetime) -> datetime:
    return dt.astimezone(OSLO)


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return value.strftime("%d.%m.%Y")


def format_datetime(value: datetime | None, at: str = "kl.") -> str:
    """``at`` is the word before the time, translated by the caller ("kl.", "at")."""
    if value is None:
        return ""
    return local(value).strftime(f"%d.%m.%Y {at} %H:%M")
