"""Fixtures: an app on a real database per test (SQLite file and PostgreSQL), client, login.

Every test that takes `app` runs twice, once per backend. PostgreSQL is the server on
127.0.0.1:5432 (database `test`); each pytest process works in schemas and databases of its
own, so parallel runs (and pytest-xdist workers) never meet. Under CI=true a missing PostgreSQL
fails the run instead of skipping.

Each database is built once per process: schema, seed and demo accounts. A test then runs in
one transaction on one connection that is rolled back when it ends, as SQLAlchemy's "Joining a
Session into an External Transaction" recipe shows: every session of the app (requests, app
contexts the test pushes, CLI commands) joins that transaction with a SAVEPOINT, so the
routes' and services' commits only release a savepoint. A test that needs real commits (other
threads, a live server, migrations) is marked `commits` and gets a fresh database of its own:
a copy of a template built once (a SQLite file; a PostgreSQL database by CREATE DATABASE …
TEMPLATE).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.common.translations import compile_catalogues
from app.extensions import db, limiter
from tests.support import (
    build_database,
    copy_sqlite,
    dropper,
    fresh_postgresql_url,
    fresh_sqlite_url,
    login,
    make_app,
    on_pg_server,
    pg_schema,
    pg_url,
    unique,
)


def pytest_configure(config: pytest.Config) -> None:
    """English must show in tests as after `make install`, even right after a .po edit.

    Compiled here, before pytest-xdist starts its workers (a worker has `workerinput`), so no
    worker reads a .mo another is still writing."""
    if not hasattr(config, "workerinput"):
        compile_catalogues()


@pytest.fixture(scope="session", autouse=True)
def sessions_join_with_a_savepoint() -> None:
    """A session bound to a connection that is already in a transaction begins a SAVEPOINT
    there, and its commit releases it; a session bound to an engine (the `commits` tests,
    the app outside tests) is not affected. tests/test_fixtures.py pins this behaviour."""
    db.session.session_factory.configure(join_transaction_mode="create_savepoint")


# --- Databases of this process --------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A fresh, empty schema on the PostgreSQL server, dropped after the session (for tests
    that build their own database)."""
    with pg_schema() as url:
        yield url


@pytest.fixture(scope="session")
def seeded_postgresql_url() -> Iterator[str]:
    """This process's PostgreSQL schema with the seed and demo accounts; tests roll back."""
    with pg_schema() as url:
        build_database(url)
        yield url


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A seeded database that is only ever copied: the start of every fresh PostgreSQL
    database. CREATE DATABASE … TEMPLATE copies it in tens of milliseconds, where create_all
    and the seed take most of a second."""
    name = unique("avvik_template")
    on_pg_server(f'CREATE DATABASE "{name}"')
    try:
        build_database(pg_url(database=name))
        yield name
    finally:
        dropper.wait()
        on_pg_server(f'DROP DATABASE "{name}"')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded SQLite file that is only ever copied: the start of every fresh SQLite database."""
    path = tmp_path_factory.mktemp("template") / "avvik.db"
    build_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def seeded_sqlite_url(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """This process's seeded SQLite file; tests roll back."""
    path = tmp_path_factory.mktemp("shared") / "avvik.db"
    copy_sqlite(sqlite_template, path)
    return f"sqlite:///{path}"


# --- The fixtures the tests use ------------------------------------------------------------


def _commits(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("commits") is not None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The seeded database this test runs on: this process's shared one, or for a test marked
    `commits` a fresh one of its own."""
    sqlite = request.param == "sqlite"
    if not _commits(request):
        yield request.getfixturevalue("seeded_sqlite_url" if sqlite else "seeded_postgresql_url")
    elif sqlite:
        yield fresh_sqlite_url(request.getfixturevalue("sqlite_template"), tmp_path)
    else:
        with fresh_postgresql_url(request.getfixturevalue("pg_template")) as url:
            yield url


# One app per database and worker for the tests that roll back. Building an app compiles every
# URL rule, and a new app compiles every template again: that was half the time of a short test.
_SHARED_APPS: dict[str, Flask] = {}


def _own_app(request: pytest.FixtureRequest) -> bool:
    return _commits(request) or request.node.get_closest_marker("own_app") is not None


@pytest.fixture
def app(database_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The app. Unless the test is marked `commits`, everything it does runs in one transaction
    that is rolled back at the end, and the app is this worker's one for the database, its
    config and extensions put back afterwards so a test may change them. A test that adds
    routes or hooks is marked `own_app`."""
    outbox = str(tmp_path / "outbox")
    shared = not _own_app(request)
    if shared:
        app = _SHARED_APPS.get(database_url)
        if app is None or limiter.enabled:
            # Flask-Limiter is one object per process, configured by the last app made: a test
            # that made a development or production app (limits on) leaves it on for the next.
            # Making the testing app again turns it off, as its config says.
            app = _SHARED_APPS[database_url] = make_app(database_url)
    else:
        app = make_app(database_url, MAIL_OUTBOX_DIR=outbox)
    with app.app_context():
        engine = db.engine
        engines = db.engines
    if _commits(request):
        yield app
        engine.dispose()
        return
    config, extensions = dict(app.config), dict(app.extensions)
    app.config["MAIL_OUTBOX_DIR"] = outbox
    connection = engine.connect()
    transaction = connection.begin()
    # Flask-SQLAlchemy's Session.get_bind() asks this mapping, not the session's own `bind`:
    # with the connection in it, every session of this app joins the test's transaction.
    engines[None] = connection  # type: ignore[index]
    try:
        yield app
    finally:
        engines[None] = engine  # type: ignore[index]
        transaction.rollback()
        connection.close()
        if shared:
            app.config.clear()
            app.config.update(config)
            app.extensions.clear()
            app.extensions.update(extensions)
        else:
            engine.dispose()


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


@pytest.fixture
def login_as(client: FlaskClient):
    def _login(email: str) -> FlaskClient:
        # Without a session cookie nobody is logged in, and the logout would only redirect: a
        # request saved in every test that logs in once.
        if client.get_cookie(client.application.config["SESSION_COOKIE_NAME"]) is not None:
            client.post("/logg-ut")
        login(client, email)
        return client

    return _login
