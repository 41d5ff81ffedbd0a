"""Rectification: the receiving handler corrects the patient number or removes a passage of text,
visibly and in the history; the triggers let exactly that through."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.services import find_user
from app.common.crypto import patient_cipher
from app.common.dates import today_local
from app.common.errors import ServiceError
from app.data.seed import HOSPITAL, organisation_by_name
from app.deviations.retention import anonymise_old_cases
from app.deviations.services import DeviationInput, file_deviation
from app.extensions import db
from app.handling.thread import post_message
from app.models import (
    Category,
    Deviation,
    DeviationEvent,
    DeviationMessage,
    EventKind,
    Harm,
    Status,
    utcnow,
)
from app.models.history_permit import HistoryPermit, PermitPurpose
from app.privacy.rectification import correct_patient_id, redact_passage
from tests.factories import identity_number as make_identity_number

PASSAGE = "Kari Nordmann"


def _case() -> Deviation:
    category = db.session.scalar(sa.select(Category).limit(1))
    deviation = file_deviation(
        find_user("melder@trondheim.demo"),
        DeviationInput(
            counterpart_org_id=organisation_by_name(HOSPITAL).id,
            event_date=today_local(),
            category_id=category.id,
            harm=Harm.LAV,
            title="Kom hjem uten epikrise",
            description=f"{PASSAGE} kom hjem uten papirer. Ring {PASSAGE} sin datter.",
            patient_id=make_identity_number("010150"),
        ),
    )
    handler = find_user("mottak@stolav.demo")
    post_message(deviation, handler, f"Gjelder det {PASSAGE}?")
    # An internal note of another organisation (as one that handled the case before a move).
    trondheim = organisation_by_name("Trondheim")
    db.session.add(DeviationMessage(deviation=deviation, author_org_id=trondheim.id,
                                    internal=True, body=f"Internt: {PASSAGE}"))  # fmt: skip
    db.session.add(
        DeviationEvent(deviation=deviation, actor_id=handler.id, kind=EventKind.TRANSITION,
                       from_status=Status.SENDT, to_status=Status.AVVIST,
                       text=f"Avvist, {PASSAGE} er ikke vår pasient")
    )  # fmt: skip
    db.session.flush()
    return deviation


def test_the_receiving_handler_removes_a_passage_everywhere_they_can_see_it(ctx):
    deviation = _case()
    handler = find_user("mottak@stolav.demo")
    assert redact_passage(handler, deviation, f"  {PASSAGE} ") == 4
    db.session.commit()
    db.session.expire_all()
    mark = f"[fjernet av Siri Mottak {today_local():%d.%m.%Y}]"
    assert deviation.description == f"{mark} kom hjem uten papirer. Ring {mark} sin datter."
    public, internal = sorted(deviation.messages, key=lambda m: m.internal)
    assert public.body == f"Gjelder det {mark}?"
    # Another organisation's internal note is not the hospital handler's to change.
    assert internal.body == f"Internt: {PASSAGE}"
    transition = next(e for e in deviation.events if e.kind is EventKind.TRANSITION)
    assert transition.text == f"Avvist, {mark} er ikke vår pasient"
    assert transition.actor_id == handler.id  # nothing else of the row moved
    last = deviation.events[-1]
    assert last.kind is EventKind.TEXT_REDACTED and last.actor_id == handler.id
    assert PASSAGE not in last.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HistoryPermit)) == 0


def test_a_passage_not_in_the_case_is_refused_with_a_message(ctx):
    deviation = _case()
    handler = find_user("mottak@stolav.demo")
    with pytest.raises(ServiceError) as refused:
        redact_passage(handler, deviation, "kari nordmann")  # case matters
    assert refused.value.field == "passage" and refused.value.code == "not_found"
    with pytest.raises(ServiceError):
        redact_passage(handler, deviation, " x ")


def test_only_the_receiving_handler_may_rectify(ctx):
    deviation = _case()
    for email in ("melder@trondheim.demo", "mottak@trondheim.demo", "mottak@malvik.demo"):
        with pytest.raises(PermissionError):
            redact_passage(find_user(email), deviation, PASSAGE)
        with pytest.raises(PermissionError):
            correct_patient_id(find_user(email), deviation, make_identity_number("020260"))


def test_the_patient_number_is_corrected_with_a_history_row_and_no_number_in_it(ctx):
    deviation = _case()
    handler = find_user("mottak@stolav.demo")
    right = make_identity_number("020260")
    correct_patient_id(handler, deviation, right)
    db.session.commit()
    assert patient_cipher().decrypt(deviation.patient_id_token) == right
    assert deviation.patient_id_hash == patient_cipher().hash(right)
    last = deviation.events[-1]
    assert last.kind is EventKind.PATIENT_ID_CORRECTED and last.actor_id == handler.id
    assert right not in last.text
    with pytest.raises(ServiceError) as refused:
        correct_patient_id(handler, deviation, "12345678901")
    assert refused.value.field == "patient_id"


def _refused(statement: str, **params: object) -> None:
    nested = db.session.begin_nested()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.execute(sa.text(statement), params)
    nested.rollback()


def test_the_triggers_let_through_only_a_marked_text(ctx):
    deviation = _case()
    case = {"d": deviation.id}
    marked_body = "UPDATE deviation_message SET body = 'Gjelder [fjernet av X 01.01.2026]?'"
    # Without a permit: refused, even with the mark.
    _refused(f"{marked_body} WHERE deviation_id = :d", **case)
    db.session.execute(
        sa.insert(HistoryPermit).values(
            deviation_id=deviation.id, purpose=PermitPurpose.RECTIFICATION
        )
    )
    for statement in (
        "UPDATE deviation_message SET body = 'endret' WHERE deviation_id = :d",
        f"{marked_body}, internal = NOT internal WHERE deviation_id = :d",
        f"{marked_body}, author_id = NULL WHERE deviation_id = :d",
        "DELETE FROM deviation_message WHERE deviation_id = :d",
        "UPDATE deviation_event SET text = 'endret' WHERE deviation_id = :d",
        (
            "UPDATE deviation_event SET text = '[fjernet av X]', to_status = NULL"
            " WHERE deviation_id = :d"
        ),
        (
            "UPDATE deviation_event SET text = '[fjernet av X]', actor_id = NULL"
            " WHERE deviation_id = :d"
        ),
    ):
        _refused(statement, **case)
    assert db.session.execute(sa.text(f"{marked_body} WHERE deviation_id = :d"), case).rowcount
    # The retention's permit does not stand in for this one, nor the other way round.
    db.session.execute(sa.text("UPDATE deviation SET anonymised_at = :n WHERE id = :d"),
                       {"n": utcnow(), **case})  # fmt: skip
    _refused(f"{marked_body} WHERE deviation_id = :d", **case)


def test_an_anonymised_case_has_nothing_left_to_rectify(ctx):
    deviation = _case()
    db.session.execute(
        sa.update(Deviation)
        .where(Deviation.id == deviation.id)
        .values(status=Status.AVVIST, closed_at=utcnow() - timedelta(days=4000))
        .execution_options(synchronize_session="fetch")
    )
    anonymise_old_cases(10)
    with pytest.raises(PermissionError):
        redact_passage(find_user("mottak@stolav.demo"), deviation, "—")


def test_the_case_page_form_removes_a_passage_and_keeps_bad_input(app, login_as):
    with app.app_context():
        reference = _case().reference
        db.session.commit()
    client = login_as("mottak@stolav.demo")
    page = client.get(f"/avvik/{reference}").get_data(as_text=True)
    assert "Rett opplysninger" in page
    refused = client.post(f"/avvik/{reference}/retting/fjern", data={"fjern-passage": "Ola Hansen"})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "Fant ikke teksten i avviket" in body and "Ola Hansen" in body
    done = client.post(f"/avvik/{reference}/retting/fjern", data={"fjern-passage": PASSAGE})
    assert done.status_code == 302
    page = client.get(f"/avvik/{reference}").get_data(as_text=True)
    assert "[fjernet av Siri Mottak" in page and "Tekst fjernet" in page
    bad = client.post(f"/avvik/{reference}/retting/pasient", data={"pasient-patient_id": "123"})
    assert bad.status_code == 422 and "ikke et gyldig" in bad.get_data(as_text=True)
    # The reporter is not shown the form and may not post it.
    reporter = login_as("melder@trondheim.demo")
    assert "Rett opplysninger" not in reporter.get(f"/avvik/{reference}").get_data(as_text=True)
    assert (
        reporter.post(f"/avvik/{reference}/retting/fjern", data={"fjern-passage": "x"}).status_code
        == 404
    )


def test_only_the_exact_passage_is_removed_whatever_the_database_compares(ctx):
    # SQLite's LIKE ignores case: a message holding the name in other letters stays as it is.
    deviation = _case()
    handler = find_user("mottak@stolav.demo")
    post_message(deviation, handler, f"Gjelder det {PASSAGE.upper()}?")
    assert redact_passage(handler, deviation, PASSAGE) == 4
    db.session.flush()
    db.session.expire_all()
    assert f"Gjelder det {PASSAGE.upper()}?" in [m.body for m in deviation.messages]
