"""The deviation's state machine: the one place that changes ``Deviation.status``.

One table (``TRANSITIONS``) says, for each state, which move which role may make, where it leads
and what it needs. ``transition()`` checks a move against the table and the current row (locked
on PostgreSQL; guarded by the version column everywhere), applies it, writes exactly one history
row and queues the e-mails it causes — all in the caller's transaction. It only flushes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.common import permissions
from app.common.database import is_write_conflict
from app.common.dates import local
from app.common.errors import ServiceError
from app.extensions import db
from app.handling import notify
from app.handling.labels import MOVE_LABELS
from app.handling.move_input import (
    TEXT_NEEDED,
    check_text,
    refused,
    resolve_colleague,
    resolve_org,
    resolve_unit,
)
from app.handling.moves import Move
from app.handling.serious import serious_days
from app.models import (
    CLOSED_STATUSES,
    Deviation,
    DeviationEvent,
    EventKind,
    HistoryLine,
    Organisation,
    Status,
    Unit,
    User,
    utcnow,
)
from app.models.deviation import direction_between, response_deadline

# A reporter may reopen their own closed deviation for this long after it was closed.
REPORTER_REOPEN_DAYS = 30


class Actor(StrEnum):
    HANDLER = "saksbehandler"  # a handler of the receiving organisation
    REPORTER = "melder"  # the person who filed it
    OTHER = "annen"  # anyone else, even if they may read it


class Need(StrEnum):
    TEXT = "text"  # a response, a reason: text the reporter will read
    UNIT = "unit"  # a unit of the receiving organisation, or a colleague there (or both)
    ORG = "org"  # another organisation
    REOPEN_WINDOW = "window"  # closed no more than REPORTER_REOPEN_DAYS ago


@dataclass(frozen=True)
class Rule:
    to: Status
    needs: frozenset[Need] = frozenset()


S = Status
H, R = Actor.HANDLER, Actor.REPORTER
_OPEN_BEFORE_HANDLING = (S.SENDT, S.MOTTATT, S.VIDERESENDT)
_HANDLING = (S.SENDT, S.MOTTATT, S.UNDER_BEHANDLING, S.VIDERESENDT)
_CLOSABLE = (S.SENDT, S.MOTTATT, S.UNDER_BEHANDLING, S.VIDERESENDT, S.TIL_ANALYSE)

# (state, move, actor) -> rule. Anything absent is refused.
TRANSITIONS: dict[tuple[Status, Move, Actor], Rule] = {
    **{(s, Move.ACKNOWLEDGE, H): Rule(S.MOTTATT) for s in (S.SENDT, S.VIDERESENDT)},
    # "Ta saken": also a case being handled, once a colleague or a unit has sent it on.
    **{(s, Move.START, H): Rule(S.UNDER_BEHANDLING) for s in (*_HANDLING, S.TIL_ANALYSE)},
    # An internal forward (to a unit or a colleague) changes who has the case, not the status
    # the reporter sees; "videresendt" is a case sent on to another organisation.
    **{(s, Move.FORWARD, H): Rule(s, frozenset({Need.UNIT})) for s in _HANDLING},
    **{(s, Move.REROUTE, H): Rule(S.VIDERESENDT, frozenset({Need.ORG})) for s in _HANDLING},
    **{(s, Move.ANALYSE, H): Rule(S.TIL_ANALYSE) for s in _HANDLING},
    **{(s, Move.ANSWER, H): Rule(S.BESVART, frozenset({Need.TEXT})) for s in _CLOSABLE},
    **{(s, Move.REJECT, H): Rule(S.AVVIST, frozenset({Need.TEXT})) for s in _CLOSABLE},
    **{(s, Move.REOPEN, H): Rule(S.UNDER_BEHANDLING) for s in CLOSED_STATUSES},
    **{
        (s, Move.REOPEN, R): Rule(S.UNDER_BEHANDLING, frozenset({Need.TEXT, Need.REOPEN_WINDOW}))
        for s in CLOSED_STATUSES
    },
}  # fmt: skip


def conflict_message() -> str:
    return _(
        "Noen andre endret avviket samtidig med deg. Siden er oppdatert: "
        "se hva som er gjort, og prøv igjen om det trengs."
    )


def _conflict() -> ServiceError:
    return refused("conflict", conflict_message())


def actor_of(user: User, deviation: Deviation) -> Actor:
    if permissions.can(user, "handle", deviation):
        return Actor.HANDLER
    if deviation.reporter_id is not None and deviation.reporter_id == user.id:
        return Actor.REPORTER
    return Actor.OTHER


def _within_reopen_window(deviation: Deviation, now: datetime) -> bool:
    return deviation.closed_at is not None and now - deviation.closed_at <= timedelta(
        days=REPORTER_REOPEN_DAYS
    )


def allowed_moves(deviation: Deviation, user: User, now: datetime | None = None) -> list[Move]:
    """The moves this user may make now, in the table's order; for the page's buttons."""
    now = now or utcnow()
    actor = actor_of(user, deviation)
    moves = []
    for move in Move:
        rule = TRANSITIONS.get((deviation.status, move, actor))
        if rule is None:
            continue
        if Need.REOPEN_WINDOW in rule.needs and not _within_reopen_window(deviation, now):
            continue
        if move is Move.START and deviation.handler_id == user.id:
            continue  # already theirs
        moves.append(move)
    return moves


def _move_label(move: Move) -> str:
    return str(MOVE_LABELS[move].verb)


def _refuse_not_allowed(deviation: Deviation, move: Move, actor: Actor) -> ServiceError:
    from app.common.labels import STATUS

    if actor is Actor.OTHER:
        return refused(
            "forbidden",
            _("Du har ikke tilgang til å %(move)s dette avviket.", move=_move_label(move)),
        )
    if any(key[1:] == (move, actor) for key in TRANSITIONS):
        return refused(
            "wrong_state",
            _(
                "Avviket har status «%(status)s» og kan ikke %(move)s nå. "
                "Siden er oppdatert: se hva som er gjort.",
                status=str(STATUS[deviation.status]),
                move=_move_label(move),
            ),
        )
    return refused(
        "forbidden", _("Du har ikke tilgang til å %(move)s dette avviket.", move=_move_label(move))
    )


def _lock(deviation: Deviation) -> None:
    """Read the row again, locked, so the state check sees what a concurrent move committed.

    PostgreSQL: SELECT … FOR UPDATE blocks a second mover until the first commits, and then
    hands it the new state, which the table refuses. SQLite ignores FOR UPDATE; its single
    writer and the version column (a stale UPDATE fails) keep two moves from both winning.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.refresh(deviation, with_for_update=True)


def transition(
    deviation: Deviation,
    move: Move,
    actor: User,
    *,
    text: str | None = None,
    target_unit: Unit | int | None = None,
    target_org: Organisation | int | None = None,
    target_user: User | int | None = None,
    now: datetime | None = None,
    seen_version: int | None = None,
    line: HistoryLine | None = None,
    org_rule: Callable[[Organisation], object] | None = None,
) -> DeviationEvent:
    """Make one move, or raise ServiceError and change nothing. Flushes; the caller commits.

    ``seen_version`` is the deviation's version the user's page showed: if the case has changed
    since (another handler's move won the race), the move is refused as a "conflict", even
    where the new state would allow it, since the user decided on what they saw. On a lost race
    the flush raises StaleDataError inside; it comes out as the same ServiceError and the
    caller rolls back.

    ``line`` is what the history row says besides the move (HistoryLine.OPENED: done by opening
    the case); a forward or a re-routing writes its own, naming where the case went.

    ``org_rule`` checks where a re-routing goes beyond this table (app/handling/fallback.py:
    a mottak nobody staffs), raising ServiceError to refuse; it is passed in because that
    module builds on this one and cannot be imported here. It runs with the other checks,
    before anything changes.
    """
    now = now or utcnow()
    move = Move(move)
    _lock(deviation)
    if seen_version is not None and seen_version != deviation.version:
        raise _conflict()
    role = actor_of(actor, deviation)
    rule = TRANSITIONS.get((deviation.status, move, role))
    if rule is None:
        raise _refuse_not_allowed(deviation, move, role)
    if Need.REOPEN_WINDOW in rule.needs and not _within_reopen_window(deviation, now):
        raise refused(
            "window_closed",
            _(
                "Avviket ble lukket for mer enn %(days)d dager siden og kan ikke åpnes igjen her. "
                "Meld et nytt avvik og vis til %(reference)s.",
                days=REPORTER_REOPEN_DAYS,
                reference=deviation.reference,
            ),
        )

    # Validate everything before touching the row: a refused move changes nothing.
    clean_text = (text or "").strip() or None
    if Need.TEXT in rule.needs:
        clean_text = check_text(text, TEXT_NEEDED[move]())
    elif clean_text is not None:
        clean_text = check_text(clean_text, "")
    colleague = (
        resolve_colleague(deviation, target_user, actor) if Need.UNIT in rule.needs else None
    )
    unit = (
        resolve_unit(deviation, target_unit, colleague=colleague)
        if Need.UNIT in rule.needs
        else None
    )
    org = resolve_org(deviation, target_org) if Need.ORG in rule.needs else None
    if org is not None and org_rule is not None:
        org_rule(org)

    # One UPDATE per move, so the version counts moves: without this, a lazy load in the
    # middle (a unit's path, the reporter's organisation) flushed half of it first.
    with db.session.no_autoflush:
        from_status = deviation.status
        # What the system says goes into codes, drawn in the reader's language
        # (app/deviations/history.py); the text keeps only what the user typed.
        event = DeviationEvent(
            deviation=deviation,
            at=now,
            actor_id=actor.id,
            kind=EventKind.TRANSITION,
            from_status=from_status,
            text=clean_text or "",
            line=line,
        )
        notices: list[tuple[str, notify.Notice]] = []

        if move is Move.START:
            deviation.handler_id = actor.id
        elif move is Move.FORWARD:
            if unit is not None:
                deviation.forwarded_unit_id = unit.id
            # The colleague has it now (their "Mine"); else the unit, where whoever takes it
            # becomes its handler.
            deviation.handler_id = colleague.id if colleague is not None else None
            event.line = HistoryLine.FORWARDED
            event.unit_id = unit.id if unit is not None else None
            event.colleague_id = colleague.id if colleague is not None else None
            notices.append(("case_handlers_but_actor", notify.Notice.FORWARDED))
        elif move is Move.REROUTE:
            assert org is not None
            event.line = HistoryLine.REROUTED
            event.from_org_id = deviation.counterpart_org_id
            event.org_id = org.id
            _reroute(deviation, org, now)
            notices.append(("mottak", notify.Notice.REROUTED))
        elif move in (Move.ANSWER, Move.REJECT):
            deviation.response = clean_text
            deviation.closed_at = now
            deviation.handler_id = deviation.handler_id or actor.id
            notices.append(
                (
                    "reporter",
                    notify.Notice.ANSWERED if move is Move.ANSWER else notify.Notice.REJECTED,
                )
            )
        elif move is Move.REOPEN:
            # The old response stays in the history row that closed the case.
            deviation.response = None
            deviation.closed_at = None
            if role is Actor.HANDLER:
                deviation.handler_id = actor.id
                notices.append(("reporter", notify.Notice.REOPENED))
            else:
                notices.append(("handlers", notify.Notice.REPORTER_REOPENED))
        elif move is Move.ANALYSE:
            deviation.handler_id = deviation.handler_id or actor.id

        deviation.status = event.to_status = rule.to
        db.session.add(event)
    try:
        db.session.flush()
    except (StaleDataError, OperationalError) as error:
        if isinstance(error, OperationalError) and not is_write_conflict(error):
            raise
        raise _conflict() from error

    for audience, notice in notices:
        if audience == "mottak":
            notify.to_mottak(notice, deviation)
        elif audience == "reporter":
            notify.to_reporter(notice, deviation)
        elif audience == "case_handlers_but_actor":
            notify.to_case_handlers(notice, deviation, leave_out=actor.id)
        else:
            notify.to_case_handlers(notice, deviation)
    return event


def reroute_unstaffed(
    deviation: Deviation, fallback: Organisation, now: datetime
) -> DeviationEvent:
    """Send a case just filed, or just sent on by a handler, to an organisation whose mottak
    nobody staffs on to the fallback mottak (app/handling/fallback.py decides when). The same
    re-routing as a handler's REROUTE, with its deadline; the status stays as it is (SENDT or
    VIDERESENDT), since nobody has received it yet. The history row has no actor: the rule
    moved it, not a person. Flushes."""
    if deviation.status not in (Status.SENDT, Status.VIDERESENDT):
        raise ValueError("only a case just filed or sent on goes to the fallback mottak")
    old = deviation.counterpart_org_id
    with db.session.no_autoflush:
        _reroute(deviation, fallback, now)
    return _rule_row(deviation, now, HistoryLine.FALLBACK, org_id=fallback.id, from_org_id=old)


def note_unread(deviation: Deviation, now: datetime) -> DeviationEvent:
    """The history row of a case just filed to an unstaffed mottak that no fallback can take:
    it stays where it was filed, and the row says why (app/handling/fallback.py mails the
    admins). No actor: the rule wrote it, not a person. Flushes."""
    return _rule_row(deviation, now, HistoryLine.UNSTAFFED, org_id=deviation.counterpart_org_id)


def _rule_row(
    deviation: Deviation,
    now: datetime,
    line: HistoryLine,
    *,
    org_id: int,
    from_org_id: int | None = None,
) -> DeviationEvent:
    """A history row of a just-filed (or just sent on) case that a rule wrote, not a person:
    no actor, and the status stays as it is. Flushes."""
    event = DeviationEvent(
        deviation=deviation,
        at=now,
        actor_id=None,
        kind=EventKind.TRANSITION,
        from_status=deviation.status,
        to_status=deviation.status,
        line=line,
        org_id=org_id,
        from_org_id=from_org_id,
    )
    db.session.add(event)
    db.session.flush()
    return event


def _reroute(deviation: Deviation, org: Organisation, now: datetime) -> None:
    """Hand the case to another organisation's mottak, with that organisation's deadline.

    The old organisation loses access through the permission rules (they follow
    counterpart_org_id) unless it reported the case. Its units no longer apply.
    """
    deviation.counterpart_org_id = org.id
    deviation.counterpart_org = org
    deviation.counterpart_org_name = org.name
    deviation.counterpart_unit_id = None
    deviation.forwarded_unit_id = None
    deviation.handler_id = None
    deviation.direction = direction_between(deviation.reporter_org, org)
    deviation.response_deadline = response_deadline(
        org, local(now).date(), serious_days(deviation.harm)
    )
