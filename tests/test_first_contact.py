"""First contact (issue 22): the front page a visitor who is not logged in gets, the login page
that says what the service is, the second factor set up on a phone (an otpauth:// link, a copy
button, the key in groups of four), a main menu of at most five entries for every role, and
`make run`'s server ending its start-up with the address."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest

from app.extensions import db
from app.models import Role
from tests import factories
from tests.support import login

ROOT = Path(__file__).resolve().parents[1]


def test_a_visitor_gets_a_front_page_that_says_what_avvik_is_and_how_to_get_an_account(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Samhandlingsavvik i helsefellesskapet" in page  # what it is
    assert "Hvem tjenesten er for" in page and "Saksbehandlere i mottaket" in page  # for whom
    assert "Slik får du en konto" in page and "«lokal administrator»" in page  # how, whom to ask
    # The login itself, posting to the login page, and the language button; no menu.
    assert re.search(r'<form method="post" action="/logg-inn"', page)
    assert 'name="email"' in page and 'name="password"' in page
    assert 'value="en"' in page and 'id="hovedmeny"' not in page
    assert "Hei," not in page

    client.post("/sprak", data={"lang": "en", "next": "/"})
    english = client.get("/").get_data(as_text=True)
    assert "How to get an account" in english and "Slik får du en konto" not in english


def test_the_front_page_logs_in_and_then_is_the_users_own(client):
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"email": "melder@trondheim.demo", "password": "demo-avvik"}
    if token:
        data["csrf_token"] = token.group(1)
    assert client.post("/logg-inn", data=data).status_code == 302
    mine = client.get("/").get_data(as_text=True)
    assert "Hei," in mine and "Slik får du en konto" not in mine


def test_the_login_page_says_what_the_service_is_and_where_an_account_comes_from(client):
    page = client.get("/logg-inn").get_data(as_text=True)
    assert "helsefellesskapets tjeneste for å melde og følge opp avvik" in page
    assert "Spør den lokale administratoren" in page and '<a href="/">Om tjenesten</a>' in page


def _key_on_page(page: str) -> list[str]:
    match = re.search(r'id="totp-nokkel">(.*?)</code>', page, re.DOTALL)
    assert match, "no key on the page"
    return re.findall(r"<span>([A-Z2-7]+)</span>", match.group(1))


@pytest.mark.parametrize("where", ["at login", "from Min konto"])
def test_second_factor_setup_opens_the_app_on_a_phone_and_shows_the_key_in_groups(
    app, client, where
):
    if where == "at login":
        app.config["REQUIRE_TOTP"] = True
        client.post("/logg-inn", data={"email": "melder@trondheim.demo", "password": "demo-avvik"})
        page = client.get("/logg-inn/tofaktor").get_data(as_text=True)
    else:
        login(client, "melder@trondheim.demo")
        page = client.get("/konto/tofaktor").get_data(as_text=True)
    groups = _key_on_page(page)
    key = "".join(groups)
    assert len(key) == 32 and all(len(g) == 4 for g in groups), groups
    # The otpauth:// link: the same key and account as the QR code, for the app on this phone.
    link = re.search(
        r'<a class="btn btn-primary" href="(otpauth://[^"]+)" id="apne-i-appen">', page
    )
    assert link and "Åpne i autentiseringsappen" in page
    uri = urlsplit(link.group(1).replace("&amp;", "&"))
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert unquote(uri.path).endswith("melder@trondheim.demo")
    query = parse_qs(uri.query)
    assert query["secret"] == [key] and query["issuer"]
    assert pyotp.parse_uri(link.group(1).replace("&amp;", "&")).secret == key
    # The copy button (shown by copy.js) copies the key without spaces; the QR code stays.
    assert f'data-copy="{key}"' in page and "Kopier nøkkelen" in page and "copy.js" in page
    assert "<svg" in page


MENU_ENTRY = re.compile(r'<li class="nav-item(?: dropdown)?">')


def test_the_main_menu_has_at_most_five_entries_for_every_role(app, client):
    with app.app_context():
        factories.analysis(members=["mottak@trondheim.demo"])
        factories.new_user("alt@stolav.demo", org="St. Olavs hospital HF",
                           roles=[Role.ADMIN, Role.SAKSBEHANDLER, Role.FORBEDRINGSGRUPPE,
                                  Role.PERSONVERN])  # fmt: skip
        db.session.commit()
    roles = [
        "melder@trondheim.demo",
        "mottak@malvik.demo",
        "mottak@trondheim.demo",  # a handler in an analysis
        "mottak@stolav.demo",  # leads it
        "forbedring@demo.demo",
        "admin@demo.demo",
        "lokaladmin@trondheim.demo",
        "alt@stolav.demo",  # every role at once: the rest go under "Mer"
    ]
    for email in roles:
        login(client, email)
        page = client.get("/").get_data(as_text=True)
        menu = page[
            page.index('id="hovedmeny"') : page.index('class="navbar-nav dropdown account-menu"')
        ]
        assert 1 <= len(MENU_ENTRY.findall(menu)) <= 5, (email, MENU_ENTRY.findall(menu))
        # Min konto, the language and Logg ut are in the account menu.
        account = page[page.index("account-menu") : page.index("</header>")]
        assert 'href="/konto"' in account and "Logg ut" in account and 'name="lang"' in account
        client.post("/logg-ut")
    assert 'id="meny-mer"' in page  # the last one, with every role


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_runs_server_ends_its_start_up_with_the_address(tmp_path):
    port = _free_port()
    env = {**os.environ, "AVVIK_CONFIG": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/run.db",
           "PYTHONUNBUFFERED": "1"}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "app.devserver", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    address = f"Avvik kjører på http://127.0.0.1:{port}  (demopassord: demo-avvik)"
    stuck = threading.Timer(60, server.terminate)  # a server that hangs silent ends the read
    stuck.start()
    try:
        # Its start-up, to the address line (a server that fails ends the output early).
        started = [line.rstrip("\n") for line in _lines_until(server.stdout, address)]
        socket.create_connection(("127.0.0.1", port), timeout=5).close()  # serving, no request
    finally:
        stuck.cancel()
        server.terminate()
        rest = server.communicate(timeout=10)[0]
    lines = [line for line in [*started, *rest.splitlines()] if line.strip()]
    assert lines[-1] == address, lines
    assert not any("development server" in line for line in lines), lines


def _lines_until(stream, last: str):
    for line in stream:
        yield line
        if line.rstrip("\n") == last:
            return
