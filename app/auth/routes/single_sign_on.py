"""Logging in through an organisation's own OpenID provider (Entra ID, HelseID, ID-porten …).

/logg-inn/sso/<name> sends the browser to the provider; the provider sends it back to
/logg-inn/sso/<name>/retur (the redirect URI to register there) with a code, which Authlib
exchanges and whose ID token it verifies. Any failure on the way lands on the login page with
a message and a row in the security log; none is a 500.

Authlib and the libraries it uses are imported inside the views: they are loaded only where a
provider is configured (app.auth.sso).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.routes.blueprint import bp, login_redirect, start_browser_session, write_login
from app.auth.services import record, single_sign_on
from app.auth.services.sign_in import client
from app.common.writing import writing
from app.mail.services import absolute_url
from app.models import SecurityEvent

NEXT = "sso_next"

REFUSALS = {
    "no_verified_email": lambda: _(
        "Innloggingstjenesten sendte ingen bekreftet e-postadresse, så vi vet ikke hvilken "
        "konto du skal inn på. Kontakt IT-avdelingen din."
    ),
    "unknown_organisation": lambda: _(
        "Organisasjonen din er ikke koblet til Samhandlingsavvik. Kontakt den lokale "
        "administratoren din."
    ),
    "no_account": lambda: _(
        "Du har ingen konto i Samhandlingsavvik. Be den lokale administratoren i "
        "organisasjonen din om en invitasjon."
    ),
    "wrong_organisation": lambda: _(
        "Kontoen din hører til en annen organisasjon enn den du logget inn for. Kontakt den "
        "lokale administratoren din."
    ),
    "inactive": lambda: _("Kontoen din er deaktivert. Kontakt den lokale administratoren din."),
}


def _redirect_uri(name: str) -> str:
    # From BASE_URL, not the request: it must be exactly what is registered at the provider.
    return absolute_url("auth.sso_callback", name=name)


def _failed(name: str, reason: str):
    with writing():  # a GET that writes the refusal to the security log
        record(SecurityEvent.LOGIN_FAILED, client=client(), detail=f"sso:{name}:{reason}")
    if reason == "unreachable":
        flash(
            _("Innloggingstjenesten svarer ikke. Prøv igjen om litt, eller bruk passord."), "error"
        )
    else:
        flash(_("Innloggingen mislyktes. Prøv igjen."), "error")
    return redirect(url_for("auth.login"))


def _issuer_matches(provider: single_sign_on.Provider, metadata: dict) -> bool:
    # A discovery document naming another issuer is a mix-up, not a provider we know.
    return str(metadata.get("issuer", "")).rstrip("/") == provider.issuer.rstrip("/")


@bp.get("/logg-inn/sso/<name>")
def sso_start(name: str):
    provider = single_sign_on.provider(name)
    if provider is None:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    from requests import RequestException

    session[NEXT] = request.args.get("next") or ""
    oauth = single_sign_on.client(name)
    try:
        if not _issuer_matches(provider, oauth.load_server_metadata()):
            return _failed(name, "issuer_mismatch")
        return oauth.authorize_redirect(_redirect_uri(name))
    except (RequestException, ValueError, RuntimeError):
        return _failed(name, "unreachable")


@bp.get("/logg-inn/sso/<name>/retur")
def sso_callback(name: str):
    provider = single_sign_on.provider(name)
    if provider is None:
        abort(404)
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.base_client.errors import MismatchingStateError
    from joserfc.errors import JoseError
    from requests import RequestException

    oauth = single_sign_on.client(name)
    try:
        token = oauth.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims:
            return _failed(name, "no_id_token")
        if "email" not in claims and oauth.load_server_metadata().get("userinfo_endpoint"):
            # Some providers put only "sub" in the ID token and the rest at userinfo.
            extra = oauth.userinfo(token=token)
            if extra.get("sub") == claims.get("sub"):
                claims = {**extra, **claims}
    except MismatchingStateError:
        return _failed(name, "state")
    except JoseError:
        return _failed(name, "id_token")
    except AuthlibBaseError as error:
        return _failed(name, getattr(error, "error", None) or "token")
    except RequestException:
        return _failed(name, "unreachable")
    # A GET that writes, in one block: the refusal in the security log, or the login (with the
    # account a first login creates).
    with writing():
        match = single_sign_on.match_account(provider, claims, client())
        if match.user is not None:
            write_login(
                match.user, method=f"sso:{name}", provider=name, id_token=token.get("id_token")
            )
    if match.user is None:
        flash(REFUSALS[match.refusal or "no_account"](), "error")
        return redirect(url_for("auth.login"))
    target = start_browser_session(match.user, session.get(NEXT))
    return login_redirect(match.user, target)


def provider_logout(name: str | None, id_token: str | None):
    """After our logout, the provider's own session ends too, where it offers an
    end_session_endpoint; else None (the caller goes to the login page)."""
    provider = single_sign_on.provider(name) if name else None
    if provider is None:
        return None
    from requests import RequestException

    try:
        metadata = single_sign_on.client(provider.name).load_server_metadata()
        if not metadata.get("end_session_endpoint"):
            return None
        url = single_sign_on.client(provider.name).create_logout_url(
            post_logout_redirect_uri=absolute_url("auth.login"),
            id_token_hint=id_token,
            client_id=provider.client_id,
        )["url"]
    except (RequestException, ValueError, RuntimeError):
        return None
    return redirect(url)
