"""Users: invite, change organisation, unit and roles, (de)activate, send a password link.

What a lokal_admin may change (no admin role, no other organisation) is enforced here as well
as in the routes, so a forged form cannot get round it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.admin import notify
from app.admin.services.admin_log import log
from app.admin.services.names import clean_name
from app.auth.services import create_user, end_all_sessions, find_user, revoke_tokens, send_link
from app.common import permissions
from app.common.errors import NotAllowed, ServiceError
from app.extensions import db
from app.models import Organisation, Role, TokenPurpose, Unit, User


def _user_state(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "organisation": user.organisation.name if user.organisation else None,
        "unit": user.unit.path if user.unit else None,
        "roles": sorted(r.value for r in user.roles - {Role.MELDER}),
        "active": user.active,
        "language": user.language,
    }


def list_users(viewer: User, organisation_id: int | None = None, query: str = "") -> list[User]:
    statement = sa.select(User).order_by(User.active.desc(), User.name).limit(500)
    if not permissions.can(viewer, "see_all", permissions.ADMIN_AREA):
        organisation_id = viewer.organisation_id
    if organisation_id is not None:
        statement = statement.where(User.organisation_id == organisation_id)
    query = query.strip().lower()
    if query:
        pattern = f"%{query}%"
        statement = statement.where(
            sa.or_(sa.func.lower(User.name).like(pattern), sa.func.lower(User.email).like(pattern))
        )
    return list(db.session.scalars(statement))


def _check_org_and_unit(
    actor: User, organisation_id: int, unit_id: int | None
) -> tuple[Organisation, Unit | None]:
    org = db.session.get(Organisation, organisation_id)
    if org is None or not org.active or not permissions.can(actor, "administer", org):
        raise ServiceError(
            _l("Valget finnes ikke lenger. Velg på nytt."), "organisation", "unknown"
        )
    unit = None
    if unit_id is not None:
        unit = db.session.get(Unit, unit_id)
        if unit is None or unit.organisation_id != org.id:
            raise ServiceError(
                _l("Enheten hører ikke til den valgte organisasjonen."), "unit", "wrong_org"
            )
        if not unit.active:
            raise ServiceError(_l("Velg en aktiv organisasjon."), "unit", "inactive")
    return org, unit


def _check_roles(actor: User, target: User | None, roles: set[Role]) -> set[Role]:
    """Roles the actor may not grant are neither given nor taken: they stay as they were.
    Nobody gives themselves a role that opens case content: another administrator must."""
    grantable = permissions.grantable_roles(actor)
    current = (set(target.roles) if target else set()) - {Role.MELDER}
    wanted = set(roles) - {Role.MELDER}
    if wanted - grantable - current:
        raise ServiceError(_l("Du har ikke lov til å gjøre denne endringen."), "roles", "forbidden")
    if target is not None and target.id == actor.id:
        own = (wanted - current) - permissions.self_grantable_roles(actor)
        if own:
            raise ServiceError(
                _l(
                    "Du kan ikke gi deg selv en rolle som gir tilgang til avvik. Be en annen "
                    "administrator om det."
                ),
                "roles",
                "own_content_role",
            )
    return (wanted & grantable) | (current - grantable)


def _tell_privacy_officers(actor: User, user: User, before: set[Role]) -> None:
    gained = (user.roles - before) & permissions.CONTENT_ROLES
    if gained:
        notify.content_role_granted(actor, user, gained)


def invite_user(
    actor: User,
    email: str,
    name: str,
    organisation_id: int,
    unit_id: int | None,
    roles: set[Role],
    language: str = "nb",
    now: datetime | None = None,
) -> User:
    """Create the account without a password and mail a 72-hour link to choose one."""
    email = (email or "").strip().lower()
    if find_user(email) is not None:
        raise ServiceError(
            _l("Det finnes allerede en bruker med denne e-postadressen."), "email", "taken"
        )
    name = clean_name(name)
    org, unit = _check_org_and_unit(actor, organisation_id, unit_id)
    roles = _check_roles(actor, None, roles)
    user = create_user(email, name, org, None, roles, unit)
    user.language = language
    db.session.flush()
    _tell_privacy_officers(actor, user, set())
    send_link(user, TokenPurpose.INVITATION, now)
    log(actor, "user.invite", user, org.id, None, _user_state(user), label=user.email, now=now)
    return user


def update_user(
    actor: User,
    user: User,
    *,
    name: str | None = None,
    organisation_id: int | None = None,
    unit_id: Any = ...,  # ... leaves the unit as it is; None removes it
    roles: set[Role] | None = None,
) -> User:
    before = _user_state(user)
    roles_before = set(user.roles)
    old_org_id = user.organisation_id
    if name is not None:
        user.name = clean_name(name)
    if organisation_id is not None or unit_id is not ...:
        org_id = organisation_id if organisation_id is not None else user.organisation_id
        new_unit_id = user.unit_id if unit_id is ... else unit_id
        if org_id != user.organisation_id and new_unit_id == user.unit_id:
            new_unit_id = None  # the old unit belongs to the old organisation
        org, unit = _check_org_and_unit(actor, org_id, new_unit_id)  # type: ignore[arg-type]
        if org.id != user.organisation_id and not permissions.can(
            actor, "see_all", permissions.ADMIN_AREA
        ):
            raise ServiceError(
                _l("Valget finnes ikke lenger. Velg på nytt."), "organisation", "unknown"
            )
        user.organisation = org
        user.unit = unit
    if roles is not None:
        if (
            user.id == actor.id
            and permissions.can(user, "see_all", permissions.ADMIN_AREA)  # a central admin now
            and Role.ADMIN not in roles
        ):
            raise ServiceError(
                _l("Du kan ikke fjerne din egen administratorrolle."), "roles", "own_admin"
            )
        user.set_roles(_check_roles(actor, user, roles))
    db.session.flush()
    _tell_privacy_officers(actor, user, roles_before)
    after = _user_state(user)
    if after != before:
        log(actor, "user.update", user, user.organisation_id, before, after, label=user.email)
        if old_org_id != user.organisation_id:
            # The old organisation's lokal_admin sees that someone left.
            log(actor, "user.leave", user, old_org_id, before, after, label=user.email)
    return user


def set_user_active(actor: User, user: User, active: bool, now: datetime | None = None) -> User:
    """A deactivated user cannot log in and no old link works; their history stays."""
    if not permissions.can(actor, "administer", user):
        raise NotAllowed(user.id)  # a lokal_admin and the data protection officer, say
    if user.id == actor.id and not active:
        raise ServiceError(_l("Du kan ikke deaktivere din egen konto."), "active", "self")
    before = _user_state(user)
    user.active = active
    if not active:
        revoke_tokens(user, now)
        end_all_sessions(user)
    db.session.flush()
    log(actor, "user.activate" if active else "user.deactivate", user, user.organisation_id,
        before, _user_state(user), label=user.email, now=now)  # fmt: skip
    return user


def send_password_reset(actor: User, user: User, now: datetime | None = None) -> None:
    if not user.active:
        raise ServiceError(
            _l("Brukeren er deaktivert. Aktiver kontoen først."), "active", "inactive_user"
        )
    # Someone who never set a password gets a fresh invitation instead.
    purpose = TokenPurpose.RESET if user.password_hash else TokenPurpose.INVITATION
    send_link(user, purpose, now)
    log(actor, f"user.send_{purpose.value}", user, user.organisation_id, None,
        {"link": purpose.value}, label=user.email, now=now)  # fmt: skip
