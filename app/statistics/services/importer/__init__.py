"""Import of historical deviations counted by hand (CSV or XLSX), all or nothing.

Every row is checked before anything is written; any bad row stops the import with a list of
every problem (row number as the spreadsheet shows it, column, why). A good file goes in with
one bulk INSERT per chunk inside the caller's single transaction, with reference numbers from
the per-year counter (one atomic UPDATE per year for the whole file) and one history row each
saying it was imported. Messages are Norwegian: this runs from the command line, outside any
request, where Flask-Babel has no locale to pick.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa

from app.common.dates import OSLO, today_local
from app.deviations.services import (
    direction_between,
    format_reference,
    reserve_references,
)
from app.extensions import db
from app.models import Deviation, DeviationEvent, EventKind, User, utcnow
from app.search import index as search_index
from app.statistics.services.importer.checking import GoodRow, Lookups, check_row, org_alias
from app.statistics.services.importer.reading import (
    REQUIRED_COLUMNS,
    ImportRejected,
    RowError,
    fold,
    read_rows,
)

__all__ = ["ImportRejected", "RowError", "fold", "import_file", "org_alias", "read_rows"]

CHUNK = 1000  # rows per INSERT


def _noon(day: date) -> datetime:
    # A hand-kept register has dates, not times: noon Norwegian time keeps the date the same
    # in every time zone the app shows, and far from any tertial boundary.
    return datetime.combine(day, time(12), OSLO)


def _deadline(good: GoodRow) -> date:
    """The counterpart's ordinary deadline, unless the file says whether it was kept: then a
    deadline consistent with that answer (the real one was never recorded)."""
    deadline = good.registered + timedelta(days=good.counterpart.response_days)
    if good.within is True and good.closed is not None:
        return max(deadline, good.closed)
    if good.within is False and good.closed is not None:
        return min(deadline, good.closed - timedelta(days=1))
    return deadline


def import_file(
    path: Path,
    actor: User | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
    now: datetime | None = None,
) -> int:
    """Check every row, then write all of them; flushes, the caller commits. Raises
    ImportRejected listing every bad row, having written nothing."""
    now = now or utcnow()
    header, rows = read_rows(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportRejected(
            [RowError(1, c, "kolonnen mangler i overskriftsraden.") for c in missing]
        )
    lookups = Lookups.load()
    today = today_local()
    good: list[GoodRow] = []
    errors: list[RowError] = []
    wrap = progress or (lambda it: it)
    for number, raw in wrap(rows):
        row, row_errors = check_row(number, raw, lookups, today)
        errors += row_errors
        if row is not None:
            good.append(row)
    if errors:
        raise ImportRejected(errors)
    if not good:
        raise ImportRejected([RowError(2, "-", "filen har ingen rader å importere.")])

    by_year: dict[int, list[GoodRow]] = defaultdict(list)
    for row in good:
        by_year[row.registered.year].append(row)
    numbered: list[tuple[int, int, GoodRow]] = []
    for year in sorted(by_year):
        year_rows = sorted(by_year[year], key=lambda r: r.registered)
        first = reserve_references(year, len(year_rows)) - len(year_rows) + 1
        numbered += [(year, first + i, r) for i, r in enumerate(year_rows)]

    text = f"Importert fra {path.name}"[:200]
    for start in wrap(range(0, len(numbered), CHUNK)):
        chunk = numbered[start : start + CHUNK]
        ids = db.session.scalars(
            sa.insert(Deviation).returning(Deviation.id, sort_by_parameter_order=True),
            [_values(year, number, row) for year, number, row in chunk],
        ).all()
        db.session.execute(
            sa.insert(DeviationEvent),
            [
                {
                    "deviation_id": ident,
                    "at": now,
                    "actor_id": actor.id if actor else None,
                    "kind": EventKind.IMPORTED,
                    "to_status": row.status,
                    "text": text,
                }
                for ident, (_, _, row) in zip(ids, chunk, strict=True)
            ],
        )
        # Core inserts: no flush sees them, so their search documents are written here.
        search_index.reindex(db.session.connection(), ids)
    db.session.flush()
    return len(numbered)


def _values(year: int, number: int, row: GoodRow) -> dict[str, object]:
    return {
        "reference": format_reference(year, number),
        "year": year,
        "number": number,
        "registered_at": _noon(row.registered),
        "event_date": row.event_date,
        "reporter_id": None,
        "reporter_org_id": row.reporter.id,
        "reporter_org_name": row.reporter.name,
        "reporter_unit_id": row.reporter_unit_id,
        "counterpart_org_id": row.counterpart.id,
        "counterpart_org_name": row.counterpart.name,
        "counterpart_unit_id": row.counterpart_unit_id,
        "direction": direction_between(row.reporter, row.counterpart),
        "category_id": row.category_id,
        "harm": row.harm,
        "title": row.title,
        "description": row.description,
        "status": row.status,
        "response_deadline": _deadline(row),
        "closed_at": _noon(row.closed) if row.closed else None,
        "imported": True,
    }
