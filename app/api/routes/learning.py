"""What the helsefellesskap shares: published lessons and shared good stories."""

from __future__ import annotations

from app.api import scopes
from app.api.routes.blueprint import bp, requires
from app.api.schemas import LearningQuery, LessonPageSchema, StoryPageSchema
from app.api.services import reading


@bp.route("/lessons", methods=["GET"])
@bp.arguments(LearningQuery, location="query", as_kwargs=True)
@bp.response(200, LessonPageSchema)
@bp.alt_response(401, response="UNAUTHORIZED")
@bp.alt_response(403, response="FORBIDDEN")
@bp.alt_response(429, response="TOO_MANY_REQUESTS")
@requires(scopes.LEARNING_READ)
def lessons(page: int):
    """Published lessons, newest first, 20 a page (no case text, no identity)"""
    found = reading.learning_page(reading.KIND_LESSON, page)
    return {"items": found.items, "page": found.page, "has_next": found.has_next}


@bp.route("/stories", methods=["GET"])
@bp.arguments(LearningQuery, location="query", as_kwargs=True)
@bp.response(200, StoryPageSchema)
@bp.alt_response(401, response="UNAUTHORIZED")
@bp.alt_response(403, response="FORBIDDEN")
@bp.alt_response(429, response="TOO_MANY_REQUESTS")
@requires(scopes.LEARNING_READ)
def stories(page: int):
    """Shared good stories, newest first, 20 a page"""
    found = reading.learning_page(reading.KIND_STORY, page)
    return {"items": found.items, "page": found.page, "has_next": found.has_next}
