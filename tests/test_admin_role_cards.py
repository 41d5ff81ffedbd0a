"""The invitation and user forms show each role as a choice card: its name and one line of what
it may do (reports/labels.py ROLE_HELP), in the reader's language; the field names and what a
post does are unchanged."""

from __future__ import annotations

import re

from app.auth.services import find_user
from app.common import labels
from app.extensions import db
from app.models import Role
from reports.labels import ROLE_HELP, ROLES
from tests.support import login


def _cards(page: str) -> dict[str, tuple[str, str]]:
    """Each role checkbox's value: (its label, its help line), the help tied to the box."""
    found = {}
    for card in re.findall(
        r'<div class="form-check choice-card">(.*?)</div>\s*</div>', page, re.DOTALL
    ):
        value = re.search(r'name="roles"[^>]*value="([^"]+)"', card) or re.search(
            r'value="([^"]+)"[^>]*name="roles"', card
        )
        box_id = re.search(r'id="(roles-\d+)"', card).group(1)
        assert f'aria-describedby="{box_id}-hjelp"' in card
        label = re.search(r"<label[^>]*>(.*?)</label>", card, re.DOTALL).group(1).strip()
        help_ = re.search(rf'id="{box_id}-hjelp"[^>]*>(.*)', card, re.DOTALL).group(1).strip()
        found[value.group(1)] = (label, help_)
    return found


def test_every_role_has_a_help_line():
    assert set(ROLE_HELP) == set(ROLES) == {r.value for r in Role}


def test_invitation_form_shows_names_and_help_in_both_languages(app, client):
    login(client, "admin@demo.demo")
    cards = _cards(client.get("/admin/brukere/ny").text)
    assert set(cards) == {r.value for r in Role} - {"melder"}  # everyone reports already
    assert cards["saksbehandler"] == (
        "Saksbehandler",
        (
            "Bemanner mottaket: ser og behandler avvik sendt til organisasjonen eller videresendt "
            "til enheten, og ser avvik meldt fra organisasjonen."
        ),
    )
    assert cards["lokal_admin"][0] == "Lokal administrator"
    assert cards["personvern"][1].startswith("Personvernombud for egen organisasjon")

    with app.app_context():
        find_user("admin@demo.demo").language = "en"
        db.session.commit()
    english = _cards(client.get("/admin/brukere/ny").text)
    assert english["saksbehandler"][0] == "Case handler"
    assert english["saksbehandler"][1].startswith("Staffs the inbox: sees and handles")
    assert english["forbedringsgruppe"] == (
        "Improvement group",
        (
            "Sees statistics and tertial reports for all organisations; deviation texts only "
            "without personal data."
        ),
    )
    for value, (label, help_) in english.items():
        assert help_ and help_ != ROLE_HELP[value], value  # translated, not the msgid


def test_user_form_shows_the_cards_checked_and_a_post_still_saves(app, client):
    with app.app_context():
        melder = find_user("melder@trondheim.demo")
        melder_id, org_id = melder.id, melder.organisation_id
    login(client, "lokaladmin@trondheim.demo")
    page = client.get(f"/admin/brukere/{melder_id}").text
    cards = _cards(page)
    assert "admin" not in cards  # a local admin cannot grant it: no card for it
    assert cards["analytiker"] == (
        "Analytiker",
        "Deltar i hendelsesanalysene personen er medlem av.",
    )
    saved = client.post(
        f"/admin/brukere/{melder_id}",
        data={"name": "Kari Nordmann", "organisation": str(org_id), "unit": "",
              "roles": ["saksbehandler", "analytiker"]},
    )  # fmt: skip
    assert saved.status_code == 302
    with app.app_context():
        assert find_user("melder@trondheim.demo").roles == {
            Role.MELDER, Role.SAKSBEHANDLER, Role.ANALYTIKER
        }  # fmt: skip
    again = client.get(f"/admin/brukere/{melder_id}").text
    checked = re.findall(
        r'<input[^>]*checked[^>]*name="roles"[^>]*value="([^"]+)"', again
    ) + re.findall(r'<input[^>]*name="roles"[^>]*value="([^"]+)"[^>]*checked', again)
    assert set(checked) >= {"saksbehandler", "analytiker"}
    assert str(labels.ROLE_HELP["saksbehandler"]) in again
