"""The tertial's figures: the counts the SQL of app/statistics/services/queries.py returns,
relabelled and rolled up into the input reports.summarise turns into what the page, the PDF and
the CLI all show.

Python only relabels and rolls up grouped rows (a few thousand at most). This module is the
statistics package's face to routes, the CLI, the benchmark and the tests: the scope
(scope.py) and the rows behind the figures (exports.py) are reached through it too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TypeVar

import sqlalchemy as sa

from app.extensions import db
from app.models import CLOSED_STATUSES, Deviation, Direction
from app.statistics.services.exports import EXPORT_COLUMNS, export_rows
from app.statistics.services.learning import learning_input
from app.statistics.services.queries import (
    build_queries,
    load_categories,
    load_clinics,
    serious_notices,
)
from app.statistics.services.scope import (
    ALL,
    Scope,
    scope_for,
    scope_for_organisation,
)
from reports import AnalysisRecord, Tertial, TertialInput, TertialSummary, summarise
from reports import labels as report_labels
from reports.i18n import NORWEGIAN, Language
from reports.learning import LearningInput
from reports.summary import TREND_LENGTH

__all__ = [
    "ALL",
    "EXPORT_COLUMNS",
    "Scope",
    "available_tertials",
    "data_stamp",
    "export_rows",
    "last_complete_tertial",
    "load_input",
    "scope_for",
    "scope_for_organisation",
    "tertial_summary",
]

_K = TypeVar("_K")


def _nonzero(counts: Mapping[_K, int]) -> dict[_K, int]:
    return {k: v for k, v in counts.items() if v}


def handling_days(listed: str | None) -> Counter[int]:
    """Cases per whole day of handling, from Queries.handling's list ("3,0,12,3")."""
    # Counted as text first: ~170 distinct values to convert instead of ~120,000.
    return Counter({int(d): n for d, n in Counter((listed or "").split(",")).items() if d})


def load_input(
    tertial: Tertial,
    scope: Scope,
    analyses: Sequence[AnalysisRecord] = (),
    learning: LearningInput | None = None,
    language: str = "nb",
) -> TertialInput:
    """The figures, with categories and clinics named in ``language`` (a language code)."""
    queries = build_queries(tertial, scope)
    active_categories, category_names = load_categories(language)
    clinics = load_clinics(language)
    window = tertial.last(TREND_LENGTH)
    current = len(window) - 1

    # Direction, category and harm from the one table of counts; this tertial is its last column.
    trend: Counter[tuple[Tertial, str]] = Counter()
    by_direction: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    by_harm: Counter[str] = Counter()
    for direction, category_id, harm, *counts in db.session.execute(queries.kinds):
        name = category_names[category_id]
        for w, count in zip(window, counts, strict=True):
            trend[(w, name)] += count
        by_direction[direction] += counts[current]
        by_category[name] += counts[current]
        by_harm[harm] += counts[current]

    # Cases to or from the hospital without a (hospital) unit are "unit not given".
    by_unit: Counter[str] = Counter()
    for unit_id, from_unit, to_unit in db.session.execute(queries.units):
        by_unit[clinics[unit_id]] += from_unit + to_unit
    hospital_cases = (
        by_direction[Direction.SYKEHUS_KOMMUNE.value]
        + by_direction[Direction.KOMMUNE_SYKEHUS.value]
    )
    by_unit[report_labels.UNKNOWN_UNIT] += hospital_cases - sum(by_unit.values())

    by_reporter = {name: count for name, count in db.session.execute(queries.reporters)}
    by_counterpart = {name: count for name, count in db.session.execute(queries.counterparts)}

    closed = db.session.execute(queries.closed_by_end).one()
    status_end: Counter[str] = Counter(dict(zip(sorted(CLOSED_STATUSES), closed, strict=True)))
    open_at_end = overdue_at_end = 0
    for query in (queries.unclosed, queries.closed_later):
        for status, overdue, of_tertial, count in db.session.execute(query):
            if of_tertial:
                status_end[status] += count
            if status in report_labels.OPEN_STATUSES:
                open_at_end += count
                overdue_at_end += count if overdue else 0

    listed, within = db.session.execute(queries.handling).one()
    handling = handling_days(listed)
    notices = dict(db.session.execute(serious_notices(tertial, scope)).all())

    # Every configured category shows, even with no case; inactive ones only when they have cases.
    shown = active_categories + [
        n for n in category_names.values() if n not in active_categories and by_category.get(n)
    ]
    return TertialInput(
        tertial=tertial,
        scope=scope.name,
        categories=shown,
        trend=_nonzero(trend),
        by_direction=_nonzero(by_direction),
        by_reporter_org=_nonzero(by_reporter),
        by_counterpart_org=_nonzero(by_counterpart),
        by_hospital_unit=_nonzero(by_unit),
        by_category=_nonzero(by_category),
        by_harm=_nonzero(by_harm),
        status_at_end=_nonzero(status_end),
        handling_days=dict(handling),
        answered_within_deadline=within or 0,
        open_at_end=open_at_end,
        overdue_at_end=overdue_at_end,
        serious_notified=notices.get(True, 0),
        serious_not_notifiable=notices.get(False, 0),
        analyses=list(analyses),
        learning=learning or LearningInput(),
    )


def analyses_for(tertial: Tertial, scope: Scope) -> list[AnalysisRecord]:
    """Incident analyses as plain records, from the analysis module's own query."""
    from app.analysis.services import tertial_records

    return tertial_records(tertial.end, scope.organisation_id)


def tertial_summary(
    tertial: Tertial, scope: Scope, language: Language = NORWEGIAN
) -> TertialSummary:
    data = load_input(
        tertial,
        scope,
        analyses_for(tertial, scope),
        learning_input(tertial, scope, language.code),
        language.code,
    )
    return summarise(data, language)


def data_stamp(scope: Scope) -> datetime | None:
    """The newest registration or closing in the data: the report's date, so the same data
    gives the same PDF bytes (never the clock)."""
    # One max() per statement: SQLite answers each from its index's last entry, but two
    # aggregates in one SELECT make it read the whole table.
    newest = db.session.execute(
        sa.select(
            sa.select(sa.func.max(Deviation.registered_at)).where(scope.clause()).scalar_subquery(),
            sa.select(sa.func.max(Deviation.closed_at)).where(scope.clause()).scalar_subquery(),
        )
    ).one()
    values = [v for v in newest if v is not None]
    return max(values) if values else None


def last_complete_tertial(today: date) -> Tertial:
    return Tertial.last_complete(today)


def available_tertials(today: date, count: int = 12) -> list[Tertial]:
    """The tertials to pick from: the running one and the ones before it, newest first."""
    return list(reversed(Tertial.of(today).last(count)))
