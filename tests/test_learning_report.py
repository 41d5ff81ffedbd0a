"""The report's section Gode historier og læring: the same figures on the screen and in the
PDF, scoped like the rest, a lesson's text only when the improvement group chose it, and
nothing of a case."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from app.auth.services import find_user
from app.data.seed import HOSPITAL
from app.extensions import db
from app.learning.services import lessons, stories
from app.models import Organisation
from app.statistics import services as statistics
from reports import Tertial
from reports.i18n import NORWEGIAN
from reports.learning import LearningInput, LessonRecord
from reports.pdf import render_pdf
from tests import factories
from tests.support import pdf_text

T = Tertial.parse("2026-T2")
INSIDE = datetime(2026, 6, 10, 10, tzinfo=UTC)
AFTER = datetime(2026, 9, 10, 10, tzinfo=UTC)


def org(name: str) -> int:
    return db.session.scalar(sa.select(Organisation.id).where(Organisation.name == name))


def tell(teller: str, counterpart: str, at: datetime) -> None:
    stories.tell_story(
        find_user(teller),
        stories.StoryInput(org(counterpart), at.date(), "Tittel", "Bra", "Viktig"),
        now=at,
    )


def lesson(handler: str, reporter: str, counterpart: str, title: str, at: datetime, in_report):
    deviation = factories.deviation(
        reporter=reporter,
        counterpart=counterpart,
        title="Hemmelig sakstittel",
        description="Hemmelig sakstekst",
    )
    factories.answer(deviation, by=handler)
    written = lessons.write_lesson(
        find_user(handler),
        lessons.LessonInput(
            title, factories.category_id(), "Det som skjedde.", "Det som er endret."
        ),
        deviation=deviation,
    )
    lessons.review(written, find_user("forbedring@demo.demo"), publish=True, now=at)
    if in_report:
        lessons.set_in_report(written, find_user("forbedring@demo.demo"), True)


def fill() -> None:
    tell("melder@trondheim.demo", HOSPITAL, INSIDE)  # kommune → sykehus
    tell("melder@trondheim.demo", HOSPITAL, INSIDE)
    tell("melder@stolav.demo", "Malvik", INSIDE)  # sykehus → kommune
    tell("mottak@malvik.demo", "Trondheim", INSIDE)  # kommune → kommune
    tell("melder@stolav.demo", "Trondheim", AFTER)  # the next tertial
    lesson("mottak@stolav.demo", "melder@trondheim.demo", HOSPITAL, "Med tekst", INSIDE, True)
    lesson("mottak@trondheim.demo", "melder@stolav.demo", "Trondheim", "Uten tekst", INSIDE, False)
    lesson("mottak@stolav.demo", "melder@trondheim.demo", HOSPITAL, "Senere", AFTER, True)


def test_summary_counts_by_direction_and_lists_the_tertials_lessons(ctx):
    fill()
    summary = statistics.tertial_summary(T, statistics.ALL)
    counts = {r.key: r.count for r in summary.learning.stories_by_direction}
    assert counts == {"kommune_sykehus": 2, "sykehus_kommune": 1, "kommune_kommune": 1}
    assert summary.learning.stories_total == 4
    by_title = {lesson.title: lesson for lesson in summary.learning.lessons}
    assert set(by_title) == {"Med tekst", "Uten tekst"}
    assert by_title["Med tekst"].what_happened == "Det som skjedde."
    assert by_title["Uten tekst"].what_happened is None
    # A handler's report: the stories their organisation told or got, the lessons it wrote.
    malvik = statistics.tertial_summary(T, statistics.scope_for(find_user("mottak@malvik.demo")))
    assert malvik.learning.stories_total == 2 and malvik.learning.lessons == []
    trondheim = statistics.tertial_summary(
        T, statistics.scope_for(find_user("mottak@trondheim.demo"))
    )
    assert [lesson.title for lesson in trondheim.learning.lessons] == ["Uten tekst"]


def test_pdf_and_page_show_the_same_and_nothing_of_the_case(ctx, app):
    fill()
    summary = statistics.tertial_summary(T, statistics.ALL)
    text = "\n".join(pdf_text(render_pdf(summary, datetime(2026, 9, 1, tzinfo=UTC))))
    assert "Gode historier og læring" in text
    assert "Kommune til sykehus 2 50,0 %" in text
    assert "Med tekst" in text and "Uten tekst" in text
    assert text.count("Det som er endret.") == 1  # only the lesson ticked for the report
    for secret in ("Hemmelig sakstittel", "Hemmelig sakstekst", "AV-20"):
        assert secret not in text
    client = app.test_client()
    client.post("/logg-inn", data={"email": "forbedring@demo.demo", "password": "demo-avvik"})
    page = client.get("/statistikk/?tertial=2026-T2").get_data(as_text=True)
    assert 'id="historier"' in page and "Med tekst" in page
    assert page.count("Det som er endret.") == 1
    assert "Hemmelig sakstittel" not in page


def test_lesson_records_sort_by_publication():
    from reports.summary import _learning

    summary = _learning(
        LearningInput(
            {"kommune_sykehus": 1},
            [
                LessonRecord("B", "Annet", "Malvik", date(2026, 7, 1)),
                LessonRecord("A", "Annet", "Malvik", date(2026, 5, 1)),
            ],
        ),
        NORWEGIAN,
    )
    assert [lesson.title for lesson in summary.lessons] == ["A", "B"]
    assert [r.key for r in summary.stories_by_direction] == [
        "kommune_sykehus",
        "sykehus_kommune",
        "kommune_kommune",
    ]
