"""The second factor: enrolment (at login when REQUIRE_TOTP, or from Min konto), codes from the
app (RFC 6238, each time step once), recovery codes (hashed, single use), and an admin's reset."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from app.auth.services import Client, find_user
from app.auth.services import second_factor as totp
from app.extensions import db
from app.models import (
    AdminLogEntry,
    LoginSession,
    RecoveryCode,
    SecurityEvent,
    SecurityLogEntry,
    utcnow,
)
from tests.support import login

EMAIL = "melder@trondheim.demo"


def _events(app, email: str = EMAIL) -> list[tuple[SecurityEvent, str]]:
    with app.app_context():
        user = find_user(email)
        rows = db.session.scalars(
            sa.select(SecurityLogEntry)
            .where(SecurityLogEntry.user_id == user.id)
            .order_by(SecurityLogEntry.id)
        )
        return [(row.event, row.detail) for row in rows]


def _enrol(app, email: str = EMAIL) -> tuple[str, list[str]]:
    """The account enrolled directly through the service: its secret and recovery codes."""
    with app.app_context():
        user = find_user(email)
        secret = totp.new_secret()
        codes = totp.enrol(user, secret, pyotp.TOTP(secret).now(), Client())
        db.session.commit()
        return secret, codes


def _password_step(client, email: str = EMAIL):
    return client.post(
        "/logg-inn?next=/avvik/mine", data={"email": email, "password": "demo-avvik"}
    )


def _secret_on_page(page: str) -> str:
    match = re.search(r'class="totp-secret">([A-Z2-7 ]+)<', page)
    assert match, "no secret on the page"
    return match.group(1).replace(" ", "")


def test_require_totp_makes_a_password_account_enrol_at_its_next_login(app, client):
    app.config["REQUIRE_TOTP"] = True
    step = _password_step(client)
    assert step.headers["Location"] == "/logg-inn/tofaktor"
    assert client.get("/avvik/mine").status_code == 302  # not logged in yet
    page = client.get("/logg-inn/tofaktor").get_data(as_text=True)
    assert "<svg" in page and "Sett opp totrinnsinnlogging" in page
    secret = _secret_on_page(page)
    # The same secret on a reload: the QR code the user scanned stays valid.
    assert _secret_on_page(client.get("/logg-inn/tofaktor").get_data(as_text=True)) == secret
    wrong = client.post("/logg-inn/tofaktor", data={"code": "000000"})
    assert wrong.status_code == 422 and "Koden stemmer ikke" in wrong.get_data(as_text=True)
    done = client.post("/logg-inn/tofaktor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(
        r"<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>",
        done.get_data(as_text=True),
    )
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/avvik/mine").status_code == 200
    with app.app_context():
        user = find_user(EMAIL)
        assert user.totp_secret == secret and user.has_second_factor
        stored = set(db.session.scalars(sa.select(RecoveryCode.code_hash)))
        assert stored == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
        row = db.session.scalar(sa.select(LoginSession).where(LoginSession.user_id == user.id))
        assert row.second_factor
    assert (SecurityEvent.SECOND_FACTOR_ENROLLED, "") in _events(app)
    assert (SecurityEvent.LOGIN, "password+totp") in _events(app)


def test_without_require_totp_the_demo_accounts_log_in_with_a_password(app, client):
    assert app.config["REQUIRE_TOTP"] is False
    assert _password_step(client).headers["Location"] == "/avvik/mine"


def test_production_requires_the_second_factor_by_default(monkeypatch):
    import importlib

    import config

    monkeypatch.delenv("REQUIRE_TOTP", raising=False)
    reloaded = importlib.reload(config)
    assert reloaded.ProductionConfig.REQUIRE_TOTP is True
    assert reloaded.DevelopmentConfig.REQUIRE_TOTP is False
    importlib.reload(config)


def test_a_code_from_the_app_logs_in_once(app, client):
    secret, _ = _enrol(app)
    assert _password_step(client).headers["Location"] == "/logg-inn/kode"
    assert client.get("/avvik/mine").status_code == 302
    code = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))  # the next step: not yet used
    done = client.post("/logg-inn/kode", data={"code": code})
    assert done.headers["Location"] == "/avvik/mine"
    assert (SecurityEvent.LOGIN, "password+totp") in _events(app)
    # The same code again, from another browser that knows the password: spent.
    other = app.test_client()
    _password_step(other)
    again = other.post("/logg-inn/kode", data={"code": code})
    assert again.status_code == 422 and "Koden stemmer ikke" in again.get_data(as_text=True)
    assert (SecurityEvent.LOGIN_FAILED, "wrong_code") in _events(app)


def test_the_code_page_needs_a_fresh_password_step(app, client):
    _enrol(app)
    assert client.get("/logg-inn/kode").headers["Location"] == "/logg-inn"
    _password_step(client)
    with client.session_transaction() as cookie_session:
        cookie_session["pending_login"]["at"] -= 301
    late = client.get("/logg-inn/kode", follow_redirects=True)
    assert "Innloggingen tok for lang tid" in late.get_data(as_text=True)


def test_wrong_codes_count_towards_the_accounts_wait(app, client):
    _enrol(app)
    _password_step(client)
    for _ in range(5):
        assert client.post("/logg-inn/kode", data={"code": "123456"}).status_code == 422
    with app.app_context():
        assert find_user(EMAIL).locked_until is not None


def test_a_recovery_code_works_once(app, client):
    _secret, codes = _enrol(app)
    _password_step(client)
    page = client.get("/logg-inn/kode?kode=gjenoppretting").get_data(as_text=True)
    assert "Gjenopprettingskode" in page and 'inputmode="numeric"' not in page
    done = client.post(
        "/logg-inn/kode?kode=gjenoppretting", data={"code": codes[3].upper().replace("-", " ")}
    )
    assert done.headers["Location"] == "/avvik/mine"
    assert "Du har 9 igjen" in client.get("/avvik/mine").get_data(as_text=True)
    client.post("/logg-ut")
    _password_step(client)
    assert client.post("/logg-inn/kode", data={"code": codes[3]}).status_code == 422
    assert client.post("/logg-inn/kode", data={"code": codes[4]}).status_code == 302
    assert (SecurityEvent.LOGIN, "password+recovery_code") in _events(app)


def test_enrolling_from_min_konto_and_new_recovery_codes(app, client):
    login(client, EMAIL)
    page = client.get("/konto").get_data(as_text=True)
    assert "Totrinnsinnlogging er av" in page
    secret = _secret_on_page(client.get("/konto/tofaktor").get_data(as_text=True))
    done = client.post("/konto/tofaktor", data={"code": pyotp.TOTP(secret).now()})
    first = re.findall(r"<code>([a-z2-7-]{19})</code>", done.get_data(as_text=True))
    assert len(first) == 10
    assert "Du har 10 ubrukte" in client.get("/konto").get_data(as_text=True)
    renewed = client.post("/konto/gjenopprettingskoder")
    second = re.findall(r"<code>([a-z2-7-]{19})</code>", renewed.get_data(as_text=True))
    assert len(second) == 10 and not set(first) & set(second)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 10


def test_an_admin_resets_the_second_factor_and_the_user_is_logged_out(app):
    secret, _ = _enrol(app)
    user_client, admin = app.test_client(), app.test_client()
    _password_step(user_client)
    # The step after the one enrolment used: a step is accepted only once.
    code = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))
    user_client.post("/logg-inn/kode", data={"code": code})
    assert user_client.get("/avvik/mine").status_code == 200
    login(admin, "lokaladmin@trondheim.demo")
    with app.app_context():
        user_id = find_user(EMAIL).id
    page = admin.get(f"/admin/brukere/{user_id}").get_data(as_text=True)
    assert "Tilbakestill totrinnsinnlogging" in page
    done = admin.post(f"/admin/brukere/{user_id}/tofaktor", follow_redirects=True)
    assert "er slått av" in done.get_data(as_text=True)
    assert user_client.get("/avvik/mine").status_code == 302
    with app.app_context():
        user = find_user(EMAIL)
        assert not user.has_second_factor and user.totp_secret is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
        entry = db.session.scalars(
            sa.select(AdminLogEntry).where(AdminLogEntry.action == "user.reset_second_factor")
        ).one()
        assert entry.after == {"second_factor": False, "sessions_ended": 1}
        logged = db.session.scalars(
            sa.select(SecurityLogEntry).where(
                SecurityLogEntry.event == SecurityEvent.SECOND_FACTOR_RESET
            )
        ).one()
        assert logged.user_id == user.id and logged.actor.email == "lokaladmin@trondheim.demo"
    # Without a second factor the user logs in with the password again (REQUIRE_TOTP is off).
    assert _password_step(user_client).headers["Location"] == "/avvik/mine"


def test_an_sso_account_has_no_password_pages(app, client):
    with app.app_context():
        find_user(EMAIL).password_hash = None
        db.session.commit()
    with app.app_context():
        from app.auth.services import complete_login

        complete_login(find_user(EMAIL), Client(), method="sso:test")
    # No password: the password login is refused like any wrong password.
    assert _password_step(client).status_code == 422


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "x" * 41])
def test_malformed_codes_get_a_message_not_an_error(app, client, code):
    _enrol(app)
    _password_step(client)
    response = client.post("/logg-inn/kode", data={"code": code})
    assert response.status_code == 422
