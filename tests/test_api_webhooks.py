"""Webhooks to a receiver on loopback that fails, times out, answers slowly and comes back:
nothing lost, nothing doubled, every signature verified by the receiver."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from app.api import webhooks
from app.api.services import hooks
from app.auth.services import find_user
from app.common.errors import ServiceError
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.handling.thread import post_message
from app.handling.workflow import Move, transition
from app.models import DeliveryStatus, WebhookDelivery, utcnow
from tests.api_helpers import file_case


class Receiver:
    """A small HTTP server on 127.0.0.1 that answers as told: "fail" (500), "timeout" (sleeps
    past the sender's timeout), "slow" (sleeps, then 200) or "ok"; it verifies each signature
    and keeps the event ids it accepted."""

    def __init__(self) -> None:
        self.plan: list[str] = []
        self.secrets: list[str] = []
        self.accepted: list[str] = []
        self.seen: list[str] = []
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                signed = any(
                    webhooks.verify(
                        secret,
                        self.headers["Avvik-Timestamp"],
                        body,
                        self.headers["Avvik-Signature"],
                    )
                    for secret in receiver.secrets
                )
                event = json.loads(body)
                receiver.seen.append(event["id"])
                if not signed:
                    receiver.bad_signatures += 1
                behaviour = receiver.plan.pop(0) if receiver.plan else "ok"
                if behaviour == "timeout":
                    time.sleep(0.8)
                    self.send_response(503)
                elif behaviour == "fail":
                    self.send_response(500)
                else:
                    if behaviour == "slow":
                        time.sleep(0.2)
                    # A receiver drops an event id it has already taken.
                    if signed and event["id"] not in receiver.accepted:
                        receiver.accepted.append(event["id"])
                    self.send_response(200 if signed else 401)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        # serve_forever looks for a shutdown request every poll_interval (0.5 s by default):
        # each test's close() waited that long, half a second idle per test.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def quick(app):
    app.config.update(
        WEBHOOK_TIMEOUT_SECONDS=0.5, WEBHOOK_RETRY_BASE_SECONDS=1, WEBHOOK_MAX_ATTEMPTS=4
    )
    return app


def _register(receiver: Receiver, organisation: str, events: set[str]) -> None:
    made = hooks.register(
        find_user("admin@demo.demo"), organisation_by_name(organisation), receiver.url, events
    )
    receiver.secrets.append(made.secret)


def _deliveries() -> list[WebhookDelivery]:
    return list(db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_events_are_queued_with_their_cause_and_carry_no_case_text(quick, receiver):
    with quick.app_context():
        _register(receiver, "Trondheim", set(webhooks.EVENTS))
        _register(receiver, HOSPITAL, {webhooks.RECEIVED, webhooks.ANSWERED})
        db.session.commit()
        deviation = file_case("melder@stolav.demo", "Trondheim", "Hemmelig tittel")
        post_message(deviation, find_user("mottak@trondheim.demo"), "Hemmelig spørsmål")
        transition(deviation, Move.ANSWER, find_user("mottak@trondheim.demo"), text="Svaret")
        db.session.commit()
        events = [(d.event, d.endpoint.organisation.name) for d in _deliveries()]
        assert events == [
            (webhooks.RECEIVED, "Trondheim"),
            (webhooks.MESSAGE, "Trondheim"),
            (webhooks.ANSWERED, HOSPITAL),
        ]
        payload = json.loads(_deliveries()[0].payload)
        assert set(payload) == {"id", "type", "created_at", "data"}
        assert payload["data"] == {
            "reference": deviation.reference,
            "url": f"{quick.config['BASE_URL'].rstrip('/')}/api/v1/deviations/{deviation.reference}",
        }
        assert "Hemmelig" not in "".join(d.payload for d in _deliveries())


def test_a_receiver_that_fails_times_out_and_is_slow_gets_each_event_once(quick, receiver):
    with quick.app_context():
        _register(receiver, "Trondheim", {webhooks.RECEIVED})
        db.session.commit()
        cases = [file_case("melder@stolav.demo", "Trondheim", f"Sak {n}") for n in range(3)]
        db.session.commit()
        receiver.plan = ["fail", "timeout", "slow", "fail", "ok", "slow"]
        now = utcnow()
        for _ in range(6):
            webhooks.deliver_pending(now)
            now += timedelta(minutes=5)
        rows = _deliveries()
        assert [r.status for r in rows] == [DeliveryStatus.DELIVERED] * 3
        assert sorted(receiver.accepted) == sorted(r.event_id for r in rows)
        assert len(receiver.accepted) == len(set(receiver.accepted)) == len(cases)
        assert receiver.bad_signatures == 0
        assert sum(r.attempts for r in rows) == len(receiver.seen) == 6
        # Delivered rows are never sent again.
        webhooks.deliver_pending(now + timedelta(hours=1))
        assert len(receiver.seen) == 6


def test_a_dead_letter_is_shown_and_resent_from_the_admin_page(quick, receiver, client, login_as):
    with quick.app_context():
        _register(receiver, "Trondheim", {webhooks.RECEIVED})
        db.session.commit()
        file_case("melder@stolav.demo", "Trondheim", "Sak")
        db.session.commit()
        receiver.plan = ["fail"] * 4
        now = utcnow()
        for _ in range(5):
            webhooks.deliver_pending(now)
            now += timedelta(minutes=5)
        (row,) = _deliveries()
        assert row.status == DeliveryStatus.FAILED and row.attempts == 4
        assert row.last_error == "HTTP 500"
        delivery_id, event_id = row.id, row.event_id
    login_as("lokaladmin@trondheim.demo")
    page = client.get("/admin/api-klienter/webhooks").get_data(as_text=True)
    assert "HTTP 500" in page and "Ga opp" in page
    client.post(f"/admin/api-klienter/webhooks/leveranser/{delivery_id}/send-igjen")
    with quick.app_context():
        assert webhooks.deliver_pending() == 1
        assert db.session.get(WebhookDelivery, delivery_id).status == DeliveryStatus.DELIVERED
    assert receiver.accepted == [event_id]
    # Another organisation's admin cannot resend it.
    login_as("mottak@malvik.demo")
    response = client.post(f"/admin/api-klienter/webhooks/leveranser/{delivery_id}/send-igjen")
    assert response.status_code == 404


def test_the_admin_registers_an_endpoint_and_sees_its_key_once(app, client, login_as, receiver):
    login_as("lokaladmin@trondheim.demo")
    with app.app_context():
        trondheim = organisation_by_name("Trondheim").id
    form = {
        "organisation": trondheim,
        "url": "http://example.org/hook",
        "events": ["message.posted"],
    }
    refused = client.post("/admin/api-klienter/webhooks", data=form)
    assert refused.status_code == 422
    assert "https://" in refused.get_data(as_text=True)
    made = client.post("/admin/api-klienter/webhooks", data={**form, "url": receiver.url})
    text = made.get_data(as_text=True)
    secret = text.split('id="secret" readonly value="', 1)[1].split('"', 1)[0]
    assert secret.startswith("whsec_")
    assert secret not in client.get("/admin/api-klienter/webhooks").get_data(as_text=True)


def test_https_only_outside_tests(app):
    with app.app_context():
        app.config["WEBHOOK_ALLOW_LOOPBACK_HTTP"] = False
        with pytest.raises(ServiceError):
            hooks.register(
                find_user("admin@demo.demo"),
                organisation_by_name("Malvik"),
                "http://127.0.0.1:9/hook",
                {webhooks.RECEIVED},
            )
        made = hooks.register(
            find_user("admin@demo.demo"),
            organisation_by_name("Malvik"),
            "https://kvalitet.malvik.kommune.no/avvik",
            {webhooks.RECEIVED},
        )
        assert made.endpoint.url.startswith("https://")
        db.session.rollback()


def test_the_signature_scheme(app):
    body = b'{"id":"x"}'
    stamp = int(time.time())
    signature = webhooks.sign("whsec_test", stamp, body)
    assert webhooks.verify("whsec_test", str(stamp), body, signature)
    assert not webhooks.verify("whsec_other", str(stamp), body, signature)
    assert not webhooks.verify("whsec_test", str(stamp), body + b" ", signature)
    assert not webhooks.verify("whsec_test", str(stamp - 3600), body, signature)


def test_rerouting_and_analysis_are_events_and_the_command_delivers(quick, receiver, runner):
    with quick.app_context():
        _register(receiver, "Malvik", {webhooks.RECEIVED, webhooks.ANALYSIS})
        _register(receiver, HOSPITAL, {webhooks.ANALYSIS})
        db.session.commit()
        deviation = file_case("melder@stolav.demo", "Trondheim", "Sak")
        transition(
            deviation,
            Move.REROUTE,
            find_user("mottak@trondheim.demo"),
            target_org=organisation_by_name("Malvik"),
        )
        transition(deviation, Move.ANALYSE, find_user("mottak@malvik.demo"))
        db.session.commit()
        events = sorted((d.event, d.endpoint.organisation.name) for d in _deliveries())
        assert events == [
            (webhooks.ANALYSIS, "Malvik"),
            (webhooks.ANALYSIS, HOSPITAL),
            (webhooks.RECEIVED, "Malvik"),
        ]
    result = runner.invoke(args=["send-webhooks"])
    assert result.exit_code == 0, result.output
    assert "3 hendelser levert." in result.output
    assert len(receiver.accepted) == 3 and receiver.bad_signatures == 0


def test_maintenance_forgets_old_keys_and_old_deliveries(quick, receiver, client):
    from datetime import timedelta

    from app.maintenance import run_maintenance
    from app.models import IdempotencyKey
    from tests.api_helpers import bearer, issue_token, new_deviation

    token = issue_token(quick, "Trondheim", {"deviations:write"})
    response = client.post(
        "/api/v1/deviations",
        json=new_deviation(quick),
        headers=bearer(token, **{"Idempotency-Key": "k1"}),
    )
    assert response.status_code == 201
    with quick.app_context():
        _register(receiver, "Malvik", {webhooks.RECEIVED})
        db.session.commit()
        file_case("melder@stolav.demo", "Malvik", "Levert")
        file_case("melder@stolav.demo", "Malvik", "Venter")
        db.session.commit()
        first, second = _deliveries()
        first.status = DeliveryStatus.DELIVERED
        db.session.commit()
        done = dict(run_maintenance(utcnow() + timedelta(days=31)))
        assert done["Gamle idempotensnøkler og webhook-leveranser slettet"] == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotencyKey)) == 0
        assert [d.id for d in _deliveries()] == [second.id]  # still waiting: kept
