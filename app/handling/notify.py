"""Who is told what about a deviation, by e-mail through the outbox.

A mail carries the reference number, what happened and a link: never a title, a description,
a name or anything about the patient. It is queued in the caller's transaction, so it exists
exactly when the change that caused it is committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.sql.elements import ColumnElement

from app.common import labels, permissions
from app.common.labels import reporter_status
from app.extensions import db
from app.mail.services import absolute_url, queue_mail
from app.models import Deviation, User


class Notice(StrEnum):
    NEW = "nytt"
    REROUTED = "omdirigert"
    FALLBACK = "reservemottak"
    FALLBACK_REROUTED = "omdirigert_reservemottak"  # sent on by a handler, then by the rule
    ANSWERED = "besvart"
    REJECTED = "avvist"
    QUESTION = "melding_fra_mottaker"
    REOPENED = "gjenapnet"
    REPORTER_MESSAGE = "melding_fra_melder"
    REPORTER_REOPENED = "gjenapnet_av_melder"
    DEADLINE_SOON = "frist_snart"
    DEADLINE_PASSED = "frist_passert"
    SERIOUS_NOT_RECORDED = "alvorlig_ikke_registrert"
    FORWARDED = "videresendt_internt"


# (what happened, in the subject; one sentence for the body). No case content, no names.
_TEXTS = {
    Notice.NEW: (
        _l("nytt avvik"),
        _l("Et nytt avvik er sendt til mottaket i organisasjonen din."),
    ),
    Notice.REROUTED: (
        _l("avvik videresendt til dere"),
        _l("Et avvik er videresendt til mottaket i organisasjonen din fra en annen organisasjon."),
    ),
    Notice.FALLBACK: (
        _l("nytt avvik til reservemottaket"),
        _l(
            "Et nytt avvik er sendt til en organisasjon der ingen tar imot i mottaket, og derfor "
            "til mottaket i organisasjonen din, som er helsefellesskapets reservemottak."
        ),
    ),
    Notice.FALLBACK_REROUTED: (
        _l("avvik videresendt til reservemottaket"),
        _l(
            "Et avvik er videresendt fra en annen organisasjon til en organisasjon der ingen tar "
            "imot i mottaket, og derfor til mottaket i organisasjonen din, som er "
            "helsefellesskapets reservemottak."
        ),
    ),
    Notice.ANSWERED: (
        _l("svar mottatt"),
        _l("Avviket du meldte er besvart."),
    ),
    Notice.REJECTED: (
        _l("avviket er avvist"),
        _l("Avviket du meldte er avvist. Begrunnelsen står på avvikets side."),
    ),
    Notice.QUESTION: (
        _l("ny melding fra mottaker"),
        _l("Mottakeren av avviket du meldte har skrevet en melding til deg."),
    ),
    Notice.REOPENED: (
        _l("avviket er gjenåpnet"),
        _l("Avviket du meldte er åpnet igjen for behandling."),
    ),
    Notice.REPORTER_MESSAGE: (
        _l("ny melding fra melder"),
        _l("Den som meldte avviket har skrevet en ny melding."),
    ),
    Notice.REPORTER_REOPENED: (
        _l("gjenåpnet av melder"),
        _l("Den som meldte avviket har åpnet det igjen."),
    ),
    Notice.FORWARDED: (
        _l("avvik sendt til deg"),
        _l("En kollega har sendt et avvik til deg eller enheten din. Det ligger under «Mine»."),
    ),
    Notice.DEADLINE_SOON: (
        _l("svarfristen nærmer seg"),
        # Not "in a few days": a serious event's comes the day before its deadline, or on the
        # deadline day when a missed run catches up (handling/reminders.py).
        _l("Svarfristen for avviket går snart ut, og det er ikke besvart ennå."),
    ),
    Notice.DEADLINE_PASSED: (
        _l("svarfristen er passert"),
        _l("Svarfristen for avviket er passert, og det er ikke besvart."),
    ),
    Notice.SERIOUS_NOT_RECORDED: (
        _l("varsling til Helsetilsynet ikke registrert"),
        _l(
            "Avviket er meldt som en alvorlig hendelse for over et døgn siden, og avviket viser "
            "ennå ikke om Statens helsetilsyn er varslet. Registrer varslingen i avviket, eller "
            "at hendelsen ikke er varslingspliktig."
        ),
    ),
}


def compose(
    notice: Notice,
    reference: str,
    link: str,
    language: str = "nb",
    *,
    serious: bool = False,
    status: str | None = None,
) -> tuple[str, str]:
    """Subject and body in the recipient's language. ``serious``: the case is a serious event
    (harm Alvorlig skade or Dødsfall), marked at the start of the subject, the only content a
    mail has. ``status``: the case's status, printed as the reporting side reads it (a mail to
    the reporter says where the case stands in the words of its page)."""
    what, sentence = _TEXTS[notice]
    with force_locale(language or "nb"):
        status_line = (
            [_("Status: %(status)s", status=str(labels.REPORTER_STATUS[reporter_status(status)]))]
            if status is not None
            else []
        )
        subject = _("Avvik %(reference)s: %(what)s", reference=reference, what=str(what))
        if serious:
            subject = _("ALVORLIG HENDELSE – %(subject)s", subject=subject)
        body = "\n\n".join(
            [
                _("Avvik %(reference)s: %(what)s.", reference=reference, what=str(what)),
                str(sentence),
                *status_line,
                _("Åpne avviket: %(link)s", link=link),
                _(
                    "Denne e-posten inneholder ingen opplysninger om avviket. "
                    "Logg inn for å lese det."
                ),
            ]
        )
    return subject, body + "\n"


def queue(
    notice: Notice,
    reference: str,
    users: Iterable[User | sa.Row],
    key: str | None = None,
    *,
    serious: bool = False,
    status: str | None = None,
) -> int:
    """Queue the notice for each active user once; returns how many mails were queued."""
    link = absolute_url("deviations.show", reference=reference)
    queued = 0
    # An API client's user has an .invalid address (app/api): nothing to send to.
    deliverable = (u for u in users if u.active and not u.email.endswith(".invalid"))
    for user in {u.id: u for u in deliverable}.values():
        subject, body = compose(
            notice, reference, link, user.language, serious=serious, status=status
        )
        dedupe_key = f"{key}:{user.id}" if key else None
        if queue_mail(user.email, subject, body, dedupe_key=dedupe_key) is not None:
            queued += 1
    return queued


def staffs_mottak_of(organisation_id: int) -> list[ColumnElement[bool]]:
    """SQL on ``User``: the active accounts that staff the organisation's mottak."""
    return [User.organisation_id == organisation_id, User.active, permissions.staffs_mottak()]


def mottak_handlers(organisation_id: int) -> list[sa.Row]:
    """Everyone who staffs the organisation's mottak: the columns a mail needs."""
    return list(
        db.session.execute(
            sa.select(User.id, User.email, User.language, User.active, User.unit_id)
            .where(*staffs_mottak_of(organisation_id))
            .order_by(User.id)
        )
    )


def case_handlers(deviation: Deviation) -> list[User] | list[sa.Row]:
    """Whoever is on the case: its handler; else the unit it was forwarded to; else the mottak."""
    handler = deviation.handler
    if (
        handler is not None
        and handler.active
        and handler.organisation_id == deviation.counterpart_org_id
        and permissions.can(handler, "open", permissions.INBOX)
    ):
        return [handler]
    everyone = mottak_handlers(deviation.counterpart_org_id)
    if deviation.forwarded_unit_id is not None:
        in_unit = [u for u in everyone if u.unit_id == deviation.forwarded_unit_id]
        if in_unit:
            return in_unit
    return everyone


def to_mottak(notice: Notice, deviation: Deviation, key: str | None = None) -> int:
    return queue(
        notice,
        deviation.reference,
        mottak_handlers(deviation.counterpart_org_id),
        key,
        serious=deviation.is_serious,
    )


def to_case_handlers(
    notice: Notice, deviation: Deviation, key: str | None = None, leave_out: int | None = None
) -> int:
    people = [u for u in case_handlers(deviation) if u.id != leave_out]
    return queue(notice, deviation.reference, people, key, serious=deviation.is_serious)


def to_reporter(notice: Notice, deviation: Deviation) -> int:
    if deviation.reporter is None:  # imported cases have no reporter account
        return 0
    return queue(
        notice,
        deviation.reference,
        [deviation.reporter],
        serious=deviation.is_serious,
        status=deviation.status,
    )


def reminder_key(notice: Notice, deviation: Deviation, deadline: date) -> str:
    """Per deviation, kind and deadline: a rerun finds the key; a new deadline gets new ones."""
    return f"{notice.value}:{deviation.id}:{deadline.isoformat()}"
