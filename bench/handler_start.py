"""A handler's start page (the queues) at 1,000,000 deviations, against the bare endpoint and
the inbox's first page in the same run, through gunicorn (4 workers) as the other benchmarks.

    .venv/bin/python bench/handler_start.py [--seconds 5] [--only sqlite|postgresql]

Target (issue 20): the start page's p99 against the bare endpoint's p99 no worse than the
inbox's first page's in the same run. Every page is requested by St. Olavs' handler
(mottak@stolav.demo) at 4 connections (one per worker) with Debian's wrk; the script prints
p50, p99 and the server's CPU time per request. A figure, not a timed test.

The databases are those of bench/filing_and_inbox.py (SQLite under instance/bench/, the
PostgreSQL schema avvik_bench), built by `flask demo --deviations` on the first run and brought
to the current schema with `flask db upgrade` on later ones; its server, wrk runner and login
are reused from there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The sibling benchmark's gunicorn server, wrk runner and databases.
import filing_and_inbox as base

HANDLER = "mottak@stolav.demo"
BARE = "bare Flask endpoint (/bench/bare)"
INBOX = "inbox, first page (/mottak)"
START = "handler's start page (/)"
PAGES = {
    BARE: "/bench/bare",
    INBOX: "/mottak",
    START: "/",
    "one queue in full: Over fristen (100 rows)": "/mottak/ko/over-fristen",
    "one queue in full: Ikke tatt (100 rows)": "/mottak/ko/ikke-tatt",
}


def measure(url: str, seconds: int) -> dict[str, dict[str, float]]:
    server = base.Server(url)
    try:
        session = base.log_in(server.port, HANDLER)
        status, html, _, _ = base.request(server.port, "GET", "/", cookie=session)
        assert status == 200 and 'id="antall-ikke-tatt"' in html, status
        counts = {
            q: html.split(f'id="antall-{q}">')[1].split("<")[0]
            for q in ("nye", "frist-i-dag", "over-fristen", "ikke-tatt")
        }
        base.log(f"start page counts: {counts}")
        base.run_wrk(server, "/bench/bare", 2)  # warm the workers up
        results = {}
        for label, path in PAGES.items():
            results[label] = base.run_wrk(
                server,
                path,
                seconds,
                sessions=[(session, "")] if path != "/bench/bare" else None,
                connections=base.INBOX_CONNECTIONS,
            )
    finally:
        server.stop()
    return results


def report(name: str, results: dict[str, dict[str, float]]) -> bool:
    bare, inbox, start = results[BARE], results[INBOX], results[START]
    base.log("")
    base.log(f"== {name}")
    base.log(
        f"{'measurement':44} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>7}"
        f" {'p99 x bare':>10} {'failed':>6}"
    )
    for label, r in results.items():
        base.log(
            f"{label:44} {r['rps']:7.0f} {r['p50']:7.2f} {r['p99']:7.2f} {r['cpu_ms']:7.2f}"
            f" {r['p99'] / bare['p99']:10.2f} {r['failed']:6.0f}"
        )
    start_x, inbox_x = start["p99"] / bare["p99"], inbox["p99"] / bare["p99"]
    ok = start_x <= inbox_x and start["failed"] == 0
    base.log(
        f"start page p99 / bare p99: {start_x:.2f}; inbox's: {inbox_x:.2f}"
        f"  {'ok' if ok else 'MISSED'} (target: no worse than the inbox's)"
    )
    base.log(
        f"CPU per request, start page / inbox first page: {start['cpu_ms'] / inbox['cpu_ms']:.2f}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=base.ROWS)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    return base.run_on_databases(
        args.rows,
        lambda name, url: report(name, measure(url, args.seconds)),
        only=args.only,
    )


if __name__ == "__main__":
    sys.exit(main())
