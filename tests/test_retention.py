"""Patient identity is erased a configured number of days after the case closed, or when the
case has stayed open too long; access-log rows go after their retention period."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.auth.services import find_user
from app.deviations.retention import (
    erase_expired_patient_ids,
    erase_patient_ids_of_long_open_cases,
)
from app.extensions import db
from app.maintenance import run_maintenance
from app.models import (
    AccessAction,
    AccessLogEntry,
    Deviation,
    EventKind,
    Status,
    utcnow,
)
from app.privacy.access_log import record_access
from tests import factories
from tests.factories import identity_number


def _close(deviation: Deviation, days_ago: int) -> None:
    # Test set-up only: the state is written in SQL, as a closed case would be stored.
    db.session.execute(
        sa.update(Deviation)
        .where(Deviation.id == deviation.id)
        .values(status=Status.BESVART, closed_at=utcnow() - timedelta(days=days_ago))
        .execution_options(synchronize_session="fetch")
    )


def test_erases_only_after_the_retention_period(ctx):
    old, recent, still_open = (
        factories.deviation(patient=identity_number("010190")),
        factories.deviation(patient=identity_number("010190")),
        factories.deviation(patient=identity_number("010190")),
    )
    _close(old, days_ago=31)
    _close(recent, days_ago=29)
    db.session.commit()
    assert erase_expired_patient_ids(retention_days=30) == 1
    db.session.commit()
    db.session.expire_all()
    assert old.patient_id_token is None
    assert recent.patient_id_token is not None and still_open.patient_id_token is not None
    assert [e.kind for e in old.events][-1] is EventKind.PATIENT_ID_ERASED
    # A second run finds nothing more to do.
    assert erase_expired_patient_ids(retention_days=30) == 0


def test_cli_reports_count(app, runner):
    with app.app_context():
        _close(factories.deviation(patient=identity_number("010190")), days_ago=400)
        db.session.commit()
    result = runner.invoke(args=["purge-patient-data"])
    assert result.exit_code == 0, result.output
    assert "Slettet pasientidentitet i 1 avsluttede saker" in result.output


def _registered(deviation: Deviation, days_ago: int) -> None:
    db.session.execute(
        sa.update(Deviation)
        .where(Deviation.id == deviation.id)
        .values(registered_at=utcnow() - timedelta(days=days_ago))
        .execution_options(synchronize_session="fetch")
    )


def test_a_case_open_too_long_loses_its_identity_with_a_history_row(ctx):
    old_open, young_open, old_closed = (
        factories.deviation(patient=identity_number("010190")) for _ in range(3)
    )
    _registered(old_open, 366)
    _registered(young_open, 364)
    _registered(old_closed, 400)
    _close(old_closed, days_ago=5)  # closed: the closing rule decides, not this one
    db.session.commit()
    assert old_open.patient_id_hash is not None
    assert erase_patient_ids_of_long_open_cases(max_open_days=365) == 1
    db.session.commit()
    db.session.expire_all()
    assert old_open.patient_id_token is None and old_open.patient_id_hash is None
    assert old_open.events[-1].kind is EventKind.PATIENT_ID_EXPIRED_OPEN
    assert old_open.events[-1].actor_id is None
    assert young_open.patient_id_token and old_closed.patient_id_token
    assert erase_patient_ids_of_long_open_cases(max_open_days=365) == 0


def test_the_daily_run_does_all_of_it_and_says_how_much(app, runner):
    app.config.update(PATIENT_DATA_MAX_OPEN_DAYS=365, ACCESS_LOG_DAYS=1826)
    with app.app_context():
        reader = find_user("mottak@stolav.demo")
        deviation = factories.deviation(patient=identity_number("010190"))
        _registered(deviation, 400)
        now = utcnow()
        record_access(reader, AccessAction.DEVIATION_VIEWED, deviation=deviation,
                      now=now - timedelta(days=1827))  # fmt: skip
        record_access(reader, AccessAction.DEVIATION_VIEWED, deviation=deviation,
                      now=now - timedelta(days=1825))  # fmt: skip
        db.session.commit()
    result = runner.invoke(args=["maintenance"])
    assert result.exit_code == 0, result.output
    assert "Pasientidentitet slettet i saker åpne for lenge: 1" in result.output
    assert "Rader i tilgangsloggen slettet: 1" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessLogEntry)) == 1
        assert dict(run_maintenance())["Rader i tilgangsloggen slettet"] == 0
