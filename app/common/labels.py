"""The app's side of reports/labels.py: the same spellings, in the request's language.

Every label is spelled once, in reports/labels.py (Flask-free, so the PDFs and exports use it
too). Here each table is wrapped so that looking a value up gives a lazy Flask-Babel string: it
is translated when printed, so a form's choices built at import time still follow the user's
language. ``TABLES`` names the table of every enum (tests/test_labels.py holds it complete).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import StrEnum

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.models import (
    AccessAction,
    ActionStatus,
    ActionStrength,
    AlertKind,
    AnalysisEventKind,
    AnalysisStatus,
    DeliveryStatus,
    Direction,
    EventKind,
    FactorGroup,
    Harm,
    HistoryLine,
    LessonStatus,
    OrgKind,
    Role,
    SecurityEvent,
    Status,
    TokenPurpose,
)
from reports import labels as spelled


class Labels(Mapping[str, LazyString]):
    """One enum's labels, looked up by member or stored value."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self.msgids = table

    def __getitem__(self, value: str) -> LazyString:
        return _l(self.msgids[value])

    def __iter__(self) -> Iterator[str]:
        return iter(self.msgids)

    def __len__(self) -> int:
        return len(self.msgids)


STATUS = Labels(spelled.STATUSES)
REPORTER_STATUS = Labels(spelled.REPORTER_STATUSES)
REPORTER_STATUS_HELP = Labels(spelled.REPORTER_STATUS_HELP)
HARM = Labels(spelled.HARMS)
HARM_HELP = Labels(spelled.HARM_HELP)
HARM_SCALE = _l(spelled.HARM_SCALE)
DIRECTION = Labels(spelled.DIRECTIONS)
EVENT = Labels(spelled.EVENTS)
# Sentences with placeholders: app/deviations/history.py fills them.
HISTORY_LINE = Labels(spelled.HISTORY_LINES)
ANALYSIS_STATUS = Labels(spelled.ANALYSIS_STATUSES)
ACTION_STATUS = Labels(spelled.ACTION_STATUSES)
STRENGTH = Labels(spelled.ACTION_STRENGTHS)
FACTOR_GROUP = Labels(spelled.FACTOR_GROUPS)
ANALYSIS_EVENT = Labels(spelled.ANALYSIS_EVENTS)
LESSON_STATUS = Labels(spelled.LESSON_STATUSES)
ROLE = Labels(spelled.ROLES)
ROLE_HELP = Labels(spelled.ROLE_HELP)
ORG_KIND = Labels(spelled.ORG_KINDS)
ACCESS = Labels(spelled.ACCESS_ACTIONS)
SECURITY_EVENT = Labels(spelled.SECURITY_EVENTS)
TOKEN_PURPOSE = Labels(spelled.TOKEN_PURPOSES)
ALERT_KIND = Labels(spelled.ALERT_KINDS)
DELIVERY_STATUS = Labels(spelled.DELIVERY_STATUSES)

TABLES: dict[type[StrEnum], Labels] = {
    Status: STATUS,
    Harm: HARM,
    Direction: DIRECTION,
    EventKind: EVENT,
    HistoryLine: HISTORY_LINE,
    AnalysisStatus: ANALYSIS_STATUS,
    ActionStatus: ACTION_STATUS,
    ActionStrength: STRENGTH,
    FactorGroup: FACTOR_GROUP,
    AnalysisEventKind: ANALYSIS_EVENT,
    LessonStatus: LESSON_STATUS,
    Role: ROLE,
    OrgKind: ORG_KIND,
    AccessAction: ACCESS,
    SecurityEvent: SECURITY_EVENT,
    TokenPurpose: TOKEN_PURPOSE,
    AlertKind: ALERT_KIND,
    DeliveryStatus: DELIVERY_STATUS,
}


def label(value: StrEnum) -> LazyString:
    """The label of an enum member, whichever enum it belongs to."""
    return TABLES[type(value)][value]


def reporter_status(status: str) -> str:
    """The status the reporting side reads (Mottatt, Under arbeid, Besvart, Avvist)."""
    return spelled.REPORTER_STATUS_OF[status]


STATUS_BADGE = {
    Status.SENDT: "text-bg-primary",
    Status.MOTTATT: "text-bg-info",
    Status.UNDER_BEHANDLING: "text-bg-warning",
    Status.VIDERESENDT: "text-bg-secondary",
    Status.TIL_ANALYSE: "text-bg-dark",
    Status.BESVART: "text-bg-success",
    Status.AVVIST: "text-bg-light border",
}

REPORTER_STATUS_BADGE = {
    "mottatt": "text-bg-info",
    "under_arbeid": "text-bg-warning",
    "besvart": "text-bg-success",
    "avvist": "text-bg-light border",
}
