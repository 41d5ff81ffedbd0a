from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import services
from app.auth.forms import LoginForm
from app.extensions import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login is a phishing tool.
    if not target or urlsplit(target).netloc or urlsplit(target).scheme or target.startswith("//"):
        return url_for("main.index")
    return target


@bp.route("/logg-inn", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Feil e-postadresse eller passord."))
        else:
            login_user(user, remember=form.remember.data)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), (422 if form.errors else 200)


@bp.post("/logg-ut")
def logout():
    logout_user()
    flash(_("Du er logget ut."), "info")
    return redirect(url_for("auth.login"))
