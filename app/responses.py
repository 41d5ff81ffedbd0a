"""Every answer's edges: the error pages (HTML, or problem details for the API) and the
security headers on every response, registered by the factory through app/setup.py."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Response, current_app, g, render_template, request
from flask_babel import force_locale
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from app.extensions import db


def register_errorhandlers(app: Flask) -> None:
    # --- The open API answers every error as RFC 9457 problem details (app/api/problems.py).
    from werkzeug.exceptions import HTTPException

    from app.api import problems

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        if problems.wants_problem():
            return problems.from_exception(error)
        return error

    # --- end of the open API's part

    def render_error(error):
        if problems.wants_problem():
            return problems.from_exception(error)
        code = getattr(error, "code", 500)
        return render_template("errors/error.html", code=code), code

    # 500 has its own handler (server_error, below).
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, render_error)

    from werkzeug.exceptions import NotFound

    from app.common.errors import NoSuchObject, NotAllowed

    def not_found(error):
        """A service's refusal of the user or the object (a rule the route did not check, or
        that changed under it): 404, as for anything else the user cannot see."""
        return render_error(NotFound())

    app.register_error_handler(NotAllowed, not_found)
    app.register_error_handler(NoSuchObject, not_found)

    @app.errorhandler(500)
    def server_error(error):
        """The app's own page, also when the database is gone: the exception is already logged
        (with the request id the page shows). A lost or locked database is a 503 "try again",
        and its page is drawn without the database, which the full page needs for the user and
        the menu."""
        original = getattr(error, "original_exception", None)
        try:
            db.session.rollback()  # a failed transaction must not fail the page's own queries
        except SQLAlchemyError:
            pass
        request_id = g.get("request_id")
        unavailable = isinstance(original, OperationalError) or (
            isinstance(original, DBAPIError) and original.connection_invalidated
        )
        if problems.wants_problem():  # the open API
            return problems.problem(503 if unavailable else 500)
        if unavailable:
            return _plain_error_page(503, request_id)
        try:
            return render_template("errors/error.html", code=500, request_id=request_id), 500
        except Exception:
            app.logger.exception("the error page failed; serving the plain one")
            return _plain_error_page(500, request_id)

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400, csrf=True), 400


# Everything the pages use comes from this origin: no inline script or style, no data: images
# (Bootstrap's icons are files in app/static/icons/, the charts are inline SVG drawn with
# presentation attributes). A page may not be framed, post forms elsewhere or set a base URL.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
HSTS_SECONDS = 365 * 24 * 3600


def content_security_policy(sign_out_origins: Iterable[str] = ()) -> str:
    """The policy; ``sign_out_origins`` are the identity providers' addresses: logging out is a
    form POST that the app answers with a redirect to the provider's logout page, and
    form-action governs where such a redirect may go."""
    directives = dict(CONTENT_SECURITY_POLICY)
    directives["form-action"] = " ".join([directives["form-action"], *sorted(sign_out_origins)])
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _plain_error_page(code: int, request_id: str | None):
    # The cookie, not the account: the locale selector would load the user from the database.
    language = request.cookies.get("lang")
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    # Straight from the Jinja environment: render_template would run the context processors,
    # and Flask-Login's loads the user from the database.
    template = current_app.jinja_env.get_template("errors/plain.html")
    with force_locale(language):
        page = template.render(code=code, request_id=request_id, language=language)
    headers = {"Retry-After": "10"} if code == 503 else {}
    return page, code, headers


# Nothing here uses these browser features: no page, nor anything injected into one, may.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "fullscreen", "geolocation", "gyroscope", "magnetometer", "microphone", "midi",
        "payment", "picture-in-picture", "publickey-credentials-get", "screen-wake-lock",
        "serial", "usb", "xr-spatial-tracking",
    )
)  # fmt: skip


def security_headers(response: Response) -> Response:
    """after_request (register_request_hooks): what every answer tells the browser."""
    from app.auth.services import single_sign_on

    origins = {provider.origin for provider in single_sign_on.providers()}
    response.headers.setdefault("Content-Security-Policy", content_security_policy(origins))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    # No window this site opens, or that opens it, gets a handle on the other.
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("PRODUCTION"):
        # Behind the TLS proxy: browsers that saw the site once never use plain HTTP again.
        response.headers.setdefault(
            "Strict-Transport-Security", f"max-age={HSTS_SECONDS}; includeSubDomains"
        )
    if request.endpoint and request.endpoint.rsplit(".", 1)[-1] != "static":
        # Case pages hold health data: no shared or back-button caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response
