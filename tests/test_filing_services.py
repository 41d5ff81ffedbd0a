"""Filing without HTTP: routing, reference numbers, deadline, direction, protected identity."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.auth.services import find_user
from app.common.database import begin_write
from app.common.dates import today_local
from app.common.errors import ServiceError
from app.data.seed import HOSPITAL, organisation_by_name
from app.deviations import services
from app.deviations.services import DeviationInput, file_deviation
from app.extensions import db
from app.models import Category, Deviation, DeviationEvent, Direction, EventKind, Harm, Status
from app.models.guards import AppendOnlyError
from tests.factories import identity_number


def _input(counterpart: str = HOSPITAL, **overrides) -> DeviationInput:
    category = db.session.scalar(sa.select(Category).where(Category.name == "Utskrivning"))
    values = {
        "counterpart_org_id": organisation_by_name(counterpart).id,
        "event_date": today_local(),
        "category_id": category.id,
        "harm": Harm.LAV,
        "title": "Epikrise manglet",
        "description": "Pasienten kom hjem uten epikrise.",
    }
    values.update(overrides)
    return DeviationInput(**values)


def test_routes_to_counterpart_mottak_with_status_deadline_and_history(ctx):
    reporter = find_user("melder@trondheim.demo")
    deviation = file_deviation(reporter, _input())
    db.session.commit()
    hospital = organisation_by_name(HOSPITAL)
    assert deviation.counterpart_org_id == hospital.id
    assert deviation.counterpart_org_name == HOSPITAL
    assert deviation.reporter_org_name == "Trondheim"
    assert deviation.reporter_unit.name == "Hjemmetjenesten"
    assert deviation.status is Status.SENDT
    assert deviation.direction is Direction.KOMMUNE_SYKEHUS
    assert deviation.response_deadline == today_local() + timedelta(days=14)
    [event] = deviation.events
    assert (event.kind, event.to_status, event.actor_id) == (
        EventKind.CREATED,
        Status.SENDT,
        reporter.id,
    )


def test_deadline_follows_receiving_organisation_setting(ctx):
    malvik = organisation_by_name("Malvik")
    malvik.response_days = 7
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    deviation = file_deviation(
        find_user("melder@stolav.demo"), _input("Malvik", event_date=date(2026, 3, 9)), now=now
    )
    assert deviation.response_deadline == date(2026, 3, 17)
    assert deviation.direction is Direction.SYKEHUS_KOMMUNE


def test_kommune_to_kommune_direction(ctx):
    deviation = file_deviation(find_user("melder@trondheim.demo"), _input("Malvik"))
    assert deviation.direction is Direction.KOMMUNE_KOMMUNE


def test_reference_numbers_are_sequential_per_year(ctx):
    reporter = find_user("melder@trondheim.demo")
    first = file_deviation(
        reporter, _input(event_date=date(2025, 12, 30)), now=datetime(2025, 12, 31, 10, tzinfo=UTC)
    )
    second = file_deviation(
        reporter, _input(event_date=date(2025, 12, 30)), now=datetime(2025, 12, 31, 11, tzinfo=UTC)
    )
    # 23:30 UTC on 31 December is already New Year in Oslo: the Norwegian year counts.
    third = file_deviation(
        reporter,
        _input(event_date=date(2025, 12, 31)),
        now=datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
    )
    assert [first.reference, second.reference, third.reference] == [
        "AV-2025-00001",
        "AV-2025-00002",
        "AV-2026-00001",
    ]


@pytest.mark.commits
def test_concurrent_filings_never_share_a_number(app):
    """Eight threads, each its own connection and transaction, file at once."""
    references: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        try:
            with app.app_context():
                data = _input()
                db.session.rollback()  # _input() read the lists: start each filing afresh
                barrier.wait()
                for _ in range(5):
                    # As a filing request does: a write transaction, then the user's load.
                    begin_write()
                    reporter = find_user("melder@trondheim.demo")
                    reference = file_deviation(reporter, data).reference
                    db.session.commit()
                    references.append(reference)
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(references) == 40
    assert len(set(references)) == 40
    year = today_local().year
    assert sorted(references) == [f"AV-{year}-{n:05d}" for n in range(1, 41)]


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"counterpart": "Trondheim"}, "counterpart_org", "self"),
        # A callable: evaluated when the test runs, not when it is collected (a run that crosses
        # midnight in Oslo made "tomorrow" today).
        ({"event_date": lambda: today_local() + timedelta(days=1)}, "event_date", "future"),
        ({"patient_id": "12345678901"}, "patient_id", "invalid"),
        ({"description": f"Gjelder {identity_number('010190')}"}, "description", "identity"),
        ({"suggestion": f"fnr {identity_number('020202')}"}, "suggestion", "identity"),
        ({"title": identity_number("150385", d_number=True)}, "title", "identity"),
        ({"category_id": 999999}, "category", "unknown"),
    ],
)
def test_rules_refuse_bad_input(ctx, overrides, field, reason):
    # parametrize shares the dict between backends
    overrides = {k: v() if callable(v) else v for k, v in overrides.items()}
    counterpart = overrides.pop("counterpart", HOSPITAL)
    with pytest.raises(ServiceError) as caught:
        file_deviation(find_user("melder@trondheim.demo"), _input(counterpart, **overrides))
    assert (caught.value.field, caught.value.code) == (field, reason)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deviation)) == 0


def test_patient_identity_encrypted_at_rest_and_reveal_is_logged(ctx):
    fnr = identity_number("010190")
    reporter = find_user("melder@trondheim.demo")
    deviation = file_deviation(reporter, _input(patient_id=f"{fnr[:6]} {fnr[6:]}"))
    db.session.commit()
    stored = db.session.execute(
        sa.text("SELECT patient_id_token FROM deviation WHERE id = :id"), {"id": deviation.id}
    ).scalar_one()
    assert fnr not in stored
    handler = find_user("mottak@stolav.demo")
    assert services.reveal_patient_id(handler, deviation) == fnr
    db.session.commit()
    shown = [e for e in deviation.events if e.kind is EventKind.PATIENT_ID_SHOWN]
    assert [e.actor_id for e in shown] == [handler.id]


def test_history_is_append_only(ctx):
    deviation = file_deviation(find_user("melder@trondheim.demo"), _input())
    db.session.commit()
    event = db.session.scalar(sa.select(DeviationEvent))
    event.text = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(sa.select(DeviationEvent)))
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert deviation.events[0].text == HOSPITAL
