"""A row of a report's tables: what the tertial summary, its learning section, the charts and the
PDF all count in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    label: str  # in the report's language; a name (organisation, category) as stored
    count: int
    share: float | None  # of the row's table total
    key: str | None = None  # the stored value, for rows that label an enum
