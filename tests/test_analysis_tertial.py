"""The tertial report's analysis section, fed from the analyses: started and finished in the
tertial, their actions by status and strength, overdue actions; on screen data and in the PDF."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from pypdf import PdfReader

from app.analysis import services
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.models import ActionStatus, ActionStrength, AnalysisStatus
from app.statistics import services as statistics
from reports import Tertial
from reports.pdf import render_pdf
from tests import factories

T2_2025 = Tertial.parse("2025-T2")  # 1 May – 31 Aug 2025


def _analysis(
    start: date,
    actions: list[tuple[ActionStatus, ActionStrength, date]],
    *,
    finished: date | None = None,
    cancelled: bool = False,
    malvik: bool = False,
):
    if malvik:
        dev = factories.deviation(
            reporter="melder@stolav.demo", counterpart="Malvik", title="Til Malvik"
        )
        leader = "mottak@malvik.demo"
    else:
        dev, leader = factories.deviation(), factories.LEADER
    analysis = factories.analysis(dev, leader=leader, start_date=start, due_date=date(2026, 12, 31))
    factories.fill_analysis(analysis, actor=leader, with_action=False)
    for status, strength, due in actions:
        services.add_action(
            factories.user(leader),
            analysis,
            factories.action_input(
                analysis,
                status=status,
                strength=strength,
                due_date=due,
                responsible_org_id=organisation_by_name(HOSPITAL).id,
            ),
        )
    if finished:
        services.set_status(
            factories.user(leader),
            analysis,
            AnalysisStatus.FERDIG,
            now=datetime(*finished.timetuple()[:3], 10, tzinfo=UTC),
        )
    if cancelled:
        services.set_status(factories.user(leader), analysis, AnalysisStatus.AVBRUTT)
    return analysis


def _data():
    S, P = ActionStatus, ActionStrength
    _analysis(
        date(2025, 5, 10),
        [(S.GJENNOMFORT, P.STERK, date(2025, 6, 1)), (S.PAGAR, P.MIDDELS, date(2025, 8, 15))],
        finished=date(2025, 7, 1),
    )
    _analysis(
        date(2025, 8, 20),
        [(S.PLANLAGT, P.SVAK, date(2025, 9, 30)), (S.FORKASTET, P.SVAK, date(2025, 6, 1))],
        malvik=True,
    )
    _analysis(date(2025, 4, 1), [(S.PAGAR, P.STERK, date(2025, 4, 30))], finished=date(2025, 5, 15))
    _analysis(date(2025, 6, 1), [(S.PLANLAGT, P.STERK, date(2025, 6, 2))], cancelled=True)
    _analysis(date(2025, 9, 5), [(S.PLANLAGT, P.STERK, date(2025, 9, 6))])
    db.session.commit()


def test_analysis_figures_of_the_tertial(ctx):
    _data()
    a = statistics.tertial_summary(T2_2025, statistics.ALL).analyses
    assert (a.started, a.finished) == (
        3,
        2,
    )  # started: May, Aug, June (cancelled); finished: July, May
    assert a.actions_total == 4  # the cancelled analysis's action is not followed up
    assert {r.label: r.count for r in a.actions_by_status} == {
        "Planlagt": 1,
        "Pågår": 1,
        "Gjennomført": 1,
        "Forkastet": 1,
    }
    assert {r.label: r.count for r in a.actions_by_strength} == {
        "Sterk": 1,
        "Middels": 1,
        "Svak": 2,
    }
    # Overdue at 31.08.2025: the May analysis's running action (due 15.08)
    # and the April one's (due 30.04).
    assert a.overdue_actions == 2


def test_a_handlers_scope_counts_the_analyses_of_its_own_deviations(ctx):
    _data()
    trondheim = statistics.Scope(organisation_by_name("Trondheim").id, "Trondheim")
    malvik = statistics.Scope(organisation_by_name("Malvik").id, "Malvik")
    assert statistics.tertial_summary(T2_2025, trondheim).analyses.started == 2
    assert statistics.tertial_summary(T2_2025, malvik).analyses.started == 1
    assert statistics.tertial_summary(T2_2025, malvik).analyses.actions_total == 2


def test_the_tertial_pdf_shows_the_analysis_section(ctx):
    _data()
    summary = statistics.tertial_summary(T2_2025, statistics.ALL)
    pdf = render_pdf(summary, datetime(2025, 9, 1, 8, tzinfo=UTC))
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Hendelsesanalyser startet i tertialet 3" in text
    assert "Hendelsesanalyser ferdigstilt i tertialet 2" in text
    assert "Tiltak på overtid ved utgangen av tertialet 2" in text
    # Nothing of the analyses' content reaches the committee's report.
    assert "Utskrivning fredag kveld" not in text and "Ring kommunen" not in text
