"""The factories make what they say, through the services, on both databases."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    DeviationEvent,
    DeviationMessage,
    LessonStatus,
    OutboxMail,
    Role,
    Status,
)
from tests import factories


def test_a_deviation_is_filed_answered_and_talked_about(ctx):
    dev = factories.deviation(title="Glemt dosett", days_ago=3)
    assert dev.reference.startswith("AV-") and dev.status == Status.SENDT
    assert dev.reporter_org_name == "Trondheim" and dev.counterpart_org_name == factories.HOSPITAL
    factories.message(dev, body="Har dere funnet dosetten?")
    factories.answer(dev, text="Dosetten er sendt hjem.")
    assert dev.status == Status.BESVART
    kinds = db.session.scalars(
        sa.select(DeviationEvent.to_status).where(DeviationEvent.deviation_id == dev.id)
    )
    assert list(kinds)[-1] == Status.BESVART
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(DeviationMessage)
            .where(DeviationMessage.deviation_id == dev.id)
        )
        == 1
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) >= 1


def test_a_deviation_is_forwarded_to_a_new_unit(ctx):
    unit = factories.new_unit(name="Ortopedisk avdeling")
    dev = factories.deviation()
    factories.forward(dev, to=unit)
    # An internal forward keeps the status the reporter sees (issue 20).
    assert dev.status == Status.SENDT and dev.forwarded_unit_id == unit.id


def test_an_analysis_with_members_linked_deviations_and_a_plan(ctx):
    other = factories.deviation(title="Samme problem en annen dag")
    analysis = factories.analysis(
        members=["forbedring@demo.demo"], linked=[other], filled=True, title="Utskrivning"
    )
    assert analysis.title == "Utskrivning"
    assert factories.user("forbedring@demo.demo").id in analysis.member_ids
    assert len(analysis.links) == 2
    assert analysis.actions and analysis.root_causes


def test_a_lesson_published_and_a_good_story(ctx):
    lesson = factories.lesson(published_by="forbedring@demo.demo")
    assert lesson.status == LessonStatus.PUBLISERT
    story = factories.story(reporter="melder@stolav.demo", counterpart="Trondheim")
    assert story.id is not None and story.consent_to_share


def test_people_and_places(ctx):
    org = factories.new_organisation("Testby")
    person = factories.new_user("ny@testby.no", org=org, roles=[Role.SAKSBEHANDLER])
    assert person.organisation_id == org.id and person.has_role(Role.SAKSBEHANDLER)
    assert factories.identity_number("010190") != factories.break_check_digit(
        factories.identity_number("010190")
    )
