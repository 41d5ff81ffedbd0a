"""The relations to each resource and its table ``action → relations allowed`` (the tables are
quoted in the package's docstring)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.common.permissions.relations import (
    ADMIN,
    HANDLER,
    IMPROVEMENT_GROUP,
    LOCAL_ADMIN,
    PRIVACY_OFFICER,
    Actor,
    Guard,
    Relation,
    handler_of,
)
from app.models import (
    Analysis,
    AnalysisDeviation,
    AnalysisMember,
    AnalysisStatus,
    Deviation,
    DeviationEvent,
    LessonStatus,
    Role,
    Status,
    User,
    UserRole,
)

# --- Deviations and good stories ------------------------------------------------------------


def _colleagues(actor: Actor) -> sa.Select:
    return sa.select(User.id).where(User.organisation_id.in_(actor.lineage))


def _past_handler_clause(actor: Actor, model: Any) -> ColumnElement[bool]:
    if model is not Deviation or not actor.holds(Role.SAKSBEHANDLER):
        return sa.false()
    return sa.exists().where(
        DeviationEvent.deviation_id == Deviation.id,
        DeviationEvent.actor_id.in_(_colleagues(actor)),
    )


def _past_handler(actor: Actor, obj: Any) -> bool:
    from app.extensions import db

    if not isinstance(obj, Deviation) or not actor.holds(Role.SAKSBEHANDLER):
        return False
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    DeviationEvent.deviation_id == obj.id,
                    DeviationEvent.actor_id.in_(_colleagues(actor)),
                )
            )
        )
    )


REPORTER = Relation(
    "melder",
    lambda actor, obj: obj.reporter_id == actor.id,
    lambda actor, model: model.reporter_id == actor.id,
)
RECEIVING_HANDLER = handler_of("saksbehandler_mottaker", "counterpart_org_id")
REPORTING_HANDLER = handler_of("saksbehandler_melders_org", "reporter_org_id")
PAST_HANDLER = Relation("tidligere_saksbehandler", _past_handler, _past_handler_clause)

CASE = {
    "view": (REPORTER, RECEIVING_HANDLER, REPORTING_HANDLER),
    "handle": (RECEIVING_HANDLER,),
    "see_patient_id": (REPORTER, RECEIVING_HANDLER),
    "post_message": (REPORTER, RECEIVING_HANDLER),
    "write_internal_note": (RECEIVING_HANDLER,),
    "view_access_log": (RECEIVING_HANDLER, REPORTING_HANDLER),
    "hear_moved_on": (PAST_HANDLER,),
    "start_analysis": (RECEIVING_HANDLER,),
    "write_lesson": (RECEIVING_HANDLER,),
    "rectify": (RECEIVING_HANDLER,),
    "record_serious_notice": (RECEIVING_HANDLER,),
}


def _deviation(obj: Any) -> bool:
    return isinstance(obj, Deviation)


# A good story is only seen and handled (passed on, shared); the other actions are a deviation's.
CASE_GUARDS: dict[str, Guard] = {
    "see_patient_id": lambda actor, obj: _deviation(obj),
    "post_message": lambda actor, obj: _deviation(obj),
    "write_internal_note": lambda actor, obj: _deviation(obj),
    "view_access_log": lambda actor, obj: _deviation(obj),
    "hear_moved_on": lambda actor, obj: _deviation(obj),
    "start_analysis": lambda actor, obj: _deviation(obj) and not obj.is_closed,
    "write_lesson": lambda actor, obj: _deviation(obj) and obj.status is Status.BESVART,
    "rectify": lambda actor, obj: _deviation(obj) and obj.anonymised_at is None,
    "record_serious_notice": lambda actor, obj: (
        _deviation(obj) and obj.is_serious and obj.anonymised_at is None
    ),
}


# --- Deviation messages -----------------------------------------------------------------------

THREAD_READER = Relation(
    "leser_av_saken",
    lambda actor, message: not message.internal,
    lambda actor, model: sa.not_(model.internal),
)
# After a merger the successor's handlers (often the same people) keep their notes; an
# organisation the case is later re-routed to never reads them.
WRITING_ORG_HANDLER = handler_of("saksbehandler_forfatters_org", "author_org_id")

MESSAGE = {"view": (THREAD_READER, WRITING_ORG_HANDLER)}


# --- Incident analyses ------------------------------------------------------------------------


def _covers(actor: Actor, analysis: Analysis, columns: tuple[str, ...]) -> bool:
    if not actor.holds(Role.SAKSBEHANDLER):
        return False
    return any(
        getattr(link.deviation, column) in actor.lineage
        for link in analysis.links
        for column in columns
    )


def _covers_clause(actor: Actor, columns: tuple[str, ...]) -> ColumnElement[bool]:
    if not actor.holds(Role.SAKSBEHANDLER):
        return sa.false()
    # Correlated EXISTS, driven from the (few) analyses and their links: an IN over "every
    # deviation of my organisation" made SQLite walk hundreds of thousands of deviations on every
    # page view (the nav link asks this), 4.9 s at a million rows.
    return sa.exists().where(
        AnalysisDeviation.analysis_id == Analysis.id,
        Deviation.id == AnalysisDeviation.deviation_id,
        sa.or_(*(getattr(Deviation, column).in_(actor.lineage) for column in columns)),
    )


MEMBER = Relation(
    "teammedlem",
    lambda actor, analysis: actor.id in analysis.member_ids,
    lambda actor, model: sa.exists().where(
        AnalysisMember.analysis_id == Analysis.id, AnalysisMember.user_id == actor.id
    ),
)
_EITHER_SIDE = ("reporter_org_id", "counterpart_org_id")
COVERED_HANDLER = Relation(
    "saksbehandler_omfattet_org",
    lambda actor, analysis: _covers(actor, analysis, _EITHER_SIDE),
    lambda actor, model: _covers_clause(actor, _EITHER_SIDE),
)
COVERED_RECEIVING_HANDLER = Relation(
    "saksbehandler_mottaker_omfattet",
    lambda actor, analysis: _covers(actor, analysis, ("counterpart_org_id",)),
    lambda actor, model: _covers_clause(actor, ("counterpart_org_id",)),
)

ANALYSIS = {
    "view": (MEMBER, COVERED_HANDLER, IMPROVEMENT_GROUP),
    "edit": (MEMBER,),
    "write_lesson": (COVERED_RECEIVING_HANDLER,),
}
ANALYSIS_GUARDS: dict[str, Guard] = {
    "write_lesson": lambda actor, analysis: analysis.status is AnalysisStatus.FERDIG,
}


# --- Lessons ----------------------------------------------------------------------------------

READER = Relation(
    "leser",
    lambda actor, lesson: actor.signed_in and lesson.is_published,
    lambda actor, model: model.status == LessonStatus.PUBLISERT if actor.signed_in else sa.false(),
)
AUTHOR = Relation(
    "forfatter",
    lambda actor, lesson: actor.signed_in and lesson.author_id == actor.id,
    lambda actor, model: model.author_id == actor.id if actor.signed_in else sa.false(),
)
ORG_HANDLER = handler_of("saksbehandler_i_organisasjonen", "organisation_id")

LESSON = {
    "view": (READER, AUTHOR, ORG_HANDLER, IMPROVEMENT_GROUP),
    "list_on_case": (ORG_HANDLER,),
    "edit": (AUTHOR,),
    "review": (ORG_HANDLER, IMPROVEMENT_GROUP),
    "withdraw": (ORG_HANDLER, IMPROVEMENT_GROUP),
    "mark_in_report": (IMPROVEMENT_GROUP,),
}
LESSON_GUARDS: dict[str, Guard] = {
    "edit": lambda actor, lesson: lesson.is_editable,
    # A second handler of the organisation, or the improvement group: never the author.
    "review": lambda actor, lesson: (
        lesson.status is LessonStatus.TIL_VURDERING and lesson.author_id != actor.id
    ),
    "withdraw": lambda actor, lesson: lesson.is_published,
    # Whether the tertial report prints the lesson's text is the improvement group's call.
    "mark_in_report": lambda actor, lesson: lesson.is_published,
}


# --- Resources without an object: statistics, the mottak, privacy, administration -------------


@dataclass(frozen=True)
class Sentinel:
    """Stands for a resource that has no object: the question is about the user alone."""

    name: str

    def __repr__(self) -> str:
        return self.name


STATISTICS = Sentinel("STATISTICS")
INBOX = Sentinel("INBOX")
PRIVACY = Sentinel("PRIVACY")
ADMIN_AREA = Sentinel("ADMIN_AREA")
LISTS = Sentinel("LISTS")
ADMIN_LOG = Sentinel("ADMIN_LOG")

STATISTICS_ACCESS = {
    "view": (IMPROVEMENT_GROUP, ADMIN, HANDLER),
    "view_all": (IMPROVEMENT_GROUP, ADMIN),
    # A count links to the list of its cases only where the list shows them all: a handler's
    # statistics count their own organisation's cases, which they may see; the others' counts
    # cover cases they may not open, so they stay plain numbers (the page checks view_all too).
    "list_cases": (HANDLER,),
    # Where "/" and the sign-in lead: the improvement group's work is the statistics.
    "start_page": (IMPROVEMENT_GROUP,),
}
INBOX_ACCESS = {"open": (HANDLER,)}
# The organisation's data protection officer: its access log, and which of its cases carry a
# given patient's identity. Never the cases' content.
PRIVACY_ACCESS = {"open": (PRIVACY_OFFICER,)}

# admin: everything, every organisation. lokal_admin: the same for their own organisation only,
# and never the shared lists, organisations as such, or the admin role.
ORG_LOCAL_ADMIN = Relation(
    "lokal_admin_i_organisasjonen",
    lambda actor, org: actor.holds(Role.LOKAL_ADMIN) and org.id == actor.organisation_id,
    lambda actor, model: (
        model.id == actor.organisation_id if actor.holds(Role.LOKAL_ADMIN) else sa.false()
    ),
)


def _is_admin_clause() -> ColumnElement[bool]:
    return sa.exists().where(UserRole.user_id == User.id, UserRole.role == Role.ADMIN)


def is_privacy_officer_clause() -> ColumnElement[bool]:
    return sa.exists().where(UserRole.user_id == User.id, UserRole.role == Role.PERSONVERN)


# A lokal_admin keeps their own organisation's people, but never a central admin's account nor
# the data protection officer's, who watches the lokal_admin's grants: deactivating the officer
# or taking their second factor is the central admins' to do.
USER_LOCAL_ADMIN = Relation(
    "lokal_admin_for_brukeren",
    lambda actor, target: (
        actor.holds(Role.LOKAL_ADMIN)
        and target.organisation_id == actor.organisation_id
        and not target.has_role(Role.ADMIN)
        and not target.has_role(Role.PERSONVERN)
    ),
    lambda actor, model: (
        sa.and_(
            User.organisation_id == actor.organisation_id,
            sa.not_(_is_admin_clause()),
            sa.not_(is_privacy_officer_clause()),
        )
        if actor.holds(Role.LOKAL_ADMIN)
        else sa.false()
    ),
)

ADMIN_AREA_ACCESS = {
    "open": (ADMIN, LOCAL_ADMIN),
    # Lists of people, logs and sign-ins over every organisation, not only one's own.
    "see_all": (ADMIN,),
}
ORGANISATION = {
    "administer": (ADMIN, ORG_LOCAL_ADMIN),
    "manage": (ADMIN,),
}
USER = {"administer": (ADMIN, USER_LOCAL_ADMIN)}
LISTS_ACCESS = {"manage": (ADMIN,)}
ADMIN_LOG_ACCESS = {"read": (ADMIN, LOCAL_ADMIN)}

# Roles a lokal_admin may give or take. admin is central by definition; forbedringsgruppe sees
# statistics over every organisation, so it is the central committee's to grant.
LOCAL_GRANTABLE_ROLES = frozenset({Role.SAKSBEHANDLER, Role.ANALYTIKER, Role.LOKAL_ADMIN})
# Roles that open case content or patient identity (cases, analyses and lessons, which cases
# carry a patient): nobody gives one to themselves, and the organisation's data protection
# officer is told whenever someone is given one.
CONTENT_ROLES = frozenset({Role.SAKSBEHANDLER, Role.FORBEDRINGSGRUPPE, Role.PERSONVERN})
