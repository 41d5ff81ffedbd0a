"""No case without a reader: the helsefellesskap's fallback mottak.

An organisation's mottak is *staffed* when at least one active person of it may handle there.
A case filed to an organisation whose mottak nobody staffs goes at once to the fallback mottak
an admin named (``Organisation.fallback_mottak``), through the same re-routing a handler's
"send to another organisation" uses, with a history row and the fallback's handlers mailed.
Where that cannot be (no fallback named, nobody staffs it either, or it is the reporter's own
organisation, which may not receive its own case) the case stays where it was filed and the
central admins are mailed, so that someone names a fallback or staffs the mottak.

The filing form, the receipt and the admin's organisation list ask the same questions here, so
what they say is what filing does.

A handler's "send to another organisation" (``make_move``) follows the same rule: a case sent
to a mottak nobody staffs goes on at once to the fallback mottak. Where no fallback can take
it, the move is refused instead of leaving the case with nobody, unlike filing: a filed case
must be kept whatever happens, while a case being sent on has a reader already, the handler
sending it. The fallback may not be the organisation sending the case either (it would only
come back). The case page's reroute form asks ``onward_routes`` and says the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from app.common import permissions
from app.extensions import db
from app.handling import notify
from app.handling.move_input import refused
from app.handling.moves import Move
from app.handling.workflow import note_unread, reroute_unstaffed, transition
from app.mail.services import absolute_url, queue_mail
from app.models import Deviation, DeviationEvent, EventKind, Organisation, Status, User, utcnow


def _staff() -> sa.Select:
    """The people who staff some mottak: active, handlers, and a person (an API client's
    system user has an .invalid address and reads nothing)."""
    return sa.select(User.organisation_id).where(
        User.active, permissions.staffs_mottak(), sa.not_(User.email.like("%.invalid"))
    )


def handler_counts() -> dict[int, int]:
    """How many people staff each organisation's mottak (absent: nobody)."""
    staff = _staff().subquery()
    rows = db.session.execute(
        sa.select(staff.c.organisation_id, sa.func.count()).group_by(staff.c.organisation_id)
    )
    return {org_id: count for org_id, count in rows}


def is_staffed(org_id: int) -> bool:
    return bool(
        db.session.scalar(sa.select(_staff().where(User.organisation_id == org_id).exists()))
    )


def fallback_organisation() -> Organisation | None:
    return db.session.scalar(
        sa.select(Organisation).where(Organisation.fallback_mottak, Organisation.active)
    )


@dataclass(frozen=True)
class Route:
    """Where a case filed to ``filed_to`` by someone of ``reporter_org_id`` ends up."""

    filed_to: Organisation
    staffed: bool
    fallback: Organisation | None  # set only when the case goes there
    # Sent on by a handler: the fallback is their own organisation, so it cannot take the case.
    comes_back: bool = False

    @property
    def unread(self) -> bool:
        """Nobody would read it: not staffed and no fallback to take it."""
        return not self.staffed and self.fallback is None


def _unstaffed(
    to: Organisation,
    reporter_org_id: int,
    fallback: Organisation | None,
    fallback_staffed: bool,
    sender_org_id: int | None = None,
) -> Route:
    """The route of a case to ``to``, whose mottak nobody staffs: on to the fallback mottak when
    someone staffs it and it is neither ``to`` nor the reporter's organisation, nor, for a case
    a handler sends on, the sender's (``sender_org_id``): the case would only come back."""
    comes_back = fallback is not None and fallback.id == sender_org_id
    usable = (
        fallback is not None
        and fallback_staffed
        and not comes_back
        and fallback.id not in (to.id, reporter_org_id)
    )
    return Route(to, False, fallback if usable else None, comes_back=comes_back)


def route_for(reporter_org_id: int, filed_to: Organisation) -> Route:
    if is_staffed(filed_to.id):
        return Route(filed_to, True, None)
    fallback = fallback_organisation()
    staffed = fallback is not None and is_staffed(fallback.id)
    return _unstaffed(filed_to, reporter_org_id, fallback, staffed)


def unstaffed_routes(reporter_org_id: int, organisations: list[Organisation]) -> list[Route]:
    """For the filing form: the route of every organisation on offer whose mottak nobody
    staffs, in two queries whatever the number of organisations."""
    counts = handler_counts()
    fallback = fallback_organisation()
    staffed = fallback is not None and counts.get(fallback.id, 0) > 0
    return [
        _unstaffed(org, reporter_org_id, fallback, staffed)
        for org in organisations
        if not counts.get(org.id, 0) and org.id != reporter_org_id
    ]


def onward_route(deviation: Deviation, to: Organisation) -> Route:
    """Where a case its handler sends on to ``to`` ends up."""
    if is_staffed(to.id):
        return Route(to, True, None)
    fallback = fallback_organisation()
    staffed = fallback is not None and is_staffed(fallback.id)
    return _unstaffed(
        to, deviation.reporter_org_id, fallback, staffed, deviation.counterpart_org_id
    )


def onward_routes(deviation: Deviation, organisations: list) -> list[Route]:
    """For the reroute form: the route of every organisation on offer whose mottak nobody
    staffs, in two queries whatever the number of organisations."""
    counts = handler_counts()
    fallback = fallback_organisation()
    staffed = fallback is not None and counts.get(fallback.id, 0) > 0
    return [
        _unstaffed(org, deviation.reporter_org_id, fallback, staffed, deviation.counterpart_org_id)
        for org in organisations
        if not counts.get(org.id, 0)
    ]


def _nobody_there(route: Route) -> str:
    if route.comes_back:
        return _(
            "Avviket kan ikke sendes til %(org)s: ingen er saksbehandler i mottaket der, og "
            "reservemottaket er hos dere selv, så avviket ville kommet tilbake hit. Behandle "
            "det her, eller velg en annen organisasjon.",
            org=route.filed_to.name,
        )
    return _(
        "Avviket kan ikke sendes til %(org)s: ingen er saksbehandler i mottaket der, og det er "
        "ikke valgt noe reservemottak som kan ta avviket, så ingen ville kunne lese det. "
        "Behandle det her, eller velg en annen organisasjon.",
        org=route.filed_to.name,
    )


def make_move(
    deviation: Deviation, move: Move | str, actor: User, *, now: datetime | None = None, **kwargs
) -> DeviationEvent:
    """A handler's move (workflow.transition, same arguments), with this module's rule for a
    re-routing: to a mottak nobody staffs, the case goes on at once to the fallback mottak
    (a second history row, without an actor, and the fallback's handlers mailed); where no
    fallback can take it, the move is refused beside the organisation and nothing changes.
    Returns the handler's own history row. Flushes."""
    move = Move(move)
    now = now or utcnow()
    if move is not Move.REROUTE:
        return transition(deviation, move, actor, now=now, **kwargs)
    routes: list[Route] = []

    def check(org: Organisation) -> None:
        route = onward_route(deviation, org)
        if route.unread:
            raise refused("unstaffed", _nobody_there(route), "target_org")
        routes.append(route)

    event = transition(deviation, move, actor, now=now, org_rule=check, **kwargs)
    if routes and routes[0].fallback is not None:
        reroute_unstaffed(deviation, routes[0].fallback, now)
        notify.to_mottak(notify.Notice.FALLBACK_REROUTED, deviation)
    return event


def route_new_case(deviation: Deviation, now: datetime) -> Route:
    """Right after filing, in the filing's transaction: send the case on if its mottak is
    unstaffed, or tell the admins that nobody can read it. Flushes."""
    route = route_for(deviation.reporter_org_id, deviation.counterpart_org)
    if route.staffed:
        return route
    if route.fallback is not None:
        reroute_unstaffed(deviation, route.fallback, now)
        notify.to_mottak(notify.Notice.FALLBACK, deviation)
    else:
        note_unread(deviation, now)
        _tell_admins(deviation)
    return route


def _tell_admins(deviation: Deviation) -> int:
    """The central admins: a case nobody can read. The reference and the admin's page only;
    they may not read the case, and the mail carries nothing of it."""
    admins = db.session.execute(
        sa.select(User.id, User.email, User.language)
        .where(User.active, permissions.central_admins())
        .order_by(User.id)
    )
    link = absolute_url("admin.organisations")
    queued = 0
    for admin in admins:
        with force_locale(admin.language or "nb"):
            subject = _("Avvik %(reference)s: ingen mottaker", reference=deviation.reference)
            body = "\n\n".join(
                [
                    _(
                        "Avvik %(reference)s er sendt til en organisasjon der ingen er "
                        "saksbehandler i mottaket, og det er ikke valgt noe reservemottak som "
                        "kan ta det. Ingen kan lese avviket før noen tar imot det.",
                        reference=deviation.reference,
                    ),
                    _(
                        "Velg et reservemottak, eller sett noen til å ta imot i organisasjonen: "
                        "%(link)s",
                        link=link,
                    ),
                    _(
                        "Denne e-posten inneholder ingen opplysninger om avviket. "
                        "Logg inn for å lese det."
                    ),
                ]
            )
        if queue_mail(admin.email, subject, body + "\n") is not None:
            queued += 1
    return queued


@dataclass(frozen=True)
class Receipt:
    """What the receipt says about where the case went."""

    filed_to: str  # the organisation's name as the reporter chose it
    fallback: bool  # it went on to the fallback mottak
    unread: bool  # nobody staffs the mottak it is in now


def receipt(deviation: Deviation) -> Receipt:
    """From the history (the routing row is the one with no actor right after filing), and
    for "unread" from today's staffing, so the receipt never promises what will not happen."""
    first = db.session.execute(
        sa.select(DeviationEvent.text)
        .where(
            DeviationEvent.deviation_id == deviation.id, DeviationEvent.kind == EventKind.CREATED
        )
        .limit(1)
    ).scalar()
    filed_to = first or deviation.counterpart_org_name
    # The routing row has no actor and leaves the status as it was; a case it sent on is no
    # longer with the organisation it was filed to.
    system_row = db.session.scalar(
        sa.select(
            sa.exists().where(
                DeviationEvent.deviation_id == deviation.id,
                DeviationEvent.kind == EventKind.TRANSITION,
                DeviationEvent.actor_id.is_(None),
                DeviationEvent.from_status == Status.SENDT,
                DeviationEvent.to_status == Status.SENDT,
            )
        )
    )
    routed = bool(system_row) and filed_to != deviation.counterpart_org_name
    return Receipt(filed_to, bool(routed), not is_staffed(deviation.counterpart_org_id))
