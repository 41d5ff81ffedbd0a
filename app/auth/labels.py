"""What sign-in reasons and sessions are called on screen (the events' labels are in
reports/labels.py, app.common.labels in the app)."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.models import LoginSession

# The detail codes the services write (app.auth.services), for the security log page.
DETAIL = {
    "password": _l("passord"),
    "password+totp": _l("passord og kode fra appen"),
    "password+recovery_code": _l("passord og gjenopprettingskode"),
    "unknown_account": _l("ukjent e-postadresse"),
    "wrong_password": _l("feil passord"),
    "wrong_code": _l("feil kode"),
    "locked": _l("kontoen måtte vente"),
    "inactive": _l("deaktivert konto"),
    "sso_only": _l("organisasjonen bruker bare egen innlogging"),
    "change": _l("endret av brukeren"),
    "reset": _l("via lenke for nytt passord"),
    "invitation": _l("via invitasjon"),
    "user": _l("av brukeren selv"),
    "admin": _l("av en administrator"),
    "all_by_admin": _l("alle, av en administrator"),
    "no_verified_email": _l("ingen bekreftet e-postadresse"),
    "unknown_organisation": _l("organisasjonen er ikke koblet til"),
    "no_account": _l("ingen konto"),
    "wrong_organisation": _l("kontoen hører til en annen organisasjon"),
    "state": _l("ugyldig eller gjenbrukt svar (state)"),
    "id_token": _l("ID-tokenet ble ikke godtatt"),
    "unreachable": _l("innloggingstjenesten svarte ikke"),
    "issuer_mismatch": _l("feil utsteder"),
    "invalid_grant": _l("koden ble ikke godtatt (brukt før eller utløpt)"),
}


def detail(code: str) -> str:
    """ "sso:helseid:no_account" → "HelseID: ingen konto"; a lock's "120s" → "2 min"."""
    if code.startswith("sso:"):
        _sso, name, *rest = code.split(":", 2)
        reason = rest[0] if rest else ""
        return f"{name}: {DETAIL.get(reason, reason)}" if reason else name
    if code.endswith("s") and code[:-1].isdigit():
        seconds = int(code[:-1])
        return _("venter %(minutes)s min", minutes=format_decimal(seconds / 60, "#,##0.#"))
    return str(DETAIL.get(code, code))


_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def browser(user_agent: str | None) -> str:
    """ "Firefox · Windows" from a User-Agent header: enough to recognise one's own devices."""
    agent = user_agent or ""
    name = next((label for key, label in _BROWSERS if key in agent), None)
    system = next((label for key, label in _SYSTEMS if key in agent), None)
    if name is None and system is None:
        return _("Ukjent nettleser")
    return " · ".join(part for part in (name, system) if part)


def sign_in_method(login_session: LoginSession) -> str:
    if login_session.provider:
        from app.auth.services import single_sign_on

        provider = single_sign_on.provider(login_session.provider)
        return _("med %(name)s", name=provider.label if provider else login_session.provider)
    if login_session.second_factor:
        return _("med passord og kode")
    return _("med passord")
