"""Reading analyses: by reference, the list a user may see, the analyses of a deviation, and what
a viewer may be shown of them. Permission to see and edit is app.common.permissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.common import permissions
from app.extensions import db
from app.models import (
    ACTIVE_ANALYSIS_STATUSES,
    Analysis,
    AnalysisDeviation,
    AnalysisMember,
    Deviation,
    Organisation,
    User,
)

DEFAULT_ANALYSIS_WEEKS = 6


def get_by_reference(reference: str) -> Analysis | None:
    return db.session.scalar(
        sa.select(Analysis)
        .where(Analysis.reference == reference.upper())
        .options(
            selectinload(Analysis.members).joinedload(AnalysisMember.user),
            selectinload(Analysis.links).joinedload(AnalysisDeviation.deviation),
        )
    )


def deviation_by_reference(reference: str) -> Deviation | None:
    """The deviation an analysis is started from or linked to (the caller checks access)."""
    return db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference.upper()))


def visible_analyses(user: User, limit: int = 500) -> list[Analysis]:
    active_first = sa.case((Analysis.status.in_(ACTIVE_ANALYSIS_STATUSES), 0), else_=1)
    return list(
        db.session.scalars(
            sa.select(Analysis)
            .where(permissions.visible(user, Analysis))
            .options(selectinload(Analysis.leader), selectinload(Analysis.actions))
            .order_by(active_first, Analysis.due_date, Analysis.id)
            .limit(limit)
        )
    )


def holding_analysis(deviation: Deviation) -> Analysis | None:
    """The active analysis that holds this deviation, if any."""
    return db.session.scalar(
        sa.select(Analysis)
        .join(AnalysisDeviation, AnalysisDeviation.analysis_id == Analysis.id)
        .where(AnalysisDeviation.deviation_id == deviation.id, AnalysisDeviation.holding.is_(True))
    )


def analyses_of_deviation(deviation: Deviation) -> list[Analysis]:
    return list(
        db.session.scalars(
            sa.select(Analysis)
            .join(AnalysisDeviation, AnalysisDeviation.analysis_id == Analysis.id)
            .where(AnalysisDeviation.deviation_id == deviation.id)
            .order_by(Analysis.id)
        )
    )


def analyses_open_for_linking(user: User) -> list[Analysis]:
    """Active analyses the user is a member of: where "Legg til i analyse" may put a deviation."""
    return list(
        db.session.scalars(
            sa.select(Analysis)
            .join(AnalysisMember, AnalysisMember.analysis_id == Analysis.id)
            .where(AnalysisMember.user_id == user.id, Analysis.status.in_(ACTIVE_ANALYSIS_STATUSES))
            .order_by(Analysis.id.desc())
        )
    )


def organisations() -> list[Organisation]:
    return list(
        db.session.scalars(
            sa.select(Organisation).where(Organisation.active).order_by(Organisation.name)
        )
    )


def find_active_user(email: str) -> User | None:
    return db.session.scalar(
        sa.select(User).where(User.email == (email or "").strip().lower(), User.active.is_(True))
    )


def default_due_date(start: date) -> date:
    """The handbook asks for an analysis within weeks, not months: six weeks is the suggestion."""
    return start + timedelta(weeks=DEFAULT_ANALYSIS_WEEKS)


@dataclass(frozen=True)
class CoveredDeviations:
    """What a viewer may be shown of an analysis's deviations: those their organisation sent or
    received in full; of the others only how many there are."""

    visible: list[Deviation]
    hidden_count: int


def covered_deviations(viewer: User, analysis: Analysis) -> CoveredDeviations:
    visible = [
        link.deviation for link in analysis.links if permissions.can(viewer, "view", link.deviation)
    ]
    return CoveredDeviations(visible, len(analysis.links) - len(visible))


@dataclass(frozen=True)
class DeviationPanel:
    """The analysis box on a deviation's page."""

    analyses: list[Analysis]  # the analyses covering this deviation that the viewer may open
    holder: Analysis | None
    can_start: bool
    link_options: list[Analysis]


def deviation_panel(viewer: User, deviation: Deviation) -> DeviationPanel:
    covering = analyses_of_deviation(deviation)
    holder = next((a for a in covering if a.is_active), None)
    can_start = holder is None and permissions.can(viewer, "start_analysis", deviation)
    options = analyses_open_for_linking(viewer) if can_start else []
    return DeviationPanel(
        analyses=[a for a in covering if permissions.can(viewer, "view", a)],
        holder=holder,
        can_start=can_start,
        link_options=options,
    )
