"""A case's thread: the conversation between the reporter and the receiving handlers, and the
handlers' internal notes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.common import permissions
from app.common.errors import ServiceError
from app.common.identity import find_in_text
from app.extensions import db
from app.handling import notify
from app.models import Deviation, DeviationMessage, User, utcnow
from app.models.deviation import MESSAGE_MAX


def post_message(
    deviation: Deviation,
    author: User,
    body: str,
    *,
    internal: bool = False,
    now: datetime | None = None,
) -> DeviationMessage:
    """Add to the thread (or, for handlers, an internal note) and tell the other side.

    Flushes; the caller commits. Raises ServiceError and adds nothing on bad input.
    """
    if internal:
        if not permissions.can(author, "write_internal_note", deviation):
            raise ServiceError(
                field="body",
                code="forbidden",
                message=_("Bare saksbehandlere hos mottakeren kan skrive interne notater."),
            )
    elif not permissions.can(author, "post_message", deviation):
        raise ServiceError(
            field="body",
            code="forbidden",
            message=_(
                "Bare den som meldte avviket og saksbehandlerne hos mottakeren kan skrive her."
            ),
        )
    text = (body or "").strip()
    if not text:
        raise ServiceError(field="body", code="empty", message=_("Skriv en melding før du sender."))
    if len(text) > MESSAGE_MAX:
        raise ServiceError(
            field="body",
            code="too_long",
            message=_("Teksten er for lang: høyst %(max)d tegn.", max=MESSAGE_MAX),
        )
    if find_in_text(text):
        raise ServiceError(
            field="body",
            code="identity",
            message=_(
                "Teksten ser ut til å inneholde et fødselsnummer eller D-nummer. Fjern det: "
                "pasientens identitet skal aldri stå i meldinger."
            ),
        )
    message = DeviationMessage(
        deviation_id=deviation.id,
        at=now or utcnow(),
        author_id=author.id,
        author_org_id=author.organisation_id,
        internal=internal,
        body=text,
    )
    db.session.add(message)
    db.session.flush()
    if not internal:
        # "Svar fra melder": the reporter wrote last. A Core UPDATE, not the ORM's: a message is
        # no move, and must not make a handler's open move form look out of date (the version).
        by_handler = permissions.can(author, "handle", deviation)
        waiting = None if by_handler else message.at
        if waiting != deviation.reporter_waiting_since:
            db.session.execute(
                sa.update(Deviation)
                .where(Deviation.id == deviation.id)
                .values(reporter_waiting_since=waiting)
                .execution_options(synchronize_session=False)
            )
            db.session.expire(deviation, ["reporter_waiting_since"])
        if by_handler:
            notify.to_reporter(notify.Notice.QUESTION, deviation)
        else:
            notify.to_case_handlers(notify.Notice.REPORTER_MESSAGE, deviation)
    return message


def thread(deviation: Deviation, viewer: User) -> list[DeviationMessage]:
    """What this viewer may read of the thread, oldest first: it reads as a conversation, and
    the composer follows the last message."""
    messages = db.session.scalars(
        sa.select(DeviationMessage)
        .where(DeviationMessage.deviation_id == deviation.id)
        .options(joinedload(DeviationMessage.author))
        .order_by(DeviationMessage.id)
    )
    return [m for m in messages if permissions.can(viewer, "view", m)]
