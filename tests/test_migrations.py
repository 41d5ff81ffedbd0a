"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

from alembic.script import ScriptDirectory
from flask_migrate import check, upgrade
from flask_migrate import Migrate  # noqa: F401  (documents where check/upgrade come from)

from app.extensions import db
from tests.conftest import make_app


def test_upgrade_from_empty_leaves_no_drift(database_url):
    app = make_app(database_url)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade()
        # `flask db check` raises (exits non-zero) when the models and the database differ.
        output = io.StringIO()
        with redirect_stdout(output):
            check()
        tables = set(db.inspect(db.engine).get_table_names())
        assert {"deviation", "deviation_event", "organisation", "user"} <= tables
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()


def test_single_head(app):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads
