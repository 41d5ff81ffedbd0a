"""The invitation end to end: a lokal_admin invites in Chromium, `flask send-mail` delivers to a
real SMTP server (aiosmtpd on 127.0.0.1), the link is read from the delivered mail, the new user
sets a password on it, logs in, and the link is dead afterwards."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from app.auth.services import find_user
from tests.e2e.browser import assert_accessible, log_in, log_out

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "sju sultne måker over Munkholmen"


class Inbox:
    """Keeps every message the SMTP server accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.messages.append(
                (
                    list(envelope.rcpt_tos),
                    message_from_bytes(envelope.content, policy=policy.default),
                )
            )
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def test_invitation_end_to_end_through_smtp(page, live_app, live_server, smtp_inbox):
    inbox, port = smtp_inbox
    live_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, BASE_URL=live_server.url)

    # 1. Trondheim's lokal_admin invites a new case handler.
    log_in(page, "lokaladmin@trondheim.demo")
    page.get_by_role("link", name="Administrasjon").click()
    page.get_by_role("link", name="Brukere").first.click()
    page.get_by_role("link", name="Inviter ny bruker").click()
    page.locator("#email").fill("Nina.Ny@trondheim.demo")
    page.locator("#name").fill("Nina Ny")
    page.locator("#unit").select_option(label="Helse og omsorg › Legevakt")
    page.get_by_label("saksbehandler").check()
    page.get_by_role("button", name="Send invitasjon").click()
    expect(page.get_by_text("Invitasjonen er sendt til nina.ny@trondheim.demo")).to_be_visible()

    # 2. The sender delivers the outbox to the SMTP server, as cron runs it.
    result = live_app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert [to for to, _m in inbox.messages] == [["nina.ny@trondheim.demo"]]
    message = inbox.messages[0][1]
    assert message["Subject"] == "Du er invitert til Samhandlingsavvik"
    body = message.get_content()
    match = re.search(r"(http://127\.0\.0\.1:\d+/passord/[A-Za-z0-9_-]+)", body)
    assert match, body
    link = match.group(1)

    # 3. The new user opens the link from the mail, in a browser that is not logged in.
    log_out(page)
    page.goto(link)
    expect(page.get_by_role("heading", name="Velg passord")).to_be_visible()
    assert_accessible(page, "set password from invitation")
    page.locator("#password").fill("passord123456")
    page.locator("#confirm").fill("passord123456")
    page.get_by_role("button", name="Lagre passord").click()
    expect(page.get_by_text("Dette passordet er for vanlig").first).to_be_visible()
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Lagre passord").click()
    page.wait_for_url("**/logg-inn")
    expect(page.get_by_text("Passordet er lagret.")).to_be_visible()

    # 4. The password works, and the role given in the invitation is there.
    log_in(page, "nina.ny@trondheim.demo", NEW_PASSWORD)
    expect(page.get_by_role("link", name="Mottak", exact=True)).to_be_visible()
    with live_app.app_context():
        user = find_user("nina.ny@trondheim.demo")
        assert user is not None and user.unit is not None and user.unit.name == "Legevakt"

    # 5. The link is single use.
    log_out(page)
    response = page.goto(link)
    assert response is not None and response.status == 410
    expect(page.get_by_role("heading", name="Lenken virker ikke")).to_be_visible()
