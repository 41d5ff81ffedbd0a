"""A case's history line in the reader's language.

A row stores what the system said as a code (``DeviationEvent.line``) and the ids of what it
names, so the case page, the reporter's view and the API draw the sentence in the language of
whoever reads it, not of whoever acted. What a person typed stays in ``text`` as typed. Rows
written before the codes carry their sentence in ``text`` as written then; they are shown so.
"""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy.orm import joinedload, selectinload

from app.models import Deviation, DeviationEvent, EventKind, HistoryLine, Status, Unit
from reports import labels as spelled
from reports.labels import REPORTER_STATUS_OF

# A case's history rows with what their lines name, for a query that draws them (the case
# page, the API): in one query with the rows, not one lookup per line.
HISTORY_LOADS = selectinload(Deviation.events).options(
    joinedload(DeviationEvent.actor),
    joinedload(DeviationEvent.colleague),
    joinedload(DeviationEvent.unit).joinedload(Unit.parent),
    joinedload(DeviationEvent.org),
    joinedload(DeviationEvent.from_org),
)


def forwarded_to(event: DeviationEvent) -> str:
    """Whom a forwarding row names: the colleague, the unit's path, or both ("" when the
    retention run has dropped them)."""
    return ", ".join(
        name
        for name in (
            event.colleague.name if event.colleague else None,
            event.unit.path if event.unit else None,
        )
        if name
    )


def _names(event: DeviationEvent) -> dict[str, str] | None:
    """The placeholders of the row's sentence, or None when what it named is gone (the
    retention run drops the unit and the colleague with the case's people)."""
    line = event.line
    if line is HistoryLine.FORWARDED:
        where = forwarded_to(event)
        return {"unit": where} if where else None
    if line in (HistoryLine.REROUTED, HistoryLine.FALLBACK):
        if event.org is None or event.from_org is None:
            return None
        return {"old": event.from_org.name, "new": event.org.name}
    if line is HistoryLine.UNSTAFFED:
        return {"org": event.org.name} if event.org is not None else None
    return {}


def history_line(event: DeviationEvent) -> str:
    """What the row says besides its kind, status and actor: the system's sentence drawn from
    its codes, then what the person typed; empty when it says nothing more."""
    if event.line is None:
        if event.kind is EventKind.CREATED and event.text:
            # The organisation's name as filed to, a name and not a sentence.
            return gettext("Sendt til %(org)s", org=event.text)
        return event.text
    names = _names(event)
    if names is None:
        return event.text
    sentence = gettext(spelled.HISTORY_LINES[event.line.value], **names)
    return f"{sentence}: {event.text}" if event.text else sentence


def shown_to_reporter(event: DeviationEvent) -> bool:
    """Whether the reporting side sees the row. A move inside the receiving organisation
    (acknowledged, forwarded to a unit or a colleague) leaves the reporting side's status as
    it was: not the reporter's business. A move to another organisation stays: the page's
    "Til" changed with it."""
    return not (
        event.kind == EventKind.TRANSITION
        and event.to_status != Status.VIDERESENDT
        and event.from_status
        and REPORTER_STATUS_OF[event.from_status] == REPORTER_STATUS_OF[event.to_status]
    )
