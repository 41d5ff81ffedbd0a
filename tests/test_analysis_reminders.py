"""Reminders of incident analyses: who gets what, when, with no case content, once."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app.analysis import services
from app.common.dates import OSLO
from app.extensions import db
from app.models import ActionStatus, AnalysisStatus, OutboxMail
from tests import factories


def _at(day) -> datetime:
    """08:00 Norwegian time on that day, as cron would run."""
    return datetime.combine(day, time(8, 0), tzinfo=OSLO)


def _mails() -> list[OutboxMail]:
    """The analyses' reminders (filing a deviation also notifies its mottak)."""
    return list(
        db.session.scalars(
            sa.select(OutboxMail)
            .where(OutboxMail.dedupe_key.like("analysis%"))
            .order_by(OutboxMail.id)
        )
    )


def _setup(due_in_days: int = 10):
    analysis = factories.analysis(due_date=factories.day(20))
    factories.fill_analysis(analysis, with_action=False)
    services.add_action(
        factories.user(factories.LEADER),
        analysis,
        factories.action_input(analysis, due_date=factories.day(due_in_days)),
    )
    db.session.commit()
    return analysis


def test_action_owner_reminded_a_week_before_and_after_the_due_date(ctx):
    analysis = _setup(due_in_days=10)
    action = analysis.actions[0]
    due = action.due_date
    assert services.queue_analysis_reminders(_at(due - timedelta(days=8))) == 0
    assert services.queue_analysis_reminders(_at(due - timedelta(days=7))) == 1
    db.session.commit()
    [mail] = _mails()
    assert mail.to_address == factories.LEADER
    assert analysis.reference in mail.subject and due.strftime("%d.%m.%Y") in mail.subject
    assert f"/analyser/{analysis.reference}#tiltak-1" in mail.body
    # Idempotent: the next days until the due date add nothing.
    for offset in (6, 1, 0):
        assert services.queue_analysis_reminders(_at(due - timedelta(days=offset))) == 0
    assert services.queue_analysis_reminders(_at(due + timedelta(days=1))) == 1
    assert services.queue_analysis_reminders(_at(due + timedelta(days=2))) == 0
    db.session.commit()
    overdue = _mails()[-1]
    assert "er passert" in overdue.subject
    assert "ikke registrert som gjennomført" in overdue.body


def test_no_case_content_in_any_mail(ctx):
    analysis = _setup(due_in_days=3)
    services.add_member(factories.user(factories.LEADER), analysis, "mottak@trondheim.demo")
    db.session.commit()
    # Far past both the action's and the analysis's due dates: all three kinds go out.
    services.queue_analysis_reminders(_at(factories.day(-1)))
    services.queue_analysis_reminders(_at(factories.day(30)))
    db.session.commit()
    mails = _mails()
    assert {m.dedupe_key.split(":")[2] for m in mails} == {"due-soon", "overdue"}
    assert len(mails) == 3
    secrets = [
        analysis.title,
        analysis.mandate,
        analysis.scope,
        "Hjemmetjenesten",
        "epikrise",
        analysis.actions[0].text,
        analysis.actions[0].effect_measure,
        analysis.root_causes[0].text,
        analysis.timeline[0].what,
        analysis.learning_points[0].text,
    ]
    for mail in mails:
        for secret in secrets:
            assert secret not in mail.body and secret not in mail.subject


def test_reminders_are_written_in_the_recipients_language(ctx):
    factories.user(factories.LEADER).language = "en"
    analysis = _setup(due_in_days=10)
    due = analysis.actions[0].due_date
    assert services.queue_analysis_reminders(_at(due - timedelta(days=7))) == 1
    db.session.commit()
    [mail] = _mails()
    day = due.strftime("%d.%m.%Y")
    assert mail.subject == f"Action 1 in incident analysis {analysis.reference} is due on {day}"
    assert mail.body.startswith("Hello,\n\nAction 1 in incident analysis")
    assert "This e-mail was sent automatically by Samhandlingsavvik." in mail.body
    assert "Hei" not in mail.body and "Tiltak" not in mail.body  # the link keeps #tiltak-1


def test_team_leader_reminded_once_when_the_analysis_is_overdue(ctx):
    analysis = factories.analysis(due_date=factories.day(5))
    db.session.commit()
    assert services.queue_analysis_reminders(_at(factories.day(5))) == 0
    assert services.queue_analysis_reminders(_at(factories.day(6))) == 1
    assert services.queue_analysis_reminders(_at(factories.day(7))) == 0
    db.session.commit()
    [mail] = _mails()
    assert mail.to_address == factories.LEADER
    assert mail.subject == f"Hendelsesanalyse {analysis.reference} har passert fristen"
    # A new due date that passes earns a new reminder; a finished analysis none.
    services.update_details(
        factories.user(factories.LEADER),
        analysis,
        factories.analysis_details(due_date=factories.day(8)),
    )
    db.session.commit()
    assert services.queue_analysis_reminders(_at(factories.day(9))) == 1
    db.session.commit()


def test_nothing_for_done_dropped_cancelled_or_ownerless(ctx):
    analysis = _setup(due_in_days=2)
    leader = factories.user(factories.LEADER)
    action = analysis.actions[0]
    services.update_action(
        leader,
        analysis,
        action,
        factories.action_input(analysis, due_date=action.due_date, status=ActionStatus.GJENNOMFORT),
    )
    services.add_action(
        leader,
        analysis,
        factories.action_input(analysis, due_date=factories.day(2), status=ActionStatus.FORKASTET),
    )
    services.add_action(
        leader,
        analysis,
        factories.action_input(analysis, due_date=factories.day(2), responsible_email=""),
    )
    db.session.commit()
    assert services.queue_analysis_reminders(_at(factories.day(3))) == 0
    services.add_action(
        leader, analysis, factories.action_input(analysis, due_date=factories.day(2))
    )
    services.set_status(leader, analysis, AnalysisStatus.AVBRUTT)
    db.session.commit()
    assert services.queue_analysis_reminders(_at(factories.day(30))) == 0


def test_finished_analysis_still_reminds_action_owners(ctx):
    analysis = _setup(due_in_days=3)
    services.set_status(factories.user(factories.LEADER), analysis, AnalysisStatus.FERDIG)
    db.session.commit()
    assert (
        services.queue_analysis_reminders(_at(factories.day(4))) == 1
    )  # overdue action; analysis done


def test_cli_is_idempotent(app, runner):
    with app.app_context():
        _setup(due_in_days=1)
    result = runner.invoke(args=["send-analysis-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 påminnelser" in result.output
    result = runner.invoke(args=["send-analysis-reminders"])
    assert "0 påminnelser" in result.output
    with app.app_context():
        assert len(_mails()) == 1
