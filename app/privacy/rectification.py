"""Rectification (GDPR art. 16, and erasure of what should never have been written): the receiving
organisation's handler corrects a wrong patient number, or removes a passage of free text, such
as a name pasted into a description or a message.

A removed passage is replaced where it stood by "[fjernet av <name> <date>]", so every reader
sees that something was removed, by whom and when; a history row says so too, without the
passage. Messages and history rows are append-only: the change goes through the triggers under a
history permit (app/models/guards.py), which let exactly a text carrying that mark through.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.common import permissions
from app.common.crypto import patient_cipher
from app.common.dates import today_local
from app.common.errors import ServiceError
from app.common.identity import is_valid, normalise
from app.extensions import db
from app.models import (
    Deviation,
    DeviationEvent,
    DeviationMessage,
    EventKind,
    SeriousNotice,
    User,
    utcnow,
)
from app.models.deviation import TITLE_MAX
from app.models.guards import history_permit
from app.models.history_permit import REDACTION_MARK_START, PermitPurpose
from app.models.serious_notice import NOTICE_NAME_MAX, NOTICE_REFERENCE_MAX
from app.search.index import reindex

# The case's own free-text columns a passage is removed from.
CASE_TEXTS = ("title", "description", "immediate_action", "suggestion", "response")
PASSAGE_MIN = 2


def redaction_mark(actor: User) -> str:
    return f"{REDACTION_MARK_START}{actor.name} {today_local():%d.%m.%Y}]"


def correct_patient_id(
    actor: User, deviation: Deviation, number: str, now: datetime | None = None
) -> None:
    """Store ``number`` as the case's patient identity, encrypted and hashed as at filing,
    with a history row naming the actor (never the number). Flushes."""
    if not permissions.can(actor, "rectify", deviation):
        raise PermissionError("rectify")
    number = normalise(number or "")
    if not is_valid(number):
        raise ServiceError(
            _l(
                "Dette er ikke et gyldig fødselsnummer eller D-nummer. Sjekk at alle 11 sifrene stemmer."
            ),
            "patient_id",
            "invalid",
        )
    cipher = patient_cipher()
    deviation.patient_id_token = cipher.encrypt(number)
    deviation.patient_id_hash = cipher.hash(number)
    db.session.add(
        DeviationEvent(
            deviation=deviation,
            at=now or utcnow(),
            actor_id=actor.id,
            kind=EventKind.PATIENT_ID_CORRECTED,
        )
    )
    db.session.flush()


# A serious event's notice to Statens helsetilsyn (app/handling/serious.py): its free texts.
NOTICE_TEXTS = {"notified_by": NOTICE_NAME_MAX, "reference": NOTICE_REFERENCE_MAX, "reason": None}


def _redact_notice(deviation: Deviation, passage: str, mark: str) -> int:
    notice = db.session.scalar(
        sa.select(SeriousNotice).where(SeriousNotice.deviation_id == deviation.id)
    )
    if notice is None:
        return 0
    changed = 0
    for column, limit in NOTICE_TEXTS.items():
        value = getattr(notice, column)
        if value and passage in value:
            new = value.replace(passage, mark)
            # A short field would not hold the mark: the passage goes without one there (the
            # history row of the removal still says who removed text, and when).
            setattr(notice, column, new if limit is None or len(new) <= limit else "—")
            changed += value.count(passage)
    return changed


def redact_passage(
    actor: User, deviation: Deviation, passage: str, now: datetime | None = None
) -> int:
    """Replace every occurrence of ``passage`` in the case's texts, in the thread messages the
    actor may see and in the history texts with the redaction mark; returns how many places
    changed. Flushes."""
    if not permissions.can(actor, "rectify", deviation):
        raise PermissionError("rectify")
    passage = (passage or "").strip()
    if len(passage) < PASSAGE_MIN:
        raise ServiceError(
            _l("Skriv teksten som skal fjernes, minst to tegn."), "passage", "too_short"
        )
    mark = redaction_mark(actor)
    changed = 0
    for column in CASE_TEXTS:
        value = getattr(deviation, column)
        if value and passage in value:
            new = value.replace(passage, mark)
            if column == "title" and len(new) > TITLE_MAX:
                raise ServiceError(
                    _l(
                        "Tittelen blir for lang med merket for fjernet tekst. Fjern et lengre stykke."
                    ),
                    "passage",
                    "title_too_long",
                )
            setattr(deviation, column, new)
            changed += value.count(passage)
    changed += _redact_notice(deviation, passage, mark)
    messages = [
        m
        for m in db.session.scalars(
            sa.select(DeviationMessage).where(
                DeviationMessage.deviation_id == deviation.id,
                DeviationMessage.body.contains(passage, autoescape=True),
            )
        )
        # SQLite's LIKE ignores case: the exact passage is checked here. Another organisation's
        # internal note is not the actor's to see, nor to change.
        if passage in m.body and permissions.can(actor, "view", m)
    ]
    events = [
        e
        for e in db.session.scalars(
            sa.select(DeviationEvent).where(
                DeviationEvent.deviation_id == deviation.id,
                DeviationEvent.text.contains(passage, autoescape=True),
            )
        )
        if passage in e.text
    ]
    changed += sum(m.body.count(passage) for m in messages)
    changed += sum(e.text.count(passage) for e in events)
    if not changed:
        raise ServiceError(
            _l(
                "Fant ikke teksten i avviket. Skriv den nøyaktig slik den står, med store og små bokstaver."
            ),
            "passage",
            "not_found",
        )
    db.session.flush()
    permitted = {
        "history_permit": PermitPurpose.RECTIFICATION.value,
        "synchronize_session": False,
    }
    with history_permit(db.session, [deviation.id], PermitPurpose.RECTIFICATION):
        for message in messages:
            db.session.execute(
                sa.update(DeviationMessage)
                .where(DeviationMessage.id == message.id)
                .values(body=message.body.replace(passage, mark)),
                execution_options=permitted,
            )
        for event in events:
            db.session.execute(
                sa.update(DeviationEvent)
                .where(DeviationEvent.id == event.id)
                .values(text=event.text.replace(passage, mark)),
                execution_options=permitted,
            )
    for obj in (*messages, *events):
        db.session.expire(obj)
    db.session.add(
        DeviationEvent(
            deviation=deviation, at=now or utcnow(), actor_id=actor.id, kind=EventKind.TEXT_REDACTED
        )
    )
    db.session.flush()
    # The case's own columns were indexed by the flush; the messages changed under it.
    reindex(db.session.connection(), [deviation.id])
    return changed
