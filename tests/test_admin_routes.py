"""Who may use which administration page: one table, every role, right and wrong organisation.

Columns: admin (central, St. Olavs), lokal_admin of Trondheim (the organisation the URLs
concern), lokal_admin of Malvik (another organisation), saksbehandler and melder of Trondheim.
Everything refused answers 404, as deviations do: ids reveal nothing.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.services import create_user, find_user
from app.data.demo import DEMO_PASSWORD
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.models import AdminLogEntry, Category, Organisation, Role, Unit
from tests.support import login

ACTORS = ["admin", "lokal_right", "lokal_other", "saksbehandler", "melder"]
EMAILS = {
    "admin": "admin@demo.demo",
    "lokal_right": "lokaladmin@trondheim.demo",
    "lokal_other": "lokaladmin@malvik.demo",
    "saksbehandler": "mottak@trondheim.demo",
    "melder": "melder@trondheim.demo",
}
OK, NO = "ok", 404

# (method, url template, form data, expected per actor in ACTORS order)
TABLE = [
    ("GET", "/admin/", {}, [OK, OK, OK, NO, NO]),
    ("GET", "/admin/organisasjoner", {}, [OK, OK, OK, NO, NO]),
    ("GET", "/admin/organisasjoner/{trondheim}", {}, [OK, OK, NO, NO, NO]),
    ("GET", "/admin/organisasjoner/{hospital}", {}, [OK, NO, NO, NO, NO]),
    ("GET", "/admin/organisasjoner/{trondheim}/enheter", {}, [OK, OK, NO, NO, NO]),
    ("GET", "/admin/enheter/{unit}", {}, [OK, OK, NO, NO, NO]),
    ("GET", "/admin/brukere", {}, [OK, OK, OK, NO, NO]),
    ("GET", "/admin/brukere/ny", {}, [OK, OK, OK, NO, NO]),
    ("GET", "/admin/brukere/{melder}", {}, [OK, OK, NO, NO, NO]),
    ("GET", "/admin/brukere/{central_admin}", {}, [OK, NO, NO, NO, NO]),
    ("GET", "/admin/kategorier", {}, [OK, NO, NO, NO, NO]),
    ("GET", "/admin/avtaler", {}, [OK, NO, NO, NO, NO]),
    ("GET", "/admin/kategorier/{category}", {}, [OK, NO, NO, NO, NO]),
    ("GET", "/admin/logg", {}, [OK, OK, OK, NO, NO]),
    ("GET", "/admin/reservemottak", {}, [OK, NO, NO, NO, NO]),
    ("POST", "/admin/reservemottak", {"organisation": "{hospital}"}, [OK, NO, NO, NO, NO]),
    (
        "POST",
        "/admin/organisasjoner",
        {"name": "Indre Fosen", "kind": "kommune", "response_days": "14"},
        [OK, NO, NO, NO, NO],
    ),
    (
        "POST",
        "/admin/organisasjoner/{trondheim}",
        {"name": "Trondheim", "response_days": "20"},
        [OK, OK, NO, NO, NO],
    ),
    ("POST", "/admin/organisasjoner/{trondheim}/aktiv", {"value": "0"}, [OK, NO, NO, NO, NO]),
    (
        "POST",
        "/admin/organisasjoner/{roan}/sla-sammen",
        {"target": "{trondheim}", "confirm": "Roan"},
        [OK, NO, NO, NO, NO],
    ),
    (
        "POST",
        "/admin/organisasjoner/{trondheim}/enheter",
        {"name": "Ny enhet", "parent": ""},
        [OK, OK, NO, NO, NO],
    ),
    ("POST", "/admin/enheter/{unit}/aktiv", {"value": "0"}, [OK, OK, NO, NO, NO]),
    ("POST", "/admin/kategorier", {"name": "Ny kategori"}, [OK, NO, NO, NO, NO]),
    ("POST", "/admin/kategorier/{category}/slett", {}, [OK, NO, NO, NO, NO]),
    ("POST", "/admin/brukere/{melder}/aktiv", {"value": "0"}, [OK, OK, NO, NO, NO]),
    ("POST", "/admin/brukere/{melder}/passordlenke", {}, [OK, OK, NO, NO, NO]),
    ("POST", "/admin/brukere/{central_admin}/aktiv", {"value": "0"}, [OK, NO, NO, NO, NO]),
    (
        "POST",
        "/admin/organisasjoner/{trondheim}/mottak/{saksbehandler}/fjern",
        {},
        [OK, OK, NO, NO, NO],
    ),
]


@pytest.fixture
def ids(app) -> dict[str, int]:
    with app.app_context():
        create_user(
            EMAILS["lokal_other"], "Mari Malvik", organisation_by_name("Malvik"), DEMO_PASSWORD,
            {Role.LOKAL_ADMIN},
        )  # fmt: skip
        trondheim = organisation_by_name("Trondheim")
        # A central admin working in Trondheim: Trondheim's lokal_admin must not touch them.
        central = create_user(
            "sentral@trondheim.demo", "Siri Sentral", trondheim, DEMO_PASSWORD, {Role.ADMIN}
        )
        unused = Category(name="Ubrukt kategori", position=99)
        db.session.add(unused)
        db.session.commit()
        return {
            "trondheim": trondheim.id,
            "hospital": organisation_by_name(HOSPITAL).id,
            "roan": organisation_by_name("Roan").id,
            "unit": db.session.scalar(
                sa.select(Unit.id).where(
                    Unit.organisation_id == trondheim.id, Unit.name == "Legevakt"
                )
            ),
            "melder": find_user("melder@trondheim.demo").id,
            "saksbehandler": find_user("mottak@trondheim.demo").id,
            "central_admin": central.id,
            "category": unused.id,
        }


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    "method,url,data,expected", TABLE, ids=[f"{m} {u}" for m, u, _d, _e in TABLE]
)
def test_permission_table(app, client, ids, actor, method, url, data, expected):
    login(client, EMAILS[actor])
    url = url.format(**ids)
    data = {k: v.format(**ids) for k, v in data.items()}
    response = client.get(url) if method == "GET" else client.post(url, data=data)
    want = expected[ACTORS.index(actor)]
    if want == NO:
        assert response.status_code == 404, (actor, url, response.status_code)
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(AdminLogEntry)) == 0
    else:
        # A page, or a redirect after a change that went through (and was logged).
        assert response.status_code in (200, 302), (actor, url, response.status_code)
        if method == "POST":
            with app.app_context():
                assert db.session.scalar(sa.select(sa.func.count()).select_from(AdminLogEntry)) >= 1


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/organisasjoner")
    assert response.status_code == 302 and "/logg-inn" in response.headers["Location"]


def test_navigation_shows_administration_only_to_administrators(client, ids):
    login(client, "lokaladmin@trondheim.demo")
    assert 'href="/admin/"' in client.get("/").get_data(as_text=True)
    client.post("/logg-ut")
    login(client, "mottak@trondheim.demo")
    assert 'href="/admin/"' not in client.get("/").get_data(as_text=True)


def test_lokal_admin_cannot_grant_admin_with_a_forged_form(app, client, ids):
    login(client, "lokaladmin@trondheim.demo")
    response = client.post(
        f"/admin/brukere/{ids['melder']}",
        data={
            "name": "Kari Nordmann",
            "organisation": str(ids["trondheim"]),
            "unit": "",
            "roles": ["admin"],
        },
    )
    assert response.status_code == 422
    assert "Du har ikke lov til å gjøre denne endringen." in response.get_data(as_text=True)
    with app.app_context():
        assert Role.ADMIN not in find_user("melder@trondheim.demo").roles


def test_lokal_admin_invites_into_own_organisation_only(app, client, ids):
    login(client, "lokaladmin@trondheim.demo")
    malvik = str(db_id(app, "Malvik"))
    refused = client.post(
        "/admin/brukere/ny",
        data={"email": "ny@malvik.demo", "name": "Ny", "organisation": malvik, "language": "nb"},
    )
    assert refused.status_code == 422
    invited = client.post(
        "/admin/brukere/ny",
        data={"email": "Ny@Trondheim.demo", "name": "Nils Ny", "organisation": str(ids["trondheim"]),
              "unit": str(ids["unit"]), "roles": ["saksbehandler"], "language": "nb"},
    )  # fmt: skip
    assert invited.status_code == 302
    with app.app_context():
        user = find_user("ny@trondheim.demo")
        assert user.organisation.name == "Trondheim" and user.unit.name == "Legevakt"
        assert user.roles == {Role.MELDER, Role.SAKSBEHANDLER} and user.password_hash is None
        assert find_user("ny@malvik.demo") is None


def test_bad_input_gets_a_message_beside_the_field_and_keeps_what_was_typed(client, ids):
    login(client, "admin@demo.demo")
    response = client.post(
        "/admin/organisasjoner", data={"name": "Trondheim", "kind": "kommune", "response_days": "0"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Svarfristen må være mellom 1 og 365 dager." in page
    assert 'value="Trondheim"' in page
    response = client.post(
        "/admin/organisasjoner",
        data={"name": "trondheim", "kind": "kommune", "response_days": "10"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Navnet er allerede i bruk." in page and 'value="10"' in page
    merge = client.post(
        f"/admin/organisasjoner/{ids['roan']}/sla-sammen",
        data={"target": str(ids["trondheim"]), "confirm": "roan?"},
    )
    assert merge.status_code == 422 and "Skriv navnet nøyaktig slik det står" in merge.get_data(
        as_text=True
    )
    used = client.post(
        f"/admin/organisasjoner/{ids['trondheim']}/enheter", data={"name": "x" * 500}
    )
    assert used.status_code == 422


def test_used_category_cannot_be_deleted_through_the_page(app, client, ids):
    login(client, "admin@demo.demo")
    with app.app_context():
        from app.data.demo import create_demo_deviations

        create_demo_deviations()
        db.session.commit()
        used = db.session.scalar(sa.select(Category).where(Category.name == "Utskrivning"))
        used_id = used.id
    response = client.post(f"/admin/kategorier/{used_id}/slett", follow_redirects=True)
    assert "kan derfor ikke slettes, bare deaktiveres" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Category, used_id) is not None


def test_merge_through_the_page(app, client, ids):
    login(client, "admin@demo.demo")
    response = client.post(
        f"/admin/organisasjoner/{ids['roan']}/sla-sammen",
        data={"target": str(ids["trondheim"]), "confirm": "Roan"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Roan er slått sammen med Trondheim" in response.get_data(as_text=True)
    with app.app_context():
        roan = db.session.get(Organisation, ids["roan"])
        assert not roan.active and roan.merged_into_id == ids["trondheim"]


def test_log_page_shows_changes_in_both_languages(app, client, ids):
    login(client, "admin@demo.demo")
    client.post(
        f"/admin/organisasjoner/{ids['trondheim']}",
        data={"name": "Trondheim", "response_days": "21"},
    )
    page = client.get("/admin/logg").get_data(as_text=True)
    assert "Organisasjon endret" in page and "Svarfrist (dager)" in page and "21" in page
    client.post("/sprak", data={"lang": "en"})
    page = client.get("/admin/logg").get_data(as_text=True)
    assert "Organisation changed" in page and "Response deadline (days)" in page


def db_id(app, name: str) -> int:
    with app.app_context():
        return organisation_by_name(name).id


def test_lokal_admin_sets_the_deadline_without_a_name_field(app, client, ids):
    login(client, "lokaladmin@trondheim.demo")
    page = client.get(f"/admin/organisasjoner/{ids['trondheim']}").get_data(as_text=True)
    assert 'id="name"' not in page and 'id="response_days"' in page
    response = client.post(
        f"/admin/organisasjoner/{ids['trondheim']}",
        data={"response_days": "9", "name": "Nytt navn"},
    )
    assert response.status_code == 302
    with app.app_context():
        trondheim = db.session.get(Organisation, ids["trondheim"])
        assert (trondheim.name, trondheim.response_days) == ("Trondheim", 9)
