"""Filing a deviation: reference number, routing, deadline, protected patient identity."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached
from wtforms.fields.choices import SelectChoice

from app.common.crypto import patient_cipher
from app.common.dates import local
from app.common.direct_sql import DirectInsert, DirectStatement, session_connection
from app.common.identity import find_in_text
from app.common.identity import is_valid as is_valid_identity
from app.common.identity import normalise as normalise_identity
from app.extensions import db
from app.handling import notify
from app.models import (
    Agreement,
    Category,
    Deviation,
    DeviationEvent,
    Direction,
    EventKind,
    Harm,
    Organisation,
    OrgKind,
    ReferenceCounter,
    Status,
    Unit,
    User,
    utcnow,
)
from app.models.organisation import unit_paths

FREE_TEXT_FIELDS = ("title", "description", "immediate_action", "suggestion")


class FilingError(ValueError):
    """A rule the input breaks; ``field`` names the form field to show it beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class DeviationInput:
    counterpart_org_id: int
    event_date: date
    category_id: int
    harm: Harm
    title: str
    description: str
    counterpart_unit_id: int | None = None
    immediate_action: str = ""
    suggestion: str = ""
    agreement_id: int | None = None
    patient_id: str | None = None


def direction_between(reporter: Organisation, counterpart: Organisation) -> Direction:
    kinds = (reporter.kind, counterpart.kind)
    if kinds == (OrgKind.KOMMUNE, OrgKind.SYKEHUS):
        return Direction.KOMMUNE_SYKEHUS
    if kinds == (OrgKind.SYKEHUS, OrgKind.KOMMUNE):
        return Direction.SYKEHUS_KOMMUNE
    if kinds == (OrgKind.KOMMUNE, OrgKind.KOMMUNE):
        return Direction.KOMMUNE_KOMMUNE
    return Direction.ANNET


def response_deadline(organisation: Organisation, registered_on: date) -> date:
    return registered_on + timedelta(days=organisation.response_days)


def reserve_references(year: int, count: int = 1) -> int:
    """Take ``count`` consecutive numbers of the year; returns the last one taken.

    One upsert: it creates the year's row or advances it, and holds the row's write lock until
    commit, so concurrent filings, imports and generators serialise on it (PostgreSQL row lock,
    SQLite database lock) and never share a number, across processes and servers.
    """
    return _RESERVE.scalar(session_connection(), {"year": year, "count": count})


def _reserve_statement(dialect: sa.Dialect) -> sa.Insert:
    insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    table = ReferenceCounter.__table__
    statement = insert(table).values(
        year=sa.bindparam("year"), last_number=sa.bindparam("count")
    )
    return statement.on_conflict_do_update(
        index_elements=["year"],
        set_={"last_number": table.c.last_number + statement.excluded.last_number},
    ).returning(table.c.last_number)


def next_reference(year: int) -> tuple[int, str]:
    """The next number of the year and its reference, e.g. (42, "AV-2026-00042")."""
    number = reserve_references(year)
    return number, format_reference(year, number)


def format_reference(year: int, number: int) -> str:
    return f"AV-{year}-{number:05d}"


def check_free_text(values: dict[str, str | None]) -> None:
    for field, value in values.items():
        if find_in_text(value):
            raise FilingError(field, "identity")


# Built once: every filing runs them, and building a statement costs more than running it. They
# run through app.common.direct_sql: SQLAlchemy's execution path cost more than SQLite's part.
# One read checks everything the form picked (a scalar subquery gives NULL for an id not found)
# and finds who staffs the counterpart's mottak: one row per handler, or one with none.
_STAFF = notify.MOTTAK_STAFF.subquery("staff")
_PICKED = DirectStatement(
    lambda dialect: sa.select(
        Organisation.id,
        Organisation.name,
        Organisation.kind,
        Organisation.active,
        Organisation.response_days,
        sa.select(Unit.organisation_id)
        .where(Unit.id == sa.bindparam("unit_id"), Unit.active)
        .scalar_subquery()
        .label("unit_org_id"),
        sa.select(Category.active)
        .where(Category.id == sa.bindparam("category_id"))
        .scalar_subquery()
        .label("category_active"),
        sa.select(Agreement.active)
        .where(Agreement.id == sa.bindparam("agreement_id"))
        .scalar_subquery()
        .label("agreement_active"),
        _STAFF.c.id.label("handler_id"),
        _STAFF.c.email.label("handler_email"),
        _STAFF.c.language.label("handler_language"),
    )
    .outerjoin(_STAFF, _STAFF.c.organisation_id == Organisation.id)
    .where(Organisation.id == sa.bindparam("org_id"))
    .order_by(_STAFF.c.id)
)
_RESERVE = DirectStatement(_reserve_statement)
# The columns are the keys of the values each filing writes.
_INSERT_DEVIATION = DirectInsert(Deviation.__table__, returning="id")
_INSERT_CREATED = DirectInsert(DeviationEvent.__table__)


def file_deviation(reporter: User, data: DeviationInput, now: datetime | None = None) -> Deviation:
    """Route a new deviation to the counterpart's mottak, in the session's transaction; the
    caller commits.

    Returns a normal persistent Deviation, built from the values written rather than read back;
    columns not set here load on first access.
    """
    values = record_filing(reporter, data, now)
    deviation = Deviation(**values)
    make_transient_to_detached(deviation)
    db.session.add(deviation)
    return deviation


def record_filing(reporter: User, data: DeviationInput, now: datetime | None = None) -> dict:
    """file_deviation without the ORM object: the values written, ``reference`` and ``id``
    among them. The filing route needs only the reference, and this is its hot path."""
    now = now or utcnow()
    today = local(now).date()
    connection = session_connection()
    rows = _PICKED.rows(
        connection,
        {
            "org_id": data.counterpart_org_id,
            "unit_id": data.counterpart_unit_id,
            "category_id": data.category_id,
            "agreement_id": data.agreement_id,
        },
    )
    counterpart = rows[0] if rows else None
    if counterpart is None or not counterpart.active:
        raise FilingError("counterpart_org", "unknown")
    if counterpart.id == reporter.organisation_id:
        raise FilingError("counterpart_org", "self")
    if data.counterpart_unit_id is not None and counterpart.unit_org_id != counterpart.id:
        raise FilingError("counterpart_unit", "unknown")
    if data.event_date > today:
        raise FilingError("event_date", "future")
    if not counterpart.category_active:
        raise FilingError("category", "unknown")
    if data.agreement_id is not None and not counterpart.agreement_active:
        raise FilingError("agreement", "unknown")
    check_free_text({f: getattr(data, f) for f in FREE_TEXT_FIELDS})

    token = None
    if data.patient_id:
        patient_id = normalise_identity(data.patient_id)
        if not is_valid_identity(patient_id):
            raise FilingError("patient_id", "invalid")
        token = patient_cipher().encrypt(patient_id)

    reporter_org = reporter.organisation
    recipients = [
        notify.Recipient(row.handler_id, row.handler_email, row.handler_language)
        for row in rows
        if row.handler_id is not None
    ]
    values = {
        "year": today.year,
        "registered_at": now,
        "event_date": data.event_date,
        "reporter_id": reporter.id,
        "reporter_org_id": reporter_org.id,
        "reporter_org_name": reporter_org.name,
        "reporter_unit_id": reporter.unit_id,
        "counterpart_org_id": counterpart.id,
        "counterpart_org_name": counterpart.name,
        "counterpart_unit_id": data.counterpart_unit_id,
        "direction": direction_between(reporter_org, counterpart),
        "category_id": data.category_id,
        "agreement_id": data.agreement_id,
        "harm": data.harm,
        "title": data.title.strip(),
        "description": data.description.strip(),
        "immediate_action": data.immediate_action.strip(),
        "suggestion": data.suggestion.strip(),
        "status": Status.SENDT,
        "response_deadline": response_deadline(counterpart, today),
        "patient_id_token": token,
        "imported": False,
        "version": 1,
    }
    # Everything above only reads. From the first write below to the caller's commit the
    # database's write lock is held and every other filing waits (on SQLite, in every worker):
    # this part does nothing but the writes, straight on the DBAPI cursor (app.common.direct_sql).
    values["number"], values["reference"] = next_reference(today.year)
    values["id"] = _INSERT_DEVIATION.scalar(connection, values)
    _INSERT_CREATED.run(
        connection,
        {
            "deviation_id": values["id"],
            "at": now,
            "actor_id": reporter.id,
            "kind": EventKind.CREATED,
            "to_status": Status.SENDT,
            "text": counterpart.name,
        },
    )
    notify.queue(notify.Notice.NEW, values["reference"], recipients)
    return values


def get_by_reference(reference: str) -> Deviation | None:
    return db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference.upper()))


def reveal_patient_id(viewer: User, deviation: Deviation, now: datetime | None = None) -> str:
    """Decrypt for one showing, and write that showing to the history. Caller checks access."""
    if deviation.patient_id_token is None:
        raise LookupError("no patient identity stored")
    value = patient_cipher().decrypt(deviation.patient_id_token)
    db.session.add(
        DeviationEvent(
            deviation=deviation,
            at=now or utcnow(),
            actor_id=viewer.id,
            kind=EventKind.PATIENT_ID_SHOWN,
        )
    )
    db.session.flush()
    return value


def my_deviations(user: User, limit: int = 200) -> list[Deviation]:
    return list(
        db.session.scalars(
            sa.select(Deviation)
            .where(Deviation.reporter_id == user.id)
            .order_by(Deviation.registered_at.desc(), Deviation.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Choice:
    """One entry of a pick list: plain values, so a form costs no ORM objects per request."""

    id: int
    name: str
    kind: str | None = None  # organisations: OrgKind value
    path: str = ""  # units: "Klinikk › Avdeling"


@dataclass(frozen=True)
class FilingChoices:
    organisations: list[Choice]
    units_by_org: dict[int, list[Choice]]
    categories: list[Choice]
    agreements: list[Choice]
    # Every unit's path and every category's name, inactive ones too: lists of cases show them.
    unit_paths: dict[int, str]
    category_names: dict[int, str]

    # The form's options, built once per cached FilingChoices instead of once per request (the
    # units alone are ~150). SelectChoice is an immutable tuple: safe to share between requests.
    @cached_property
    def organisation_options(self) -> tuple[SelectChoice, ...]:
        return tuple(SelectChoice(o.id, o.name) for o in self.organisations)

    @cached_property
    def unit_options(self) -> tuple[SelectChoice, ...]:
        return tuple(
            SelectChoice(u.id, u.path) for units in self.units_by_org.values() for u in units
        )

    @cached_property
    def category_options(self) -> tuple[SelectChoice, ...]:
        return tuple(SelectChoice(c.id, c.name) for c in self.categories)

    @cached_property
    def agreement_options(self) -> tuple[SelectChoice, ...]:
        return tuple(SelectChoice(a.id, a.name) for a in self.agreements)

    @cached_property
    def allowed_ids(self) -> dict[str, frozenset[int | None]]:
        """The ids each pick list accepts, and None for its empty option."""
        units = (u.id for org_units in self.units_by_org.values() for u in org_units)
        return {
            "organisations": frozenset([None, *(o.id for o in self.organisations)]),
            "units": frozenset([None, *units]),
            "categories": frozenset([None, *(c.id for c in self.categories)]),
            "agreements": frozenset([None, *(a.id for a in self.agreements)]),
        }

    @cached_property
    def unit_ids_by_org(self) -> dict[int, frozenset[int]]:
        return {org: frozenset(u.id for u in units) for org, units in self.units_by_org.items()}


def active_categories() -> list[Choice]:
    return [
        Choice(id_, name)
        for id_, name in db.session.execute(
            sa.select(Category.id, Category.name)
            .where(Category.active)
            .order_by(Category.position, Category.name)
        )
    ]


_CHOICES_CACHE = "avvik.filing_choices"


def filing_choices() -> FilingChoices:
    """The form's pick lists. Every form view and every filing needs them, and an admin changes
    them a few times a year: each worker keeps them PICKLIST_CACHE_SECONDS. Stale lists are
    harmless, file_deviation checks every id against the database.
    """
    ttl = current_app.config.get("PICKLIST_CACHE_SECONDS", 0)
    cached = current_app.extensions.get(_CHOICES_CACHE)
    if ttl and cached is not None and time.monotonic() - cached[0] < ttl:
        return cached[1]
    choices = _load_filing_choices()
    if ttl:
        current_app.extensions[_CHOICES_CACHE] = (time.monotonic(), choices)
    return choices


def _load_filing_choices() -> FilingChoices:
    """Read as columns, not ORM objects: cheaper, and safe to keep between requests."""
    kind_order = sa.case(
        (Organisation.kind == OrgKind.SYKEHUS, 0),
        (Organisation.kind == OrgKind.KOMMUNE, 1),
        else_=2,
    )
    organisations = [
        Choice(id_, name, OrgKind(kind).value)
        for id_, name, kind in db.session.execute(
            sa.select(Organisation.id, Organisation.name, Organisation.kind)
            .where(Organisation.active)
            .order_by(kind_order, Organisation.name)
        )
    ]
    unit_rows = db.session.execute(
        sa.select(Unit.id, Unit.organisation_id, Unit.parent_id, Unit.name, Unit.active)
    ).all()
    paths = unit_paths((row.id, row.parent_id, row.name) for row in unit_rows)
    units: dict[int, list[Choice]] = {}
    for row in unit_rows:
        if row.active:
            units.setdefault(row.organisation_id, []).append(
                Choice(row.id, row.name, path=paths[row.id])
            )
    for org_units in units.values():
        org_units.sort(key=lambda u: u.path)
    agreements = [
        Choice(id_, name)
        for id_, name in db.session.execute(
            sa.select(Agreement.id, Agreement.name)
            .where(Agreement.active)
            .order_by(Agreement.position, Agreement.name)
        )
    ]
    category_names = dict(db.session.execute(sa.select(Category.id, Category.name)).all())
    return FilingChoices(
        organisations, units, active_categories(), agreements, paths, category_names
    )
