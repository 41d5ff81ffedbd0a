"""What the API's reads carry beyond the basics: the harm and a serious event's notice to Statens
helsetilsyn on every listed case, and catalogue names (categories, agreements, units) in the
language of Accept-Language, as the history lines and the statistics' labels are."""

from __future__ import annotations

from datetime import datetime

from app.api.scopes import DEVIATIONS_READ, LEARNING_READ
from app.common.dates import today_local
from app.data.seed import HOSPITAL, organisation_by_name, unit_by_path
from app.extensions import db
from app.handling import serious
from app.models import Agreement, Harm
from tests import factories
from tests.api_helpers import bearer, issue_token

LEADER = "mottak@stolav.demo"


def _serious_cases(app) -> dict[str, str]:
    """Four cases from Trondheim to the hospital: title -> reference. Committed."""
    with app.app_context():
        plain = factories.deviation(title="Lav skade", harm=Harm.LAV)
        notified = factories.deviation(title="Varslet", harm=Harm.DOD)
        not_due = factories.deviation(title="Ikke varslingspliktig", harm=Harm.ALVORLIG)
        waiting = factories.deviation(title="Ikke registrert", harm=Harm.ALVORLIG)
        handler = factories.user(LEADER)
        serious.record_notice(
            handler,
            notified,
            serious.NoticeInput(True, today_local(), "Klinikksjef Hansen", "HTIL-2026/9"),
        )
        serious.record_notice(
            handler, not_due, serious.NoticeInput(False, reason="Ventet utfall av behandlingen.")
        )
        db.session.commit()
        return {d.title: d.reference for d in (plain, notified, not_due, waiting)}


def _rows(client, token: str, query: str = "") -> dict[str, dict]:
    response = client.get(f"/api/v1/deviations{query}", headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return {row["title"]: row for row in response.get_json()["items"]}


def test_the_list_carries_the_harm_and_what_was_recorded_about_notifying_helsetilsynet(app, client):
    cases = _serious_cases(app)
    today = today_local().isoformat()
    received = issue_token(app, HOSPITAL, {DEVIATIONS_READ})
    response = client.get("/api/v1/deviations", headers=bearer(received))
    rows = _rows(client, received)
    assert {title: row["harm"] for title, row in rows.items()} == {
        "Lav skade": "lav",
        "Varslet": "dod",
        "Ikke varslingspliktig": "alvorlig",
        "Ikke registrert": "alvorlig",
    }
    assert {title: row["serious"] for title, row in rows.items()} == {
        "Lav skade": False,
        "Varslet": True,
        "Ikke varslingspliktig": True,
        "Ikke registrert": True,
    }
    notified = rows["Varslet"]["serious_notice"]
    assert notified["notifiable"] is True and notified["notified_on"] == today
    assert datetime.fromisoformat(notified["recorded_at"]).tzinfo is not None
    assert set(notified) == {"notifiable", "notified_on", "recorded_at"}
    not_due = rows["Ikke varslingspliktig"]["serious_notice"]
    assert not_due["notifiable"] is False and not_due["notified_on"] is None
    assert rows["Ikke registrert"]["serious_notice"] is None
    assert rows["Lav skade"]["serious_notice"] is None
    # No text typed with the notice: the list's free text stays the title alone.
    text = response.get_data(as_text=True)
    for typed in ("Klinikksjef Hansen", "HTIL-2026/9", "Ventet utfall"):
        assert typed not in text

    # The reporting organisation's list of what it sent says the same.
    sent = _rows(client, issue_token(app, "Trondheim", {DEVIATIONS_READ}), "?box=sent")
    assert sent["Varslet"]["serious_notice"] == notified
    assert sent["Ikke registrert"]["serious"] is True
    assert sent["Ikke registrert"]["serious_notice"] is None

    # The serious events alone (the inbox's filter), or one harm.
    assert set(_rows(client, received, "?harm=alvorlige")) == {
        "Varslet",
        "Ikke varslingspliktig",
        "Ikke registrert",
    }
    assert set(_rows(client, received, "?harm=lav")) == {"Lav skade"}
    bad = client.get("/api/v1/deviations?harm=farlig", headers=bearer(received))
    assert bad.status_code == 422 and "harm" in bad.get_json()["errors"]
    # The filter goes with the next page's link.
    first = client.get("/api/v1/deviations?harm=alvorlige&limit=2", headers=bearer(received))
    following = first.get_json()["next"].replace("http://localhost", "")
    assert "harm=alvorlige" in following
    last = client.get(following, headers=bearer(received)).get_json()
    assert [row["title"] for row in last["items"]] == ["Varslet"]
    assert set(cases) >= {row["title"] for row in first.get_json()["items"]}


def test_a_case_carries_its_notice_as_its_page_shows_it(app, client):
    cases = _serious_cases(app)
    token = issue_token(app, HOSPITAL, {DEVIATIONS_READ})

    def read(title: str) -> dict:
        response = client.get(f"/api/v1/deviations/{cases[title]}", headers=bearer(token))
        assert response.status_code == 200
        return response.get_json()

    with app.app_context():
        handler_name = factories.user(LEADER).name
    notified = read("Varslet")
    assert notified["serious"] is True and notified["harm"] == "dod"
    assert notified["serious_notice"] == {
        "notifiable": True,
        "notified_on": today_local().isoformat(),
        "recorded_at": notified["serious_notice"]["recorded_at"],
        "notified_by": "Klinikksjef Hansen",
        "reference": "HTIL-2026/9",
        "reason": "",
        "recorded_by": handler_name,
    }
    not_due = read("Ikke varslingspliktig")["serious_notice"]
    assert not_due["notifiable"] is False and not_due["notified_on"] is None
    assert not_due["reason"] == "Ventet utfall av behandlingen." and not_due["notified_by"] == ""
    assert read("Ikke registrert")["serious_notice"] is None
    plain = read("Lav skade")
    assert plain["serious"] is False and plain["serious_notice"] is None


def test_catalogue_names_follow_accept_language_with_the_norwegian_as_fallback(app, client):
    with app.app_context():
        hospital = organisation_by_name(HOSPITAL)
        geriatrics = unit_by_path(hospital, "Geriatrisk avdeling")
        emergency = unit_by_path(hospital, "Akuttmottaket")
        agreement = db.session.scalar(
            db.select(Agreement).where(Agreement.name.startswith("Tjenesteavtale 5:"))
        )
        case = factories.deviation(
            title="Navn på to språk",
            counterpart_unit_id=geriatrics.id,
            agreement_id=agreement.id,
        )
        factories.forward(case, emergency)
        # A category the admin gave no English name: the Norwegian one in both languages.
        factories.category("Annet").name_en = None
        factories.deviation(title="Uten engelsk navn", category="Annet")
        factories.lesson(published_by="forbedring@demo.demo")  # about a case of its own
        reporter_unit = factories.user(factories.REPORTER).unit
        paths = {
            lang: {
                "reporter": reporter_unit.path_in(lang),
                "counterpart": geriatrics.path_in(lang),
                "forwarded": emergency.path_in(lang),
            }
            for lang in ("nb", "en")
        }
        names = {
            "nb": ("Utskrivning", agreement.name, geriatrics.name),
            "en": ("Discharge", agreement.name_en, geriatrics.name_en),
        }
        hospital_id, unit_id = hospital.id, geriatrics.id
        category_id = factories.category_id("Utskrivning")
        reference = case.reference
        db.session.commit()
    assert paths["en"]["counterpart"] == "Clinic of Medicine › Department of Geriatrics"
    assert names["en"][1] == "Service agreement 5: Patients ready for discharge"
    token = issue_token(app, HOSPITAL, {DEVIATIONS_READ, LEARNING_READ})

    for header, lang in ((None, "nb"), ("nb-NO,nb;q=0.9", "nb"), ("en-GB,en;q=0.8", "en")):
        headers = bearer(token, **({"Accept-Language": header} if header else {}))
        category, agreement_name, unit_name = names[lang]

        listed = client.get("/api/v1/deviations", headers=headers)
        assert "Accept-Language" in listed.headers["Vary"]
        rows = {row["title"]: row for row in listed.get_json()["items"]}
        row = rows["Navn på to språk"]
        assert row["category"] == category, lang
        assert row["reporter_unit"] == paths[lang]["reporter"]
        assert row["forwarded_unit"] == paths[lang]["forwarded"]
        assert row["counterpart_organisation"] == HOSPITAL  # a proper name: as filed
        assert rows["Uten engelsk navn"]["category"] == "Annet"

        body = client.get(f"/api/v1/deviations/{reference}", headers=headers).get_json()
        assert body["category"] == {"id": category_id, "name": category}
        assert body["agreement"]["name"] == agreement_name
        assert body["reporter_unit"] == paths[lang]["reporter"]
        assert body["counterpart_unit"] == paths[lang]["counterpart"]
        assert body["forwarded_unit"] == paths[lang]["forwarded"]
        assert body["counterpart_organisation"]["name"] == HOSPITAL

        categories = client.get("/api/v1/categories", headers=headers).get_json()["items"]
        by_id = {c["id"]: c["name"] for c in categories}
        assert by_id[category_id] == category and "Annet" in by_id.values()

        units = client.get(f"/api/v1/organisations/{hospital_id}/units", headers=headers)
        unit = next(u for u in units.get_json()["items"] if u["id"] == unit_id)
        assert (unit["name"], unit["path"]) == (unit_name, paths[lang]["counterpart"])

        lessons = client.get("/api/v1/lessons", headers=headers).get_json()["items"]
        assert [lesson["category"] for lesson in lessons] == [category]


def test_the_document_describes_the_new_fields_and_the_harm_filter(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    row = schemas["DeviationRow"]
    assert {"harm", "serious", "serious_notice"} <= set(row["required"])
    assert {"harm", "serious", "serious_notice"} <= set(schemas["Deviation"]["required"])
    assert "Accept-Language" in row["properties"]["category"]["description"]
    parameters = spec["paths"]["/api/v1/deviations"]["get"]["parameters"]
    harm = next(p for p in parameters if p["name"] == "harm")
    assert "alvorlige" in harm["schema"]["enum"]
