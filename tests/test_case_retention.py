"""Whole cases are anonymised CASE_RETENTION_YEARS after closing, departed users after
USER_RETENTION_YEARS; the tertial figures do not move, and the history triggers let exactly the
retention's change through and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.auth.services import find_user
from app.common.dates import today_local
from app.data.seed import HOSPITAL, organisation_by_name
from app.deviations.retention import (
    ANONYMISED_TITLE,
    anonymise_departed_users,
    anonymise_old_cases,
    years_before,
)
from app.deviations.services import DeviationInput, file_deviation
from app.extensions import db
from app.handling.thread import post_message
from app.maintenance import run_maintenance
from app.models import (
    Category,
    Deviation,
    DeviationEvent,
    DeviationMessage,
    EventKind,
    Harm,
    Status,
    Unit,
    User,
    utcnow,
)
from app.models.guards import history_permit
from app.models.history_permit import HistoryPermit, PermitPurpose
from app.statistics import services
from reports import Tertial
from tests import statistics_data as data
from tests.factories import identity_number as make_identity_number

NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def _unit(name: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.name == name))


def _closed_case(closed_at: datetime) -> Deviation:
    category = db.session.scalar(sa.select(Category).limit(1))
    deviation = file_deviation(
        find_user("melder@trondheim.demo"),
        DeviationInput(
            counterpart_org_id=organisation_by_name(HOSPITAL).id,
            counterpart_unit_id=_unit("Geriatrisk avdeling").id,
            event_date=today_local(),
            category_id=category.id,
            harm=Harm.MODERAT,
            title="Kari Nordmann kom hjem uten epikrise",
            description="Kari Nordmann, født 1950, kom hjem uten papirer.",
            immediate_action="Ringte avdelingen",
            suggestion="Sjekkliste",
            patient_id=make_identity_number("010150"),
        ),
    )
    handler = find_user("mottak@stolav.demo")
    post_message(deviation, handler, "Hvilken dag kom Kari hjem?")
    db.session.add(
        DeviationEvent(deviation=deviation, actor_id=handler.id, kind=EventKind.TRANSITION,
                       from_status=Status.SENDT, to_status=Status.BESVART, text="Svar til Kari")
    )  # fmt: skip
    db.session.flush()
    # Test set-up only: the closed state written in SQL, as a closed case would be stored.
    db.session.execute(
        sa.update(Deviation)
        .where(Deviation.id == deviation.id)
        .values(status=Status.BESVART, closed_at=closed_at, handler_id=handler.id,
                response="Vi beklager overfor Kari.", forwarded_unit_id=_unit("Slagenheten").id)
        .execution_options(synchronize_session="fetch")
    )  # fmt: skip
    return deviation


def test_a_case_closed_long_enough_keeps_only_what_the_statistics_count(ctx):
    old = _closed_case(NOW - timedelta(days=10 * 366))
    young = _closed_case(NOW - timedelta(days=9 * 365))
    db.session.commit()
    db.session.expire_all()
    kept = {c: getattr(old, c) for c in ("registered_at", "closed_at", "status", "direction",
                                        "category_id", "harm", "reporter_org_id",
                                        "counterpart_org_id", "response_deadline")}  # fmt: skip

    assert anonymise_old_cases(10, NOW) == 1
    db.session.commit()
    db.session.expire_all()

    assert old.title == ANONYMISED_TITLE
    assert (old.description, old.immediate_action, old.suggestion) == ("", "", "")
    assert old.response is None
    assert old.reporter_id is None and old.handler_id is None
    assert old.forwarded_unit_id is None
    assert old.counterpart_unit_id == _unit("Medisinsk klinikk").id  # the clinic stays
    assert old.patient_id_hash is None and old.patient_id_token is None
    assert old.anonymised_at is not None
    assert {c: getattr(old, c) for c in kept} == kept
    assert old.messages == []
    assert all(e.text == "" and e.actor_id is None for e in old.events[:-1])
    assert old.events[-1].kind is EventKind.CASE_ANONYMISED
    # The status history the statistics read is all still there.
    assert [e.to_status for e in old.events][:3] == [Status.SENDT, Status.BESVART, None]
    # The younger case is untouched; no permit is left behind; a rerun has nothing to do.
    assert "Kari" in young.title and len(young.messages) == 1 and young.reporter_id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HistoryPermit)) == 0
    assert anonymise_old_cases(10, NOW) == 0


def test_the_search_no_longer_finds_an_anonymised_case(ctx):
    from app.search.services import SearchFilter, search

    def search_deviations(user, text):
        return search(user, SearchFilter(text=text))

    _closed_case(NOW - timedelta(days=11 * 365))
    db.session.commit()
    handler = find_user("mottak@stolav.demo")
    assert search_deviations(handler, "epikrise").items
    anonymise_old_cases(10, NOW)
    db.session.commit()
    assert not search_deviations(handler, "epikrise").items
    assert not search_deviations(handler, "Kari").items


def test_tertial_figures_are_the_same_before_and_after_retention(ctx):
    data.insert_cases()
    malvik = organisation_by_name("Malvik")
    scopes = [services.ALL, services.Scope(malvik.id, "Malvik")]
    tertials = [Tertial(2023, 1), Tertial(2023, 2), Tertial(2023, 3)]
    before = [services.tertial_summary(t, s) for t in tertials for s in scopes]
    # Every closed case of the data set is older than a year at NOW.
    closed = db.session.scalar(sa.select(sa.func.count()).where(Deviation.closed_at.is_not(None)))
    assert anonymise_old_cases(1, NOW) == closed > 0
    db.session.commit()
    db.session.expire_all()
    after = [services.tertial_summary(t, s) for t in tertials for s in scopes]
    assert after == before
    assert before[2].total == 8  # the hand-worked T2 2023 (tests/test_statistics_summary.py)


def _refused(statement: str, **params: object) -> None:
    nested = db.session.begin_nested()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.execute(sa.text(statement), params)
    nested.rollback()


def _permit(deviation_id: int) -> None:
    db.session.execute(
        sa.insert(HistoryPermit).values(deviation_id=deviation_id, purpose=PermitPurpose.RETENTION)
    )


def test_the_triggers_let_through_exactly_the_retention_change(ctx):
    deviation = _closed_case(NOW - timedelta(days=30))
    db.session.flush()
    case = {"d": deviation.id}
    empty_text = "UPDATE deviation_event SET text = '', actor_id = NULL WHERE deviation_id = :d"
    delete_messages = "DELETE FROM deviation_message WHERE deviation_id = :d"
    # No permit: refused, as before.
    _refused(empty_text, **case)
    _refused(delete_messages, **case)
    # A permit, but the case is not anonymised: refused.
    _permit(deviation.id)
    _refused(empty_text, **case)
    _refused(delete_messages, **case)
    db.session.execute(
        sa.text("UPDATE deviation SET anonymised_at = :now WHERE id = :d"), {"now": NOW, **case}
    )
    # Permit and anonymised case: anything but the exact change is still refused.
    for statement in (
        "UPDATE deviation_event SET text = 'endret' WHERE deviation_id = :d",
        (
            "UPDATE deviation_event SET text = '', actor_id = NULL, kind = 'importert'"
            " WHERE deviation_id = :d"
        ),
        "UPDATE deviation_event SET text = '', actor_id = NULL, at = :now WHERE deviation_id = :d",
        "UPDATE deviation_event SET text = '', to_status = 'avvist' WHERE deviation_id = :d",
        (
            "UPDATE deviation_event SET text = '', actor_id = NULL, deviation_id = deviation_id + 0,"
            " from_status = 'mottatt' WHERE deviation_id = :d"
        ),
        "DELETE FROM deviation_event WHERE deviation_id = :d",
        "UPDATE deviation_message SET body = '' WHERE deviation_id = :d",
    ):
        _refused(statement, now=NOW, **case)
    # Another case without a permit stays closed off.
    other = _closed_case(NOW - timedelta(days=30))
    db.session.execute(
        sa.text("UPDATE deviation SET anonymised_at = :now WHERE id = :d"),
        {"now": NOW, "d": other.id},
    )
    _refused("DELETE FROM deviation_message WHERE deviation_id = :d", d=other.id)
    # The exact change goes through.
    assert db.session.execute(sa.text(empty_text), case).rowcount == 2
    assert db.session.execute(sa.text(delete_messages), case).rowcount == 1


def test_the_permit_helper_leaves_nothing_behind(ctx):
    deviation = _closed_case(NOW - timedelta(days=30))
    with history_permit(db.session, [deviation.id, deviation.id], PermitPurpose.RETENTION):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HistoryPermit)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HistoryPermit)) == 0


def test_a_departed_user_is_anonymised_after_the_retention_period(ctx):
    gone, recent = find_user("melder@trondheim.demo"), find_user("mottak@malvik.demo")
    gone.active = False
    recent.active = False
    db.session.flush()
    assert gone.deactivated_at is not None
    gone.deactivated_at = years_before(utcnow(), 2) - timedelta(days=1)
    db.session.commit()

    assert anonymise_departed_users(2) == 1
    db.session.commit()
    db.session.expire_all()
    assert gone.name != "Kari" and "trondheim" not in gone.email and gone.email.endswith(".invalid")
    assert gone.password_hash is None and gone.totp_secret is None and gone.roles == {"melder"}
    assert gone.anonymised_at is not None
    assert find_user("mottak@malvik.demo") is recent and recent.anonymised_at is None
    assert anonymise_departed_users(2) == 0
    # Reactivating clears the mark the period counts from.
    recent.active = True
    assert recent.deactivated_at is None


def test_the_daily_run_counts_both(app, runner):
    app.config.update(CASE_RETENTION_YEARS=10, USER_RETENTION_YEARS=2)
    with app.app_context():
        _closed_case(utcnow() - timedelta(days=11 * 365))
        user = find_user("melder@malvik.demo") or db.session.scalar(
            sa.select(User).where(User.email != "melder@trondheim.demo").limit(1)
        )
        user.active = False
        db.session.flush()
        user.deactivated_at = utcnow() - timedelta(days=3 * 366)
        db.session.commit()
    result = runner.invoke(args=["maintenance"])
    assert result.exit_code == 0, result.output
    assert "Saker anonymisert etter CASE_RETENTION_YEARS: 1" in result.output
    assert "Deaktiverte brukere anonymisert etter USER_RETENTION_YEARS: 1" in result.output
    with app.app_context():
        done = dict(run_maintenance())
        assert done["Saker anonymisert etter CASE_RETENTION_YEARS"] == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DeviationMessage)) == 0


def test_the_case_page_says_the_case_was_anonymised_and_shows_no_text(app, login_as):
    with app.app_context():
        reference = _closed_case(utcnow() - timedelta(days=11 * 365)).reference
        anonymise_old_cases(10)
        db.session.commit()
    page = login_as("mottak@stolav.demo").get(f"/avvik/{reference}").get_data(as_text=True)
    assert "Avviket ble anonymisert" in page
    # The reader's own name is on the page (the menu, this reading); the handler row is not.
    assert "Kari" not in page and "Geriatrisk" not in page and "Saksbehandler</dt>" not in page
    assert "Medisinsk klinikk" in page


def test_a_long_backlog_is_anonymised_in_rounds(ctx, monkeypatch):
    from app.deviations import retention

    monkeypatch.setattr(retention, "ANONYMISE_BATCH", 2)
    cases = [_closed_case(NOW - timedelta(days=11 * 365)) for _ in range(5)]
    db.session.commit()
    assert anonymise_old_cases(10, NOW) == 5
    db.session.expire_all()
    assert all(c.anonymised_at is not None and c.messages == [] for c in cases)
    assert anonymise_old_cases(10, NOW) == 0
