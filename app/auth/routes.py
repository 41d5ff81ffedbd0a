import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import services
from app.auth.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from app.auth.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from app.common.database import begin_write, writes_after_reading
from app.extensions import db
from app.models import TokenPurpose, User

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login is a phishing tool. Browsers read
    # "/\evil.example" as "//evil.example", and a line break cannot go in a Location header.
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 or ord(c) == 127 for c in target)
        or urlsplit(target).netloc
        or urlsplit(target).scheme
    ):
        return url_for("main.index")
    return target


@bp.route("/logg-inn", methods=["GET", "POST"])
@writes_after_reading
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Feil e-postadresse eller passord."))
        else:
            # The password was checked outside a write transaction; what follows may write.
            user_id = user.id
            db.session.commit()
            begin_write()
            user = db.session.get(User, user_id)
            # The language the login page was shown in is the one the user chose: keep it.
            chosen = request.cookies.get("lang")
            if chosen in current_app.config["LANGUAGES"] and chosen != user.language:
                services.set_language(user, chosen)
            login_user(user, remember=form.remember.data)
            db.session.commit()
            return _remember_language(redirect(_safe_next(request.args.get("next"))), user.language)
    return render_template("auth/login.html", form=form), (422 if form.errors else 200)


@bp.post("/logg-ut")
def logout():
    logout_user()
    flash(_("Du er logget ut."), "info")
    return redirect(url_for("auth.login"))


def password_message(code: str) -> str:
    return {
        "short": lambda: _("Passordet må ha minst %(min)d tegn.", min=MIN_LENGTH),
        "long": lambda: _("Passordet kan ha høyst %(max)d tegn.", max=MAX_LENGTH),
        "common": lambda: _(
            "Dette passordet er for vanlig og lett å gjette. Velg noe lengre eller mer uvanlig, "
            "gjerne flere ord."
        ),
        "email": lambda: _("Passordet kan ikke inneholde e-postadressen din."),
    }[code]()


@bp.route("/glemt-passord", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        started = time.monotonic()
        services.request_password_reset(form.email.data)
        db.session.commit()
        # The same answer, after about the same time, whether or not the address exists.
        remaining = current_app.config["FORGOT_PASSWORD_MIN_SECONDS"] - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
        return render_template("auth/forgot_sent.html")
    return render_template("auth/forgot.html", form=form, hours=services.LINK_VALID_HOURS), (
        422 if form.errors else 200
    )


@bp.route("/passord/<token>", methods=["GET", "POST"])
def set_password(token: str):
    valid = services.valid_token(token)
    if valid is None:
        return render_template("auth/link_invalid.html", hours=services.LINK_VALID_HOURS), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        problem = password_problem(form.password.data, valid.user.email)
        if problem:
            form.password.errors.append(password_message(problem))
        else:
            user = services.use_token(token, form.password.data)
            if user is None:
                db.session.rollback()
                return render_template(
                    "auth/link_invalid.html", hours=services.LINK_VALID_HOURS
                ), 410
            db.session.commit()
            logout_user()
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


@bp.post("/sprak")
def set_language():
    language = request.form.get("lang", "")
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated:
        services.set_language(current_user, language)
        db.session.commit()
    return _remember_language(redirect(_safe_next(request.form.get("next"))), language)


def _remember_language(response: Response, language: str) -> Response:
    """Before login the choice lives in a cookie; after login on the account as well."""
    response.set_cookie(
        "lang",
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response
