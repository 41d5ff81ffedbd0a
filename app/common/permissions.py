"""Who may see what. Used by services, routes and templates alike, so they never disagree."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.models import Deviation, DeviationMessage, Role, User


def can_view_deviation(user: User, deviation: Deviation) -> bool:
    if deviation.reporter_id == user.id:
        return True
    if user.has_role(Role.SAKSBEHANDLER):
        return user.organisation_id in (deviation.counterpart_org_id, deviation.reporter_org_id)
    return False


def can_handle_deviation(user: User, deviation: Deviation) -> bool:
    return user.has_role(Role.SAKSBEHANDLER) and user.organisation_id == deviation.counterpart_org_id


def can_see_patient_id(user: User, deviation: Deviation) -> bool:
    """Only the reporter and the receiving organisation's handlers: they must find the patient."""
    return deviation.reporter_id == user.id or can_handle_deviation(user, deviation)


def visible_deviations(user: User) -> ColumnElement[bool]:
    """The same rule as can_view_deviation, as SQL for list queries."""
    clauses: list[ColumnElement[bool]] = [Deviation.reporter_id == user.id]
    if user.has_role(Role.SAKSBEHANDLER):
        clauses.append(Deviation.counterpart_org_id == user.organisation_id)
        clauses.append(Deviation.reporter_org_id == user.organisation_id)
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
    return user.has_role(Role.SAKSBEHANDLER) and user.organisation_id == message.author_org_id
