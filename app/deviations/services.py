"""Filing a deviation: reference number, routing, deadline, protected patient identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.common.crypto import patient_cipher
from app.common.dates import local
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


def next_reference(year: int) -> tuple[int, str]:
    """The next number of the year, atomic across processes and servers.

    The UPDATE takes the counter row's write lock until commit, so two concurrent filings
    serialise on it (PostgreSQL row lock, SQLite database lock) and never share a number.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(ReferenceCounter)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    number = db.session.execute(
        sa.update(ReferenceCounter)
        .where(ReferenceCounter.year == year)
        .values(last_number=ReferenceCounter.last_number + 1)
        .returning(ReferenceCounter.last_number)
    ).scalar_one()
    return number, format_reference(year, number)


def format_reference(year: int, number: int) -> str:
    return f"AV-{year}-{number:05d}"


def check_free_text(values: dict[str, str | None]) -> None:
    for field, value in values.items():
        if find_in_text(value):
            raise FilingError(field, "identity")


def file_deviation(reporter: User, data: DeviationInput, now: datetime | None = None) -> Deviation:
    """Route a new deviation to the counterpart's mottak. Flushes; the caller commits."""
    now = now or utcnow()
    today = local(now).date()
    counterpart = db.session.get(Organisation, data.counterpart_org_id)
    if counterpart is None or not counterpart.active:
        raise FilingError("counterpart_org", "unknown")
    if counterpart.id == reporter.organisation_id:
        raise FilingError("counterpart_org", "self")
    if data.counterpart_unit_id is not None:
        unit = db.session.get(Unit, data.counterpart_unit_id)
        if unit is None or unit.organisation_id != counterpart.id or not unit.active:
            raise FilingError("counterpart_unit", "unknown")
    if data.event_date > today:
        raise FilingError("event_date", "future")
    category = db.session.get(Category, data.category_id)
    if category is None or not category.active:
        raise FilingError("category", "unknown")
    if data.agreement_id is not None:
        agreement = db.session.get(Agreement, data.agreement_id)
        if agreement is None or not agreement.active:
            raise FilingError("agreement", "unknown")
    check_free_text({f: getattr(data, f) for f in FREE_TEXT_FIELDS})

    token = None
    if data.patient_id:
        patient_id = normalise_identity(data.patient_id)
        if not is_valid_identity(patient_id):
            raise FilingError("patient_id", "invalid")
        token = patient_cipher().encrypt(patient_id)

    reporter_org = reporter.organisation
    number, reference = next_reference(today.year)
    deviation = Deviation(
        reference=reference,
        year=today.year,
        number=number,
        registered_at=now,
        event_date=data.event_date,
        reporter_id=reporter.id,
        reporter_org_id=reporter_org.id,
        reporter_org_name=reporter_org.name,
        reporter_unit_id=reporter.unit_id,
        counterpart_org_id=counterpart.id,
        counterpart_org_name=counterpart.name,
        counterpart_unit_id=data.counterpart_unit_id,
        direction=direction_between(reporter_org, counterpart),
        category_id=category.id,
        agreement_id=data.agreement_id,
        harm=data.harm,
        title=data.title.strip(),
        description=data.description.strip(),
        immediate_action=data.immediate_action.strip(),
        suggestion=data.suggestion.strip(),
        status=Status.SENDT,
        response_deadline=response_deadline(counterpart, today),
        patient_id_token=token,
    )
    db.session.add(deviation)
    db.session.flush()
    db.session.add(
        DeviationEvent(
            deviation_id=deviation.id,
            at=now,
            actor_id=reporter.id,
            kind=EventKind.CREATED,
            to_status=Status.SENDT,
            text=counterpart.name,
        )
    )
    db.session.flush()
    notify.to_mottak(notify.Notice.NEW, deviation)
    return deviation


def get_by_reference(reference: str) -> Deviation | None:
    return db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference.upper()))


def reveal_patient_id(viewer: User, deviation: Deviation, now: datetime | None = None) -> str:
    """Decrypt for one showing, and write that showing to the history. Caller checks access."""
    if deviation.patient_id_token is None:
        raise LookupError("no patient identity stored")
    value = patient_cipher().decrypt(deviation.patient_id_token)
    db.session.add(
        DeviationEvent(
            deviation_id=deviation.id,
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
class FilingChoices:
    organisations: list[Organisation]
    units_by_org: dict[int, list[Unit]]
    categories: list[Category]
    agreements: list[Agreement]


def filing_choices() -> FilingChoices:
    kind_order = sa.case(
        (Organisation.kind == OrgKind.SYKEHUS, 0),
        (Organisation.kind == OrgKind.KOMMUNE, 1),
        else_=2,
    )
    organisations = list(
        db.session.scalars(
            sa.select(Organisation).where(Organisation.active).order_by(kind_order, Organisation.name)
        )
    )
    units: dict[int, list[Unit]] = {}
    for unit in db.session.scalars(
        sa.select(Unit).where(Unit.active).order_by(Unit.organisation_id, Unit.name)
    ):
        units.setdefault(unit.organisation_id, []).append(unit)
    for org_units in units.values():
        org_units.sort(key=lambda u: u.path)
    categories = list(
        db.session.scalars(
            sa.select(Category).where(Category.active).order_by(Category.position, Category.name)
        )
    )
    agreements = list(
        db.session.scalars(
            sa.select(Agreement).where(Agreement.active).order_by(Agreement.position, Agreement.name)
        )
    )
    return FilingChoices(organisations, units, categories, agreements)
