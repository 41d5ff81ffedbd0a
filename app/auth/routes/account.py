"""Min konto: change the password, set up the second factor, see and end one's sessions."""

from __future__ import annotations

from flask import abort, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services
from app.auth.forms import ButtonForm, ChangePasswordForm, ConfirmPasswordForm, EnrolForm
from app.auth.routes.blueprint import bp, sign_in_limit
from app.auth.routes.login import setup_view
from app.auth.services import second_factor as totp
from app.auth.services import security_log, sessions
from app.auth.services.passwords import MIN_LENGTH
from app.auth.services.sign_in import client
from app.common.writing import writing


def _me():
    return current_user._get_current_object()


def password_confirmed(user, field) -> bool:
    """The current password, checked in a write block of its own so that a wrong one is
    counted (like a failed login) whatever the change then does; the message goes by the field."""
    with writing():
        refusal = services.confirm_password(user, field.data, client())
    if refusal == "locked":
        field.errors.append(
            _("Du har skrevet feil passord for mange ganger. Vent noen minutter og prøv igjen.")
        )
    elif refusal:
        field.errors.append(_("Passordet er feil."))
    return refusal is None


def _account_page(recovery_form: ConfirmPasswordForm | None = None):
    user = _me()
    return render_template(
        "auth/account.html",
        sessions=sessions.live_sessions(user),
        recovery_left=totp.unused_recovery_codes(user) if user.has_second_factor else 0,
        button=ButtonForm(),
        recovery_form=recovery_form or ConfirmPasswordForm(formdata=None),
        security_log=security_log.own_entries(user),
    )


@bp.get("/konto")
@login_required
def account():
    return _account_page()


@bp.route("/konto/passord", methods=["GET", "POST"])
@login_required
@sign_in_limit()
def change_password():
    user = _me()
    if not user.password_hash:
        abort(404)  # an account that signs in through its organisation has no password here
    form = ChangePasswordForm()
    if form.validate_on_submit() and password_confirmed(user, form.current_password):
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
@sign_in_limit()
def enrol():
    user = _me()
    if not user.password_hash:
        abort(404)
    if user.has_second_factor:
        return redirect(url_for("auth.account"))
    with writing():  # the secret shown is kept on this login session's row, not in the cookie
        secret = sessions.setup_secret(user, totp.new_secret())
    form = EnrolForm()
    form.code.label.text = _("Kode fra appen")
    form.code.render_kw = {**(form.code.render_kw or {}), "inputmode": "numeric"}
    if form.validate_on_submit() and password_confirmed(user, form.current_password):
        with writing():
            codes = totp.enrol(user, secret, form.code.data, client())
            if codes is not None:
                sessions.setup_secret(user, None)
        if codes is not None:
            return render_template(
                "auth/recovery_codes.html", codes=codes, next_url=url_for("auth.account")
            )
        form.code.errors.append(_("Koden stemmer ikke. Skriv inn koden appen viser nå."))
    return render_template(
        "auth/enrol.html", form=form, **setup_view(user, secret), with_password=True
    ), (422 if form.errors else 200)


@bp.post("/konto/gjenopprettingskoder")
@login_required
@sign_in_limit()
def new_recovery_codes():
    user = _me()
    if not user.has_second_factor:
        return redirect(url_for("auth.account"))
    form = ConfirmPasswordForm()
    if form.validate_on_submit() and password_confirmed(user, form.current_password):
        with writing():
            codes = totp.new_recovery_codes(user)
        return render_template(
            "auth/recovery_codes.html", codes=codes, next_url=url_for("auth.account")
        )
    return _account_page(form), 422


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
