"""What the analysis finds: care problems and their contributory factors (the London Protocol's
groups), root causes, and learning points. All are plain texts, changed while the analysis is
open; each change writes a history row naming the item by its number (app/analysis/history.py
draws "Problem 2", "Rotårsak 1", ... in the reader's language)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.analysis.services.editing import check_no_identity, clean, open_content, record_event
from app.common.errors import ServiceError
from app.extensions import db
from app.models import (
    Analysis,
    AnalysisEventKind,
    CareProblem,
    ContributoryFactor,
    FactorGroup,
    LearningPoint,
    RootCause,
    User,
)


def _simple_text(text: str, field: str = "text") -> str:
    if not clean(text):
        raise ServiceError(_l("Skriv teksten."), field, code="needs_text")
    check_no_identity({field: text})
    return clean(text)


@dataclass(frozen=True)
class _TextList:
    """One of an analysis' numbered lists of plain texts: problems, root causes, learning points.
    They are added, changed and removed alike, each change a history row naming the item."""

    attr: str
    model: type[CareProblem | RootCause | LearningPoint]
    added: AnalysisEventKind
    changed: AnalysisEventKind
    deleted: AnalysisEventKind

    def items(self, analysis: Analysis) -> list:
        return getattr(analysis, self.attr)

    def number_of(self, analysis: Analysis, item: object) -> int:
        return self.items(analysis).index(item) + 1


_PROBLEMS = _TextList(
    "problems",
    CareProblem,
    AnalysisEventKind.PROBLEM_ADDED,
    AnalysisEventKind.PROBLEM_CHANGED,
    AnalysisEventKind.PROBLEM_DELETED,
)
_ROOT_CAUSES = _TextList(
    "root_causes",
    RootCause,
    AnalysisEventKind.ROOT_CAUSE_ADDED,
    AnalysisEventKind.ROOT_CAUSE_CHANGED,
    AnalysisEventKind.ROOT_CAUSE_DELETED,
)
_LEARNING_POINTS = _TextList(
    "learning_points",
    LearningPoint,
    AnalysisEventKind.LEARNING_ADDED,
    AnalysisEventKind.LEARNING_CHANGED,
    AnalysisEventKind.LEARNING_DELETED,
)


def _add_text(kind: _TextList, actor: User, analysis: Analysis, text: str, now: datetime | None):
    open_content(actor, analysis)
    item = kind.model(text=_simple_text(text))
    kind.items(analysis).append(item)
    db.session.flush()
    record_event(analysis, actor, kind.added, now=now, detail={"n": len(kind.items(analysis))})
    db.session.flush()
    return item


def _update_text(
    kind: _TextList, actor: User, analysis: Analysis, item, text: str, now: datetime | None
) -> None:
    open_content(actor, analysis)
    item.text = _simple_text(text)
    record_event(
        analysis, actor, kind.changed, now=now, detail={"n": kind.number_of(analysis, item)}
    )
    db.session.flush()


def _delete_text(kind: _TextList, actor: User, analysis: Analysis, item, now: datetime | None):
    number = kind.number_of(analysis, item)
    kind.items(analysis).remove(item)
    record_event(analysis, actor, kind.deleted, now=now, detail={"n": number})
    db.session.flush()


# --- Care problems and their contributory factors -----------------------------------------------


def add_problem(
    actor: User, analysis: Analysis, text: str, now: datetime | None = None
) -> CareProblem:
    return _add_text(_PROBLEMS, actor, analysis, text, now)


def update_problem(
    actor: User, analysis: Analysis, problem: CareProblem, text: str, now: datetime | None = None
) -> None:
    _update_text(_PROBLEMS, actor, analysis, problem, text, now)


def delete_problem(
    actor: User, analysis: Analysis, problem: CareProblem, now: datetime | None = None
) -> None:
    open_content(actor, analysis)
    _delete_text(_PROBLEMS, actor, analysis, problem, now)


def _factor_detail(analysis: Analysis, factor: ContributoryFactor) -> dict:
    """The factor as the history names it: its problem's number and its group, as codes."""
    return {"n": _PROBLEMS.number_of(analysis, factor.problem), "group": factor.group.value}


def add_factor(
    actor: User,
    analysis: Analysis,
    problem: CareProblem,
    group: FactorGroup,
    text: str,
    now: datetime | None = None,
) -> ContributoryFactor:
    open_content(actor, analysis)
    factor = ContributoryFactor(group=FactorGroup(group), text=_simple_text(text))
    problem.factors.append(factor)
    db.session.flush()
    record_event(
        analysis,
        actor,
        AnalysisEventKind.FACTOR_ADDED,
        now=now,
        detail=_factor_detail(analysis, factor),
    )
    db.session.flush()
    return factor


def update_factor(
    actor: User,
    analysis: Analysis,
    factor: ContributoryFactor,
    group: FactorGroup,
    text: str,
    now: datetime | None = None,
) -> None:
    open_content(actor, analysis)
    factor.text = _simple_text(text)
    factor.group = FactorGroup(group)
    record_event(
        analysis,
        actor,
        AnalysisEventKind.FACTOR_CHANGED,
        now=now,
        detail=_factor_detail(analysis, factor),
    )
    db.session.flush()


def delete_factor(
    actor: User, analysis: Analysis, factor: ContributoryFactor, now: datetime | None = None
) -> None:
    open_content(actor, analysis)
    detail = _factor_detail(analysis, factor)
    factor.problem.factors.remove(factor)
    record_event(analysis, actor, AnalysisEventKind.FACTOR_DELETED, now=now, detail=detail)
    db.session.flush()


# --- Root causes --------------------------------------------------------------------------------


def add_root_cause(
    actor: User, analysis: Analysis, text: str, now: datetime | None = None
) -> RootCause:
    return _add_text(_ROOT_CAUSES, actor, analysis, text, now)


def update_root_cause(
    actor: User, analysis: Analysis, cause: RootCause, text: str, now: datetime | None = None
) -> None:
    _update_text(_ROOT_CAUSES, actor, analysis, cause, text, now)


def delete_root_cause(
    actor: User, analysis: Analysis, cause: RootCause, now: datetime | None = None
) -> None:
    open_content(actor, analysis)
    answering = [a.number for a in analysis.actions if a.root_cause_id == cause.id]
    if answering:
        raise ServiceError(
            _l(
                "Rotårsaken kan ikke slettes fordi tiltak %(numbers)s svarer på den. "
                "Endre tiltakene først.",
                numbers=", ".join(str(n) for n in answering),
            ),
            code="root_cause_in_use",
        )
    _delete_text(_ROOT_CAUSES, actor, analysis, cause, now)


# --- Learning points ----------------------------------------------------------------------------


def add_learning_point(
    actor: User, analysis: Analysis, text: str, now: datetime | None = None
) -> LearningPoint:
    return _add_text(_LEARNING_POINTS, actor, analysis, text, now)


def update_learning_point(
    actor: User, analysis: Analysis, point: LearningPoint, text: str, now: datetime | None = None
) -> None:
    _update_text(_LEARNING_POINTS, actor, analysis, point, text, now)


def delete_learning_point(
    actor: User, analysis: Analysis, point: LearningPoint, now: datetime | None = None
) -> None:
    open_content(actor, analysis)
    _delete_text(_LEARNING_POINTS, actor, analysis, point, now)
