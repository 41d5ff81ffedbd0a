"""Handling over HTTP: every move's validation message, nothing typed lost, access, the thread,
and the inbox's deadlines and counts."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.common.dates import today_local
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.models import Deviation, DeviationEvent, DeviationMessage, OutboxMail, Status, Unit
from tests.factories import identity_number
from tests.test_filing_routes import valid_form


def file_one(app, login_as, **overrides) -> str:
    client = login_as("melder@trondheim.demo")
    response = client.post("/avvik/nytt", data=valid_form(app, **overrides))
    assert response.status_code == 302
    return response.headers["Location"].split("/")[2]


def state(app, reference: str) -> tuple[Status, int, int]:
    """Status, number of history rows, number of thread rows."""
    with app.app_context():
        deviation = db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference))
        events = db.session.scalar(
            sa.select(sa.func.count()).where(DeviationEvent.deviation_id == deviation.id)
        )
        messages = db.session.scalar(
            sa.select(sa.func.count()).where(DeviationMessage.deviation_id == deviation.id)
        )
        return deviation.status, events, messages


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def unit_id(app, org: str, name: str) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(Unit.id).where(
                Unit.organisation_id == organisation_by_name(org).id, Unit.name == name
            )
        )


def org_id(app, name: str) -> int:
    with app.app_context():
        return organisation_by_name(name).id


@pytest.mark.parametrize(
    ("move", "data", "message"),
    [
        ("besvar", {"besvar-text": ""}, "Skriv svaret til den som meldte avviket."),
        ("avvis", {"avvis-text": "  "}, "Skriv hvorfor avviket avvises."),
        (
            "videresend",
            {"videresend-target_unit": ""},
            "Velg enheten eller kollegaen avviket skal videresendes til.",
        ),
        ("omdiriger", {"omdiriger-target_org": ""}, "Velg organisasjonen avviket skal sendes til."),
        ("besvar", {"besvar-text": "x" * 2001}, "Teksten er for lang: høyst 2000 tegn."),
    ],
)
def test_each_move_says_what_is_missing_beside_the_field(app, login_as, move, data, message):
    reference = file_one(app, login_as)
    client = login_as("mottak@stolav.demo")
    response = client.post(f"/avvik/{reference}/behandling", data={"move": move, **data})
    assert response.status_code == 422
    page = text_of(response)
    assert message in page
    field = next(iter(data))
    assert f'id="{field}-feil"' in page  # tied to its field for screen readers
    assert '<details class="action mb-2" open>' in page  # the form that failed stays open
    assert state(app, reference) == (Status.SENDT, 1, 0)


def test_reroute_to_own_or_reporting_organisation_and_foreign_unit_are_refused(app, login_as):
    reference = file_one(app, login_as)
    client = login_as("mottak@stolav.demo")
    cases = [
        ({"move": "omdiriger", "omdiriger-target_org": org_id(app, HOSPITAL)}, "Avviket er allerede hos denne organisasjonen."),
        ({"move": "omdiriger", "omdiriger-target_org": org_id(app, "Trondheim")}, "Avviket kan ikke sendes til organisasjonen som meldte det."),
        ({"move": "videresend", "videresend-target_unit": unit_id(app, "Trondheim", "Hjemmetjenesten")}, "Enheten hører ikke til din organisasjon."),
        ({"move": "omdiriger", "omdiriger-target_org": "999999"}, "Velg organisasjonen avviket skal sendes til."),
    ]  # fmt: skip
    for data, message in cases:
        response = client.post(f"/avvik/{reference}/behandling", data=data)
        assert response.status_code == 422, data
        assert message in text_of(response)
    assert state(app, reference) == (Status.SENDT, 1, 0)


def test_identity_number_in_a_response_is_refused_and_the_text_kept(app, login_as):
    reference = file_one(app, login_as)
    client = login_as("mottak@stolav.demo")
    typed = f"Vi fant pasienten {identity_number('150589')} i journalen."
    response = client.post(
        f"/avvik/{reference}/behandling", data={"move": "besvar", "besvar-text": typed}
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "fødselsnummer eller D-nummer" in page
    assert typed in page  # nothing typed is lost
    assert state(app, reference) == (Status.SENDT, 1, 0)


def test_a_move_not_allowed_now_is_refused_with_the_reason(app, login_as):
    reference = file_one(app, login_as)
    client = login_as("mottak@stolav.demo")
    assert client.post(f"/avvik/{reference}/behandling", data={"move": "start"}).status_code == 302
    # A second tab still shows "Bekreft mottak": the case has moved on. The page as it is now.
    response = client.post(f"/avvik/{reference}/behandling", data={"move": "bekreft"})
    assert response.status_code == 409
    assert "Avviket har status «Under behandling» og kan ikke bekrefte mottak nå." in text_of(
        response
    )
    assert state(app, reference) == (Status.UNDER_BEHANDLING, 2, 0)


def test_reporter_cannot_make_handler_moves_and_strangers_get_404(app, login_as):
    reference = file_one(app, login_as)
    client = login_as("melder@trondheim.demo")
    response = client.post(
        f"/avvik/{reference}/behandling",
        data={"move": "besvar", "besvar-text": "Jeg svarer selv."},
        follow_redirects=True,
    )
    assert "Du har ikke tilgang til å besvare og lukke dette avviket." in text_of(response)
    client = login_as("melder@stolav.demo")  # neither reported nor received it
    assert client.post(f"/avvik/{reference}/behandling", data={"move": "start"}).status_code == 404
    assert client.post(f"/avvik/{reference}/meldinger", data={"body": "Hei"}).status_code == 404
    client = login_as("mottak@stolav.demo")
    assert client.post(f"/avvik/{reference}/behandling", data={"move": "tull"}).status_code == 400
    assert state(app, reference) == (Status.SENDT, 1, 0)


def test_reporter_reopen_needs_a_reason(app, login_as):
    reference = file_one(app, login_as)
    client = login_as("mottak@stolav.demo")
    client.post(
        f"/avvik/{reference}/behandling",
        data={"move": "avvis", "avvis-text": "Ikke et samhandlingsavvik."},
    )
    client = login_as("melder@trondheim.demo")
    page = text_of(client.get(f"/avvik/{reference}"))
    assert "Avvist av St. Olavs hospital HF – begrunnelse" in page
    assert "Ikke et samhandlingsavvik." in page
    response = client.post(f"/avvik/{reference}/behandling", data={"move": "gjenapne"})
    assert response.status_code == 422
    assert "Skriv hvorfor du åpner avviket igjen." in text_of(response)
    response = client.post(
        f"/avvik/{reference}/behandling",
        data={"move": "gjenapne", "gjenapne-text": "Det gjaldt utskrivningen."},
    )
    assert response.status_code == 302
    assert state(app, reference) == (Status.UNDER_BEHANDLING, 3, 0)


def test_the_whole_path_with_thread_notes_and_mails(app, login_as):
    reference = file_one(app, login_as)
    handler = login_as("mottak@stolav.demo")
    assert (
        handler.post(f"/avvik/{reference}/behandling", data={"move": "bekreft"}).status_code == 302
    )
    assert (
        handler.post(
            f"/avvik/{reference}/meldinger", data={"body": "Hvilken dag var det?"}
        ).status_code
        == 302
    )
    assert (
        handler.post(
            f"/avvik/{reference}/meldinger", data={"body": "Sjekk med post 3.", "internal": "y"}
        ).status_code
        == 302
    )
    reporter = login_as("melder@trondheim.demo")
    page = text_of(reporter.get(f"/avvik/{reference}"))
    assert "Hvilken dag var det?" in page
    assert "Sjekk med post 3." not in page  # internal notes are the handlers' own
    # The reporter's "internal" flag is ignored: their messages are always to the handlers.
    assert (
        reporter.post(
            f"/avvik/{reference}/meldinger", data={"body": "Fredag 6. mars.", "internal": "y"}
        ).status_code
        == 302
    )
    reporting_side = login_as("mottak@trondheim.demo")  # may read, not write
    page = text_of(reporting_side.get(f"/avvik/{reference}"))
    assert "Fredag 6. mars." in page and "Sjekk med post 3." not in page
    assert (
        reporting_side.post(f"/avvik/{reference}/meldinger", data={"body": "Hei"}).status_code
        == 404
    )
    handler = login_as("mottak@stolav.demo")
    page = text_of(handler.get(f"/avvik/{reference}"))
    # Oldest first, as a conversation reads (issue 20; it was newest first), the composers after.
    assert (
        page.index("Hvilken dag var det?")
        < page.index("Sjekk med post 3.")
        < page.index("Fredag 6. mars.")
        < page.index('id="skriv-melder"')
        < page.index('id="skriv-notat"')
    )
    assert (
        handler.post(
            f"/avvik/{reference}/behandling",
            data={"move": "besvar", "besvar-text": "Vi har endret rutinen."},
        ).status_code
        == 302
    )
    reporter = login_as("melder@trondheim.demo")
    page = text_of(reporter.get(f"/avvik/{reference}"))
    assert "Svar fra St. Olavs hospital HF" in page and "Vi har endret rutinen." in page
    assert "Besvart" in text_of(reporter.get("/avvik/mine"))
    with app.app_context():
        sent = [
            (m.to_address, m.subject)
            for m in db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id))
        ]
    assert sent == [
        ("mottak@stolav.demo", f"Avvik {reference}: nytt avvik"),
        ("melder@trondheim.demo", f"Avvik {reference}: ny melding fra mottaker"),
        ("mottak@stolav.demo", f"Avvik {reference}: ny melding fra melder"),
        ("melder@trondheim.demo", f"Avvik {reference}: svar mottatt"),
    ]
    assert state(app, reference) == (Status.BESVART, 3, 3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": ""}, "Skriv en melding før du sender."),
        ({"body": "a" * 4001}, "Teksten er for lang: høyst 4000 tegn."),
        ({"body": "Pasient " + identity_number("241275")}, "fødselsnummer eller D-nummer"),
    ],
)
def test_message_validation(app, login_as, data, message):
    reference = file_one(app, login_as)
    client = login_as("melder@trondheim.demo")
    response = client.post(f"/avvik/{reference}/meldinger", data=data)
    assert response.status_code == 422
    page = text_of(response)
    assert message in page and 'id="body-feil"' in page
    assert data["body"] in page
    assert state(app, reference)[2] == 0


def test_reroute_over_http_hands_the_case_over(app, login_as):
    reference = file_one(app, login_as)
    client = login_as("mottak@stolav.demo")
    response = client.post(
        f"/avvik/{reference}/behandling",
        data={"move": "omdiriger", "omdiriger-target_org": org_id(app, "Malvik")},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/mottak"
    assert client.get(f"/avvik/{reference}").status_code == 404
    assert reference not in client.get("/mottak").get_data(as_text=True)
    malvik = login_as("mottak@malvik.demo")
    assert reference in malvik.get("/mottak").get_data(as_text=True)
    page = text_of(malvik.get(f"/avvik/{reference}"))
    assert "Sendt fra St. Olavs hospital HF til Malvik" in page


def test_forward_to_unit_shows_in_inbox_and_page(app, login_as):
    reference = file_one(app, login_as)
    client = login_as("mottak@stolav.demo")
    response = client.post(
        f"/avvik/{reference}/behandling",
        data={"move": "videresend", "videresend-target_unit": unit_id(app, HOSPITAL, "Slagenheten"),
              "videresend-text": "Gjelder slagpasient."},
    )  # fmt: skip
    assert response.status_code == 302
    assert "→ Nevroklinikken › Slagenheten" in text_of(client.get("/mottak"))
    page = text_of(client.get(f"/avvik/{reference}"))
    assert "Videresendt til Nevroklinikken › Slagenheten: Gjelder slagpasient." in page


def test_inbox_counts_days_left_and_overdue_first(app, login_as):
    # The same form filed again and again stands for several cases: each time past the warning
    # of a similar case (send_likevel), as a nurse who means it would.
    client = login_as("melder@trondheim.demo")
    refs = []
    for _ in range(3):
        refs.append(
            client.post("/avvik/nytt", data=valid_form(app, send_likevel="1"))
            .headers["Location"]
            .split("/")[2]
        )
    with app.app_context():
        today = today_local()
        deadlines = {
            refs[0]: today + timedelta(days=5),
            refs[1]: today - timedelta(days=2),
            refs[2]: today + timedelta(days=1),
        }
        for ref, deadline in deadlines.items():
            db.session.execute(
                sa.update(Deviation)
                .where(Deviation.reference == ref)
                .values(response_deadline=deadline)
            )
        db.session.commit()
    handler = login_as("mottak@stolav.demo")
    handler.post(f"/avvik/{refs[2]}/behandling", data={"move": "besvar", "besvar-text": "Ferdig."})
    page = text_of(handler.get("/mottak"))
    assert 'id="antall-apne">2<' in page and 'id="antall-forfalt">1<' in page
    assert "2 dager over fristen" in page and "5 dager igjen" in page
    newest_first = [page.index(r) for r in refs]
    assert newest_first == sorted(newest_first, reverse=True)
    page = text_of(handler.get("/mottak?sorter=frist"))
    order = [page.index(r) for r in (refs[1], refs[0], refs[2])]  # overdue, open, closed
    assert order == sorted(order)


def test_inbox_counts_stop_at_the_cap(app, login_as):
    """Past INBOX_COUNT_CAP the inbox shows "999+" (here "2+") instead of counting every case."""
    client = login_as("melder@trondheim.demo")
    for _ in range(4):
        client.post("/avvik/nytt", data=valid_form(app, send_likevel="1"))
    with app.app_context():
        db.session.execute(
            sa.update(Deviation).values(response_deadline=today_local() - timedelta(days=1))
        )
        db.session.commit()
    handler = login_as("mottak@stolav.demo")
    app.config["INBOX_COUNT_CAP"] = 3
    page = text_of(handler.get("/mottak"))
    assert 'id="antall-apne">2+<' in page and 'id="antall-forfalt">2+<' in page
    app.config["INBOX_COUNT_CAP"] = 5
    page = text_of(handler.get("/mottak"))
    assert 'id="antall-apne">4<' in page and 'id="antall-forfalt">4<' in page


def test_inbox_deadline_sort_pages_without_gaps(app, login_as):
    app.config["INBOX_PAGE_SIZE"] = 2
    client = login_as("melder@trondheim.demo")
    refs = [
        client.post("/avvik/nytt", data=valid_form(app, send_likevel="1"))
        .headers["Location"]
        .split("/")[2]
        for _ in range(5)
    ]
    handler = login_as("mottak@stolav.demo")
    seen, url = [], "/mottak?sorter=frist"
    import re

    while url:
        page = handler.get(url).get_data(as_text=True)
        seen += re.findall(r">(AV-\d{4}-\d{5})<", page)
        more = re.search(r'href="(/mottak\?[^"]*etter=[^"]+)"', page)
        url = html.unescape(more.group(1)) if more else None
    assert sorted(seen) == sorted(refs) and len(seen) == 5
