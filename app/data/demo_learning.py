"""Demo good stories and lessons, so the Læring page, the story lists and the report's section
*Gode historier og læring* are not empty on `make run`. Written through the services, dated in
the last complete tertial (which the statistics page opens on) and in the running one.
Idempotent: nothing is added once any story exists."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app.auth.services import find_user
from app.common.dates import OSLO, today_local
from app.data.seed import HOSPITAL, organisation_by_name, unit_by_path
from app.deviations.services import DeviationInput, file_deviation
from app.extensions import db
from app.handling.workflow import Move, transition
from app.learning.services.lessons import LessonInput, review, set_in_report, write_lesson
from app.learning.services.stories import StoryInput, pass_on, set_shared, tell_story
from app.models import Category, GoodStory, Harm
from reports import Tertial

# (teller, counterpart, unit, title, what went well, why it mattered, consent, passed on,
#  shared, day of the last complete tertial; None: two days ago)
STORIES = [
    ("melder@trondheim.demo", HOSPITAL, "Akuttmottaket",
     "Ringte før utskrivning", "Sykepleieren på sengeposten ringte oss dagen før, gikk gjennom medisinene og sendte epikrisen samme kveld.",
     "Vi hadde alt på plass da pasienten kom hjem, og pasienten slapp å vente på medisiner.", True, True, True, 20),
    ("melder@stolav.demo", "Trondheim", "Hjemmetjenesten",
     "Hjemmetjenesten møtte pasienten i døra", "Hjemmetjenesten kom til avtalt tid og hadde bestilt hjelpemidler før pasienten reiste fra sykehuset.",
     "En trygg hjemreise for en skrøpelig pasient, og ingen reinnleggelse.", True, True, True, 45),
    ("melder@stolav.demo", "Malvik", None,
     "Rask avklaring med tildelingskontoret", "Tildelingskontoret svarte innen en time og fant korttidsplass samme dag.",
     "Pasienten ble ikke liggende på sykehuset uten grunn.", True, False, False, 70),
    ("melder@trondheim.demo", HOSPITAL, None,
     "Tydelig legemiddelliste i epikrisen", "Legemiddellisten var oppdatert, med begrunnelse for hver endring.",
     "Fastlegen og hjemmesykepleien slapp å ringe rundt for å forstå endringene.", False, True, False, None),
    ("mottak@malvik.demo", "Trondheim", None,
     "Godt samarbeid om legevakt i helgen", "Legevakten i Trondheim tok imot pasienten vår og ga beskjed til oss om hva som var gjort.",
     "Vi kunne følge opp pasienten mandag morgen uten hull i informasjonen.", True, True, True, 95),
]  # fmt: skip

# (reporter, counterpart, category, case title, case text, answering handler, lesson title,
#  what happened, what changed, reviewer or None (waits for review), in the report, day)
LESSONS = [
    ("melder@trondheim.demo", HOSPITAL, "Epikrise/dokumentasjon",
     "Kom hjem uten epikrise", "Pasienten kom hjem fra sykehuset uten epikrise, og hjemmesykepleien visste ikke om nye medisiner.",
     "mottak@stolav.demo", "Epikrisen følger pasienten ved utskrivning",
     "Pasienter ble skrevet ut før epikrisen var ferdig, og kommunen fikk den først dagen etter.",
     "Sengepostene sender nå epikrise og legemiddelliste før pasienten forlater avdelingen. Sjekklisten for utskrivning er oppdatert.",
     "forbedring@demo.demo", True, 30),
    ("melder@stolav.demo", "Trondheim", "Innleggelse",
     "Innleggelsesrapport uten funksjonsnivå", "Innleggelsesrapporten manglet opplysninger om funksjonsnivå og pårørende.",
     "mottak@trondheim.demo", "Funksjonsnivå i innleggelsesrapporten",
     "Innleggelsesrapporter fra hjemmetjenesten manglet ofte funksjonsnivå, så sykehuset måtte ringe for å få det.",
     "Malen for innleggelsesrapport har nå faste felt for funksjonsnivå og pårørende, og nyansatte får opplæring.",
     "forbedring@demo.demo", False, 60),
    ("melder@trondheim.demo", HOSPITAL, "Legemidler/legemiddelliste",
     "Dosering av blodfortynnende uklar", "Doseringen var ikke beskrevet i epikrisen, og legevakten måtte kontaktes.",
     "mottak@stolav.demo", "Dosering skrives ut i klartekst",
     "Doseringen av blodfortynnende var ikke beskrevet, og kommunen måtte kontakte lege for å gi riktig dose.",
     "Epikrisemalen krever nå dose og varighet i klartekst for blodfortynnende legemidler.",
     None, False, None),
]  # fmt: skip


def _when(tertial: Tertial, day: int | None) -> datetime:
    if day is None:
        return datetime.combine(today_local() - timedelta(days=2), time(10), OSLO)
    return datetime.combine(tertial.start + timedelta(days=day), time(10), OSLO)


def create_demo_learning() -> int:
    """Returns how many stories and lessons were made (0 when they exist already)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(GoodStory)):
        return 0
    tertial = Tertial.last_complete(today_local())
    made = 0
    for teller, org, unit, title, went_well, why, consent, passed, shared, day in STORIES:
        counterpart = organisation_by_name(org)
        at = _when(tertial, day)
        story = tell_story(
            find_user(teller),
            StoryInput(
                counterpart_org_id=counterpart.id,
                counterpart_unit_id=unit_by_path(counterpart, unit).id if unit else None,
                event_date=at.date() - timedelta(days=1),
                title=title,
                description=went_well,
                why_it_mattered=why,
                consent_to_share=consent,
            ),
            now=at,
        )
        mottak = "mottak@stolav.demo" if org == HOSPITAL else f"mottak@{org.lower()}.demo"
        if passed:
            pass_on(story, find_user(mottak), story.counterpart_unit_id, now=at + timedelta(days=2))
        if shared:
            set_shared(story, find_user(mottak), True, now=at + timedelta(days=2))
        made += 1
    categories = {c.name: c.id for c in db.session.scalars(sa.select(Category))}
    for (reporter, org, category, case_title, case_text, handler, title, happened, changed,
         reviewer, in_report, day) in LESSONS:  # fmt: skip
        at = _when(tertial, day)
        deviation = file_deviation(
            find_user(reporter),
            DeviationInput(
                counterpart_org_id=organisation_by_name(org).id,
                event_date=at.date() - timedelta(days=11),
                category_id=categories[category],
                harm=Harm.LAV,
                title=case_title,
                description=case_text,
            ),
            now=at - timedelta(days=10),
        )
        transition(
            deviation,
            Move.ANSWER,
            find_user(handler),
            text="Takk for meldingen. Vi har gått gjennom rutinen og endret den.",
            now=at - timedelta(days=3),
        )
        lesson = write_lesson(
            find_user(handler),
            LessonInput(title, categories[category], happened, changed),
            deviation=deviation,
            now=at - timedelta(days=2),
        )
        if reviewer:
            review(lesson, find_user(reviewer), publish=True, now=at)
            if in_report:
                set_in_report(lesson, find_user(reviewer), True)
        made += 1
    return made
