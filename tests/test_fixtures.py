"""What the fixtures promise: a test's commits stay in its own transaction, which every way into
the app (an app context, a request, a CLI command) shares, and a test marked `commits` has a
database of its own that other connections see."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import User
from tests import factories
from tests.support import login

EMAIL = "ny@melhus.no"
PASSWORD = "et-langt-passord"


def _users_seen_from_outside(database_url: str) -> int:
    outside = sa.create_engine(database_url)
    try:
        with outside.connect() as conn:
            return conn.scalar(
                sa.select(sa.func.count()).select_from(User).where(User.email == EMAIL)
            )
    finally:
        outside.dispose()


def _create_user(runner) -> None:
    result = runner.invoke(
        args=["create-user", "--email", EMAIL, "--name", "Nina Ny", "--org", "Melhus"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output


def test_every_way_into_the_app_shares_the_tests_transaction(app, runner, client, database_url):
    _create_user(runner)  # the command commits
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == EMAIL)) is not None
    login(client, EMAIL, PASSWORD)  # a request finds the user the command committed
    assert _users_seen_from_outside(database_url) == 0


@pytest.mark.commits
def test_a_committing_test_has_a_database_of_its_own(app, runner, database_url):
    _create_user(runner)
    assert _users_seen_from_outside(database_url) == 1


@pytest.mark.commits
def test_the_library_internals_the_rollback_fixture_relies_on(app, runner, client, database_url):
    """The `app` fixture's recipe, step by step, on a database of its own: if an upgrade of
    Flask-SQLAlchemy or SQLAlchemy changes one of these, this fails here by name rather than as
    data leaking between tests elsewhere.

    1. `db.session.session_factory` is a sessionmaker that takes `join_transaction_mode`
       (set once per process by conftest's `sessions_join_with_a_savepoint`);
    2. Flask-SQLAlchemy's `Session.get_bind()` reads `db.engines[None]`, so a Connection put
       there is what every session of the app uses;
    3. a session on a connection already in a transaction works in a SAVEPOINT: its commit (a
       CLI command's, a request's) releases the savepoint and its rollback returns to it, and
       the outer transaction stays open;
    4. rolling the outer transaction back leaves nothing behind.
    """
    factory = db.session.session_factory
    assert isinstance(factory, sa.orm.sessionmaker)
    assert factory.kw.get("join_transaction_mode") == "create_savepoint"
    with app.app_context():
        engine, engines = db.engine, db.engines
    assert engines[None] is engine
    connection = engine.connect()
    outer = connection.begin()
    engines[None] = connection
    try:
        with app.app_context():
            assert db.session.get_bind() is connection
            db.session.connection()
            assert connection.in_nested_transaction()  # the session's SAVEPOINT
            db.session.commit()
            assert outer.is_active and not connection.in_nested_transaction()

        _create_user(runner)  # the command commits: a savepoint released, no more
        assert outer.is_active and connection.in_transaction()
        with app.app_context():
            factories.new_user("borte@melhus.no", org="Melhus")  # flushed
            db.session.rollback()  # back to this session's savepoint only
            emails = set(db.session.scalars(sa.select(User.email)))
            assert EMAIL in emails and "borte@melhus.no" not in emails
        login(client, EMAIL, PASSWORD)  # a request (it writes the session) commits too
        assert outer.is_active
        assert _users_seen_from_outside(database_url) == 0
    finally:
        engines[None] = engine
        outer.rollback()
        connection.close()
    assert _users_seen_from_outside(database_url) == 0
