"""Incident analyses over HTTP: the permission table, starting from a deviation, forms that keep
what was typed, the ferdig rule's message, and the PDF's text."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.analysis import services
from app.common.dates import today_local
from app.extensions import db
from app.models import Analysis, AnalysisStatus, Deviation
from tests import factories
from tests.factories import identity_number
from tests.support import norwegian_msgids_in, pdf_text


@pytest.fixture
def analysis_ref(app) -> str:
    """Trondheim reported to St. Olavs; St. Olavs' handler leads; a plain St. Olavs user is on
    the team."""
    with app.app_context():
        analysis = factories.analysis()
        factories.fill_analysis(analysis)
        services.add_member(factories.user(factories.LEADER), analysis, "melder@stolav.demo")
        db.session.commit()
        return analysis.reference


# (user, GET page/PDF, POST a change) → status codes. See app.common.permissions.ANALYSIS.
PERMISSIONS = [
    ("mottak@stolav.demo", 200, 302),     # leader; handler of the receiving organisation
    ("melder@stolav.demo", 200, 302),     # team member without any role
    ("mottak@trondheim.demo", 200, 403),  # handler of the reporting organisation: reads
    ("forbedring@demo.demo", 200, 403),   # forbedringsgruppe: reads every analysis
    ("mottak@malvik.demo", 404, 404),     # handler of an organisation not involved
    ("melder@trondheim.demo", 404, 404),  # the deviation's reporter, not on the team
    ("admin@demo.demo", 404, 404),        # admin is not in the table
]  # fmt: skip


def item_ids(app, reference: str) -> dict[str, str]:
    """The ids of the analysis's first problem, root cause and action: the forms and paths
    name them, and they differ from run to run (PostgreSQL's sequences do not roll back)."""
    with app.app_context():
        analysis = services.get_by_reference(reference)
        return {
            "problem": str(analysis.problems[0].id),
            "cause": str(analysis.root_causes[0].id),
            "action": str(analysis.actions[0].id),
        }


@pytest.mark.parametrize(("email", "read", "write"), PERMISSIONS)
def test_permission_table(app, login_as, analysis_ref, email, read, write):
    client = login_as(email)
    assert client.get(f"/analyser/{analysis_ref}").status_code == read
    assert client.get(f"/analyser/{analysis_ref}/pdf").status_code == read
    listing = client.get("/analyser").get_data(as_text=True)
    assert (analysis_ref in listing) is (read == 200)
    # The start page (the improvement group's is the statistics: follow it there).
    nav = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert ('href="/analyser"' in nav) is (read == 200)
    response = client.post(
        f"/analyser/{analysis_ref}/laering/ny", data={"laering-text": "Et nytt læringspunkt"}
    )
    assert response.status_code == write
    action = item_ids(app, analysis_ref)["action"]
    for path in (
        f"/analyser/{analysis_ref}/mandat",
        f"/analyser/{analysis_ref}/tiltak/{action}/endre",
    ):
        assert client.get(path).status_code == (200 if write == 302 else write)
    with app.app_context():
        analysis = services.get_by_reference(analysis_ref)
        assert len(analysis.learning_points) == (2 if write == 302 else 1)


def test_unknown_analysis_is_404(app, login_as):
    client = login_as("forbedring@demo.demo")
    assert client.get("/analyser/HA-2020-999").status_code == 404


def test_read_only_page_has_no_forms(app, login_as, analysis_ref):
    page = login_as("mottak@trondheim.demo").get(f"/analyser/{analysis_ref}").get_data(as_text=True)
    assert "Du kan lese" in page
    assert "Legg til hendelse i tidslinjen" not in page and "Endre status" not in page
    # The reporting organisation's handler sees the deviation their organisation sent.
    assert "Utskrevet uten epikrise" in page
    page = login_as("forbedring@demo.demo").get(f"/analyser/{analysis_ref}").get_data(as_text=True)
    # The improvement group sees the analysis, not the deviation behind it.
    assert "Utskrevet uten epikrise" not in page
    assert "1 avvik fra andre organisasjoner" in page


def test_start_from_deviation_page(app, login_as):
    with app.app_context():
        deviation = factories.deviation()
        db.session.commit()
        reference = deviation.reference
    reporter = login_as("melder@trondheim.demo")
    assert "Start hendelsesanalyse" not in reporter.get(f"/avvik/{reference}").get_data(
        as_text=True
    )
    assert reporter.get(f"/analyser/ny/{reference}").status_code == 403
    handler = login_as("mottak@stolav.demo")
    page = handler.get(f"/avvik/{reference}").get_data(as_text=True)
    assert "Start hendelsesanalyse" in page
    form = handler.get(f"/analyser/ny/{reference}").get_data(as_text=True)
    # A title is suggested, but not the deviation's: it may describe the patient, and the
    # analysis's title is printed on its PDF.
    assert f'value="Utskrivning ({reference})"' in form
    assert "Utskrevet uten epikrise" not in form.split("<main", 1)[1].split("mandat-title")[1][:200]
    response = handler.post(
        f"/analyser/ny/{reference}",
        data={
            "mandat-title": "Utskrivning uten varsel",
            "mandat-mandate": "Finn årsakene.",
            "mandat-scope": "",
            "mandat-start_date": today_local().isoformat(),
            "mandat-due_date": (today_local() + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    analysis_url = response.headers["Location"]
    page = handler.get(analysis_url).get_data(as_text=True)
    assert "Utskrivning uten varsel" in page and "er opprettet" in page
    deviation_page = handler.get(f"/avvik/{reference}").get_data(as_text=True)
    assert "Start hendelsesanalyse" not in deviation_page
    assert analysis_url.rsplit("/", 1)[1] in deviation_page


def test_add_a_second_deviation_to_an_analysis(app, login_as, analysis_ref):
    with app.app_context():
        other = factories.deviation(title="Samme problem igjen")
        db.session.commit()
        other_ref = other.reference
        analysis_id = services.get_by_reference(analysis_ref).id
    client = login_as("mottak@stolav.demo")
    page = client.get(f"/avvik/{other_ref}").get_data(as_text=True)
    assert "Legg til i analyse" in page and analysis_ref in page
    response = client.post(f"/analyser/legg-til/{other_ref}", data={"analysis": str(analysis_id)})
    assert response.status_code == 302
    page = client.get(f"/analyser/{analysis_ref}").get_data(as_text=True)
    assert other_ref in page


NEW_ANALYSIS_ERRORS = [
    ("mandat-title", "", "Skriv en tittel."),
    ("mandat-mandate", "", "Skriv mandatet for analysen."),
    ("mandat-due_date", "", "Skriv inn en gyldig dato (dd.mm.åååå)."),
    ("mandat-due_date", "31.02.2026", "Skriv inn en gyldig dato (dd.mm.åååå)."),
    ("mandat-due_date", "2000-01-01", "Fristen kan ikke være før startdatoen."),
    ("mandat-scope", "Pasient " + identity_number("150575"), "fødselsnummer eller D-nummer"),
]


@pytest.mark.parametrize(("field", "value", "message"), NEW_ANALYSIS_ERRORS)
def test_start_form_messages_keep_what_was_typed(app, login_as, field, value, message):
    with app.app_context():
        reference = factories.deviation().reference
        db.session.commit()
    client = login_as("mottak@stolav.demo")
    data = {
        "mandat-title": "Tittel som beholdes",
        "mandat-mandate": "Mandat som beholdes",
        "mandat-scope": "Avgrensning som beholdes",
        "mandat-start_date": today_local().isoformat(),
        "mandat-due_date": (today_local() + timedelta(days=30)).isoformat(),
        field: value,
    }
    response = client.post(f"/analyser/ny/{reference}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    kept = {"mandat-title": "Tittel som beholdes", "mandat-mandate": "Mandat som beholdes",
            "mandat-scope": "Avgrensning som beholdes"}  # fmt: skip
    for name, text in kept.items():
        if name != field:
            assert text in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Analysis)) == 0


SECTION_ERRORS = [
    ("tidslinje", {"tidslinje-day": "", "tidslinje-at": "10:00", "tidslinje-what": "Beholdt tekst"}, "Skriv inn en gyldig dato"),
    ("tidslinje", {"tidslinje-day": "2026-01-01", "tidslinje-at": "25:99", "tidslinje-what": "Beholdt tekst"}, "Skriv inn klokkeslett (tt:mm)."),
    ("tidslinje", {"tidslinje-day": "2999-01-01", "tidslinje-at": "10:00", "tidslinje-what": "Beholdt tekst"}, "Tidspunktet kan ikke være fram i tid."),
    ("problem", {"problem-text": ""}, "Beskriv problemet."),
    ("faktor", {"faktor-problem": "", "faktor-group": "team", "faktor-text": "Beholdt tekst"}, "Velg problemet."),
    ("faktor", {"faktor-problem": "{problem}", "faktor-text": "Beholdt tekst"}, "Velg gruppen faktoren hører til."),
    ("rotarsak", {"rotarsak-text": "x" * 2001}, "Teksten er for lang: høyst 2000 tegn."),
    ("tiltak", {"tiltak-text": "Beholdt tekst", "tiltak-root_cause": "{cause}", "tiltak-responsible_org": "", "tiltak-status": "planlagt", "tiltak-strength": "sterk"}, "Velg ansvarlig organisasjon."),
    ("tiltak", {"tiltak-text": "Beholdt tekst", "tiltak-root_cause": "{cause}", "tiltak-responsible_org": "1", "tiltak-status": "planlagt"}, "Velg hvor sterkt tiltaket er."),
    ("tiltak", {"tiltak-text": "Beholdt tekst", "tiltak-root_cause": "{cause}", "tiltak-responsible_org": "1", "tiltak-responsible_email": "finnes@ikke.no", "tiltak-status": "planlagt", "tiltak-strength": "svak"}, "Finner ingen aktiv bruker med denne e-postadressen."),
    ("tiltak", {"tiltak-text": "Beholdt tekst", "tiltak-root_cause": "{cause}", "tiltak-responsible_org": "1", "tiltak-due_date": "i morgen", "tiltak-status": "planlagt", "tiltak-strength": "svak"}, "Skriv inn en gyldig dato"),
    ("laering", {"laering-text": identity_number("241299")}, "fødselsnummer eller D-nummer"),
]  # fmt: skip


@pytest.mark.parametrize(("section", "data", "message"), SECTION_ERRORS)
def test_section_form_messages_keep_what_was_typed(
    app, login_as, analysis_ref, section, data, message
):
    ids = item_ids(app, analysis_ref)
    data = {
        name: value.format(**ids) if value.startswith("{") else value
        for name, value in data.items()
    }
    client = login_as("mottak@stolav.demo")
    response = client.post(f"/analyser/{analysis_ref}/{section}/ny", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:2000]
    assert message in page
    assert "Skjemaet ble ikke sendt" in page
    if "Beholdt tekst" in data.values():
        assert "Beholdt tekst" in page


@pytest.mark.commits  # the paths name item ids, and PostgreSQL sequences do not roll back
def test_ferdig_refused_with_a_clear_message_then_accepted(app, login_as):
    with app.app_context():
        analysis = factories.analysis()
        factories.fill_analysis(analysis, with_action=False)
        leader = factories.user(factories.LEADER)
        services.add_action(
            leader, analysis, factories.action_input(analysis, responsible_email="", due_date=None)
        )
        db.session.commit()
        reference = analysis.reference
    client = login_as("mottak@stolav.demo")
    page = client.get(f"/analyser/{reference}").get_data(as_text=True)
    assert "Før analysen kan settes som ferdig" in page
    response = client.post(f"/analyser/{reference}/status", data={"status-status": "ferdig"})
    assert response.status_code == 422
    assert (
        "Analysen kan ikke settes som ferdig: tiltak 1 mangler ansvarlig person og frist."
        in response.get_data(as_text=True)
    )
    response = client.post(
        f"/analyser/{reference}/tiltak/1/endre",
        data={
            "tiltak-text": "Bekreftet mottak før utskrivning",
            "tiltak-root_cause": "1",
            "tiltak-responsible_org": str(h_org_id(app)),
            "tiltak-responsible_email": "mottak@stolav.demo",
            "tiltak-due_date": (today_local() + timedelta(days=20)).isoformat(),
            "tiltak-status": "pagar",
            "tiltak-strength": "sterk",
            "tiltak-effect_measure": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    response = client.post(f"/analyser/{reference}/status", data={"status-status": "ferdig"})
    assert response.status_code == 302
    page = client.get(f"/analyser/{reference}").get_data(as_text=True)
    assert f"Hendelsesanalyse {reference} har fått status Ferdig." in page
    assert "Legg til hendelse i tidslinjen" not in page  # frozen
    with app.app_context():
        assert services.get_by_reference(reference).status is AnalysisStatus.FERDIG


def h_org_id(app) -> int:
    from app.data.seed import HOSPITAL, organisation_by_name

    with app.app_context():
        return organisation_by_name(HOSPITAL).id


@pytest.mark.commits  # the paths name item ids, and PostgreSQL sequences do not roll back
def test_edit_and_delete_items(app, login_as, analysis_ref):
    client = login_as("mottak@stolav.demo")
    form = client.get(f"/analyser/{analysis_ref}/tidslinje/1/endre").get_data(as_text=True)
    assert "Pasienten kommer hjem" in form and 'value="21:05"' in form
    yesterday = (today_local() - timedelta(days=1)).isoformat()
    response = client.post(
        f"/analyser/{analysis_ref}/tidslinje/1/endre",
        data={"tidslinje-day": yesterday, "tidslinje-at": "21:15", "tidslinje-what": "Pasienten kommer hjem med taxi", "tidslinje-source": "Journal"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(f"/analyser/{analysis_ref}").get_data(as_text=True)
    assert "med taxi" in page and "kl. 21:15" in page
    assert client.post(f"/analyser/{analysis_ref}/laering/1/slett").status_code == 302
    assert client.post(f"/analyser/{analysis_ref}/laering/1/slett").status_code == 404
    assert client.get(f"/analyser/{analysis_ref}/ukjent/1/endre").status_code == 404
    page = client.get(f"/analyser/{analysis_ref}").get_data(as_text=True)
    assert "Ring kommunen før pasienten drar." not in page
    assert "Læringspunkt slettet" in page


def test_pdf_holds_every_part_of_the_analysis(app, login_as, analysis_ref):
    client = login_as("mottak@stolav.demo")
    response = client.get(f"/analyser/{analysis_ref}/pdf")
    assert response.mimetype == "application/pdf"
    assert f'filename="{analysis_ref}.pdf"' in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    yesterday = (today_local() - timedelta(days=1)).strftime("%d.%m.%Y")
    due = (today_local() + timedelta(days=30)).strftime("%d.%m.%Y")
    for expected in (
        f"Hendelsesanalyse {analysis_ref}",
        "Utskrivning fredag kveld",
        "Mandat", "Finn ut hvorfor pasienten ble skrevet ut",
        "Analyseteam", "Siri Mottak", "Leder", "Ola Hansen", "Medlem",
        "Tidslinje", f"{yesterday} kl. 21:05", "Pasienten kommer hjem", "Journal",
        "Problemer og medvirkende faktorer", "Problem 1: Hjemmetjenesten var ikke varslet",
        "Team", "Ingen fast rutine for muntlig overlevering.",
        "Rotårsaker", "Utskrivning sent på dagen uten bekreftet mottak.",
        "Handlingsplan", "Utskrivning etter kl. 15 krever bekreftet mottak i kommunen.",
        "St. Olavs hospital HF", due, "Planlagt", "Sterk", "Effektmåling: Andel utskrivninger",
        "Læringspunkter", "Ring kommunen før pasienten drar.",
    ):  # fmt: skip
        assert expected in flat, expected
    # No identity and no deviation text the improvement group may not see.
    forbedring = login_as("forbedring@demo.demo").get(f"/analyser/{analysis_ref}/pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(forbedring.data)).pages)
    assert "AV-" not in text and "1 fra andre organisasjoner" in " ".join(text.split())
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Deviation)) == 1


def test_pdf_is_in_the_readers_language(app, login_as, analysis_ref):
    with app.app_context():
        factories.user("mottak@stolav.demo").language = "en"
        factories.user("forbedring@demo.demo").language = "en"
        db.session.commit()
    response = login_as("mottak@stolav.demo").get(f"/analyser/{analysis_ref}/pdf")
    assert response.status_code == 200
    pages = pdf_text(response.data)
    text = "\n".join(pages)
    flat = " ".join(text.split())
    yesterday = (today_local() - timedelta(days=1)).strftime("%d.%m.%Y")
    for expected in (
        f"Incident analysis {analysis_ref}", "Utskrivning fredag kveld",  # the title is data
        "Start date", "Deadline", "Terms of reference", "Scope", "Analysis team", "Lead", "Member",
        "Timeline", f"{yesterday} at 21:05", "Problems and contributing factors",
        "Problem 1: Hjemmetjenesten var ikke varslet", "Group (London", "Contributing factor",
        "Root causes", "Action plan", "Action and measure of effect", "Planned", "Strong",
        "Measure of effect: Andel utskrivninger", "Learning points", "Prepared",
    ):  # fmt: skip
        assert expected in flat, expected
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    left = norwegian_msgids_in(text, "reports/analysis.py") + norwegian_msgids_in(
        text, "app/analysis/labels.py"
    )
    assert not left, f"Norwegian left in the English PDF: {left}"
    forbedring = login_as("forbedring@demo.demo").get(f"/analyser/{analysis_ref}/pdf")
    assert "1 from other organisations" in " ".join(" ".join(pdf_text(forbedring.data)).split())
