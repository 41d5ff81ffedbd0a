"""Logs as JSON lines on stderr: one object per line, a request id on every line written
during a request, and one line per request (route, status, duration).

What a line may hold is decided here, once: the route's pattern and never its path (a path can
hold a password link's token), no query string, no form data, and for an exception its class
and stack but not its message (a database error's message can quote the values of the row,
case text and patient identity included). Texts the code logs itself are fixed sentences with
ids.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, has_request_context, request

from app.ops import timing

REQUEST_ID_HEADER = "X-Request-ID"
# A request id from a reverse proxy is kept if it looks like one; anything else is replaced.
_INCOMING_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_MARKER = "_avvik_json_handler"


class JsonFormatter(logging.Formatter):
    """One JSON object per record. gunicorn.conf.py uses it for gunicorn's own lines too."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or _current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for key in (
            "method", "route", "endpoint", "status", "duration_ms", "db_ms", "db_queries",
            "render_ms",
        ):  # fmt: skip
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info and record.exc_info[0] is not None:
            kind, _error, tb = record.exc_info
            entry["error"] = f"{kind.__module__}.{kind.__qualname__}"
            entry["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(tb)
            ]
        return json.dumps(entry, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when the line is written (a test may capture it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def install(logger: logging.Logger, level: int = logging.INFO) -> None:
    """The JSON handler on ``logger``, once, however many apps a process creates."""
    if not any(getattr(h, _MARKER, False) for h in logger.handlers):
        handler = StderrHandler()
        handler.setFormatter(JsonFormatter())
        setattr(handler, _MARKER, True)
        logger.addHandler(handler)
    logger.setLevel(level)
    # Ours is the one handler: no second, unformatted copy through the root logger.
    logger.propagate = False


def register(app: Flask) -> None:
    """The JSON handler on the app's logger; the request hooks (start_request, finish_request)
    are registered with the others, in their order, by setup.register_request_hooks."""
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)
    install(app.logger)


def start_request() -> None:
    """before_request, first of all: the request id (the client's, when it is a sane one) and
    the start time."""
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def finish_request(response: Response) -> Response:
    """after_request, last of all: the request id on the response and the access log line,
    with the status the client gets."""
    request_id = g.get("request_id")
    if request_id is None:  # a request that failed before start_request ran
        return response
    response.headers[REQUEST_ID_HEADER] = request_id
    rule = request.url_rule
    logging.getLogger(f"{current_app.logger.name}.request").info(
        "request",
        extra={
            "method": request.method,
            "route": rule.rule if rule is not None else None,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "duration_ms": round(1000 * (time.perf_counter() - g.request_started), 1),
            **timing.figures(),  # the Server-Timing header's figures (app/ops/timing.py)
        },
    )
    return response
