"""Single sign-on through an organisation's OpenID Connect provider: the providers, read from
OIDC_PROVIDERS_FILE and registered with Authlib, and who a verified login is.

Authlib's Flask client does discovery, the authorization code flow with PKCE, state and nonce,
and verifies the ID token against the provider's JWKS (signature, issuer, audience, expiry).
Each app gets its own Authlib registry: a registry holds one app and caches each provider's
discovery document and keys, and tests build many apps with different providers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, current_app

from app.auth.services.accounts import create_user, find_user
from app.auth.services.security_log import Client, record
from app.extensions import db
from app.models import Organisation, SecurityEvent, User, utcnow

if TYPE_CHECKING:
    from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
    from joserfc.jwk import RSAKey

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
DEFAULT_SCOPES = "openid email profile"
# Members of a JWK key file that go into the header of the signed client assertion: HelseID
# finds the key by "kid", Entra ID by the certificate's thumbprint "x5t".
ASSERTION_HEADERS = ("kid", "x5t", "x5t#S256")
EXTENSION = "avvik.sso"


class ProviderConfigError(RuntimeError):
    """OIDC_PROVIDERS_FILE is not what README describes; the app refuses to start."""


@dataclass(frozen=True)
class Provider:
    name: str  # the URL slug: /logg-inn/sso/<name>
    label: str  # the button: "Logg inn med <label>"
    issuer: str
    client_id: str
    client_secret: str | None = None
    private_key_file: str | None = None
    scopes: str = DEFAULT_SCOPES
    organisation: str | None = None  # a fixed organisation's name
    organisation_claim: str | None = None  # a claim holding an organisation number
    create_users: str | None = None  # "melder": a first login creates a reporter

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    @property
    def origin(self) -> str:
        """Scheme and host of the issuer, where its login and logout pages are."""
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"


def _provider(entry: Any, where: str) -> Provider:
    if not isinstance(entry, dict):
        raise ProviderConfigError(f"{where}: each provider is a JSON object")
    known = set(Provider.__dataclass_fields__)
    unknown = set(entry) - known
    if unknown:
        raise ProviderConfigError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("name", "label", "issuer", "client_id"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ProviderConfigError(f"{where}: '{key}' is required")
    if not NAME.match(entry["name"]):
        raise ProviderConfigError(f"{where}: 'name' must be lower-case letters, digits and -")
    if not entry["issuer"].startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ProviderConfigError(f"{where}: 'issuer' must be an https:// address")
    if bool(entry.get("client_secret")) == bool(entry.get("private_key_file")):
        raise ProviderConfigError(f"{where}: give either 'client_secret' or 'private_key_file'")
    if bool(entry.get("organisation")) == bool(entry.get("organisation_claim")):
        raise ProviderConfigError(f"{where}: give either 'organisation' or 'organisation_claim'")
    if entry.get("create_users") not in (None, "melder"):
        raise ProviderConfigError(f"{where}: 'create_users' can only be \"melder\"")
    scopes = entry.get("scopes", DEFAULT_SCOPES)
    if isinstance(scopes, list):
        scopes = " ".join(scopes)
    if "openid" not in str(scopes).split():
        raise ProviderConfigError(f"{where}: 'scopes' must include openid")
    return Provider(**{**entry, "scopes": scopes})


def load_providers(path: str | None) -> list[Provider]:
    if not path:
        return []
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ProviderConfigError(f"OIDC_PROVIDERS_FILE {path}: {error}") from error
    if not isinstance(data, list):
        raise ProviderConfigError(f"OIDC_PROVIDERS_FILE {path}: a JSON list of providers")
    providers = [_provider(entry, f"{path}[{i}]") for i, entry in enumerate(data)]
    names = [p.name for p in providers]
    if len(names) != len(set(names)):
        raise ProviderConfigError(f"OIDC_PROVIDERS_FILE {path}: two providers share a name")
    return providers


def _private_key(path: str) -> tuple[RSAKey, dict[str, str]]:
    """A PEM file or a JWK (JSON); from a JWK, the members the assertion's header needs."""
    from joserfc.jwk import RSAKey

    text = Path(path).read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        jwk = json.loads(text)
        return RSAKey.import_key(jwk), {k: jwk[k] for k in ASSERTION_HEADERS if k in jwk}
    return RSAKey.import_key(text), {}


def _register(registry: OAuth, provider: Provider) -> None:
    from authlib.oauth2.rfc7523 import PrivateKeyJWT

    client_kwargs: dict[str, Any] = {
        "scope": provider.scopes,
        "code_challenge_method": "S256",
        "default_timeout": 10,
    }
    kwargs: dict[str, Any] = {}
    if provider.private_key_file:
        key, headers = _private_key(provider.private_key_file)
        kwargs["client_secret"] = key
        kwargs["client_auth_methods"] = [PrivateKeyJWT(headers=headers or None)]
        client_kwargs["token_endpoint_auth_method"] = "private_key_jwt"
    else:
        kwargs["client_secret"] = provider.client_secret
        client_kwargs["token_endpoint_auth_method"] = "client_secret_basic"
    registry.register(
        provider.name,
        client_id=provider.client_id,
        server_metadata_url=provider.metadata_url,
        client_kwargs=client_kwargs,
        **kwargs,
    )


@dataclass(frozen=True)
class Providers:
    registry: OAuth | None  # None when no provider is configured
    by_name: dict[str, Provider]


def init_app(app: Flask) -> None:
    providers = load_providers(app.config.get("OIDC_PROVIDERS_FILE"))
    registry = None
    if providers:
        # Authlib, with requests and joserfc, costs each worker some 15 MB: it is loaded only
        # where a provider is configured.
        from authlib.integrations.flask_client import OAuth

        registry = OAuth(app)
        for provider in providers:
            try:
                _register(registry, provider)
            except (OSError, ValueError) as error:
                raise ProviderConfigError(f"provider {provider.name}: {error}") from error
    app.extensions[EXTENSION] = Providers(registry, {p.name: p for p in providers})


def providers() -> list[Provider]:
    return list(current_app.extensions[EXTENSION].by_name.values())


def provider(name: str) -> Provider | None:
    return current_app.extensions[EXTENSION].by_name.get(name)


def client(name: str) -> FlaskOAuth2App:
    return current_app.extensions[EXTENSION].registry.create_client(name)


# --- Who a verified login is -----------------------------------------------------------------
# The e-mail claim, matched to an active account of the organisation the provider speaks for.
# The provider has already proven the person (Authlib verified the ID token); what is decided
# here is which account, if any, that person may use. Every refusal is logged with its reason.


@dataclass(frozen=True)
class SsoMatch:
    user: User | None
    refusal: str | None = None  # a stable code; the route shows its message
    created: bool = False


def _organisation_number(value: Any) -> str | None:
    """An organisation number from a claim: "974 749 025", 974749025 or ["974749025"]."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, int | str):
        digits = re.sub(r"\s", "", str(value))
        if re.fullmatch(r"\d{9}", digits):
            return digits
    return None


def mapped_organisation(provider: Provider, claims: dict[str, Any]) -> Organisation | None:
    if provider.organisation:
        query = sa.select(Organisation).where(Organisation.name == provider.organisation)
    else:
        number = _organisation_number(claims.get(provider.organisation_claim or ""))
        if number is None:
            return None
        query = sa.select(Organisation).where(Organisation.org_number == number)
    org = db.session.scalar(query)
    return org if org is not None and org.active else None


def _verified_email(claims: dict[str, Any]) -> str | None:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        return None
    # Absent is accepted (Entra ID sends none for its own accounts); an explicit false is not.
    if claims.get("email_verified") in (False, "false", "False"):
        return None
    return email.strip().lower()


def match_account(
    provider: Provider, claims: dict[str, Any], client: Client, now: datetime | None = None
) -> SsoMatch:
    now = now or utcnow()
    detail = f"sso:{provider.name}:"

    def refuse(code: str, user: User | None = None, email: str | None = None) -> SsoMatch:
        record(
            SecurityEvent.LOGIN_FAILED,
            user=user,
            email=email,
            client=client,
            detail=detail + code,
            now=now,
        )
        return SsoMatch(None, code)

    email = _verified_email(claims)
    if email is None:
        return refuse("no_verified_email", email=claims.get("email"))
    org = mapped_organisation(provider, claims)
    user = find_user(email)
    if org is None:
        return refuse("unknown_organisation", user=user, email=email)
    if user is None:
        if provider.create_users != "melder":
            return refuse("no_account", email=email)
        name = claims.get("name") if isinstance(claims.get("name"), str) else None
        user = create_user(email, (name or email)[:120], org, None)
        return SsoMatch(user, created=True)
    if user.organisation_id != org.id:
        return refuse("wrong_organisation", user=user)
    if not user.active:
        return refuse("inactive", user=user)
    return SsoMatch(user)
