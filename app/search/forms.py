"""The search's input: the words and the inbox's filters, read from the URL (the search page and
the inbox's search box share them)."""

from __future__ import annotations

from datetime import date

from flask import request

from app.common.ids import parse_id
from app.models import Direction, Harm, Status
from app.search.services import SearchFilter

QUERY_MAX = 200
NAME_MAX = 200

# The statistics' links name their filters so (the search form's own stay q, status, category).
PICKS = ("fra", "til", "retning", "konsekvens", "org", "meldt_av", "mottatt_av")


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _enum(kind, value: str | None):
    return kind(value) if value in {v.value for v in kind} else None


def _name(value: str | None) -> str | None:
    value = (value or "").strip()
    return value[:NAME_MAX] if value and "\x00" not in value else None


def filters_from_request(received_only: bool = False) -> SearchFilter:
    """The query and the inbox's filters from the URL; anything malformed is left out."""
    status = request.args.get("status") or None
    category = request.args.get("category") or None
    return SearchFilter(
        text=(request.args.get("q") or "").strip()[:QUERY_MAX],
        status=Status(status) if status in {s.value for s in Status} else None,
        category_id=parse_id(category) if category else None,
        received_only=received_only,
        registered_from=_day(request.args.get("fra")),
        registered_to=_day(request.args.get("til")),
        direction=_enum(Direction, request.args.get("retning")),
        harm=_enum(Harm, request.args.get("konsekvens")),
        organisation_id=parse_id(request.args.get("org")) if request.args.get("org") else None,
        reporter_org=_name(request.args.get("meldt_av")),
        counterpart_org=_name(request.args.get("mottatt_av")),
    )


def url_args(filters: SearchFilter) -> dict[str, str]:
    """The filters as the page's query string, so the next page and a new search keep them."""
    values = {
        "q": filters.text,
        "status": filters.status.value if filters.status else None,
        "category": filters.category_id,
        "fra": filters.registered_from.isoformat() if filters.registered_from else None,
        "til": filters.registered_to.isoformat() if filters.registered_to else None,
        "retning": filters.direction.value if filters.direction else None,
        "konsekvens": filters.harm.value if filters.harm else None,
        "org": filters.organisation_id,
        "meldt_av": filters.reporter_org,
        "mottatt_av": filters.counterpart_org,
    }
    return {k: str(v) for k, v in values.items() if v not in (None, "")}
