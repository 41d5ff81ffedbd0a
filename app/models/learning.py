"""Learning across the levels: good stories about the cooperation, and lessons from closed
cases and incident analyses that are shared with the whole helsefellesskap."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.analysis import Analysis
from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.catalogue import Category
from app.models.deviation import Deviation, Direction
from app.models.organisation import Organisation, Unit
from app.models.user import User

STORY_TITLE_MAX = 150
STORY_TEXT_MAX = 5000
STORY_WHY_MAX = 2000
LESSON_TITLE_MAX = 150
LESSON_TEXT_MAX = 3000
REVIEW_COMMENT_MAX = 2000


class GoodStory(Base):
    """A good story: something that went well between two organisations (learning from
    excellence). It goes to the counterpart's mottak, who passes it on to the unit concerned;
    with the reporter's consent the counterpart may share it on the Læring page."""

    __tablename__ = "good_story"
    __table_args__ = (
        sa.CheckConstraint("reporter_org_id <> counterpart_org_id", name="not_self_addressed"),
        sa.CheckConstraint("shared_at IS NULL OR consent_to_share", name="shared_with_consent"),
        sa.Index("ix_good_story_counterpart", "counterpart_org_id", "registered_at"),
        sa.Index("ix_good_story_reporter_org", "reporter_org_id", "registered_at"),
        sa.Index("ix_good_story_reporter", "reporter_id", "registered_at"),
        sa.Index("ix_good_story_registered_at", "registered_at"),
        sa.Index("ix_good_story_shared_at", "shared_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    event_date: Mapped[date]
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reporter_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    # Names as they were when told: renames and mergers do not rewrite what was said.
    reporter_org_name: Mapped[str] = mapped_column(sa.String(120))
    reporter_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    counterpart_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    counterpart_org_name: Mapped[str] = mapped_column(sa.String(120))
    counterpart_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, "story_direction"))
    title: Mapped[str] = mapped_column(sa.String(STORY_TITLE_MAX))
    description: Mapped[str] = mapped_column(sa.Text)
    why_it_mattered: Mapped[str] = mapped_column(sa.Text)
    consent_to_share: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    passed_on_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    passed_on_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    passed_on_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # Norwegian stems of the texts (app/search/text.py): the Læring page's search.
    search_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    reporter_unit: Mapped[Unit | None] = relationship(foreign_keys=[reporter_unit_id])
    counterpart_org: Mapped[Organisation] = relationship(foreign_keys=[counterpart_org_id])
    counterpart_unit: Mapped[Unit | None] = relationship(foreign_keys=[counterpart_unit_id])
    passed_on_by: Mapped[User | None] = relationship(foreign_keys=[passed_on_by_id])
    passed_on_unit: Mapped[Unit | None] = relationship(foreign_keys=[passed_on_unit_id])

    @property
    def is_passed_on(self) -> bool:
        return self.passed_on_at is not None

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None


class LessonStatus(StrEnum):
    TIL_VURDERING = "til_vurdering"  # waiting for a second handler or the improvement group
    RETURNERT = "returnert"  # sent back to the author with a comment
    PUBLISERT = "publisert"
    TRUKKET = "trukket"  # taken down after publication


class Lesson(Base):
    """A short lesson from an answered deviation or a finished incident analysis, written in
    general terms for everyone in the helsefellesskap. Published only after review; the Læring
    page never shows the case behind it."""

    __tablename__ = "lesson"
    __table_args__ = (
        sa.CheckConstraint("(deviation_id IS NULL) <> (analysis_id IS NULL)", name="one_source"),
        sa.Index("ix_lesson_status_published", "status", "published_at"),
        sa.Index("ix_lesson_organisation", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    organisation_name: Mapped[str] = mapped_column(sa.String(120))
    deviation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deviation.id"), index=True)
    analysis_id: Mapped[int | None] = mapped_column(sa.ForeignKey("analysis.id"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    title: Mapped[str] = mapped_column(sa.String(LESSON_TITLE_MAX))
    what_happened: Mapped[str] = mapped_column(sa.Text)
    what_changed: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[LessonStatus] = mapped_column(
        enum_column(LessonStatus, "lesson_status"), default=LessonStatus.TIL_VURDERING
    )
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Ticked by the improvement group: the tertial report prints the lesson's text too.
    in_report: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    search_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    organisation: Mapped[Organisation] = relationship()
    deviation: Mapped[Deviation | None] = relationship()
    analysis: Mapped[Analysis | None] = relationship()
    category: Mapped[Category] = relationship()

    @property
    def is_published(self) -> bool:
        return self.status is LessonStatus.PUBLISERT

    @property
    def is_editable(self) -> bool:
        return self.status in (LessonStatus.TIL_VURDERING, LessonStatus.RETURNERT)
