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
                   manage           admin  (create, rename, deactivate, merge: the class or one;
                                    name the fallback mottak)
    User           administer       admin, user's local admin
    LISTS          manage           admin  (categories and agreements are everyone's)
    ADMIN_LOG      read             admin, local admin
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement, False_, True_

from app.common.permissions.relations import (  # noqa: F401  (the package's public names)
    ADMIN,
    HANDLER,
    IMPROVEMENT_GROUP,
    LOCAL_ADMIN,
    PRIVACY_OFFICER,
    Actor,
    Relation,
    org_lineage,
)
from app.common.permissions.tables import *
from app.models import (
    Analysis,
    Deviation,
    DeviationMessage,
    GoodStory,
    Lesson,
    Organisation,
    Role,
    User,
    UserRole,
)

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
    return is_privacy_officer_clause()


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


def central_admins() -> ColumnElement[bool]:
    """SQL on ``User``: the central administrators (relation ``ADMIN``), who are told when a
    case reaches no mottak at all and only they can name one."""
    return sa.exists().where(UserRole.user_id == User.id, UserRole.role == Role.ADMIN)
