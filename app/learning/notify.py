"""E-mails about good stories, through the outbox, in the recipient's language.

Like every mail of Avvik they carry no content: a fixed sentence and a link, never the story's
title, text or anyone's name.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.handling.notify import mottak_handlers
from app.mail.services import absolute_url, queue_mail
from app.models import GoodStory, User


class StoryNotice(StrEnum):
    NEW = "ny_historie"
    PASSED_ON = "historie_delt"


_TEXTS = {
    StoryNotice.NEW: (
        _l("Ny god historie"),
        _l(
            "Noen i en annen organisasjon har fortalt en god historie om samarbeidet med dere. "
            "Les den og del den med enheten den gjelder."
        ),
    ),
    StoryNotice.PASSED_ON: (
        _l("Historien din er delt"),
        _l(
            "Den gode historien du fortalte, er delt med enheten den gjaldt. Takk for at du "
            "fortalte den!"
        ),
    ),
}


def compose(notice: StoryNotice, link: str, language: str = "nb") -> tuple[str, str]:
    subject, sentence = _TEXTS[notice]
    with force_locale(language or "nb"):
        body = "\n\n".join(
            [
                str(sentence),
                _("Åpne historien: %(link)s", link=link),
                _(
                    "Denne e-posten inneholder ingen opplysninger fra historien. Logg inn for å lese den."
                ),
            ]
        )
        return str(subject), body + "\n"


def _queue(notice: StoryNotice, story: GoodStory, users: Iterable[User | sa.Row]) -> int:
    link = absolute_url("learning.story", story_id=story.id)
    queued = 0
    for user in {u.id: u for u in users if u.active}.values():
        subject, body = compose(notice, link, user.language)
        if queue_mail(user.email, subject, body) is not None:
            queued += 1
    return queued


def to_mottak(story: GoodStory) -> int:
    return _queue(StoryNotice.NEW, story, mottak_handlers(story.counterpart_org_id))


def to_reporter(story: GoodStory) -> int:
    if story.reporter is None:
        return 0
    return _queue(StoryNotice.PASSED_ON, story, [story.reporter])
