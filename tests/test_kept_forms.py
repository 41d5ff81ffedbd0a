"""Text is never lost (issue 20): a form posted after the session ended by time is kept,
encrypted, for its owner alone and at most an hour, and comes back filled in after the login
(password, second factor); the keep-alive the page sends while someone types.

The browser's part (the form filled in, the warning) is tests/e2e/test_kept_forms_browser.py.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import quote

import pyotp
import sqlalchemy as sa

from app.auth.services import find_user
from app.auth.services import second_factor as totp
from app.auth.services.security_log import Client
from app.common.crypto import patient_cipher
from app.extensions import db
from app.maintenance import run_maintenance
from app.models import Deviation, DeviationMessage, KeptForm, LoginSession, utcnow
from tests import factories
from tests.factories import identity_number
from tests.support import login
from tests.test_filing_routes import valid_form

NURSE = "melder@trondheim.demo"
OTHER = "melder@stolav.demo"
FORM_PAGE = "http://localhost/avvik/nytt"
TITLE = "Utskrevet uten legemiddelliste i kveld"


def _age_sessions(app, **changes) -> None:
    with app.app_context():
        db.session.execute(sa.update(LoginSession).values(**changes))
        db.session.commit()


def _idle_out(app) -> None:
    """The session ends by time: its last visit further back than the idle limit."""
    app.config["SESSION_IDLE_MINUTES"] = 30
    _age_sessions(app, last_seen_at=utcnow() - timedelta(minutes=31))


def _kept_rows(app) -> list[KeptForm]:
    with app.app_context():
        return list(db.session.scalars(sa.select(KeptForm)))


def _kept_on_page(page: str) -> dict | None:
    match = re.search(r'<script type="application/json" id="tatt-vare-paa">(.*?)</script>', page)
    return json.loads(match.group(1)) if match else None


def _deviation_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Deviation))


def _post_expired_filing(app, client, number: str):
    login(client, NURSE)
    assert client.get("/avvik/nytt").status_code == 200
    _idle_out(app)
    return client.post(
        "/avvik/nytt",
        data=valid_form(app, title=TITLE, patient_id=number),
        headers={"Referer": FORM_PAGE},
    )


def test_a_filing_posted_after_the_idle_limit_comes_back_filled_after_the_login(app, client):
    number = identity_number()
    before = _deviation_count(app)
    response = _post_expired_filing(app, client, number)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/logg-inn?next={quote('/avvik/nytt', safe='')}"
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Det du skrev, er tatt vare på" in login_page
    assert _deviation_count(app) == before  # nothing filed without a session

    # At rest: one row, the whole form in one Fernet token; neither the number nor the text
    # readable in the raw row.
    rows = _kept_rows(app)
    assert len(rows) == 1
    with app.app_context():
        raw = db.session.execute(sa.text("SELECT * FROM kept_form")).one()
        stored = " ".join(str(value) for value in raw)
        assert number not in stored and TITLE not in stored and "Epikrise" not in stored
        assert number in patient_cipher().decrypt(rows[0].payload)
        assert rows[0].user_id == find_user(NURSE).id

    done = client.post(
        "/logg-inn?next=/avvik/nytt", data={"email": NURSE, "password": "demo-avvik"}
    )
    assert done.headers["Location"] == "/avvik/nytt"
    page = client.get("/avvik/nytt").get_data(as_text=True)
    assert "Det du skrev, er fylt inn igjen." in page
    kept = _kept_on_page(page)
    assert kept["action"] == "/avvik/nytt"
    fields = dict(kept["fields"])
    assert fields["title"] == TITLE and fields["patient_id"] == number
    assert "csrf_token" not in fields
    # Given back once, then gone from the server and the cookie.
    assert _kept_rows(app) == []
    again = client.get("/avvik/nytt").get_data(as_text=True)
    assert _kept_on_page(again) is None and "fylt inn igjen" not in again
    with client.session_transaction() as cookie_session:
        assert "kept_form" not in cookie_session


def test_a_message_posted_after_the_absolute_limit_comes_back_on_the_case_page(app, client):
    with app.app_context():
        reference = factories.deviation().reference
        db.session.commit()
    login(client, NURSE)
    app.config["SESSION_MAX_HOURS"] = 12
    _age_sessions(app, created_at=utcnow() - timedelta(hours=12, minutes=1))
    response = client.post(
        f"/avvik/{reference}/meldinger",
        data={"body": "Har dere sett på saken? Pasienten venter."},
        headers={"Referer": f"http://localhost/avvik/{reference}"},
    )
    assert response.headers["Location"] == f"/logg-inn?next={quote(f'/avvik/{reference}', safe='')}"
    assert "Innloggingen din varte ikke lenger. Det du skrev" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DeviationMessage)) == 0
    login(client, NURSE)
    page = client.get(f"/avvik/{reference}").get_data(as_text=True)
    kept = _kept_on_page(page)
    assert kept["action"] == f"/avvik/{reference}/meldinger"
    assert dict(kept["fields"])["body"] == "Har dere sett på saken? Pasienten venter."


def test_another_user_on_the_same_browser_never_gets_the_form(app, client):
    number = identity_number()
    _post_expired_filing(app, client, number)
    assert len(_kept_rows(app)) == 1
    login(client, OTHER)
    page = client.get("/avvik/nytt").get_data(as_text=True)
    assert _kept_on_page(page) is None and number not in page and TITLE not in page
    assert _kept_rows(app) == []  # not left for anyone
    with client.session_transaction() as cookie_session:
        assert "kept_form" not in cookie_session
    # Nor does its owner, logging in afterwards on the same browser.
    client.post("/logg-ut")
    login(client, NURSE)
    assert _kept_on_page(client.get("/avvik/nytt").get_data(as_text=True)) is None


def test_a_kept_form_lives_at_most_an_hour(app, client):
    _post_expired_filing(app, client, identity_number())
    with app.app_context():
        db.session.execute(sa.update(KeptForm).values(created_at=utcnow() - timedelta(minutes=61)))
        db.session.commit()
    login(client, NURSE)
    page = client.get("/avvik/nytt").get_data(as_text=True)
    assert _kept_on_page(page) is None and TITLE not in page
    assert _kept_rows(app) == []


def test_the_daily_maintenance_deletes_kept_forms_older_than_an_hour(app, client):
    _post_expired_filing(app, client, identity_number())
    now = utcnow()
    with app.app_context():
        label = "Skjemaer tatt vare på over innloggingen, eldre enn en time, slettet"
        assert dict(run_maintenance(now + timedelta(minutes=59)))[label] == 0
        assert dict(run_maintenance(now + timedelta(minutes=61)))[label] == 1
        db.session.commit()
    assert _kept_rows(app) == []


def test_the_form_comes_back_after_the_second_factor_too(app, client):
    login(client, NURSE)
    with app.app_context():  # the second factor set up during the session
        secret = totp.new_secret()
        totp.enrol(find_user(NURSE), secret, pyotp.TOTP(secret).now(), Client())
        db.session.commit()
    _idle_out(app)
    response = client.post(
        "/avvik/nytt", data=valid_form(app, title=TITLE), headers={"Referer": FORM_PAGE}
    )
    next_url = response.headers["Location"]
    password = client.post(next_url, data={"email": NURSE, "password": "demo-avvik"})
    assert password.headers["Location"] == "/logg-inn/kode"
    code = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))  # the next step: unused
    done = client.post("/logg-inn/kode", data={"code": code})
    assert done.headers["Location"] == "/avvik/nytt"
    kept = _kept_on_page(client.get("/avvik/nytt").get_data(as_text=True))
    assert dict(kept["fields"])["title"] == TITLE


def test_nothing_is_kept_without_a_known_owner_or_typed_text(app, client):
    # No session at all: nobody to keep it for.
    response = client.post("/avvik/nytt", data=valid_form(app), headers={"Referer": FORM_PAGE})
    assert response.status_code == 302 and _kept_rows(app) == []
    # A form of nothing but its hidden fields (a delete button, a move without text).
    with app.app_context():
        reference = factories.deviation().reference
        db.session.commit()
    login(client, NURSE)
    _idle_out(app)
    client.post(
        f"/avvik/{reference}/meldinger",
        data={"csrf_token": "x", "version": "1", "body": "  "},
        headers={"Referer": f"http://localhost/avvik/{reference}"},
    )
    assert _kept_rows(app) == []


def test_the_keep_alive_notes_the_visit_and_tells_the_time_left(app, client):
    app.config.update(SESSION_IDLE_MINUTES=30, SESSION_MAX_HOURS=12)
    assert client.post("/okt/fortsett").status_code == 401
    login(client, NURSE)
    page = client.get("/avvik/nytt").get_data(as_text=True)
    left = int(re.search(r'data-seconds-left="(\d+)"', page).group(1))
    assert 29 * 60 <= left <= 30 * 60
    assert 'data-warn-seconds="120"' in page and 'data-ping-seconds="60"' in page
    _age_sessions(app, last_seen_at=utcnow() - timedelta(minutes=20))
    answer = client.post("/okt/fortsett")
    assert answer.status_code == 200 and answer.json["seconds_left"] >= 29 * 60
    # The absolute end, which no visit moves, so the warning can say so.
    assert 11 * 3600 < answer.json["max_seconds_left"] <= 12 * 3600
    assert 'data-max-seconds-left="' in page
    with app.app_context():
        seen = db.session.scalar(sa.select(LoginSession.last_seen_at))
        assert utcnow() - seen < timedelta(minutes=1)
    _idle_out(app)
    assert client.post("/okt/fortsett").status_code == 401


def test_the_keep_alive_needs_the_csrf_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/logg-inn").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/logg-inn", data={"email": NURSE, "password": "demo-avvik", "csrf_token": token})
    assert client.post("/okt/fortsett").status_code == 400
    page = client.get("/avvik/nytt").get_data(as_text=True)
    header = re.search(r'data-csrf="([^"]+)"', page).group(1)
    assert client.post("/okt/fortsett", headers={"X-CSRFToken": header}).status_code == 200


def test_the_session_may_be_counted_in_seconds(app, client):
    """SESSION_IDLE_SECONDS (the browser test's): the server ends the session by it."""
    app.config["SESSION_IDLE_SECONDS"] = 8
    login(client, NURSE)
    page = client.get("/avvik/nytt").get_data(as_text=True)
    assert 'data-ping-seconds="2"' in page
    _age_sessions(app, last_seen_at=utcnow() - timedelta(seconds=9))
    assert client.get("/avvik/nytt").status_code == 302


def test_an_answer_and_an_analysis_form_come_back_on_their_pages(app, client):
    """Every form with text is kept the same way: a handler's answer (one of several move forms
    posting to one address, told apart by their hidden fields) and an analysis form."""
    handler = "mottak@stolav.demo"
    with app.app_context():
        deviation = factories.deviation()
        analysis = factories.analysis()
        reference, analysis_ref = deviation.reference, analysis.reference
        db.session.commit()
    cases = [
        (
            handler,
            f"/avvik/{reference}",
            f"/avvik/{reference}/behandling",
            {"move": "besvar", "version": "1", "text": "Vi har rettet rutinen for epikrise."},
            "text",
        ),
        (
            factories.LEADER,
            f"/analyser/{analysis_ref}",
            f"/analyser/{analysis_ref}/problem/ny",
            {"text": "Legemiddellisten ble ikke sendt med pasienten."},
            "text",
        ),
    ]
    for email, page_path, action, data, typed in cases:
        login(client, email)
        assert client.get(page_path).status_code == 200
        _idle_out(app)
        response = client.post(
            action, data=data, headers={"Referer": f"http://localhost{page_path}"}
        )
        assert response.headers["Location"] == f"/logg-inn?next={quote(page_path, safe='')}"
        login(client, email)
        page = client.get(page_path).get_data(as_text=True)
        kept = _kept_on_page(page)
        assert kept["action"] == action, page_path
        assert dict(kept["fields"])[typed] == data[typed]
        # The page has the form the script fills: same address (and, for a move, its hidden
        # "move" field).
        assert f'action="{action}"' in page
        client.post("/logg-ut")


def test_the_form_comes_back_after_single_sign_on(app, client, tmp_path):
    from tests.oidc import running_provider, through_provider
    from tests.test_auth_sso import BASE, connect

    with running_provider() as provider:
        connect(app, provider, tmp_path)
        login(client, NURSE)
        _idle_out(app)
        response = client.post(
            "/avvik/nytt", data=valid_form(app, title=TITLE), headers={"Referer": FORM_PAGE}
        )
        login_page = client.get(response.headers["Location"]).get_data(as_text=True)
        # The provider's button carries the way back to the form.
        start_url = re.search(r'href="(/logg-inn/sso/test\?next=[^"]+)"', login_page).group(1)
        start = client.get(start_url.replace("&amp;", "&"))
        back = through_provider(start.headers["Location"], NURSE, BASE)
        done = client.get(back[len(BASE) :])
    assert done.headers["Location"] == "/avvik/nytt"
    kept = _kept_on_page(client.get("/avvik/nytt").get_data(as_text=True))
    assert dict(kept["fields"])["title"] == TITLE


def test_asking_how_long_the_session_has_left_does_not_keep_it_alive(app, client):
    app.config["SESSION_IDLE_MINUTES"] = 30
    assert client.get("/okt").status_code == 401
    login(client, NURSE)
    aged = utcnow() - timedelta(minutes=20)
    _age_sessions(app, last_seen_at=aged)
    answer = client.get("/okt")
    assert answer.status_code == 200 and 9 * 60 <= answer.json["seconds_left"] <= 10 * 60
    with app.app_context():
        assert db.session.scalar(sa.select(LoginSession.last_seen_at)) == aged
    _idle_out(app)
    assert client.get("/okt").status_code == 401


def test_key_rotation_takes_kept_forms_along(app, client, runner):
    from cryptography.fernet import Fernet

    from app.setup import register_patient_cipher

    old = app.config["PATIENT_DATA_KEYS"][0]
    new = Fernet.generate_key().decode()
    number = identity_number()
    _post_expired_filing(app, client, number)
    app.config["PATIENT_DATA_KEYS"] = [new, old]
    register_patient_cipher(app)
    result = runner.invoke(args=["rotate-patient-key"])
    assert "kryptert på nytt: 1" in result.output, result.output
    app.config["PATIENT_DATA_KEYS"] = [new]  # the old key gone at once
    register_patient_cipher(app)
    login(client, NURSE)
    kept = _kept_on_page(client.get("/avvik/nytt").get_data(as_text=True))
    assert dict(kept["fields"])["patient_id"] == number


def test_secrets_are_never_kept(ctx):
    from app.auth.services import kept_forms

    user = find_user(NURSE)
    raw = kept_forms.keep(
        user.id,
        "/admin/api-klienter",
        "/admin/api-klienter/ny",
        [("name", "Fagsystem"), ("secret", "s3cret"), ("new_password", "x"), ("csrf_token", "t")],
    )
    taken = kept_forms.take(raw, user.id, "/admin/api-klienter")
    assert taken.form.fields == [("name", "Fagsystem")]
    # Nothing but secrets: nothing kept.
    assert kept_forms.keep(user.id, "/konto", "/konto", [("password", "hemmelig")]) is None


def test_without_javascript_the_text_is_offered_to_copy(app, client):
    """The form is filled in by session.js; the page also carries the typed text (never the
    patient identity) in a <noscript> to copy, and the same for session.js to show where the
    form is no longer on the page."""
    number = identity_number()
    _post_expired_filing(app, client, number)
    login(client, NURSE)
    page = client.get("/avvik/nytt").get_data(as_text=True)
    noscript = re.search(r"<noscript>(.*?)</noscript>", page, re.DOTALL).group(1)
    assert "Teksten din er ikke lagret" in noscript
    text = re.search(r"<textarea[^>]*readonly>(.*?)</textarea>", noscript, re.DOTALL).group(1)
    assert TITLE in text and "Pasienten kom hjem uten epikrise" in text
    assert number not in text and "lav" not in text.split()  # the identity, a choice's code
    assert re.search(r'id="skjema-tatt-vare-paa" hidden', page)  # until session.js fills it
