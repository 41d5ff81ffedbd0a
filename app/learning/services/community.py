"""The Læring page: published lessons and shared good stories, for everyone logged in.

It shows what was written for sharing and nothing of a case: no case text, reporter, patient
identity or reference. The two tables are small (tens a tertial), so each is read up to the
page asked for and the two lists are merged, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.common.names import all_unit_paths, name_column
from app.extensions import db
from app.models import Category, GoodStory, Lesson, LessonStatus
from app.search.text import query_stems

KIND_LESSON = "laering"
KIND_STORY = "historie"


@dataclass(frozen=True)
class CommunityFilter:
    text: str = ""
    category_id: int | None = None
    organisation_id: int | None = None
    kind: str | None = None  # KIND_LESSON, KIND_STORY or None for both


@dataclass(frozen=True)
class CommunityItem:
    kind: str
    id: int
    at: datetime
    title: str
    # Lessons: category and the organisation that learnt; stories: from → to.
    category: str | None
    organisation: str
    counterpart: str | None
    first_text: str  # what happened / what went well
    second_text: str  # what was changed / why it mattered


@dataclass(frozen=True)
class CommunityPage:
    items: list[CommunityItem]
    page: int
    has_next: bool


def _words(column: sa.ColumnElement[str], text: str) -> list[sa.ColumnElement[bool]]:
    # search_text is " stem stem … ": a word matches the start of a stored stem, so
    # "legemiddel" finds "legemiddellist". Stems hold letters and digits only: no LIKE wildcards.
    return [column.like(f"% {stem}%") for stem in query_stems(text)]


def page_of(filters: CommunityFilter, page: int = 1, page_size: int = 20) -> CommunityPage:
    page = max(page, 1)
    wanted = page * page_size + 1
    items: list[CommunityItem] = []
    if filters.kind in (None, KIND_LESSON):
        items += _lessons(filters, wanted)
    # Stories have no category: a category filter shows lessons only.
    if filters.kind in (None, KIND_STORY) and filters.category_id is None:
        items += _stories(filters, wanted)
    items.sort(key=lambda item: (item.at, item.kind, item.id), reverse=True)
    start = (page - 1) * page_size
    return CommunityPage(items[start : start + page_size], page, len(items) > start + page_size)


def _lessons(filters: CommunityFilter, limit: int) -> list[CommunityItem]:
    query = (
        sa.select(Lesson, name_column(Category))
        .join(Category, Category.id == Lesson.category_id)
        .where(Lesson.status == LessonStatus.PUBLISERT, *_words(Lesson.search_text, filters.text))
        .order_by(Lesson.published_at.desc(), Lesson.id.desc())
        .limit(limit)
    )
    if filters.category_id is not None:
        query = query.where(Lesson.category_id == filters.category_id)
    if filters.organisation_id is not None:
        query = query.where(Lesson.organisation_id == filters.organisation_id)
    return [
        CommunityItem(
            KIND_LESSON,
            lesson.id,
            lesson.published_at,
            lesson.title,
            category,
            lesson.organisation_name,
            None,
            lesson.what_happened,
            lesson.what_changed,
        )
        for lesson, category in db.session.execute(query)
    ]


def _stories(filters: CommunityFilter, limit: int) -> list[CommunityItem]:
    query = (
        sa.select(GoodStory)
        .where(GoodStory.shared_at.is_not(None), *_words(GoodStory.search_text, filters.text))
        .order_by(GoodStory.shared_at.desc(), GoodStory.id.desc())
        .limit(limit)
    )
    if filters.organisation_id is not None:
        query = query.where(
            sa.or_(
                GoodStory.reporter_org_id == filters.organisation_id,
                GoodStory.counterpart_org_id == filters.organisation_id,
            )
        )
    stories = list(db.session.scalars(query))
    paths = all_unit_paths() if stories else {}

    def where(name: str, unit_id: int | None) -> str:
        return f"{name} ({paths[unit_id]})" if unit_id in paths else name

    return [
        CommunityItem(
            KIND_STORY,
            story.id,
            story.shared_at,
            story.title,
            None,
            story.reporter_org_name,  # not the unit: it could point to the teller
            where(story.counterpart_org_name, story.counterpart_unit_id),
            story.description,
            story.why_it_mattered,
        )
        for story in stories
    ]
