"""Incident analyses without HTTP: the ferdig rule, history rows, one active analysis per
deviation, what may still change after ferdig, identity numbers refused."""

from __future__ import annotations

from datetime import time

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.analysis import services
from app.analysis.history import analysis_line
from app.common.dates import today_local
from app.common.errors import ServiceError
from app.data.seed import organisation_by_name
from app.extensions import db
from app.models import (
    ActionStatus,
    AnalysisDeviation,
    AnalysisEvent,
    AnalysisEventKind,
    AnalysisStatus,
    FactorGroup,
    Role,
)
from app.models.guards import AppendOnlyError
from tests import factories
from tests.factories import identity_number


def _kinds(analysis) -> list[AnalysisEventKind]:
    return list(
        db.session.scalars(
            sa.select(AnalysisEvent.kind)
            .where(AnalysisEvent.analysis_id == analysis.id)
            .order_by(AnalysisEvent.id)
        )
    )


def test_start_from_deviation_makes_leader_member_and_reference(ctx):
    analysis = factories.analysis()
    db.session.commit()
    year = today_local().year
    assert analysis.reference == f"HA-{year}-001"
    assert analysis.status is AnalysisStatus.PLANLAGT
    assert analysis.leader.email == factories.LEADER
    assert analysis.member_ids == {analysis.leader_id}
    [link] = analysis.links
    assert link.holding is True
    assert _kinds(analysis) == [AnalysisEventKind.CREATED, AnalysisEventKind.DEVIATION_LINKED]
    second = factories.analysis(factories.deviation(title="Nok et avvik"))
    assert second.reference == f"HA-{year}-002"


def test_only_the_receiving_handler_may_start(ctx):
    dev = factories.deviation()  # Trondheim → St. Olavs
    for email in ("mottak@trondheim.demo", "melder@stolav.demo", "forbedring@demo.demo"):
        with pytest.raises(PermissionError):
            services.start_analysis(factories.user(email), dev, factories.analysis_details())


def test_ferdig_rule_no_action(ctx):
    analysis = factories.analysis()
    factories.fill_analysis(analysis, with_action=False)
    with pytest.raises(ServiceError) as refused:
        services.set_status(factories.user(factories.LEADER), analysis, AnalysisStatus.FERDIG)
    assert "minst ett tiltak" in str(refused.value.message)
    assert refused.value.field == "status"
    db.session.rollback()


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"responsible_email": ""}, "tiltak 1 mangler ansvarlig person."),
        ({"due_date": None}, "tiltak 1 mangler frist."),
        (
            {"responsible_email": "", "due_date": None},
            "tiltak 1 mangler ansvarlig person og frist.",
        ),
    ],
)
def test_ferdig_rule_action_without_owner_or_due_date(ctx, missing, message):
    analysis = factories.analysis()
    factories.fill_analysis(analysis, with_action=False)
    leader = factories.user(factories.LEADER)
    services.add_action(leader, analysis, factories.action_input(analysis, **missing))
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        services.set_status(leader, analysis, AnalysisStatus.FERDIG)
    assert message in str(refused.value.message)
    db.session.rollback()
    assert analysis.status is AnalysisStatus.PLANLAGT
    assert AnalysisEventKind.STATUS_CHANGED not in _kinds(analysis)


def test_forkastet_actions_neither_count_nor_block(ctx):
    analysis = factories.analysis()
    factories.fill_analysis(analysis, with_action=False)
    leader = factories.user(factories.LEADER)
    services.add_action(
        leader,
        analysis,
        factories.action_input(
            analysis, responsible_email="", due_date=None, status=ActionStatus.FORKASTET
        ),
    )
    assert any("minst ett tiltak" in b for b in services.ferdig_blockers(analysis))
    services.add_action(leader, analysis, factories.action_input(analysis))
    assert services.ferdig_blockers(analysis) == []
    services.set_status(leader, analysis, AnalysisStatus.FERDIG)
    db.session.commit()
    assert analysis.status is AnalysisStatus.FERDIG
    assert analysis.finished_at is not None


def test_finishing_releases_the_deviation_and_records_history(ctx):
    dev = factories.deviation()
    analysis = factories.analysis(dev)
    factories.fill_analysis(analysis)
    leader = factories.user(factories.LEADER)
    services.set_status(leader, analysis, AnalysisStatus.PAGAR)
    services.set_status(leader, analysis, AnalysisStatus.FERDIG)
    db.session.commit()
    assert [link.holding for link in analysis.links] == [None]
    assert services.holding_analysis(dev) is None
    assert _kinds(analysis) == [
        AnalysisEventKind.CREATED,
        AnalysisEventKind.DEVIATION_LINKED,
        AnalysisEventKind.TIMELINE_ADDED,
        AnalysisEventKind.PROBLEM_ADDED,
        AnalysisEventKind.FACTOR_ADDED,
        AnalysisEventKind.ROOT_CAUSE_ADDED,
        AnalysisEventKind.ACTION_ADDED,
        AnalysisEventKind.LEARNING_ADDED,
        AnalysisEventKind.STATUS_CHANGED,
        AnalysisEventKind.STATUS_CHANGED,
    ]
    # Stored as codes, drawn in the reader's language (here the default, Norwegian).
    changes = [e for e in analysis.events if e.kind is AnalysisEventKind.STATUS_CHANGED]
    assert [e.detail for e in changes] == [
        {"from": "planlagt", "to": "pagar"},
        {"from": "pagar", "to": "ferdig"},
    ]
    assert [analysis_line(e) for e in changes] == ["Planlagt → Pågår", "Pågår → Ferdig"]
    # A finished analysis is not reopened, and a new one may take the deviation.
    with pytest.raises(ServiceError):
        services.set_status(leader, analysis, AnalysisStatus.PAGAR)
    db.session.rollback()
    again = factories.analysis(dev, title="Ny analyse")
    assert services.holding_analysis(dev).id == again.id


def test_every_change_writes_one_history_row(ctx):
    analysis = factories.analysis()
    factories.fill_analysis(analysis)
    leader = factories.user(factories.LEADER)
    before = len(_kinds(analysis))
    entry = analysis.timeline[0]
    problem = analysis.problems[0]
    factor = problem.factors[0]
    cause = analysis.root_causes[0]
    action = analysis.actions[0]
    point = analysis.learning_points[0]
    services.update_details(
        leader, analysis, factories.analysis_details(due_date=factories.day(60))
    )
    services.add_member(leader, analysis, "mottak@trondheim.demo")
    member = next(m for m in analysis.members if m.user.email == "mottak@trondheim.demo")
    services.set_leader(leader, analysis, member.id)
    services.update_timeline_entry(
        leader,
        analysis,
        entry,
        services.TimelineInput(factories.day(-2), time(7, 30), "Endret", "Intervju"),
    )
    services.update_problem(leader, analysis, problem, "Endret problem")
    services.update_factor(
        leader, analysis, factor, FactorGroup.ORGANISASJON_LEDELSE, "Endret faktor"
    )
    services.update_root_cause(leader, analysis, cause, "Endret rotårsak")
    services.update_action(
        leader, analysis, action, factories.action_input(analysis, status=ActionStatus.PAGAR)
    )
    services.update_learning_point(leader, analysis, point, "Endret læring")
    services.delete_learning_point(leader, analysis, point)
    services.delete_action(leader, analysis, action)
    services.delete_root_cause(leader, analysis, cause)
    services.delete_factor(leader, analysis, factor)
    services.delete_problem(leader, analysis, problem)
    services.delete_timeline_entry(leader, analysis, entry)
    leader_member = next(m for m in analysis.members if m.user.email == factories.LEADER)
    services.remove_member(leader, analysis, leader_member.id)  # no longer the leader: may go
    db.session.commit()
    kinds = _kinds(analysis)[before:]
    assert kinds == [
        AnalysisEventKind.DETAILS_CHANGED,
        AnalysisEventKind.MEMBER_ADDED,
        AnalysisEventKind.LEADER_CHANGED,
        AnalysisEventKind.TIMELINE_CHANGED,
        AnalysisEventKind.PROBLEM_CHANGED,
        AnalysisEventKind.FACTOR_CHANGED,
        AnalysisEventKind.ROOT_CAUSE_CHANGED,
        AnalysisEventKind.ACTION_CHANGED,
        AnalysisEventKind.LEARNING_CHANGED,
        AnalysisEventKind.LEARNING_DELETED,
        AnalysisEventKind.ACTION_DELETED,
        AnalysisEventKind.ROOT_CAUSE_DELETED,
        AnalysisEventKind.FACTOR_DELETED,
        AnalysisEventKind.PROBLEM_DELETED,
        AnalysisEventKind.TIMELINE_DELETED,
        AnalysisEventKind.MEMBER_REMOVED,
    ]
    action_event = next(e for e in analysis.events if e.kind is AnalysisEventKind.ACTION_CHANGED)
    assert action_event.text == ""
    assert analysis_line(action_event) == "Tiltak 1: status Planlagt → Pågår"
    assert analysis.leader.email == "mottak@trondheim.demo"
    # The new leader edits; the old one, no longer on the team, may not.
    with pytest.raises(PermissionError):
        services.add_problem(leader, analysis, "x")


def test_history_is_append_only(ctx):
    analysis = factories.analysis()
    db.session.commit()
    event = analysis.events[0]
    event.text = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(analysis.events[0])
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()


def test_a_deviation_is_held_by_one_active_analysis(ctx):
    dev = factories.deviation()
    first = factories.analysis(dev)
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        factories.analysis(dev, title="Dobbel")
    assert f"allerede med i hendelsesanalyse {first.reference}" in str(refused.value.message)
    db.session.rollback()
    # The schema holds the rule even if a service forgot it.
    other = factories.analysis(factories.deviation(title="Annet"))
    db.session.commit()
    db.session.add(AnalysisDeviation(analysis_id=other.id, deviation_id=dev.id, holding=True))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_link_more_deviations_to_an_analysis(ctx):
    analysis = factories.analysis()
    second = factories.deviation(reporter="melder@trondheim.demo", title="Samme mønster")
    leader = factories.user(factories.LEADER)
    services.link_deviation(leader, analysis, second)
    db.session.commit()
    assert len(analysis.links) == 2
    assert [a.id for a in services.analyses_open_for_linking(leader)] == [analysis.id]
    # A deviation the leader's organisation did not receive is not theirs to send.
    malvik = factories.deviation(
        reporter="melder@stolav.demo", counterpart="Malvik", title="Til Malvik"
    )
    with pytest.raises(PermissionError):
        services.link_deviation(leader, analysis, malvik)
    db.session.rollback()


def test_after_ferdig_the_content_is_frozen_but_the_plan_is_followed(ctx):
    analysis = factories.analysis()
    factories.fill_analysis(analysis)
    leader = factories.user(factories.LEADER)
    services.set_status(leader, analysis, AnalysisStatus.FERDIG)
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        services.add_timeline_entry(
            leader, analysis, services.TimelineInput(factories.day(-1), time(9, 0), "x", "")
        )
    assert "ferdig" in str(refused.value.message)
    db.session.rollback()
    action = analysis.actions[0]
    with pytest.raises(ServiceError) as refused:
        services.delete_action(leader, analysis, action)
    assert "Forkastet" in str(refused.value.message)
    db.session.rollback()
    with pytest.raises(ServiceError) as refused:
        services.update_action(
            leader, analysis, action, factories.action_input(analysis, due_date=None)
        )
    assert refused.value.field == "due_date"
    db.session.rollback()
    services.update_action(
        leader, analysis, action, factories.action_input(analysis, status=ActionStatus.GJENNOMFORT)
    )
    db.session.commit()
    assert action.status is ActionStatus.GJENNOMFORT and action.completed_at is not None


def test_cancelled_analysis_is_read_only(ctx):
    analysis = factories.analysis()
    factories.fill_analysis(analysis)
    leader = factories.user(factories.LEADER)
    services.set_status(leader, analysis, AnalysisStatus.AVBRUTT)
    db.session.commit()
    with pytest.raises(ServiceError):
        services.update_action(
            leader, analysis, analysis.actions[0], factories.action_input(analysis)
        )
    db.session.rollback()
    with pytest.raises(ServiceError):
        services.add_member(leader, analysis, "mottak@trondheim.demo")
    db.session.rollback()


def test_identity_numbers_refused_in_every_free_text(ctx):
    number = identity_number("010190")
    analysis = factories.analysis()
    factories.fill_analysis(analysis)
    db.session.commit()
    leader = factories.user(factories.LEADER)
    with pytest.raises(ServiceError) as refused:
        factories.analysis(factories.deviation(title="Annet"), mandate=f"Gjelder {number}")
    assert refused.value.field == "mandate"
    db.session.rollback()
    attempts = [
        (
            lambda: services.add_timeline_entry(
                leader, analysis, services.TimelineInput(factories.day(-1), time(9), "x", number)
            ),
            "source",
        ),
        (lambda: services.add_problem(leader, analysis, f"Pasient {number}"), "text"),
        (lambda: services.add_root_cause(leader, analysis, number), "text"),
        (lambda: services.add_learning_point(leader, analysis, number), "text"),
        (
            lambda: services.add_action(
                leader, analysis, factories.action_input(analysis, effect_measure=number)
            ),
            "effect_measure",
        ),
    ]
    for attempt, field in attempts:
        with pytest.raises(ServiceError) as refused:
            attempt()
        assert refused.value.field == field
        assert "fødselsnummer" in str(refused.value.message)
        db.session.rollback()


def test_action_owner_must_belong_to_the_responsible_organisation(ctx):
    analysis = factories.analysis()
    factories.fill_analysis(analysis, with_action=False)
    # Committed, so each refused attempt's rollback returns to this state, not to nothing.
    db.session.commit()
    leader = factories.user(factories.LEADER)
    with pytest.raises(ServiceError) as refused:
        services.add_action(
            leader,
            analysis,
            factories.action_input(
                analysis, responsible_org_id=organisation_by_name("Trondheim").id
            ),
        )
    assert refused.value.field == "responsible_email"
    assert "hører til St. Olavs hospital HF, ikke Trondheim" in str(refused.value.message)
    db.session.rollback()
    with pytest.raises(ServiceError) as refused:
        services.add_action(
            leader, analysis, factories.action_input(analysis, responsible_email="ukjent@x.no")
        )
    assert refused.value.field == "responsible_email"
    db.session.rollback()
    with pytest.raises(ServiceError) as refused:
        services.add_action(leader, analysis, factories.action_input(analysis, root_cause_id=None))
    assert refused.value.field == "root_cause"
    db.session.rollback()


def test_root_cause_with_actions_is_not_deleted(ctx):
    analysis = factories.analysis()
    factories.fill_analysis(analysis)
    with pytest.raises(ServiceError) as refused:
        services.delete_root_cause(
            factories.user(factories.LEADER), analysis, analysis.root_causes[0]
        )
    assert "tiltak 1 svarer på den" in str(refused.value.message)
    db.session.rollback()


def test_timeline_in_the_future_refused_and_sorted_by_time(ctx):
    analysis = factories.analysis()
    db.session.commit()
    leader = factories.user(factories.LEADER)
    with pytest.raises(ServiceError) as refused:
        services.add_timeline_entry(
            leader, analysis, services.TimelineInput(factories.day(1), time(9), "x", "")
        )
    assert refused.value.field == "day"
    db.session.rollback()
    services.add_timeline_entry(
        leader, analysis, services.TimelineInput(factories.day(-1), time(14), "Senere", "")
    )
    services.add_timeline_entry(
        leader, analysis, services.TimelineInput(factories.day(-1), time(8), "Tidligere", "")
    )
    services.add_timeline_entry(
        leader, analysis, services.TimelineInput(factories.day(-3), time(23, 59), "Først", "")
    )
    db.session.commit()
    db.session.expire(analysis, ["timeline"])
    assert [t.what for t in analysis.timeline] == ["Først", "Tidligere", "Senere"]


def test_adding_a_member_tells_nothing_of_addresses_outside_the_analysis(ctx):
    """Issue 21, finding 13: adding by e-mail told any member whether an address existed
    anywhere. Someone of an organisation not in the analysis, and an address with no account,
    now get the same answer; the analysis's organisations and the analysts stay findable."""
    from app.auth.services import create_user

    analysis = factories.analysis()
    leader = factories.user(factories.LEADER)
    answers = []
    for email in ("mottak@malvik.demo", "finnes.ikke@malvik.demo"):
        with pytest.raises(ServiceError) as refused:
            services.add_member(leader, analysis, email)
        answers.append((str(refused.value.message), refused.value.field, refused.value.code))
    assert answers[0] == answers[1]
    assert "mottak@malvik.demo" not in {m.user.email for m in analysis.members}
    create_user(
        "analytiker@malvik.demo", "Anna Analytiker", organisation_by_name("Malvik"), None,
        {Role.ANALYTIKER},
    )  # fmt: skip
    services.add_member(leader, analysis, "analytiker@malvik.demo")
    services.add_member(leader, analysis, "mottak@trondheim.demo")  # a side of the case
    assert {"analytiker@malvik.demo", "mottak@trondheim.demo"} <= {
        m.user.email for m in analysis.members
    }
