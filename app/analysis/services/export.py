"""The analyses as plain data for reports/: the rows of the tertial report, and one analysis for
its PDF. Nothing else leaves an analysis; labels are translated and times local here."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.analysis.services.reading import covered_deviations
from app.common import labels
from app.common.dates import local
from app.extensions import db
from app.models import Analysis, AnalysisDeviation, AnalysisStatus, Deviation, User, utcnow
from reports import analysis as report
from reports.analysis import AnalysisReport
from reports.i18n import NORWEGIAN, Language
from reports.summary import ActionRecord, AnalysisRecord

# --- The tertial report ---------------------------------------------------------------------------


def tertial_records(until: date, organisation_id: int | None = None) -> list[AnalysisRecord]:
    """Every analysis started by ``until`` as plain records for reports.summary: start, finish
    and the actions' status, strength and due date; nothing else leaves the analysis.

    ``organisation_id`` narrows to the analyses covering a deviation that organisation reported
    or received (the handler's view of the statistics). A cancelled analysis counts as started,
    but its actions are not followed up and are left out.
    """
    query = (
        sa.select(Analysis)
        .where(Analysis.start_date <= until)
        .options(selectinload(Analysis.actions))
        .order_by(Analysis.id)
    )
    if organisation_id is not None:
        query = query.where(
            Analysis.id.in_(
                sa.select(AnalysisDeviation.analysis_id)
                .join(Deviation, Deviation.id == AnalysisDeviation.deviation_id)
                .where(
                    sa.or_(
                        Deviation.reporter_org_id == organisation_id,
                        Deviation.counterpart_org_id == organisation_id,
                    )
                )
            )
        )
    return [
        AnalysisRecord(
            started=a.start_date,
            finished=local(a.finished_at).date() if a.finished_at else None,
            actions=()
            if a.status is AnalysisStatus.AVBRUTT
            else tuple(
                ActionRecord(x.status.value, x.strength.value, x.due_date) for x in a.actions
            ),
        )
        for a in db.session.scalars(query)
    ]


# --- PDF --------------------------------------------------------------------------------------


def report_data(viewer: User, analysis: Analysis, now: datetime | None = None) -> AnalysisReport:
    """The analysis as plain data for reports.analysis, labels translated, times local."""
    covered = covered_deviations(viewer, analysis)
    cause_numbers = {c.id: i for i, c in enumerate(analysis.root_causes, start=1)}
    return AnalysisReport(
        reference=analysis.reference,
        title=analysis.title,
        status=str(labels.ANALYSIS_STATUS[analysis.status]),
        start_date=analysis.start_date,
        due_date=analysis.due_date,
        finished_on=local(analysis.finished_at).date() if analysis.finished_at else None,
        leader=f"{analysis.leader.name} ({analysis.leader.organisation.name})",
        mandate=analysis.mandate,
        scope=analysis.scope,
        deviations=[d.reference for d in covered.visible],
        hidden_deviations=covered.hidden_count,
        members=[
            report.Member(m.user.name, m.user.organisation.name, m.user_id == analysis.leader_id)
            for m in analysis.members
        ],
        timeline=[report.TimelineRow(t.occurred_at, t.what, t.source) for t in analysis.timeline],
        problems=[
            report.Problem(
                p.text,
                [report.Factor(str(labels.FACTOR_GROUP[f.group]), f.text) for f in p.factors],
            )
            for p in analysis.problems
        ],
        root_causes=[c.text for c in analysis.root_causes],
        actions=[
            report.ActionRow(
                number=a.number,
                text=a.text,
                root_cause_number=cause_numbers.get(a.root_cause_id) if a.root_cause_id else None,
                organisation=a.responsible_org.name,
                person=a.responsible_user.name if a.responsible_user else None,
                due=a.due_date,
                status=str(labels.ACTION_STATUS[a.status]),
                strength=str(labels.STRENGTH[a.strength]),
                effect_measure=a.effect_measure,
            )
            for a in analysis.actions
        ],
        learning_points=[p.text for p in analysis.learning_points],
        made_at=now or utcnow(),
    )


def render_pdf(
    viewer: User, analysis: Analysis, now: datetime | None = None, language: Language = NORWEGIAN
) -> bytes:
    """The labels in report_data follow the active locale; ``language`` must be the same one."""
    from reports.analysis_pdf import render_analysis_pdf  # reportlab: only where a PDF is made

    return render_analysis_pdf(report_data(viewer, analysis, now), language)
