"""The Læring page: published lessons and shared good stories, for every logged-in user."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from app.common.ids import parse_id
from app.common.picklists import active_categories, active_organisations
from app.learning.routes.blueprint import bp
from app.learning.services import community, lessons, stories

QUERY_MAX = 200


def _int(name: str) -> int | None:
    return parse_id(request.args.get(name))


@bp.get("/laering")
@login_required
def index():
    kind = request.args.get("type")
    filters = community.CommunityFilter(
        text=(request.args.get("q") or "").strip()[:QUERY_MAX],
        category_id=_int("kategori"),
        organisation_id=_int("organisasjon"),
        kind=kind if kind in (community.KIND_LESSON, community.KIND_STORY) else None,
    )
    page_number = min(_int("side") or 1, 1000)
    return render_template(
        "learning/index.html",
        filters=filters,
        page=community.page_of(filters, page_number),
        categories=active_categories(),
        organisations=active_organisations(),
        to_review=lessons.awaiting_review(current_user),
        drafts=lessons.own_drafts(current_user),
        stories_waiting=stories.waiting_for(current_user),
        KIND_LESSON=community.KIND_LESSON,
        KIND_STORY=community.KIND_STORY,
    )
