"""A web worker that has served the filing form and the inbox, but no statistics, has not loaded
the libraries the statistics draw and compute with: together some 70 MB in every worker.

Run in a fresh interpreter, so that what other tests imported does not count. It makes its own
SQLite database there: which modules load does not depend on the database, and a database
the fixtures own cannot be shared with another process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The statistics' libraries, and Authlib (with requests): single sign-on loads it only where a
# provider is configured.
HEAVY = ("pandas", "numpy", "reportlab", "openpyxl", "authlib", "requests")

WORKER = """
import sys

from app import create_app
from app.data.demo import DEMO_PASSWORD, create_demo_accounts
from app.data.seed import seed_defaults
from app.extensions import db

database, outbox, heavy = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
app = create_app("testing", SQLALCHEMY_DATABASE_URI=database, MAIL_OUTBOX_DIR=outbox)
with app.app_context():
    db.create_all()
    seed_defaults()
    create_demo_accounts()
    db.session.commit()
client = app.test_client()
login = client.post("/logg-inn", data={"email": "mottak@stolav.demo", "password": DEMO_PASSWORD})
assert login.status_code == 302, login.status_code
for url in ("/avvik/nytt", "/mottak"):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
print(",".join(name for name in heavy if name in sys.modules))
"""


def test_form_and_inbox_load_neither_pandas_nor_reportlab(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            WORKER,
            f"sqlite:///{tmp_path / 'avvik.db'}",
            str(tmp_path / "outbox"),
            ",".join(HEAVY),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = result.stdout.strip()
    assert "pandas" not in loaded and "reportlab" not in loaded, loaded
    assert loaded == "", f"loaded by a worker that drew no statistics: {loaded}"


# Endring over tid (issue 23): its views are registered in every worker, but pandas comes only
# with its page.
CHANGE_PAGE = WORKER.replace(
    'print(",".join(name for name in heavy if name in sys.modules))',
    """assert "app.statistics.routes.change" in sys.modules and "app.statistics.services.change" in sys.modules
before = [name for name in heavy + ["reports.runchart"] if name in sys.modules]
client.post("/logg-ut")
login = client.post("/logg-inn", data={"email": "forbedring@demo.demo", "password": DEMO_PASSWORD})
assert login.status_code == 302, login.status_code
response = client.get("/statistikk/endring")
assert response.status_code == 200, response.status_code
print(",".join(before) + "|" + ",".join(n for n in ("pandas", "reports.runchart") if n in sys.modules))
""",
)


def test_the_change_page_is_registered_without_pandas_and_brings_it_when_drawn(tmp_path):
    assert CHANGE_PAGE != WORKER
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            CHANGE_PAGE,
            f"sqlite:///{tmp_path / 'avvik.db'}",
            str(tmp_path / "outbox"),
            ",".join(HEAVY),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    before, after = result.stdout.strip().splitlines()[-1].split("|")
    assert before == "", f"loaded after the form and the inbox: {before}"
    assert after == "pandas,reports.runchart"
