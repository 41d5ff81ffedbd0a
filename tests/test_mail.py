"""E-mail end to end: outbox rows → the sender → a real SMTP server (aiosmtpd on 127.0.0.1).

Right recipients, no case content, retries with back-off on a failing server, nothing twice —
also with two senders at once — and idempotent reminders.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes as _parse
from email import policy
from email.message import Message

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask

from app.auth.services import find_user
from app.common.dates import local
from app.data.seed import organisation_by_name
from app.extensions import db
from app.handling import reminders, thread
from app.handling.workflow import Move, transition
from app.mail.sender import deliver_pending
from app.mail.services import queue_mail
from app.models import Deviation, Harm, MailStatus, OutboxMail
from tests import factories
from tests.factories import identity_number

TITLE = "Utskrevet uten epikrise til Hjemmetjenesten"
DESCRIPTION = "Pasienten kom hjem fredag kveld uten medisiner og uten at noen var varslet."


class Recorder:
    """An SMTP handler that keeps what it accepts, or answers with a chosen error."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], Message]] = []
        self.refuse_with: str | None = None
        self.attempts = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.attempts += 1
            if self.refuse_with:
                return self.refuse_with
            self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


def message_from_bytes(data: bytes) -> Message:
    return _parse(data, policy=policy.default)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield recorder, controller.port
    controller.stop()


@pytest.fixture
def mail_app(app: Flask, smtp) -> Flask:
    _, port = smtp
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_RETRY_BASE_SECONDS=60,
                      MAIL_MAX_ATTEMPTS=4, BASE_URL="https://avvik.example.no")  # fmt: skip
    return app


def file(now: datetime | None = None, patient: str | None = None) -> Deviation:
    """A case whose title and description must never leave the system."""
    return factories.deviation(
        now=now or datetime.now(UTC),
        patient=patient,
        harm=Harm.MODERAT,
        title=TITLE,
        description=DESCRIPTION,
    )


def body_of(message: Message) -> str:
    return message.get_content()


def test_every_event_reaches_the_right_people_with_no_case_content(mail_app, smtp):
    recorder, _ = smtp
    patient = identity_number("120355")
    with mail_app.app_context():
        handler = find_user("mottak@stolav.demo")
        reporter = find_user("melder@trondheim.demo")
        deviation = file(patient=patient)
        reference = deviation.reference
        transition(deviation, Move.START, handler)  # no mail: nothing the reporter must act on
        thread.post_message(deviation, handler, "Hvilken dag skjedde det?")
        thread.post_message(deviation, handler, "Internt: ring posten.", internal=True)
        thread.post_message(deviation, reporter, "Fredag.")
        transition(deviation, Move.ANSWER, handler, text="Rutinen for utskrivning er endret.")
        transition(deviation, Move.REOPEN, handler)
        transition(deviation, Move.REJECT, handler, text="Ikke et samhandlingsavvik likevel.")
        transition(deviation, Move.REOPEN, reporter, text="Jo, det er det.")
        transition(deviation, Move.REROUTE, handler, target_org=organisation_by_name("Malvik").id)
        db.session.commit()
        assert deliver_pending() == 8
        assert deliver_pending() == 0  # nothing twice
        rows = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()
        assert all(r.status is MailStatus.SENT and r.attempts == 1 for r in rows)

    got = [(rcpt, msg["Subject"].split(": ", 1)[1]) for rcpt, msg in recorder.received]
    assert got == [
        (["mottak@stolav.demo"], "nytt avvik"),
        (["melder@trondheim.demo"], "ny melding fra mottaker"),
        (["mottak@stolav.demo"], "ny melding fra melder"),
        (["melder@trondheim.demo"], "svar mottatt"),
        (["melder@trondheim.demo"], "avviket er gjenåpnet"),
        (["melder@trondheim.demo"], "avviket er avvist"),
        (["mottak@stolav.demo"], "gjenåpnet av melder"),
        (["mottak@malvik.demo"], "avvik videresendt til dere"),
    ]
    forbidden = [TITLE, DESCRIPTION, patient, patient[:6], "Kari Nordmann", "Siri Mottak",
                 "Hvilken dag", "Fredag.", "Rutinen", "Internt", "samhandlingsavvik likevel",
                 "Jo, det er det", "Hjemmetjenesten", "Trondheim", "St. Olavs"]  # fmt: skip
    for rcpt, message in recorder.received:
        body = body_of(message)
        assert reference in message["Subject"] and reference in body
        assert f"https://avvik.example.no/avvik/{reference}" in body
        assert message["From"] == mail_app.config["MAIL_SENDER"]
        for text in forbidden:
            assert text not in body and text not in message["Subject"], (text, rcpt)


def test_each_recipient_gets_the_mail_in_their_own_language(mail_app, smtp):
    recorder, _ = smtp
    with mail_app.app_context():
        find_user("mottak@stolav.demo").language = "en"  # type: ignore[union-attr]
        deviation = file()
        reference = deviation.reference
        thread.post_message(deviation, find_user("mottak@stolav.demo"), "Hvilken dag?")
        db.session.commit()
        assert deliver_pending() == 2
    by_rcpt = {rcpt[0]: message for rcpt, message in recorder.received}
    english, norwegian = by_rcpt["mottak@stolav.demo"], by_rcpt["melder@trondheim.demo"]
    assert english["Subject"] == f"Deviation {reference}: new deviation"
    assert "This e-mail contains no information about the deviation." in body_of(english)
    assert "Denne e-posten" not in body_of(english)
    assert norwegian["Subject"] == f"Avvik {reference}: ny melding fra mottaker"
    assert "Denne e-posten inneholder ingen opplysninger om avviket." in body_of(norwegian)


def _queue(n: int) -> None:
    for i in range(n):
        queue_mail(f"person{i}@example.no", f"Avvik AV-2026-{i:05d}: nytt avvik", "Åpne avviket.")
    db.session.commit()


def test_a_failing_server_is_retried_with_back_off_and_nothing_is_sent_twice(mail_app, smtp):
    recorder, _ = smtp
    recorder.refuse_with = "451 4.3.0 Prøv igjen senere"
    start = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    with mail_app.app_context():
        _queue(1)
        db.session.execute(sa.update(OutboxMail).values(next_attempt_at=start))
        db.session.commit()
        assert deliver_pending(now=start) == 0
        mail = db.session.scalar(sa.select(OutboxMail))
        assert (mail.status, mail.attempts) == (MailStatus.PENDING, 1)
        assert mail.next_attempt_at == start + timedelta(seconds=60)
        assert "451" in mail.last_error
        # Not due yet: the server is not asked again.
        assert deliver_pending(now=start + timedelta(seconds=59)) == 0
        assert recorder.attempts == 1
        # Due: fails again, and the wait doubles.
        assert deliver_pending(now=start + timedelta(seconds=60)) == 0
        db.session.refresh(mail)
        assert mail.attempts == 2
        assert mail.next_attempt_at == start + timedelta(seconds=60 + 120)
        # The server recovers: delivered once, and never again.
        recorder.refuse_with = None
        assert deliver_pending(now=start + timedelta(seconds=180)) == 1
        assert deliver_pending(now=start + timedelta(days=1)) == 0
        db.session.refresh(mail)
        assert (mail.status, mail.attempts, mail.claim_token) == (MailStatus.SENT, 3, None)
    assert recorder.attempts == 3 and len(recorder.received) == 1


def test_gives_up_after_the_last_attempt(mail_app, smtp):
    recorder, _ = smtp
    recorder.refuse_with = "421 4.7.0 Opptatt"
    with mail_app.app_context():
        _queue(1)
        when = datetime.now(UTC)
        for _ in range(4):  # MAIL_MAX_ATTEMPTS
            deliver_pending(now=when)
            when += timedelta(hours=7)
        mail = db.session.scalar(sa.select(OutboxMail))
        assert (mail.status, mail.attempts) == (MailStatus.FAILED, 4)
        assert deliver_pending(now=when + timedelta(days=30)) == 0
    assert recorder.attempts == 4


def test_a_permanent_refusal_is_not_retried(mail_app, smtp):
    recorder, _ = smtp
    recorder.refuse_with = "550 5.1.1 Ukjent mottaker"
    with mail_app.app_context():
        _queue(1)
        assert deliver_pending() == 0
        mail = db.session.scalar(sa.select(OutboxMail))
        assert (mail.status, mail.attempts) == (MailStatus.FAILED, 1)
        assert deliver_pending(now=datetime.now(UTC) + timedelta(days=1)) == 0
    assert recorder.attempts == 1


def test_a_server_that_is_down_is_retried_later(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens
    with app.app_context():
        _queue(2)
        assert deliver_pending() == 0
        rows = db.session.scalars(sa.select(OutboxMail)).all()
        assert all(r.status is MailStatus.PENDING and r.attempts == 1 for r in rows)
        assert all("Connection" in r.last_error or "refused" in r.last_error for r in rows)


def test_no_password_goes_to_the_server_without_tls(app):
    """The server offers AUTH on the plain connection; the sender must not take it."""
    from aiosmtpd.smtp import AuthResult

    recorder = Recorder()
    logins: list[bytes] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append(auth_data.password)
        return AuthResult(success=True)

    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(),
                            authenticator=authenticator, auth_require_tls=False)  # fmt: skip
    controller.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False,
                          MAIL_USERNAME="avvik", MAIL_PASSWORD="hemmelig-passord")  # fmt: skip
        with app.app_context():
            _queue(1)
            assert deliver_pending() == 0
            mail = db.session.scalar(sa.select(OutboxMail))
            assert mail.status is MailStatus.PENDING and "MAIL_USE_TLS" in mail.last_error
    finally:
        controller.stop()
    assert logins == [] and recorder.attempts == 0


@pytest.mark.commits
def test_two_senders_at_once_never_send_a_row_twice(mail_app, smtp):
    recorder, _ = smtp
    with mail_app.app_context():
        _queue(90)
    counts: list[int] = []
    errors: list[BaseException] = []
    ready = threading.Barrier(3)

    def sender() -> None:
        with mail_app.app_context():
            try:
                ready.wait(timeout=10)
                counts.append(deliver_pending())
            except BaseException as error:  # noqa: BLE001  (surfaced below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sum(counts) == 90
    ids = [m["Message-ID"] for _, m in recorder.received]
    assert len(ids) == 90 and len(set(ids)) == 90
    with mail_app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(OutboxMail.status == MailStatus.SENT)
            )
            == 90
        )


def test_without_a_server_mails_are_written_as_eml_files(app, tmp_path):
    outbox = tmp_path / "eml"
    app.config.update(MAIL_SERVER=None, MAIL_OUTBOX_DIR=str(outbox))
    with app.app_context():
        reference = file().reference
        db.session.commit()
        assert deliver_pending() == 1
        assert deliver_pending() == 0
    [path] = outbox.glob("*.eml")
    message = message_from_bytes(path.read_bytes())
    assert message["To"] == "mottak@stolav.demo"
    assert reference in message["Subject"] and TITLE not in body_of(message)


def test_send_mail_command(mail_app, smtp):
    recorder, _ = smtp
    with mail_app.app_context():
        _queue(3)
    result = mail_app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "3 e-post sendt." in result.output
    assert len(recorder.received) == 3


def test_reminders_before_and_after_the_deadline_are_idempotent(mail_app, smtp):
    recorder, _ = smtp
    with mail_app.app_context():
        today = local(datetime.now(UTC)).date()
        # Filed eleven days ago: 14-day cases whose deadlines are then moved. (Filed today, a
        # deadline in three days is a 3-day period, reminded only the day before it.)
        filed = datetime.now(UTC) - timedelta(days=11)
        soon = file(filed)
        late = file(filed)
        assigned = file(filed)
        not_yet = file(filed)
        closed = file(filed)
        handler = find_user("mottak@stolav.demo")
        transition(closed, Move.ANSWER, handler, text="Besvart.")
        transition(assigned, Move.START, handler)
        deadlines = {soon: today + timedelta(days=3), late: today - timedelta(days=1),
                     assigned: today + timedelta(days=2), not_yet: today + timedelta(days=4),
                     closed: today - timedelta(days=1)}  # fmt: skip
        for deviation, deadline in deadlines.items():
            db.session.execute(
                sa.update(Deviation)
                .where(Deviation.id == deviation.id)
                .values(response_deadline=deadline)
            )
        db.session.execute(sa.update(OutboxMail).values(status=MailStatus.SENT))
        db.session.commit()
        refs = {name: d.reference for name, d in
                (("soon", soon), ("assigned", assigned), ("late", late))}  # fmt: skip

        first = mail_app.test_cli_runner().invoke(args=["send-reminders"])
        assert first.exit_code == 0, first.output
        assert "3 påminnelser" in first.output
        again = mail_app.test_cli_runner().invoke(args=["send-reminders"])
        assert "0 påminnelser" in again.output
        assert deliver_pending() == 3
    subjects = sorted(m["Subject"] for _, m in recorder.received)
    assert subjects == sorted([
        f"Avvik {refs['soon']}: svarfristen nærmer seg",
        f"Avvik {refs['assigned']}: svarfristen nærmer seg",
        f"Avvik {refs['late']}: svarfristen er passert",
    ])  # fmt: skip
    assert all(rcpt == ["mottak@stolav.demo"] for rcpt, _ in recorder.received)


def test_a_new_deadline_after_re_routing_gets_its_own_reminder(mail_app):
    with mail_app.app_context():
        today = local(datetime.now(UTC)).date()
        deviation = file()
        db.session.execute(sa.update(Deviation).values(response_deadline=today - timedelta(days=1)))
        db.session.commit()
        assert reminders.send_reminders(today) == 1
        transition(
            deviation,
            Move.REROUTE,
            find_user("mottak@stolav.demo"),
            target_org=organisation_by_name("Malvik").id,
        )
        db.session.commit()
        # Malvik's own deadline, counted from the re-routing: reminded three days before it.
        assert deviation.response_deadline == today + timedelta(days=14)
        soon = deviation.response_deadline - timedelta(days=3)
        assert reminders.send_reminders(soon) == 1
        assert reminders.send_reminders(soon) == 0
        last = db.session.scalar(sa.select(OutboxMail).order_by(OutboxMail.id.desc()).limit(1))
        assert last.to_address == "mottak@malvik.demo"


def test_a_sender_whose_lease_ran_out_does_not_send_what_another_took_over(mail_app, smtp):
    from app.mail.sender import LEASE, _renew_claim, claim

    recorder, _ = smtp
    with mail_app.app_context():
        _queue(1)
        now = datetime.now(UTC)
        stale_token, [mail_id] = claim(now)  # this sender then stalls past its lease
        assert deliver_pending(now=now) == 0  # claimed: not due for anyone else yet
        assert deliver_pending(now=now + LEASE + timedelta(seconds=1)) == 1
        assert _renew_claim(mail_id, stale_token, now + LEASE + timedelta(seconds=2)) is None
    assert len(recorder.received) == 1
