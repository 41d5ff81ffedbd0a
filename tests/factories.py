"""Test data through the real services: every row a test builds here is one the app could have
written, with its rules checked and its history, mail and search rows beside it.

Plain functions with keyword arguments and defaults that make a valid object; call them inside
an app context (the `ctx` fixture, or `with app.app_context():`). People are given by e-mail
address (the demo accounts: tests/README.md lists them), organisations by name. Nothing here
commits: the test's transaction is rolled back at its end.

    dev = factories.deviation()                                   # Trondheim → St. Olavs
    factories.answer(dev)                                          # by St. Olavs' mottak
    analysis = factories.analysis(dev, members=["forbedring@demo.demo"], filled=True)
    factories.lesson(deviation=dev, published_by="forbedring@demo.demo")

Data that must be exactly so (the statistics cases with hand-counted figures) keeps its own
module (tests/statistics_data.py), built from the lookups here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.admin.services.organisations import create_organisation
from app.admin.services.units import create_unit
from app.analysis import services as analysis_services
from app.auth.services import create_user, find_user
from app.common.dates import local, today_local
from app.data.demo import DEMO_PASSWORD
from app.data.seed import HOSPITAL, organisation_by_name
from app.deviations.services import DeviationInput, file_deviation
from app.extensions import db
from app.handling.fallback import make_move
from app.handling.thread import post_message
from app.handling.workflow import Move
from app.learning.services.lessons import LessonInput, review, write_lesson
from app.learning.services.stories import StoryInput, tell_story
from app.models import (
    ActionStatus,
    ActionStrength,
    Analysis,
    Category,
    Deviation,
    DeviationEvent,
    DeviationMessage,
    FactorGroup,
    GoodStory,
    Harm,
    Lesson,
    Organisation,
    OrgKind,
    Role,
    Unit,
    User,
    utcnow,
)

__all__ = [
    "ADMIN",
    "HOSPITAL",
    "LEADER",
    "REPORTER",
    "action_input",
    "analysis",
    "analysis_details",
    "answer",
    "break_check_digit",
    "category",
    "category_id",
    "day",
    "deviation",
    "fill_analysis",
    "forward",
    "identity_number",
    "lesson",
    "message",
    "move",
    "new_organisation",
    "new_unit",
    "new_user",
    "organisation",
    "story",
    "user",
]

REPORTER = "melder@trondheim.demo"  # files to St. Olavs by default
LEADER = "mottak@stolav.demo"  # a handler at St. Olavs: receives, answers, leads analyses
ADMIN = "admin@demo.demo"


# --- Lookups ------------------------------------------------------------------------------


def user(email: str) -> User:
    """An existing account (a demo account, or one a factory made)."""
    found = find_user(email)
    assert found is not None, email
    return found


def _user(who: str | User) -> User:
    return who if isinstance(who, User) else user(who)


def organisation(name: str = HOSPITAL) -> Organisation:
    return organisation_by_name(name)


def _org(which: str | Organisation) -> Organisation:
    return which if isinstance(which, Organisation) else organisation(which)


def category(name: str = "Utskrivning") -> Category:
    found = db.session.scalar(sa.select(Category).where(Category.name == name))
    assert found is not None, name
    return found


def category_id(name: str = "Utskrivning") -> int:
    return category(name).id


def day(offset: int) -> date:
    """Today in Oslo, ``offset`` days on (negative: back)."""
    return today_local() + timedelta(days=offset)


# --- Identity numbers -----------------------------------------------------------------------

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def identity_number(birth: str = "010190", individual: int = 123, d_number: bool = False) -> str:
    """A valid fødselsnummer (or D-nummer) for ddmmyy ``birth``: tries individual numbers upward
    until both check digits exist, as the registry does."""
    if d_number:
        birth = str(int(birth[0]) + 4) + birth[1:]
    for ind in range(individual, individual + 100):
        digits = [int(c) for c in f"{birth}{ind % 1000:03d}"]
        k1 = (11 - sum(d * w for d, w in zip(digits, _W1)) % 11) % 11
        if k1 == 10:
            continue
        digits.append(k1)
        k2 = (11 - sum(d * w for d, w in zip(digits, _W2)) % 11) % 11
        if k2 == 10:
            continue
        digits.append(k2)
        return "".join(map(str, digits))
    raise AssertionError("no valid number found")


def break_check_digit(number: str) -> str:
    """The same number with its last check digit wrong."""
    return number[:10] + str((int(number[10]) + 1) % 10)


# --- Organisations, units and people ------------------------------------------------------


def new_organisation(
    name: str = "Testkommune",
    *,
    kind: OrgKind = OrgKind.KOMMUNE,
    response_days: int = 14,
    by: str | User = ADMIN,
) -> Organisation:
    """A new organisation, created by an admin (with its admin-log row)."""
    return create_organisation(_user(by), name, kind, response_days)


def new_unit(
    org: str | Organisation = HOSPITAL,
    name: str = "Testenheten",
    *,
    parent: Unit | None = None,
    by: str | User = ADMIN,
) -> Unit:
    """A new unit of ``org`` (under ``parent``), created by an admin (with its admin-log row)."""
    return create_unit(_user(by), _org(org), name, parent.id if parent is not None else None)


def new_user(
    email: str = "ny@trondheim.demo",
    *,
    name: str = "Nina Ny",
    org: str | Organisation = "Trondheim",
    roles: Iterable[Role] = (),
    unit: Unit | None = None,
    password: str | None = DEMO_PASSWORD,
) -> User:
    """An active account with ``roles`` in ``org`` that can log in with the demo password."""
    return create_user(email, name, _org(org), password, set(roles), unit)


# --- Deviations and their handling -----------------------------------------------------------


def deviation(
    *,
    reporter: str | User = REPORTER,
    counterpart: str | Organisation = HOSPITAL,
    title: str = "Utskrevet uten epikrise",
    description: str = "Beskrivelse av hendelsen.",
    category: str = "Utskrivning",
    harm: Harm = Harm.LAV,
    event_date: date | None = None,
    days_ago: int = 0,
    now: datetime | None = None,
    patient: str | None = None,
    **more: object,
) -> Deviation:
    """A deviation filed through the form's service (reference, history row, mail to the
    receiving mottak, search row). ``days_ago`` files it that many days back (``now`` exactly
    then); the event happened on the filing day unless ``event_date`` says otherwise. ``more``
    are the other fields of DeviationInput (counterpart_unit_id, immediate_action …)."""
    if now is None and days_ago:
        now = utcnow() - timedelta(days=days_ago)
    if event_date is None:
        event_date = local(now).date() if now is not None else today_local()
    return file_deviation(
        _user(reporter),
        DeviationInput(
            counterpart_org_id=_org(counterpart).id,
            event_date=event_date,
            category_id=category_id(category),
            harm=harm,
            title=title,
            description=description,
            patient_id=patient,
            **more,  # type: ignore[arg-type]
        ),
        now=now,
    )


def _new_deviation() -> Deviation:
    # For the factories whose `deviation` argument hides the function.
    return deviation()


def move(deviation: Deviation, which: Move, by: str | User = LEADER, **how) -> DeviationEvent:
    """One move of the handling workflow (``how``: text, target_unit, target_org, now …), as
    the case page makes it: a re-routing to a mottak nobody staffs goes on to the fallback."""
    return make_move(deviation, which, _user(by), **how)


def answer(
    deviation: Deviation, by: str | User = LEADER, text: str = "Rutinen er endret.", **how
) -> DeviationEvent:
    """The receiving handler answers the reporter."""
    return move(deviation, Move.ANSWER, by, text=text, **how)


def forward(deviation: Deviation, to: Unit | int, by: str | User = LEADER, **how) -> DeviationEvent:
    """The receiving handler passes the case on to one of its organisation's units."""
    return move(deviation, Move.FORWARD, by, target_unit=to, **how)


def message(
    deviation: Deviation,
    by: str | User = REPORTER,
    body: str = "Har dere sett på saken?",
    *,
    internal: bool = False,
    now: datetime | None = None,
) -> DeviationMessage:
    """A message in the case's thread (``internal``: a handlers' note)."""
    return post_message(deviation, _user(by), body, internal=internal, now=now)


# --- Incident analyses ----------------------------------------------------------------------


def analysis_details(**overrides) -> analysis_services.AnalysisInput:
    values = {
        "title": "Utskrivning fredag kveld",
        "mandate": "Finn ut hvorfor pasienten ble skrevet ut uten at hjemmetjenesten var varslet.",
        "scope": "Fra utskrivningsbeslutning til første besøk hjemme.",
        "start_date": today_local(),
        "due_date": today_local() + timedelta(days=42),
    }
    values.update(overrides)
    return analysis_services.AnalysisInput(**values)


def analysis(
    deviation: Deviation | None = None,
    *,
    leader: str | User = LEADER,
    members: Iterable[str] = (),
    linked: Iterable[Deviation] = (),
    filled: bool = False,
    now: datetime | None = None,
    **details,
) -> Analysis:
    """An analysis started by ``leader`` from ``deviation`` (a new one by default), with
    ``members`` (e-mail addresses) added and ``linked`` deviations taken in; ``filled`` adds a
    plan as fill_analysis does. ``details`` override analysis_details()."""
    lead = _user(leader)
    started = analysis_services.start_analysis(
        lead, deviation or _new_deviation(), analysis_details(**details), now=now
    )
    for email in members:
        analysis_services.add_member(lead, started, email, now=now)
    for other in linked:
        analysis_services.link_deviation(lead, started, other, now=now)
    if filled:
        fill_analysis(started, actor=lead)
    return started


def action_input(analysis: Analysis, **overrides) -> analysis_services.ActionInput:
    values = {
        "text": "Utskrivning etter kl. 15 krever bekreftet mottak i kommunen.",
        "root_cause_id": analysis.root_causes[0].id,
        "responsible_org_id": organisation(HOSPITAL).id,
        "responsible_email": LEADER,
        "due_date": today_local() + timedelta(days=30),
        "status": ActionStatus.PLANLAGT,
        "strength": ActionStrength.STERK,
        "effect_measure": "Andel utskrivninger etter kl. 15 med bekreftet mottak, månedlig.",
    }
    values.update(overrides)
    return analysis_services.ActionInput(**values)


def fill_analysis(analysis: Analysis, actor: str | User = LEADER, with_action: bool = True) -> None:
    """A timeline entry, a problem with a factor, a root cause, an action and a learning point."""
    who = _user(actor)
    yesterday = today_local() - timedelta(days=1)
    analysis_services.add_timeline_entry(
        who,
        analysis,
        analysis_services.TimelineInput(yesterday, time(21, 5), "Pasienten kommer hjem", "Journal"),
    )
    problem = analysis_services.add_problem(
        who, analysis, "Hjemmetjenesten var ikke varslet om utskrivningen."
    )
    analysis_services.add_factor(
        who, analysis, problem, FactorGroup.TEAM, "Ingen fast rutine for muntlig overlevering."
    )
    analysis_services.add_root_cause(
        who, analysis, "Utskrivning sent på dagen uten bekreftet mottak."
    )
    if with_action:
        analysis_services.add_action(who, analysis, action_input(analysis))
    analysis_services.add_learning_point(who, analysis, "Ring kommunen før pasienten drar.")


# --- Learning: lessons and good stories -----------------------------------------------------


def lesson(
    *,
    deviation: Deviation | None = None,
    analysis: Analysis | None = None,
    author: str | User = LEADER,
    title: str = "Ring kommunen før utskrivning sent på dagen",
    category: str = "Utskrivning",
    what_happened: str = "En pasient kom hjem uten at hjemmetjenesten visste om det.",
    what_changed: str = "Avdelingen ringer hjemmetjenesten før pasienten drar.",
    published_by: str | User | None = None,
    now: datetime | None = None,
) -> Lesson:
    """A lesson written from an answered deviation (by default a new one, answered) or a
    finished analysis, waiting for review; ``published_by`` reviews and publishes it."""
    if deviation is None and analysis is None:
        deviation = _new_deviation()
        answer(deviation, by=author)
    written = write_lesson(
        _user(author),
        LessonInput(title, category_id(category), what_happened, what_changed),
        deviation=deviation,
        analysis=analysis,
        now=now,
    )
    if published_by is not None:
        review(written, _user(published_by), publish=True, now=now)
    return written


def story(
    *,
    reporter: str | User = REPORTER,
    counterpart: str | Organisation = HOSPITAL,
    title: str = "God overlevering ved utskrivning",
    description: str = "Sykepleieren ringte hjemmetjenesten og gikk gjennom medisinlisten.",
    why_it_mattered: str = "Pasienten fikk riktige medisiner samme kveld.",
    event_date: date | None = None,
    consent_to_share: bool = True,
    counterpart_unit_id: int | None = None,
    now: datetime | None = None,
) -> GoodStory:
    """A good story told to ``counterpart``'s mottak (with the mail that tells them)."""
    return tell_story(
        _user(reporter),
        StoryInput(
            counterpart_org_id=_org(counterpart).id,
            event_date=event_date or (local(now).date() if now else today_local()),
            title=title,
            description=description,
            why_it_mattered=why_it_mattered,
            counterpart_unit_id=counterpart_unit_id,
            consent_to_share=consent_to_share,
        ),
        now=now,
    )
