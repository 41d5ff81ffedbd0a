"""Wiring sign-in into the app: Flask-Login on server-side sessions, and the OpenID providers.

The user loader is Flask-Login's "alternative token" loader: the cookie holds a login
session's id, and the user is whoever that live session belongs to. The request hook that
loads it (load_user_first) is registered, at its place in the order, by
setup.register_request_hooks.
"""

from __future__ import annotations

import math
from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login.utils import login_url

from app.auth.services import kept_forms, sessions, single_sign_on
from app.auth.services.security_log import Client
from app.common.database import begin_request_write
from app.common.writing import writing
from app.extensions import login_manager
from app.models import User, utcnow


def client() -> Client:
    """The request's address and browser, for the security log and the session list."""
    return Client(
        ip_address=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""),
    )


def load_user(session_id: str) -> User | None:
    now = utcnow()
    found = sessions.find_session(session_id, now)
    if found.session is None:
        g.login_session_ended = found.ended
        g.login_session_ended_user_id = found.ended_user_id
        return None
    last_seen = found.session.last_seen_at
    if found.stale and g.get(_NOTE_VISIT):
        _touch(found.session.id, now)
        last_seen = now
    # The page's warning before the session ends (templates/_session.html) counts from this.
    g.login_session_ends_at = sessions.ends_at(found.session, last_seen)
    g.login_session_max_at = found.session.created_at + sessions.absolute_limit()
    return sessions.session_user(found.session, session_id)


def _touch(session_id: int, now: datetime) -> None:
    """Note the visit in a write block of its own, committed whatever the request then does, at
    most once a minute per session. Its commit ends the transaction the request began as a write
    one (begin_request_write); the request begins it again, as it did before the touch."""
    with writing():
        sessions.touch(session_id, now)
    begin_request_write()


# The browser's cookie session holds the id of a form kept across the login (kept_forms).
KEPT_FORM = "kept_form"


def _form_page() -> str | None:
    """The page the posted form was on: the Referer (same-origin, so present for our own
    forms), else the posted address itself when it also answers GET."""
    parts = urlsplit(request.referrer or "")
    if parts.netloc == request.host and parts.path.startswith("/"):
        page = parts.path + (f"?{parts.query}" if parts.query else "")
    elif request.url_rule is not None and "GET" in (request.url_rule.methods or ()):
        page = request.full_path.rstrip("?")
    else:
        return None
    return None if page.startswith("//") else page


def _keep_posted_form() -> str | None:
    """A form posted just after its sender's session ran out (by time) is kept for them, and
    the login leads back to its page. Not the sign-in pages' own forms (passwords, codes), nor
    the API; not a visitor whose session nobody can name (a cookie of a session logged out or
    ended by an administrator: its row is gone)."""
    user_id = g.get("login_session_ended_user_id")
    if (
        request.method != "POST"
        or user_id is None
        or request.blueprint in ("auth", "api")
        or not request.form
    ):
        return None
    page = _form_page()
    if page is None:
        return None
    fields = [(name, value) for name, value in request.form.items(multi=True)]
    with writing():
        raw = kept_forms.keep(user_id, page, request.path, fields)
    if raw is None:
        return None
    session[KEPT_FORM] = raw
    return page


def restore_kept_form() -> None:
    """before_request, after load_user_first: on the page a kept form came from, once its
    owner has logged in again, the form is given back (g.kept_form, drawn by
    templates/_session.html and filled in by static/session.js) and deleted."""
    if request.method != "GET" or request.endpoint == "static":
        return
    raw = session.get(KEPT_FORM)
    if not raw or not current_user.is_authenticated:
        return
    with writing():
        taken = kept_forms.take(raw, current_user.id, request.path)
    if taken.spent:
        session.pop(KEPT_FORM, None)
    if taken.form is not None:
        g.kept_form = {
            "action": taken.form.action,
            "fields": taken.form.fields,
            "text": kept_forms.copyable_text(taken.form.fields),
        }


def _unauthorized():
    kept_page = _keep_posted_form() if g.get("login_session_ended") else None
    if kept_page is not None:
        if g.get("login_session_ended") == "idle":
            flash(
                _(
                    "Du ble logget ut fordi du ikke hadde vært aktiv på en stund. Det du skrev, "
                    "er tatt vare på: logg inn igjen, så får du skjemaet tilbake utfylt."
                ),
                "info",
            )
        else:
            flash(
                _(
                    "Innloggingen din varte ikke lenger. Det du skrev, er tatt vare på: logg "
                    "inn igjen, så får du skjemaet tilbake utfylt."
                ),
                "info",
            )
        return redirect(login_url(url_for("auth.login"), kept_page))
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
    app.add_template_global(session_seconds_left)
    app.add_template_global(session_ping_seconds)

    single_sign_on.init_app(app)


# Set while load_user_first loads the user: only then is the visit noted.
_NOTE_VISIT = "note_visit"


def load_user_first() -> None:
    """before_request: the user's session is looked up, and the visit noted, as the request's
    first statement, so _touch's commit ends nothing the request did before it.

    Only here is the visit noted. This hook runs after the input guards; a request they refuse
    never gets here, and the error page drawn for it (its menu loads the user) only reads: a
    refused request writes nothing, not even the visit. Nor does the page's question how long
    its session has left (auth.session_status): asking must not keep an idle session alive."""
    if request.endpoint != "static":
        if request.endpoint != "auth.session_status":
            setattr(g, _NOTE_VISIT, True)
        try:
            current_user._get_current_object()
        finally:
            g.pop(_NOTE_VISIT, None)


def session_seconds_left(which: str = "login_session_ends_at") -> int | None:
    """Seconds until the signed-in session ends unless used again (the page's warning counts
    down from it), or with ``which="login_session_max_at"`` until its absolute end, which no
    activity moves; None without a session. Rounded up: the page never tells of an end the
    server has not reached."""
    ends_at = g.get(which)
    if ends_at is None or not current_user.is_authenticated:
        return None
    return max(0, math.ceil((ends_at - utcnow()).total_seconds()))


def session_ping_seconds() -> int:
    """The page's keep-alive is sent at most this often while someone types: a visit is noted
    no oftener anyway (sessions.touch_interval)."""
    return max(1, int(sessions.touch_interval().total_seconds()))
