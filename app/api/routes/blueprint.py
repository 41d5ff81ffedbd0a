"""The ``api`` blueprint (/api/v1/): who the token is, what it may do, how fast it may ask.

Every call: the token from ``Authorization: Bearer``, checked against its hash (401 when
missing, unknown, revoked or expired, each refusal in the security log); the operation's scope
(403); the rate limits per address and per token, in the sign-in limits' storage. A session
cookie never authenticates here, and CSRF does not apply: nothing here reads a cookie.

Versioning: the path carries the major version. Within v1 fields and operations are only
added; a change that would break a client is v2, served beside v1 for a while.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Flask, current_app, g, render_template, request
from flask_smorest import Api, abort
from flask_smorest import Blueprint as ApiBlueprint
from flask_smorest.utils import prepare_response

from app.api import problems
from app.api.access import ApiActor
from app.api.schemas import ProblemSchema
from app.api.scopes import SCOPES
from app.api.services import tokens
from app.auth.services.sign_in import client as request_client
from app.common.writing import writing
from app.extensions import csrf, limiter
from app.models import utcnow

V = TypeVar("V", bound=Callable[..., Any])

API_VERSION = "1.0.0"
URL_PREFIX = "/api/v1"
SECURITY_SCHEME = "bearer"

bp = ApiBlueprint(
    "api",
    __name__,
    url_prefix=URL_PREFIX,
    description="Avvik's open API: deviations, reference data, statistics and learning.",
)

# The human-readable page of the document: drawn on the server from the generated document,
# with the site's own stylesheet, so the CSP stays as strict as everywhere else.
docs_bp = Blueprint("api_docs", __name__, url_prefix=URL_PREFIX)


class AvvikApi(Api):
    """flask-smorest's Api, with errors documented (and answered) as problem details."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        # The app's own handlers answer problem+json under /api/ (app/setup.py asks
        # problems.wants_problem()); flask-smorest's would also answer the pages' errors.
        pass

    def _register_responses(self) -> None:
        import http

        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, problems.MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, problems.MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def requires(scope: str | None) -> Callable[[V], V]:
    """The scope an operation needs (None: any live token), checked before the view runs and
    written into the OpenAPI document as the operation's security requirement."""

    def mark(view: V) -> V:
        view.api_scope = scope  # type: ignore[attr-defined]
        return bp.doc(security=[{SECURITY_SCHEME: [scope] if scope else []}])(view)

    return mark


def actor() -> ApiActor:
    return g.api_actor


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer":
        return None
    return token.strip() or None


def _refuse(status: int, check: tokens.Check, code: str) -> None:
    with writing():  # a GET has only read so far: the log row is a write of its own
        tokens.note_refusal(check, request_client())
    abort(status, code=code)


@bp.before_request
def _authenticate() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    now = utcnow()
    check = tokens.check_token(_bearer_token(), now)
    if check.refusal is not None:
        if check.refusal == "missing":
            abort(401, code="token-missing")  # nothing to log: anyone may knock
        _refuse(401, check, f"token-{check.refusal}")
    client = check.client
    assert client is not None
    scope = getattr(view, "api_scope", None)
    if scope is not None and scope not in client.scope_set:
        _refuse(403, tokens.Check(client, "scope"), "insufficient-scope")
    if tokens.use_is_due(client, now):
        with writing():
            tokens.note_use(client, request_client(), now)
    g.api_client = client
    g.api_actor = ApiActor(client)


@bp.after_request
def _vary_by_language(response):
    # Catalogue names, history lines, statistics labels and problems follow Accept-Language:
    # a cache between us and the client must keep each language's answer apart.
    response.vary.add("Accept-Language")
    return response


def _token_key() -> str:
    token = _bearer_token() or ""
    return "api-token:" + hashlib.sha256(token.encode()).hexdigest()[:32]


def _address_key() -> str:
    return "api-address:" + (request.remote_addr or "")


@docs_bp.get("/")
def docs():
    """The API's documentation page: every operation, its scope, parameters and answers."""
    api: AvvikApi = current_app.extensions["avvik-api"]
    return render_template(
        "api/docs.html",
        spec=api.spec.to_dict(),
        scopes=SCOPES,
        openapi_url=f"{URL_PREFIX}/openapi.json",
    )


# Once, on the module's blueprint: both keep their own registry of blueprints.
csrf.exempt(bp)
limiter.limit(
    lambda: current_app.config["API_RATE_LIMIT"], key_func=_address_key, per_method=False
)(bp)
limiter.limit(
    lambda: current_app.config["API_TOKEN_RATE_LIMIT"], key_func=_token_key, per_method=False
)(bp)


def register(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "Avvik API")
    app.config.setdefault("API_VERSION", API_VERSION)
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", URL_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {})
    app.config["API_SPEC_OPTIONS"] = {
        "info": {
            "description": "Samhandlingsavvik for the organisations' own systems. "
            "Authenticate with Authorization: Bearer <token>; errors are RFC 9457 "
            "problem details in Norwegian or English by Accept-Language.",
        },
        "servers": [{"url": "/"}],
        **app.config["API_SPEC_OPTIONS"],
    }
    api = AvvikApi(app)
    api.spec.components.security_scheme(
        SECURITY_SCHEME,
        {"type": "http", "scheme": "bearer", "description": "A token from Administrasjon › API."},
    )
    app.extensions["avvik-api"] = api
    api.register_blueprint(bp)
    app.register_blueprint(docs_bp)
