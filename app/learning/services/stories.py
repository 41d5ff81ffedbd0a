"""Good stories: telling one, the mottak passing it on, sharing it with consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.common import permissions
from app.common.dates import local
from app.common.errors import ServiceError
from app.deviations.services import check_free_text
from app.extensions import db
from app.learning import notify
from app.models import GoodStory, Organisation, Unit, User, utcnow
from app.models.deviation import parties
from app.search.text import document

FREE_TEXT_FIELDS = ("title", "description", "why_it_mattered")


@dataclass(frozen=True)
class StoryInput:
    counterpart_org_id: int
    event_date: date
    title: str
    description: str
    why_it_mattered: str
    counterpart_unit_id: int | None = None
    consent_to_share: bool = False


def _stale(field: str) -> ServiceError:
    return ServiceError(_("Valget finnes ikke lenger. Velg på nytt."), field, "unknown")


def tell_story(reporter: User, data: StoryInput, now: datetime | None = None) -> GoodStory:
    """Send a good story to the counterpart's mottak and tell them by e-mail. Flushes."""
    now = now or utcnow()
    counterpart = db.session.get(Organisation, data.counterpart_org_id)
    if counterpart is None or not counterpart.active:
        raise _stale("counterpart_org")
    if counterpart.id == reporter.organisation_id:
        raise ServiceError(
            _("Gode historier handler om samarbeidet med en annen organisasjon."),
            "counterpart_org",
            "self",
        )
    if data.counterpart_unit_id is not None:
        unit = db.session.get(Unit, data.counterpart_unit_id)
        if unit is None or not unit.active or unit.organisation_id != counterpart.id:
            raise _stale("counterpart_unit")
    if data.event_date > local(now).date():
        raise ServiceError(_("Datoen kan ikke være fram i tid."), "event_date", "future")
    check_free_text({f: getattr(data, f) for f in FREE_TEXT_FIELDS})
    story = GoodStory(
        registered_at=now,
        event_date=data.event_date,
        **parties(reporter, counterpart, data.counterpart_unit_id),
        title=data.title.strip(),
        description=data.description.strip(),
        why_it_mattered=data.why_it_mattered.strip(),
        consent_to_share=data.consent_to_share,
        search_text=search_text(data.title, data.description, data.why_it_mattered),
    )
    db.session.add(story)
    db.session.flush()
    notify.to_mottak(story)
    return story


def search_text(*texts: str | None) -> str:
    """Stems between spaces, so the Læring page finds a word with LIKE '% stem %'."""
    return f" {document(*texts)} "


def _refuse_unless_handler(actor: User, story: GoodStory) -> None:
    if not permissions.can(actor, "handle", story):
        raise ServiceError(
            _("Bare mottaket hos den historien gjelder kan gjøre dette."), None, "forbidden"
        )


def pass_on(
    story: GoodStory, actor: User, unit_id: int | None = None, now: datetime | None = None
) -> GoodStory:
    """The mottak has passed the story on to the unit or people concerned; the reporter is
    told by e-mail (once)."""
    _refuse_unless_handler(actor, story)
    if story.is_passed_on:
        raise ServiceError(_("Historien er allerede delt med enheten."), None, "done")
    if unit_id is not None:
        unit = db.session.get(Unit, unit_id)
        if unit is None or not unit.active or unit.organisation_id != story.counterpart_org_id:
            raise _stale("unit")
    story.passed_on_at = now or utcnow()
    story.passed_on_by_id = actor.id
    story.passed_on_unit_id = unit_id
    db.session.flush()
    notify.to_reporter(story)
    return story


def set_shared(story: GoodStory, actor: User, shared: bool, now: datetime | None = None) -> None:
    """Show the story on the Læring page, or take it off; only with the reporter's consent."""
    _refuse_unless_handler(actor, story)
    if shared and not story.consent_to_share:
        raise ServiceError(
            _("Den som fortalte historien, har ikke samtykket til at den deles."),
            None,
            "no_consent",
        )
    story.shared_at = (now or utcnow()) if shared else None
    story.shared_by_id = actor.id if shared else None
    db.session.flush()


def withdraw_consent(story: GoodStory, reporter: User) -> None:
    """The reporter takes back the consent: the story leaves the Læring page at once."""
    if story.reporter_id != reporter.id:
        raise ServiceError(
            _("Bare den som fortalte historien kan trekke samtykket."), None, "forbidden"
        )
    story.consent_to_share = False
    story.shared_at = None
    story.shared_by_id = None
    db.session.flush()


def get_visible(user: User, story_id: int) -> GoodStory | None:
    story = db.session.get(GoodStory, story_id)
    if story is None or not permissions.can(user, "view", story):
        return None
    return story


def visible_stories(user: User, limit: int = 200) -> list[GoodStory]:
    """What the user told, and for handlers what their organisation sent or received."""
    return list(
        db.session.scalars(
            sa.select(GoodStory)
            .where(permissions.visible(user, GoodStory))
            .order_by(GoodStory.registered_at.desc(), GoodStory.id.desc())
            .limit(limit)
        )
    )


def waiting_for(user: User) -> int:
    """Stories to the user's organisation that the mottak has not passed on yet."""
    if not permissions.can(user, "open", permissions.INBOX):
        return 0
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(GoodStory)
        .where(
            permissions.visible(user, GoodStory, "handle"),
            GoodStory.passed_on_at.is_(None),
        )
    )
