"""Errors as RFC 9457 problem details (application/problem+json), in Norwegian or English by
the request's Accept-Language.

Every error under /api/ answers so, also a 404 for a path no route matches and a 500; the
app's error handlers ask ``wants_problem()`` first (app/setup.py).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, json, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"
MEDIA_TYPE = "application/problem+json"
# The problem types: a stable URI per kind, documented in docs/api.md.
TYPE_BASE = "https://avvik.invalid/problems/"

TITLES = {
    400: _l("Ugyldig forespørsel"),
    401: _l("Mangler gyldig API-nøkkel"),
    403: _l("Nøkkelen gir ikke tilgang til dette"),
    404: _l("Finnes ikke"),
    405: _l("Metoden er ikke tillatt her"),
    409: _l("Konflikt"),
    412: _l("Forutsetningen holder ikke"),
    413: _l("Forespørselen er for stor"),
    415: _l("Feil innholdstype"),
    422: _l("Inndata bryter en regel"),
    428: _l("Idempotency-Key mangler"),
    429: _l("For mange forespørsler"),
    500: _l("Uventet feil"),
    503: _l("Tjenesten er midlertidig utilgjengelig"),
}

DETAILS = {
    401: _l("Send nøkkelen i Authorization-headeren: Bearer <nøkkel>."),
    403: _l("Nøkkelen mangler tilgangen denne operasjonen krever."),
    404: _l("Ressursen finnes ikke, eller nøkkelen kan ikke se den."),
    405: _l("Se API-dokumentasjonen for hvilke metoder adressen tar."),
    422: _l("Se feltene i «errors»."),
    429: _l("Vent litt og prøv igjen."),
    500: _l("Feilen er logget. Prøv igjen senere."),
    503: _l("Prøv igjen om litt."),
}

# Languages the API answers in; Norwegian (bokmål) unless the client prefers English.
_LANGUAGES = {"nb": "nb", "no": "nb", "nn": "nb", "en": "en"}


def wants_problem() -> bool:
    return request.path.startswith(API_PREFIX)


def language() -> str:
    chosen = request.accept_languages.best_match(list(_LANGUAGES))
    return _LANGUAGES.get(chosen or "", "nb")


def problem(
    status: int,
    *,
    code: str | None = None,
    title: Any = None,
    detail: Any = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """The problem response; ``code`` names its type (``about:blank`` when None)."""
    with force_locale(language()):
        body: dict[str, Any] = {
            "type": TYPE_BASE + code if code else "about:blank",
            "title": str(title or TITLES.get(status, TITLES[500])),
            "status": status,
        }
        detail = detail if detail is not None else DETAILS.get(status)
        if detail is not None:
            body["detail"] = str(detail)
        body["instance"] = request.path
        request_id = g.get("request_id")
        if request_id:
            body["request_id"] = request_id
        body.update({k: v for k, v in extra.items() if v is not None})
    response = current_app.response_class(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    response.headers["Content-Language"] = language()
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_exception(error: HTTPException | Exception) -> Response:
    """An HTTP error (abort, routing, webargs' 422, the rate limiter's 429) as a problem."""
    status = getattr(error, "code", None) or 500
    data = getattr(error, "data", None) or {}
    code = data.get("code") if isinstance(data, dict) else None
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="avvik"'
    if status == 405 and isinstance(error, HTTPException):
        allow = error.get_response().headers.get("Allow")
        if allow:
            headers["Allow"] = allow
    if status == 429 and isinstance(error, HTTPException):
        retry = error.get_response().headers.get("Retry-After")
        if retry:
            headers["Retry-After"] = retry
    if status == 503:
        headers["Retry-After"] = "10"
    errors = None
    if isinstance(data, dict) and "messages" in data:
        # webargs: {"json": {"field": ["message"]}} -> {"field": ["message"]}
        messages = data["messages"]
        errors = {}
        for located in messages.values() if isinstance(messages, dict) else []:
            if isinstance(located, dict):
                errors.update(located)
        code = code or "invalid-input"
    return problem(
        status,
        code=code,
        title=data.get("title") if isinstance(data, dict) else None,
        detail=data.get("detail") if isinstance(data, dict) else None,
        headers=headers,
        errors=errors,
    )
