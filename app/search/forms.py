"""The search's input: the words and the inbox's filters, read from the URL (the search page and
the inbox's search box share them)."""

from __future__ import annotations

from datetime import date

from flask import request

from app.common import labels
from app.common.ids import parse_id
from app.models import Direction, Harm, Status
from app.search.services import SearchFilter
from reports.labels import REPORTER_STATUS_OF

QUERY_MAX = 200
NAME_MAX = 200

# The statistics' links name their filters so (the search form's own stay q, status, category).
PICKS = ("fra", "til", "retning", "konsekvens", "org", "meldt_av", "mottatt_av")


# The status filter's values. Each stored status stands for itself, as links and bookmarks have
# always said, whoever follows them. Each of the reporting side's four (issue 22) stands for every
# stored status it is shown for. Its value is its own name, except the reporter's Mottatt: "mottatt"
# has always meant the stored status alone (opened, not taken), so the reporter's, which also
# holds the cases nobody has opened ("sendt"), is "sendt_eller_mottatt". Besvart and Avvist are
# one stored status each, so the two readings share their value.
REPORTER_STATUS_VALUES = {
    "mottatt": "sendt_eller_mottatt",
    "under_arbeid": "under_arbeid",
    "besvart": "besvart",
    "avvist": "avvist",
}
STATUS_VALUES: dict[str, frozenset[Status]] = {s.value: frozenset({s}) for s in Status} | {
    value: frozenset(Status(s) for s, seen in REPORTER_STATUS_OF.items() if seen == reporter)
    for reporter, value in REPORTER_STATUS_VALUES.items()
}
_VALUE_OF = {statuses: value for value, statuses in STATUS_VALUES.items()}


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


def _statuses(value: str | None, received_only: bool) -> frozenset[Status] | None:
    if received_only:
        # The inbox's search box keeps the inbox's own filter: the stored statuses only.
        return frozenset({Status(value)}) if value in {s.value for s in Status} else None
    return STATUS_VALUES.get(value or "")


def filters_from_request(received_only: bool = False) -> SearchFilter:
    """The query and the inbox's filters from the URL; anything malformed is left out."""
    category = request.args.get("category") or None
    return SearchFilter(
        text=(request.args.get("q") or "").strip()[:QUERY_MAX],
        status=_statuses(request.args.get("status"), received_only),
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
        "status": _VALUE_OF.get(filters.status) if filters.status else None,
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


def status_options(reporter: bool, chosen: str | None) -> dict[str, object]:
    """The status filter's choices, value → label, in the words the user reads: the reporting
    side's four for someone who receives no cases, the stored statuses for a handler. A value
    from the other reading (a link, a bookmark) is added as chosen, so the form shows the filter
    the list was made with."""
    reporting = {
        value: labels.REPORTER_STATUS[seen] for seen, value in REPORTER_STATUS_VALUES.items()
    }
    stored: dict[str, object] = dict(labels.STATUS.items())
    options, other = (reporting, stored) if reporter else (stored, reporting)
    if chosen and chosen not in options and chosen in other:
        options[chosen] = other[chosen]
    return options
