"""Sessions that end: server-side rows, logout, idle and absolute limits, Mine innlogginger,
Endre passord, and where a login may send the browser (?next=)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.admin import services as admin_services
from app.auth.services import find_user, issue_token
from app.extensions import db
from app.models import (
    AuthToken,
    LoginSession,
    OutboxMail,
    SecurityEvent,
    SecurityLogEntry,
    TokenPurpose,
    utcnow,
)
from tests.support import login

EMAIL = "melder@trondheim.demo"
NEW_PASSWORD = "tre katter på Munkholmen"


def _sessions(app, email: str = EMAIL) -> list[LoginSession]:
    with app.app_context():
        user = find_user(email)
        return list(
            db.session.scalars(
                sa.select(LoginSession)
                .where(LoginSession.user_id == user.id)
                .order_by(LoginSession.id)
            )
        )


def _events(app, email: str = EMAIL) -> list[tuple[SecurityEvent, str]]:
    with app.app_context():
        user = find_user(email)
        rows = db.session.scalars(
            sa.select(SecurityLogEntry)
            .where(SecurityLogEntry.user_id == user.id)
            .order_by(SecurityLogEntry.id)
        )
        return [(row.event, row.detail) for row in rows]


def _cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_session_is_a_row_and_the_cookie_holds_only_its_id(app, client):
    login(client, EMAIL)
    rows = _sessions(app)
    assert len(rows) == 1
    row = rows[0]
    assert row.user_agent.startswith("Werkzeug") and row.ip_address == "127.0.0.1"
    with client.session_transaction() as cookie_session:
        token = cookie_session["_user_id"]
    import hashlib

    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert (SecurityEvent.LOGIN, "password") in _events(app)


def test_a_replayed_cookie_after_logout_is_a_logged_out_request(app, client):
    login(client, EMAIL)
    copied = _cookie(client)
    assert client.get("/avvik/mine").status_code == 200
    client.post("/logg-ut")
    assert _sessions(app) == []
    client.set_cookie("session", copied)
    response = client.get("/avvik/mine")
    assert response.status_code == 302 and response.headers["Location"].startswith("/logg-inn")
    assert (SecurityEvent.LOGOUT, "") in _events(app)


def test_the_session_id_changes_at_every_login(app, client):
    with client.session_transaction() as cookie_session:
        cookie_session["planted"] = "by someone else"
    login(client, EMAIL)
    with client.session_transaction() as cookie_session:
        first = cookie_session["_user_id"]
        assert "planted" not in cookie_session  # nothing from before the login carries over
    client.post("/logg-ut")
    login(client, EMAIL)
    with client.session_transaction() as cookie_session:
        assert cookie_session["_user_id"] != first


def test_there_is_no_remember_me(app, client):
    page = client.get("/logg-inn").get_data(as_text=True)
    assert "Husk meg" not in page and 'name="remember"' not in page
    response = client.post(
        "/logg-inn", data={"email": EMAIL, "password": "demo-avvik", "remember": "y"}
    )
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is None


def _age(app, **changes) -> None:
    with app.app_context():
        db.session.execute(sa.update(LoginSession).values(**changes))
        db.session.commit()


def test_an_idle_session_ends(app, client):
    app.config["SESSION_IDLE_MINUTES"] = 30
    login(client, EMAIL)
    _age(app, last_seen_at=utcnow() - timedelta(minutes=29))
    assert client.get("/avvik/mine").status_code == 200  # and the visit moved last_seen_at
    assert utcnow() - _sessions(app)[0].last_seen_at < timedelta(minutes=1)
    _age(app, last_seen_at=utcnow() - timedelta(minutes=31))
    response = client.get("/avvik/mine", follow_redirects=True)
    assert "ikke hadde vært aktiv" in response.get_data(as_text=True)
    assert client.get("/avvik/mine").status_code == 302


def test_a_session_ends_after_the_absolute_limit_however_busy(app, client):
    app.config["SESSION_MAX_HOURS"] = 12
    login(client, EMAIL)
    _age(app, created_at=utcnow() - timedelta(hours=12, minutes=1))
    response = client.get("/avvik/mine", follow_redirects=True)
    assert "Innloggingen din varte ikke lenger" in response.get_data(as_text=True)


def test_a_write_request_that_notes_the_visit_still_writes(app, client):
    """The visit is noted in a transaction of its own; the request's own write still works."""
    login(client, EMAIL)
    _age(app, last_seen_at=utcnow() - timedelta(minutes=5))
    response = client.post("/sprak", data={"lang": "en", "next": "/avvik/mine"})
    assert response.status_code == 302
    with app.app_context():
        assert find_user(EMAIL).language == "en"
    assert utcnow() - _sessions(app)[0].last_seen_at < timedelta(minutes=1)


def test_mine_innlogginger_lists_and_ends_sessions(app):
    phone, desk = app.test_client(), app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (iPhone) AppleWebKit Safari/604.1"
    login(phone, EMAIL)
    login(desk, EMAIL)
    page = desk.get("/konto").get_data(as_text=True)
    assert "Mine innlogginger" in page and "Safari · iPhone" in page
    assert "Denne nettleseren" in page
    phone_row = _sessions(app)[0]
    ended = desk.post(f"/konto/innlogginger/{phone_row.id}/avslutt", follow_redirects=True)
    assert "Innloggingen er avsluttet." in ended.get_data(as_text=True)
    assert phone.get("/avvik/mine").status_code == 302
    assert desk.get("/avvik/mine").status_code == 200
    assert (SecurityEvent.SESSION_ENDED, "user") in _events(app)
    # Someone else's session is not one's own to end.
    other = app.test_client()
    login(other, "mottak@malvik.demo")
    malvik_row = _sessions(app, "mottak@malvik.demo")[0]
    desk.post(f"/konto/innlogginger/{malvik_row.id}/avslutt")
    assert other.get("/avvik/mine").status_code == 200
    # Ending one's own current session logs out.
    own = _sessions(app)[0]
    out = desk.post(f"/konto/innlogginger/{own.id}/avslutt")
    assert out.headers["Location"] == "/logg-inn"
    assert desk.get("/avvik/mine").status_code == 302


def test_changing_the_password_ends_every_other_session_and_mails_the_user(app):
    phone, desk = app.test_client(), app.test_client()
    login(phone, EMAIL)
    login(desk, EMAIL)
    wrong = desk.post(
        "/konto/passord",
        data={"current_password": "feil", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 422 and "Passordet er feil." in wrong.get_data(as_text=True)
    weak = desk.post(
        "/konto/passord",
        data={
            "current_password": "demo-avvik",
            "password": "Sommer2024!!!",
            "confirm": "Sommer2024!!!",
        },
    )
    assert weak.status_code == 422 and "for vanlig" in weak.get_data(as_text=True)
    assert len(_sessions(app)) == 2
    before = _cookie(desk)
    done = desk.post(
        "/konto/passord",
        data={"current_password": "demo-avvik", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert "Passordet er endret." in done.get_data(as_text=True)
    assert phone.get("/avvik/mine").status_code == 302
    assert desk.get("/avvik/mine").status_code == 200  # this browser goes on, in a new session
    assert len(_sessions(app)) == 1 and _cookie(desk) != before
    assert (SecurityEvent.PASSWORD_CHANGED, "change") in _events(app)
    with app.app_context():
        mail = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.to_address == EMAIL)).one()
        assert mail.subject == "Passordet ditt er endret"
        assert "http" not in mail.body and "AV-" not in mail.body
    client = app.test_client()
    login(client, EMAIL, NEW_PASSWORD)


def test_a_reset_link_lives_an_hour_and_ends_every_session(app, client):
    login(client, EMAIL)
    with app.app_context():
        raw = issue_token(find_user(EMAIL), TokenPurpose.RESET)
        db.session.commit()
        token = db.session.scalar(sa.select(AuthToken))
        assert token.expires_at - token.created_at == timedelta(hours=1)
    other = app.test_client()
    other.post(f"/passord/{raw}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert client.get("/avvik/mine").status_code == 302
    assert (SecurityEvent.PASSWORD_CHANGED, "reset") in _events(app)
    forgot = client.get("/glemt-passord").get_data(as_text=True)
    assert "Lenken virker i 1 time." in forgot


def test_deactivation_ends_the_users_sessions(app, client):
    login(client, EMAIL)
    with app.app_context():
        admin_services.set_user_active(find_user("admin@demo.demo"), find_user(EMAIL), False)
        db.session.commit()
    assert _sessions(app) == []
    assert client.get("/avvik/mine").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\\/evil.example",
        "/\t/evil.example",
        "/\r\n//evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example",
    ],
)
def test_next_only_goes_to_a_path_on_this_site(app, client, target):
    response = client.post(
        "/logg-inn", query_string={"next": target}, data={"email": EMAIL, "password": "demo-avvik"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_keeps_a_path_on_this_site(app, client):
    response = client.post(
        "/logg-inn",
        query_string={"next": "/avvik/mine?side=2"},
        data={"email": EMAIL, "password": "demo-avvik"},
    )
    assert response.headers["Location"] == "/avvik/mine?side=2"


def test_a_login_required_page_sends_the_user_back_after_login(app, client):
    first = client.get("/avvik/mine")
    assert first.headers["Location"] == "/logg-inn?next=%2Favvik%2Fmine"
