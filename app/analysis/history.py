"""An analysis's history line in the reader's language.

A row stores what the system says as codes in ``AnalysisEvent.detail`` (the item's number, a
factor's group, a moment, a status, the fields an edit changed), and this module draws it in the
language of whoever reads the page; ``text`` keeps what a person wrote or named (a title, a
reference, a member's name). Rows written before the codes carry their words in ``text``.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.common import labels
from app.common.dates import format_date, format_datetime
from app.models import AnalysisEvent
from app.models import AnalysisEventKind as K

_PROBLEM = (K.PROBLEM_ADDED, K.PROBLEM_CHANGED, K.PROBLEM_DELETED)
_ROOT_CAUSE = (K.ROOT_CAUSE_ADDED, K.ROOT_CAUSE_CHANGED, K.ROOT_CAUSE_DELETED)
_LEARNING = (K.LEARNING_ADDED, K.LEARNING_CHANGED, K.LEARNING_DELETED)
_FACTOR = (K.FACTOR_ADDED, K.FACTOR_CHANGED, K.FACTOR_DELETED)
_TIMELINE = (K.TIMELINE_ADDED, K.TIMELINE_CHANGED, K.TIMELINE_DELETED)


def moment(value: datetime) -> str:
    """A timeline moment for the detail: ISO 8601, read back by ``analysis_line``."""
    return value.isoformat()


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _numbered(kind: K, n: int) -> str:
    if kind in _PROBLEM or kind in _FACTOR:
        return _("Problem %(n)d", n=n)
    if kind in _ROOT_CAUSE:
        return _("Rotårsak %(n)d", n=n)
    if kind in _LEARNING:
        return _("Læringspunkt %(n)d", n=n)
    return _("Tiltak %(n)d", n=n)  # the action plan's rows


def _day(value: str | None) -> str:
    return format_date(date.fromisoformat(value)) if value else "–"


def _at(value: str) -> str:
    return format_datetime(datetime.fromisoformat(value), at=_l("kl."))


def _change(change: dict) -> str:
    """One changed field of an analysis's details or an action, in words."""
    field, old, new = change["field"], change.get("old"), change.get("new")
    if field == "start":
        return _("start %(old)s → %(new)s", old=_day(old), new=_day(new))
    if field == "frist":
        return _("frist %(old)s → %(new)s", old=_day(old), new=_day(new))
    if field == "organisasjon":
        return _("organisasjon %(old)s → %(new)s", old=old, new=new)
    if field == "ansvarlig":
        return _("ansvarlig %(old)s → %(new)s", old=old or "–", new=new or "–")
    if field == "status":
        return _(
            "status %(old)s → %(new)s",
            old=labels.ACTION_STATUS[old],
            new=labels.ACTION_STATUS[new],
        )
    if field == "styrke":
        return _("styrke %(old)s → %(new)s", old=labels.STRENGTH[old], new=labels.STRENGTH[new])
    words = {
        "tittel": _l("tittel"),
        "mandat": _l("mandat"),
        "avgrensning": _l("avgrensning"),
        "tekst": _l("tekst"),
        "rotarsak": _l("rotårsak"),
        "effektmaling": _l("effektmåling"),
    }
    return str(words[field])


def analysis_line(event: AnalysisEvent) -> str:
    """What the row says besides its kind and actor, in the reader's language."""
    detail = event.detail
    if not detail:
        return event.text
    kind = event.kind
    if kind is K.STATUS_CHANGED:
        return f"{labels.ANALYSIS_STATUS[detail['from']]} → {labels.ANALYSIS_STATUS[detail['to']]}"
    if kind in _TIMELINE:
        if detail.get("was") and detail["was"] != detail["at"]:
            return f"{_at(detail['was'])} → {_at(detail['at'])}"
        return _at(detail["at"])
    changes = ", ".join(_change(c) for c in detail.get("changes", ()))
    if "n" not in detail:
        return changes
    head = _numbered(kind, detail["n"])
    if kind in _FACTOR:
        head = f"{head}: {labels.FACTOR_GROUP[detail['group']]}"
    return f"{head}: {changes}" if changes else head
