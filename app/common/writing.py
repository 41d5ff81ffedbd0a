"""The one way routes and commands write: ``with writing(...) as done:``.

A route reads the same everywhere: load and authorise, parse the form, one service call inside
one write block, render or redirect::

    with writing(form=form, success=_("Avviket er sendt.")) as done:
        done.value = services.file_deviation(current_user, data)
    if done:
        return redirect(url_for("deviations.sent", reference=done.value.reference))
    return render_template(...), 422

The block begins the write transaction (on SQLite: BEGIN IMMEDIATE, so the write lock is held
from the first statement; see ``app.common.database``), commits when the block ends, and rolls
back on any exception. On SQLite a transaction that has only read (a GET that found the case
before it writes the access log, a view marked @defer_write_lock) is ended first, as a
commit of nothing: SQLite cannot safely turn it into a write one, and the objects it loaded
are read again when next used. A request that began as a write, or a block that has written,
goes on in its transaction. A ``ServiceError`` is the service refusing the input: nothing is kept,
its message is shown beside the form field it names (or flashed), and the block's exception is
swallowed so the route draws the form again with what the user typed. Outside a request (CLI
commands, threads) a ``ServiceError`` is raised again after the rollback: a command has no form
to show it on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import flash, has_request_context
from flask_wtf import FlaskForm

from app.common.database import begin_write, end_read_only_transaction
from app.common.errors import ServiceError, show_error
from app.extensions import db


@dataclass
class Done:
    """What a write block did: true once committed. ``value`` is whatever the block put there;
    ``error`` the refusal, when there was one."""

    ok: bool = False
    value: Any = None
    error: ServiceError | None = None

    def __bool__(self) -> bool:
        return self.ok


@contextmanager
def writing(
    *, form: FlaskForm | None = None, success: Any = None, show: bool = True
) -> Iterator[Done]:
    """One write transaction around the block: commit at its end, roll back on any error.

    ``success`` (a text) is flashed after the commit; a message that depends on the result is
    flashed by the caller after ``if done:``. ``show=False``: a refusal is neither shown nor
    flashed, only kept in ``done.error`` (the open API answers it as a problem, and has no
    session to flash into).
    """
    done = Done()
    end_read_only_transaction()
    begin_write()
    try:
        yield done
    except ServiceError as error:
        db.session.rollback()
        done.error = error
        if not has_request_context():
            raise
        if show:
            show_error(error, form)
        return
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    done.ok = True
    if success is not None and has_request_context():
        flash(success, "success")
