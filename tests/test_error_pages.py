"""The app's own error page, also when the database is gone: a logged-in user whose database
disappears gets the plain 503 page (no user, no menu), in their language, with the request id."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.extensions import db
from tests.support import fresh_sqlite_url, login, make_app


@pytest.mark.commits
def test_a_lost_database_gives_the_plain_503_page(sqlite_template: Path, tmp_path: Path):
    url = fresh_sqlite_url(sqlite_template, tmp_path)
    app = make_app(url, PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    login(client, "melder@trondheim.demo")
    client.set_cookie("lang", "en")
    assert client.get("/avvik/mine").status_code == 200
    # The file is gone and SQLite makes an empty one in its place: every query then fails.
    with app.app_context():
        db.engine.dispose()
    (tmp_path / "avvik.db").rename(tmp_path / "gone.db")
    response = client.get("/avvik/mine")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "The service is temporarily unavailable" in page
    assert response.headers["X-Request-ID"] in page
    assert "Kari Nordmann" not in page  # drawn without the user
    with app.app_context():
        db.engine.dispose()


@pytest.mark.own_app  # adds a failing route
def test_the_ordinary_500_page_shows_the_request_id(app, login_as):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/test-500")
    def failing():
        raise RuntimeError("boom")

    client = login_as("melder@trondheim.demo")
    response = client.get("/test-500")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Noe gikk galt hos oss" in page and "Kari Nordmann" in page  # the full page
    assert f"Referanse til brukerstøtte: {response.headers['X-Request-ID']}" in page
