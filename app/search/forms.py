"""The search's input: the words and the inbox's filters, read from the URL (the search page and
the inbox's search box share them)."""

from __future__ import annotations

from flask import request

from app.common.ids import parse_id
from app.models import Status
from app.search.services import SearchFilter

QUERY_MAX = 200


def filters_from_request(received_only: bool = False) -> SearchFilter:
    """The query and the inbox's filters from the URL; anything malformed is left out."""
    status = request.args.get("status") or None
    category = request.args.get("category") or None
    return SearchFilter(
        text=(request.args.get("q") or "").strip()[:QUERY_MAX],
        status=Status(status) if status in {s.value for s in Status} else None,
        category_id=parse_id(category) if category else None,
        received_only=received_only,
    )
