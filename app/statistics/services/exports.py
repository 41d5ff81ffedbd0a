"""The rows behind the figures, one per deviation, for the CSV and XLSX downloads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.common.names import all_unit_paths
from app.extensions import db
from app.models import Deviation
from app.statistics.services.queries import load_categories, status_at
from app.statistics.services.scope import Scope
from reports import Tertial
from reports import labels as report_labels
from reports.summary import deadline_end

EXPORT_COLUMNS = [
    "reference",
    "registered",
    "event_date",
    "direction",
    "reporter_org",
    "reporter_unit",
    "counterpart_org",
    "counterpart_unit",
    "category",
    "harm",
    "status",
    "status_at_tertial_end",
    "response_deadline",
    "closed",
    "handling_days",
    "answered_within_deadline",
    "imported",
]
# Deliberately absent: the patient identity (never leaves the app) and every free-text field,
# the title included. Titles are written in a hurry by clinicians and may describe a patient
# ("97 år gammel kvinne fra …"); a file can be forwarded beyond the access rules, so the rows
# carry codes and names of organisations only. The reference number finds the case in the app.


def export_rows(
    tertial: Tertial, scope: Scope, *where: ColumnElement[bool]
) -> Iterator[list[object]]:
    """One list per deviation registered in the tertial, in EXPORT_COLUMNS order, streamed.

    ``tertial`` is anything with ``start_utc`` and ``end_utc`` (Endring over tid passes a
    period of months), ``where`` narrows the rows further (its direction and category)."""
    from app.common.dates import local

    _, category_names = load_categories()
    units = all_unit_paths("nb")  # exports keep the Norwegian names the data is kept under
    end = tertial.end_utc
    query = (
        sa.select(
            Deviation.reference,
            Deviation.registered_at,
            Deviation.event_date,
            Deviation.direction,
            Deviation.reporter_org_name,
            Deviation.reporter_unit_id,
            Deviation.counterpart_org_name,
            Deviation.counterpart_unit_id,
            Deviation.category_id,
            Deviation.harm,
            Deviation.status,
            status_at(end),
            Deviation.response_deadline,
            Deviation.closed_at,
            Deviation.imported,
        )
        .where(
            Deviation.registered_at >= tertial.start_utc,
            Deviation.registered_at < end,
            scope.clause(),
            *where,
        )
        .order_by(Deviation.registered_at, Deviation.id)
        .execution_options(yield_per=2000)
    )
    for row in db.session.execute(query):
        (ref, registered, event_date, direction, reporter, r_unit, counterpart, c_unit,
         category_id, harm, status, status_end, deadline, closed, imported) = row  # fmt: skip
        days = within = None
        if closed is not None:
            days = (closed - registered) // timedelta(days=1)
            within = closed < deadline_end(deadline)
        yield [
            ref,
            local(registered).date(),
            event_date,
            report_labels.DIRECTIONS.get(direction.value, direction.value),
            reporter,
            units.get(r_unit, "") if r_unit else "",
            counterpart,
            units.get(c_unit, "") if c_unit else "",
            category_names.get(category_id, ""),
            report_labels.HARMS[harm.value],
            report_labels.STATUSES[status.value],
            report_labels.STATUSES.get(status_end, status_end),
            deadline,
            local(closed).date() if closed else None,
            days,
            None if within is None else ("ja" if within else "nei"),
            "ja" if imported else "nei",
        ]
