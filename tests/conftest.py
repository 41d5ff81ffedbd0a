"""Fixtures: an app on a real database per test (SQLite file and PostgreSQL), client, login.

Every test that takes `app` runs twice, once per backend. PostgreSQL is the server on
127.0.0.1:5432 (database `test`); each pytest process works in a schema of its own so parallel
runs never meet. Under CI=true a missing PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.common.translations import compile_catalogues
from app.data.demo import DEMO_PASSWORD, create_demo_accounts
from app.data.seed import seed_defaults
from app.extensions import db

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_SERVER = os.environ.get("AVVIK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required, not skipped)")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """English must show in tests as after `make install`, even right after a .po edit."""
    compile_catalogues()


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A fresh schema on the PostgreSQL server, dropped after the session."""
    schema = f"avvik_test_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_SERVER, connect_timeout=3, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.OperationalError as error:
        _unavailable(f"PostgreSQL is not reachable at {PG_SERVER}: {error}")
    base = PG_SERVER.replace("postgresql://", "postgresql+psycopg://", 1)
    yield f"{base}?options=-csearch_path%3D{schema}"
    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'avvik.db'}"
    return request.getfixturevalue("pg_schema_url")


def make_app(database_url: str, **overrides: object) -> Flask:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, **overrides)
    return app


@pytest.fixture
def app(database_url: str, tmp_path) -> Iterator[Flask]:
    app = make_app(database_url, MAIL_OUTBOX_DIR=str(tmp_path / "outbox"))
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_defaults()
        create_demo_accounts()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An application context for service tests that need no HTTP."""
    with app.app_context():
        yield app
        db.session.rollback()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def login(client: FlaskClient, email: str, password: str = DEMO_PASSWORD) -> None:
    response = client.post("/logg-inn", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def login_as(client: FlaskClient):
    def _login(email: str) -> FlaskClient:
        client.post("/logg-ut")
        login(client, email)
        return client

    return _login
