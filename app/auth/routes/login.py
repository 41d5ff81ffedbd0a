"""Logging in with a password (and the second factor), and logging out.

Between a right password and the second factor the browser carries the random id of a
"pending login" row (app.auth.services.pending): which account, since when and where to go
are on the server. It is good for five minutes, only for the code page, and used once; no
session exists until every factor has passed.
"""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from markupsafe import Markup

from app.auth import services
from app.auth.forms import CodeForm, LoginForm
from app.auth.routes.blueprint import (
    bp,
    finish_login,
    login_redirect,
    remember_language,
    safe_next,
    sign_in_limit,
    start_browser_session,
    write_login,
)
from app.auth.routes.single_sign_on import provider_logout
from app.auth.services import pending, sessions, single_sign_on
from app.auth.services import second_factor as totp
from app.auth.services.sign_in import client
from app.common.database import defer_write_lock
from app.common.errors import ServiceError
from app.common.writing import writing
from app.models import PendingLogin, User

PENDING = "pending_login"


def _start_pending(user: User) -> None:
    with writing():
        raw = pending.start(user, request.args.get("next") or "", request.cookies.get("lang") or "")
    session[PENDING] = raw


def _pending() -> PendingLogin | None:
    return pending.find(session.get(PENDING))


def _pending_expired():
    session.pop(PENDING, None)
    flash(_("Innloggingen tok for lang tid. Logg inn på nytt."), "info")
    return redirect(url_for("auth.login"))


def failed_message() -> str:
    # The same words for every refusal: they must not tell whether the address has an account.
    return _(
        "Innloggingen mislyktes. Sjekk e-postadressen og passordet. Etter flere feil på rad må "
        "du vente noen minutter før du kan prøve igjen."
    )


@bp.route("/logg-inn", methods=["GET", "POST"])
@sign_in_limit()
@defer_write_lock
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        # The slow hash without the write lock; then its outcome, in a write block of its own:
        # failures and locks count even though the login does not happen.
        attempt = services.try_password(form.email.data, form.password.data)
        with writing():
            checked = services.record_password_check(attempt, client())
        if checked.refusal == "sso_only":
            form.password.errors.append(
                _(
                    "Organisasjonen din logger inn med sin egen innlogging. Bruk knappen "
                    "«Logg inn med …» over."
                )
            )
        elif checked.user is None:
            form.password.errors.append(failed_message())
        else:
            user = checked.user
            if user.has_second_factor or current_app.config["REQUIRE_TOTP"]:
                _start_pending(user)
                return redirect(
                    url_for(
                        "auth.second_factor" if user.has_second_factor else "auth.enrol_at_login"
                    )
                )
            target = finish_login(
                user,
                request.args.get("next"),
                method="password",
                language=request.cookies.get("lang"),
            )
            return login_redirect(user, target)
    return render_template("auth/login.html", form=form, providers=single_sign_on.providers()), (
        422 if form.errors else 200
    )


@bp.route("/logg-inn/kode", methods=["GET", "POST"])
@sign_in_limit()
def second_factor():
    row = _pending()
    if row is None or not row.user.has_second_factor:
        return _pending_expired()
    user = row.user
    recovery = request.args.get("kode") == "gjenoppretting"
    form = code_form(recovery=recovery)
    if form.validate_on_submit():
        next_url, language = row.next_url, row.language
        # A wrong code is committed (it counts towards the account's wait); a right one ends
        # the pending login and starts the session in the same block.
        with writing():
            used = totp.verify(user, form.code.data, client())
            if used and pending.use(row):
                write_login(user, method=f"password+{used}", second_factor=True, language=language)
            elif used:
                used = None  # another request finished this login first
        if used:
            target = start_browser_session(user, next_url)
            if used == "recovery_code":
                left = totp.unused_recovery_codes(user)
                flash(
                    _(
                        "Du brukte en gjenopprettingskode. Du har %(left)d igjen. Lag nye under "
                        "«Min konto» når du har telefonen.",
                        left=left,
                    ),
                    "info",
                )
            return login_redirect(user, target)
        form.code.errors.append(
            _(
                "Koden stemmer ikke. Bruk den nyeste koden fra appen, eller en ubrukt gjenopprettingskode."
            )
        )
    return render_template("auth/second_factor.html", form=form, recovery=recovery), (
        422 if form.errors else 200
    )


@bp.route("/logg-inn/tofaktor", methods=["GET", "POST"])
@sign_in_limit()
def enrol_at_login():
    """REQUIRE_TOTP: a password account without a second factor sets one up before it gets in.
    Only then: without REQUIRE_TOTP a pending login never leads here."""
    row = _pending()
    if row is None or row.user.has_second_factor or not current_app.config["REQUIRE_TOTP"]:
        return _pending_expired()
    user = row.user
    with writing():  # the secret shown is kept server-side, never in the cookie
        secret = pending.setup_secret(row, totp.new_secret())
    form = code_form()
    if form.validate_on_submit():
        next_url, language = row.next_url, row.language
        # The factor and the login in one block: a factor whose recovery codes were never shown
        # must not be kept.
        with writing() as done:
            codes = totp.enrol(user, secret, form.code.data, client())
            if codes is not None:
                if not pending.use(row):  # another request finished this login first
                    raise ServiceError(_("Innloggingen tok for lang tid. Logg inn på nytt."))
                write_login(user, method="password+totp", second_factor=True, language=language)
        if codes is not None and done:
            target = start_browser_session(user, next_url)
            return remember_language(
                make_response(
                    render_template("auth/recovery_codes.html", codes=codes, next_url=target)
                ),
                user.language,
            )
        form.code.errors.append(_("Koden stemmer ikke. Skriv inn koden appen viser nå."))
    return render_template(
        "auth/enrol.html", form=form, **setup_view(user, secret), at_login=True
    ), (422 if form.errors else 200)


def code_form(recovery: bool = False) -> CodeForm:
    """A code from the app gets the phone's number pad; a recovery code has letters."""
    form = CodeForm()
    if recovery:
        form.code.label.text = _("Gjenopprettingskode")
    else:
        form.code.label.text = _("Kode fra appen")
        form.code.render_kw = {**(form.code.render_kw or {}), "inputmode": "numeric"}
    return form


def setup_view(user: User, secret: str) -> dict[str, object]:
    uri = totp.provisioning_uri(user, secret)
    return {
        "qr": Markup(totp.qr_svg(uri, _("QR-kode for appen"))),
        "secret": totp.grouped(secret),
        # On a phone the QR code is on the very screen that should scan it: the same URI as a
        # link opens the authenticator app directly.
        "otpauth_uri": uri,
        "secret_raw": secret,
    }


@bp.post("/logg-ut")
def logout():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    user = current_user._get_current_object()
    ended = sessions.current_session(user)
    provider_name, id_token = (ended.provider, ended.id_token) if ended else (None, None)
    with writing():
        sessions.end_session(user, user.session_token, client())
    logout_user()
    session.clear()
    flash(_("Du er logget ut."), "info")
    return provider_logout(provider_name, id_token) or redirect(url_for("auth.login"))


@bp.post("/sprak")
def set_language():
    language = request.form.get("lang", "")
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated:
        with writing():
            services.set_language(current_user, language)
    return remember_language(redirect(safe_next(request.form.get("next"))), language)
