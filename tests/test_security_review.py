"""Issue 21's smaller findings, pinned: numbers past the database's integer in cursors and
`for=` (6), the request id and headers (13), /helse's detail (13)."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.admin.services import invite_user
from app.auth.services import find_user
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.mail.sender import deliver_pending
from app.mail.services import queue_mail
from app.maintenance import run_maintenance
from app.models import (
    AccessAction,
    AccessLogEntry,
    Deviation,
    MailStatus,
    OutboxMail,
    Role,
    utcnow,
)
from tests import factories
from tests.test_access_log import OFFICER
from tests.test_mail import body_of, mail_app, smtp  # noqa: F401 (fixtures)

TITLE = "Kom hjem uten epikrise"
EMPTIED = "Innhold i sendte e-poster eldre enn MAIL_BODY_KEEP_DAYS slettet"

HUGE = "9" * 30


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [_b64(f"s|{HUGE}"), _b64(f"s|{2**31}"), _b64("s|²"), "!!!", HUGE],
)
def test_search_cursor_past_the_integer_is_ignored(login_as, cursor):
    client = login_as("mottak@stolav.demo")
    assert client.get(f"/sok?q=epikrise&etter={cursor}").status_code == 200


@pytest.mark.parametrize(
    "cursor",
    [_b64(f"2026-01-01T00:00:00+00:00|{HUGE}"), _b64(f"2026-01-01T00:00:00+00:00|{2**31}"),
     _b64(f"f|0|2026-01-01|{HUGE}"), _b64("f|0|2026-01-01|²"), HUGE],
)  # fmt: skip
@pytest.mark.parametrize("sort", ["", "&sorter=frist"])
def test_inbox_cursors_past_the_integer_are_ignored(login_as, cursor, sort):
    client = login_as("mottak@stolav.demo")
    assert client.get(f"/mottak?etter={cursor}{sort}").status_code == 200


@pytest.mark.parametrize("value", [HUGE, str(2**31), "²", "-1", "abc"])
def test_for_past_the_integer_is_ignored(app, login_as, value):
    admin = login_as("admin@demo.demo")
    assert admin.get(f"/admin/sikkerhetslogg?for={value}").status_code == 200
    with app.app_context():
        factories.new_user(OFFICER, name="Petra Personvern", org=HOSPITAL, roles=[Role.PERSONVERN])
        db.session.commit()
    officer = login_as(OFFICER)
    assert officer.get(f"/personvern/tilgangslogg?for={value}").status_code == 200


@pytest.mark.parametrize("code", ["0001-T1", "9998-T3", "1899-T3", "3000-T1"])
def test_a_tertial_past_what_the_page_can_draw_is_no_500(login_as, code):
    """Year 1 and 9998 parsed, then overflowed a date in the comparisons."""
    client = login_as("forbedring@demo.demo")
    assert client.get(f"/statistikk/{code}/avvik.csv").status_code == 404
    assert client.get(f"/statistikk/{code}/rapport.pdf").status_code == 404
    assert client.get(f"/statistikk/?tertial={code}").status_code == 422


# --- 4: no working link in the database; 5: an unsendable mail fails alone --------------------


def _database_text() -> str:
    """Every row of every table the app has, as text: what a dump or a backup would hold."""
    parts = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)):
            parts.append(repr(tuple(row)))
    return "\n".join(parts)


def test_an_invitation_link_is_never_in_the_database_and_still_arrives(mail_app, smtp, client):  # noqa: F811
    from app.models.mail import LINK_PLACEHOLDER  # here: the file also runs against old code

    recorder, _ = smtp
    with mail_app.app_context():
        admin = find_user("admin@demo.demo")
        org = organisation_by_name("Trondheim")
        invite_user(admin, "nina.ny@trondheim.demo", "Nina Ny", org.id, None, set())
        db.session.commit()
        queued = _database_text()
        assert deliver_pending() == 1
        sent = _database_text()
        mail = db.session.scalar(
            sa.select(OutboxMail).where(OutboxMail.to_address == "nina.ny@trondheim.demo")
        )
        assert mail.status is MailStatus.SENT and mail.secret_link is None
        assert LINK_PLACEHOLDER in mail.body
    [(to, message)] = recorder.received
    assert to == ["nina.ny@trondheim.demo"]
    found = re.search(r"https://avvik\.example\.no/passord/([A-Za-z0-9_-]+)", body_of(message))
    assert found, body_of(message)
    token = found.group(1)
    assert token not in queued and token not in sent
    # The link in the mail works.
    assert client.get(f"/passord/{token}").status_code == 200
    # The sent body goes with `flask maintenance` once MAIL_BODY_KEEP_DAYS have passed.
    with mail_app.app_context():
        keep = mail_app.config["MAIL_BODY_KEEP_DAYS"]
        assert dict(run_maintenance(utcnow() + timedelta(days=keep - 1)))[EMPTIED] == 0
        assert dict(run_maintenance(utcnow() + timedelta(days=keep + 1)))[EMPTIED] == 1
        db.session.commit()
        body = db.session.scalar(
            sa.select(OutboxMail.body).where(OutboxMail.to_address == "nina.ny@trondheim.demo")
        )
        assert body == ""


def test_a_mail_with_a_line_break_in_its_address_fails_alone(mail_app, smtp):  # noqa: F811
    recorder, _ = smtp
    with mail_app.app_context():
        queue_mail("ny@trondheim.demo\r\nBcc: alle@evil.example", "Invitasjon", "Hei")
        queue_mail("melder@trondheim.demo", "Avvik AV-2026-00001: nytt avvik", "Åpne avviket.")
        db.session.commit()
    result = mail_app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert [to for to, _m in recorder.received] == [["melder@trondheim.demo"]]
    with mail_app.app_context():
        bad = db.session.scalar(
            sa.select(OutboxMail).where(OutboxMail.to_address.like("ny@trondheim.demo%"))
        )
        assert (bad.status, bad.attempts, bad.claim_token) == (MailStatus.FAILED, 1, None)
        assert "unsendable" in bad.last_error and "ValueError" in bad.last_error


# --- 13: request ids, headers, the CSV's type -------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [("lb-7f3a9c21-0001", True), ("a" * 8, True), ("A1-" * 21 + "b", True),
     ("a" * 7, False), ("a" * 65, False), ("lb.7f3a9c21:0001", False), ("abc_defgh", False),
     ("abcdefgh\u00e6", False), ("abcd efgh", False)],
)  # fmt: skip
def test_a_clients_request_id_is_kept_only_in_the_strict_format(client, given, kept):
    response = client.get("/logg-inn", headers={"X-Request-ID": given})
    returned = response.headers["X-Request-ID"]
    if kept:
        assert returned == given
    else:
        assert returned != given and re.fullmatch(r"[0-9a-f]{32}", returned)


@pytest.mark.parametrize("path", ["/logg-inn", "/helse", "/ingen-side", "/static/build/avvik.css"])
def test_every_answer_denies_browser_features_and_opener_access(client, path):
    response = client.get(path)
    response.close()  # the static file's handle
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(
        item.strip().split("=", 1) for item in response.headers["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()"


def test_the_csv_says_its_charset_once(login_as):
    client = login_as("mottak@stolav.demo")
    page = client.get("/statistikk/")
    found = re.search(r'href="(/statistikk/[^"]+/avvik\.csv)"', page.get_data(as_text=True))
    assert found, "no CSV link on the statistics page"
    response = client.get(found.group(1))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


# --- 9: every read that shows case content, and every export, is in the access log ------------


def _actions(user_email: str, reference: str | None = None) -> list[AccessAction]:
    user = find_user(user_email)
    query = sa.select(AccessLogEntry).where(AccessLogEntry.user_id == user.id)
    if reference is not None:
        query = query.join(Deviation, Deviation.id == AccessLogEntry.deviation_id).where(
            Deviation.reference == reference
        )
    return [e.action for e in db.session.scalars(query.order_by(AccessLogEntry.id))]


def test_a_case_page_drawn_again_after_a_refusal_is_logged(app, login_as):
    with app.app_context():
        reference = factories.deviation(title=TITLE).reference
        db.session.commit()
    client = login_as("mottak@stolav.demo")
    refused = client.post(f"/avvik/{reference}/meldinger", data={"body": ""})
    assert refused.status_code == 422 and TITLE in refused.get_data(True)
    moved = client.post(f"/avvik/{reference}/behandling", data={"move": "avvis", "avvis-text": ""})
    assert moved.status_code == 422 and TITLE in moved.get_data(True)
    with app.app_context():
        assert _actions("mottak@stolav.demo", reference) == [AccessAction.DEVIATION_VIEWED] * 2


def test_inbox_and_search_results_log_each_case_shown(app, login_as):
    with app.app_context():
        first, second = (
            factories.deviation(title=TITLE).reference,
            factories.deviation(title=TITLE).reference,
        )
        db.session.commit()
    client = login_as("mottak@stolav.demo")
    inbox = client.get("/mottak").get_data(as_text=True)
    assert first in inbox and second in inbox
    found = client.get("/sok?q=epikrise").get_data(as_text=True)
    assert first in found
    with app.app_context():
        for reference in (first, second):
            assert _actions("mottak@stolav.demo", reference) == [AccessAction.DEVIATION_LISTED] * 2


@pytest.mark.parametrize("file_name", ["avvik.csv", "avvik.xlsx", "rapport.pdf"])
def test_statistics_exports_are_logged(app, login_as, file_name):
    client = login_as("mottak@stolav.demo")
    page = client.get("/statistikk/").get_data(as_text=True)
    link = re.search(rf'href="(/statistikk/([^/"]+)/{re.escape(file_name)})"', page)
    assert link, f"no {file_name} link"
    assert client.get(link.group(1)).status_code == 200
    with app.app_context():
        user = find_user("mottak@stolav.demo")
        (entry,) = db.session.scalars(
            sa.select(AccessLogEntry).where(
                AccessLogEntry.user_id == user.id, AccessLogEntry.action == AccessAction.EXPORTED
            )
        )
        extension = file_name.rsplit(".", 1)[1]
        assert entry.detail == f"avvik-{link.group(2)}.{extension} ({HOSPITAL})"
