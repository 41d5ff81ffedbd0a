"""Good stories and lessons over HTTP: the forms keep what was typed, the access rules as a
table, the mottak's moves, review before publication, and the Læring page showing nothing of
the case."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.services import find_user
from app.common.dates import today_local
from app.data.seed import HOSPITAL
from app.extensions import db
from app.models import GoodStory, Lesson, LessonStatus, Organisation, OutboxMail
from tests import factories
from tests.factories import identity_number


def org_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Organisation.id).where(Organisation.name == name))


def story_form(app, **overrides) -> dict[str, str]:
    data = {
        "counterpart_org": str(org_id(app, HOSPITAL)),
        "counterpart_unit": "",
        "event_date": today_local().isoformat(),
        "title": "God overføring fra akuttmottaket",
        "description": "Sykepleieren ringte oss før pasienten kom, og alt var klart.",
        "why_it_mattered": "Pasienten fikk medisinene sine i tide.",
        "consent_to_share": "y",
    }
    data.update(overrides)
    return data


def tell(app, client, reporter="melder@trondheim.demo", **overrides) -> int:
    client.post("/logg-ut")
    from tests.support import login

    login(client, reporter)
    response = client.post("/gode-historier/ny", data=story_form(app, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_story_form_has_the_published_field_names(app, login_as):
    page = login_as("melder@trondheim.demo").get("/gode-historier/ny").get_data(as_text=True)
    for name in ("counterpart_org", "counterpart_unit", "event_date", "title", "description",
                 "why_it_mattered"):  # fmt: skip
        assert f'name="{name}"' in page
    assert "pasientens fødselsnummer" not in page.lower().replace(
        "pasientens navn eller fødselsnummer", ""
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("counterpart_org", "", "Velg organisasjonen historien gjelder."),
        ("title", "", "Skriv en kort tittel."),
        ("description", "", "Fortell hva som gikk bra."),
        ("why_it_mattered", "", "Skriv hvorfor det betydde noe"),
        ("event_date", "2.3.", "Skriv inn datoen da det skjedde"),
        ("title", "x" * 151, "Teksten er for lang: høyst 150 tegn."),
        ("description", f"Gjaldt {identity_number('010190')}", "fødselsnummer eller D-nummer"),
        ("counterpart_org", "987654", "Valget finnes ikke lenger."),
    ],
)
def test_story_validation_keeps_what_was_typed(app, login_as, field, value, message):
    client = login_as("melder@trondheim.demo")
    response = client.post("/gode-historier/ny", data=story_form(app, **{field: value}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert "Pasienten fikk medisinene sine i tide." in page or field == "why_it_mattered"
    if field == "description":
        assert value in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(GoodStory)) == 0


def test_own_organisation_refused(app, login_as):
    client = login_as("melder@trondheim.demo")
    data = story_form(app, counterpart_org=str(org_id(app, "Trondheim")))
    page = client.post("/gode-historier/ny", data=data).get_data(as_text=True)
    assert "Gode historier handler om samarbeidet med en annen organisasjon." in page


# (user, may read a story Trondheim (melder@trondheim.demo) → St. Olavs, may pass it on)
STORY_ACCESS = [
    ("melder@trondheim.demo", 200, False),  # the teller
    ("mottak@stolav.demo", 200, True),  # the counterpart's mottak
    ("mottak@trondheim.demo", 200, False),  # a handler of the teller's organisation
    ("mottak@malvik.demo", 404, False),
    ("melder@stolav.demo", 404, False),  # staff of the counterpart who are not the mottak
    ("forbedring@demo.demo", 404, False),
    ("admin@demo.demo", 404, False),
]


@pytest.mark.parametrize(("user", "status", "handles"), STORY_ACCESS)
def test_story_access_table(app, client, user, status, handles):
    story_id = tell(app, client, consent_to_share="")
    from tests.support import login

    client.post("/logg-ut")
    login(client, user)
    assert client.get(f"/gode-historier/{story_id}").status_code == status
    listed = client.get("/gode-historier").get_data(as_text=True)
    assert ("God overføring fra akuttmottaket" in listed) is (status == 200)
    response = client.post(f"/gode-historier/{story_id}/delt-med-enheten", data={"unit": ""})
    with app.app_context():
        story = db.session.get(GoodStory, story_id)
        assert story.is_passed_on is handles
    assert response.status_code == (302 if status == 200 else 404)


def test_new_story_tells_the_mottak_and_passing_on_tells_the_teller_without_content(app, client):
    story_id = tell(app, client)
    with app.app_context():
        mails = db.session.scalars(sa.select(OutboxMail)).all()
        assert {m.to_address for m in mails} == {"mottak@stolav.demo"}
    from tests.support import login

    client.post("/logg-ut")
    login(client, "mottak@stolav.demo")
    page = client.get(f"/gode-historier/{story_id}").get_data(as_text=True)
    assert "Marker som delt med enheten" in page
    assert (
        client.post(f"/gode-historier/{story_id}/delt-med-enheten", data={"unit": ""}).status_code
        == 302
    )
    # A second time changes nothing and sends nothing.
    client.post(f"/gode-historier/{story_id}/delt-med-enheten", data={"unit": ""})
    with app.app_context():
        mails = db.session.scalars(
            sa.select(OutboxMail).where(OutboxMail.to_address == "melder@trondheim.demo")
        ).all()
        assert len(mails) == 1
        for mail in db.session.scalars(sa.select(OutboxMail)):
            for text in ("akuttmottaket", "Sykepleieren", "medisinene", "Kari", "Trondheim"):
                assert text not in mail.subject + mail.body
            assert f"/gode-historier/{story_id}" in mail.body


def test_mail_in_the_tellers_language(app, client):
    with app.app_context():
        find_user("melder@trondheim.demo").language = "en"
        db.session.commit()
    story_id = tell(app, client)
    with app.app_context():
        from app.learning.services.stories import pass_on

        story = db.session.get(GoodStory, story_id)
        pass_on(story, find_user("mottak@stolav.demo"))
        mail = db.session.scalar(
            sa.select(OutboxMail).where(OutboxMail.to_address == "melder@trondheim.demo")
        )
        assert "Your story has been passed on" in mail.subject


def test_sharing_needs_consent_and_the_laering_page_hides_the_teller(app, client):
    without = tell(app, client, consent_to_share="", title="Uten samtykke")
    with_consent = tell(app, client, title="Raskt svar fra fastlegekontoret")
    from tests.support import login

    client.post("/logg-ut")
    login(client, "mottak@stolav.demo")
    client.post(f"/gode-historier/{without}/del")
    client.post(f"/gode-historier/{with_consent}/del")
    client.post("/logg-ut")
    login(client, "mottak@malvik.demo")  # a stranger to both organisations
    page = client.get("/laering").get_data(as_text=True)
    assert "Raskt svar fra fastlegekontoret" in page
    assert "Uten samtykke" not in page
    assert "Kari Nordmann" not in page
    assert "Hjemmetjenesten" not in page  # the teller's unit is not shown either
    assert client.get(f"/gode-historier/{with_consent}").status_code == 404
    # The teller takes the consent back: gone from the page at once.
    client.post("/logg-ut")
    login(client, "melder@trondheim.demo")
    client.post(f"/gode-historier/{with_consent}/trekk-samtykke")
    assert "Raskt svar fra fastlegekontoret" not in client.get("/laering").get_data(as_text=True)


# --- Lessons ---------------------------------------------------------------------------------

LESSON = {
    "title": "Epikrise sendes samme dag",
    "category": None,
    "what_happened": "Pasienter kom hjem før epikrisen var sendt.",
    "what_changed": "Sengeposten sender nå epikrisen før pasienten reiser.",
}


def lesson_form(app, **overrides):
    with app.app_context():
        data = dict(LESSON, category=str(factories.category_id()))
    data.update(overrides)
    return data


def answered_case(app) -> str:
    with app.app_context():
        deviation = factories.deviation(
            reporter="melder@trondheim.demo",
            counterpart=HOSPITAL,
            title="Hemmelig sakstittel",
            description="Hemmelig sakstekst",
        )
        factories.answer(deviation, by="mottak@stolav.demo")
        db.session.commit()
        return deviation.reference


# Who may write a lesson from a deviation St. Olavs answered (Trondheim → St. Olavs).
WRITE_ACCESS = [
    ("mottak@stolav.demo", 200),
    ("mottak@trondheim.demo", 404),  # the reporting side's handler
    ("melder@trondheim.demo", 404),
    ("forbedring@demo.demo", 404),
    ("mottak@malvik.demo", 404),
]


@pytest.mark.parametrize(("user", "status"), WRITE_ACCESS)
def test_who_may_write_a_lesson(app, login_as, user, status):
    reference = answered_case(app)
    client = login_as(user)
    assert client.get(f"/laering/nytt?avvik={reference}").status_code == status
    response = client.post(f"/laering/nytt?avvik={reference}", data=lesson_form(app))
    assert response.status_code == (302 if status == 200 else 404)


def test_no_lesson_before_the_case_is_answered(app, login_as):
    with app.app_context():
        reference = factories.deviation(
            reporter="melder@trondheim.demo", counterpart=HOSPITAL, title="Åpen sak"
        ).reference
        db.session.commit()
    assert login_as("mottak@stolav.demo").get(f"/laering/nytt?avvik={reference}").status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("what_happened", "Se AV-2026-00012 for detaljer.", "Ta bort referansenummeret"),
        ("what_changed", f"Ring om {identity_number('241287')}", "fødselsnummer"),
        ("title", "", "Skriv en kort tittel."),
        ("category", "", "Velg en kategori."),
    ],
)
def test_lesson_text_refused_and_kept(app, login_as, field, value, message):
    reference = answered_case(app)
    client = login_as("mottak@stolav.demo")
    response = client.post(
        f"/laering/nytt?avvik={reference}", data=lesson_form(app, **{field: value})
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert "Sengeposten sender nå epikrisen" in page or field == "what_changed"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Lesson)) == 0


def write_lesson(app, login_as) -> int:
    reference = answered_case(app)
    client = login_as("mottak@stolav.demo")
    response = client.post(f"/laering/nytt?avvik={reference}", data=lesson_form(app))
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


# Before publication: (user, may read, may review)
LESSON_ACCESS = [
    ("mottak@stolav.demo", 200, False),  # the author never reviews their own
    ("forbedring@demo.demo", 200, True),
    ("mottak@trondheim.demo", 404, False),
    ("melder@trondheim.demo", 404, False),  # the reporter of the case
    ("admin@demo.demo", 404, False),
]


@pytest.mark.parametrize(("user", "status", "reviews"), LESSON_ACCESS)
def test_lesson_access_before_publication(app, login_as, user, status, reviews):
    lesson_id = write_lesson(app, login_as)
    client = login_as(user)
    assert client.get(f"/laering/{lesson_id}").status_code == status
    # Not on the Læring page before publication (a reviewer sees it in "venter på vurdering").
    assert 'id="laering-liste"' not in client.get("/laering").get_data(as_text=True)
    client.post(f"/laering/{lesson_id}/vurdering", data={"decision": "publiser"})
    with app.app_context():
        assert (db.session.get(Lesson, lesson_id).status is LessonStatus.PUBLISERT) is reviews


def test_a_second_handler_reviews(app, login_as):
    with app.app_context():
        from app.auth.services import create_user
        from app.data.demo import DEMO_PASSWORD
        from app.data.seed import organisation_by_name
        from app.models import Role

        create_user(
            "mottak2@stolav.demo",
            "Per Mottak",
            organisation_by_name(HOSPITAL),
            DEMO_PASSWORD,
            {Role.SAKSBEHANDLER},
        )
        db.session.commit()
    lesson_id = write_lesson(app, login_as)
    client = login_as("mottak2@stolav.demo")
    page = client.get(f"/laering/{lesson_id}").get_data(as_text=True)
    assert "Vurder før publisering" in page
    refused = client.post(f"/laering/{lesson_id}/vurdering", data={"decision": "returner"})
    assert refused.status_code == 422
    assert "Skriv hva forfatteren bør endre." in refused.get_data(as_text=True)
    client.post(
        f"/laering/{lesson_id}/vurdering",
        data={"decision": "returner", "comment": "Skriv litt mer om hva som er endret."},
    )
    # Back to the author, who edits and sends it again.
    author = login_as("mottak@stolav.demo")
    assert "Skriv litt mer" in author.get(f"/laering/{lesson_id}/endre").get_data(as_text=True)
    author.post(f"/laering/{lesson_id}/endre", data=lesson_form(app, what_changed="Ny rutine."))
    client = login_as("mottak2@stolav.demo")
    client.post(f"/laering/{lesson_id}/vurdering", data={"decision": "publiser"})
    with app.app_context():
        assert db.session.get(Lesson, lesson_id).status is LessonStatus.PUBLISERT


def test_published_lesson_on_the_laering_page_without_the_case(app, login_as):
    lesson_id = write_lesson(app, login_as)
    reviewer = login_as("forbedring@demo.demo")
    reviewer.post(f"/laering/{lesson_id}/vurdering", data={"decision": "publiser"})
    with app.app_context():
        reference = db.session.get(Lesson, lesson_id).deviation.reference
    for user in ("melder@stolav.demo", "mottak@malvik.demo", "admin@demo.demo"):
        client = login_as(user)
        page = client.get("/laering").get_data(as_text=True)
        assert "Epikrise sendes samme dag" in page
        lesson_page = client.get(f"/laering/{lesson_id}").get_data(as_text=True)
        for text in (reference, "Hemmelig sakstittel", "Hemmelig sakstekst", "Kari Nordmann"):
            assert text not in page and text not in lesson_page
    # Searchable on the page, by stem and by the start of a compound word.
    client = login_as("melder@stolav.demo")
    assert "Epikrise sendes samme dag" in client.get("/laering?q=sengepost").get_data(as_text=True)
    assert "Epikrise sendes samme dag" not in client.get("/laering?q=rullestol").get_data(
        as_text=True
    )
    assert "Epikrise sendes samme dag" not in client.get("/laering?type=historie").get_data(
        as_text=True
    )


def test_only_the_improvement_group_ticks_med_i_rapporten(app, login_as):
    lesson_id = write_lesson(app, login_as)
    login_as("forbedring@demo.demo").post(
        f"/laering/{lesson_id}/vurdering", data={"decision": "publiser"}
    )
    login_as("mottak@stolav.demo").post(f"/laering/{lesson_id}/rapport", data={"in_report": "y"})
    with app.app_context():
        assert db.session.get(Lesson, lesson_id).in_report is False
    login_as("forbedring@demo.demo").post(f"/laering/{lesson_id}/rapport", data={"in_report": "y"})
    with app.app_context():
        assert db.session.get(Lesson, lesson_id).in_report is True
    # Withdrawn: off the page and out of the report.
    login_as("mottak@stolav.demo").post(f"/laering/{lesson_id}/trekk-tilbake")
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        assert lesson.status is LessonStatus.TRUKKET and lesson.in_report is False
    assert login_as("melder@stolav.demo").get(f"/laering/{lesson_id}").status_code == 404


def test_deviation_page_offers_the_lesson_to_the_receiving_handler(app, login_as):
    reference = answered_case(app)
    page = login_as("mottak@stolav.demo").get(f"/avvik/{reference}").get_data(as_text=True)
    assert "Skriv læringspunkt" in page
    page = login_as("mottak@trondheim.demo").get(f"/avvik/{reference}").get_data(as_text=True)
    assert "Skriv læringspunkt" not in page


def test_pages_are_linked_from_the_front_page_and_the_menu(app, login_as):
    client = login_as("melder@trondheim.demo")
    page = client.get("/").get_data(as_text=True)
    # A good story is a page of the Læring section (issue 22: at most five menu entries): the
    # menu leads to Læring, the front page and the Læring page to the story form.
    assert 'href="/gode-historier/ny"' in page.split("</header>")[1]  # the front page
    assert 'href="/laering"' in page.split("</header>")[0]  # the menu
    assert 'href="/gode-historier/ny"' in client.get("/laering").get_data(as_text=True)


def test_lessons_from_a_finished_analysis(app, login_as):
    from app.analysis import services as analysis_services
    from app.models import AnalysisStatus

    with app.app_context():
        analysis = factories.analysis()
        factories.fill_analysis(analysis)
        reference = analysis.reference
        db.session.commit()
    # Not before it is ferdig.
    client = login_as("mottak@stolav.demo")
    assert client.get(f"/laering/nytt?analyse={reference}").status_code == 404
    with app.app_context():
        analysis = analysis_services.get_by_reference(reference)
        analysis_services.set_status(
            factories.user("mottak@stolav.demo"), analysis, AnalysisStatus.FERDIG
        )
        db.session.commit()
    page = client.get(f"/analyser/{reference}").get_data(as_text=True)
    assert "Skriv læringspunkt" in page
    response = client.post(f"/laering/nytt?analyse={reference}", data=lesson_form(app))
    assert response.status_code == 302
    # The reporting side's handler (Trondheim) did not receive the analysed case.
    assert (
        login_as("mottak@trondheim.demo").get(f"/laering/nytt?analyse={reference}").status_code
        == 404
    )
