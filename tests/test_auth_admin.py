"""What administrators see and do about sign-in: the security log page, an organisation's
number and SSO-only flag, logging a user out everywhere, and the daily retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.admin import services as admin_services
from app.auth.services import Client, find_user, record
from app.auth.services.sessions import start_session
from app.common.errors import ServiceError
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.maintenance import run_maintenance
from app.models import LoginSession, SecurityEvent, SecurityLogEntry, utcnow
from tests.support import login


def _fail(client, email: str) -> None:
    client.post("/logg-inn", data={"email": email, "password": "feil"})


def test_the_security_log_page_admin_sees_all_lokal_admin_their_own(app, client, login_as):
    _fail(client, "melder@trondheim.demo")
    _fail(client, "mottak@malvik.demo")
    _fail(client, "ingen@finnes.demo")
    admin_page = login_as("admin@demo.demo").get("/admin/sikkerhetslogg").get_data(as_text=True)
    for shown in ("melder@trondheim.demo", "mottak@malvik.demo", "ingen@finnes.demo"):
        assert shown in admin_page
    assert "Mislykket innlogging" in admin_page and "feil passord" in admin_page
    local = login_as("lokaladmin@trondheim.demo").get("/admin/sikkerhetslogg")
    local_page = local.get_data(as_text=True)
    assert "melder@trondheim.demo" in local_page
    assert "mottak@malvik.demo" not in local_page and "ingen@finnes.demo" not in local_page
    found = login_as("admin@demo.demo").get("/admin/sikkerhetslogg?e-post=malvik")
    assert "mottak@malvik.demo" in found.get_data(as_text=True)
    assert "melder@trondheim.demo" not in found.get_data(as_text=True)
    assert login_as("melder@trondheim.demo").get("/admin/sikkerhetslogg").status_code == 404


def test_the_security_log_pages_backwards(app, client, login_as):
    with app.app_context():
        for i in range(105):
            record(SecurityEvent.LOGIN_FAILED, email=f"nr{i}@x.demo", detail="unknown_account")
        db.session.commit()
    admin = login_as("admin@demo.demo")
    first = admin.get("/admin/sikkerhetslogg").get_data(as_text=True)
    assert "nr104@x.demo" in first and "Eldre hendelser" in first
    assert "nr0@x.demo" not in first


def test_the_security_log_is_never_rewritten(ctx):
    entry = record(SecurityEvent.LOGOUT, user=find_user("melder@trondheim.demo"))
    db.session.commit()
    entry.detail = "changed"
    with pytest.raises(RuntimeError, match="never updated"):
        db.session.flush()


def test_org_number_is_validated_and_sso_only_needs_a_provider(ctx):
    admin = find_user("admin@demo.demo")
    org = organisation_by_name(HOSPITAL)
    for bad, code in (("12345678", "org_number_format"), ("974749026", "org_number_check")):
        with pytest.raises(ServiceError) as refused:
            admin_services.set_sign_in(admin, org, org_number=bad, sso_only=False)
        assert refused.value.code == code
    admin_services.set_sign_in(admin, org, org_number="974 749 025", sso_only=False)
    assert org.org_number == "974749025"
    with pytest.raises(ServiceError) as taken:
        admin_services.set_sign_in(
            admin, organisation_by_name("Malvik"), org_number="974749025", sso_only=False
        )
    assert taken.value.code == "org_number_taken"
    with pytest.raises(ServiceError) as no_provider:
        admin_services.set_sign_in(admin, org, org_number="974749025", sso_only=True)
    assert no_provider.value.code == "no_provider"
    with pytest.raises(ServiceError):
        admin_services.set_sign_in(
            find_user("lokaladmin@trondheim.demo"),
            organisation_by_name("Trondheim"),
            org_number=None,
            sso_only=False,
        )


def test_the_organisation_page_has_the_sign_in_settings(app, login_as):
    admin = login_as("admin@demo.demo")
    with app.app_context():
        org_id = organisation_by_name("Malvik").id
    page = admin.get(f"/admin/organisasjoner/{org_id}").get_data(as_text=True)
    assert "Organisasjonsnummer" in page and "Bare innlogging via" in page
    refused = admin.post(f"/admin/organisasjoner/{org_id}/innlogging", data={"org_number": "123"})
    assert refused.status_code == 422
    assert "Organisasjonsnummeret har ni sifre." in refused.get_data(as_text=True)
    assert 'value="123"' in refused.get_data(as_text=True)  # what was typed stays
    saved = admin.post(
        f"/admin/organisasjoner/{org_id}/innlogging",
        data={"org_number": "938772924"},
        follow_redirects=True,
    )
    assert "Innloggingen for Malvik er endret." in saved.get_data(as_text=True)
    with app.app_context():
        assert organisation_by_name("Malvik").org_number == "938772924"
    local = login_as("lokaladmin@trondheim.demo")
    with app.app_context():
        trondheim_id = organisation_by_name("Trondheim").id
    assert "Organisasjonsnummer" not in local.get(f"/admin/organisasjoner/{trondheim_id}").get_data(
        as_text=True
    )
    assert local.post(f"/admin/organisasjoner/{trondheim_id}/innlogging").status_code == 404


def test_an_admin_logs_a_user_out_everywhere(app, login_as):
    user_client = app.test_client()
    login(user_client, "melder@trondheim.demo")
    admin = login_as("lokaladmin@trondheim.demo")
    with app.app_context():
        user_id = find_user("melder@trondheim.demo").id
    assert "Logget inn i 1 nettleser nå." in admin.get(f"/admin/brukere/{user_id}").get_data(
        as_text=True
    )
    done = admin.post(f"/admin/brukere/{user_id}/logg-ut", follow_redirects=True)
    assert "1 innlogging er avsluttet." in done.get_data(as_text=True)
    assert user_client.get("/avvik/mine").status_code == 302
    with app.app_context():
        row = db.session.scalars(
            sa.select(SecurityLogEntry).where(SecurityLogEntry.event == SecurityEvent.SESSION_ENDED)
        ).one()
        assert row.detail == "all_by_admin" and row.actor.email == "lokaladmin@trondheim.demo"


def test_maintenance_deletes_expired_sessions_and_old_security_log_rows(ctx):
    ctx.config["SECURITY_LOG_DAYS"] = 365
    now = utcnow()
    user = find_user("melder@trondheim.demo")
    start_session(user, Client(), now=now)  # live
    start_session(user, Client(), now=now - timedelta(minutes=31))  # idle too long
    start_session(user, Client(), now=now - timedelta(hours=13))  # too old
    record(SecurityEvent.LOGIN, user=user, now=now - timedelta(days=366))
    record(SecurityEvent.LOGIN, user=user, now=now - timedelta(days=364))
    db.session.commit()
    done = dict(run_maintenance(now))
    assert done["Utløpte innlogginger slettet"] == 2
    assert done["Rader i sikkerhetsloggen eldre enn SECURITY_LOG_DAYS slettet"] == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SecurityLogEntry)) == 1
    again = dict(run_maintenance(now))
    assert again["Utløpte innlogginger slettet"] == 0
