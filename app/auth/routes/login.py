"""Logging in with a password (and the second factor), and logging out.

Between a right password and the second factor the browser carries a "pending login" in its
signed session cookie: which account, since when and where to go. It is good for five
minutes and only for the code page; no session exists until every factor has passed.
"""

from __future__ import annotations

import time

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
from app.auth.services import second_factor as totp
from app.auth.services import sessions, single_sign_on
from app.auth.services.sign_in import client
from app.common.database import defer_write_lock
from app.common.writing import writing
from app.extensions import db
from app.models import User

PENDING_SECONDS = 300
PENDING = "pending_login"
SETUP_SECRET = "totp_setup"


def _start_pending(user: User) -> None:
    session[PENDING] = {
        "user": user.id,
        "at": time.time(),
        "next": request.args.get("next") or "",
        "lang": request.cookies.get("lang") or "",
    }


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    return user if user is not None and user.active else None


def _pending_expired():
    session.pop(PENDING, None)
    session.pop(SETUP_SECRET, None)
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
    user = _pending_user()
    if user is None or not user.has_second_factor:
        return _pending_expired()
    recovery = request.args.get("kode") == "gjenoppretting"
    form = code_form(recovery=recovery)
    if form.validate_on_submit():
        used = second_factor_check(user, form.code.data)
        if used:
            pending = session.get(PENDING, {})
            target = finish_login(
                user,
                pending.get("next"),
                method=f"password+{used}",
                second_factor=True,
                language=pending.get("lang"),
            )
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


def second_factor_check(user: User, code: str) -> str | None:
    with writing():  # a wrong code counts towards the account's wait
        used = totp.verify(user, code, client())
    return used


@bp.route("/logg-inn/tofaktor", methods=["GET", "POST"])
@sign_in_limit()
def enrol_at_login():
    """REQUIRE_TOTP: a password account without a second factor sets one up before it gets in."""
    user = _pending_user()
    if user is None or user.has_second_factor:
        return _pending_expired()
    secret = session.get(SETUP_SECRET) or totp.new_secret()
    session[SETUP_SECRET] = secret
    form = code_form()
    if form.validate_on_submit():
        pending = session.get(PENDING, {})
        # The factor and the login in one block: a factor whose recovery codes were never shown
        # must not be kept.
        with writing():
            codes = totp.enrol(user, secret, form.code.data, client())
            if codes is not None:
                write_login(
                    user, method="password+totp", second_factor=True, language=pending.get("lang")
                )
        if codes is not None:
            target = start_browser_session(user, pending.get("next"))
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
