"""Dates as Norwegians write them (dd.mm.åååå), in Norwegian time, by Flask-Babel.

Flask-Babel formats in the request's (or ``force_locale``'s) language and converts to
BABEL_DEFAULT_TIMEZONE, which is ``OSLO``; the patterns are the reports' (reports/formatting.py),
so a page, a mail and a PDF print the same date alike.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import flask_babel

from reports.formatting import DATE_PATTERN, datetime_pattern
from reports.timezone import OSLO

__all__ = ["OSLO", "format_date", "format_datetime", "format_time", "local", "today_local"]


def today_local() -> date:
    return datetime.now(UTC).astimezone(OSLO).date()


def local(dt: datetime) -> datetime:
    return dt.astimezone(OSLO)


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return flask_babel.format_date(value, DATE_PATTERN)


def format_datetime(value: datetime | None, at: str = "kl.") -> str:
    """``at`` is the word before the time, translated by the caller ("kl.", "at")."""
    if value is None:
        return ""
    return flask_babel.format_datetime(value, datetime_pattern(str(at)))


def format_time(value: datetime | None) -> str:
    """hh:mm in Norwegian time, for the end of a span that began the same day."""
    if value is None:
        return ""
    return flask_babel.format_time(value, "HH:mm")
