"""The ``auth`` blueprint, and what its pages share: where to go after login, the language
cookie, the per-address limit, and finishing a login."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, redirect, session, url_for
from flask_login import login_user

from app.auth import services
from app.auth.services.sign_in import KEPT_FORM, client
from app.common.writing import writing
from app.extensions import limiter
from app.models import User

bp = Blueprint("auth", __name__)


@bp.context_processor
def _labels() -> dict[str, object]:
    from app.auth import labels

    return {"auth_labels": labels}


def safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect after login is a phishing tool.

    Browsers read a backslash as a slash and drop tabs and newlines, so "/\\evil.example" and
    "/\\t/evil.example" would leave the site; anything of the kind lands on the front page.
    """
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 or ord(c) == 127 for c in target)
    ):
        return url_for("main.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("main.index")
    return target


def sign_in_limit():
    """Per client address, on the pages where someone could guess (SIGN_IN_RATE_LIMIT)."""
    return limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"], methods=["POST"])


def remember_language(response: Response, language: str) -> Response:
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


def finish_login(
    user: User,
    next_url: str | None,
    *,
    method: str,
    second_factor: bool = False,
    provider: str | None = None,
    id_token: str | None = None,
    language: str | None = None,
) -> str:
    """Every factor has passed: a new server-side session, committed, and the browser's
    cookie session started afresh (nothing from before the login carries over).
    Returns where to go next."""
    # The password step or the provider's answer was read without the write lock (a GET, or a
    # view marked @defer_write_lock): the session row and the log are written in one block now.
    with writing():
        write_login(
            user,
            method=method,
            second_factor=second_factor,
            provider=provider,
            id_token=id_token,
            language=language,
        )
    return start_browser_session(user, next_url)


def write_login(
    user: User,
    *,
    method: str,
    second_factor: bool = False,
    provider: str | None = None,
    id_token: str | None = None,
    language: str | None = None,
) -> None:
    """The login's writes (the session row, the security log, the language chosen before it),
    for a caller's write block."""
    if language in current_app.config["LANGUAGES"] and language != user.language:
        services.set_language(user, language)  # type: ignore[arg-type]
    services.complete_login(
        user,
        client(),
        method=method,
        second_factor=second_factor,
        provider=provider,
        id_token=id_token,
    )


def start_browser_session(user: User, next_url: str | None) -> str:
    """After the login is committed: the browser's cookie session starts afresh on it.
    Returns where to go next.

    Only the id of a form kept across the login carries over: it names a row that gives the
    form back to the account it was kept for and to no other (kept_forms.take)."""
    kept = session.get(KEPT_FORM)
    session.clear()
    login_user(user)
    if kept:
        session[KEPT_FORM] = kept
    return safe_next(next_url)


def login_redirect(user: User, target: str) -> Response:
    return remember_language(redirect(target), user.language)
