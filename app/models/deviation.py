"""The deviation aggregate: the case and its append-only history. Its reference lists are in
catalogue.py, a serious event's notice in serious_notice.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.catalogue import Agreement, Category
from app.models.organisation import Organisation, OrgKind, Unit
from app.models.user import User

TITLE_MAX = 150
DESCRIPTION_MAX = 5000
TEXT_MAX = 2000


class Status(StrEnum):
    SENDT = "sendt"
    MOTTATT = "mottatt"
    UNDER_BEHANDLING = "under_behandling"
    VIDERESENDT = "videresendt"
    TIL_ANALYSE = "til_analyse"
    BESVART = "besvart"
    AVVIST = "avvist"


CLOSED_STATUSES = frozenset({Status.BESVART, Status.AVVIST})
OPEN_STATUSES = frozenset(set(Status) - CLOSED_STATUSES)


class Harm(StrEnum):
    """WHO minimal information model, plus the near miss."""

    IKKE_BEROERT = "ikke_berort"
    INGEN = "ingen"
    LAV = "lav"
    MODERAT = "moderat"
    ALVORLIG = "alvorlig"
    DOD = "dod"


# Harm that may make the case an "alvorlig hendelse" the organisation must notify to Statens
# helsetilsyn at once: the form guides, the deadline is shorter, every list marks it.
SERIOUS_HARMS = frozenset({Harm.ALVORLIG, Harm.DOD})


class Direction(StrEnum):
    KOMMUNE_SYKEHUS = "kommune_sykehus"
    SYKEHUS_KOMMUNE = "sykehus_kommune"
    KOMMUNE_KOMMUNE = "kommune_kommune"
    ANNET = "annet"


class HasDeadline:
    """Closed or over the deadline, for anything with a status and a response deadline: the
    case itself and the rows of the inbox and the search, which carry plain values."""

    __slots__ = ()

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES  # type: ignore[attr-defined]

    def is_overdue(self, today: date) -> bool:
        return not self.is_closed and self.response_deadline < today  # type: ignore[attr-defined]


def direction_between(reporter: Organisation, counterpart: Organisation) -> Direction:
    kinds = (reporter.kind, counterpart.kind)
    if kinds == (OrgKind.KOMMUNE, OrgKind.SYKEHUS):
        return Direction.KOMMUNE_SYKEHUS
    if kinds == (OrgKind.SYKEHUS, OrgKind.KOMMUNE):
        return Direction.SYKEHUS_KOMMUNE
    if kinds == (OrgKind.KOMMUNE, OrgKind.KOMMUNE):
        return Direction.KOMMUNE_KOMMUNE
    return Direction.ANNET


def parties(reporter: User, counterpart: Organisation, counterpart_unit_id: int | None) -> dict:
    """Who a report is between, as the columns a deviation and a good story both have. The
    organisations' names are kept as filed: a later renaming does not rewrite history."""
    organisation = reporter.organisation
    return {
        "reporter_id": reporter.id,
        "reporter_org_id": organisation.id,
        "reporter_org_name": organisation.name,
        "reporter_unit_id": reporter.unit_id,
        "counterpart_org_id": counterpart.id,
        "counterpart_org_name": counterpart.name,
        "counterpart_unit_id": counterpart_unit_id,
        "direction": direction_between(organisation, counterpart),
    }


def response_deadline(
    organisation: Organisation, registered_on: date, serious_days: int | None = None
) -> date:
    """The receiving organisation's deadline for a case registered (or re-routed) that day.
    ``serious_days``: the deadline of a serious event (SERIOUS_RESPONSE_DAYS), which never
    lengthens an organisation's own shorter one."""
    days = organisation.response_days
    if serious_days is not None:
        days = min(days, serious_days)
    return registered_on + timedelta(days=days)


class EventKind(StrEnum):
    CREATED = "opprettet"
    IMPORTED = "importert"
    TRANSITION = "statusendring"
    PATIENT_ID_SHOWN = "pasient_vist"
    PATIENT_ID_ERASED = "pasient_slettet"
    # Erased because the case stayed open longer than PATIENT_DATA_MAX_OPEN_DAYS.
    PATIENT_ID_EXPIRED_OPEN = "pasient_utlopt"
    # CASE_RETENTION_YEARS after closing: free text, messages, people and sub-units removed.
    CASE_ANONYMISED = "sak_anonymisert"
    # Rectification by the receiving handler (app/privacy/rectification.py); no text kept.
    PATIENT_ID_CORRECTED = "pasient_rettet"
    TEXT_REDACTED = "tekst_fjernet"
    # A serious event's notice to Statens helsetilsyn recorded (text: the notice's reference),
    # or recorded as not due (text: why). app/handling/serious.py.
    SERIOUS_NOTIFIED = "tilsyn_varslet"
    SERIOUS_NOT_NOTIFIABLE = "ikke_pliktig"


class HistoryLine(StrEnum):
    """What the system says in a history row, stored as a code with the ids it names and drawn
    in the reader's language (app/deviations/history.py). The row's ``text`` keeps only what a
    person typed; rows written before the codes have the sentence in ``text`` as written."""

    OPENED = "apnet"  # acknowledged by the first handler to open the case
    FORWARDED = "videresendt"  # to a unit or a colleague of the receiving organisation
    REROUTED = "sendt_videre"  # by a handler, to another organisation
    FALLBACK = "reservemottak"  # by the rule, from an unstaffed mottak to the fallback mottak
    UNSTAFFED = "uten_saksbehandler"  # the rule left it unread: no handler, no fallback


class ReferenceCounter(Base):
    """Last reference number handed out per year; incremented atomically in SQL."""

    __tablename__ = "reference_counter"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


# The open statuses as SQL, spelled as the partial index ix_deviation_open_queue's condition;
# a query that is to use it repeats this text (app/handling/queues.py).
OPEN_SQL = (
    "deviation.status IN ('mottatt', 'sendt', 'til_analyse', 'under_behandling', 'videresendt')"
)


def _partial_index(name: str, *columns: str, where: str) -> sa.Index:
    """An index of the rows that meet ``where`` only, on both databases."""
    return sa.Index(name, *columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


class Deviation(HasDeadline, Base):
    __tablename__ = "deviation"
    __table_args__ = (
        sa.UniqueConstraint("year", "number"),
        sa.CheckConstraint("reporter_org_id <> counterpart_org_id", name="not_self_addressed"),
        sa.Index("ix_deviation_inbox", "counterpart_org_id", "registered_at", "id"),
        sa.Index("ix_deviation_inbox_status", "counterpart_org_id", "status", "registered_at"),
        # The inbox's "open" and "over the deadline" counts, from the index alone.
        sa.Index("ix_deviation_open_deadline", "counterpart_org_id", "status", "response_deadline"),
        sa.Index("ix_deviation_reporter", "reporter_id", "registered_at"),
        # The inbox's open serious events first: only their entries are read, then sorted.
        sa.Index(
            "ix_deviation_inbox_harm",
            "counterpart_org_id",
            "harm",
            "status",
            "response_deadline",
            "id",
        ),
        sa.Index("ix_deviation_reporter_org", "reporter_org_id", "registered_at"),
        sa.Index("ix_deviation_registered_at", "registered_at"),
        # Inbox sorted by deadline within one organisation, and the daily reminder scan.
        sa.Index("ix_deviation_inbox_deadline", "counterpart_org_id", "response_deadline", "id"),
        sa.Index("ix_deviation_response_deadline", "response_deadline"),
        # A handler's queues (app/handling/queues.py): the open cases alone (about one in
        # twenty-five of a long history), each organisation's in deadline order, with every
        # column a queue or visible() filters on. A queue's list reads its first rows in this
        # order and its count stops after the cap, without reading a case.
        _partial_index(
            "ix_deviation_open_queue",
            "counterpart_org_id",
            "response_deadline",
            "id",
            "harm",
            "status",
            "handler_id",
            "forwarded_unit_id",
            "reporter_id",
            "reporter_org_id",
            where=OPEN_SQL,
        ),
        # "Mine": taken by the user, or sent to the user's unit.
        # Partial: only the cases someone has, so the planner's statistics are about those.
        _partial_index(
            "ix_deviation_handler",
            "handler_id",
            "status",
            "response_deadline",
            "harm",
            where="handler_id IS NOT NULL",
        ),
        _partial_index(
            "ix_deviation_forwarded",
            "forwarded_unit_id",
            "status",
            "response_deadline",
            "harm",
            where="forwarded_unit_id IS NOT NULL",
        ),
        _partial_index(
            "ix_deviation_reporter_waiting",
            "counterpart_org_id",
            "reporter_waiting_since",
            where="reporter_waiting_since IS NOT NULL",
        ),
        # Only the few cases that carry an identity are in it.
        _partial_index(
            "ix_deviation_patient_id_hash",
            "patient_id_hash",
            where="patient_id_hash IS NOT NULL",
        ),
        # Tertial statistics (app/statistics/services.py): each figure counts index ranges that
        # start with its group's key and cover every column it reads; the two organisation ids
        # come last so a handler's scope is filtered inside the index too.
        sa.Index(
            "ix_deviation_stats_kind",
            "direction",
            "category_id",
            "harm",
            "registered_at",
            "reporter_org_id",
            "counterpart_org_id",
        ),
        sa.Index(
            "ix_deviation_stats_reporter_name",
            "reporter_org_name",
            "registered_at",
            "reporter_org_id",
            "counterpart_org_id",
        ),
        sa.Index(
            "ix_deviation_stats_counterpart_name",
            "counterpart_org_name",
            "registered_at",
            "reporter_org_id",
            "counterpart_org_id",
        ),
        sa.Index(
            "ix_deviation_stats_reporter_unit",
            "reporter_unit_id",
            "direction",
            "registered_at",
            "reporter_org_id",
            "counterpart_org_id",
        ),
        sa.Index(
            "ix_deviation_stats_counterpart_unit",
            "counterpart_unit_id",
            "direction",
            "registered_at",
            "reporter_org_id",
            "counterpart_org_id",
        ),
        sa.Index(
            "ix_deviation_stats_status",
            "status",
            "registered_at",
            "closed_at",
            "imported",
            "reporter_org_id",
            "counterpart_org_id",
        ),
        # Answered in the tertial (handling time) and open at its end select by closing time.
        sa.Index(
            "ix_deviation_closed",
            "closed_at",
            "registered_at",
            "status",
            "imported",
            "response_deadline",
            "reporter_org_id",
            "counterpart_org_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    year: Mapped[int]
    number: Mapped[int]
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    event_date: Mapped[date]

    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reporter_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    # Names as they were when filed: mergers and renames must not rewrite history.
    reporter_org_name: Mapped[str] = mapped_column(sa.String(120))
    reporter_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    counterpart_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    counterpart_org_name: Mapped[str] = mapped_column(sa.String(120))
    counterpart_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    # The unit of the receiving organisation the mottak forwarded the case to. Kept apart from
    # counterpart_unit_id, which is what the reporter said and stays as filed.
    forwarded_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, "direction"))

    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreement.id"))
    harm: Mapped[Harm] = mapped_column(enum_column(Harm, "harm"))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    description: Mapped[str] = mapped_column(sa.Text)
    immediate_action: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    suggestion: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    status: Mapped[Status] = mapped_column(enum_column(Status, "status"), default=Status.SENDT)
    handler_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    response_deadline: Mapped[date]
    response: Mapped[str | None] = mapped_column(sa.Text)
    # When the reporter wrote last in the thread with no answer from the receiving handlers
    # since: the handler's queue "Svar fra melder". Kept by handling.thread.post_message.
    reporter_waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    imported: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Set by the retention run (app/deviations/retention.py): from then on the case holds only
    # what the statistics count. The history triggers let its history be emptied only then.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Fernet token; never logged, never exported. Erased some days after closing.
    patient_id_token: Mapped[str | None] = mapped_column(sa.Text)
    # HMAC-SHA256 of the 11 digits (app.common.crypto): the data protection officer finds a
    # patient's cases by it. Set and erased together with the token.
    patient_id_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # Guards concurrent moves: a stale UPDATE matches no row and fails.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it)

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    reporter_org: Mapped[Organisation] = relationship(foreign_keys=[reporter_org_id])
    reporter_unit: Mapped[Unit | None] = relationship(foreign_keys=[reporter_unit_id])
    counterpart_org: Mapped[Organisation] = relationship(foreign_keys=[counterpart_org_id])
    counterpart_unit: Mapped[Unit | None] = relationship(foreign_keys=[counterpart_unit_id])
    forwarded_unit: Mapped[Unit | None] = relationship(foreign_keys=[forwarded_unit_id])
    category: Mapped[Category] = relationship()
    agreement: Mapped[Agreement | None] = relationship()
    events: Mapped[list[DeviationEvent]] = relationship(
        back_populates="deviation", order_by="DeviationEvent.id"
    )
    messages: Mapped[list[DeviationMessage]] = relationship(
        back_populates="deviation", order_by="DeviationMessage.id"
    )

    @property
    def has_patient_id(self) -> bool:
        return self.patient_id_token is not None

    @property
    def is_serious(self) -> bool:
        return self.harm in SERIOUS_HARMS

    def __repr__(self) -> str:
        return f"<Deviation {self.reference}>"


class DeviationEvent(Base):
    """One row of a deviation's history. Append-only: see app.models.guards."""

    __tablename__ = "deviation_event"
    __table_args__ = (
        # A case's history in order; also covers "the last status before an instant", which the
        # tertial statistics look up for every case still open then.
        sa.Index("ix_deviation_event_history", "deviation_id", "at", "id", "to_status", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deviation_id: Mapped[int] = mapped_column(sa.ForeignKey("deviation.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "event_kind"))
    from_status: Mapped[Status | None] = mapped_column(enum_column(Status, "from_status"))
    to_status: Mapped[Status | None] = mapped_column(enum_column(Status, "to_status"))
    text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # What the system says, as codes: the line and the organisations, unit and colleague it
    # names. The retention run drops the unit and the colleague with the rest of the people.
    line: Mapped[HistoryLine | None] = mapped_column(enum_column(HistoryLine, "history_line"))
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    from_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    colleague_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    deviation: Mapped[Deviation] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    org: Mapped[Organisation | None] = relationship(foreign_keys=[org_id])
    from_org: Mapped[Organisation | None] = relationship(foreign_keys=[from_org_id])
    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])
    colleague: Mapped[User | None] = relationship(foreign_keys=[colleague_id])


MESSAGE_MAX = 4000


class DeviationMessage(Base):
    """One message in a deviation's thread, or a handler's internal note. Append-only."""

    __tablename__ = "deviation_message"
    __table_args__ = (sa.Index("ix_deviation_message_deviation", "deviation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deviation_id: Mapped[int] = mapped_column(sa.ForeignKey("deviation.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # The author's organisation when writing: an internal note stays with the organisation
    # that wrote it, also after the case is re-routed elsewhere.
    author_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    internal: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    body: Mapped[str] = mapped_column(sa.Text)

    deviation: Mapped[Deviation] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()
    author_org: Mapped[Organisation] = relationship()
