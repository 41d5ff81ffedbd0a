"""Invitation and password-reset links: hashed, 72 hours, single use; 'Glemt passord' says nothing
about whether an address exists; the password rules."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.admin import services as admin_services
from app.auth import services
from app.auth.services import find_user
from app.auth.services.passwords import password_problem
from app.data.seed import organisation_by_name
from app.extensions import db
from app.models import AuthToken, OutboxMail, TokenPurpose, utcnow
from tests.support import login

GOOD_PASSWORD = "lang tur langs Nidelva om kvelden"


def _link_from_last_mail(to: str) -> str:
    mail = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.to_address == to).order_by(OutboxMail.id.desc())
    ).first()
    assert mail is not None, f"no mail to {to}"
    match = re.search(r"https?://\S+/passord/(\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def _invite(app, email: str = "ny@trondheim.demo") -> str:
    with app.app_context():
        admin = find_user("admin@demo.demo")
        org = organisation_by_name("Trondheim")
        admin_services.invite_user(admin, email, "Nora Ny", org.id, None, set())
        db.session.commit()
        return _link_from_last_mail(email)


def test_only_a_hash_of_the_token_is_stored(app):
    token = _invite(app)
    with app.app_context():
        row = db.session.scalar(sa.select(AuthToken))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in row.token_hash
        assert row.purpose is TokenPurpose.INVITATION
        assert row.expires_at - row.created_at == timedelta(hours=72)


def test_invitation_link_sets_password_once(app, client):
    token = _invite(app)
    page = client.get(f"/passord/{token}")
    assert page.status_code == 200 and "Velg passord" in page.get_data(as_text=True)
    done = client.post(
        f"/passord/{token}", data={"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD}
    )
    assert done.status_code == 302 and done.headers["Location"] == "/logg-inn"
    login(client, "ny@trondheim.demo", GOOD_PASSWORD)
    # The same link a second time: refused, and the password stays.
    client.post("/logg-ut")
    reused = client.post(
        f"/passord/{token}", data={"password": "x" + GOOD_PASSWORD, "confirm": "x" + GOOD_PASSWORD}
    )
    assert reused.status_code == 410 and "Lenken virker ikke" in reused.get_data(as_text=True)
    assert client.get(f"/passord/{token}").status_code == 410
    login(client, "ny@trondheim.demo", GOOD_PASSWORD)


def test_expired_link_is_refused(app, client):
    token = _invite(app)
    with app.app_context():
        assert services.valid_token(token, now=utcnow() + timedelta(hours=71, minutes=59))
        assert services.valid_token(token, now=utcnow() + timedelta(hours=72, seconds=1)) is None
        assert services.use_token(token, GOOD_PASSWORD, now=utcnow() + timedelta(hours=73)) is None
        # Age the stored token as the clock would, and try through the page.
        db.session.execute(sa.update(AuthToken).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    response = client.post(
        f"/passord/{token}", data={"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD}
    )
    assert response.status_code == 410
    with app.app_context():
        assert find_user("ny@trondheim.demo").password_hash is None


def test_a_new_link_replaces_the_old_and_deactivation_kills_links(app, client):
    first = _invite(app)
    with app.app_context():
        admin = find_user("admin@demo.demo")
        user = find_user("ny@trondheim.demo")
        admin_services.send_password_reset(admin, user)
        db.session.commit()
        second = _link_from_last_mail("ny@trondheim.demo")
    assert client.get(f"/passord/{first}").status_code == 410
    assert client.get(f"/passord/{second}").status_code == 200
    with app.app_context():
        admin_services.set_user_active(
            find_user("admin@demo.demo"), find_user("ny@trondheim.demo"), False
        )
        db.session.commit()
    assert client.get(f"/passord/{second}").status_code == 410


def test_unknown_or_garbage_tokens_are_refused(client):
    for token in ("abc", "x" * 43, "x" * 500):
        assert client.get(f"/passord/{token}").status_code == 410


def test_password_rules_are_enforced_on_the_link_page(app, client):
    token = _invite(app, "kari.nordmann@trondheim.demo")
    cases = {
        "kort": "minst 12 tegn",
        "passord12345678": "for vanlig",
        "kari.nordmann-2024": "e-postadressen",
    }
    for password, message in cases.items():
        response = client.post(
            f"/passord/{token}", data={"password": password, "confirm": password}
        )
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    mismatch = client.post(
        f"/passord/{token}", data={"password": GOOD_PASSWORD, "confirm": "annet"}
    )
    assert "Passordene er ikke like." in mismatch.get_data(as_text=True)
    # Nothing was used up by the refusals.
    assert client.get(f"/passord/{token}").status_code == 200


@pytest.mark.parametrize(
    "password,problem",
    [
        ("elleve tegn", "short"),
        ("qwerty123456", "common"),
        ("Sommer2024!!!", "common"),
        ("passordpassord", "common"),
        ("123456789012", "common"),
        ("abcabcabcabc", "common"),
        ("iloveyou!!!!", "common"),
        ("ola.nordmann99", "email"),
        ("to hester på Byneset", None),
        ("x" * 257, "long"),
        ("Tiåringer-spiser-brunost", None),
    ],
)
def test_password_rules(password, problem):
    assert password_problem(password, "ola.nordmann@trondheim.kommune.no") == problem


def test_forgot_password_does_not_reveal_whether_an_address_exists(app, client):
    known = client.post("/glemt-passord", data={"email": "melder@trondheim.demo"})
    unknown = client.post("/glemt-passord", data={"email": "finnes.ikke@trondheim.demo"})
    assert known.status_code == unknown.status_code == 200
    # The pages carry the session's CSRF token, signed with the current second: two requests
    # that straddle a second differ there and nowhere else, whatever the address.
    token = re.compile(rb'(name="csrf_token" value=")[^"]+(")')
    assert len(token.findall(known.get_data())) == len(token.findall(unknown.get_data())) >= 1
    assert token.sub(rb"\1\2", known.get_data()) == token.sub(rb"\1\2", unknown.get_data())
    # The session cookie is signed with the current second too: compare what it holds.
    serializer = app.session_interface.get_signing_serializer(app)

    def headers(response):
        found = {}
        for name, value in response.headers:
            if name == "Set-Cookie" and value.startswith("session="):
                signed, _, attributes = value.partition(";")
                value = (serializer.loads(signed.removeprefix("session=")), attributes)
            if name == "Server-Timing":
                # The request's own duration, which the client measures anyway; never the
                # database's share, whose queries would tell the address apart.
                assert re.fullmatch(r"total;dur=[\d.]+", value), value
                continue
            if name not in ("Date", "X-Request-ID"):  # one per request, whatever the address
                found[name] = value
        return found

    assert headers(known) == headers(unknown)
    with app.app_context():
        mails = db.session.scalars(sa.select(OutboxMail.to_address)).all()
        assert mails == ["melder@trondheim.demo"]
        token = _link_from_last_mail("melder@trondheim.demo")
        body = db.session.scalar(sa.select(OutboxMail.body))
        assert "Noen (forhåpentlig du)" in body
    # The reset link works like the invitation link.
    client.post(f"/passord/{token}", data={"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
    login(client, "melder@trondheim.demo", GOOD_PASSWORD)


def test_forgot_password_takes_about_the_same_time_either_way(app, client):
    """Both answers wait for the configured floor, so timing tells nothing (see bench/ too)."""
    floor = app.config["FORGOT_PASSWORD_MIN_SECONDS"]
    for email in ("melder@trondheim.demo", "finnes.ikke@trondheim.demo"):
        started = time.monotonic()
        client.post("/glemt-passord", data={"email": email})
        assert time.monotonic() - started >= floor


def test_deactivated_account_gets_no_reset_mail(app, client):
    with app.app_context():
        admin_services.set_user_active(
            find_user("admin@demo.demo"), find_user("melder@trondheim.demo"), False
        )
        db.session.commit()
    response = client.post("/glemt-passord", data={"email": "melder@trondheim.demo"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 0


def test_login_page_links_to_forgot_password(client):
    assert 'href="/glemt-passord"' in client.get("/logg-inn").get_data(as_text=True)
