"""GET /helse: 200 with the figures when all is well, 503 naming what is wrong otherwise."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app.extensions import db
from app.models import MailStatus, OutboxMail, utcnow
from app.ops.health import migration_heads
from tests.support import drop_everything, make_app


def _stamp_head(app) -> str:
    """What `flask db upgrade` leaves behind, in the test's transaction (the shared test
    databases are built with create_all and hold no alembic_version)."""
    with app.app_context():
        (head,) = migration_heads()
        db.session.execute(
            sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        )
        db.session.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
        db.session.commit()
    return head


def _queue(app, age: timedelta, status: MailStatus = MailStatus.PENDING) -> None:
    with app.app_context():
        created = utcnow() - age
        db.session.add(
            OutboxMail(
                to_address="mottak@stolav.demo",
                subject="Avvik AV-2026-00001: nytt avvik",
                body="…",
                created_at=created,
                next_attempt_at=created,
                status=status,
            )
        )
        db.session.commit()


def test_healthy_answers_200_with_the_figures_and_no_cookie(app, client):
    head = _stamp_head(app)
    _queue(app, timedelta(minutes=3))
    _queue(app, timedelta(days=3), MailStatus.FAILED)  # given up: counted, not a 503
    response = client.get("/helse")
    assert response.status_code == 200, response.json
    assert response.mimetype == "application/json"
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["status"] == "ok" and body["problems"] == []
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True, "current": [head], "head": [head]}
    mail = body["checks"]["mail"]
    assert mail["ok"] and mail["unsent"] == 1 and mail["failed"] == 1
    assert 170 <= mail["oldest_unsent_seconds"] <= 200


def test_a_database_without_migrations_is_named(app, client):
    response = client.get("/helse")
    assert response.status_code == 503
    body = response.json
    assert body["status"] == "error"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"]["ok"] is False
    assert body["checks"]["migrations"]["current"] == []
    assert any("flask db upgrade" in problem for problem in body["problems"])
    assert body["checks"]["mail"]["ok"] is True  # the other checks still report


def test_a_stale_revision_is_named(app, client):
    _stamp_head(app)
    with app.app_context():
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'b0ffbc6a24a0'"))
        db.session.commit()
    body = client.get("/helse").json
    assert body["checks"]["migrations"]["current"] == ["b0ffbc6a24a0"]
    assert any("ikke migrert til siste versjon" in problem for problem in body["problems"])


def test_mail_waiting_too_long_is_a_503_unless_switched_off(app, client):
    _stamp_head(app)
    _queue(app, timedelta(minutes=45))
    response = client.get("/helse")
    assert response.status_code == 503
    assert response.json["checks"]["mail"]["ok"] is False
    (problem,) = response.json["problems"]
    assert "45 minutter" in problem and "send-mail" in problem
    app.config["HEALTH_MAIL_MAX_AGE_MINUTES"] = 60
    assert client.get("/helse").status_code == 200
    app.config["HEALTH_MAIL_MAX_AGE_MINUTES"] = 0
    assert client.get("/helse").status_code == 200


def test_a_missing_table_is_named_and_the_rest_still_reported(app, client):
    _stamp_head(app)
    with app.app_context():
        db.session.execute(sa.text("DROP TABLE outbox_mail"))
        db.session.commit()
    response = client.get("/helse")
    assert response.status_code == 503
    checks = response.json["checks"]
    assert checks["database"]["ok"] and checks["migrations"]["ok"]
    assert checks["mail"]["ok"] is False
    assert response.json["problems"] == ["Databasen svarer, men sjekken «mail» feilet."]


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////nonexistent-directory/avvik.db",
        "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2",
    ],
    ids=["sqlite", "postgresql"],
)
def test_an_unreachable_database_is_a_503_that_says_so(url, capsys):
    app = make_app(url)
    client = app.test_client()
    # A logged-in browser's cookie must not make the page need the database either.
    client.set_cookie("lang", "en")
    response = client.get("/helse")
    assert response.status_code == 503
    assert response.json == {
        "status": "error",
        "checks": {"database": {"ok": False, "error": "OperationalError"}},
        "problems": ["Databasen kan ikke nås."],
    }
    logged = capsys.readouterr().err
    assert "health: database unreachable (OperationalError)" in logged
    assert "nonexistent-directory" not in logged and "127.0.0.1:1" not in logged


@pytest.mark.commits
def test_a_database_made_by_the_migrations_is_healthy(database_url):
    app = make_app(database_url)
    with app.app_context():
        drop_everything()
        upgrade()
    assert app.test_client().get("/helse").status_code == 200
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
