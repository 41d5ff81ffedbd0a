"""Who may see what. Used by services, routes and templates alike, so they never disagree."""

from __future__ import annotations

from enum import IntEnum, StrEnum

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.models import (
    Analysis,
    AnalysisDeviation,
    AnalysisMember,
    Deviation,
    DeviationMessage,
    GoodStory,
    Lesson,
    Organisation,
    Role,
    User,
)


def org_lineage(org_id: int) -> set[int]:
    """The organisation and every organisation merged into it, however many steps back.

    A merger moves open cases to the successor; closed ones stay with the organisation that
    existed then, and the successor's handlers still see (and may reopen) them.
    """
    from flask import g, has_request_context

    from app.extensions import db

    # A deviation page asks a dozen can_* questions; walk the merger chain once per request.
    cache: dict[int, set[int]] | None = None
    if has_request_context():
        cache = g.setdefault("org_lineage", {})
        if org_id in cache:
            return cache[org_id]
    lineage = {org_id}
    frontier = {org_id}
    while frontier:
        frontier = (
            set(
                db.session.scalars(
                    sa.select(Organisation.id).where(Organisation.merged_into_id.in_(frontier))
                )
            )
            - lineage
        )
        lineage |= frontier
    if cache is not None:
        cache[org_id] = lineage
    return lineage


def can_view_deviation(user: User, deviation: Deviation) -> bool:
    if deviation.reporter_id == user.id:
        return True
    if user.has_role(Role.SAKSBEHANDLER):
        lineage = org_lineage(user.organisation_id)
        return deviation.counterpart_org_id in lineage or deviation.reporter_org_id in lineage
    return False


def can_handle_deviation(user: User, deviation: Deviation) -> bool:
    return user.has_role(Role.SAKSBEHANDLER) and deviation.counterpart_org_id in org_lineage(
        user.organisation_id
    )


def has_handled(user: User, deviation: Deviation) -> bool:
    """The user is a handler of an organisation that has acted on the case: one it was
    re-routed away from may be told that it moved on, though no longer shown it."""
    from app.extensions import db
    from app.models import DeviationEvent

    if not user.has_role(Role.SAKSBEHANDLER):
        return False
    colleagues = sa.select(User.id).where(
        User.organisation_id.in_(org_lineage(user.organisation_id))
    )
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    DeviationEvent.deviation_id == deviation.id,
                    DeviationEvent.actor_id.in_(colleagues),
                )
            )
        )
    )


def can_see_patient_id(user: User, deviation: Deviation) -> bool:
    """Only the reporter and the receiving organisation's handlers: they must find the patient."""
    return deviation.reporter_id == user.id or can_handle_deviation(user, deviation)


def visible_deviations(user: User) -> ColumnElement[bool]:
    """The same rule as can_view_deviation, as SQL for list queries."""
    clauses: list[ColumnElement[bool]] = [Deviation.reporter_id == user.id]
    if user.has_role(Role.SAKSBEHANDLER):
        lineage = org_lineage(user.organisation_id)
        clauses.append(Deviation.counterpart_org_id.in_(lineage))
        clauses.append(Deviation.reporter_org_id.in_(lineage))
    return sa.or_(*clauses)


def is_handler(user: User) -> bool:
    return user.has_role(Role.SAKSBEHANDLER)


def can_view_statistics(user: User) -> bool:
    """Handlers see their own organisation's figures; the improvement group and admins all."""
    return bool(user.roles & {Role.FORBEDRINGSGRUPPE, Role.ADMIN, Role.SAKSBEHANDLER})


def can_post_message(user: User, deviation: Deviation) -> bool:
    """The thread is between the reporter and the receiving organisation's handlers."""
    return deviation.reporter_id == user.id or can_handle_deviation(user, deviation)


def can_write_internal_note(user: User, deviation: Deviation) -> bool:
    return can_handle_deviation(user, deviation)


def can_see_message(user: User, message: DeviationMessage) -> bool:
    """Callers have checked can_view_deviation. An internal note stays with the handlers of the
    organisation that wrote it: the reporter never sees it, nor does an organisation the case is
    later re-routed to."""
    if not message.internal:
        return True
    # After a merger the successor's handlers (often the same people) keep their notes.
    return user.has_role(Role.SAKSBEHANDLER) and message.author_org_id in org_lineage(
        user.organisation_id
    )


# --- Incident analyses -------------------------------------------------------------------------
#
# Who may do what with an analysis, as a table: the user's relation to the analysis → access.
# The strongest relation a user holds wins; a user with no relation gets a 404.
#
#   relation                                                      access
#   team member (the leader is a member)                          edit
#   saksbehandler of an organisation that reported or received
#     one of the covered deviations                               read
#   forbedringsgruppe (every analysis; analyses hold no identity) read
#   anyone else, admin included                                   none (404)


class AnalysisAccess(IntEnum):
    NONE = 0
    READ = 1
    EDIT = 2


class AnalysisRelation(StrEnum):
    MEMBER = "teammedlem"
    COVERED_ORG_HANDLER = "saksbehandler_omfattet_org"
    IMPROVEMENT_GROUP = "forbedringsgruppe"


ANALYSIS_ACCESS: dict[AnalysisRelation, AnalysisAccess] = {
    AnalysisRelation.MEMBER: AnalysisAccess.EDIT,
    AnalysisRelation.COVERED_ORG_HANDLER: AnalysisAccess.READ,
    AnalysisRelation.IMPROVEMENT_GROUP: AnalysisAccess.READ,
}


def analysis_relations(user: User, analysis: Analysis) -> set[AnalysisRelation]:
    relations: set[AnalysisRelation] = set()
    if user.id in analysis.member_ids:
        relations.add(AnalysisRelation.MEMBER)
    if user.has_role(Role.SAKSBEHANDLER) and any(
        user.organisation_id in (link.deviation.reporter_org_id, link.deviation.counterpart_org_id)
        for link in analysis.links
    ):
        relations.add(AnalysisRelation.COVERED_ORG_HANDLER)
    if user.has_role(Role.FORBEDRINGSGRUPPE):
        relations.add(AnalysisRelation.IMPROVEMENT_GROUP)
    return relations


def analysis_access(user: User, analysis: Analysis) -> AnalysisAccess:
    return max(
        (ANALYSIS_ACCESS[r] for r in analysis_relations(user, analysis)),
        default=AnalysisAccess.NONE,
    )


def can_view_analysis(user: User, analysis: Analysis) -> bool:
    return analysis_access(user, analysis) >= AnalysisAccess.READ


def can_edit_analysis(user: User, analysis: Analysis) -> bool:
    return analysis_access(user, analysis) >= AnalysisAccess.EDIT


def visible_analyses(user: User) -> ColumnElement[bool]:
    """The same table as can_view_analysis, as SQL for list queries."""
    if user.has_role(Role.FORBEDRINGSGRUPPE):
        return sa.true()
    return _visible_to(user.has_role(Role.SAKSBEHANDLER), user.id, user.organisation_id)


def _visible_to(handler: bool, user_id: object, organisation_id: object) -> ColumnElement[bool]:
    # Correlated EXISTS, driven from the (few) analyses and their links: an IN over "every
    # deviation of my organisation" made SQLite walk hundreds of thousands of deviations on every
    # page view (the nav link asks this), 4.9 s at a million rows.
    clauses: list[ColumnElement[bool]] = [
        sa.exists().where(
            AnalysisMember.analysis_id == Analysis.id, AnalysisMember.user_id == user_id
        )
    ]
    if handler:
        clauses.append(
            sa.exists().where(
                AnalysisDeviation.analysis_id == Analysis.id,
                Deviation.id == AnalysisDeviation.deviation_id,
                sa.or_(
                    Deviation.reporter_org_id == organisation_id,
                    Deviation.counterpart_org_id == organisation_id,
                ),
            )
        )
    return sa.or_(*clauses)


def may_see_any_analysis(user: User) -> bool:
    """For the navigation link: cheap role check first, one EXISTS query otherwise."""
    if user.has_role(Role.FORBEDRINGSGRUPPE):
        return True
    from app.extensions import db

    visible = _visible_to(user.has_role(Role.SAKSBEHANDLER), user.id, user.organisation_id)
    return bool(db.session.scalar(sa.select(sa.select(Analysis.id).where(visible).exists())))


def can_start_analysis(user: User, deviation: Deviation) -> bool:
    """The receiving organisation's handlers send a deviation to analysis, as they handle it."""
    return can_handle_deviation(user, deviation) and not deviation.is_closed


# --- Administration -------------------------------------------------------------------------
# admin: everything, every organisation. lokal_admin: the same for their own organisation
# only, and never the shared lists, organisations as such, or the admin role.

# Roles a lokal_admin may give or take. admin is central by definition; forbedringsgruppe sees
# statistics over every organisation, so it is the central committee's to grant.
LOCAL_GRANTABLE_ROLES = frozenset({Role.SAKSBEHANDLER, Role.ANALYTIKER, Role.LOKAL_ADMIN})


def is_central_admin(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMIN)


def can_administer(user: User) -> bool:
    """May open the administration pages at all."""
    return user.is_authenticated and (user.has_role(Role.ADMIN) or user.has_role(Role.LOKAL_ADMIN))


def can_administer_org(user: User, org: Organisation) -> bool:
    """Its units, users, mottak and response deadline."""
    if is_central_admin(user):
        return True
    return can_administer(user) and user.organisation_id == org.id


def can_manage_organisations(user: User) -> bool:
    """Create, rename, deactivate and merge organisations."""
    return is_central_admin(user)


def can_manage_lists(user: User) -> bool:
    """Categories and the cooperation agreements are shared by everyone: central only."""
    return is_central_admin(user)


def grantable_roles(user: User) -> frozenset[Role]:
    if is_central_admin(user):
        return frozenset(set(Role) - {Role.MELDER})
    if can_administer(user):
        return LOCAL_GRANTABLE_ROLES
    return frozenset()


def can_administer_user(actor: User, target: User) -> bool:
    """A lokal_admin keeps their own organisation's people, but never a central admin's account."""
    if is_central_admin(actor):
        return True
    return (
        can_administer(actor)
        and target.organisation_id == actor.organisation_id
        and not target.has_role(Role.ADMIN)
    )


def can_read_admin_log(user: User) -> bool:
    return can_administer(user)


# --- Privacy --------------------------------------------------------------------------------


def can_view_access_log(user: User, deviation: Deviation) -> bool:
    """Who read the case: the handlers of the organisation that reported it and of the one that
    received it (and their successors after a merger)."""
    if not user.has_role(Role.SAKSBEHANDLER):
        return False
    lineage = org_lineage(user.organisation_id)
    return deviation.counterpart_org_id in lineage or deviation.reporter_org_id in lineage


def is_privacy_officer(user: User) -> bool:
    """The organisation's data protection officer: its access log, and which of its cases carry
    a given patient's identity. Never the cases' content."""
    return user.is_authenticated and user.has_role(Role.PERSONVERN)


# --- Good stories and lessons -------------------------------------------------------------------
#
#   good story                    reporter   handler, either organisation   anyone else
#   read                          yes        yes                             no (404); the Læring
#                                                                            page once shared
#   pass on, share (counterpart)  no         the counterpart's handlers      no
#
#   lesson                        author     handler of its organisation    forbedringsgruppe   others
#   read before publication       yes        yes                             yes                 404
#   review (not one's own)        no         yes                             yes                 no
#   read once published           everyone logged in, on the Læring page, without the case


def can_view_story(user: User, story: GoodStory) -> bool:
    if story.reporter_id == user.id:
        return True
    if user.has_role(Role.SAKSBEHANDLER):
        lineage = org_lineage(user.organisation_id)
        return story.counterpart_org_id in lineage or story.reporter_org_id in lineage
    return False


def can_handle_story(user: User, story: GoodStory) -> bool:
    """The counterpart's mottak passes the story on and, with consent, shares it."""
    return user.has_role(Role.SAKSBEHANDLER) and story.counterpart_org_id in org_lineage(
        user.organisation_id
    )


def visible_stories(user: User) -> ColumnElement[bool]:
    """The same rule as can_view_story, as SQL."""
    clauses: list[ColumnElement[bool]] = [GoodStory.reporter_id == user.id]
    if user.has_role(Role.SAKSBEHANDLER):
        lineage = org_lineage(user.organisation_id)
        clauses.append(GoodStory.counterpart_org_id.in_(lineage))
        clauses.append(GoodStory.reporter_org_id.in_(lineage))
    return sa.or_(*clauses)


def can_write_lesson_from_deviation(user: User, deviation: Deviation) -> bool:
    """A handler of the receiving organisation, once the deviation is answered."""
    from app.models import Status

    return deviation.status is Status.BESVART and can_handle_deviation(user, deviation)


def can_write_lesson_from_analysis(user: User, analysis: Analysis) -> bool:
    """A handler of an organisation that received one of the deviations, once it is ferdig."""
    from app.models import AnalysisStatus

    if analysis.status is not AnalysisStatus.FERDIG or not user.has_role(Role.SAKSBEHANDLER):
        return False
    lineage = org_lineage(user.organisation_id)
    return any(link.deviation.counterpart_org_id in lineage for link in analysis.links)


def _reviews_for(user: User, lesson: Lesson) -> bool:
    if user.has_role(Role.FORBEDRINGSGRUPPE):
        return True
    return user.has_role(Role.SAKSBEHANDLER) and lesson.organisation_id in org_lineage(
        user.organisation_id
    )


def can_view_lesson(user: User, lesson: Lesson) -> bool:
    if lesson.is_published:
        return user.is_authenticated
    return lesson.author_id == user.id or _reviews_for(user, lesson)


def can_edit_lesson(user: User, lesson: Lesson) -> bool:
    return lesson.author_id == user.id and lesson.is_editable


def can_review_lesson(user: User, lesson: Lesson) -> bool:
    """A second handler of the organisation, or the improvement group: never the author."""
    from app.models import LessonStatus

    return (
        lesson.status is LessonStatus.TIL_VURDERING
        and lesson.author_id != user.id
        and _reviews_for(user, lesson)
    )


def can_withdraw_lesson(user: User, lesson: Lesson) -> bool:
    return lesson.is_published and _reviews_for(user, lesson)


def can_mark_in_report(user: User, lesson: Lesson) -> bool:
    """Whether the tertial report prints the lesson's text is the improvement group's call."""
    return lesson.is_published and user.has_role(Role.FORBEDRINGSGRUPPE)
