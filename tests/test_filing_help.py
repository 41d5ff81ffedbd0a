"""Faster filing over HTTP (issue 20): the starting points, the suggested category, the warning
before a second similar case, the optional questions opening by themselves, and a case filed
with its title alone."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Deviation, utcnow
from tests import factories
from tests.test_filing_routes import valid_form

NURSE = "melder@trondheim.demo"  # Trondheim
COLLEAGUE = "lokaladmin@trondheim.demo"  # Trondheim too
HOSPITAL_NURSE = "melder@stolav.demo"  # St. Olavs


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Deviation))


def _starts(page: str) -> list[str]:
    """The starting points' texts, in order, as 'category → counterpart'."""
    found = re.findall(
        r'class="btn btn-outline-primary text-start filing-start"\s+href="([^"]+)"'
        r'.*?<span class="fw-semibold">([^<]+)</span>\s*<span class="d-block small">til ([^<]+)</span>',
        page,
        re.DOTALL,
    )
    return [f"{category} → {org}" for _, category, org in found]


def test_starting_points_are_the_organisations_five_most_frequent_kinds(app, login_as):
    with app.app_context():
        for category, counterpart, times, reporter in (
            ("Legemidler/legemiddelliste", "St. Olavs hospital HF", 4, NURSE),
            ("Utskrivning", "St. Olavs hospital HF", 3, COLLEAGUE),
            ("Transport", "Malvik", 2, NURSE),
            ("Innleggelse", "St. Olavs hospital HF", 2, COLLEAGUE),
            ("Hjelpemidler/utstyr", "Malvik", 1, NURSE),
            ("Annet", "Malvik", 1, NURSE),
        ):
            for n in range(times):
                factories.deviation(
                    reporter=reporter, counterpart=counterpart, category=category, days_ago=2 + n
                )
        # Older than twelve months, and another organisation's: neither counts.
        for n in range(6):
            factories.deviation(category="Epikrise/dokumentasjon", days_ago=370 + n)
            factories.deviation(
                reporter=HOSPITAL_NURSE, counterpart="Trondheim", category="Transport"
            )
        ids = {
            "legemidler": factories.category_id("Legemidler/legemiddelliste"),
            "hospital": factories.organisation().id,
        }
        db.session.commit()

    client = login_as(NURSE)
    page = client.get("/avvik/nytt").get_data(as_text=True)
    assert "Start fra et vanlig avvik i Trondheim" in page
    assert _starts(page) == [
        "Legemidler/legemiddelliste → St. Olavs hospital HF",
        "Utskrivning → St. Olavs hospital HF",
        "Innleggelse → St. Olavs hospital HF",
        "Transport → Malvik",
        "Annet → Malvik",  # ties by name: Annet before Hjelpemidler/utstyr
    ]

    # One tap: the link opens the form with both chosen, and today's date.
    link = re.search(r'href="(/avvik/nytt\?[^"]+)"', page).group(1).replace("&amp;", "&")
    prefilled = client.get(link).get_data(as_text=True)
    assert f'<option value="{ids["hospital"]}" selected>St. Olavs hospital HF</option>' in prefilled
    assert re.search(rf'<option selected value="{ids["legemidler"]}">', prefilled) or (
        f'<option value="{ids["legemidler"]}" selected' in prefilled
    )

    # Someone at St. Olavs sees St. Olavs' own kinds; a new organisation none (and no heading).
    hospital = login_as(HOSPITAL_NURSE).get("/avvik/nytt").get_data(as_text=True)
    assert _starts(hospital) == ["Transport → Trondheim"]
    assert "Start fra et vanlig avvik" not in login_as("mottak@malvik.demo").get(
        "/avvik/nytt"
    ).get_data(as_text=True)


def test_a_stale_starting_point_link_is_harmless(app, login_as):
    client = login_as(NURSE)
    for query in ("category=abc&counterpart_org=99999999999", "category=%C2%B2", "category=999999"):
        response = client.get(f"/avvik/nytt?{query}")
        assert response.status_code == 200


def test_category_suggested_from_the_organisations_own_history(app, login_as):
    with app.app_context():
        legemidler = factories.category_id("Legemidler/legemiddelliste")
        utskrivning = factories.category_id("Utskrivning")
        hospital = factories.organisation().id
        malvik = factories.organisation("Malvik").id
        for title, category, counterpart in (
            (
                "Utskrevet uten legemiddelliste",
                "Legemidler/legemiddelliste",
                "St. Olavs hospital HF",
            ),
            ("Legemiddelliste manglet", "Legemidler/legemiddelliste", "St. Olavs hospital HF"),
            ("Utskrevet uten epikrise", "Utskrivning", "St. Olavs hospital HF"),
            ("Utskrevet uten beskjed", "Utskrivning", "Malvik"),
            ("Utskrevet uten avtale", "Utskrivning", "Malvik"),
        ):
            factories.deviation(title=title, category=category, counterpart=counterpart)
        # Another organisation's many cases with the same words do not count.
        for _ in range(5):
            factories.deviation(
                reporter=HOSPITAL_NURSE,
                counterpart="Trondheim",
                title="Legemiddelliste og utskrevet",
                category="Transport",
            )
        # Nor do the organisation's own from more than a year ago.
        for _ in range(5):
            factories.deviation(title="Legemiddelliste", category="Annet", days_ago=400)
        db.session.commit()

    client = login_as(NURSE)

    def suggest(**params) -> object:
        response = client.get("/avvik/nytt/kategoriforslag", query_string=params)
        assert response.status_code == 200 and response.is_json
        return response.get_json()["category"]

    assert suggest(title="Utskrevet uten legemiddelliste", counterpart_org=hospital) == legemidler
    assert suggest(title="legemiddellisten manglet igjen") == legemidler  # stemmed
    assert suggest(title="Utskrevet", counterpart_org=malvik) == utskrivning
    assert suggest(title="Transport kom for sent") is None
    assert suggest(title="og i på") is None  # only stop words
    assert suggest(title="", counterpart_org="abc") is None
    assert suggest(title="x" * 5000, counterpart_org="99999999999") is None
    # Another organisation's reporter gets its own history's answer.
    assert login_as(HOSPITAL_NURSE).get(
        "/avvik/nytt/kategoriforslag", query_string={"title": "legemiddelliste"}
    ).get_json() == {"category": factories_category(app, "Transport")}
    # Only for someone signed in.
    client.post("/logg-ut")
    assert client.get("/avvik/nytt/kategoriforslag?title=x").status_code == 302


def factories_category(app, name: str) -> int:
    with app.app_context():
        return factories.category_id(name)


def test_warning_before_a_similar_case_to_the_same_counterpart_within_a_day(app, login_as):
    with app.app_context():
        earlier = factories.deviation(
            title="Epikrise manglet", category="Utskrivning", now=utcnow() - timedelta(hours=3)
        )
        reference = earlier.reference
        # Neither of these warns: another reporter's, and the nurse's own from 25 hours ago.
        factories.deviation(reporter=COLLEAGUE, title="Epikrise manglet ved utskrivning")
        factories.deviation(
            title="Epikrise manglet ved utskrivning",
            category="Legemidler/legemiddelliste",
            now=utcnow() - timedelta(hours=25),
        )
        db.session.commit()
    client = login_as(NURSE)
    form = valid_form(
        app,
        title="Epikrise manglet ved utskrivning",
        immediate_action="Ringte avdelingen i dag.",
        patient_id=factories_identity(),
    )

    response = client.post("/avvik/nytt", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Du har nylig sendt et lignende avvik" in page
    assert f'href="/avvik/{reference}"' in page and "Epikrise manglet" in page
    assert 'name="send_likevel" value="1"' in page and "Send likevel" in page
    # Nothing typed is lost (the patient's number too), and the optional part is open.
    assert 'value="Epikrise manglet ved utskrivning"' in page
    assert "Ringte avdelingen i dag." in page
    assert f'value="{form["patient_id"]}"' in page
    assert 'id="flere-opplysninger" open' in page
    with app.app_context():
        assert _count() == 3

    # A similar title in another category warns too; a different case to the same place does not.
    other = valid_form(
        app, category=str(factories_category(app, "Annet")), title="Epikrise kom ikke"
    )
    assert "lignende avvik" in client.post("/avvik/nytt", data=other).get_data(as_text=True)
    with app.app_context():
        assert _count() == 3
    unrelated = valid_form(
        app, category=str(factories_category(app, "Transport")), title="Transporten uteble"
    )
    assert client.post("/avvik/nytt", data=unrelated).status_code == 302

    # "Send likevel" files it as it is.
    response = client.post("/avvik/nytt", data=form | {"send_likevel": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert _count() == 5
        newest = db.session.scalar(sa.select(Deviation).order_by(Deviation.id.desc()).limit(1))
        assert newest.title == "Epikrise manglet ved utskrivning" and newest.has_patient_id

    # Another counterpart: no warning.
    with app.app_context():
        malvik = factories.organisation("Malvik").id
    assert (
        client.post("/avvik/nytt", data=form | {"counterpart_org": str(malvik)}).status_code == 302
    )


def factories_identity() -> str:
    return factories.identity_number("120345")


def test_optional_questions_open_by_themselves(app, login_as):
    client = login_as(NURSE)
    closed = client.get("/avvik/nytt").get_data(as_text=True)
    assert 'id="flere-opplysninger">' in closed
    assert "Legg til flere opplysninger (valgfritt)" in closed
    # An error in one of them opens them.
    page = client.post("/avvik/nytt", data=valid_form(app, suggestion="x" * 2001))
    assert page.status_code == 422
    assert 'id="flere-opplysninger" open' in page.get_data(as_text=True)
    # A value in one of them, with an error elsewhere, keeps them open.
    page = client.post("/avvik/nytt", data=valid_form(app, title="", agreement="", suggestion="Ja"))
    assert 'id="flere-opplysninger" open' in page.get_data(as_text=True)
    # An error only among the required ones leaves them closed.
    page = client.post(
        "/avvik/nytt", data=valid_form(app, title="", immediate_action="", suggestion="")
    )
    assert 'id="flere-opplysninger">' in page.get_data(as_text=True)


def test_title_alone_files_a_case(app, login_as):
    client = login_as(NURSE)
    form = valid_form(
        app,
        title="Utskrevet uten legemiddelliste",
        description="",
        immediate_action="",
        suggestion="",
    )
    assert client.post("/avvik/nytt", data=form).status_code == 302
    with app.app_context():
        deviation = db.session.scalar(sa.select(Deviation))
        assert deviation.description == "Utskrevet uten legemiddelliste"
    # Without a title, nothing: the title is the one sentence a case needs.
    page = client.post("/avvik/nytt", data=form | {"title": ""}).get_data(as_text=True)
    assert "Skriv en kort tittel." in page
