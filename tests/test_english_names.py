"""Categories, agreements and units have an English name beside the Norwegian (issue 22): the
admin enters both, an English reader sees the English one on every page, form and statistic,
the Norwegian where none is given; the CSV export stays Norwegian (the importer's format)."""

from __future__ import annotations

import sqlalchemy as sa

from app.auth.services import find_user
from app.data.seed import HOSPITAL
from app.extensions import db
from app.models import Agreement, Category, Unit
from tests import factories, statistics_data
from tests.support import pdf_text


def _english(*emails: str) -> None:
    for email in emails:
        find_user(email).language = "en"
    db.session.commit()


def _unit(org: str, name: str) -> Unit:
    return db.session.scalars(
        sa.select(Unit).where(
            Unit.organisation_id == factories.organisation(org).id, Unit.name == name
        )
    ).one()


def _category(name: str) -> Category:
    return db.session.scalars(sa.select(Category).where(Category.name == name)).one()


def test_admin_enters_both_names(app, login_as):
    client = login_as("admin@demo.demo")
    added = client.post("/admin/kategorier", data={"name": "Ernæring", "name_en": "  Nutrition  "})
    assert added.status_code == 302
    with app.app_context():
        item = _category("Ernæring")
        assert item.name_en == "Nutrition"
        item_id = item.id
    # Another entry's name, in either language, is refused beside the field; nothing changes.
    taken = client.post(
        f"/admin/kategorier/{item_id}", data={"name": "Ernæring", "name_en": "Discharge"}
    )
    assert taken.status_code == 422 and "Navnet er allerede i bruk." in taken.text
    page = client.get(f"/admin/kategorier/{item_id}").text
    assert 'name="name_en"' in page and 'value="Nutrition"' in page and "Navn på engelsk" in page
    # Left empty, the English name is gone: English readers see the Norwegian.
    assert (
        client.post(
            f"/admin/kategorier/{item_id}", data={"name": "Ernæring", "name_en": ""}
        ).status_code
        == 302
    )
    with app.app_context():
        assert _category("Ernæring").name_en is None
        agreement_id = db.session.scalar(sa.select(Agreement.id).order_by(Agreement.position))
    renamed = client.post(
        f"/admin/avtaler/{agreement_id}",
        data={"name": "Overordnet samarbeidsavtale", "name_en": "Main agreement"},
    )
    assert renamed.status_code == 302
    assert "Main agreement" in client.get("/admin/avtaler").text

    # A local admin names their own organisation's units in both languages.
    local = login_as("lokaladmin@trondheim.demo")
    with app.app_context():
        trondheim_id = factories.organisation("Trondheim").id
    created = local.post(
        f"/admin/organisasjoner/{trondheim_id}/enheter",
        data={
            "name": "Rus og psykisk helse",
            "name_en": "Substance use and mental health",
            "parent": "",
        },
    )
    assert created.status_code == 302
    with app.app_context():
        unit = _unit("Trondheim", "Rus og psykisk helse")
        assert unit.name_en == "Substance use and mental health"
        unit_id = unit.id
    edited = local.post(
        f"/admin/enheter/{unit_id}",
        data={
            "name": "Rus og psykisk helse",
            "name_en": "Mental health and addiction",
            "parent": "",
        },
    )
    assert edited.status_code == 302
    with app.app_context():
        assert _unit("Trondheim", "Rus og psykisk helse").name_en == "Mental health and addiction"
    assert (
        "Mental health and addiction"
        in local.get(f"/admin/organisasjoner/{trondheim_id}/enheter").text
    )


def test_an_english_reader_sees_english_names_and_norwegian_where_none(app, client, login_as):
    with app.app_context():
        geriatric = _unit(HOSPITAL, "Geriatrisk avdeling")
        no_english = factories.new_unit(HOSPITAL, "Testenheten", parent=geriatric.parent)
        first = factories.deviation(
            title="Utskrevet uten legemiddelliste",
            category="Utskrivning",
            counterpart_unit_id=geriatric.id,
            agreement_id=db.session.scalar(
                sa.select(Agreement.id).where(Agreement.name.startswith("Tjenesteavtale 5"))
            ),
        )
        plain = factories.deviation(
            title="Ingen engelsk enhet", category="Transport", counterpart_unit_id=no_english.id
        )
        _category("Transport").name_en = None  # an installation's own name: no English one
        own = factories.deviation(title="Egen kategori", category="Annet")
        references = {d.title: d.reference for d in (first, plain, own)}
        _english("melder@trondheim.demo", "mottak@stolav.demo")

    reporter = login_as("melder@trondheim.demo")
    form = reporter.get("/avvik/nytt").text
    for english in (
        "Discharge",
        "Admission",
        "Clinic of Medicine › Department of Geriatrics",
        "Service agreement 5: Patients ready for discharge",
    ):
        assert english in form, english
    assert ">Utskrivning<" not in form and "Geriatrisk avdeling" not in form
    assert ">Transport<" in form  # no English name: the Norwegian one
    assert "Testenheten" in form

    case = reporter.get(f"/avvik/{references['Utskrevet uten legemiddelliste']}").text
    assert "Discharge" in case and "Clinic of Medicine › Department of Geriatrics" in case
    assert "Service agreement 5: Patients ready for discharge" in case
    assert "Utskrivning" not in case
    fallback = reporter.get(f"/avvik/{references['Ingen engelsk enhet']}").text
    assert "Clinic of Medicine › Testenheten" in fallback and ">Transport<" in fallback

    handler = login_as("mottak@stolav.demo")
    for page in ("/mottak", "/sok?q=utskrevet"):
        listed = handler.get(page).text
        assert "Discharge" in listed and "Utskrivning" not in listed, page
    # Search and filters still work by id, whatever the name shown.
    with app.app_context():
        discharge = _category("Utskrivning").id
    filtered = handler.get(f"/mottak?category={discharge}").text
    assert "Utskrevet uten legemiddelliste" in filtered

    # The Norwegian reader sees the Norwegian names on the same pages.
    # The English users' logins left their language cookie, which a login takes over.
    client.set_cookie("lang", "nb")
    norwegian = login_as("melder@stolav.demo")
    assert ">Utskrivning<" in norwegian.get("/avvik/nytt").text


def test_statistics_page_and_pdf_in_the_readers_language_csv_in_norwegian(app, login_as):
    with app.app_context():
        statistics_data.insert_cases()
        _category("Transport").name_en = None
        _english("forbedring@demo.demo")

    group = login_as("forbedring@demo.demo")
    page = group.get("/statistikk/?tertial=2023-T2").text
    for english in (
        "Discharge",
        "Admission",
        "Clinic of Medicine",
        "Clinic of Emergency and Acute Medicine",
    ):
        assert english in page, english
    assert "Utskrivning" not in page and "Medisinsk klinikk" not in page
    assert "Transport" in page  # no English name: the Norwegian one

    english_pdf = "\n".join(pdf_text(group.get("/statistikk/2023-T2/rapport.pdf").data))
    assert "Discharge" in english_pdf and "Clinic of Medicine" in english_pdf
    assert "Utskrivning" not in english_pdf and "Transport" in english_pdf

    csv = group.get("/statistikk/2023-T2/avvik.csv").data.decode("utf-8-sig")
    assert "Utskrivning" in csv and "Discharge" not in csv

    with app.app_context():
        find_user("forbedring@demo.demo").language = "nb"
        db.session.commit()
    norwegian_pdf = "\n".join(pdf_text(group.get("/statistikk/2023-T2/rapport.pdf").data))
    assert "Utskrivning" in norwegian_pdf and "Discharge" not in norwegian_pdf


def test_change_over_time_in_english_takes_either_languages_category(app, login_as):
    with app.app_context():
        statistics_data.insert_cases()
        _english("forbedring@demo.demo")
    group = login_as("forbedring@demo.demo")
    period = "fra=2023-01&til=2023-12"
    for chosen in ("Discharge", "Utskrivning"):  # the page's own, and a Norwegian link
        page = group.get(f"/statistikk/endring?{period}&kategori={chosen}")
        assert page.status_code == 200, chosen
        assert '<option value="Discharge" selected>Discharge</option>' in page.text, chosen
        assert ">Utskrivning<" not in page.text
    assert group.get(f"/statistikk/endring?{period}&kategori=Nothing").status_code == 422
    # Its downloads stay Norwegian, whichever name chose the category.
    pareto = group.get(f"/statistikk/endring/pareto.csv?{period}&kategori=Discharge")
    assert pareto.status_code == 200 and "Utskrivning" in pareto.data.decode("utf-8-sig")
