"""Where a case page's server CPU goes, in one process (no gunicorn, no queueing): St. Olavs'
handler views the newest case St. Olavs received and the one from the middle of the history,
and the inbox's first page beside them, through Flask's test client.

    .venv/bin/python bench/case_page_parts.py DATABASE_URL [--views 30] [--profile new|middle]

Prints CPU per view (``time.process_time``) and, for the case pages, the parts of a view:
the functions the view calls, timed by wrapping them where the page module looks them up.
``--profile`` prints cProfile's 30 dearest functions for one page. The database is any built
by `flask demo --deviations N` (bench/case_page.py's at 1M rows, or a smaller one); the views
write their access-log rows into it, as in use.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app

HANDLER = "mottak@stolav.demo"
ORG = "St. Olavs hospital HF"

spent: dict[str, float] = defaultdict(float)


def timed(label: str, function):
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - started

    return wrapper


def instrument() -> None:
    """Wrap the view's parts where the case page's modules look them up."""
    from app.deviations import page
    from app.deviations.routes import case

    page.move_form = timed("move forms", page.move_form)
    page.render_template = timed("templates", page.render_template)
    page.suggestions.similar = timed("similar", page.suggestions.similar)
    page.readings_for_case = timed("access log: read", page.readings_for_case)
    page.group_readings = timed("access log: fold", page.group_readings)
    page.thread.thread = timed("thread", page.thread.thread)
    page.analysis.deviation_panel = timed("analysis panel", page.analysis.deviation_panel)
    case.log_reading = timed("access log: write", case.log_reading)
    case.handling.opening = timed("opening (read)", case.handling.opening)


def case_at(path: str, depth: float) -> str:
    with sqlite3.connect(path) as conn:
        top = conn.execute("SELECT max(id) FROM deviation").fetchone()[0]
        return conn.execute(
            "SELECT d.reference FROM deviation d JOIN organisation o"
            " ON o.id = d.counterpart_org_id WHERE o.name = ? AND d.id <= ?"
            " ORDER BY d.id DESC LIMIT 1",
            (ORG, int(top * (1 - depth))),
        ).fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--views", type=int, default=30)
    parser.add_argument("--profile", choices=["new", "middle", "inbox"])
    args = parser.parse_args()
    sqlite_path = args.database_url.removeprefix("sqlite:///")
    pages = {
        "inbox": "/mottak",
        "new": f"/avvik/{case_at(sqlite_path, 0.0)}",
        "middle": f"/avvik/{case_at(sqlite_path, 0.5)}",
    }
    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=args.database_url,
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
    )
    client = app.test_client()
    response = client.post("/logg-inn", data={"email": HANDLER, "password": "demo-avvik"})
    assert response.status_code == 302, response.status_code
    for path in pages.values():
        for _ in range(3):  # the first view of a new case acknowledges it; warm the caches
            assert client.get(path).status_code == 200, path
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.views):
            client.get(pages[args.profile])
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return 0
    instrument()
    for name, path in pages.items():
        spent.clear()
        started = time.process_time()
        for _ in range(args.views):
            client.get(path)
        total = (time.process_time() - started) / args.views * 1000
        parts = ", ".join(
            f"{label} {seconds / args.views * 1000:.2f}"
            for label, seconds in sorted(spent.items(), key=lambda item: -item[1])
        )
        print(f"{name:7} {path:24} {total:6.2f} ms CPU/view" + (f"  ({parts})" if parts else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
