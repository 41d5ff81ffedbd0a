"""What the fixtures promise: a test's commits stay in its own transaction, which every way into
the app (an app context, a request, a CLI command) shares, and a test marked `commits` has a
database of its own that other connections see."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import User
from tests.conftest import login

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
