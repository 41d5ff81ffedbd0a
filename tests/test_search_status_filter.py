"""The search page's status filter in the reader's words: someone who receives no cases picks
among the reporting side's four statuses, each filtering on every stored status it stands for; a
handler keeps the stored statuses; the stored values in links and bookmarks keep their meaning
for everyone, and an unknown value is ignored. The inbox's own filter is not touched."""

from __future__ import annotations

import html
import re

import pytest

from app.auth.services import find_user
from app.data.seed import organisation_by_name
from app.extensions import db
from app.handling.moves import Move
from tests import factories

REPORTER = "melder@trondheim.demo"
RECEIVER = "mottak@stolav.demo"  # receives the reporter's cases
# A handler of the reporting organisation: sees all of them, the rerouted one too.
HANDLER = "mottak@trondheim.demo"

REPORTER_OPTIONS = [
    ("", "Alle"),
    ("sendt_eller_mottatt", "Mottatt"),
    ("under_arbeid", "Under arbeid"),
    ("besvart", "Besvart"),
    ("avvist", "Avvist"),
]
HANDLER_OPTIONS = [
    ("", "Alle"),
    ("sendt", "Ny"),
    ("mottatt", "Mottatt"),
    ("under_behandling", "Under behandling"),
    ("videresendt", "Videresendt"),
    ("til_analyse", "Til hendelsesanalyse"),
    ("besvart", "Besvart"),
    ("avvist", "Avvist"),
]
SELECT = re.compile(r'<select id="status" name="status"[^>]*>(.*?)</select>', re.DOTALL)
OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')


def _options(page: str) -> list[tuple[str, str]]:
    found = SELECT.search(page)
    assert found, "no status filter on the page"
    return [(value, html.unescape(label)) for value, _, label in OPTION.findall(found.group(1))]


def _chosen(page: str) -> list[str]:
    found = SELECT.search(page)
    assert found
    return [value for value, selected, _ in OPTION.findall(found.group(1)) if selected]


@pytest.fixture
def one_in_each_status(app) -> dict[str, str]:
    """A case of Trondheim's nurse to St. Olavs in every stored status: status → reference."""
    moves = {
        "sendt": [],
        "mottatt": [(Move.ACKNOWLEDGE, {})],
        "under_behandling": [(Move.START, {})],
        "videresendt": [(Move.REROUTE, {"target_org": "Malvik"})],
        "til_analyse": [(Move.ANALYSE, {})],
        "besvart": [(Move.ANSWER, {"text": "Rutinen er endret."})],
        "avvist": [(Move.REJECT, {"text": "Ikke et samhandlingsavvik."})],
    }
    references = {}
    with app.app_context():
        for status, steps in moves.items():
            deviation = factories.deviation(
                reporter=REPORTER, title=f"Rullestolen manglet ({status})"
            )
            for move, how in steps:
                if "target_org" in how:
                    how = {"target_org": organisation_by_name(how["target_org"])}
                factories.move(deviation, move, by=RECEIVER, **how)
            assert deviation.status == status
            references[status] = deviation.reference
        db.session.commit()
    return references


def _found(client, references: dict[str, str], status: str) -> set[str]:
    page = client.get(f"/sok?q=rullestolen&status={status}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    return {s for s, ref in references.items() if ref in text}


def test_a_reporter_picks_among_the_four_statuses(app, login_as, one_in_each_status):
    client = login_as(REPORTER)
    page = client.get("/sok?q=rullestolen").get_data(as_text=True)
    assert _options(page) == REPORTER_OPTIONS
    assert _chosen(page) == []
    # The rows read the same four words.
    rows = page.split('id="sokeresultat"')[1]
    assert "Under arbeid" in rows
    for internal in ("Under behandling", "Videresendt", "Til hendelsesanalyse", ">Ny<"):
        assert internal not in rows

    assert _found(client, one_in_each_status, "under_arbeid") == {
        "under_behandling",
        "videresendt",
        "til_analyse",
    }
    assert _found(client, one_in_each_status, "sendt_eller_mottatt") == {"sendt", "mottatt"}
    assert _found(client, one_in_each_status, "besvart") == {"besvart"}
    assert _found(client, one_in_each_status, "avvist") == {"avvist"}
    chosen = client.get("/sok?q=rullestolen&status=under_arbeid").get_data(as_text=True)
    assert _chosen(chosen) == ["under_arbeid"]
    assert _options(chosen) == REPORTER_OPTIONS


def test_the_next_page_keeps_the_reporters_status(app, login_as, one_in_each_status):
    app.config["INBOX_PAGE_SIZE"] = 1
    page = login_as(REPORTER).get("/sok?q=rullestolen&status=under_arbeid").get_data(as_text=True)
    more = re.search(r'href="(/sok\?[^"]*etter=[^"]*)"', page)
    assert more, "no link to the next page"
    assert "status=under_arbeid" in html.unescape(more.group(1))


def test_stored_values_in_links_keep_their_meaning_for_everyone(app, login_as, one_in_each_status):
    for email in (REPORTER, HANDLER):
        client = login_as(email)
        for status in one_in_each_status:
            assert _found(client, one_in_each_status, status) == {status}, (email, status)
        # An unknown value is ignored, as before: every case.
        assert _found(client, one_in_each_status, "ukjent") == set(one_in_each_status)
        assert _found(client, one_in_each_status, "") == set(one_in_each_status)
    # A bookmark with a stored value shows, chosen, the filter the list was made with.
    reporter = login_as(REPORTER).get("/sok?q=rullestolen&status=til_analyse")
    page = reporter.get_data(as_text=True)
    assert _chosen(page) == ["til_analyse"]
    assert _options(page) == [*REPORTER_OPTIONS, ("til_analyse", "Til hendelsesanalyse")]


def test_a_handler_keeps_the_stored_statuses(app, login_as, one_in_each_status):
    client = login_as(HANDLER)
    page = client.get("/sok?q=rullestolen").get_data(as_text=True)
    assert _options(page) == HANDLER_OPTIONS
    assert _chosen(client.get("/sok?q=rullestolen&status=videresendt").get_data(as_text=True)) == [
        "videresendt"
    ]
    # A reporter's link means the same to a handler, and the form says so.
    shared = client.get("/sok?q=rullestolen&status=under_arbeid").get_data(as_text=True)
    assert _chosen(shared) == ["under_arbeid"]
    assert _options(shared) == [*HANDLER_OPTIONS, ("under_arbeid", "Under arbeid")]
    assert _found(client, one_in_each_status, "under_arbeid") == {
        "under_behandling",
        "videresendt",
        "til_analyse",
    }


def test_the_inbox_keeps_its_own_filter(app, login_as, one_in_each_status):
    client = login_as(RECEIVER)
    inbox = client.get("/mottak").get_data(as_text=True)
    assert _options(inbox) == HANDLER_OPTIONS
    # The reporter's values are no inbox values: ignored there, by the list and the search box.
    for query in ("/mottak?status=under_arbeid", "/mottak?q=rullestolen&status=under_arbeid"):
        page = client.get(query)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert _chosen(text) == []
        # Every case still with St. Olavs (the rerouted one went to Malvik's inbox).
        for status, ref in one_in_each_status.items():
            assert (ref in text) is (status != "videresendt"), (query, status)
    text = client.get("/mottak?q=rullestolen&status=til_analyse").get_data(as_text=True)
    assert {s for s, ref in one_in_each_status.items() if ref in text} == {"til_analyse"}


def test_the_four_in_english(app, login_as, one_in_each_status):
    with app.app_context():
        find_user(REPORTER).language = "en"
        db.session.commit()
    page = login_as(REPORTER).get("/sok?q=rullestolen&status=under_arbeid").get_data(as_text=True)
    assert [label for _, label in _options(page)] == [
        "All",
        "Received",
        "Being worked on",
        "Answered",
        "Rejected",
    ]
