"""Wiring sign-in into the app: Flask-Login on server-side sessions, and the OpenID providers.

The user loader is Flask-Login's "alternative token" loader: the cookie holds a login
session's id, and the user is whoever that live session belongs to.
"""

from __future__ import annotations

from flask import Flask, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login.utils import login_url

from app.auth.services import sessions
from app.auth.services.security_log import Client
from app.common.database import begin_write
from app.extensions import db, login_manager
from app.models import User

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def client() -> Client:
    """The request's address and browser, for the security log and the session list."""
    return Client(
        ip_address=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""),
    )


def load_user(session_id: str) -> User | None:
    found = sessions.find_session(session_id)
    if found.session is None:
        g.login_session_ended = found.ended
        return None
    if found.stale:
        _touch(found.session.id)
    return sessions.session_user(found.session, session_id)


def _touch(session_id: int) -> None:
    """Note the visit in a write transaction of its own, at most once a minute per session.

    begin_write() ends the read the lookup began (SQLite cannot safely turn it into a write);
    a request that may write begins its own write transaction again afterwards.
    """
    begin_write()
    sessions.touch(session_id)
    db.session.commit()
    if request.method not in SAFE_METHODS:
        begin_write()


def _unauthorized():
    if g.get("login_session_ended") == "idle":
        flash(
            _("Du ble logget ut fordi du ikke hadde vært aktiv på en stund. Logg inn igjen."),
            "info",
        )
    elif g.get("login_session_ended") == "max_age":
        flash(_("Innloggingen din varte ikke lenger. Logg inn igjen."), "info")
    else:
        flash(_("Logg inn for å se denne siden."), "info")
    return redirect(login_url(url_for("auth.login"), request.url))


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.login_message = _l("Logg inn for å se denne siden.")
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(_unauthorized)

    @app.before_request
    def _load_user_first() -> None:
        # The session lookup is the request's first statement, so _touch can end the
        # transaction it began without undoing anything else.
        if request.endpoint != "static":
            current_user._get_current_object()

    from app.auth import sso

    sso.init_app(app)
