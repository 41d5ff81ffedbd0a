"""Generated bad input (tests/bad_input.py) for signing in and passwords, the language switch,
the filters in query strings (inbox, users, statistics, the admin log), and import files."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.auth.services import find_user, issue_token
from app.extensions import db
from app.models import TokenPurpose
from tests.bad_input import (
    INVALID_UTF8,
    SCALE,
    Form,
    Kinds,
    Tally,
    drive,
    fingerprint,
    record,
    texts,
)

KINDS = Kinds(
    {
        "user_email": ["melder@trondheim.demo", "MELDER@TRONDHEIM.DEMO", " melder@trondheim.demo "],
        "password": ["demo-avvik", "feil-passord", "Sommer2024!", "x" * 5000],
        "flag": ["y", "on", ""],
        "lang": ["nb", "en", "de", ""],
        "next": [
            "/",
            "/avvik/mine",
            "//evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
        ],
        "status": ["sendt", "mottatt", "besvart", "ukjent"],
        "sort": ["frist", "nyeste", "x"],
        "harm": ["alvorlige", "dod", "lav", "DOD", "alvorlig "],
        "cursor": ["2026-01-01T00:00:00+00:00|5", "abc", "|", "2026-13-45T99:99|x"],
        "tertial": ["2026-T1", "2025-T3", "2026-T4", "1999-T1", "T1", "9999-T3"],
    }
)


def test_login_forgot_password_and_language(app):
    client = app.test_client()
    drive(app, client, Form("login", "/logg-inn",
                            {"email": "user_email", "password": "password", "remember": "flag"},
                            ("email",), {"email": "melder@trondheim.demo", "password": "demo-avvik"}),
          KINDS, per_field=5, everything=8, logged_out=True)  # fmt: skip
    app.config["FORGOT_PASSWORD_MIN_SECONDS"] = 0  # the same answer, without the wait
    drive(app, client, Form("forgot password", "/glemt-passord", {"email": "user_email"},
                            ("email",), {"email": "melder@trondheim.demo"}), KINDS, per_field=8, everything=6)  # fmt: skip
    drive(app, client, Form("language", "/sprak", {"lang": "lang", "next": "next"}, (),
                            {"lang": "en", "next": "/"}), KINDS, per_field=6, everything=6)  # fmt: skip


def test_set_password_link(app):
    with app.app_context():
        token = issue_token(find_user("melder@trondheim.demo"), TokenPurpose.RESET)
        db.session.commit()
    form = Form(
        "set password",
        f"/passord/{token}",
        {"password": "password", "confirm": "password"},
        (),
        {"password": "et langt og godt passord", "confirm": "et langt og godt passord"},
    )
    drive(app, app.test_client(), form, KINDS, per_field=6, everything=8)


def test_filters_in_the_query_string(app, login_as):
    handler = login_as("mottak@stolav.demo")
    inbox = Form("inbox filters", "/mottak",
                 {"status": "status", "category": "number", "sorter": "sort", "etter": "cursor",
                  "harm": "harm"},
                 (), {"status": "sendt", "category": "", "sorter": "frist", "harm": "alvorlige"},
                 method="GET")  # fmt: skip
    drive(app, handler, inbox, KINDS, per_field=5, everything=6)
    statistics = Form("statistics filter", "/statistikk/", {"tertial": "tertial"}, (),
                      {"tertial": "2026-T1"}, method="GET")  # fmt: skip
    drive(app, handler, statistics, KINDS, per_field=6, everything=3)
    admin = login_as("admin@demo.demo")
    users = Form("user search", "/admin/brukere", {"org": "number", "q": "text"}, (),
                 {"org": "", "q": "melder"}, method="GET")  # fmt: skip
    drive(app, admin, users, KINDS, per_field=4, everything=4)
    log = Form("admin log paging", "/admin/logg", {"for": "number"}, (), {"for": "5"}, method="GET")
    drive(app, admin, log, KINDS, per_field=5, everything=2)


COLUMNS = ["registered", "event_date", "reporter_org", "reporter_unit", "counterpart_org",
           "counterpart_unit", "category", "harm", "title", "description", "status", "closed",
           "answered_within_deadline"]  # fmt: skip
GOOD_ROW = ["05.01.2024", "04.01.2024", "Trondheim", "", "St. Olavs", "", "Utskrivning", "lav",
            "Utskrevet uten epikrise", "Kom hjem uten epikrise.", "besvart", "20.01.2024", "ja"]  # fmt: skip


@st.composite
def import_files(draw) -> tuple[str, bytes]:
    """A CSV with one to three rows, each a good row with some cells spoilt; or garbage."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from([".xlsx", ".csv", ".txt"])), draw(st.binary(max_size=300))
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    header = list(COLUMNS)
    if draw(st.booleans()):
        del header[draw(st.integers(0, len(header) - 1))]
    lines = [delimiter.join(header).encode()]
    for _ in range(draw(st.integers(1, 3))):
        row: list[bytes] = [c.encode() for c in GOOD_ROW]
        for _ in range(draw(st.integers(0, 2))):
            cell = draw(st.one_of(texts(), st.sampled_from(INVALID_UTF8)))
            row[draw(st.integers(0, len(row) - 1))] = (
                cell if isinstance(cell, bytes) else cell.encode()
            )
        lines.append(delimiter.encode().join(row))
    return ".csv", b"\n".join(lines)


def test_import_files(app, runner, tmp_path):
    """`flask import-deviations`: every file is imported or refused with a list of row errors,
    never a crash, and a refused file leaves the database as it was."""
    before = fingerprint(app)
    tally = Tally()
    with app.app_context():
        connection = db.engines[None]

    @settings(
        max_examples=round(40 * SCALE),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(import_files())
    def one(upload: tuple[str, bytes]) -> None:
        suffix, content = upload
        path = tmp_path / f"import-{random.getrandbits(32)}{suffix}"
        path.write_bytes(content)
        savepoint = connection.begin_nested()
        try:
            tally.examples += 1
            result = runner.invoke(args=["import-deviations", str(path)])
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                tally.server_errors += 1
                raise result.exception
            if result.exit_code == 0:
                tally.changed += 1
            else:
                tally.refused += 1
                assert "Ingenting ble importert" in result.output, result.output
                assert fingerprint(app) == before
        finally:
            savepoint.rollback()

    one()
    record(app, "import files", tally)
    assert tally.refused > 0, tally
    good = tmp_path / "good.csv"
    good.write_text(";".join(COLUMNS) + "\n" + ";".join(GOOD_ROW) + "\n", encoding="utf-8")
    assert runner.invoke(args=["import-deviations", str(good)]).exit_code == 0
