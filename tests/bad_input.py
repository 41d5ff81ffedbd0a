"""Generated bad input for every form: Hypothesis builds the submissions, one driver posts
them through the app on a real database and checks what the issue asks of every answer.

- No server error, whatever was sent.
- A refused submission (a 4xx answer) changes nothing in the database.
- A refused form that is shown again (422) shows the user's text again, as they typed it.
- A submission that changed the database was not answered with an error message.

Values are oversized, empty, of the wrong type (text for an id, several values for one, none
at all), unknown ids and ids of other organisations, control characters, invalid UTF-8
(sent as raw bytes, as a broken client would), and HTML and SQL fragments. `record` counts
the examples per form; with AVVIK_BAD_INPUT_FIGURES set to a file, each test appends its
counts there as one JSON line (the reliability suite prints them).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from werkzeug.test import EnvironBuilder

from app.common.dates import today_local
from app.common.text import strip_control_characters
from app.extensions import db

# More examples for a deeper run (the reliability suite runs these tests at 2): each form's
# counts are multiplied by it. At 1, `make test` stays near a minute for both databases.
SCALE = float(os.environ.get("AVVIK_BAD_INPUT_SCALE", "1"))

# Tables that record that a page was seen or a session used, not what a form changed.
VOLATILE = re.compile(r"session|access_log|security_log|login_attempt")
# A refused login counts against the account (the per-account wait): a record of the attempt,
# as the security log is, not a change the form made.
VOLATILE_COLUMNS = {
    ("user", "failed_logins"),
    ("user", "locked_until"),
    ("user", "last_failed_login_at"),
}
# The mail telling an account's owner that failed attempts locked it is such a record too; any
# other mail a refused form queued is a change.
LOCK_MAIL_SUBJECTS = ("Kontoen din er midlertidig sperret", "Your account is temporarily locked")

FRAGMENTS = [
    "", " ", "\t", "\n\r\n", "\x00", "a\x00b", "\x1b[31m", "\u202eevil", "\ufeff", "😀" * 3,
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{ 7*7 }}", "{% raw %}",
    "'; DROP TABLE deviation; --", "1' OR '1'='1", "Robert'); DROP TABLE user;--", "%00", "%",
    "_", "\\", "../../etc/passwd", "None", "null", "true", "NaN", "-1", "0", "٣", "²", "1e309",
    "99999999999999999999", "9223372036854775808", "2147483648", "0x1F", "1.5", " 7 ",
]  # fmt: skip
INVALID_UTF8 = [b"\xff", b"\xfe\xff", b"\xc3", b"\xed\xa0\x80", b"abc\x80def", b"\xf4\x90\x80\x80"]


def texts() -> st.SearchStrategy[str | bytes]:
    fragment = st.sampled_from(FRAGMENTS)
    return st.one_of(
        fragment,
        fragment,
        # A fragment inside ordinary text, where a validator for the whole value would miss it.
        st.tuples(st.text(max_size=12), fragment, st.text(max_size=12)).map("".join),
        st.tuples(st.text(max_size=12), fragment, st.text(max_size=12)).map("".join),
        st.text(max_size=40),
        st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp"]), max_size=8),
        # Oversized: 200 to 12,000 characters.
        st.tuples(
            st.sampled_from(["x", "Pasienten kom hjem. ", "<b>&amp;</b>", "\x00a"]),
            st.integers(200, 12_000),
        ).map(lambda t: (t[0] * t[1])[: t[1]]),
        st.sampled_from(INVALID_UTF8),
        st.tuples(st.text(max_size=10), st.sampled_from(INVALID_UTF8)).map(
            lambda t: t[0].encode() + t[1]
        ),
    )


def numbers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-(2**70), 2**70).map(str),
        st.integers(-3, 400).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
    )


def dates() -> st.SearchStrategy[str]:
    today = today_local()
    return st.one_of(
        st.dates().map(lambda d: d.isoformat()),
        st.dates().map(lambda d: d.strftime("%d.%m.%Y")),
        st.integers(-400, 400).map(lambda n: (today + timedelta(days=n)).isoformat()),
        st.sampled_from(["31.02.2026", "2026-13-01", "00.00.0000", "9999-12-31", "0001-01-01"]),
        st.sampled_from(["10000-01-01", "2026-02-30", "12:00", "25:61", "23:59", "00:00"]),
    )


@dataclass
class Kinds:
    """What a field may hold besides junk: the valid values a real page offers, and the ids of
    things the user may not pick (another organisation's, one deactivated, none at all)."""

    valid: dict[str, list[str]] = field(default_factory=dict)

    def value(self, kind: str) -> st.SearchStrategy[str | bytes]:
        options = self.valid.get(kind, [])
        generic = {
            "text": texts(),
            "number": numbers(),
            "date": dates(),
            "email": st.one_of(st.emails().map(str), st.sampled_from(["a@b", "@", "x@x.x" * 60])),
        }.get(kind)
        strategies = [texts(), numbers()]
        if generic is not None:
            strategies.append(generic)
        if options:
            strategies.append(st.sampled_from(options))
        weights = 3 if options or generic is not None else 1
        return st.one_of(*(strategies[-1:] * weights), *strategies)


@dataclass(frozen=True)
class Form:
    """A form: where it posts, its fields and what each may hold ("text", "number", "date",
    "email", or a key of Kinds.valid), the text fields a refused page (422) must show again,
    and a submission it accepts (most examples spoil one to three of its fields, so that the
    junk reaches the services and the database, not only the first validator)."""

    name: str
    path: str
    fields: dict[str, str]
    shown: tuple[str, ...] = ()
    valid: dict[str, str] = field(default_factory=dict)
    method: str = "POST"  # GET: the fields go in the query string (the inbox's filters)
    accepts_valid: bool = True  # the valid submission succeeds (checked first, once)
    # Fields a browser always sends as the page wrote them (a hidden "move"): spoilt only in
    # the all-junk examples, where no text is expected back.
    fixed: tuple[str, ...] = ()


def _spoilt(name: str, value: st.SearchStrategy) -> st.SearchStrategy[list[tuple]]:
    """The field missing, sent once (most often), or sent several times."""
    once = value.map(lambda v: [(name, v)])
    several = st.lists(value, min_size=2, max_size=3).map(lambda vs: [(name, v) for v in vs])
    return st.one_of(once, once, once, st.just([]), several)


def one_field_spoilt(form: Form, kinds: Kinds, name: str) -> st.SearchStrategy[list[tuple]]:
    """The valid submission with ``name`` spoilt: the junk reaches as far as it can."""
    rest = [(n, v) for n, v in form.valid.items() if n != name]
    return _spoilt(name, kinds.value(form.fields[name])).map(lambda pairs: rest + pairs)


def all_fields_spoilt(form: Form, kinds: Kinds) -> st.SearchStrategy[list[tuple]]:
    """Every field junk, missing or repeated, and now and then a field the form has not."""
    parts = [_spoilt(n, kinds.value(k)) for n, k in form.fields.items()]
    stray = st.lists(st.tuples(st.text(max_size=12), texts()), max_size=1)
    return st.tuples(*parts, stray).map(lambda groups: [p for group in groups for p in group])


def encode(pairs: Iterable[tuple[str, str | bytes]]) -> bytes:
    """A urlencoded body; bytes values go as they are, invalid UTF-8 included."""
    return urllib.parse.urlencode(
        [(k, v if isinstance(v, bytes) else v.encode()) for k, v in pairs]
    ).encode()


def _fingerprint_queries() -> list[tuple[str, sa.Select, list[str]]]:
    """Per table the forms can change: its name, the SELECT of its non-volatile columns in key
    order, and the names that order is by."""
    queries = []
    for table in db.metadata.sorted_tables:
        if VOLATILE.search(table.name):
            continue
        order = list(table.primary_key.columns) or list(table.columns)
        columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE_COLUMNS]
        query = sa.select(*columns).order_by(*order)
        if table.name == "outbox_mail":
            query = query.where(table.c.subject.not_in(LOCK_MAIL_SUBJECTS))
        queries.append((table.name, query, [c.name for c in order]))
    return queries


_QUERIES: dict[str, object] = {}


def _one_statement(dialect: sa.engine.Dialect) -> sa.TextClause:
    """Every table's rows as one text each, in one round trip. The fingerprint runs after every
    generated example: on PostgreSQL 40 round trips to the server were most of its time, on
    SQLite 40 ORM queries and a Python row each."""
    quote = dialect.identifier_preparer.quote
    parts = []
    for name, query, order in _fingerprint_queries():
        inner = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        if dialect.name == "postgresql":
            keys = ", ".join(f't."{key}"' for key in order)
            parts.append(
                f"SELECT '{name}' AS name, coalesce(string_agg(CAST(t AS text), '|' ORDER BY {keys}), '')"
                f" AS rows FROM ({inner}) AS t"
            )
        else:
            # SQLite keeps a subquery's ORDER BY under an aggregate (it is not flattened), and
            # quote() writes each value as stored: NULL, numbers, text and blobs told apart.
            row = " || ',' || ".join(f"quote(t.{quote(c.name)})" for c in query.selected_columns)
            parts.append(
                f"SELECT '{name}' AS name, coalesce(group_concat({row}, '|'), '')"
                f" AS rows FROM ({inner}) AS t"
            )
    return sa.text(" UNION ALL ".join(parts))


def fingerprint(app: Flask) -> str:
    """Every row of every table the forms can change, hashed, in the test's transaction."""
    digest = hashlib.sha256()
    with app.app_context():
        dialect = db.session.get_bind().dialect
        statement = _QUERIES.get(dialect.name)
        if statement is None:
            statement = _QUERIES[dialect.name] = _one_statement(dialect)
        for name, rows in sorted(db.session.execute(statement).all()):
            digest.update(f"{name}:{rows}".encode())
        db.session.rollback()
    return digest.hexdigest()


def as_read(body: bytes) -> dict[str, str]:
    """Each field's first value as the app reads it: Werkzeug's own parsing of the body (it
    keeps an invalid UTF-8 escape as the text "%FF")."""
    request = EnvironBuilder(
        method="POST", data=body, content_type="application/x-www-form-urlencoded"
    ).get_request()
    return {name: request.form[name] for name in request.form}


@dataclass
class Tally:
    examples: int = 0
    changed: int = 0  # accepted, and the database changed
    answered: int = 0  # a page or a redirect, nothing changed (a filter, a refusal by message)
    refused: int = 0  # a 4xx answer, nothing changed
    server_errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return self.__dict__.copy()


def record(app: Flask, name: str, tally: Tally) -> None:
    target = os.environ.get("AVVIK_BAD_INPUT_FIGURES")
    if target:
        database = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0].split("+", 1)[0]
        entry = {"form": name, "database": database, **tally.as_dict()}
        with open(target, "a", encoding="utf-8") as file:
            file.write(json.dumps(entry) + "\n")


def clean(value: str) -> str:
    """The app's own clean-up of form text before it shows it again (AvvikForm)."""
    return strip_control_characters(value)


def check_answer(
    app: Flask,
    client: FlaskClient,
    form: Form,
    pairs: list[tuple[str, str | bytes]],
    before: str,
    response,
    tally: Tally,
) -> None:
    status = response.status_code
    body = response.get_data(as_text=True)
    if status >= 500:
        tally.server_errors += 1
        raise AssertionError(f"{form.name}: {status} for {pairs!r:.2000}")
    changed = fingerprint(app) != before
    if 400 <= status < 500:
        tally.refused += 1
        assert not changed, f"{form.name}: refused with {status} but the database changed"
    elif changed:
        tally.changed += 1
        if status in (302, 303):
            landing = client.get(response.headers["Location"]).get_data(as_text=True)
            # An error is the error summary or an error notice (both exactly "alert alert-danger");
            # a serious event's receipt carries its red guidance box, which is no error.
            assert 'class="alert alert-danger"' not in landing, (
                f"{form.name}: an error message, yet a change"
            )
    else:
        tally.answered += 1
    first = as_read(encode(pairs)) if status == 422 else {}
    if any(first.get(name) != form.valid.get(name) for name in form.fixed):
        return  # another form's field names (a move of another form): nothing of it to show
    if status == 422:
        for name in form.shown:
            typed = clean(first.get(name, ""))
            if typed.strip():
                assert str(escape(typed)) in body, (
                    f"{form.name}: {name}={typed!r:.200} not shown again; the page says "
                    f"{_messages(body)}"
                )


def _messages(body: str) -> list[str]:
    """The messages on a page: flashed ones and those beside fields."""
    return re.findall(r'(?:role="status"|class="invalid-feedback[^"]*"[^>]*)>([^<]+)<', body)


def drive(
    app: Flask,
    client: FlaskClient,
    form: Form,
    kinds: Kinds,
    per_field: int = 10,
    everything: int = 20,
    logged_out: bool = False,
) -> Tally:
    """For each field, ``per_field`` submissions with that field spoilt and the rest valid;
    then ``everything`` with every field junk. Each answer is checked (check_answer).

    Every example starts from the same database: it runs inside a savepoint of the test's
    transaction (the app's own sessions nest theirs inside it) that is rolled back after it,
    so an accepted submission does not change what the next one meets."""
    tally = Tally()
    with app.app_context():
        connection = db.engines[None]  # the test's connection (conftest's app fixture)
    before = fingerprint(app)

    def submit(pairs: list[tuple[str, str | bytes]]):
        if form.method == "GET":
            query = encode(pairs).decode()
            return client.get(f"{form.path}?{query}" if query else form.path)
        return client.open(
            form.path,
            method="POST",
            data=encode(pairs),
            content_type="application/x-www-form-urlencoded",
        )

    if form.valid and form.accepts_valid:
        # The baseline must reach as far as a success, or spoiling it tests only validators.
        savepoint = connection.begin_nested()
        try:
            if logged_out:
                client.delete_cookie("session")
            answer = submit(list(form.valid.items()))
            assert answer.status_code in (200, 302), (
                f"{form.name}: the valid submission got {answer.status_code}: "
                f"{_messages(answer.get_data(as_text=True))}"
            )
        finally:
            savepoint.rollback()

    def run(strategy: st.SearchStrategy, examples: int) -> None:
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        )
        @given(strategy)
        def one(pairs: list[tuple[str, str | bytes]]) -> None:
            savepoint = connection.begin_nested()
            if logged_out:  # a login that succeeded must not turn the next ones into redirects
                client.delete_cookie("session")
            try:
                tally.examples += 1
                response = submit(pairs)
                check_answer(app, client, form, pairs, before, response, tally)
            finally:
                savepoint.rollback()
                with client.session_transaction() as session:
                    session.pop("_flashes", None)  # unread messages would fill the cookie

        one()

    if form.valid:
        for name in form.fields:
            if name not in form.fixed:
                run(one_field_spoilt(form, kinds, name), max(1, round(per_field * SCALE)))
    run(all_fields_spoilt(form, kinds), max(1, round(everything * SCALE)))
    record(app, form.name, tally)
    assert tally.server_errors == 0
    return tally
