"""What the generated bad input found, pinned: ids the database cannot hold, control characters
in form text, NUL in the address, a line break in a redirect target."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.common.ids import DATABASE_ID_MAX, parse_id
from app.extensions import db
from app.models import Deviation, LoginSession, utcnow
from tests.support import login
from tests.test_filing_routes import valid_form


@pytest.mark.parametrize(
    ("value", "expected"),
    [("42", 42), (" 7 ", 7), (str(DATABASE_ID_MAX), DATABASE_ID_MAX), (str(2**31), None),
     ("99999999999999999999", None), ("²", None), ("٣", None), ("-1", None), ("", None),
     (None, None), ("1e3", None), (5, 5), (True, None)],
)  # fmt: skip
def test_parse_id(value, expected):
    assert parse_id(value) == expected


def test_control_characters_are_dropped_from_form_text_before_validation(app, login_as):
    client = login_as("melder@trondheim.demo")
    title = "Utskrevet\x00 uten\x1b epikrise\x0c"
    description = "Linje én\r\nLinje to\tmed tabulator\x00."
    response = client.post(
        "/avvik/nytt", data=valid_form(app, title=title, description=description)
    )
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.execute(
            sa.select(Deviation.title, Deviation.description).order_by(Deviation.id.desc())
        ).first()
    assert stored == ("Utskrevet uten epikrise", "Linje én\r\nLinje to\tmed tabulator.")


def test_ids_past_the_database_integer_and_nul_in_the_address(app, login_as):
    admin = login_as("admin@demo.demo")
    assert admin.get(f"/admin/organisasjoner/{2**31}").status_code == 404
    assert admin.get("/admin/brukere?org=99999999999999999999").status_code == 200
    assert admin.get("/admin/logg?for=99999999999999999999").status_code == 200
    assert admin.get("/admin/brukere?q=a%00b").status_code == 400
    assert admin.get("/avvik/AV-2026-%0000001").status_code == 404
    handler = login_as("mottak@stolav.demo")
    assert handler.get("/mottak?category=%C2%B2").status_code == 200  # "²"
    assert handler.get(f"/mottak?category={2**40}").status_code == 200


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/\\evil.example", "//evil.example",
                                    "https://evil.example/", "javascript:alert(1)", "avvik"])  # fmt: skip
def test_the_language_switch_never_redirects_off_site_or_breaks(client, target):
    response = client.post("/sprak", data={"lang": "en", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_an_import_file_with_control_characters_is_imported_without_them(app, runner, tmp_path):
    """Found by the generated import files: NUL in a cell reached PostgreSQL as a 500."""
    from tests.test_bad_input_auth import COLUMNS, GOOD_ROW

    row = list(GOOD_ROW)
    row[8] = "Utskrevet\x00 uten\x0b epikrise"
    path = tmp_path / "nul.csv"
    path.write_text(";".join(COLUMNS) + "\n" + ";".join(row) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import-deviations", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        title = db.session.scalar(sa.select(Deviation.title).order_by(Deviation.id.desc()))
    assert title == "Utskrevet uten epikrise"


@pytest.mark.parametrize(
    ("address", "status"),
    [("/avvik/AV-2026-%0000001", 404), ("/avvik/mine?q=a%00b", 400), ("/ingen%00side", 404),
     ("/avvik/nytt?x=%00", 400)],
)  # fmt: skip
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_request_refused_for_nul_writes_nothing_not_even_the_visit(
    app, client, address, status, method
):
    """The input guards run before the session is loaded: a refused request from a logged-in
    user whose session is due a touch leaves last_seen_at where it was."""
    login(client, "melder@trondheim.demo")
    earlier = utcnow() - timedelta(minutes=5)
    with app.app_context():
        db.session.execute(sa.update(LoginSession).values(last_seen_at=earlier))
        db.session.commit()
    assert client.open(address, method=method).status_code == status
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.max(LoginSession.last_seen_at))) == earlier
    # The same session on a good address is touched: the refusal above was the guard's doing.
    assert client.get("/avvik/mine").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.max(LoginSession.last_seen_at))) > earlier
