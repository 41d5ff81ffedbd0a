"""Who may see what. Used by services, routes and templates alike, so they never disagree."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.models import Deviation, DeviationMessage, Organisation, Role, User


def org_lineage(org_id: int) -> set[int]:
    """The organisation and every organisation merged into it, however many steps back.

    A merger moves open cases to the successor; closed ones stay with the organisation that
    existed then, and the successor's handlers still see (and may reopen) them.
    """
    from app.extensions import db

    lineage = {org_id}
    frontier = {org_id}
    while frontier:
        frontier = set(
            db.session.scalars(
                sa.select(Organisation.id).where(Organisation.merged_into_id.in_(frontier))
            )
        ) - lineage
        lineage |= frontier
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
