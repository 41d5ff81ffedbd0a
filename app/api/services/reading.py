"""What the API reads: the same queries as the pages (the inbox's keyset pages, the
statistics page's summary, the Læring page's lists), shaped as plain data for the schemas."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload, selectinload

from app.api import access
from app.api.access import ApiActor
from app.common.names import all_unit_paths, localized_name
from app.deviations.history import HISTORY_LOADS, history_line
from app.extensions import db
from app.handling import serious, workflow
from app.handling import services as handling
from app.learning.services import community
from app.models import (
    AccessAction,
    Agreement,
    Category,
    Deviation,
    DeviationMessage,
    Organisation,
    SeriousNotice,
    Status,
    Unit,
)
from app.models.deviation import SERIOUS_HARMS
from app.privacy.access_log import record_access
from app.statistics import services as statistics
from app.statistics.services.scope import scope_for
from reports import Tertial


def deviation_url(reference: str) -> str:
    return url_for("api.deviation", reference=reference, _external=True)


def deviation_page(actor: ApiActor, query: dict[str, Any]) -> dict[str, Any]:
    """The inbox's keyset page: received (with its filters and sort orders) or sent."""
    sent = query["box"] == "sent"
    filters = handling.InboxFilter(
        status=query["status"],
        category_id=query["category_id"],
        harm=query["harm"],
        sort=handling.SORT_DEADLINE
        if query["sort"] == "deadline" and not sent
        else handling.SORT_NEWEST,
    )
    page = handling.inbox_page(
        actor,  # type: ignore[arg-type]
        filters,
        cursor=query["after"],
        page_size=query["limit"],
        sent=sent,
    )
    notices = _notice_summaries([row.id for row in page.items if row.harm in SERIOUS_HARMS])
    items = [
        {
            **asdict(row),
            "url": deviation_url(row.reference),
            "serious": row.harm in SERIOUS_HARMS,
            "serious_notice": notices.get(row.id),
        }
        for row in page.items
    ]
    next_url = None
    if page.next_cursor:
        args = {k: v for k, v in query.items() if v is not None and k != "after"}
        args = {k: (v.value if isinstance(v, Status) else v) for k, v in args.items()}
        next_url = url_for("api.deviations", after=page.next_cursor, _external=True, **args)
    return {"items": items, "next_cursor": page.next_cursor, "next": next_url}


def _notice_summaries(ids: list[int]) -> dict[int, dict[str, Any]]:
    """The recorded notices of a page's serious events, by case id: one query over the few
    serious rows (none at all for a page without one), and none of the texts typed with them."""
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(
            SeriousNotice.deviation_id,
            SeriousNotice.notifiable,
            SeriousNotice.notified_on,
            SeriousNotice.recorded_at,
        ).where(SeriousNotice.deviation_id.in_(ids))
    )
    return {
        row.deviation_id: {
            "notifiable": row.notifiable,
            "notified_on": row.notified_on,
            "recorded_at": row.recorded_at,
        }
        for row in rows
    }


def _serious_notice(deviation: Deviation) -> dict[str, Any] | None:
    if not deviation.is_serious:
        return None
    notice = serious.notice_of(deviation)
    if notice is None:
        return None
    return {
        "notifiable": notice.notifiable,
        "notified_on": notice.notified_on,
        "recorded_at": notice.recorded_at,
        "notified_by": notice.notified_by,
        "reference": notice.reference,
        "reason": notice.reason,
        "recorded_by": notice.recorded_by.name if notice.recorded_by is not None else None,
    }


def visible_deviation(
    actor: ApiActor, reference: str, *, to_write: bool = False
) -> Deviation | None:
    query = sa.select(Deviation).where(Deviation.reference == reference)
    if not to_write:
        # Not for a write: the workflow locks the row (FOR UPDATE), which PostgreSQL refuses
        # on a query with outer joins.
        query = query.options(
            joinedload(Deviation.category),
            joinedload(Deviation.agreement),
            HISTORY_LOADS,
            selectinload(Deviation.messages).joinedload(DeviationMessage.author),
        )
    deviation = db.session.scalar(query)
    if deviation is None or not access.can_read_deviation(actor, deviation):
        return None
    return deviation


def note_reading(actor: ApiActor, deviation: Deviation) -> None:
    """The access log's row for the case, as the page writes one. Flushes nothing."""
    record_access(actor, AccessAction.DEVIATION_VIEWED, deviation=deviation)  # type: ignore[arg-type]


def deviation_body(actor: ApiActor, deviation: Deviation) -> dict[str, Any]:
    units = all_unit_paths()

    def named(obj: Category | Agreement | None) -> dict[str, Any] | None:
        return {"id": obj.id, "name": localized_name(obj)} if obj is not None else None

    return {
        "reference": deviation.reference,
        "url": deviation_url(deviation.reference),
        "registered_at": deviation.registered_at,
        "event_date": deviation.event_date,
        "status": deviation.status,
        "direction": deviation.direction,
        "harm": deviation.harm,
        "serious": deviation.is_serious,
        "serious_notice": _serious_notice(deviation),
        "category": named(deviation.category),
        "agreement": named(deviation.agreement),
        "title": deviation.title,
        "description": deviation.description,
        "immediate_action": deviation.immediate_action,
        "suggestion": deviation.suggestion,
        "reporter_organisation": {
            "id": deviation.reporter_org_id,
            "name": deviation.reporter_org_name,
        },
        "reporter_unit": units.get(deviation.reporter_unit_id),
        "counterpart_organisation": {
            "id": deviation.counterpart_org_id,
            "name": deviation.counterpart_org_name,
        },
        "counterpart_unit": units.get(deviation.counterpart_unit_id),
        "forwarded_unit": units.get(deviation.forwarded_unit_id),
        "response_deadline": deviation.response_deadline,
        "response": deviation.response,
        "closed_at": deviation.closed_at,
        "version": deviation.version,
        "moves": [m.value for m in workflow.allowed_moves(deviation, actor)],  # type: ignore[arg-type]
        "history": [
            {
                "at": event.at,
                "kind": event.kind.value,
                "from_status": event.from_status,
                "to_status": event.to_status,
                # A coded row's line in the client's language (Accept-Language), then what
                # was typed; "line" is the code it is drawn from. Other rows: as stored.
                "text": history_line(event) if event.line else event.text,
                "line": event.line,
                "actor": event.actor.name if event.actor is not None else None,
            }
            for event in deviation.events
        ],
        "messages": [
            {
                "id": message.id,
                "at": message.at,
                "author": message.author.name if message.author is not None else None,
                "author_organisation": _org_name(message.author_org_id, deviation),
                "from_reporter": message.author_id is not None
                and message.author_id == deviation.reporter_id,
                "body": message.body,
            }
            for message in deviation.messages
            if access.shows_message(actor, message)
        ],
    }


def _org_name(org_id: int, deviation: Deviation) -> str:
    if org_id == deviation.reporter_org_id:
        return deviation.reporter_org_name
    if org_id == deviation.counterpart_org_id:
        return deviation.counterpart_org_name
    org = db.session.get(Organisation, org_id)
    return org.name if org is not None else ""


def categories() -> list[dict[str, Any]]:
    found = db.session.scalars(sa.select(Category).order_by(Category.position, Category.name))
    return [
        {"id": category.id, "name": localized_name(category), "active": category.active}
        for category in found
    ]


def organisations() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))


def units_of(organisation_id: int) -> list[dict[str, Any]] | None:
    if db.session.get(Organisation, organisation_id) is None:
        return None
    paths = all_unit_paths()
    rows = db.session.scalars(
        sa.select(Unit).where(Unit.organisation_id == organisation_id).order_by(Unit.id)
    )
    return [
        {
            "id": unit.id,
            "organisation_id": unit.organisation_id,
            "parent_id": unit.parent_id,
            "name": localized_name(unit),
            "path": paths.get(unit.id, localized_name(unit)),
            "active": unit.active,
        }
        for unit in rows
    ]


def tertial_figures(actor: ApiActor, tertial: Tertial) -> dict[str, Any]:
    """The statistics page's summary for the token's organisation, in the request's language."""
    from app.common.translations import report_language

    summary = statistics.tertial_summary(tertial, scope_for(actor), report_language())  # type: ignore[arg-type]

    def rows(values: list[Any]) -> list[dict[str, Any]]:
        return [
            {"key": r.key, "label": r.label, "count": r.count, "share": r.share} for r in values
        ]

    return {
        "tertial": tertial.code,
        "scope": summary.scope,
        "total": summary.total,
        "vs_previous": asdict(summary.vs_previous),
        "vs_last_year": asdict(summary.vs_last_year),
        "by_direction": rows(summary.by_direction),
        "by_reporter_org": rows(summary.by_reporter_org),
        "by_counterpart_org": rows(summary.by_counterpart_org),
        "by_hospital_unit": rows(summary.by_hospital_unit),
        "by_category": rows(summary.by_category),
        "by_harm": rows(summary.by_harm),
        "status_at_end": rows(summary.status_at_end),
        "answered": summary.answered,
        "median_days": summary.median_days,
        "p90_days": summary.p90_days,
        "answered_within_deadline": summary.answered_within_deadline,
        "within_deadline_share": summary.within_deadline_share,
        "open_at_end": summary.open_at_end,
        "overdue_at_end": summary.overdue_at_end,
    }


def learning_page(kind: str, page: int, page_size: int = 20) -> community.CommunityPage:
    """Published lessons or shared good stories: what the Læring page shows everyone."""
    return community.page_of(community.CommunityFilter(kind=kind), page=page, page_size=page_size)


KIND_LESSON = community.KIND_LESSON
KIND_STORY = community.KIND_STORY
