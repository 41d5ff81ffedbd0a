"""The statistics page's key figures as tiles with their changes, each count a link to its
cases for those who may open them all (a plain number for the others), and the improvement
group starting on the statistics (issue 22). Fifteen hand-counted cases: tests/statistics_data.

Trondheim in 2023-T2: D1, D2, D3, D6, D7, D9 (6); in 2023-T1 D8, D10 (2); in 2022-T2 D12, D13 (2).
"""

from __future__ import annotations

import html
import re

import pytest

from app.extensions import db
from tests import statistics_data

T2 = "2023-T2"


@pytest.fixture
def cases(app):
    with app.app_context():
        statistics_data.insert_cases()
        db.session.commit()


def _tile(page: str, name: str) -> str:
    found = re.search(rf'<li class="stat-tile" id="tile-{name}">(.*?)</li>', page, re.DOTALL)
    assert found, name
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def _tile_link(page: str, name: str) -> str | None:
    found = re.search(rf'id="tile-{name}">.*?stat-tile-value"><a href="([^"]+)"', page, re.DOTALL)
    return html.unescape(found.group(1)) if found else None


def _listed(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return re.findall(r">(AV-TEST-\d+)</a>", response.get_data(as_text=True))


def test_a_handlers_tile_shows_the_changes_and_links_to_its_cases(cases, login_as):
    client = login_as("mottak@trondheim.demo")
    page = client.get(f"/statistikk/?tertial={T2}").get_data(as_text=True)
    total = _tile(page, "avvik")
    assert total.startswith("Avvik registrert i tertialet 6 "), total
    assert "+4 (+200,0 %) fra forrige tertial (T1 2023: 2)" in total
    assert "+4 (+200,0 %) fra samme tertial i fjor (T2 2022: 2)" in total
    # The count's link opens the list of exactly those cases.
    link = _tile_link(page, "avvik")
    assert link.startswith("/sok?") and "fra=2023-05-01" in link and "til=2023-08-31" in link
    listed = _listed(client, link)
    assert sorted(listed) == sorted(f"AV-TEST-{n:05d}" for n in (1, 2, 3, 6, 7, 8))
    # Every linked count in the tables leads to as many cases as it says.
    links = re.findall(r'<td class="text-end text-nowrap"><a href="(/sok\?[^"]+)">(\d+)<span', page)
    assert len(links) > 10
    for href, count in links:
        assert len(_listed(client, html.unescape(href))) == int(count), href
    # Direction municipality → hospital in 2023-T2: D1, D6, D9; the list says what it shows.
    direction = next(h for h, _ in links if "retning=kommune_sykehus" in h and "2023-05-01" in h)
    answer = client.get(html.unescape(direction)).get_data(as_text=True)
    assert "Utvalg fra statistikken:" in answer and "sendt eller mottatt av Trondheim" in answer
    assert sorted(re.findall(r">(AV-TEST-\d+)</a>", answer)) == [
        "AV-TEST-00001",
        "AV-TEST-00006",
        "AV-TEST-00008",  # D9: the references number the cases in the order written
    ]
    # Figures counted from the history or by closing date stay plain numbers.
    assert _tile_link(page, "apne") is None and _tile_link(page, "besvart") is None


@pytest.mark.parametrize("email", ["forbedring@demo.demo", "admin@demo.demo"])
def test_counts_are_plain_numbers_for_those_who_may_not_open_the_cases(cases, login_as, email):
    client = login_as(email)
    page = client.get(f"/statistikk/?tertial={T2}").get_data(as_text=True)
    total = _tile(page, "avvik")
    assert total.startswith("Avvik registrert i tertialet 8 "), total
    assert "fra forrige tertial (T1 2023: 3)" in total
    assert "/sok?" not in page
    # Typing the list's address shows only what they may open: here nothing.
    assert _listed(client, "/sok?fra=2023-05-01&til=2023-08-31") == []


def test_the_improvement_group_starts_on_the_statistics(client, login_as):
    group = login_as("forbedring@demo.demo")
    front = group.get("/")
    assert front.status_code == 302 and front.headers["Location"].endswith("/statistikk/")
    signed_in = client.post(
        "/logg-inn", data={"email": "forbedring@demo.demo", "password": "demo-avvik"}
    )
    assert signed_in.status_code == 302
    assert client.get(signed_in.headers["Location"]).headers["Location"].endswith("/statistikk/")
    for other in ("melder@trondheim.demo", "admin@demo.demo"):
        assert login_as(other).get("/").status_code == 200, other


def test_a_bad_filter_in_the_list_is_left_out_not_a_500(login_as):
    client = login_as("mottak@trondheim.demo")
    for query in ("fra=2023-13-40", "retning=nowhere", "konsekvens=x", "org=-1", "org=9" * 30):
        assert client.get(f"/sok?{query}").status_code == 200, query
