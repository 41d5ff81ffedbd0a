"""The tertial's good stories and published lessons, for the report's *Gode historier og
læring* (reports/learning.py). A handler's scope is the stories their organisation told or got
and the lessons it wrote."""

from __future__ import annotations

import sqlalchemy as sa

from app.common.dates import local
from app.extensions import db
from app.models import Category, GoodStory, Lesson, LessonStatus
from app.statistics.services.scope import Scope
from reports import Tertial
from reports.learning import LearningInput, LessonRecord


def learning_input(tertial: Tertial, scope: Scope, language: str = "nb") -> LearningInput:
    start, end = tertial.start_utc, tertial.end_utc
    stories = sa.select(GoodStory.direction, sa.func.count()).where(
        GoodStory.registered_at >= start, GoodStory.registered_at < end
    )
    lessons = (
        sa.select(Lesson, Category.name_column(language))
        .join(Category, Category.id == Lesson.category_id)
        .where(
            Lesson.status == LessonStatus.PUBLISERT,
            Lesson.published_at >= start,
            Lesson.published_at < end,
        )
    )
    if scope.organisation_id is not None:
        stories = stories.where(
            sa.or_(
                GoodStory.reporter_org_id == scope.organisation_id,
                GoodStory.counterpart_org_id == scope.organisation_id,
            )
        )
        lessons = lessons.where(Lesson.organisation_id == scope.organisation_id)
    by_direction = {
        direction.value: count
        for direction, count in db.session.execute(stories.group_by(GoodStory.direction))
    }
    records = [
        LessonRecord(
            title=lesson.title,
            category=category,
            organisation=lesson.organisation_name,
            published=local(lesson.published_at).date(),
            what_happened=lesson.what_happened if lesson.in_report else None,
            what_changed=lesson.what_changed if lesson.in_report else None,
        )
        for lesson, category in db.session.execute(lessons)
    ]
    return LearningInput(stories_by_direction=by_direction, lessons=records)
