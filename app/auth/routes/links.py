"""'Glemt passord' and the pages behind the links it and an invitation send."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from app.auth import services
from app.auth.forms import ForgotPasswordForm, SetPasswordForm
from app.auth.routes.blueprint import bp, sign_in_limit
from app.auth.services.passwords import MIN_LENGTH, password_message, password_problem
from app.auth.services.sign_in import client
from app.common.writing import writing
from app.extensions import limiter
from app.models import TokenPurpose


@bp.route("/glemt-passord", methods=["GET", "POST"])
@sign_in_limit()
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        started = time.monotonic()
        with writing():
            services.request_password_reset(form.email.data)
        # The same answer, after about the same time, whether or not the address exists.
        remaining = current_app.config["FORGOT_PASSWORD_MIN_SECONDS"] - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
        return render_template("auth/forgot_sent.html")
    return render_template("auth/forgot.html", form=form, hours=services.RESET_VALID_HOURS), (
        422 if form.errors else 200
    )


@bp.route("/passord/<token>", methods=["GET", "POST"])
# Every request counts here, not only the form: a GET already tells whether a link is good.
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"])
def set_password(token: str):
    valid = services.valid_token(token)
    if valid is None:
        return render_template("auth/link_invalid.html"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        problem = password_problem(form.password.data, valid.user.email)
        if problem:
            form.password.errors.append(str(password_message(problem)))
        else:
            with writing():  # a link that was used meanwhile changes nothing
                user = services.use_token(token, form.password.data, client=client())
            if user is None:
                return render_template("auth/link_invalid.html"), 410
            logout_user()
            session.clear()
            flash(
                _("Passordet er lagret. Logg inn med e-postadressen og det nye passordet."),
                "success",
            )
            return redirect(url_for("auth.login"))
    return render_template(
        "auth/set_password.html",
        form=form,
        user=valid.user,
        invitation=valid.purpose is TokenPurpose.INVITATION,
        min_length=MIN_LENGTH,
    ), (422 if form.errors else 200)
