"""The API's writes: filing, messages and moves, each idempotent by its Idempotency-Key."""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa

from app.api.scopes import DEVIATIONS_READ, DEVIATIONS_WRITE
from app.extensions import db
from app.models import (
    Deviation,
    DeviationMessage,
    EventKind,
    IdempotencyKey,
    OutboxMail,
    Status,
)
from tests.api_helpers import HOSPITAL, bearer, cases_between, issue_token, new_deviation
from tests.factories import identity_number as make_identity_number


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_filing_gives_the_receipt_and_a_retry_files_nothing_more(app, client):
    token = issue_token(app, "Trondheim", {DEVIATIONS_WRITE}, name="EQS")
    headers = bearer(token, **_key())
    body = new_deviation(app, patient_id=make_identity_number("010180"))
    first = client.post("/api/v1/deviations", json=body, headers=headers)
    assert first.status_code == 201, first.get_data(as_text=True)
    receipt = first.get_json()
    assert receipt["reference"].startswith("AV-") and receipt["status"] == "sendt"
    assert receipt["counterpart_organisation"] == HOSPITAL
    assert first.headers["Location"] == receipt["url"]
    again = client.post("/api/v1/deviations", json=body, headers=headers)
    assert again.status_code == 201 and again.get_json() == receipt
    assert again.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        assert _count(Deviation) == 1
        deviation = db.session.scalar(sa.select(Deviation))
        assert deviation.reporter.name == "API: EQS" and deviation.has_patient_id
        assert deviation.events[0].kind == EventKind.CREATED
        # The hospital's mottak is told; the client's user is never mailed.
        addresses = db.session.scalars(sa.select(OutboxMail.to_address)).all()
        assert "mottak@stolav.demo" in addresses
        assert not [a for a in addresses if a.endswith(".invalid")]
    # The same key with another body is refused, and files nothing.
    other = client.post("/api/v1/deviations", json={**body, "title": "Noe annet"}, headers=headers)
    assert other.status_code == 422
    assert other.get_json()["type"].endswith("/idempotency-key-reused")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"description": f"Pasient {make_identity_number('020290')} ble sendt hjem"},
            "description",
        ),
        ({"patient_id": "12345678901"}, "patient_id"),
        ({"counterpart_organisation_id": 999999}, "counterpart_organisation_id"),
        ({"title": ""}, "title"),
    ],
)
def test_filing_follows_the_forms_rules(app, client, overrides, field):
    token = issue_token(app, "Trondheim", {DEVIATIONS_WRITE})
    response = client.post(
        "/api/v1/deviations",
        json=new_deviation(app, **overrides),
        headers=bearer(token, **_key(), **{"Accept-Language": "nb"}),
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    with app.app_context():
        assert _count(Deviation) == 0 and _count(IdempotencyKey) == 0


def test_writes_need_the_write_scope_and_a_key(app, client):
    reader = issue_token(app, "Trondheim", {DEVIATIONS_READ})
    writer = issue_token(app, "Trondheim", {DEVIATIONS_WRITE})
    body = new_deviation(app)
    refused = client.post("/api/v1/deviations", json=body, headers=bearer(reader, **_key()))
    assert refused.status_code == 403
    missing = client.post("/api/v1/deviations", json=body, headers=bearer(writer))
    assert missing.status_code == 422 and "Idempotency-Key" in missing.get_json()["errors"]


def test_csrf_does_not_apply_and_a_cookie_does_not_authenticate(database_url, tmp_path):
    from tests.support import make_app

    app = make_app(database_url, WTF_CSRF_ENABLED=True, MAIL_OUTBOX_DIR=str(tmp_path))
    with app.app_context():
        engine = db.engine
        engines = db.engines
    connection = engine.connect()
    transaction = connection.begin()
    engines[None] = connection  # type: ignore[index]
    try:
        client = app.test_client()
        token = issue_token(app, "Trondheim", {DEVIATIONS_WRITE})
        response = client.post(
            "/api/v1/deviations", json=new_deviation(app), headers=bearer(token, **_key())
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        assert "Set-Cookie" not in response.headers
        no_token = client.post("/api/v1/deviations", json=new_deviation(app), headers=_key())
        assert no_token.status_code == 401
    finally:
        transaction.rollback()
        connection.close()
        engine.dispose()


def test_a_handler_client_writes_to_the_reporter_and_answers(app, client):
    cases = cases_between(app)
    reference = cases["trondheim->hospital"]
    token = issue_token(app, HOSPITAL, {DEVIATIONS_READ, DEVIATIONS_WRITE}, name="Synergi")
    key = _key()
    url = f"/api/v1/deviations/{reference}/messages"
    posted = client.post(url, json={"body": "Vi ser på saken."}, headers=bearer(token, **key))
    assert posted.status_code == 201, posted.get_data(as_text=True)
    assert client.post(
        url, json={"body": "Vi ser på saken."}, headers=bearer(token, **key)
    ).json == (posted.get_json())
    case = client.get(f"/api/v1/deviations/{reference}", headers=bearer(token)).get_json()
    assert [m["body"] for m in case["messages"]].count("Vi ser på saken.") == 1
    assert case["moves"][:2] == ["bekreft", "start"]
    moves = f"/api/v1/deviations/{reference}/moves"
    started = client.post(
        moves, json={"move": "start", "version": case["version"]}, headers=bearer(token, **_key())
    )
    assert started.status_code == 200, started.get_data(as_text=True)
    assert started.get_json()["status"] == "under_behandling"
    stale = client.post(
        moves,
        json={"move": "besvar", "text": "Rutinen er endret.", "version": case["version"]},
        headers=bearer(token, **_key()),
    )
    assert stale.status_code == 409
    key = _key()
    answer = {"move": "besvar", "text": "Rutinen er endret."}
    answered = client.post(moves, json=answer, headers=bearer(token, **key))
    assert answered.get_json()["status"] == "besvart"
    replay = client.post(moves, json=answer, headers=bearer(token, **key))
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    no_text = client.post(moves, json={"move": "avvis"}, headers=bearer(token, **_key()))
    assert no_text.status_code == 422
    with app.app_context():
        deviation = db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference))
        assert deviation.status == Status.BESVART
        actors = [e.actor.name for e in deviation.events if e.kind == EventKind.TRANSITION]
        assert actors == ["API: Synergi", "API: Synergi"]
        assert _count(DeviationMessage) == 7  # 3 cases x (message + note), and ours


def test_a_client_moves_only_what_its_organisation_received(app, client):
    cases = cases_between(app)
    token = issue_token(app, "Trondheim", {DEVIATIONS_READ, DEVIATIONS_WRITE})
    # Sent by Trondheim: readable, but not Trondheim's to handle.
    sent = f"/api/v1/deviations/{cases['trondheim->hospital']}/moves"
    refused = client.post(sent, json={"move": "start"}, headers=bearer(token, **_key()))
    assert refused.status_code == 422
    assert refused.get_json()["type"].endswith("/refused-forbidden")
    # Another organisation's case: as if it did not exist.
    other = f"/api/v1/deviations/{cases['hospital->malvik']}/moves"
    assert (
        client.post(other, json={"move": "start"}, headers=bearer(token, **_key())).status_code
        == 404
    )


@pytest.mark.commits
def test_two_concurrent_identical_calls_file_once(app):
    token = issue_token(app, "Trondheim", {DEVIATIONS_WRITE})
    body = new_deviation(app)
    headers = bearer(token, **_key())
    barrier = threading.Barrier(2)
    answers: list = []

    def call() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/deviations", json=body, headers=headers)
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [status for status, _ in answers] == [201, 201], answers
    assert answers[0][1] == answers[1][1]
    with app.app_context():
        assert _count(Deviation) == 1 and _count(IdempotencyKey) == 1
        db.session.remove()


def test_a_client_forwards_to_a_named_colleague(app, client):
    """Issue 20: videresend with user_id, as the page does; the status stays, the colleague
    gets the case and a mail; someone outside the mottak is refused on the field user_id."""
    from app.models import OutboxMail, Role
    from tests import factories

    cases = cases_between(app)
    reference = cases["trondheim->hospital"]
    with app.app_context():
        colleague = factories.new_user(
            "kari@stolav.demo", name="Kari Kollega", org=HOSPITAL, roles=[Role.SAKSBEHANDLER]
        )
        stranger = factories.user("melder@stolav.demo").id
        db.session.commit()
        colleague_id = colleague.id
        before = _count(OutboxMail)
    token = issue_token(app, HOSPITAL, {DEVIATIONS_READ, DEVIATIONS_WRITE})
    moves = f"/api/v1/deviations/{reference}/moves"
    refused = client.post(
        moves, json={"move": "videresend", "user_id": stranger}, headers=bearer(token, **_key())
    )
    assert refused.status_code == 422
    assert "user_id" in refused.get_data(as_text=True)
    moved = client.post(
        moves,
        json={"move": "videresend", "user_id": colleague_id},
        headers=bearer(token, **_key()),
    )
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert moved.get_json()["status"] == moved.get_json()["from_status"]
    with app.app_context():
        deviation = db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference))
        assert deviation.handler_id == colleague_id
        mails = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id).offset(before))
        assert [m.to_address for m in mails] == ["kari@stolav.demo"]
