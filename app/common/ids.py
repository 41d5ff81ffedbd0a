"""Ids from a request: only what the database's integer columns can hold.

A number past 2**31 - 1 made PostgreSQL answer "integer out of range" and SQLite's driver
"Python int too large", both a 500; "²" passed str.isdigit() and failed int(). Every id the
app reads from a URL, a query string or a form goes through these.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

DATABASE_ID_MAX = 2**31 - 1  # PostgreSQL's integer, the type of every id column


def parse_id(value: object) -> int | None:
    """ASCII digits within the database's integer, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= DATABASE_ID_MAX else None
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= DATABASE_ID_MAX else None


class DatabaseIdConverter(IntegerConverter):
    """The `<int:…>` of every route: a larger number matches no route, so it is a 404."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", DATABASE_ID_MAX)
        super().__init__(map, *args, **kwargs)
