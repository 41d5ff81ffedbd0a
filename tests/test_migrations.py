"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from datetime import date

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import check, downgrade, upgrade

from app.auth.services import find_user
from app.data.demo import create_demo_accounts
from app.data.seed import HOSPITAL, organisation_by_name, seed_defaults
from app.deviations.services import DeviationInput, file_deviation
from app.extensions import db
from app.handling.thread import post_message
from app.models import Category, Deviation, Harm
from app.models.guards import APPEND_ONLY_TABLES
from tests.support import drop_everything, make_app


@pytest.mark.commits
def test_upgrade_from_empty_leaves_no_drift(database_url):
    app = make_app(database_url)
    with app.app_context():
        drop_everything()
        upgrade()
        # `flask db check` raises (exits non-zero) when the models and the database differ.
        output = io.StringIO()
        with redirect_stdout(output):
            check()
        tables = set(db.inspect(db.engine).get_table_names())
        assert {"deviation", "deviation_event", "organisation", "user"} <= tables
        drop_everything()
        db.engine.dispose()


def _migrate_and_file_one() -> Deviation:
    """An empty database brought to head by the migrations, with the seed, the demo accounts
    and one deviation (not committed)."""
    drop_everything()
    upgrade()
    seed_defaults()
    create_demo_accounts()
    category = db.session.scalar(sa.select(Category).limit(1))
    return file_deviation(
        find_user("melder@trondheim.demo"),
        DeviationInput(
            counterpart_org_id=organisation_by_name(HOSPITAL).id,
            event_date=date(2026, 1, 5),
            category_id=category.id,
            harm=Harm.LAV,
            title="Kom hjem uten epikrise",
            description="Beskrivelse",
        ),
    )


def test_single_head(app):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads


@pytest.mark.commits
def test_upgrade_keeps_existing_data(database_url):
    """A database in use when a release ships: every migration must carry its rows along.

    On SQLite, batch mode rebuilds tables by copy-and-drop, which foreign keys would refuse.
    """
    app = make_app(database_url)
    with app.app_context():
        reference = _migrate_and_file_one().reference
        db.session.commit()
        db.session.remove()
        # Back to the first schema that held deviations, then forward again with the rows in.
        downgrade(revision="b0ffbc6a24a0")
        upgrade()
        output = io.StringIO()
        with redirect_stdout(output):
            check()
        stored = db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference))
        assert stored is not None and stored.title == "Kom hjem uten epikrise"
        assert stored.events[0].kind.value == "opprettet"
        db.session.remove()
        drop_everything()
        db.engine.dispose()


@pytest.mark.commits
def test_history_rows_refuse_update_and_delete_in_the_database(database_url):
    """The triggers, not only the ORM: a raw UPDATE or DELETE from any client fails, on a
    database built by the migrations."""
    app = make_app(database_url)
    with app.app_context():
        deviation = _migrate_and_file_one()
        post_message(deviation, find_user("mottak@stolav.demo"), "Hvilken dag?")
        db.session.commit()
        db.session.remove()
        for statement in (
            "UPDATE deviation_event SET text = 'endret'",
            "DELETE FROM deviation_event",
            "UPDATE deviation_message SET body = 'endret'",
            "DELETE FROM deviation_message",
        ):
            with db.engine.connect() as conn:
                with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                    conn.exec_driver_sql(statement)
                conn.rollback()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM deviation_event").scalar() == 1
            assert conn.exec_driver_sql("SELECT count(*) FROM deviation_message").scalar() == 1
            if db.engine.dialect.name == "sqlite":
                found = conn.exec_driver_sql(
                    "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
                ).scalars()
            else:
                found = conn.exec_driver_sql(
                    "SELECT event_object_table FROM information_schema.triggers"
                    " WHERE trigger_schema = current_schema()"
                ).scalars()
            assert set(APPEND_ONLY_TABLES) <= set(found)
        drop_everything()
        db.engine.dispose()


@pytest.mark.commits
def test_new_roles_kinds_and_the_access_log_work_on_a_migrated_database(database_url):
    """The enum CHECK constraints the migration swapped accept the new values, and the access
    log refuses changes but allows the retention run's deletes."""
    from app.models import AccessAction, AccessLogEntry, DeviationEvent, EventKind, Role

    app = make_app(database_url)
    with app.app_context():
        drop_everything()
        upgrade()
        seed_defaults()
        create_demo_accounts()
        user = find_user("melder@trondheim.demo")
        user.set_roles({Role.PERSONVERN})
        category = db.session.scalar(sa.select(Category).limit(1))
        deviation = file_deviation(
            user,
            DeviationInput(
                counterpart_org_id=organisation_by_name(HOSPITAL).id,
                event_date=date(2026, 1, 5),
                category_id=category.id,
                harm=Harm.LAV,
                title="Kom hjem uten epikrise",
                description="Beskrivelse",
            ),
        )
        db.session.add(DeviationEvent(deviation=deviation, kind=EventKind.PATIENT_ID_EXPIRED_OPEN))
        db.session.add(
            AccessLogEntry(user_id=user.id, organisation_id=user.organisation_id,
                           action=AccessAction.DEVIATION_VIEWED, deviation_id=deviation.id)
        )  # fmt: skip
        db.session.commit()
        db.session.remove()
        with db.engine.connect() as conn:
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                conn.exec_driver_sql("UPDATE access_log_entry SET action = 'pasient_vist'")
            conn.rollback()
        with db.engine.begin() as conn:
            assert conn.exec_driver_sql("DELETE FROM access_log_entry").rowcount == 1
        with db.engine.connect() as conn:
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                conn.exec_driver_sql("DELETE FROM deviation_event")
            conn.rollback()
            kinds = conn.exec_driver_sql("SELECT kind FROM deviation_event").scalars().all()
            assert "pasient_utlopt" in kinds
            roles = conn.exec_driver_sql("SELECT role FROM user_role").scalars().all()
            assert "personvern" in roles
        drop_everything()
        db.engine.dispose()


@pytest.mark.commits
def test_english_names_fill_only_the_seeds_own_names(database_url):
    """9c4e1a7d2b58 gives the rows that carry a default's exact Norwegian name its English
    name; an installation's own names get none (Norwegian is shown until an admin adds one)."""
    app = make_app(database_url)
    with app.app_context():
        drop_everything()
        upgrade()
        seed_defaults()
        db.session.commit()
        db.session.remove()
        downgrade(revision="b7e2c41f9a06")
        db.session.execute(
            sa.text(
                "INSERT INTO category (name, position, active) VALUES ('Egen kategori', 99, :t)"
            ),
            {"t": True},
        )
        db.session.commit()
        upgrade()
        english = dict(db.session.execute(sa.text("SELECT name, name_en FROM category")).all())
        assert english["Utskrivning"] == "Discharge" and english["Annet"] == "Other"
        assert english["Egen kategori"] is None
        agreements = dict(db.session.execute(sa.text("SELECT name, name_en FROM agreement")).all())
        assert agreements["Tjenesteavtale 3: Innleggelse i sykehus"] == (
            "Service agreement 3: Admission to hospital"
        )
        units = set(db.session.execute(sa.text("SELECT name, name_en FROM unit")).all())
        assert ("Geriatrisk avdeling", "Department of Geriatrics") in units
        assert ("Hjemmetjenesten", "Home Care Services") in units
        db.session.remove()
        drop_everything()
        db.engine.dispose()
