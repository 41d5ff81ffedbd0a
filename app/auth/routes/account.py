"""Min konto: change the password, set up the second factor, see and end one's sessions."""

from __future__ import annotations

from flask import abort, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services
from app.auth.forms import ButtonForm, ChangePasswordForm
from app.auth.routes.blueprint import bp, sign_in_limit
from app.auth.routes.login import SETUP_SECRET, code_form, setup_view
from app.auth.services import second_factor as totp
from app.auth.services import security_log, sessions
from app.auth.services.passwords import MIN_LENGTH
from app.auth.services.sign_in import client
from app.common.writing import writing


def _me():
    return current_user._get_current_object()


@bp.get("/konto")
@login_required
def account():
    user = _me()
    return render_template(
        "auth/account.html",
        sessions=sessions.live_sessions(user),
        recovery_left=totp.unused_recovery_codes(user) if user.has_second_factor else 0,
        button=ButtonForm(),
        security_log=security_log.own_entries(user),
    )


@bp.route("/konto/passord", methods=["GET", "POST"])
@login_required
@sign_in_limit()
def change_password():
    user = _me()
    if not user.password_hash:
        abort(404)  # an account that signs in through its organisation has no password here
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with writing(
            form=form,
            success=_(
                "Passordet er endret. Du er logget ut på alle andre enheter, og du får en "
                "e-post om endringen."
            ),
        ) as changed:
            changed.value = services.change_password(
                user, form.current_password.data, form.password.data, client()
            )
        if changed:
            # The old session is gone with the others; this browser goes on in the new one.
            user.session_token = changed.value
            login_user(user)
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form, min_length=MIN_LENGTH), (
        422 if form.errors else 200
    )


@bp.route("/konto/tofaktor", methods=["GET", "POST"])
@login_required
def enrol():
    user = _me()
    if not user.password_hash:
        abort(404)
    if user.has_second_factor:
        return redirect(url_for("auth.account"))
    secret = session.get(SETUP_SECRET) or totp.new_secret()
    session[SETUP_SECRET] = secret
    form = code_form()
    if form.validate_on_submit():
        with writing():
            codes = totp.enrol(user, secret, form.code.data, client())
        if codes is not None:
            session.pop(SETUP_SECRET, None)
            return render_template(
                "auth/recovery_codes.html", codes=codes, next_url=url_for("auth.account")
            )
        form.code.errors.append(_("Koden stemmer ikke. Skriv inn koden appen viser nå."))
    return render_template("auth/enrol.html", form=form, **setup_view(user, secret)), (
        422 if form.errors else 200
    )


@bp.post("/konto/gjenopprettingskoder")
@login_required
def new_recovery_codes():
    user = _me()
    if not user.has_second_factor or not ButtonForm().validate_on_submit():
        return redirect(url_for("auth.account"))
    with writing():
        codes = totp.new_recovery_codes(user)
    return render_template(
        "auth/recovery_codes.html", codes=codes, next_url=url_for("auth.account")
    )


@bp.post("/konto/innlogginger/<int:session_id>/avslutt")
@login_required
def end_session(session_id: int):
    user = _me()
    if ButtonForm().validate_on_submit():
        own = session_id == user.login_session_id
        with writing(success=_("Innloggingen er avsluttet.")):
            sessions.end_one_session(user, user, session_id, client())
        if own:
            logout_user()
            session.clear()
            return redirect(url_for("auth.login"))
    return redirect(url_for("auth.account"))
