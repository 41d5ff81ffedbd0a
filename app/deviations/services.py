"""Filing a deviation: reference number, routing, deadline, protected patient identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from app.common.crypto import patient_cipher
from app.common.dates import local
from app.common.errors import ServiceError
from app.common.identity import find_in_text
from app.common.identity import is_valid as is_valid_identity
from app.common.identity import normalise as normalise_identity
from app.common.names import name_column
from app.extensions import db
from app.handling import fallback, notify
from app.handling.serious import serious_days
from app.models import (
    OPEN_STATUSES,
    AccessAction,
    Agreement,
    Category,
    Deviation,
    DeviationEvent,
    DeviationMessage,
    EventKind,
    Harm,
    Organisation,
    ReferenceCounter,
    Status,
    Unit,
    User,
    utcnow,
)
from app.models.deviation import direction_between, parties, response_deadline
from app.privacy.access_log import record_access
from app.search.text import stems

__all__ = ["direction_between", "response_deadline"]  # filed here, re-routed in the workflow

FREE_TEXT_FIELDS = ("title", "description", "immediate_action", "suggestion")


def _stale_choice(field: str) -> ServiceError:
    # The lists changed since the page was loaded (or the value was tampered with).
    return ServiceError(_("Valget finnes ikke lenger. Velg på nytt."), field, "unknown")


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


def reserve_references(year: int, count: int = 1) -> int:
    """Take ``count`` consecutive numbers of the year; returns the last one taken.

    One upsert: it creates the year's row or advances it, and holds the row's write lock until
    commit, so concurrent filings, imports and generators serialise on it (PostgreSQL row lock,
    SQLite database lock) and never share a number, across processes and servers.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ReferenceCounter.__table__
    statement = insert(table).values(year=year, last_number=count)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.year],
        set_={"last_number": table.c.last_number + statement.excluded.last_number},
    ).returning(table.c.last_number)
    return db.session.execute(statement).scalar_one()


def next_reference(year: int) -> tuple[int, str]:
    """The next number of the year and its reference, e.g. (42, "AV-2026-00042")."""
    number = reserve_references(year)
    return number, format_reference(year, number)


def format_reference(year: int, number: int) -> str:
    return f"AV-{year}-{number:05d}"


def check_free_text(values: dict[str, str | None]) -> None:
    for field, value in values.items():
        if find_in_text(value):
            raise ServiceError(
                _("Teksten ser ut til å inneholde et fødselsnummer eller D-nummer."),
                field,
                "identity",
            )


def _check_choices(reporter: User, data: DeviationInput, today: date) -> Organisation:
    """What the form picked still exists and is active; the counterpart is someone else."""
    counterpart = db.session.get(Organisation, data.counterpart_org_id)
    if counterpart is None or not counterpart.active:
        raise _stale_choice("counterpart_org")
    if counterpart.id == reporter.organisation_id:
        raise ServiceError(
            _("Avviket kan ikke sendes til din egen organisasjon."), "counterpart_org", "self"
        )
    if data.counterpart_unit_id is not None:
        unit = db.session.get(Unit, data.counterpart_unit_id)
        if unit is None or not unit.active:
            raise _stale_choice("counterpart_unit")
        if unit.organisation_id != counterpart.id:
            raise ServiceError(
                _("Enheten hører ikke til organisasjonen du valgte."),
                "counterpart_unit",
                "wrong_org",
            )
    if data.event_date > today:
        raise ServiceError(_("Datoen kan ikke være fram i tid."), "event_date", "future")
    category = db.session.get(Category, data.category_id)
    if category is None or not category.active:
        raise _stale_choice("category")
    if data.agreement_id is not None:
        agreement = db.session.get(Agreement, data.agreement_id)
        if agreement is None or not agreement.active:
            raise _stale_choice("agreement")
    return counterpart


def file_deviation(reporter: User, data: DeviationInput, now: datetime | None = None) -> Deviation:
    """Route a new deviation to the counterpart's mottak (or, when nobody staffs it, to the
    fallback mottak: app/handling/fallback.py), in the session's transaction, and queue the
    mail to its handlers. Flushes; the caller commits. Raises ServiceError and adds
    nothing when the input breaks a rule."""
    now = now or utcnow()
    today = local(now).date()
    counterpart = _check_choices(reporter, data, today)
    check_free_text({f: getattr(data, f) for f in FREE_TEXT_FIELDS})
    token = identity_hash = None
    if data.patient_id:
        patient_id = normalise_identity(data.patient_id)
        if not is_valid_identity(patient_id):
            raise ServiceError(
                _("Dette er ikke et gyldig fødselsnummer eller D-nummer."), "patient_id", "invalid"
            )
        cipher = patient_cipher()
        token, identity_hash = cipher.encrypt(patient_id), cipher.hash(patient_id)

    number, reference = next_reference(today.year)
    deviation = Deviation(
        reference=reference,
        year=today.year,
        number=number,
        registered_at=now,
        event_date=data.event_date,
        **parties(reporter, counterpart, data.counterpart_unit_id),
        category_id=data.category_id,
        agreement_id=data.agreement_id,
        harm=data.harm,
        title=data.title.strip(),
        description=data.description.strip() or data.title.strip(),
        immediate_action=data.immediate_action.strip(),
        suggestion=data.suggestion.strip(),
        status=Status.SENDT,
        response_deadline=response_deadline(counterpart, today, serious_days(data.harm)),
        patient_id_token=token,
        patient_id_hash=identity_hash,
    )
    db.session.add(deviation)
    db.session.add(
        DeviationEvent(
            deviation=deviation,
            at=now,
            actor_id=reporter.id,
            kind=EventKind.CREATED,
            to_status=Status.SENDT,
            text=counterpart.name,
        )
    )
    db.session.flush()
    if fallback.route_new_case(deviation, now).staffed:
        notify.to_mottak(notify.Notice.NEW, deviation)
    return deviation


def get_by_reference(reference: str) -> Deviation | None:
    return db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference.upper()))


def reveal_patient_id(viewer: User, deviation: Deviation, now: datetime | None = None) -> str:
    """Decrypt for one showing, and write that showing to the history and the access log.
    Caller checks access."""
    if deviation.patient_id_token is None:
        raise LookupError("no patient identity stored")
    now = now or utcnow()
    value = patient_cipher().decrypt(deviation.patient_id_token)
    db.session.add(
        DeviationEvent(
            deviation=deviation,
            at=now,
            actor_id=viewer.id,
            kind=EventKind.PATIENT_ID_SHOWN,
        )
    )
    record_access(viewer, AccessAction.PATIENT_ID_SHOWN, deviation=deviation, now=now)
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
class Waiting:
    deviation: Deviation
    asked_at: datetime


def waiting_for_reporter(user: User, limit: int = 50) -> list[Waiting]:
    """The reporter's open cases where the last message they can read is someone else's (the
    receiving handler's): a question they have not answered since. Newest question first."""
    last = (
        sa.select(DeviationMessage.deviation_id, sa.func.max(DeviationMessage.id).label("last_id"))
        .join(Deviation, Deviation.id == DeviationMessage.deviation_id)
        .where(
            Deviation.reporter_id == user.id,
            Deviation.status.in_(OPEN_STATUSES),
            sa.not_(DeviationMessage.internal),
        )
        .group_by(DeviationMessage.deviation_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Deviation, DeviationMessage.at)
        .join(last, last.c.deviation_id == Deviation.id)
        .join(DeviationMessage, DeviationMessage.id == last.c.last_id)
        .where(DeviationMessage.author_id != user.id)
        .order_by(DeviationMessage.at.desc(), Deviation.id.desc())
        .limit(limit)
    )
    return [Waiting(deviation, asked_at) for deviation, asked_at in rows]


# --- Help while filing ---------------------------------------------------------------------------

STARTING_POINTS = 5
STARTING_POINT_DAYS = 365
STARTING_POINT_SAMPLE = 2000
DUPLICATE_HOURS = 24


@dataclass(frozen=True)
class StartingPoint:
    """A kind of case the organisation often files: a category sent to a counterpart."""

    category_id: int
    category: str
    counterpart_org_id: int
    counterpart: str
    count: int


def starting_points(organisation_id: int, now: datetime | None = None) -> list[StartingPoint]:
    """The organisation's most frequent kinds of case of the last twelve months, most frequent
    first; only active categories and counterparts, so each one still files.

    Counted over the organisation's newest ``STARTING_POINT_SAMPLE`` cases of the twelve months
    (the reporter-organisation index, newest first): every small organisation's whole year,
    and a few weeks of the busiest one at a million rows, so the form costs the same at any
    size (a whole year there is ~100,000 rows to group on every load of the form)."""
    now = now or utcnow()
    recent = (
        sa.select(Deviation.category_id, Deviation.counterpart_org_id)
        .where(
            Deviation.reporter_org_id == organisation_id,
            Deviation.registered_at >= now - timedelta(days=STARTING_POINT_DAYS),
        )
        .order_by(Deviation.registered_at.desc())
        .limit(STARTING_POINT_SAMPLE)
        .subquery()
    )
    count = sa.func.count().label("count")
    rows = db.session.execute(
        sa.select(
            recent.c.category_id,
            name_column(Category),
            recent.c.counterpart_org_id,
            Organisation.name,
            count,
        )
        .join(Category, Category.id == recent.c.category_id)
        .join(Organisation, Organisation.id == recent.c.counterpart_org_id)
        .where(Category.active.is_(True), Organisation.active.is_(True))
        .group_by(
            recent.c.category_id,
            Category.name,
            Category.name_en,
            recent.c.counterpart_org_id,
            Organisation.name,
        )
        # Ties by name, so the order is the same on both databases and between loads.
        .order_by(count.desc(), Category.name, Organisation.name)
        .limit(STARTING_POINTS)
    )
    return [StartingPoint(*row) for row in rows]


def similar_recent(
    reporter: User,
    counterpart_org_id: int,
    category_id: int,
    title: str,
    now: datetime | None = None,
) -> list[Deviation]:
    """The reporter's own cases of the last 24 hours to the same counterpart that look like this
    one: the same category, or a title sharing at least half of this title's words (stemmed as
    the search index stems them). A reporter files a handful a day at most, so the comparison
    reads those few rows by the reporter index instead of asking the full-text index."""
    now = now or utcnow()
    recent = db.session.scalars(
        sa.select(Deviation)
        .where(
            Deviation.reporter_id == reporter.id,
            Deviation.registered_at >= now - timedelta(hours=DUPLICATE_HOURS),
            Deviation.counterpart_org_id == counterpart_org_id,
        )
        .order_by(Deviation.registered_at.desc(), Deviation.id.desc())
        .limit(20)
    )
    found, others = [], []
    for d in recent:
        (found if d.category_id == category_id else others).append(d)
    if others:  # stemmed only when needed: most filings have no recent case to compare
        wanted = set(stems(title))
        needed = max(1, (len(wanted) + 1) // 2)
        found += [d for d in others if wanted and len(wanted & set(stems(d.title))) >= needed]
    return sorted(found, key=lambda d: (d.registered_at, d.id), reverse=True)
