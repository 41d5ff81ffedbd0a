"""The daily check of the access log: many cases in a day, or one patient's cases read from the
reporting side, listed to the reader's organisation's data protection officer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app.auth.services import find_user
from app.data.seed import HOSPITAL
from app.extensions import db
from app.maintenance import run_maintenance
from app.models import AccessAction, AccessAlert, AlertKind, Deviation, Role
from app.privacy.access_log import record_access
from app.privacy.unusual_access import check_day
from tests import factories
from tests.test_access_log import OFFICER, OTHER_PATIENT, PATIENT, TITLE


def _file(reporter: str = "melder@trondheim.demo", counterpart: str = HOSPITAL,
          patient: str | None = PATIENT) -> Deviation:  # fmt: skip
    return factories.deviation(
        reporter=reporter, counterpart=counterpart, patient=patient, title=TITLE
    )


def _officer(org: str = HOSPITAL, email: str = OFFICER) -> None:
    factories.new_user(email, name="Petra Personvern", org=org, roles=[Role.PERSONVERN])


DAY = date(2026, 12, 1)
NOON = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)  # 12:00 in Oslo


def _read(email: str, deviation, at: datetime = NOON) -> None:
    record_access(find_user(email), AccessAction.DEVIATION_VIEWED, deviation=deviation, now=at)


def test_many_cases_in_a_day_is_listed_once(ctx):
    cases = [_file(patient=None) for _ in range(4)]
    for case in cases:
        _read("mottak@stolav.demo", case)
        _read("mottak@stolav.demo", case)  # the same case twice counts once
    for case in cases[:3]:
        _read("mottak@trondheim.demo", case)
    _read("mottak@malvik.demo", cases[0], at=NOON + timedelta(days=1))  # another day
    assert check_day(DAY, cases_per_day=3) == 1
    alert = db.session.scalar(sa.select(AccessAlert))
    assert alert.user.email == "mottak@stolav.demo" and alert.count == 4
    assert alert.kind is AlertKind.MANY_CASES
    assert check_day(DAY, cases_per_day=3) == 0  # a rerun adds nothing


def test_one_patients_cases_read_from_the_reporting_side(ctx):
    # Trondheim reported both to the hospital: Trondheim's handler has no handling to do.
    first, second = _file(), _file()
    third = _file(patient=OTHER_PATIENT)
    for case in (first, second, third):
        _read("mottak@trondheim.demo", case)  # reporting side, two of one patient
        _read("mottak@stolav.demo", case)  # the receiving handler: their work
    assert check_day(DAY, cases_per_day=50) == 1
    alert = db.session.scalar(sa.select(AccessAlert))
    assert alert.user.email == "mottak@trondheim.demo"
    assert (alert.kind, alert.count) == (AlertKind.ONE_PATIENT_OTHER_SIDE, 2)


def test_the_daily_run_checks_yesterday_and_the_officer_sees_the_list(app, login_as):
    app.config.update(UNUSUAL_ACCESS_CASES_PER_DAY=1)
    with app.app_context():
        _officer()
        now = datetime.now(UTC)
        first, second = _file(patient=None), _file(patient=None)
        for case in (first, second):
            _read("mottak@stolav.demo", case, at=now - timedelta(days=1))
        db.session.commit()
        assert dict(run_maintenance(now))["Uvanlige oppslag funnet"] >= 1
        db.session.commit()
    page = login_as(OFFICER).get("/personvern/uvanlig").get_data(as_text=True)
    assert "Siri Mottak" in page and "Leste uvanlig mange avvik" in page
    # Another organisation's officer does not see the hospital's staff.
    with app.app_context():
        _officer(org="Malvik", email="personvern@malvik.demo")
        db.session.commit()
    other = login_as("personvern@malvik.demo").get("/personvern/uvanlig").get_data(as_text=True)
    assert "Siri Mottak" not in other and "Ingen uvanlige oppslag" in other
    assert login_as("mottak@stolav.demo").get("/personvern/uvanlig").status_code == 404


def test_finds_go_with_the_access_log(ctx):
    from flask import current_app

    cases = [_file(patient=None) for _ in range(2)]
    for case in cases:
        _read("mottak@stolav.demo", case)
    check_day(DAY, cases_per_day=1)
    days = current_app.config["ACCESS_LOG_DAYS"]
    assert (
        dict(run_maintenance(NOON + timedelta(days=days - 1)))[
            "Funn av uvanlige oppslag eldre enn ACCESS_LOG_DAYS slettet"
        ]
        == 0
    )
    assert (
        dict(run_maintenance(NOON + timedelta(days=days + 1)))[
            "Funn av uvanlige oppslag eldre enn ACCESS_LOG_DAYS slettet"
        ]
        == 1
    )
