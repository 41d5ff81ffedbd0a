"""The PDF of one incident analysis (hendelsesanalyse). Plain data in, PDF bytes out; no Flask.

The app loads the analysis, translates the labels and hands over an ``AnalysisReport`` (the
dataclasses below); reports/analysis_pdf.py lays it out for paper. The labels inside the report
(status, factor groups, strength) arrive already translated by the app.

The app imports this module in every web worker for the dataclasses; reportlab (some 20 MB)
loads only in ``render_analysis_pdf``, when a worker prints its first analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from reports.i18n import NORWEGIAN, Language


@dataclass(frozen=True)
class Member:
    name: str
    organisation: str
    is_leader: bool


@dataclass(frozen=True)
class TimelineRow:
    when: datetime  # aware; printed in Norwegian time
    what: str
    source: str


@dataclass(frozen=True)
class Factor:
    group: str  # the translated London Protocol group
    text: str


@dataclass(frozen=True)
class Problem:
    text: str
    factors: list[Factor] = field(default_factory=list)


@dataclass(frozen=True)
class ActionRow:
    number: int
    text: str
    root_cause_number: int | None
    organisation: str
    person: str | None
    due: date | None
    status: str
    strength: str
    effect_measure: str


@dataclass(frozen=True)
class AnalysisReport:
    reference: str
    title: str
    status: str
    start_date: date
    due_date: date
    finished_on: date | None
    leader: str
    mandate: str
    scope: str
    deviations: list[str]  # the references the reader may see
    hidden_deviations: int  # the others, only counted
    members: list[Member]
    timeline: list[TimelineRow]
    problems: list[Problem]
    root_causes: list[str]
    actions: list[ActionRow]
    learning_points: list[str]
    made_at: datetime  # aware; printed in the footer


def render_analysis_pdf(report: AnalysisReport, language: Language = NORWEGIAN) -> bytes:
    """The analysis as PDF bytes, headings in ``language``; ``report.made_at`` must be aware."""
    from reports.analysis_pdf import build_pdf

    return build_pdf(report, language)
