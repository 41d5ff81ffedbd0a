"""Patient identity is erased a configured number of days after the case closed."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.auth.services import find_user
from app.common.dates import today_local
from app.data.seed import HOSPITAL, organisation_by_name
from app.deviations.retention import erase_expired_patient_ids
from app.deviations.services import DeviationInput, file_deviation
from app.extensions import db
from app.models import Category, Deviation, EventKind, Harm, Status, utcnow
from tests.helpers import make_identity_number


def _file_with_identity() -> Deviation:
    category = db.session.scalar(sa.select(Category).limit(1))
    return file_deviation(
        find_user("melder@trondheim.demo"),
        DeviationInput(
            counterpart_org_id=organisation_by_name(HOSPITAL).id,
            event_date=today_local(),
            category_id=category.id,
            harm=Harm.INGEN,
            title="Tittel",
            description="Beskrivelse",
            patient_id=make_identity_number("010190"),
        ),
    )


def _close(deviation: Deviation, days_ago: int) -> None:
    # Test set-up only: the state is written in SQL, as a closed case would be stored.
    db.session.execute(
        sa.update(Deviation)
        .where(Deviation.id == deviation.id)
        .values(status=Status.BESVART, closed_at=utcnow() - timedelta(days=days_ago))
        .execution_options(synchronize_session="fetch")
    )


def test_erases_only_after_the_retention_period(ctx):
    old, recent, still_open = _file_with_identity(), _file_with_identity(), _file_with_identity()
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
        _close(_file_with_identity(), days_ago=400)
        db.session.commit()
    result = runner.invoke(args=["purge-patient-data"])
    assert result.exit_code == 0, result.output
    assert "Slettet pasientidentitet i 1 avsluttede saker" in result.output
