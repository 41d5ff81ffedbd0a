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

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

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
    the app outside tests) is not affected."""
    db.session.session_factory.configure(join_transaction_mode="create_savepoint")


def drop_everything() -> None:
    """Empty the app's database, Alembic's version table too, for a test of the migrations
    (in an app context)."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def make_app(database_url: str, **overrides: object) -> Flask:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, **overrides)
    return app


def build_database(database_url: str) -> None:
    """Schema, seed and demo accounts, committed."""
    app = make_app(database_url)
    with app.app_context():
        db.create_all()
        seed_defaults()
        create_demo_accounts()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


# --- PostgreSQL: schemas and databases of this process ------------------------------------


def _on_pg_server(*statements: str) -> None:
    try:
        with psycopg.connect(PG_SERVER, connect_timeout=3, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)
    except psycopg.OperationalError as error:
        _unavailable(f"PostgreSQL is not reachable at {PG_SERVER}: {error}")


def _pg_url(database: str | None = None, schema: str | None = None) -> str:
    url = make_url(PG_SERVER).set(drivername="postgresql+psycopg")
    if database:
        url = url.set(database=database)
    if schema:
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@contextmanager
def _pg_schema() -> Iterator[str]:
    """A new, empty schema in the `test` database; the URL whose connections work in it."""
    schema = _unique("avvik_test")
    _on_pg_server(f'CREATE SCHEMA "{schema}"')
    try:
        yield _pg_url(schema=schema)
    finally:
        _on_pg_server(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A fresh, empty schema on the PostgreSQL server, dropped after the session (for tests
    that build their own database)."""
    with _pg_schema() as url:
        yield url


@pytest.fixture(scope="session")
def seeded_postgresql_url() -> Iterator[str]:
    """This process's PostgreSQL schema with the seed and demo accounts; tests roll back."""
    with _pg_schema() as url:
        build_database(url)
        yield url


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A seeded database that is only ever copied: the start of every fresh PostgreSQL
    database. CREATE DATABASE … TEMPLATE copies it in tens of milliseconds, where create_all
    and the seed take most of a second."""
    name = _unique("avvik_template")
    _on_pg_server(f'CREATE DATABASE "{name}"')
    try:
        build_database(_pg_url(database=name))
        yield name
    finally:
        _on_pg_server(f'DROP DATABASE "{name}"')


@contextmanager
def fresh_postgresql_url(template: str) -> Iterator[str]:
    name = _unique("avvik_test")
    _on_pg_server(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _pg_url(database=name)
    finally:
        # FORCE: a connection a test's thread left open must not keep the database alive.
        _on_pg_server(f'DROP DATABASE "{name}" WITH (FORCE)')


# --- SQLite: files of this process ---------------------------------------------------------


def _copy_sqlite(source: Path, target: Path) -> None:
    # The backup API copies a consistent database whatever sits in the WAL file.
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


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
    _copy_sqlite(sqlite_template, path)
    return f"sqlite:///{path}"


def fresh_sqlite_url(sqlite_template: Path, directory: Path) -> str:
    path = directory / "avvik.db"
    _copy_sqlite(sqlite_template, path)
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
        if app is None:
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
