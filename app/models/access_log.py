"""The access log (tilgangslogg): who read which case, its patient identity or its analysis.

Kept ACCESS_LOG_DAYS (five years by default) and then deleted by `flask maintenance`; until then
no row changes (app.models.guards refuses UPDATE, in the ORM and by trigger). A row holds who,
when, which case and what, never the identity number itself, not even for a search.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.analysis import Analysis
from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.deviation import Deviation
from app.models.organisation import Organisation
from app.models.user import User


class AccessAction(StrEnum):
    DEVIATION_VIEWED = "avvik_vist"
    PATIENT_ID_SHOWN = "pasient_vist"
    ANALYSIS_VIEWED = "analyse_vist"
    ANALYSIS_PDF = "analyse_pdf"
    # The data protection officer searched by identity number (no case) ...
    PATIENT_SEARCH = "personvern_sok"
    # ... and was shown this case and its readers.
    PATIENT_SEARCH_HIT = "personvern_treff"
    # The case was one row of a list the user was shown (the inbox, search results): its
    # title and state, not the whole page. One row per case, so the case's readers, the data
    # protection officer's answer and the patient's own account all include it.
    DEVIATION_LISTED = "avvik_listet"
    # An export left the system (the statistics' CSV, XLSX or PDF): what, in `detail`.
    EXPORTED = "eksport"


class AccessLogEntry(Base):
    __tablename__ = "access_log_entry"
    __table_args__ = (
        # A case's readers, and an analysis's, newest first.
        sa.Index("ix_access_log_entry_deviation", "deviation_id", "at"),
        sa.Index("ix_access_log_entry_analysis", "analysis_id", "at"),
        # The data protection officer's list of what their organisation's staff read.
        sa.Index("ix_access_log_entry_org", "organisation_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed alone as well: the daily retention run deletes by age.
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    # The reader's organisation when reading: a later move does not rewrite the log.
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    action: Mapped[AccessAction] = mapped_column(enum_column(AccessAction, "access_action"))
    deviation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deviation.id"))
    analysis_id: Mapped[int | None] = mapped_column(sa.ForeignKey("analysis.id"))
    # For an export: which file of which period and scope ("avvik.csv 2026-T1 Malvik").
    detail: Mapped[str | None] = mapped_column(sa.String(200))

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()
    deviation: Mapped[Deviation | None] = relationship()
    analysis: Mapped[Analysis | None] = relationship()

    def __repr__(self) -> str:
        return f"<AccessLogEntry {self.action} {self.deviation_id or self.analysis_id}>"


class AlertKind(StrEnum):
    # More distinct cases read in one day than UNUSUAL_ACCESS_CASES_PER_DAY.
    MANY_CASES = "mange_saker"
    # Two or more cases of one patient read in one day by someone whose organisation did not
    # receive them (the reporting side, which has no handling to do).
    ONE_PATIENT_OTHER_SIDE = "samme_pasient"


class AccessAlert(Base):
    """One unusual pattern in one day's access log, found by the daily `flask maintenance` and
    listed to the reader's organisation's data protection officer. Holds counts, never which
    patient."""

    __tablename__ = "access_alert"
    __table_args__ = (
        sa.UniqueConstraint("day", "user_id", "kind"),
        sa.Index("ix_access_alert_org", "organisation_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    kind: Mapped[AlertKind] = mapped_column(enum_column(AlertKind, "alert_kind"))
    # Distinct cases read that day; for ONE_PATIENT_OTHER_SIDE, the most of any one patient.
    count: Mapped[int]
    found_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()
