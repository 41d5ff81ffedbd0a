"""Single sign-on against a real OpenID provider (npm oidc-provider on 127.0.0.1).

The browser's part is played by `requests` on the provider's pages and Flask's test client on
ours; tests/e2e/test_sign_in_browser.py walks the same flow in Chromium.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey

from app.auth.services import find_user
from app.auth.services import single_sign_on as sso
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.models import LoginSession, Role, SecurityEvent, SecurityLogEntry
from tests.oidc import OidcProvider, running_provider, through_provider
from tests.support import login

BASE = "http://127.0.0.1:5000"


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[OidcProvider]:
    with running_provider() as provider:
        yield provider


def connect(app, provider: OidcProvider, tmp_path: Path, name: str = "test", **entry) -> dict:
    """Register a client at the provider and give the app a providers file naming it."""
    private_key = entry.pop("private_key", None)
    public_jwk = None
    if private_key is not None:
        public_jwk = {k: v for k, v in private_key.as_dict(private=False).items()}
    registered = provider.register_client(
        f"{BASE}/logg-inn/sso/{name}/retur", f"{BASE}/logg-inn", public_jwk=public_jwk
    )
    config = {
        "name": name,
        "label": "Testleverandør",
        "issuer": provider.issuer,
        "client_id": registered["client_id"],
        **entry,
    }
    if private_key is not None:
        key_file = tmp_path / f"{name}-key.json"
        key_file.write_text(json.dumps(private_key.as_dict(private=True)), encoding="utf-8")
        config["private_key_file"] = str(key_file)
    else:
        config["client_secret"] = registered["client_secret"]
    if "organisation" not in config and "organisation_claim" not in config:
        config["organisation"] = "Trondheim"
    app.config["OIDC_PROVIDERS_FILE"] = provider.write_providers_file(
        tmp_path / "providers.json", config
    )
    sso.init_app(app)
    return registered


def sso_login(client, account: str, name: str = "test"):
    start = client.get(f"/logg-inn/sso/{name}?next=/avvik/mine")
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    back = through_provider(start.headers["Location"], account, BASE)
    return client.get(back[len(BASE) :]), back


def last_security_row(app) -> SecurityLogEntry:
    with app.app_context():
        return db.session.scalars(
            sa.select(SecurityLogEntry).order_by(SecurityLogEntry.id.desc())
        ).first()


def test_login_through_the_provider(app, client, oidc_provider, tmp_path):
    connect(app, oidc_provider, tmp_path)
    start = client.get("/logg-inn/sso/test")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    # Authorization code flow with PKCE, state and nonce.
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [f"{BASE}/logg-inn/sso/test/retur"]

    response, _ = sso_login(client, "melder@trondheim.demo")
    assert response.status_code == 302 and response.headers["Location"] == "/avvik/mine"
    assert client.get("/avvik/mine").status_code == 200
    with app.app_context():
        user = find_user("melder@trondheim.demo")
        row = db.session.scalar(sa.select(LoginSession).where(LoginSession.user_id == user.id))
        assert row.provider == "test" and row.id_token
    logged = last_security_row(app)
    assert logged.event is SecurityEvent.LOGIN and logged.detail == "sso:test"


def test_the_login_page_has_a_button_per_provider(app, client, oidc_provider, tmp_path):
    connect(app, oidc_provider, tmp_path)
    page = client.get("/logg-inn").get_data(as_text=True)
    assert "Logg inn med Testleverandør" in page
    assert page.index("Logg inn med Testleverandør") < page.index('name="password"')


def test_a_wrong_state_is_refused(app, client, oidc_provider, tmp_path):
    connect(app, oidc_provider, tmp_path)
    start = client.get("/logg-inn/sso/test")
    back = through_provider(start.headers["Location"], "melder@trondheim.demo", BASE)
    forged = back.replace("state=", "state=x")
    response = client.get(forged[len(BASE) :], follow_redirects=True)
    assert "Innloggingen mislyktes" in response.get_data(as_text=True)
    assert client.get("/avvik/mine").status_code == 302
    assert last_security_row(app).detail == "sso:test:state"


def test_a_replayed_code_is_refused(app, client, oidc_provider, tmp_path):
    connect(app, oidc_provider, tmp_path)
    response, back = sso_login(client, "melder@trondheim.demo")
    assert response.status_code == 302
    client.post("/logg-ut")
    # The same answer again: its state is spent.
    again = client.get(back[len(BASE) :])
    assert again.headers["Location"] == "/logg-inn"
    assert last_security_row(app).detail == "sso:test:state"
    # The old code under a fresh state: the provider refuses a code it has already exchanged.
    fresh = client.get("/logg-inn/sso/test")
    state = parse_qs(urlsplit(fresh.headers["Location"]).query)["state"][0]
    code = parse_qs(urlsplit(back).query)["code"][0]
    replay = client.get(f"/logg-inn/sso/test/retur?code={code}&state={state}")
    assert replay.headers["Location"] == "/logg-inn"
    assert last_security_row(app).detail == "sso:test:invalid_grant"
    assert client.get("/avvik/mine").status_code == 302


@pytest.mark.parametrize("account", ["feil-mottaker@trondheim.demo", "utlopt@trondheim.demo"])
def test_an_id_token_for_another_client_or_expired_is_refused(
    app, client, oidc_provider, tmp_path, account
):
    connect(app, oidc_provider, tmp_path)
    response, _ = sso_login(client, account)
    assert response.headers["Location"] == "/logg-inn"
    assert last_security_row(app).detail == "sso:test:id_token"
    assert client.get("/avvik/mine").status_code == 302


def test_unknown_e_mail_is_refused_unless_the_provider_creates_reporters(
    app, client, oidc_provider, tmp_path
):
    connect(app, oidc_provider, tmp_path)
    response, _ = sso_login(client, "ny.ansatt@trondheim.demo")
    assert "Du har ingen konto" in client.get(response.headers["Location"]).get_data(as_text=True)
    refused = last_security_row(app)
    assert refused.detail == "sso:test:no_account" and refused.email == "ny.ansatt@trondheim.demo"

    connect(app, oidc_provider, tmp_path, create_users="melder")
    response, _ = sso_login(client, "ny.ansatt@trondheim.demo")
    assert response.headers["Location"] == "/avvik/mine"
    with app.app_context():
        created = find_user("ny.ansatt@trondheim.demo")
        assert created.organisation.name == "Trondheim" and created.roles == {Role.MELDER}
        assert created.name == "Nora Nyansatt" and created.password_hash is None


def test_an_account_of_another_organisation_is_refused(app, client, oidc_provider, tmp_path):
    connect(app, oidc_provider, tmp_path, organisation="Malvik")
    response, _ = sso_login(client, "melder@trondheim.demo")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "hører til en annen organisasjon" in page
    assert last_security_row(app).detail == "sso:test:wrong_organisation"


def test_an_unverified_address_is_refused(app, client, oidc_provider, tmp_path):
    connect(app, oidc_provider, tmp_path)
    response, _ = sso_login(client, "ubekreftet@trondheim.demo")
    assert response.headers["Location"] == "/logg-inn"
    assert last_security_row(app).detail == "sso:test:no_verified_email"


def test_a_shared_provider_maps_by_organisation_number(app, client, oidc_provider, tmp_path):
    connect(app, oidc_provider, tmp_path, organisation_claim="orgnr")
    response, _ = sso_login(client, "mottak@stolav.demo")
    assert response.headers["Location"] == "/logg-inn"
    assert last_security_row(app).detail == "sso:test:unknown_organisation"
    with app.app_context():
        organisation_by_name(HOSPITAL).org_number = "974749025"
        db.session.commit()
    response, _ = sso_login(client, "mottak@stolav.demo")
    assert response.headers["Location"] == "/avvik/mine"


def test_private_key_jwt_client_authentication(app, client, oidc_provider, tmp_path):
    key = RSAKey.import_key(
        rsa.generate_private_key(public_exponent=65537, key_size=2048), {"kid": "avvik-1"}
    )
    connect(app, oidc_provider, tmp_path, name="helseid", private_key=key)
    response, _ = sso_login(client, "melder@trondheim.demo", name="helseid")
    assert response.headers["Location"] == "/avvik/mine"


def test_sso_only_organisation_refuses_passwords(app, client, oidc_provider, tmp_path):
    connect(app, oidc_provider, tmp_path)
    with app.app_context():
        organisation_by_name("Trondheim").sso_only = True
        db.session.commit()
    refused = client.post(
        "/logg-inn", data={"email": "melder@trondheim.demo", "password": "demo-avvik"}
    )
    assert refused.status_code == 422
    assert "Logg inn med …" in refused.get_data(as_text=True)
    assert last_security_row(app).detail == "sso_only"
    response, _ = sso_login(client, "melder@trondheim.demo")
    assert response.headers["Location"] == "/avvik/mine"


def test_logout_ends_the_provider_session_too(app, client, oidc_provider, tmp_path):
    registered = connect(app, oidc_provider, tmp_path)
    sso_login(client, "melder@trondheim.demo")
    out = client.post("/logg-ut")
    location = out.headers["Location"]
    assert location.startswith(f"{oidc_provider.issuer}/session/end")
    query = parse_qs(urlsplit(location).query)
    assert query["post_logout_redirect_uri"] == [f"{BASE}/logg-inn"]
    assert query["client_id"] == [registered["client_id"]] and query["id_token_hint"][0]
    # A password login has no provider session: logout stays here.
    login(client, "mottak@malvik.demo")
    assert client.post("/logg-ut").headers["Location"] == "/logg-inn"


def test_an_unreachable_provider_is_a_message_not_an_error(app, client, tmp_path):
    path = tmp_path / "providers.json"
    path.write_text(
        json.dumps(
            [
                {
                    "name": "borte",
                    "label": "Borte",
                    "issuer": "http://127.0.0.1:9",
                    "client_id": "x",
                    "client_secret": "y",
                    "organisation": "Trondheim",
                }
            ]
        )
    )
    app.config["OIDC_PROVIDERS_FILE"] = str(path)
    sso.init_app(app)
    response = client.get("/logg-inn/sso/borte", follow_redirects=True)
    assert response.status_code == 200
    assert "Innloggingstjenesten svarer ikke" in response.get_data(as_text=True)
    assert client.get("/logg-inn/sso/finnes-ikke").status_code == 404


@pytest.mark.parametrize(
    "entry,message",
    [
        ({"label": "x"}, "'name' is required"),
        ({"name": "Stor Bokstav"}, "lower-case"),
        ({"client_secret": None}, "either 'client_secret' or 'private_key_file'"),
        ({"organisation_claim": "orgnr"}, "either 'organisation' or 'organisation_claim'"),
        ({"create_users": "admin"}, "create_users"),
        ({"scopes": "email"}, "openid"),
        ({"issuer": "ftp://x"}, "https://"),
        ({"secret": "typo"}, "unknown keys"),
    ],
)
def test_a_broken_providers_file_stops_the_app_with_a_reason(tmp_path, entry, message):
    good = {
        "name": "test",
        "label": "Test",
        "issuer": "https://login.example",
        "client_id": "abc",
        "client_secret": "s",
        "organisation": "Trondheim",
    }
    bad = {k: v for k, v in {**good, **entry}.items() if v is not None}
    if entry == {"label": "x"}:
        bad.pop("name")
    path = tmp_path / "providers.json"
    path.write_text(json.dumps([bad]))
    with pytest.raises(sso.ProviderConfigError, match=message):
        sso.load_providers(str(path))
