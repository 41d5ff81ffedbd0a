"""JSON-line logs: a request id on every line and in X-Request-ID, one line per request with
route, status and duration, and never case text, patient identity, tokens or mail bodies."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail.sender import deliver_pending
from app.models import Deviation
from tests.factories import identity_number
from tests.test_filing_routes import valid_form


def log_lines(captured: str) -> list[dict]:
    lines = [line for line in captured.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # every line on stderr is one JSON object


def requests_in(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "app.request"]


def test_every_request_gets_an_id_and_one_line(app, client, capsys):
    capsys.readouterr()
    first = client.get("/logg-inn")
    second = client.get("/avvik/AV-2026-99999")  # 404 behind the login: a redirect
    missing = client.get("/finnes/ikke")
    ids = [r.headers["X-Request-ID"] for r in (first, second, missing)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and len(set(ids)) == 3
    lines = requests_in(log_lines(capsys.readouterr().err))
    assert [(line["request_id"], line["status"]) for line in lines] == list(
        zip(ids, (200, 302, 404), strict=True)
    )
    assert lines[0]["route"] == "/logg-inn" and lines[0]["endpoint"] == "auth.login"
    assert lines[1]["route"] == "/avvik/<reference>"  # the pattern, not the path
    assert lines[2]["route"] is None
    assert all(line["method"] == "GET" and line["duration_ms"] >= 0 for line in lines)
    assert all(line["level"] == "INFO" and line["time"].endswith("+00:00") for line in lines)


def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(client):
    kept = client.get("/logg-inn", headers={"X-Request-ID": "lb-7f3a9c21-0001"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a9c21-0001"
    for strange in ("short", "<script>alert(1)</script>", "x" * 200, "a b c d e f g h"):
        replaced = client.get("/logg-inn", headers={"X-Request-ID": strange})
        assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["X-Request-ID"])


def test_no_case_text_identity_or_mail_body_in_the_log(app, login_as, capsys, tmp_path):
    patient = identity_number("240587")
    title = "Loggtest: utskrevet uten epikrise"
    description = "Loggtest: Kari Nordmann i Elgeseter gate kom hjem uten medisiner."
    client = login_as("melder@trondheim.demo")
    capsys.readouterr()
    response = client.post(
        "/avvik/nytt",
        data=valid_form(app, title=title, description=description, patient_id=patient),
    )
    assert response.status_code == 302
    reference = response.headers["Location"].split("/")[2]
    refused = client.post(
        "/avvik/nytt", data=valid_form(app, title=title, description=f"{description} {patient}")
    )
    assert refused.status_code == 422
    handler = login_as("mottak@stolav.demo")
    handler.post(f"/avvik/{reference}/pasient")
    handler.post(
        f"/avvik/{reference}/meldinger", data={"body": "Loggtest: hvilken dag skjedde det?"}
    )
    with app.app_context():
        assert deliver_pending() == 2  # to the mottak and to the reporter: written as files
    captured = capsys.readouterr()
    lines = log_lines(captured.err)
    assert {line["status"] for line in requests_in(lines)} >= {302, 422, 200}
    for secret in (title, "Loggtest", "Kari Nordmann", patient, patient[:6], "Åpne avviket"):
        assert secret not in captured.err and secret not in captured.out, secret


@pytest.mark.own_app  # adds a failing route
def test_an_unhandled_error_is_logged_without_its_message_or_path(app, client, capsys):
    secret = "Kari Nordmann " + identity_number("010190")
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page, not a raise

    @app.get("/test-feil/<token>")
    def failing(token):
        raise RuntimeError(f"{secret} {token}")

    @app.get("/test-db-feil")
    def failing_in_the_database():
        # A database error whose text quotes the value, as PostgreSQL's do ("invalid input
        # syntax for type integer: …"); SQLite is made to fail on a missing table instead.
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(sa.text("SELECT CAST(:v AS INTEGER)"), {"v": secret})
        db.session.execute(sa.text("SELECT * FROM no_such_table WHERE x = :v"), {"v": secret})

    capsys.readouterr()
    response = client.get("/test-feil/hemmelig-lenke-abc123")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert request_id in response.get_data(as_text=True)  # the page gives it to the user
    database = client.get("/test-db-feil")
    assert database.status_code in (500, 503)
    err = capsys.readouterr().err
    lines = log_lines(err)
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert [e["message"] for e in errors] == ["unhandled exception", "unhandled exception"]
    assert errors[0]["request_id"] == request_id and errors[0]["error"] == "builtins.RuntimeError"
    assert any("in failing" in frame for frame in errors[0]["stack"])
    assert errors[1]["error"].startswith("sqlalchemy.exc.")
    assert requests_in(lines)[0]["route"] == "/test-feil/<token>"
    for leaked in (secret, "Kari Nordmann", "hemmelig-lenke-abc123"):
        assert leaked not in err


def test_the_receipt_and_the_log_agree_on_the_deviation(app, login_as, capsys):
    """A support question ("my filing failed at 10:42") finds the request by its id."""
    client = login_as("melder@trondheim.demo")
    capsys.readouterr()
    response = client.post("/avvik/nytt", data=valid_form(app))
    line = requests_in(log_lines(capsys.readouterr().err))[-1]
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert (line["method"], line["route"], line["status"]) == ("POST", "/avvik/nytt", 302)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Deviation)) >= 1
