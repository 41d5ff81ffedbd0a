"""Server-Timing on every answer, the same figures in the request's log line, and a content
hash on every static file's URL (app/ops/timing.py, app/ops/static_versions.py)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from tests.test_logging import log_lines, requests_in

_PART = re.compile(r'(\w+);dur=([\d.]+)(?:;desc="(\d+) queries")?')


def timings(header: str) -> dict[str, tuple[float, int | None]]:
    return {
        name: (float(duration), int(count) if count else None)
        for name, duration, count in _PART.findall(header)
    }


def test_a_signed_in_page_says_its_database_render_and_total_time(login_as, capsys):
    client = login_as("mottak@stolav.demo")
    capsys.readouterr()
    response = client.get("/mottak")
    assert response.status_code == 200
    parts = timings(response.headers["Server-Timing"])
    assert set(parts) == {"db", "render", "total"}
    db_ms, queries = parts["db"]
    assert queries >= 1 and 0 < db_ms <= parts["total"][0]
    assert 0 < parts["render"][0] <= parts["total"][0]
    (line,) = requests_in(log_lines(capsys.readouterr().err))
    assert line["db_queries"] == queries
    assert line["db_ms"] == round(db_ms, 1) and line["render_ms"] == round(parts["render"][0], 1)


def test_an_anonymous_answer_says_only_its_total(client, capsys):
    # The queries behind the login page and "Glemt passord" would tell whether an account
    # exists; the client measures the total itself anyway.
    for path in ("/logg-inn", "/glemt-passord", "/helse", "/finnes/ikke"):
        response = client.get(path)
        assert set(timings(response.headers["Server-Timing"])) == {"total"}, path
    lines = requests_in(log_lines(capsys.readouterr().err))
    assert all("db_ms" in line and "render_ms" in line for line in lines)


def test_static_urls_carry_the_files_content_hash(app, client):
    page = client.get("/logg-inn").get_data(as_text=True)
    css = Path(app.static_folder, "build", "avvik.css").read_bytes()  # built by `make install`
    digest = hashlib.sha256(css).hexdigest()[:12]
    assert f'href="/static/build/avvik.css?v={digest}"' in page
    bootstrap = re.search(r'src="(/bootstrap/static/[^"?]+)\?v=([0-9a-f]{12})"', page)
    assert bootstrap, "Bootstrap-Flask's script has its hash too"
    with client.get(f"{bootstrap.group(1)}?v={bootstrap.group(2)}") as served:
        assert hashlib.sha256(served.get_data()).hexdigest()[:12] == bootstrap.group(2)
    with app.test_request_context():
        from flask import url_for

        assert url_for("static", filename="finnes-ikke.css") == "/static/finnes-ikke.css"
