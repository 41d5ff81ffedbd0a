"""Organisations: create, rename, deadline, (de)activate, merge one into another, and who
staffs each one's mottak."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.admin.services.admin_log import log
from app.admin.services.names import NAME_MAX, clean_name, require_unique_name
from app.admin.services.users import update_user
from app.common import permissions
from app.common.errors import ServiceError
from app.extensions import db
from app.models import OPEN_STATUSES, Deviation, Organisation, OrgKind, Role, Unit, User, utcnow

RESPONSE_DAYS_MAX = 365


def _org_state(org: Organisation) -> dict[str, Any]:
    return {
        "name": org.name,
        "kind": org.kind.value,
        "active": org.active,
        "response_days": org.response_days,
        "merged_into_id": org.merged_into_id,
        "org_number": org.org_number,
        "sso_only": org.sso_only,
        "fallback_mottak": org.fallback_mottak,
    }


_ORG_NUMBER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def clean_org_number(value: str | None) -> str | None:
    """Enhetsregisteret's organisation number: nine digits, the last a mod-11 check digit
    (spaces allowed, "974 749 025"); None for empty. Refused with a message otherwise."""
    digits = "".join((value or "").split())
    if not digits:
        return None
    if len(digits) != 9 or not (digits.isascii() and digits.isdigit()):
        raise ServiceError(
            _l("Organisasjonsnummeret har ni sifre."), "org_number", "org_number_format"
        )
    remainder = sum(int(d) * w for d, w in zip(digits, _ORG_NUMBER_WEIGHTS, strict=False)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    if check == 10 or check != int(digits[8]):
        raise ServiceError(
            _l("Organisasjonsnummeret er ikke gyldig. Sjekk at alle sifrene er riktige."),
            "org_number",
            "org_number_check",
        )
    return digits


def _has_provider(org: Organisation) -> bool:
    from app.auth.services import single_sign_on

    return any(
        p.organisation == org.name or (p.organisation_claim and org.org_number)
        for p in single_sign_on.providers()
    )


def set_sign_in(
    actor: User, org: Organisation, *, org_number: str | None, sso_only: bool
) -> Organisation:
    """The organisation number a shared OpenID provider names it by, and whether its users
    sign in only through a provider (central admin: it decides who can get in at all)."""
    if not permissions.can(actor, "manage", Organisation):
        raise ServiceError(_l("Du har ikke lov til å gjøre denne endringen."), None, "forbidden")
    before = _org_state(org)
    number = clean_org_number(org_number)
    if number is not None and number != org.org_number:
        taken = db.session.scalar(
            sa.select(Organisation.name).where(
                Organisation.org_number == number, Organisation.id != org.id
            )
        )
        if taken:
            raise ServiceError(
                _l("%(name)s har allerede dette organisasjonsnummeret.", name=taken),
                "org_number",
                "org_number_taken",
            )
    org.org_number = number
    if sso_only and not _has_provider(org):
        raise ServiceError(
            _l(
                "Ingen innloggingstjeneste er koblet til organisasjonen. Uten en ville ingen av "
                "brukerne kunne logge inn."
            ),
            "sso_only",
            "no_provider",
        )
    org.sso_only = sso_only
    after = _org_state(org)
    if after != before:
        db.session.flush()
        log(actor, "organisation.sign_in", org, org.id, before, after)
    return org


def _require_free_name(name: str, exclude_id: int | None = None) -> None:
    query = sa.select(Organisation.name)
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    require_unique_name(name, query)


def _check_response_days(days: int) -> int:
    if days is None or not 1 <= days <= RESPONSE_DAYS_MAX:
        raise ServiceError(
            _l("Svarfristen må være mellom 1 og 365 dager."), "response_days", "days_range"
        )
    return days


def list_organisations(viewer: User) -> list[Organisation]:
    query = sa.select(Organisation).order_by(Organisation.active.desc(), Organisation.name)
    if not permissions.can(viewer, "see_all", permissions.ADMIN_AREA):
        query = query.where(Organisation.id == viewer.organisation_id)
    return list(db.session.scalars(query))


def create_organisation(actor: User, name: str, kind: OrgKind, response_days: int) -> Organisation:
    name = clean_name(name)
    _require_free_name(name)
    org = Organisation(name=name, kind=kind, response_days=_check_response_days(response_days))
    db.session.add(org)
    db.session.flush()
    log(actor, "organisation.create", org, org.id, None, _org_state(org))
    return org


def update_organisation(
    actor: User, org: Organisation, *, name: str | None = None, response_days: int | None = None
) -> Organisation:
    """Rename (central admin) and/or set the response deadline (admin or its lokal_admin).

    A rename changes only what new filings and screens show: every deviation keeps the
    organisation's name as it was when filed (Deviation.reporter_org_name/counterpart_org_name).
    """
    before = _org_state(org)
    if name is not None:
        name = clean_name(name)
        if name != org.name:
            if not permissions.can(actor, "manage", Organisation):
                raise ServiceError(
                    _l("Du har ikke lov til å gjøre denne endringen."), "name", "forbidden"
                )
            _require_free_name(name, exclude_id=org.id)
            org.name = name
    if response_days is not None:
        org.response_days = _check_response_days(response_days)
    after = _org_state(org)
    if after != before:
        db.session.flush()
        log(actor, "organisation.update", org, org.id, before, after)
    return org


def set_organisation_active(actor: User, org: Organisation, active: bool) -> Organisation:
    if org.merged_into_id is not None and active:
        raise ServiceError(
            _l("En sammenslått organisasjon kan ikke aktiveres igjen."), "active", "merged"
        )
    if org.id == actor.organisation_id and not active:
        raise ServiceError(_l("Du kan ikke deaktivere din egen organisasjon."), "active", "own_org")
    before = _org_state(org)
    org.active = active
    db.session.flush()
    log(actor, "organisation.activate" if active else "organisation.deactivate", org, org.id,
        before, _org_state(org))  # fmt: skip
    return org


# --- Merging -----------------------------------------------------------------------------------


@dataclass
class MergeResult:
    users: int = 0
    units: int = 0
    open_moved: int = 0
    left_between: list[str] = field(default_factory=list)


def merge_organisation(
    actor: User, source: Organisation, target: Organisation, now: datetime | None = None
) -> MergeResult:
    """Merge ``source`` into ``target`` (e.g. Leksvik into Indre Fosen).

    The rule:
    - ``source`` becomes inactive with ``merged_into_id = target``; its name stays as it was.
    - Its users move to ``target`` and keep their units (which move with them).
    - Its unit tree moves to ``target`` under a new top-level unit named after ``source``, so
      "Leksvik › Helse og omsorg › Hjemmetjenesten" never collides with the target's own units.
    - Its *open* deviations move: received ones into the target's mottak, sent ones to the
      target as reporting organisation. Closed ones stay with the organisation that handled
      them; the target's handlers still see them (permissions.org_lineage).
    - Open deviations between the two cannot move (an organisation does not report to
      itself); they stay as they are, listed in the result and the log.
    - No deviation's name snapshot changes: history and past tertials keep "Leksvik".
    """
    now = now or utcnow()
    if source.id == target.id:
        raise ServiceError(
            _l("En organisasjon kan ikke slås sammen med seg selv."), "target", "same"
        )
    if not source.active or source.merged_into_id is not None:
        raise ServiceError(
            _l("Organisasjonen er allerede inaktiv eller sammenslått."), "target", "source_inactive"
        )
    if not target.active:
        raise ServiceError(_l("Velg en aktiv organisasjon."), "target", "inactive")
    before = _org_state(source)
    result = MergeResult()

    # The units: one wrapper at the top of the target's tree, the source's roots under it.
    wrapper_name = source.name
    taken = {u.name for u in target.units if u.parent_id is None}
    suffix = 2
    while wrapper_name in taken:
        wrapper_name = f"{source.name} ({suffix})"
        suffix += 1
    source_units = list(source.units)
    wrapper = Unit(organisation_id=target.id, name=wrapper_name[:NAME_MAX])
    db.session.add(wrapper)
    db.session.flush()
    for unit in source_units:
        if unit.parent_id is None:
            unit.parent_id = wrapper.id
    # Through the ORM, not a bulk UPDATE, so loaded objects (the actor too) see the move.
    for unit in source_units:
        unit.organisation = target
    result.units = len(source_units)
    users = list(db.session.scalars(sa.select(User).where(User.organisation_id == source.id)))
    for user in users:
        user.organisation = target
    result.users = len(users)

    open_received = list(
        db.session.scalars(
            sa.select(Deviation).where(
                Deviation.counterpart_org_id == source.id, Deviation.status.in_(OPEN_STATUSES)
            )
        )
    )
    open_sent = list(
        db.session.scalars(
            sa.select(Deviation).where(
                Deviation.reporter_org_id == source.id, Deviation.status.in_(OPEN_STATUSES)
            )
        )
    )
    moved: list[str] = []
    for deviation in open_received:
        if deviation.reporter_org_id == target.id:
            result.left_between.append(deviation.reference)
            continue
        deviation.counterpart_org_id = target.id
        moved.append(deviation.reference)
    for deviation in open_sent:
        if deviation.counterpart_org_id == target.id:
            result.left_between.append(deviation.reference)
            continue
        deviation.reporter_org_id = target.id
        moved.append(deviation.reference)
    result.open_moved = len(moved)

    source.active = False
    source.merged_into_id = target.id
    db.session.flush()
    details = {
        "merged_into": target.name,
        "users_moved": result.users,
        "units_moved": result.units,
        "open_deviations_moved": sorted(moved),
        "open_deviations_left_between": sorted(result.left_between),
    }
    log(actor, "organisation.merge", source, source.id, before,
        {**_org_state(source), **details}, now=now)  # fmt: skip
    log(actor, "organisation.merge_in", target, target.id, None,
        {"merged_from": source.name, **details}, now=now)  # fmt: skip
    return result


# --- The fallback mottak ----------------------------------------------------------------------


def set_fallback_mottak(actor: User, org: Organisation | None) -> Organisation | None:
    """Name the helsefellesskap's fallback mottak (None: none). Central admin only. A mottak
    nobody staffs cannot be it: the cases it would take would be as unread as before."""
    from app.handling import fallback

    if not permissions.can(actor, "manage", Organisation):
        raise ServiceError(_l("Du har ikke lov til å gjøre denne endringen."), None, "forbidden")
    if org is not None:
        if not org.active:
            raise ServiceError(_l("Velg en aktiv organisasjon."), "organisation", "inactive")
        if not fallback.is_staffed(org.id):
            raise ServiceError(
                _l(
                    "Ingen er saksbehandler i mottaket hos %(name)s. Velg et mottak som har "
                    "saksbehandlere, eller sett noen til å ta imot der først.",
                    name=org.name,
                ),
                "organisation",
                "unstaffed",
            )
    current = db.session.scalar(sa.select(Organisation).where(Organisation.fallback_mottak))
    if current is org:
        return org
    # Clear before set: the unique index allows one flagged row at every statement.
    if current is not None:
        before = _org_state(current)
        current.fallback_mottak = False
        db.session.flush()
        log(actor, "organisation.fallback_mottak", current, current.id, before, _org_state(current))
    if org is not None:
        before = _org_state(org)
        org.fallback_mottak = True
        db.session.flush()
        log(actor, "organisation.fallback_mottak", org, org.id, before, _org_state(org))
    return org


# --- The mottak --------------------------------------------------------------------------------


def mottak_staff(org: Organisation) -> list[User]:
    """Who staffs the mottak: the organisation's active saksbehandlere."""
    return [u for u in active_users_of(org) if permissions.can(u, "open", permissions.INBOX)]


def active_users_of(org: Organisation) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(User.organisation_id == org.id, User.active).order_by(User.name)
        )
    )


def set_mottak_member(actor: User, user: User, member: bool) -> User:
    roles = set(user.roles) - {Role.MELDER}
    roles = roles | {Role.SAKSBEHANDLER} if member else roles - {Role.SAKSBEHANDLER}
    return update_user(actor, user, roles=roles)
