"""Wiring sign-in into the app: Flask-Login on server-side sessions, and the OpenID providers.

The user loader is Flask-Login's "alternative token" loader: the cookie holds a login
session's id, and the user is whoever that live session belongs to. The request hook that
loads it (load_user_first) is registered, at its place in the order, by
setup.register_request_hooks.
"""

from __future__ import annotations

from flask import Flask, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login.utils import login_url

from app.auth.services import sessions, single_sign_on
from app.auth.services.security_log import Client
from app.common.database import begin_request_write
from app.common.writing import writing
from app.extensions import login_manager
from app.models import User


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
    if found.stale and g.get(_NOTE_VISIT):
        _touch(found.session.id)
    return sessions.session_user(found.session, session_id)


def _touch(session_id: int) -> None:
    """Note the visit in a write block of its own, committed whatever the request then does, at
    most once a minute per session. Its commit ends the transaction the request began as a write
    one (begin_request_write); the request begins it again, as it did before the touch."""
    with writing():
        sessions.touch(session_id)
    begin_request_write()


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

    single_sign_on.init_app(app)


# Set while load_user_first loads the user: only then is the visit noted.
_NOTE_VISIT = "note_visit"


def load_user_first() -> None:
    """before_request: the user's session is looked up, and the visit noted, as the request's
    first statement, so _touch's commit ends nothing the request did before it.

    Only here is the visit noted. This hook runs after the input guards; a request they refuse
    never gets here, and the error page drawn for it (its menu loads the user) only reads: a
    refused request writes nothing, not even the visit."""
    if request.endpoint != "static":
        setattr(g, _NOTE_VISIT, True)
        try:
            current_user._get_current_object()
        finally:
            g.pop(_NOTE_VISIT, None)
