"""Who may do what: one table per resource, and three questions asked of them.

    can(user, action, obj)      may this user do this to that (obj: a loaded object, or for the
                                resources without one a class or sentinel below)
    visible(user, Model)        the same rule as a SQL condition, for lists (action "view" unless
                                told otherwise)
    require(user, action, obj)  404 unless can(...): a page does not exist for those who may not
                                see it

A *relation* is what a user is to an object (its reporter, a handler of the organisation that
received it, a member of the analysis team, …). Each relation is written once, as a Python test on
a loaded object and, beside it, the SQL condition on the object's table; ``can`` and ``visible``
both read them, so a list never shows what a page refuses, or the other way round. Each table says
which relations allow an action; a few actions also need the object in a given state (a *guard*,
written beside the table). Organisations that merged count as one: every relation between a
handler and a case, message, analysis or lesson reads the lineage of the handler's organisation
(``org_lineage``: it and those merged into it). The administration relations compare the
organisation itself (a merged organisation is inactive and its people have moved), and the
statistics of a handler count their own organisation's cases (``statistics/scope.py``).

The tables (quoted in docs; a test walks every row over every role on both databases):

Deviation and good story (one resource: both have the columns of ``parties()``)
    relations  reporter                        filed it
               receiving handler               saksbehandler of the counterpart organisation
               reporting handler               saksbehandler of the reporter's organisation
               past handler                    saksbehandler of an organisation that acted on it
                                               (deviations only)
    view                 reporter, receiving handler, reporting handler
    handle               receiving handler  (for a story: pass it on, share it)
    (the actions below are a deviation's only: a guard refuses them for a story)
    see_patient_id       reporter, receiving handler
    post_message         reporter, receiving handler
    write_internal_note  receiving handler
    view_access_log      receiving handler, reporting handler
    hear_moved_on        past handler  (told that a case moved on, though no longer shown it)
    start_analysis       receiving handler; guard: the deviation is not closed
    write_lesson         receiving handler; guard: the deviation is answered (besvart)
    rectify              receiving handler; guard: the deviation is not anonymised (correct
                         the patient number, remove a passage of text)

Deviation message (the caller has checked "view" on the deviation)
    relations  thread reader                   anyone, when the message is not internal
               writing organisation's handler  saksbehandler of the organisation that wrote it
    view                 thread reader, writing organisation's handler

Incident analysis (analyses hold no identity)
    relations  member                          on the team (the leader is a member)
               covered handler                 saksbehandler of an organisation that reported
                                               or received one of the covered deviations
               covered receiving handler       saksbehandler of an organisation that received
                                               one of the covered deviations
               improvement group               forbedringsgruppe
    view                 member, covered handler, improvement group  (admin: no)
    edit                 member
    write_lesson         covered receiving handler; guard: the analysis is ferdig

Lesson
    relations  reader                          anyone signed in, once it is published
               author                          wrote it
               organisation's handler          saksbehandler of the lesson's organisation
               improvement group               forbedringsgruppe
    view                 reader, author, organisation's handler, improvement group
    list_on_case         organisation's handler  (the deviation page's Læring panel)
    edit                 author; guard: waiting for review or sent back
    review               organisation's handler, improvement group; guard: waiting for
                         review, and not one's own
    withdraw             organisation's handler, improvement group; guard: published
    mark_in_report       improvement group; guard: published

Statistics (STATISTICS)
    relations  improvement group, admin, handler (saksbehandler)
    view                 improvement group, admin, handler
    view_all             improvement group, admin  (the others: their own organisation)

Mottak (INBOX)
    open                 handler

Privacy pages (PRIVACY)
    relations  privacy officer                 personvern
    open                 privacy officer

Administration
    relations  admin                           administrator: every organisation
               local admin                     lokal_admin
               organisation's local admin      lokal_admin of that very organisation
               user's local admin              lokal_admin of the user's organisation, the user
                                               not being an administrator
    ADMIN_AREA     open             admin, local admin
                   see_all          admin  (people, logs, sign-ins of every organisation)
    Organisation   administer       admin, organisation's local admin  (units, people, mottak,
                                    deadline)
                   manage           admin  (create, rename, deactivate, merge: the class or one)
    User           administer       admin, user's local admin
    LISTS          manage           admin  (categories and agreements are everyone's)
    ADMIN_LOG      read             admin, local admin
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement, False_, True_

from app.models import (
    Analysis,
    AnalysisDeviation,
    AnalysisMember,
    AnalysisStatus,
    Deviation,
    DeviationEvent,
    DeviationMessage,
    GoodStory,
    Lesson,
    LessonStatus,
    Organisation,
    Role,
    Status,
    User,
    UserRole,
)


def org_lineage(org_id: int) -> set[int]:
    """The organisation and every organisation merged into it, however many steps back.

    A merger moves open cases to the successor; closed ones stay with the organisation that
    existed then, and the successor's handlers still see (and may reopen) them.
    """
    from flask import g, has_request_context

    from app.extensions import db

    # A deviation page asks a dozen can() questions; walk the merger chain once per request.
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


class Actor:
    """What the rules need of the user, read once per question."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.signed_in = bool(user.is_authenticated)
        self.id = user.id if self.signed_in else None
        self.organisation_id = user.organisation_id if self.signed_in else None
        self.roles = frozenset(user.roles) if self.signed_in else frozenset()

    def holds(self, role: Role) -> bool:
        return role in self.roles

    @cached_property
    def lineage(self) -> set[int]:
        return org_lineage(self.organisation_id) if self.organisation_id is not None else set()


Test = Callable[[Actor, Any], bool]
Clause = Callable[[Actor, Any], ColumnElement[bool]]
# A condition on the object's state that an action needs besides a relation.
Guard = Callable[[Actor, Any], bool]


@dataclass(frozen=True)
class Relation:
    """What a user is to an object: the test on a loaded object and the same as SQL."""

    name: str
    test: Test = field(compare=False)
    clause: Clause = field(compare=False)

    def __repr__(self) -> str:
        return self.name


def _false(actor: Actor, model: Any) -> ColumnElement[bool]:
    return sa.false()


def _role(name: str, role: Role) -> Relation:
    """A relation held by a role alone, whatever the object."""
    return Relation(
        name,
        lambda actor, obj: actor.holds(role),
        lambda actor, model: sa.true() if actor.holds(role) else sa.false(),
    )


def _handler_of(name: str, column: str) -> Relation:
    """A saksbehandler of the organisation (or a predecessor merged into it) in ``column``."""
    return Relation(
        name,
        lambda actor, obj: (
            actor.holds(Role.SAKSBEHANDLER) and getattr(obj, column) in actor.lineage
        ),
        lambda actor, model: (
            getattr(model, column).in_(actor.lineage)
            if actor.holds(Role.SAKSBEHANDLER)
            else sa.false()
        ),
    )


IMPROVEMENT_GROUP = _role("forbedringsgruppe", Role.FORBEDRINGSGRUPPE)
HANDLER = _role("saksbehandler", Role.SAKSBEHANDLER)
ADMIN = _role("administrator", Role.ADMIN)
LOCAL_ADMIN = _role("lokal_admin", Role.LOKAL_ADMIN)
PRIVACY_OFFICER = _role("personvernombud", Role.PERSONVERN)


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
RECEIVING_HANDLER = _handler_of("saksbehandler_mottaker", "counterpart_org_id")
REPORTING_HANDLER = _handler_of("saksbehandler_melders_org", "reporter_org_id")
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
}


# --- Deviation messages -----------------------------------------------------------------------

THREAD_READER = Relation(
    "leser_av_saken",
    lambda actor, message: not message.internal,
    lambda actor, model: sa.not_(model.internal),
)
# After a merger the successor's handlers (often the same people) keep their notes; an
# organisation the case is later re-routed to never reads them.
WRITING_ORG_HANDLER = _handler_of("saksbehandler_forfatters_org", "author_org_id")

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
ORG_HANDLER = _handler_of("saksbehandler_i_organisasjonen", "organisation_id")

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


def _is_privacy_officer_clause() -> ColumnElement[bool]:
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
            sa.not_(_is_privacy_officer_clause()),
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


# --- The resources and the three questions ----------------------------------------------------


@dataclass(frozen=True)
class Resource:
    name: str
    table: Mapping[str, tuple[Relation, ...]]
    guards: Mapping[str, Guard] = field(default_factory=dict)

    def relations(self) -> list[Relation]:
        return list(dict.fromkeys(r for row in self.table.values() for r in row))


RESOURCES: dict[object, Resource] = {}


def _register(keys: Iterable[object], resource: Resource) -> None:
    for key in keys:
        RESOURCES[key] = resource


_register((Deviation, GoodStory), Resource("case", CASE, CASE_GUARDS))
_register((DeviationMessage,), Resource("message", MESSAGE))
_register((Analysis,), Resource("analysis", ANALYSIS, ANALYSIS_GUARDS))
_register((Lesson,), Resource("lesson", LESSON, LESSON_GUARDS))
_register((STATISTICS,), Resource("statistics", STATISTICS_ACCESS))
_register((INBOX,), Resource("inbox", INBOX_ACCESS))
_register((PRIVACY,), Resource("privacy", PRIVACY_ACCESS))
_register((ADMIN_AREA,), Resource("admin_area", ADMIN_AREA_ACCESS))
_register((Organisation,), Resource("organisation", ORGANISATION))
_register((User,), Resource("user", USER))
_register((LISTS,), Resource("lists", LISTS_ACCESS))
_register((ADMIN_LOG,), Resource("admin_log", ADMIN_LOG_ACCESS))


def resource_of(obj: object) -> Resource:
    """An object's resource; a model class or a sentinel stands for its resource as such."""
    key = obj if isinstance(obj, type | Sentinel) else type(obj)
    return RESOURCES[key]


def relations(user: User, obj: object, among: Iterable[Relation] | None = None) -> set[Relation]:
    """The user's relations to the object: one Actor (roles and organisation lineage read once),
    every relation of the object's resource tested (only those ``among``, when given: one of
    them needs a query). A class or sentinel has no columns, so only role relations hold for it.
    """
    return _held(Actor(user), obj, resource_of(obj).relations() if among is None else among)


def _held(actor: Actor, obj: object, among: Iterable[Relation]) -> set[Relation]:
    if isinstance(obj, type):
        among = [r for r in among if r in _ROLE_RELATIONS]
    return {r for r in among if r.test(actor, obj)}


_ROLE_RELATIONS = frozenset({IMPROVEMENT_GROUP, HANDLER, ADMIN, LOCAL_ADMIN, PRIVACY_OFFICER})


def can(user: User, action: str, obj: object) -> bool:
    """May the user do this to that. An action the resource's table lacks is a programming
    error (KeyError), never a silent no."""
    resource = resource_of(obj)
    allowed = resource.table[action]
    actor = Actor(user)
    guard = resource.guards.get(action)
    if guard is not None and not guard(actor, obj):
        return False
    # The first relation that holds answers: the rest (one is a query) need not be asked.
    return any(_held(actor, obj, [relation]) for relation in allowed)


def require(user: User, action: str, obj: object | None) -> None:
    """404, not 403, unless allowed: the page does not exist for those who may not use it.
    ``None`` (nothing found) is a 404 too, so a view loads and authorises in one line."""
    from flask import abort

    if obj is None or not can(user, action, obj):
        abort(404)


def visible(user: User, model: type, action: str = "view") -> ColumnElement[bool]:
    """The SQL condition on ``model`` for the objects ``can(user, action, obj)`` allows, built
    from the same relations, in the table's order. Guards are about the object's state: a list
    that needs one says so in its own WHERE (as the review queue asks for lessons waiting)."""
    actor = Actor(user)
    clauses = []
    for relation in resource_of(model).table[action]:
        clause = relation.clause(actor, model)
        if isinstance(clause, True_):
            return sa.true()
        if not isinstance(clause, False_):
            clauses.append(clause)
    return sa.or_(*clauses) if clauses else sa.false()


def any_visible(user: User, model: type) -> bool:
    """Whether the user may see at least one object of ``model``: for the navigation's links, so
    a role that sees every object costs no query and the others one EXISTS."""
    from app.extensions import db

    clause = visible(user, model)
    if isinstance(clause, True_):
        return True
    if isinstance(clause, False_):
        return False
    return bool(db.session.scalar(sa.select(sa.select(model.id).where(clause).exists())))


def grantable_roles(user: User) -> frozenset[Role]:
    if can(user, "see_all", ADMIN_AREA):
        return frozenset(set(Role) - {Role.MELDER})
    if can(user, "open", ADMIN_AREA):
        return LOCAL_GRANTABLE_ROLES
    return frozenset()


# Roles whose accounts must show the provider's stronger login (a provider's privileged_acr or
# privileged_amr) to sign in through it: they change who sees what, or see who read what.
STRONG_SIGN_IN_ROLES = frozenset({Role.ADMIN, Role.LOKAL_ADMIN, Role.PERSONVERN})


def needs_strong_sign_in(user: User) -> bool:
    return bool(user.roles & STRONG_SIGN_IN_ROLES)


def self_grantable_roles(user: User) -> frozenset[Role]:
    """What the user may give their own account: what they may grant, less the content roles."""
    return grantable_roles(user) - CONTENT_ROLES


def privacy_officers() -> ColumnElement[bool]:
    """SQL on ``User``: the accounts that are their organisation's data protection officer."""
    return _is_privacy_officer_clause()


def team_candidates(organisation_ids: Iterable[int]) -> ColumnElement[bool]:
    """SQL on ``User``: whom an analysis team member may find by address to add to the team:
    the people of the organisations already in the analysis, and analysts of any organisation
    (the pool teams are drawn from). Anyone else is "not found", whether they exist or not."""
    return sa.or_(
        User.organisation_id.in_(list(organisation_ids)),
        sa.exists().where(UserRole.user_id == User.id, UserRole.role == Role.ANALYTIKER),
    )


def staffs_mottak() -> ColumnElement[bool]:
    """SQL on ``User``: the accounts that staff a mottak (hold the relation ``HANDLER``)."""
    return sa.exists().where(UserRole.user_id == User.id, UserRole.role == Role.SAKSBEHANDLER)
