"""The second factor: enrolment (at login when REQUIRE_TOTP, or from Min konto), codes from the
app (RFC 6238, each time step once), recovery codes (hashed, single use), and an admin's reset."""

from __future__ import annotations

import hashlib
import json
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
    PendingLogin,
    RecoveryCode,
    SecurityEvent,
    SecurityLogEntry,
    User,
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
    # The key as shown for typing by hand: groups of four, each a <span> of its own.
    match = re.search(r'id="totp-nokkel">(.*?)</code>', page, re.DOTALL)
    assert match, "no secret on the page"
    return "".join(re.findall(r"<span>([A-Z2-7]+)</span>", match.group(1)))


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
    with app.app_context():  # the pending login is a row now: it ages on the server
        db.session.execute(
            sa.update(PendingLogin).values(created_at=utcnow() - timedelta(seconds=301))
        )
        db.session.commit()
    late = client.get("/logg-inn/kode", follow_redirects=True)
    assert "Innloggingen tok for lang tid" in late.get_data(as_text=True)


def _admin_id(app) -> int:
    with app.app_context():
        return find_user("admin@demo.demo").id


@pytest.mark.parametrize("require_totp", [True, False])
def test_a_forged_pending_login_cookie_logs_in_as_nobody(app, client, require_totp):
    """Finding 2: whoever knows SECRET_KEY could sign {"pending_login": {"user": 7, "at": now}},
    enrol their own authenticator at /logg-inn/tofaktor and be the admin, "password+totp"."""
    import time

    app.config["REQUIRE_TOTP"] = require_totp
    admin_id = _admin_id(app)
    with client.session_transaction() as cookie_session:
        cookie_session["pending_login"] = {"user": admin_id, "at": time.time()}
    for page in ("/logg-inn/tofaktor", "/logg-inn/kode"):
        answer = client.get(page)
        assert answer.status_code == 302 and answer.headers["Location"] == "/logg-inn"
        with client.session_transaction() as cookie_session:
            cookie_session["pending_login"] = {"user": admin_id, "at": time.time()}
    secret = pyotp.random_base32()
    with client.session_transaction() as cookie_session:
        cookie_session["totp_setup"] = secret
    enrolled = client.post("/logg-inn/tofaktor", data={"code": pyotp.TOTP(secret).now()})
    assert enrolled.headers["Location"] == "/logg-inn"
    # A guessed or stale id names no row either.
    with client.session_transaction() as cookie_session:
        cookie_session["pending_login"] = str(admin_id)
    assert client.get("/logg-inn/tofaktor").headers["Location"] == "/logg-inn"
    assert client.get("/admin/").status_code == 302
    with app.app_context():
        admin = db.session.get(User, admin_id)
        assert admin.totp_secret is None
        assert not db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LoginSession)
            .where(LoginSession.user_id == admin_id)
        )


def test_enrolment_at_login_only_where_require_totp_asks(app, client):
    app.config["REQUIRE_TOTP"] = False
    step = _password_step(client)
    assert step.headers["Location"] == "/avvik/mine"  # no second factor asked
    other = app.test_client()
    app.config["REQUIRE_TOTP"] = True
    assert _password_step(other).headers["Location"] == "/logg-inn/tofaktor"
    app.config["REQUIRE_TOTP"] = False  # the policy changed while the login was pending
    assert other.get("/logg-inn/tofaktor").headers["Location"] == "/logg-inn"


def test_a_pending_login_is_used_once(app, client):
    secret, _codes = _enrol(app)
    _password_step(client)
    with client.session_transaction() as cookie_session:
        raw = cookie_session["pending_login"]
    assert isinstance(raw, str)
    with app.app_context():
        row = db.session.scalar(sa.select(PendingLogin))
        assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    code = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))
    done = client.post("/logg-inn/kode", data={"code": code})
    assert done.headers["Location"] == "/avvik/mine"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingLogin)) == 0
    replay = app.test_client()
    with replay.session_transaction() as cookie_session:
        cookie_session["pending_login"] = raw
    assert replay.get("/logg-inn/kode").headers["Location"] == "/logg-inn"


def test_the_secret_being_set_up_is_not_in_the_cookie(app, client):
    """Finding 7: the signed cookie is readable by whoever holds it."""
    app.config["REQUIRE_TOTP"] = True
    _password_step(client)
    secret = _secret_on_page(client.get("/logg-inn/tofaktor").get_data(as_text=True))
    with client.session_transaction() as cookie_session:
        assert secret not in json.dumps(dict(cookie_session))
    with app.app_context():
        assert db.session.scalar(sa.select(PendingLogin.totp_setup_secret)) == secret

    app.config["REQUIRE_TOTP"] = False
    account = app.test_client()
    login(account, "admin@demo.demo")
    page = account.get("/konto/tofaktor").get_data(as_text=True)
    secret = _secret_on_page(page)
    assert _secret_on_page(account.get("/konto/tofaktor").get_data(as_text=True)) == secret
    with account.session_transaction() as cookie_session:
        assert secret not in json.dumps(dict(cookie_session))


def test_setting_up_the_factor_from_min_konto_needs_the_password_and_counts_failures(app, client):
    """Finding 8: a browser left signed in is not enough to move the factor to another phone."""
    login(client, EMAIL)
    secret = _secret_on_page(client.get("/konto/tofaktor").get_data(as_text=True))
    code = pyotp.TOTP(secret).now()
    for _ in range(5):
        wrong = client.post(
            "/konto/tofaktor", data={"code": code, "current_password": "feil-passord"}
        )
        assert wrong.status_code == 422 and "Passordet er feil" in wrong.get_data(as_text=True)
    assert _events(app).count((SecurityEvent.LOGIN_FAILED, "wrong_current_password")) == 5
    with app.app_context():
        user = find_user(EMAIL)
        assert user.locked_until is not None and not user.has_second_factor
    locked = client.post("/konto/tofaktor", data={"code": code, "current_password": "demo-avvik"})
    assert locked.status_code == 422 and "for mange ganger" in locked.get_data(as_text=True)
    with app.app_context():
        user = find_user(EMAIL)
        user.locked_until = None
        db.session.commit()
    done = client.post(
        "/konto/tofaktor", data={"code": pyotp.TOTP(secret).now(), "current_password": "demo-avvik"}
    )
    assert done.status_code == 200
    with app.app_context():
        assert find_user(EMAIL).has_second_factor


def test_new_recovery_codes_need_the_password(app, client):
    secret, codes = _enrol(app)
    _password_step(client)
    code = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))
    assert client.post("/logg-inn/kode", data={"code": code}).status_code == 302
    wrong = client.post("/konto/gjenopprettingskoder", data={"current_password": "feil"})
    assert wrong.status_code == 422 and "Passordet er feil" in wrong.get_data(as_text=True)
    assert (SecurityEvent.LOGIN_FAILED, "wrong_current_password") in _events(app)
    with app.app_context():  # the old codes still work
        assert totp.unused_recovery_codes(find_user(EMAIL)) == len(codes)
    right = client.post("/konto/gjenopprettingskoder", data={"current_password": "demo-avvik"})
    assert right.status_code == 200 and "<code>" in right.get_data(as_text=True)


def test_a_wrong_current_password_on_endre_passord_counts(app, client):
    login(client, EMAIL)
    wrong = client.post(
        "/konto/passord",
        data={
            "current_password": "feil",
            "password": "Et helt nytt passord 2026",
            "confirm": "Et helt nytt passord 2026",
        },
    )
    assert wrong.status_code == 422 and "Passordet er feil" in wrong.get_data(as_text=True)
    assert (SecurityEvent.LOGIN_FAILED, "wrong_current_password") in _events(app)
    with app.app_context():
        assert find_user(EMAIL).failed_logins == 1


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
    done = client.post(
        "/konto/tofaktor",
        data={"code": pyotp.TOTP(secret).now(), "current_password": "demo-avvik"},
    )
    first = re.findall(r"<code>([a-z2-7-]{19})</code>", done.get_data(as_text=True))
    assert len(first) == 10
    assert "Du har 10 ubrukte" in client.get("/konto").get_data(as_text=True)
    renewed = client.post("/konto/gjenopprettingskoder", data={"current_password": "demo-avvik"})
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
