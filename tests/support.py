"""What tests share that is not a fixture: building apps and databases, logging a test client in,
reading a PDF. Fixtures live in conftest.py; data (deviations, analyses, users …) comes from
tests/factories.py.

Import from here, never from conftest.py: pytest loads a conftest as a plugin, and importing it
as a module as well gives two copies of its globals.
"""

from __future__ import annotations

import functools
import os
import queue
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from app import create_app
from app.data.demo import DEMO_PASSWORD, create_demo_accounts
from app.data.seed import organisation_by_name, seed_defaults
from app.extensions import db
from app.models import Organisation

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("AVVIK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def unavailable(reason: str) -> None:
    """Skip for want of a service (PostgreSQL, Chromium); under CI=true fail instead."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required, not skipped)")
    pytest.skip(reason)


# --- Apps and databases ---------------------------------------------------------------------


def make_app(database_url: str, **overrides: object) -> Flask:
    """A testing app on ``database_url``; ``overrides`` go into its config."""
    return create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, **overrides)


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


def drop_everything() -> None:
    """Empty the app's database, Alembic's version table too, for a test of the migrations
    (in an app context)."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def name_fallback(app: Flask, name: str | None) -> None:
    """Make the organisation ``name`` the helsefellesskap's fallback mottak (None: no fallback),
    committed (in the rolled-back fixture, only a savepoint)."""
    with app.app_context():
        for org in db.session.scalars(sa.select(Organisation).where(Organisation.fallback_mottak)):
            org.fallback_mottak = False
        db.session.flush()
        if name:
            organisation_by_name(name).fallback_mottak = True
        db.session.commit()


# --- PostgreSQL: schemas and databases of this process --------------------------------------


def on_pg_server(*statements: str) -> None:
    try:
        with psycopg.connect(PG_SERVER, connect_timeout=3, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL is not reachable at {PG_SERVER}: {error}")


def pg_url(database: str | None = None, schema: str | None = None) -> str:
    url = make_url(PG_SERVER).set(drivername="postgresql+psycopg")
    if database:
        url = url.set(database=database)
    if schema:
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@contextmanager
def pg_schema() -> Iterator[str]:
    """A new, empty schema in the `test` database; the URL whose connections work in it."""
    schema = unique("avvik_test")
    on_pg_server(f'CREATE SCHEMA "{schema}"')
    try:
        yield pg_url(schema=schema)
    finally:
        on_pg_server(f'DROP SCHEMA "{schema}" CASCADE')


class _Dropper:
    """Drops the databases of finished `commits` tests in a thread of its own.

    DROP DATABASE makes PostgreSQL 15 checkpoint the whole cluster: seconds on a busy machine,
    during which the test process would only wait. In this thread the next tests run meanwhile;
    `wait` (before the template goes, at the end of the session) makes sure every drop is done
    and raises what failed."""

    def __init__(self) -> None:
        self._queue: queue.Queue[str] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._errors: list[str] = []

    def drop(self, name: str) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="drop-databases", daemon=True)
            self._thread.start()
        self._queue.put(name)

    def _run(self) -> None:
        while True:
            name = self._queue.get()
            try:
                # FORCE: a connection a test's thread left open must not keep the database.
                with psycopg.connect(PG_SERVER, connect_timeout=3, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            except psycopg.Error as error:
                self._errors.append(f"{name}: {error!r}")
            finally:
                self._queue.task_done()

    def wait(self) -> None:
        self._queue.join()
        errors, self._errors[:] = list(self._errors), []
        if errors:
            raise RuntimeError(f"databases not dropped: {errors}")


dropper = _Dropper()


@contextmanager
def fresh_postgresql_url(template: str) -> Iterator[str]:
    """A database of its own, copied from ``template``, dropped afterwards (by `dropper`)."""
    name = unique("avvik_test")
    on_pg_server(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield pg_url(database=name)
    finally:
        dropper.drop(name)


# --- SQLite: files of this process ----------------------------------------------------------


def copy_sqlite(source: Path, target: Path) -> None:
    # The backup API copies a consistent database whatever sits in the WAL file.
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def fresh_sqlite_url(sqlite_template: Path, directory: Path) -> str:
    """A copy of the seeded template file in ``directory``, for a test that commits."""
    path = directory / "avvik.db"
    copy_sqlite(sqlite_template, path)
    return f"sqlite:///{path}"


# --- HTTP -----------------------------------------------------------------------------------


def login(client: FlaskClient, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log ``client`` in through the login form (the `login_as` fixture logs out first)."""
    response = client.post("/logg-inn", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


# --- Reading what the app produced ------------------------------------------------------------


def pdf_text(pdf: bytes) -> list[str]:
    """Each page's text, a table row on one line (layout mode), runs of spaces made one."""
    import io

    from pypdf import PdfReader

    return [
        "\n".join(
            " ".join(line.split()) for line in p.extract_text(extraction_mode="layout").splitlines()
        )
        for p in PdfReader(io.BytesIO(pdf)).pages
    ]


@functools.cache
def _english_of_msgids(source: str) -> tuple[tuple[str, str | None], ...]:
    """Each msgid marked in ``source`` with its English translation. Reading the catalogue
    takes a quarter of a second and the tests ask about the same sources many times; neither
    the .po nor the sources change during a run."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

    catalog = _english_catalog()
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = []
    for _line, message, _comments, _context in extract_from_file("python", ROOT / source, keywords):
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid) if msgid else None
        found.append((msgid, entry.string if entry is not None else None))
    return tuple(found)


@functools.cache
def _english_catalog():
    from babel.messages.pofile import read_po

    with (ROOT / "app/translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        return read_po(handle, locale="en")


def norwegian_msgids_in(text: str, source: str, data: set[str] = frozenset()) -> list[str]:
    """The msgids marked in ``source`` (a file under the project root) whose Norwegian text is in
    ``text`` although English differs: a heading the English report forgot to translate.

    ``%(x)s`` placeholders match anything; a msgid that equals its English translation, or that is
    in a stored name in ``data`` (a category "Annet", a "Klinikk for …"), cannot be told apart and
    is skipped.
    """
    import re

    flat = " ".join(text.split())
    found = []
    for msgid, english in _english_of_msgids(source):
        # Two-letter words (" og ") also occur in the Norwegian data a report prints as stored.
        if not msgid or english == msgid or len(msgid.strip()) < 4:
            continue
        parts = re.split(r"%\(\w+\)[sd]", " ".join(msgid.split()))
        pattern = r"(?<!\w)" + r".+?".join(re.escape(p) for p in parts) + r"(?!\w)"
        if any(re.search(pattern, name) for name in data):
            continue
        if re.search(pattern, flat):
            found.append(msgid)
    return found


@contextmanager
def app_with_limits(database_url: str, **config: object) -> Iterator[Flask]:
    """An app of its own whose rate limits are on (the testing config turns the limiter off),
    every session of it in one transaction rolled back at the end. The limiter is one object
    per process, configured by the last app made: the testing app is made again afterwards."""
    from app.extensions import limiter

    app = make_app(
        database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", **config
    )
    with app.app_context():
        engine = db.engine
        engines = db.engines
    connection = engine.connect()
    transaction = connection.begin()
    engines[None] = connection  # type: ignore[index]
    try:
        yield app
    finally:
        transaction.rollback()
        connection.close()
        engine.dispose()
        make_app(database_url)
        assert limiter.enabled is False
