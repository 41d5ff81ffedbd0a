"""Server-Timing on every response: how long the request took in all, and for a signed-in user
how much of it was the database (SQLAlchemy's cursor events) and the templates (Flask's
template signals). The browser's developer tools show the figures under Network → Timing; the
request's log line (app/ops/logs.py) carries the same figures for every request.

Anonymous answers say only ``total``, which the client measures anyway: the number and time of
the queries behind the login and "Glemt passord" pages would tell whether an account exists,
which FORGOT_PASSWORD_MIN_SECONDS otherwise hides. Render time includes any query a template
makes itself, so db and render may overlap; total covers both.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, has_request_context, template_rendered
from flask.signals import before_render_template
from sqlalchemy import event
from sqlalchemy.engine import Engine

HEADER = "Server-Timing"


def _timing() -> dict[str, float] | None:
    if not has_request_context():
        return None  # a CLI command or the mail sender: nobody to tell
    return g.get("timing")


def figures() -> dict[str, float | int]:
    """The request's database and render figures so far (for the log line)."""
    timing = _timing()
    if timing is None:
        return {}
    return {
        "db_ms": round(timing["db"] * 1000, 1),
        "db_queries": int(timing["queries"]),
        "render_ms": round(timing["render"] * 1000, 1),
    }


# On the Engine class, once per process: every app's engine, whenever it is made (the factory
# registers this before Flask-SQLAlchemy creates one). Outside a request they cost two clock
# reads per statement.
@event.listens_for(Engine, "before_cursor_execute")
def _query_started(conn, cursor, statement, parameters, context, executemany) -> None:
    conn.info.setdefault("avvik_query_started", []).append(time.perf_counter())


@event.listens_for(Engine, "after_cursor_execute")
def _query_ended(conn, cursor, statement, parameters, context, executemany) -> None:
    started = conn.info["avvik_query_started"].pop()
    timing = _timing()
    if timing is not None:
        timing["db"] += time.perf_counter() - started
        timing["queries"] += 1


@event.listens_for(Engine, "handle_error")
def _query_failed(exception_context) -> None:
    # The statement failed: after_cursor_execute will not come for it.
    conn = exception_context.connection
    if conn is not None and conn.info.get("avvik_query_started"):
        conn.info["avvik_query_started"].pop()


def register(app: Flask) -> None:
    """The render clock on Flask's template signals. The request hooks, ``start_clock`` and
    ``write_header``, are registered first and last by setup.register_request_hooks."""

    def _render_started(sender, template, context, **extra) -> None:
        timing = _timing()
        if timing is not None:
            timing["render_started"] = time.perf_counter()

    def _render_ended(sender, template, context, **extra) -> None:
        timing = _timing()
        if timing is not None and "render_started" in timing:
            timing["render"] += time.perf_counter() - timing.pop("render_started")

    before_render_template.connect(_render_started, app, weak=False)
    template_rendered.connect(_render_ended, app, weak=False)


def start_clock() -> None:
    """before_request, before every other hook."""
    g.timing = {"started": time.perf_counter(), "db": 0.0, "queries": 0, "render": 0.0}


def write_header(response: Response) -> Response:
    """after_request, after every other hook: the Server-Timing header."""
    timing = g.get("timing")
    if timing is None:
        return response
    total = 1000 * (time.perf_counter() - timing["started"])
    parts = []
    # Only a user the view already loaded: asking Flask-Login here would cost a query on
    # answers that never needed the user.
    user = g.get("_login_user")
    if user is not None and user.is_authenticated:
        parts += [
            f'db;dur={timing["db"] * 1000:.1f};desc="{timing["queries"]} queries"',
            f"render;dur={timing['render'] * 1000:.1f}",
        ]
    parts.append(f"total;dur={total:.1f}")
    response.headers[HEADER] = ", ".join(parts)
    return response
