"""The state machine without HTTP: every (state, move, role), history, deadlines, races."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from app.auth.services import find_user
from app.common.dates import local
from app.common.errors import ServiceError
from app.data.demo import create_demo_accounts
from app.data.seed import HOSPITAL, organisation_by_name, seed_defaults
from app.deviations.history import history_line
from app.extensions import db
from app.handling.workflow import (
    TRANSITIONS,
    Actor,
    Move,
    allowed_moves,
    transition,
)
from app.models import (
    Deviation,
    DeviationEvent,
    Direction,
    EventKind,
    HistoryLine,
    OutboxMail,
    Status,
    Unit,
)
from app.models.guards import AppendOnlyError
from tests import factories
from tests.factories import identity_number
from tests.support import make_app

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

# The workflow as the issue and the design describe it, written out independently of the
# module's table: state -> move -> (new state for the receiving handler, for the reporter).
# None: refused. A reporter's reopening needs a reason and a case closed ≤ 30 days ago. An
# internal forward (to a unit or a colleague) keeps the status the reporter sees (issue 20).
EXPECTED: dict[Status, dict[Move, tuple[Status | None, Status | None]]] = {
    Status.SENDT: {
        Move.ACKNOWLEDGE: (Status.MOTTATT, None),
        Move.START: (Status.UNDER_BEHANDLING, None),
        Move.FORWARD: (Status.SENDT, None),
        Move.REROUTE: (Status.VIDERESENDT, None),
        Move.ANALYSE: (Status.TIL_ANALYSE, None),
        Move.ANSWER: (Status.BESVART, None),
        Move.REJECT: (Status.AVVIST, None),
    },
    Status.MOTTATT: {
        Move.START: (Status.UNDER_BEHANDLING, None),
        Move.FORWARD: (Status.MOTTATT, None),
        Move.REROUTE: (Status.VIDERESENDT, None),
        Move.ANALYSE: (Status.TIL_ANALYSE, None),
        Move.ANSWER: (Status.BESVART, None),
        Move.REJECT: (Status.AVVIST, None),
    },
    Status.UNDER_BEHANDLING: {
        Move.START: (Status.UNDER_BEHANDLING, None),  # "Ta saken" after a forward
        Move.FORWARD: (Status.UNDER_BEHANDLING, None),
        Move.REROUTE: (Status.VIDERESENDT, None),
        Move.ANALYSE: (Status.TIL_ANALYSE, None),
        Move.ANSWER: (Status.BESVART, None),
        Move.REJECT: (Status.AVVIST, None),
    },
    Status.VIDERESENDT: {
        Move.ACKNOWLEDGE: (Status.MOTTATT, None),
        Move.START: (Status.UNDER_BEHANDLING, None),
        Move.FORWARD: (Status.VIDERESENDT, None),
        Move.REROUTE: (Status.VIDERESENDT, None),
        Move.ANALYSE: (Status.TIL_ANALYSE, None),
        Move.ANSWER: (Status.BESVART, None),
        Move.REJECT: (Status.AVVIST, None),
    },
    Status.TIL_ANALYSE: {
        Move.START: (Status.UNDER_BEHANDLING, None),
        Move.ANSWER: (Status.BESVART, None),
        Move.REJECT: (Status.AVVIST, None),
    },
    Status.BESVART: {Move.REOPEN: (Status.UNDER_BEHANDLING, Status.UNDER_BEHANDLING)},
    Status.AVVIST: {Move.REOPEN: (Status.UNDER_BEHANDLING, Status.UNDER_BEHANDLING)},
}

USERS = {
    Actor.HANDLER: "mottak@stolav.demo",  # receives the case
    Actor.REPORTER: "melder@trondheim.demo",  # filed it
    Actor.OTHER: "mottak@trondheim.demo",  # a handler of the reporting side: may read, not move
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_app(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Flask]:
    """One seeded database per backend for the whole table; each case rolls back."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('wf') / 'avvik.db'}"
    else:
        url = request.getfixturevalue("pg_schema_url")
    app = make_app(url, MAIL_OUTBOX_DIR=str(tmp_path_factory.mktemp("outbox")))
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_defaults()
        create_demo_accounts()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def mctx(module_app: Flask) -> Iterator[Flask]:
    with module_app.app_context():
        yield module_app
        db.session.rollback()


def file(counterpart: str = HOSPITAL, reporter: str = "melder@trondheim.demo", now=NOW, **extra):
    """Filed at the fixed NOW the deadlines here are counted from."""
    return factories.deviation(counterpart=counterpart, reporter=reporter, now=now, **extra)


def put_in_state(deviation: Deviation, status: Status, closed_at: datetime | None = None) -> None:
    """Test set-up only: place a case in a state without going through the moves."""
    db.session.execute(
        sa.update(Deviation)
        .where(Deviation.id == deviation.id)
        .values(status=status, closed_at=closed_at, version=Deviation.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(deviation)


def inputs_for(move: Move) -> dict:
    if move is Move.FORWARD:
        hospital = organisation_by_name(HOSPITAL)
        unit = db.session.scalar(
            sa.select(Unit).where(
                Unit.organisation_id == hospital.id, Unit.name == "Geriatrisk avdeling"
            )
        )
        return {"target_unit": unit.id}
    if move is Move.REROUTE:
        return {"target_org": organisation_by_name("Malvik").id}
    return {"text": "Begrunnelse og svar til melder."}


CASES = list(itertools.product(Status, Move, Actor))


@pytest.mark.parametrize(
    ("state", "move", "role"), CASES, ids=[f"{s}-{m}-{r}" for s, m, r in CASES]
)
def test_transition_table(mctx, state: Status, move: Move, role: Actor):
    deviation = file()
    closed = NOW + timedelta(days=1) if state in (Status.BESVART, Status.AVVIST) else None
    put_in_state(deviation, state, closed)
    events_before = len(deviation.events)
    user = find_user(USERS[role])
    expected = EXPECTED[state].get(move, (None, None))
    wanted = {Actor.HANDLER: expected[0], Actor.REPORTER: expected[1], Actor.OTHER: None}[role]

    # The module's table says the same as the issue …
    rule = TRANSITIONS.get((state, move, role))
    assert (rule.to if rule else None) == wanted
    # … the page offers exactly the allowed moves …
    assert (move in allowed_moves(deviation, user, now=NOW + timedelta(days=2))) == (
        wanted is not None
    )
    # … and transition() does it, or refuses and changes nothing.
    if wanted is None:
        with pytest.raises(ServiceError) as refused:
            transition(deviation, move, user, now=NOW + timedelta(days=2), **inputs_for(move))
        assert refused.value.code in {"forbidden", "wrong_state"}
        assert refused.value.message  # Norwegian text for the page
        db.session.expire_all()
        assert deviation.status is state
        assert len(deviation.events) == events_before
    else:
        event = transition(deviation, move, user, now=NOW + timedelta(days=2), **inputs_for(move))
        db.session.expire_all()
        assert deviation.status is wanted
        assert len(deviation.events) == events_before + 1
        assert (event.kind, event.from_status, event.to_status, event.actor_id) == (
            EventKind.TRANSITION,
            state,
            wanted,
            user.id,
        )


@pytest.mark.parametrize(
    ("move", "inputs", "code"),
    [
        (Move.ANSWER, {}, "needs_text"),
        (Move.ANSWER, {"text": "   "}, "needs_text"),
        (Move.REJECT, {}, "needs_text"),
        (Move.ANSWER, {"text": "x" * 2001}, "too_long"),
        (Move.FORWARD, {}, "needs_unit"),
        (Move.REROUTE, {}, "needs_org"),
        (Move.REROUTE, {"target_org": "own"}, "same_org"),
        (Move.REROUTE, {"target_org": "reporter"}, "reporter_org"),
        (Move.FORWARD, {"target_unit": "foreign"}, "bad_unit"),
    ],
)
def test_requirements_refuse_and_change_nothing(mctx, move, inputs, code):
    deviation = file()
    handler = find_user("mottak@stolav.demo")
    resolved = dict(inputs)
    if inputs.get("target_org") == "own":
        resolved["target_org"] = organisation_by_name(HOSPITAL).id
    if inputs.get("target_org") == "reporter":
        resolved["target_org"] = organisation_by_name("Trondheim").id
    if inputs.get("target_unit") == "foreign":
        trondheim = organisation_by_name("Trondheim")
        resolved["target_unit"] = db.session.scalar(
            sa.select(Unit.id).where(Unit.organisation_id == trondheim.id).limit(1)
        )
    with pytest.raises(ServiceError) as refused:
        transition(deviation, move, handler, **resolved)
    assert refused.value.code == code
    db.session.expire_all()
    assert deviation.status is Status.SENDT and len(deviation.events) == 1


def test_identity_number_in_a_response_is_refused(mctx):
    deviation = file()
    fnr = identity_number("010190")
    with pytest.raises(ServiceError) as refused:
        transition(deviation, Move.ANSWER, find_user("mottak@stolav.demo"), text=f"Gjelder {fnr}.")
    assert refused.value.code == "identity" and refused.value.field == "text"


def test_answer_sets_response_closed_at_handler_and_tells_the_reporter(mctx):
    deviation = file()
    handler = find_user("mottak@stolav.demo")
    when = NOW + timedelta(days=3)
    transition(deviation, Move.ANSWER, handler, text="Rutinen er endret.", now=when)
    assert deviation.status is Status.BESVART
    assert deviation.response == "Rutinen er endret."
    assert deviation.closed_at == when
    assert deviation.handler_id == handler.id
    mails = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()
    assert mails[-1].to_address == "melder@trondheim.demo"
    assert "svar mottatt" in mails[-1].subject


def test_start_assigns_the_handler_and_forward_keeps_the_deadline(mctx):
    deviation = file()
    deadline = deviation.response_deadline
    handler = find_user("mottak@stolav.demo")
    transition(deviation, Move.START, handler, now=NOW)
    assert deviation.handler_id == handler.id
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "Slagenheten"))
    event = transition(
        deviation, Move.FORWARD, handler, target_unit=unit.id, now=NOW + timedelta(days=5)
    )
    assert deviation.status is Status.UNDER_BEHANDLING  # an internal forward keeps the status
    assert deviation.forwarded_unit_id == unit.id
    assert deviation.counterpart_unit_id is None  # what the reporter addressed is not rewritten
    assert deviation.response_deadline == deadline
    assert deviation.handler_id is None  # the unit takes it
    # The history row names the unit by id; the line is drawn in the reader's language.
    assert event.line is HistoryLine.FORWARDED and event.unit_id == unit.id and event.text == ""
    assert "Slagenheten" in history_line(event)


def test_reroute_moves_the_case_with_a_new_deadline_and_keeps_the_old_name_in_history(mctx):
    deviation = file()
    malvik = organisation_by_name("Malvik")
    malvik.response_days = 7
    handler = find_user("mottak@stolav.demo")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail))
    later = NOW + timedelta(days=4)
    event = transition(
        deviation, Move.REROUTE, handler, target_org=malvik.id, text="Gjelder Malvik.", now=later
    )
    assert deviation.counterpart_org_id == malvik.id
    assert deviation.counterpart_org_name == "Malvik"
    assert deviation.direction is Direction.KOMMUNE_KOMMUNE
    assert deviation.response_deadline == local(later).date() + timedelta(days=7)
    assert deviation.status is Status.VIDERESENDT
    assert event.line is HistoryLine.REROUTED and event.org_id == malvik.id
    assert event.text == "Gjelder Malvik."  # only what the handler typed
    assert history_line(event) == "Sendt fra St. Olavs hospital HF til Malvik: Gjelder Malvik."
    # The new mottak is told; the old one can no longer handle it.
    mails = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id).offset(before)).all()
    assert [m.to_address for m in mails] == ["mottak@malvik.demo"]
    from app.common.permissions import can

    assert not can(handler, "view", deviation)
    assert can(find_user("mottak@malvik.demo"), "view", deviation)
    assert can(find_user("mottak@trondheim.demo"), "view", deviation)  # reported it


def test_reporter_reopens_within_30_days_with_a_reason_only(mctx):
    deviation = file()
    handler = find_user("mottak@stolav.demo")
    reporter = find_user("melder@trondheim.demo")
    transition(deviation, Move.REJECT, handler, text="Ikke et samhandlingsavvik.", now=NOW)
    with pytest.raises(ServiceError) as no_reason:
        transition(deviation, Move.REOPEN, reporter, now=NOW + timedelta(days=1))
    assert no_reason.value.code == "needs_text"
    with pytest.raises(ServiceError) as too_late:
        transition(
            deviation, Move.REOPEN, reporter, text="Jo, det er det.", now=NOW + timedelta(days=31)
        )
    assert too_late.value.code == "window_closed"
    assert Move.REOPEN not in allowed_moves(deviation, reporter, now=NOW + timedelta(days=31))
    transition(
        deviation, Move.REOPEN, reporter, text="Jo, det er det.", now=NOW + timedelta(days=30)
    )
    assert deviation.status is Status.UNDER_BEHANDLING
    assert deviation.closed_at is None and deviation.response is None
    # The rejection and its reason stay in the history.
    texts = [e.text for e in deviation.events]
    assert "Ikke et samhandlingsavvik." in texts and "Jo, det er det." in texts


def test_history_rows_cannot_be_changed(mctx):
    deviation = file()
    event = transition(deviation, Move.ACKNOWLEDGE, find_user("mottak@stolav.demo"))
    event.text = "endret"
    with pytest.raises(AppendOnlyError):
        db.session.flush()


def _race(app: Flask, reference: str, texts: list[str]) -> list[object]:
    """Each thread: own app context and session, load the case, wait for the other, close it."""
    results: list[object] = [None] * len(texts)
    loaded = threading.Barrier(len(texts))

    def worker(i: int) -> None:
        with app.app_context():
            try:
                deviation = db.session.scalar(
                    sa.select(Deviation).where(Deviation.reference == reference)
                )
                handler = find_user("mottak@stolav.demo")
                loaded.wait(timeout=10)
                transition(deviation, Move.ANSWER, handler, text=texts[i])
                db.session.commit()
                results[i] = "won"
            except ServiceError as error:
                db.session.rollback()
                results[i] = error.code
            except Exception as error:  # noqa: BLE001  (reported to the test, not swallowed)
                db.session.rollback()
                results[i] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.commits
def test_two_handlers_closing_at_once_only_one_wins(app):
    """On PostgreSQL the row lock makes the loser see `besvart`; on SQLite the version column
    makes its UPDATE match nothing. Either way: one winner, one history row, one response."""
    with app.app_context():
        deviation = file()
        transition(deviation, Move.START, find_user("mottak@stolav.demo"))
        db.session.commit()
        reference, ident = deviation.reference, deviation.id
    results = _race(app, reference, ["Svar A", "Svar B"])
    assert results.count("won") == 1, results
    loser = next(r for r in results if r != "won")
    assert loser in {"wrong_state", "conflict"}, loser
    with app.app_context():
        closing = db.session.scalars(
            sa.select(DeviationEvent).where(
                DeviationEvent.deviation_id == ident, DeviationEvent.to_status == Status.BESVART
            )
        ).all()
        assert len(closing) == 1
        deviation = db.session.get(Deviation, ident)
        assert deviation.response == closing[0].text
        assert deviation.status is Status.BESVART
        answered_mails = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMail)
            .where(OutboxMail.subject.contains("svar mottatt"))
        )
        assert answered_mails == 1
