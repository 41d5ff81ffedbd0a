"""Lessons: written by a handler of the receiving organisation from an answered deviation or a
finished incident analysis, reviewed by a second handler or the improvement group, then
published to everyone. The text is the author's own, in general terms: never the case's text,
its reference, a name or a patient's identity."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.common import permissions
from app.common.errors import ServiceError
from app.deviations.services import check_free_text
from app.extensions import db
from app.learning.services.stories import search_text
from app.models import Analysis, Category, Deviation, Lesson, LessonStatus, User, utcnow

FREE_TEXT_FIELDS = ("title", "what_happened", "what_changed")
# A deviation's or an analysis's reference would lead a reader to the case.
CASE_REFERENCE = re.compile(r"\b(AV|HA)\s*-\s*\d{4}\s*-\s*\d+", re.IGNORECASE)


@dataclass(frozen=True)
class LessonInput:
    title: str
    category_id: int
    what_happened: str
    what_changed: str


def _check(data: LessonInput) -> None:
    category = db.session.get(Category, data.category_id)
    if category is None or not category.active:
        raise ServiceError(_("Valget finnes ikke lenger. Velg på nytt."), "category", "unknown")
    check_free_text({f: getattr(data, f) for f in FREE_TEXT_FIELDS})
    for field in FREE_TEXT_FIELDS:
        if CASE_REFERENCE.search(getattr(data, field)):
            raise ServiceError(
                _(
                    "Ta bort referansenummeret: læringspunktet deles med alle, og skal ikke "
                    "føre til avviket."
                ),
                field,
                "reference",
            )


def _apply(lesson: Lesson, data: LessonInput) -> None:
    lesson.title = data.title.strip()
    lesson.category_id = data.category_id
    lesson.what_happened = data.what_happened.strip()
    lesson.what_changed = data.what_changed.strip()
    lesson.search_text = search_text(data.title, data.what_happened, data.what_changed)


def write_lesson(
    author: User,
    data: LessonInput,
    *,
    deviation: Deviation | None = None,
    analysis: Analysis | None = None,
    now: datetime | None = None,
) -> Lesson:
    """A new lesson from one source, waiting for review. Flushes."""
    if deviation is not None:
        allowed = permissions.can(author, "write_lesson", deviation)
    elif analysis is not None:
        allowed = permissions.can(author, "write_lesson", analysis)
    else:
        allowed = False
    if not allowed:
        raise ServiceError(
            _(
                "Læringspunkter skrives av saksbehandlere hos mottakeren når avviket er besvart "
                "eller hendelsesanalysen er ferdig."
            ),
            None,
            "forbidden",
        )
    _check(data)
    lesson = Lesson(
        created_at=now or utcnow(),
        author_id=author.id,
        organisation_id=author.organisation_id,
        organisation_name=author.organisation.name,
        deviation_id=deviation.id if deviation is not None else None,
        analysis_id=analysis.id if analysis is not None else None,
        status=LessonStatus.TIL_VURDERING,
    )
    _apply(lesson, data)
    db.session.add(lesson)
    db.session.flush()
    return lesson


def edit_lesson(lesson: Lesson, author: User, data: LessonInput) -> Lesson:
    """The author changes a lesson that is not published; it goes back for review."""
    if not permissions.can(author, "edit", lesson):
        raise ServiceError(_("Læringspunktet kan ikke endres nå."), None, "forbidden")
    _check(data)
    _apply(lesson, data)
    lesson.status = LessonStatus.TIL_VURDERING
    db.session.flush()
    return lesson


def review(
    lesson: Lesson, reviewer: User, publish: bool, comment: str = "", now: datetime | None = None
) -> Lesson:
    """Publish, or send back to the author with a comment."""
    if not permissions.can(reviewer, "review", lesson):
        if lesson.author_id == reviewer.id:
            message = _("Et læringspunkt vurderes av en annen enn den som skrev det.")
        else:
            message = _("Læringspunktet venter ikke på vurdering fra deg.")
        raise ServiceError(message, None, "forbidden")
    comment = (comment or "").strip()
    if not publish and not comment:
        raise ServiceError(_("Skriv hva forfatteren bør endre."), "comment", "needs_comment")
    check_free_text({"comment": comment})
    now = now or utcnow()
    lesson.reviewed_by_id = reviewer.id
    lesson.reviewed_at = now
    lesson.review_comment = comment
    if publish:
        lesson.status = LessonStatus.PUBLISERT
        lesson.published_at = now
    else:
        lesson.status = LessonStatus.RETURNERT
    db.session.flush()
    return lesson


def withdraw(lesson: Lesson, actor: User) -> Lesson:
    if not permissions.can(actor, "withdraw", lesson):
        raise ServiceError(_("Læringspunktet kan ikke trekkes tilbake."), None, "forbidden")
    lesson.status = LessonStatus.TRUKKET
    lesson.in_report = False
    db.session.flush()
    return lesson


def set_in_report(lesson: Lesson, actor: User, in_report: bool) -> Lesson:
    if not permissions.can(actor, "mark_in_report", lesson):
        raise ServiceError(
            _("Bare forbedringsgruppen velger hva som står i rapporten."), None, "forbidden"
        )
    lesson.in_report = in_report
    db.session.flush()
    return lesson


def get_visible(user: User, lesson_id: int) -> Lesson | None:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or not permissions.can(user, "view", lesson):
        return None
    return lesson


def lessons_of_source(
    *, deviation: Deviation | None = None, analysis: Analysis | None = None
) -> list[Lesson]:
    """The lessons written from this deviation or analysis (the source's page lists them for
    those who may see it)."""
    source = (
        Lesson.deviation_id == deviation.id
        if deviation is not None
        else Lesson.analysis_id == analysis.id  # type: ignore[union-attr]
    )
    return list(db.session.scalars(sa.select(Lesson).where(source).order_by(Lesson.id)))


def awaiting_review(user: User, limit: int = 50) -> list[Lesson]:
    """Lessons this user may review now: not their own."""
    query = sa.select(Lesson).where(
        Lesson.status == LessonStatus.TIL_VURDERING,
        sa.or_(Lesson.author_id.is_(None), Lesson.author_id != user.id),
    )
    query = query.where(permissions.visible(user, Lesson, "review"))
    return list(db.session.scalars(query.order_by(Lesson.created_at).limit(limit)))


def own_drafts(user: User) -> list[Lesson]:
    """The user's lessons that wait for review or were sent back."""
    return list(
        db.session.scalars(
            sa.select(Lesson)
            .where(
                Lesson.author_id == user.id,
                Lesson.status.in_([LessonStatus.TIL_VURDERING, LessonStatus.RETURNERT]),
            )
            .order_by(Lesson.created_at.desc())
        )
    )
