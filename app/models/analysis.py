"""The incident analysis aggregate (hendelsesanalyse): the analysis, the deviations it covers,
its team, timeline, problems with their contributory factors, root causes, action plan,
learning points, and its append-only history."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.deviation import Deviation
from app.models.organisation import Organisation
from app.models.user import User

ANALYSIS_TITLE_MAX = 150
ANALYSIS_TEXT_MAX = 5000
ITEM_TEXT_MAX = 2000
SOURCE_MAX = 200


class AnalysisStatus(StrEnum):
    PLANLAGT = "planlagt"
    PAGAR = "pagar"
    FERDIG = "ferdig"
    AVBRUTT = "avbrutt"


# While planned or running, an analysis holds its deviations; finishing or cancelling releases them.
ACTIVE_ANALYSIS_STATUSES = frozenset({AnalysisStatus.PLANLAGT, AnalysisStatus.PAGAR})


class ActionStatus(StrEnum):
    PLANLAGT = "planlagt"
    PAGAR = "pagar"
    GJENNOMFORT = "gjennomfort"
    FORKASTET = "forkastet"


OPEN_ACTION_STATUSES = frozenset({ActionStatus.PLANLAGT, ActionStatus.PAGAR})


class ActionStrength(StrEnum):
    """The RCA² action hierarchy: system changes are stronger than training and reminders."""

    STERK = "sterk"
    MIDDELS = "middels"
    SVAK = "svak"


class FactorGroup(StrEnum):
    """The London Protocol's seven groups of contributory factors."""

    PASIENT = "pasient"
    OPPGAVE_TEKNOLOGI = "oppgave_teknologi"
    INDIVID = "individ"
    TEAM = "team"
    ARBEIDSMILJO = "arbeidsmiljo"
    ORGANISASJON_LEDELSE = "organisasjon_ledelse"
    YTRE_FORHOLD = "ytre_forhold"


class AnalysisEventKind(StrEnum):
    CREATED = "opprettet"
    DETAILS_CHANGED = "endret"
    STATUS_CHANGED = "status"
    DEVIATION_LINKED = "avvik_koblet"
    DEVIATION_ANSWERED = "avvik_besvart"
    MEMBER_ADDED = "medlem_lagt_til"
    MEMBER_REMOVED = "medlem_fjernet"
    LEADER_CHANGED = "leder_endret"
    TIMELINE_ADDED = "tidslinje_lagt_til"
    TIMELINE_CHANGED = "tidslinje_endret"
    TIMELINE_DELETED = "tidslinje_slettet"
    PROBLEM_ADDED = "problem_lagt_til"
    PROBLEM_CHANGED = "problem_endret"
    PROBLEM_DELETED = "problem_slettet"
    FACTOR_ADDED = "faktor_lagt_til"
    FACTOR_CHANGED = "faktor_endret"
    FACTOR_DELETED = "faktor_slettet"
    ROOT_CAUSE_ADDED = "rotarsak_lagt_til"
    ROOT_CAUSE_CHANGED = "rotarsak_endret"
    ROOT_CAUSE_DELETED = "rotarsak_slettet"
    ACTION_ADDED = "tiltak_lagt_til"
    ACTION_CHANGED = "tiltak_endret"
    ACTION_DELETED = "tiltak_slettet"
    LEARNING_ADDED = "laering_lagt_til"
    LEARNING_CHANGED = "laering_endret"
    LEARNING_DELETED = "laering_slettet"


class AnalysisReferenceCounter(Base):
    """Last analysis number handed out per year (HA-2026-003); incremented atomically in SQL."""

    __tablename__ = "analysis_reference_counter"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Analysis(Base):
    __tablename__ = "analysis"
    __table_args__ = (
        sa.UniqueConstraint("year", "number"),
        sa.CheckConstraint("due_date >= start_date", name="due_after_start"),
        sa.Index("ix_analysis_status_due", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    year: Mapped[int]
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(ANALYSIS_TITLE_MAX))
    mandate: Mapped[str] = mapped_column(sa.Text)
    scope: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    status: Mapped[AnalysisStatus] = mapped_column(
        enum_column(AnalysisStatus, "analysis_status"), default=AnalysisStatus.PLANLAGT
    )
    start_date: Mapped[date]
    due_date: Mapped[date]
    # The leader is always also a member (kept so by the services); one column makes "one leader"
    # a fact of the schema rather than a rule to check.
    leader_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    leader: Mapped[User] = relationship(foreign_keys=[leader_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    members: Mapped[list[AnalysisMember]] = relationship(
        back_populates="analysis", cascade="all, delete-orphan", order_by="AnalysisMember.id"
    )
    links: Mapped[list[AnalysisDeviation]] = relationship(
        back_populates="analysis", order_by="AnalysisDeviation.id"
    )
    timeline: Mapped[list[TimelineEntry]] = relationship(
        back_populates="analysis",
        cascade="all, delete-orphan",
        order_by=lambda: [TimelineEntry.occurred_at, TimelineEntry.id],
    )
    problems: Mapped[list[CareProblem]] = relationship(
        back_populates="analysis", cascade="all, delete-orphan", order_by="CareProblem.id"
    )
    root_causes: Mapped[list[RootCause]] = relationship(
        back_populates="analysis", cascade="all, delete-orphan", order_by="RootCause.id"
    )
    actions: Mapped[list[AnalysisAction]] = relationship(
        back_populates="analysis", cascade="all, delete-orphan", order_by="AnalysisAction.id"
    )
    learning_points: Mapped[list[LearningPoint]] = relationship(
        back_populates="analysis", cascade="all, delete-orphan", order_by="LearningPoint.id"
    )
    events: Mapped[list[AnalysisEvent]] = relationship(
        back_populates="analysis", order_by="AnalysisEvent.id"
    )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_ANALYSIS_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_active and self.due_date < today

    @property
    def member_ids(self) -> set[int]:
        return {m.user_id for m in self.members}

    def __repr__(self) -> str:
        return f"<Analysis {self.reference}>"


class AnalysisDeviation(Base):
    """A deviation covered by an analysis. Rows are never deleted: the link is history.

    A deviation is *held* by at most one active analysis: ``holding`` is True while the analysis
    is planned or running and NULL once it is finished or cancelled. UNIQUE ignores NULLs on
    SQLite and PostgreSQL alike, so (deviation_id, holding) enforces the rule in the schema
    without a partial index.
    """

    __tablename__ = "analysis_deviation"
    __table_args__ = (
        sa.UniqueConstraint("analysis_id", "deviation_id"),
        sa.UniqueConstraint("deviation_id", "holding", name="uq_analysis_deviation_holding"),
        sa.CheckConstraint("holding IS NULL OR holding = true", name="holding_true_or_null"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(sa.ForeignKey("analysis.id"), index=True)
    deviation_id: Mapped[int] = mapped_column(sa.ForeignKey("deviation.id"), index=True)
    holding: Mapped[bool | None] = mapped_column(default=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    linked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    analysis: Mapped[Analysis] = relationship(back_populates="links")
    deviation: Mapped[Deviation] = relationship()
    linked_by: Mapped[User | None] = relationship()


class AnalysisMember(Base):
    __tablename__ = "analysis_member"
    __table_args__ = (sa.UniqueConstraint("analysis_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(sa.ForeignKey("analysis.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    analysis: Mapped[Analysis] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class TimelineEntry(Base):
    __tablename__ = "analysis_timeline_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(sa.ForeignKey("analysis.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    what: Mapped[str] = mapped_column(sa.Text)
    source: Mapped[str] = mapped_column(sa.String(SOURCE_MAX), default="", server_default="")

    analysis: Mapped[Analysis] = relationship(back_populates="timeline")


class CareProblem(Base):
    """A problem in the care delivery (the handbook's *problem i pasientforløpet*)."""

    __tablename__ = "analysis_problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(sa.ForeignKey("analysis.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)

    analysis: Mapped[Analysis] = relationship(back_populates="problems")
    factors: Mapped[list[ContributoryFactor]] = relationship(
        back_populates="problem",
        cascade="all, delete-orphan",
        order_by=lambda: [ContributoryFactor.group, ContributoryFactor.id],
    )


class ContributoryFactor(Base):
    __tablename__ = "analysis_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(sa.ForeignKey("analysis_problem.id"), index=True)
    group: Mapped[FactorGroup] = mapped_column(enum_column(FactorGroup, "factor_group"))
    text: Mapped[str] = mapped_column(sa.Text)

    problem: Mapped[CareProblem] = relationship(back_populates="factors")


class RootCause(Base):
    __tablename__ = "analysis_root_cause"

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(sa.ForeignKey("analysis.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)

    analysis: Mapped[Analysis] = relationship(back_populates="root_causes")


class AnalysisAction(Base):
    """One action of the plan. Owner and due date may wait while the analysis runs; an analysis
    is finished only when every action still in play has both (see services.set_status)."""

    __tablename__ = "analysis_action"
    __table_args__ = (sa.Index("ix_analysis_action_status_due", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(sa.ForeignKey("analysis.id"), index=True)
    # Number within the analysis ("tiltak 2"), so e-mails can name an action without its text.
    number: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    root_cause_id: Mapped[int | None] = mapped_column(sa.ForeignKey("analysis_root_cause.id"))
    responsible_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    responsible_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    due_date: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus, "action_status"), default=ActionStatus.PLANLAGT
    )
    strength: Mapped[ActionStrength] = mapped_column(enum_column(ActionStrength, "action_strength"))
    effect_measure: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    analysis: Mapped[Analysis] = relationship(back_populates="actions")
    root_cause: Mapped[RootCause | None] = relationship()
    responsible_org: Mapped[Organisation] = relationship()
    responsible_user: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < today


class LearningPoint(Base):
    __tablename__ = "analysis_learning_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(sa.ForeignKey("analysis.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)

    analysis: Mapped[Analysis] = relationship(back_populates="learning_points")


class AnalysisEvent(Base):
    """One row of an analysis's history. Append-only: see app.models.guards."""

    __tablename__ = "analysis_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(sa.ForeignKey("analysis.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    kind: Mapped[AnalysisEventKind] = mapped_column(
        enum_column(AnalysisEventKind, "analysis_event_kind")
    )
    # What a person wrote or named (a title, a reference, a member's name), as it was.
    text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # What the system says, as codes drawn in the reader's language (app/analysis/history.py):
    # the item's number, a factor's group, a moment, a status, the fields an edit changed.
    # Rows written before have their words in ``text`` as written.
    detail: Mapped[dict | None] = mapped_column(sa.JSON)

    analysis: Mapped[Analysis] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
