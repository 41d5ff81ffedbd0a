"""The case page at 1,000,000 deviations: a new case and one from the middle of the history,
against the inbox's first page in the same run (SQLite), through gunicorn (4 workers) as the
other benchmarks.

    .venv/bin/python bench/case_page.py [--seconds 8] [--rows 1000000]

Target (issue 20): the page of any case, new or years old, costs no more server time than the
inbox's first page: CPU per view at most the inbox's, read from /proc as the other scripts do,
with p50 and p99 beside it. St. Olavs' handler opens each page (each view writes its
access-log row, as in use). A figure, not a timed test.

The database is bench/filing_and_inbox.py's (under instance/bench/, built on the first run with
`flask demo --deviations N`), brought to the current schema first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The sibling benchmark's gunicorn server, wrk runner and database.
import filing_and_inbox as base

HANDLER = "mottak@stolav.demo"
ORG = "St. Olavs hospital HF"


def case_at(url: str, depth: float) -> tuple[str, str]:
    """The reference and title of the case received by ORG nearest below ``depth`` (0: the
    newest, 0.5: the middle of the history) of the table's ids."""
    top = base.count_deviations(url)
    return base._query(
        url,
        "SELECT d.reference, d.title FROM deviation d JOIN organisation o"
        " ON o.id = d.counterpart_org_id WHERE o.name = ? AND d.id <= ?"
        " ORDER BY d.id DESC LIMIT 1",
        (ORG, int(top * (1 - depth))),
    )


def measure(url: str, seconds: int) -> dict[str, dict[str, float]]:
    new_ref, new_title = case_at(url, 0.0)
    mid_ref, mid_title = case_at(url, 0.5)
    base.log(f"new case {new_ref} ({new_title!r}); middle {mid_ref} ({mid_title!r})")
    paths = {
        "bare endpoint": "/bench/bare",
        "inbox, first page": "/mottak",
        f"case page, new ({new_ref})": f"/avvik/{new_ref}",
        f"case page, middle ({mid_ref})": f"/avvik/{mid_ref}",
    }
    server = base.Server(url)
    try:
        session = base.log_in(server.port, HANDLER)
        for path in paths.values():
            status, _, _, _ = base.request(server.port, "GET", path, cookie=session)
            assert status == 200, (path, status)
        base.run_wrk(server, "/bench/bare", 2)  # warm the workers up
        return {
            label: base.run_wrk(
                server,
                path,
                seconds,
                sessions=[(session, "")],
                connections=base.INBOX_CONNECTIONS,
            )
            for label, path in paths.items()
        }
    finally:
        server.stop()


def report(name: str, results: dict[str, dict[str, float]]) -> bool:
    inbox = results["inbox, first page"]
    base.log("")
    base.log(f"== {name}")
    base.log(
        f"{'measurement':36} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>7}"
        f" {'x inbox p50':>11} {'x inbox CPU':>11}"
    )
    ok = True
    for label, r in results.items():
        x_p50, x_cpu = r["p50"] / inbox["p50"], r["cpu_ms"] / inbox["cpu_ms"]
        mark = ""
        if label.startswith("case page"):
            mark = "ok" if x_cpu <= 1.0 else "MISSED"
            ok = ok and x_cpu <= 1.0
        base.log(
            f"{label:36} {r['rps']:7.0f} {r['p50']:7.2f} {r['p99']:7.2f} {r['cpu_ms']:7.2f}"
            f" {x_p50:11.2f} {x_cpu:11.2f}  {mark}"
        )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rows", type=int, default=base.ROWS)
    args = parser.parse_args()
    return base.run_on_databases(
        args.rows,
        lambda name, url: report(name, measure(url, args.seconds)),
        only="sqlite",
        target="a case page's CPU per view <= the inbox's first page's",
    )


if __name__ == "__main__":
    sys.exit(main())
