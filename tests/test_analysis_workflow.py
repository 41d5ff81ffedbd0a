"""The analysis and the deviation workflow: linking moves a deviation to til_analyse through
workflow.transition(); a finished analysis answers its deviations through the workflow's answer
move; reminders reach a real SMTP server (aiosmtpd) through the sender."""

from __future__ import annotations

from datetime import datetime, time

import pytest
import sqlalchemy as sa

from app.analysis import services
from app.common.dates import OSLO
from app.common.errors import ServiceError
from app.extensions import db
from app.handling.workflow import Move, transition
from app.mail.sender import deliver_pending
from app.models import (
    AnalysisEventKind,
    AnalysisStatus,
    Deviation,
    DeviationEvent,
    EventKind,
    OutboxMail,
    Status,
)
from tests import factories
from tests.factories import identity_number
from tests.test_filing_routes import valid_form
from tests.test_mail import body_of, mail_app, smtp  # noqa: F401  (fixtures)


def _transitions(deviation) -> list[tuple[Status | None, Status | None, str]]:
    return [
        (e.from_status, e.to_status, e.text)
        for e in db.session.scalars(
            sa.select(DeviationEvent)
            .where(
                DeviationEvent.deviation_id == deviation.id,
                DeviationEvent.kind == EventKind.TRANSITION,
            )
            .order_by(DeviationEvent.id)
        )
    ]


def test_starting_an_analysis_moves_the_deviation_to_til_analyse(ctx):
    deviation = factories.deviation()
    analysis = factories.analysis(deviation)
    db.session.commit()
    assert deviation.status is Status.TIL_ANALYSE
    assert _transitions(deviation) == [
        (Status.SENDT, Status.TIL_ANALYSE, f"Hendelsesanalyse {analysis.reference}")
    ]


def test_linking_moves_it_too_and_an_already_marked_deviation_is_linked_as_it_is(ctx):
    analysis = factories.analysis()
    leader = factories.user(factories.LEADER)
    second = factories.deviation(title="Nummer to")
    transition(second, Move.START, leader)
    services.link_deviation(leader, analysis, second)
    third = factories.deviation(title="Nummer tre")
    transition(third, Move.ANALYSE, leader)  # marked by hand before an analysis existed
    services.link_deviation(leader, analysis, third)
    db.session.commit()
    assert second.status is Status.TIL_ANALYSE and third.status is Status.TIL_ANALYSE
    assert [t[1] for t in _transitions(second)] == [Status.UNDER_BEHANDLING, Status.TIL_ANALYSE]
    assert [t[1] for t in _transitions(third)] == [Status.TIL_ANALYSE]  # no second move


def test_a_closed_deviation_cannot_be_sent_to_analysis(ctx):
    deviation = factories.deviation()
    leader = factories.user(factories.LEADER)
    transition(deviation, Move.ANSWER, leader, text="Besvart.")
    with pytest.raises(PermissionError):
        factories.analysis(deviation)
    db.session.rollback()


def _finished_with_two_organisations():
    """One analysis covering a deviation to St. Olavs and one to Trondheim; St. Olavs leads."""
    to_hospital = factories.deviation()
    analysis = factories.analysis(to_hospital)
    to_trondheim = factories.deviation(
        reporter="melder@stolav.demo", counterpart="Trondheim", title="Til kommunen"
    )
    trondheim = factories.user("mottak@trondheim.demo")
    services.add_member(factories.user(factories.LEADER), analysis, trondheim.email)
    services.link_deviation(trondheim, analysis, to_trondheim)
    factories.fill_analysis(analysis)
    db.session.commit()
    return analysis, to_hospital, to_trondheim


def test_answering_waits_for_ferdig_and_closes_only_ones_own(ctx):
    analysis, to_hospital, to_trondheim = _finished_with_two_organisations()
    leader = factories.user(factories.LEADER)
    assert services.answerable_deviations(leader, analysis) == []
    with pytest.raises(ServiceError):
        services.answer_deviations(leader, analysis, "Svar")
    db.session.rollback()
    services.set_status(leader, analysis, AnalysisStatus.FERDIG)
    db.session.commit()
    assert services.answerable_deviations(leader, analysis) == [to_hospital]
    answered = services.answer_deviations(
        leader, analysis, "Rutinen for sene utskrivninger er endret."
    )
    db.session.commit()
    assert answered == [to_hospital]
    assert to_hospital.status is Status.BESVART
    assert (
        to_hospital.response
        == f"Rutinen for sene utskrivninger er endret.\n\nHendelsesanalyse: {analysis.reference}"
    )
    assert to_trondheim.status is Status.TIL_ANALYSE  # Trondheim answers its own
    kinds = [e.kind for e in analysis.events]
    assert kinds.count(AnalysisEventKind.DEVIATION_ANSWERED) == 1
    # The reporter hears back through the workflow's own notice.
    reporter_mail = db.session.scalar(
        sa.select(OutboxMail).where(OutboxMail.to_address == "melder@trondheim.demo")
    )
    assert reporter_mail is not None and to_hospital.reference in reporter_mail.subject
    # Trondheim's handler, a reader of the analysis through its deviation, answers theirs.
    trondheim = factories.user("mottak@trondheim.demo")
    text = services.default_answer(analysis)
    assert analysis.reference in text
    services.answer_deviations(trondheim, analysis, text)
    db.session.commit()
    assert to_trondheim.status is Status.BESVART and to_trondheim.response == text
    with pytest.raises(ServiceError) as refused:
        services.answer_deviations(trondheim, analysis, text)
    assert "venter på svar fra deg" in str(refused.value.message)
    db.session.rollback()


def test_answer_refuses_identity_and_empty_text(ctx):
    analysis, to_hospital, _ = _finished_with_two_organisations()
    leader = factories.user(factories.LEADER)
    services.set_status(leader, analysis, AnalysisStatus.FERDIG)
    db.session.commit()
    for text, message in (("", "Skriv svaret"), (identity_number("010203"), "fødselsnummer")):
        with pytest.raises(ServiceError) as refused:
            services.answer_deviations(leader, analysis, text)
        assert message in str(refused.value.message) and refused.value.field == "text"
        db.session.rollback()
    assert to_hospital.status is Status.TIL_ANALYSE


def test_answer_button_over_http(app, login_as):
    with app.app_context():
        analysis, to_hospital, _ = _finished_with_two_organisations()
        services.set_status(factories.user(factories.LEADER), analysis, AnalysisStatus.FERDIG)
        db.session.commit()
        reference, deviation_ref = analysis.reference, to_hospital.reference
    reader = login_as("forbedring@demo.demo").get(f"/analyser/{reference}").get_data(as_text=True)
    assert "Besvar avvikene" not in reader
    client = login_as("mottak@stolav.demo")
    page = client.get(f"/analyser/{reference}").get_data(as_text=True)
    assert "Besvar avvikene" in page and deviation_ref in page
    refused = client.post(f"/analyser/{reference}/besvar-avvik", data={"svar-text": ""})
    assert (
        refused.status_code == 422
        and "Skriv svaret til dem som meldte avvikene." in refused.get_data(as_text=True)
    )
    response = client.post(
        f"/analyser/{reference}/besvar-avvik", data={"svar-text": "Ferdig analysert."}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 avvik er besvart med henvisning til analysen." in page
    deviation_page = client.get(f"/avvik/{deviation_ref}").get_data(as_text=True)
    assert "Ferdig analysert." in deviation_page and reference in deviation_page
    assert (
        login_as("forbedring@demo.demo")
        .post(f"/analyser/{reference}/besvar-avvik", data={"svar-text": "x"})
        .status_code
        == 422
    )  # may read, answers nothing: nothing of theirs waits


def test_reminders_through_the_real_smtp_server(mail_app, smtp):  # noqa: F811
    recorder, _ = smtp
    with mail_app.app_context():
        analysis = factories.analysis(due_date=factories.day(3))
        factories.fill_analysis(analysis, with_action=False)
        services.add_action(
            factories.user(factories.LEADER),
            analysis,
            factories.action_input(analysis, due_date=factories.day(2)),
        )
        services.add_action(
            factories.user(factories.LEADER),
            analysis,
            factories.action_input(
                analysis,
                due_date=factories.day(20),
                responsible_org_id=factories.user("mottak@trondheim.demo").organisation_id,
                responsible_email="mottak@trondheim.demo",
            ),
        )
        db.session.commit()
        deliver_pending()  # the filing's own notice to the mottak
        recorder.received.clear()
        day = datetime.combine(factories.day(4), time(7, 0), tzinfo=OSLO)
        assert services.queue_analysis_reminders(day) == 2  # action 1 overdue, analysis overdue
        db.session.commit()
        assert deliver_pending() == 2
        assert services.queue_analysis_reminders(day) == 0
        db.session.commit()
        assert deliver_pending() == 0
        secrets = [
            analysis.title,
            analysis.mandate,
            analysis.actions[0].text,
            analysis.root_causes[0].text,
        ]
        reference = analysis.reference
    received = {tuple(rcpt): message for rcpt, message in recorder.received}
    assert set(received) == {(factories.LEADER,)}  # the leader owns action 1 and leads the analysis
    assert len(recorder.received) == 2
    subjects = sorted(m["Subject"] for _, m in recorder.received)
    assert subjects == [
        f"Fristen for tiltak 1 i hendelsesanalyse {reference} er passert",
        f"Hendelsesanalyse {reference} har passert fristen",
    ]
    for _, message in recorder.received:
        body = body_of(message)
        assert f"https://avvik.example.no/analyser/{reference}" in body
        for secret in secrets:
            assert secret not in body


def test_send_reminders_command_includes_analyses(app, runner):
    with app.app_context():
        analysis = factories.analysis(due_date=factories.day(0))
        db.session.commit()
        db.session.execute(
            sa.update(type(analysis))
            .where(type(analysis).id == analysis.id)
            .values(start_date=factories.day(-10), due_date=factories.day(-1))
        )
        db.session.commit()
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 påminnelser om hendelsesanalyser lagt i utboksen." in result.output
    result = runner.invoke(args=["send-reminders"])
    assert "0 påminnelser om hendelsesanalyser lagt i utboksen." in result.output


def test_analyse_move_cannot_be_posted_without_an_analysis(app, login_as):
    """til_analyse is set only by linking the deviation to an analysis."""

    client = login_as("melder@trondheim.demo")
    reference = client.post("/avvik/nytt", data=valid_form(app)).headers["Location"].split("/")[2]
    client = login_as("mottak@stolav.demo")
    response = client.post(f"/avvik/{reference}/behandling", data={"move": "analyse"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/avvik/{reference}#hendelsesanalyse")
    with app.app_context():
        status = db.session.scalar(
            sa.select(Deviation.status).where(Deviation.reference == reference)
        )
    assert status is Status.SENDT
