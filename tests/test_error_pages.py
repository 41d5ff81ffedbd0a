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


@pytest.mark.own_app  # adds routes that reach the services' refusals
def test_a_service_refusing_the_user_or_the_object_answers_404(app, login_as):
    """A service's NotAllowed (a PermissionError) or NoSuchObject (a LookupError), raised when
    the route checked less than the service or the rule changed under it, is the 404 the
    pages give everything a user may not see: not a 500."""
    from flask_login import current_user

    from app.analysis import services as analysis
    from app.common.writing import writing
    from app.models import Analysis, Deviation
    from app.statistics.services import scope
    from tests import factories

    app.config["PROPAGATE_EXCEPTIONS"] = False
    with app.app_context():
        started = factories.analysis()
        other = factories.deviation(title="Manglende legemiddelliste")
        ids = {"analysis": started.id, "deviation": other.id, "reference": started.reference}
        db.session.commit()

    def calling(service):
        def view():
            with writing():
                service(db.session.get(Analysis, ids["analysis"]),
                        db.session.get(Deviation, ids["deviation"]))  # fmt: skip
            return "reached no refusal"

        return view

    refusals = {
        "/test/start": lambda a, d: analysis.start_analysis(
            current_user, d, factories.analysis_details()
        ),  # lifecycle: may not send this deviation to analysis
        "/test/link": lambda a, d: analysis.link_deviation(current_user, a, d),  # editing
        "/test/answer": lambda a, d: analysis.answer_deviations(current_user, a, "Svar"),
        "/test/statistics": lambda a, d: scope.scope_for(current_user),
        "/test/organisation": lambda a, d: scope.scope_for_organisation("Ingen slik kommune"),
    }
    for path, service in refusals.items():
        app.add_url_rule(path, path, calling(service))
    client = login_as("melder@trondheim.demo")  # no handler, not on the team
    for path in refusals:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Noe gikk galt hos oss" not in response.get_data(as_text=True), path
    leader = login_as(factories.LEADER)
    gone = leader.post(f"/analyser/{ids['reference']}/team/{2**30}/fjern")
    assert gone.status_code == 404  # team: no such member (NoSuchObject)
