"""The open API (/api/v1/): tokens, scopes, what each organisation sees, problem details, logs."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.api.scopes import DEVIATIONS_READ, DEVIATIONS_WRITE, LEARNING_READ, STATISTICS_READ
from app.auth.services import find_user
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.models import (
    AccessAction,
    AccessLogEntry,
    ApiClient,
    SecurityEvent,
    SecurityLogEntry,
    utcnow,
)
from app.statistics import services as statistics
from app.statistics.services.scope import Scope
from reports import Tertial
from tests.api_helpers import ORGS, bearer, cases_between, issue_token
from tests.factories import identity_number as make_identity_number
from tests.support import app_with_limits

ALL_SCOPES = frozenset({DEVIATIONS_READ, DEVIATIONS_WRITE, STATISTICS_READ, LEARNING_READ})


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["type"]
    return body


# --- The document and its page -------------------------------------------------------------


def test_openapi_document_is_3_1_and_every_operation_names_its_scope(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from Administrasjon › API.",
    }
    operations = {
        (method.upper(), path): op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert {(key, tuple(op["security"][0]["bearer"])) for key, op in operations.items()} == {
        (("GET", "/api/v1/me"), ()),
        (("GET", "/api/v1/categories"), ()),
        (("GET", "/api/v1/organisations"), ()),
        (("GET", "/api/v1/organisations/{organisation_id}/units"), ()),
        (("GET", "/api/v1/deviations"), (DEVIATIONS_READ,)),
        (("GET", "/api/v1/deviations/{reference}"), (DEVIATIONS_READ,)),
        (("GET", "/api/v1/statistics/tertials/{tertial}"), (STATISTICS_READ,)),
        (("GET", "/api/v1/lessons"), (LEARNING_READ,)),
        (("GET", "/api/v1/stories"), (LEARNING_READ,)),
        (("POST", "/api/v1/deviations"), (DEVIATIONS_WRITE,)),
        (("POST", "/api/v1/deviations/{reference}/messages"), (DEVIATIONS_WRITE,)),
        (("POST", "/api/v1/deviations/{reference}/moves"), (DEVIATIONS_WRITE,)),
    }
    # Errors are documented as problem details.
    unauthorized = spec["components"]["responses"]["UNAUTHORIZED"]
    assert list(unauthorized["content"]) == ["application/problem+json"]


def test_docs_page_lists_the_operations_without_a_token(client):
    page = client.get("/api/v1/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "/api/v1/deviations/{reference}" in text and "deviations:read" in text
    csp = page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    # Self-hosted assets only, no inline script (the CSP would refuse it).
    assert "<script>" not in text and 'src="http' not in text and 'href="http' not in text


# --- Who the token is ------------------------------------------------------------------------


def test_no_token_is_a_401_problem_in_norwegian_or_english(client):
    body = _problem(client.get("/api/v1/deviations"), 401)
    assert body["title"] == "Mangler gyldig API-nøkkel"
    assert body["type"].endswith("/token-missing")
    response = client.get("/api/v1/deviations", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert _problem(response, 401)["title"] == "No valid API token"
    assert response.headers["Content-Language"] == "en"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_session_cookie_does_not_authenticate_the_api(client, login_as):
    login_as("mottak@trondheim.demo")
    assert client.get("/mottak").status_code == 200
    _problem(client.get("/api/v1/deviations"), 401)


@pytest.mark.parametrize(
    ("make", "refusal"),
    [
        (lambda token: "avvik_" + "x" * 43, "unknown"),
        (lambda token: "not-even-ours", "malformed"),
    ],
)
def test_a_wrong_token_is_refused(app, client, make, refusal):
    token = issue_token(app, "Trondheim", {DEVIATIONS_READ})
    body = _problem(client.get("/api/v1/me", headers=bearer(make(token))), 401)
    assert body["type"].endswith(f"/token-{refusal}")


def test_revoked_and_expired_tokens_are_refused_and_logged(app, client):
    revoked = issue_token(app, "Trondheim", {DEVIATIONS_READ}, name="Gammel")
    expired = issue_token(app, "Trondheim", {DEVIATIONS_READ}, name="Utløpt")
    assert client.get("/api/v1/me", headers=bearer(revoked)).status_code == 200
    with app.app_context():
        from app.api.services import tokens

        clients = {c.name: c for c in db.session.scalars(sa.select(ApiClient))}
        tokens.revoke(clients["Gammel"], find_user("lokaladmin@trondheim.demo"))
        clients["Utløpt"].expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert _problem(client.get("/api/v1/me", headers=bearer(revoked)), 401)["type"].endswith(
        "/token-revoked"
    )
    assert _problem(client.get("/api/v1/me", headers=bearer(expired)), 401)["type"].endswith(
        "/token-expired"
    )
    with app.app_context():
        refusals = db.session.scalars(
            sa.select(SecurityLogEntry).where(
                SecurityLogEntry.event == SecurityEvent.API_TOKEN_REFUSED
            )
        ).all()
        assert sorted(r.detail for r in refusals) == ["expired", "revoked"]
        trondheim = organisation_by_name("Trondheim").id
        assert {r.organisation_id for r in refusals} == {trondheim}
        assert {r.user.name for r in refusals} == {"API: Gammel", "API: Utløpt"}


def test_token_use_is_logged_at_most_every_few_minutes(app, client):
    token = issue_token(app, "Malvik", {DEVIATIONS_READ}, name="Kvalitetssystem")
    for _ in range(3):
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    with app.app_context():
        used = db.session.scalars(
            sa.select(SecurityLogEntry).where(
                SecurityLogEntry.event == SecurityEvent.API_TOKEN_USED
            )
        ).all()
        assert [u.user.name for u in used] == ["API: Kvalitetssystem"]
        assert used[0].ip_address == "127.0.0.1"
        client_row = db.session.scalar(sa.select(ApiClient))
        assert client_row.last_used_at is not None
        # The system user holds no role: never mailed as a handler, never mottak staff.
        assert client_row.user.role_rows == [] and client_row.user.password_hash is None


def test_me_tells_the_client_its_organisation_and_scopes(app, client):
    token = issue_token(app, HOSPITAL, {STATISTICS_READ, DEVIATIONS_READ}, name="Ledelsesdata")
    body = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert body["name"] == "Ledelsesdata" and body["organisation"] == HOSPITAL
    assert body["scopes"] == [DEVIATIONS_READ, STATISTICS_READ]


# --- The token matrix: scopes x organisations x resources ---------------------------------

SCOPE_SETS = {
    "deviations": frozenset({DEVIATIONS_READ}),
    "write-only": frozenset({DEVIATIONS_WRITE}),
    "statistics": frozenset({STATISTICS_READ}),
    "learning": frozenset({LEARNING_READ}),
    "all": ALL_SCOPES,
}

# resource -> the scope it needs (None: any live token)
RESOURCES = {
    "/api/v1/me": None,
    "/api/v1/categories": None,
    "/api/v1/organisations": None,
    "/api/v1/organisations/1/units": None,
    "/api/v1/deviations": DEVIATIONS_READ,
    "/api/v1/deviations?box=sent": DEVIATIONS_READ,
    "/api/v1/deviations/{own}": DEVIATIONS_READ,
    "/api/v1/statistics/tertials/2026-T1": STATISTICS_READ,
    "/api/v1/lessons": LEARNING_READ,
    "/api/v1/stories": LEARNING_READ,
}

# Which organisation may read which case (cases_between): sender and receiver only.
READS = {
    HOSPITAL: {"trondheim->hospital", "hospital->trondheim", "hospital->malvik"},
    "Trondheim": {"trondheim->hospital", "hospital->trondheim"},
    "Malvik": {"hospital->malvik"},
}
OWN_CASE = {
    HOSPITAL: "trondheim->hospital",
    "Trondheim": "hospital->trondheim",
    "Malvik": "hospital->malvik",
}


@pytest.mark.parametrize("organisation", ORGS)
@pytest.mark.parametrize("scope_set", list(SCOPE_SETS))
def test_token_matrix(app, client, organisation, scope_set):
    cases = cases_between(app)
    granted = SCOPE_SETS[scope_set]
    token = issue_token(app, organisation, granted)
    for resource, needed in RESOURCES.items():
        path = resource.replace("{own}", cases[OWN_CASE[organisation]])
        response = client.get(path, headers=bearer(token))
        if needed is None or needed in granted:
            assert response.status_code == 200, (path, response.get_data(as_text=True))
        else:
            body = _problem(response, 403)
            assert body["type"].endswith("/insufficient-scope"), path
    if DEVIATIONS_READ not in granted:
        return
    # Every case: readable exactly by the organisations that sent or received it, whatever the
    # URL says; a case the token may not see is a 404 like one that does not exist.
    for name, reference in cases.items():
        response = client.get(f"/api/v1/deviations/{reference}", headers=bearer(token))
        assert response.status_code == (200 if name in READS[organisation] else 404), name
    received = client.get("/api/v1/deviations", headers=bearer(token)).get_json()["items"]
    sent = client.get("/api/v1/deviations?box=sent", headers=bearer(token)).get_json()["items"]
    assert {row["counterpart_organisation"] for row in received} <= {organisation}
    assert {row["reporter_organisation"] for row in sent} <= {organisation}
    listed = {row["reference"] for row in received + sent}
    assert listed == {cases[name] for name in READS[organisation]}


def test_a_case_reads_without_identity_or_internal_notes_and_is_access_logged(app, client):
    number = make_identity_number("010180")
    cases = cases_between(app, patient_id=number)
    token = issue_token(app, "Trondheim", {DEVIATIONS_READ}, name="EQS")
    response = client.get(
        f"/api/v1/deviations/{cases['hospital->trondheim']}", headers=bearer(token)
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert number not in text and "INTERN-NOTAT" not in text
    body = response.get_json()
    assert [m["body"] for m in body["messages"]] == ["Offentlig spørsmål til melder."]
    assert body["history"][0]["kind"] == "opprettet"
    with app.app_context():
        entry = db.session.scalar(sa.select(AccessLogEntry))
        assert entry.action == AccessAction.DEVIATION_VIEWED
        assert entry.user.name == "API: EQS"
        assert entry.deviation.reference == cases["hospital->trondheim"]


def test_a_list_writes_each_case_it_shows_to_the_access_log(app, client):
    """Security review, finding 9: every read of case content is logged; a list shows titles
    and states, so each case it shows gets a row, as in the inbox."""
    cases = cases_between(app)
    token = issue_token(app, "Trondheim", {DEVIATIONS_READ}, name="Compilo")
    items = client.get("/api/v1/deviations", headers=bearer(token)).get_json()["items"]
    assert items
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AccessLogEntry).where(AccessLogEntry.action == AccessAction.DEVIATION_LISTED)
        ).all()
        assert sorted(r.deviation.reference for r in rows) == sorted(i["reference"] for i in items)
        assert {r.user.name for r in rows} == {"API: Compilo"}
        assert {i["reference"] for i in items} <= set(cases.values())


def test_the_list_filters_and_pages_as_the_inbox(app, client):
    with app.app_context():
        from tests.api_helpers import file_case

        for day in range(7):
            file_case("melder@stolav.demo", "Malvik", f"Sak {day}", days_ago=day)
        db.session.commit()
    token = issue_token(app, "Malvik", {DEVIATIONS_READ})
    seen, url, pages = [], "/api/v1/deviations?limit=3", 0
    while url:
        body = client.get(url, headers=bearer(token)).get_json()
        seen += [row["title"] for row in body["items"]]
        url = body["next"] and body["next"].replace("http://localhost", "")
        pages += 1
    assert seen == [f"Sak {day}" for day in range(7)] and pages == 3
    assert (
        client.get("/api/v1/deviations?status=besvart", headers=bearer(token)).get_json()["items"]
        == []
    )
    by_deadline = client.get("/api/v1/deviations?sort=deadline", headers=bearer(token))
    assert next(r["title"] for r in by_deadline.get_json()["items"]) == "Sak 6"
    bad = _problem(client.get("/api/v1/deviations?limit=0", headers=bearer(token)), 422)
    assert "limit" in bad["errors"]


def test_statistics_are_the_pages_figures_for_the_tokens_organisation(app, client):
    cases_between(app)
    token = issue_token(app, "Trondheim", {STATISTICS_READ})
    tertial = Tertial.of(utcnow())
    body = client.get(f"/api/v1/statistics/tertials/{tertial.code}", headers=bearer(token))
    figures = body.get_json()
    with app.app_context():
        trondheim = organisation_by_name("Trondheim")
        summary = statistics.tertial_summary(tertial, Scope(trondheim.id, trondheim.name))
    assert figures["total"] == summary.total == 2
    assert figures["by_category"] == [
        {"key": r.key, "label": r.label, "count": r.count, "share": r.share}
        for r in summary.by_category
    ]
    assert figures["scope"] == "Trondheim"
    _problem(client.get("/api/v1/statistics/tertials/1999-T9", headers=bearer(token)), 404)


def test_statistics_labels_follow_accept_language(app, client):
    token = issue_token(app, "Trondheim", {STATISTICS_READ})
    headers = bearer(token, **{"Accept-Language": "en"})
    body = client.get("/api/v1/statistics/tertials/2026-T1", headers=headers).get_json()
    labels = {row["key"]: row["label"] for row in body["by_harm"]}
    assert labels["ingen"] == "No harm"


# --- The admin page ----------------------------------------------------------------------


def test_local_admin_creates_a_client_sees_the_token_once_and_revokes_it(app, client, login_as):
    login_as("lokaladmin@trondheim.demo")
    page = client.get("/admin/api-klienter/")
    assert page.status_code == 200 and "deviations:read" in page.get_data(as_text=True)
    with app.app_context():
        trondheim = organisation_by_name("Trondheim").id
    created = client.post(
        "/admin/api-klienter/",
        data={
            "organisation": trondheim,
            "name": "Kvalitetssystemet (EQS)",
            "scopes": [DEVIATIONS_READ, STATISTICS_READ],
            "expires_on": (utcnow() + timedelta(days=90)).date().isoformat(),
        },
    )
    text = created.get_data(as_text=True)
    assert created.status_code == 200, text
    token = text.split('id="token" readonly value="', 1)[1].split('"', 1)[0]
    assert token.startswith("avvik_")
    with app.app_context():
        row = db.session.scalar(sa.select(ApiClient))
        assert row.token_hash != token and token not in row.token_hash
        assert row.user.name == "API: Kvalitetssystemet (EQS)"
        client_id = row.id
    # Shown once: the list afterwards shows its prefix, never the token.
    listing = client.get("/admin/api-klienter/").get_data(as_text=True)
    assert token not in listing and token[:10] in listing
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    client.post(f"/admin/api-klienter/{client_id}/trekk-tilbake")
    _problem(client.get("/api/v1/me", headers=bearer(token)), 401)
    with app.app_context():
        events = db.session.scalars(
            sa.select(SecurityLogEntry.event).order_by(SecurityLogEntry.id)
        ).all()
        assert SecurityEvent.API_CLIENT_CREATED in events
        assert SecurityEvent.API_CLIENT_REVOKED in events


def test_the_form_refuses_bad_input_and_keeps_it(app, client, login_as):
    login_as("lokaladmin@trondheim.demo")
    with app.app_context():
        trondheim = organisation_by_name("Trondheim").id
    response = client.post(
        "/admin/api-klienter/",
        data={
            "organisation": trondheim,
            "name": "Rapportering",
            "expires_on": (utcnow() - timedelta(days=2)).date().isoformat(),
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Velg minst én tilgang." in text and 'value="Rapportering"' in text


def test_a_local_admin_keeps_only_their_own_organisations_clients(app, client, login_as):
    issue_token(app, "Malvik", {DEVIATIONS_READ}, name="Malviks system")
    with app.app_context():
        malvik_client = db.session.scalar(sa.select(ApiClient)).id
        malvik = organisation_by_name("Malvik").id
    login_as("lokaladmin@trondheim.demo")
    assert "Malviks system" not in client.get("/admin/api-klienter/").get_data(as_text=True)
    assert client.post(f"/admin/api-klienter/{malvik_client}/trekk-tilbake").status_code == 404
    refused = client.post(
        "/admin/api-klienter/",
        data={
            "organisation": malvik,
            "name": "Inntrenger",
            "scopes": [DEVIATIONS_READ],
            "expires_on": (utcnow() + timedelta(days=9)).date().isoformat(),
        },
    )
    assert refused.status_code == 422  # not a choice this admin has
    login_as("melder@trondheim.demo")
    assert client.get("/admin/api-klienter/").status_code == 404
    login_as("admin@demo.demo")
    assert "Malviks system" in client.get("/admin/api-klienter/").get_data(as_text=True)


# --- Rate limits --------------------------------------------------------------------------


@pytest.fixture
def limited_app(database_url, tmp_path):
    """An app whose API limits are on (the testing config turns the limiter off)."""
    with app_with_limits(
        database_url,
        API_RATE_LIMIT="5 per minute",
        API_TOKEN_RATE_LIMIT="3 per minute",
        MAIL_OUTBOX_DIR=str(tmp_path / "outbox"),
    ) as app:
        yield app


def test_rate_limits_per_token_and_per_address(limited_app):
    client = limited_app.test_client()
    tokens = [
        issue_token(limited_app, "Trondheim", {DEVIATIONS_READ}, name=f"Klient {n}")
        for n in range(4)
    ]

    def call(token, address, **headers):
        return client.get(
            "/api/v1/me", headers=bearer(token, **headers), environ_base={"REMOTE_ADDR": address}
        )

    # Per token: three a minute, from wherever it calls.
    assert [call(tokens[0], "10.0.0.1").status_code for _ in range(3)] == [200] * 3
    limited = call(tokens[0], "10.0.0.2", **{"Accept-Language": "en"})
    body = _problem(limited, 429)
    assert body["title"] == "Too many requests" and int(limited.headers["Retry-After"]) > 0
    assert call(tokens[1], "10.0.0.2").status_code == 200
    # Per address: five a minute, whichever tokens it uses.
    codes = [call(tokens[2], "10.0.0.3").status_code for _ in range(3)]
    codes += [call(tokens[3], "10.0.0.3").status_code for _ in range(3)]
    assert codes == [200] * 5 + [429]
