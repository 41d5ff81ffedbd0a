"""Serious events (harm Alvorlig or Død): the shorter deadline, the record of the notice to
Statens helsetilsyn, and the reminder when nothing is recorded a day after filing.

The law (spesialisthelsetjenesteloven § 3-3a, helse- og omsorgstjenesteloven § 12-3a) asks the
organisation to notify at once; the receiving handler records that it was done, or why it was
not due, so the case shows who still has to act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.common import permissions
from app.common.dates import local
from app.common.errors import NotAllowed, ServiceError
from app.common.identity import find_in_text
from app.extensions import db
from app.handling import notify
from app.models import (
    OPEN_STATUSES,
    Deviation,
    DeviationEvent,
    EventKind,
    Harm,
    Organisation,
    SeriousNotice,
    User,
    utcnow,
)
from app.models.deviation import SERIOUS_HARMS, TEXT_MAX
from app.models.serious_notice import NOTICE_NAME_MAX, NOTICE_REFERENCE_MAX

# Statens helsetilsyn's section on notices of serious events, which leads to the organisations'
# notice form (the notice reaches Ukom too): the address its own pages link to.
NOTICE_FORM_URL = "https://www.helsetilsynet.no/tilsyn/varsel-om-alvorlige-hendelser/"
# A day after filing with nothing recorded, the receiving mottak is reminded, once.
REMIND_AFTER = timedelta(hours=24)
REMIND_WINDOW = timedelta(days=14)


def serious_days(harm: Harm) -> int | None:
    """The days a serious event is due in (SERIOUS_RESPONSE_DAYS); None for any other harm."""
    if harm not in SERIOUS_HARMS:
        return None
    return int(current_app.config["SERIOUS_RESPONSE_DAYS"])


def mottak_phones() -> dict[int, str]:
    """Every active organisation's mottak telephone, for the serious-event guidance."""
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.mottak_phone).where(
            Organisation.active, Organisation.mottak_phone.is_not(None)
        )
    )
    return {org_id: phone for org_id, phone in rows}


def guidance_context() -> dict[str, object]:
    """What deviations/_serious_guidance.html needs besides the form or the case."""
    return {"mottak_phones": mottak_phones(), "serious_notice_url": NOTICE_FORM_URL}


@dataclass(frozen=True)
class NoticeInput:
    notifiable: bool
    notified_on: date | None = None
    notified_by: str = ""
    reference: str = ""
    reason: str = ""


def notice_of(deviation: Deviation) -> SeriousNotice | None:
    return db.session.scalar(
        sa.select(SeriousNotice).where(SeriousNotice.deviation_id == deviation.id)
    )


def _check(data: NoticeInput, today: date) -> NoticeInput:
    notified_by = (data.notified_by or "").strip()
    reference = (data.reference or "").strip()
    reason = (data.reason or "").strip()
    for field, value in (
        ("notified_by", notified_by),
        ("reference", reference),
        ("reason", reason),
    ):
        if find_in_text(value):
            raise ServiceError(
                _("Teksten ser ut til å inneholde et fødselsnummer eller D-nummer."),
                field,
                "identity",
            )
    if not data.notifiable:
        if not reason:
            raise ServiceError(
                _("Skriv hvorfor hendelsen ikke er varslingspliktig."), "reason", "required"
            )
        if len(reason) > TEXT_MAX:
            raise ServiceError(
                _("Teksten er for lang: høyst %(max)d tegn.", max=TEXT_MAX), "reason", "too_long"
            )
        return NoticeInput(notifiable=False, reason=reason)
    if data.notified_on is None:
        raise ServiceError(_("Skriv datoen varselet ble sendt."), "notified_on", "required")
    if data.notified_on > today:
        raise ServiceError(_("Datoen kan ikke være fram i tid."), "notified_on", "future")
    if not notified_by:
        raise ServiceError(_("Skriv hvem som sendte varselet."), "notified_by", "required")
    if len(notified_by) > NOTICE_NAME_MAX:
        raise ServiceError(
            _("Teksten er for lang: høyst %(max)d tegn.", max=NOTICE_NAME_MAX),
            "notified_by",
            "too_long",
        )
    if len(reference) > NOTICE_REFERENCE_MAX:
        raise ServiceError(
            _("Teksten er for lang: høyst %(max)d tegn.", max=NOTICE_REFERENCE_MAX),
            "reference",
            "too_long",
        )
    return NoticeInput(True, data.notified_on, notified_by, reference)


def record_notice(
    actor: User, deviation: Deviation, data: NoticeInput, now: datetime | None = None
) -> SeriousNotice:
    """Record the notice (or that none was due), with its history row. A second record
    replaces the first (an event first judged not notifiable may be notified after all); the
    history keeps both. Flushes; the caller commits. Raises NotAllowed for anyone but the
    receiving handler of a serious event, ServiceError for bad input."""
    if not permissions.can(actor, "record_serious_notice", deviation):
        raise NotAllowed()
    now = now or utcnow()
    clean = _check(data, local(now).date())
    notice = notice_of(deviation)
    fields = {
        "notifiable": clean.notifiable,
        "notified_on": clean.notified_on,
        "notified_by": clean.notified_by,
        "reference": clean.reference,
        "reason": clean.reason,
        "recorded_at": now,
        "recorded_by_id": actor.id,
    }
    if notice is None:
        notice = SeriousNotice(deviation_id=deviation.id, **fields)
        try:
            # Two handlers recording at once: the second meets the unique case id (PostgreSQL;
            # SQLite's write lock orders them), told so instead of a server error.
            with db.session.begin_nested():
                db.session.add(notice)
        except sa.exc.IntegrityError:
            raise ServiceError(
                _("En annen registrerte varslingen samtidig. Se hva som står i avviket nå."),
                None,
                "recorded_meanwhile",
            ) from None
    else:
        for name, value in fields.items():
            setattr(notice, name, value)
    if clean.notifiable:
        kind, text = EventKind.SERIOUS_NOTIFIED, clean.reference
    else:
        kind, text = EventKind.SERIOUS_NOT_NOTIFIABLE, clean.reason
    db.session.add(
        DeviationEvent(deviation_id=deviation.id, at=now, actor_id=actor.id, kind=kind, text=text)
    )
    db.session.flush()
    return notice


def queue_notice_reminders(now: datetime | None = None) -> int:
    """Mail the receiving mottak of every open serious event filed more than a day ago with no
    notice recorded. Once per case and handler (the dedupe key names the case): a rerun queues
    nothing. Flushes; the caller commits. Returns mails queued."""
    now = now or utcnow()
    waiting = db.session.scalars(
        sa.select(Deviation)
        .where(
            Deviation.harm.in_(sorted(h.value for h in SERIOUS_HARMS)),
            Deviation.status.in_(sorted(s.value for s in OPEN_STATUSES)),
            # A window, not all history: the registered_at index reads a few days' cases, and a
            # cron run missed for up to REMIND_WINDOW still catches up.
            Deviation.registered_at.between(now - REMIND_WINDOW, now - REMIND_AFTER),
            Deviation.imported.is_(False),
            ~sa.exists().where(SeriousNotice.deviation_id == Deviation.id),
        )
        .order_by(Deviation.id)
    )
    queued = 0
    for deviation in waiting:
        queued += notify.to_mottak(
            notify.Notice.SERIOUS_NOT_RECORDED,
            deviation,
            key=f"{notify.Notice.SERIOUS_NOT_RECORDED.value}:{deviation.id}",
        )
    db.session.flush()
    return queued
