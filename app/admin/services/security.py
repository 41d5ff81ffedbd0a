"""What an administrator does about a user's security: the second factor and the sessions
(through app.auth.services, where sign-in lives), and reading the security log. Each change is
in the admin log and in the security log."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.admin.services.admin_log import log
from app.auth.services import Client, end_all_sessions, record
from app.auth.services import second_factor as totp
from app.auth.services.security_log import entries
from app.common import permissions
from app.common.errors import ServiceError
from app.models import SecurityEvent, SecurityLogEntry, User


def reset_second_factor(
    actor: User, user: User, client: Client, now: datetime | None = None
) -> User:
    """A lost phone: the second factor and recovery codes go, every session ends, and the
    user sets up a new app at their next password login (when REQUIRE_TOTP asks for it)."""
    if not user.has_second_factor:
        raise ServiceError(
            _l("Brukeren har ikke satt opp totrinnsinnlogging."), None, "no_second_factor"
        )
    ended = totp.reset(actor, user, client, now)
    log(actor, "user.reset_second_factor", user, user.organisation_id, {"second_factor": True},
        {"second_factor": False, "sessions_ended": ended}, label=user.email, now=now)  # fmt: skip
    return user


def end_user_sessions(actor: User, user: User, client: Client, now: datetime | None = None) -> int:
    """Log the user out everywhere (a lost or shared device)."""
    ended = end_all_sessions(user)
    record(
        SecurityEvent.SESSION_ENDED,
        user=user,
        client=client,
        actor=actor,
        detail="all_by_admin",
        now=now,
    )
    log(actor, "user.end_sessions", user, user.organisation_id, None,
        {"sessions_ended": ended}, label=user.email, now=now)  # fmt: skip
    return ended


def security_log(
    viewer: User, limit: int = 100, before_id: int | None = None, email: str = ""
) -> list[SecurityLogEntry]:
    """Newest first: all of it for a central admin, the own organisation's for a lokal_admin
    (failed attempts with an unknown address belong to no organisation: admins only)."""
    org_id = (
        None
        if permissions.can(viewer, "see_all", permissions.ADMIN_AREA)
        else viewer.organisation_id
    )
    return entries(org_id, limit=limit, before_id=before_id, email=email)
