"""Listing received deviations through the API against the inbox page, at 1,000,000 rows.

    .venv/bin/python bench/api_inbox.py --only sqlite [--seconds 10]

The same gunicorn (4 workers) and 1M-row database as bench/filing_and_inbox.py (built once,
reused): the St. Olavs mottak's inbox page (a logged-in session) and GET /api/v1/deviations
with a token of the same organisation (deviations:read), each at 4 connections, first page and
a deep keyset page. Prints each one's throughput, p50/p99 and server CPU per request, and the
API's p99 and CPU per request as a ratio of the page's. Target (issue 24): <= 1 x (the API
renders no template). The machine's load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import filing_and_inbox as bench

TOKEN_SCRIPT = """
from datetime import timedelta
from app import create_app
from app.api.services import tokens
from app.auth.services import find_user
from app.common.writing import writing
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.models import utcnow
app = create_app()
with app.app_context(), writing() as done:
    done.value = tokens.create_client(find_user("admin@demo.demo"), organisation_by_name(HOSPITAL),
                                      "bench", {"deviations:read"}, utcnow() + timedelta(days=1))
print(done.value.token)
"""


def make_token(database_url: str) -> str:
    out = subprocess.run(
        [bench.BIN / "python", "-c", TOKEN_SCRIPT],
        env=bench.env_for(database_url),
        cwd=bench.ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()[-1]


def measure(database_url: str, rows: int, seconds: int) -> dict[str, dict]:
    token = make_token(database_url)
    server = bench.Server(database_url)
    try:
        port = server.port
        handler = bench.log_in(port, "mottak@stolav.demo")
        depth = rows * 2 // 5
        cursor = bench.deep_cursor(database_url, "St. Olavs hospital HF", depth)
        pages = {
            "inbox page, first page": ("/mottak", handler, "Cookie"),
            "API list, first page": ("/api/v1/deviations", f"Bearer {token}", "Authorization"),
            f"inbox page, deep keyset page (row {depth:,})": (
                f"/mottak?etter={cursor}",
                handler,
                "Cookie",
            ),
            f"API list, deep keyset page (row {depth:,})": (
                # The inbox's cursor is the API's: the same keyset code.
                f"/api/v1/deviations?after={cursor}",
                f"Bearer {token}",
                "Authorization",
            ),
        }
        for path, credential, header in pages.values():
            headers = {header: credential}
            status = _get(port, path, headers)
            assert status == 200, (path, status)
        bench.run_wrk(server, "/bench/bare", 2)  # warm up
        results = {}
        for label, (path, credential, header) in pages.items():
            results[label] = bench.run_wrk(
                server,
                path,
                seconds,
                sessions=[(credential, "")],
                connections=bench.INBOX_CONNECTIONS,
                header=header,
            )
    finally:
        server.stop()
    return results


def _get(port: int, path: str, headers: dict[str, str]) -> int:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={**headers, "User-Agent": bench.USER_AGENT})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rows", type=int, default=bench.ROWS)
    parser.add_argument("--only", choices=["sqlite"], default="sqlite")
    args = parser.parse_args()
    url = bench.ensure_sqlite(args.rows)
    load_before = os.getloadavg()[0]
    results = measure(url, args.rows, args.seconds)
    load_after = os.getloadavg()[0]
    bench.log("")
    bench.log(f"== sqlite ({bench.count_deviations(url):,} deviations), 4 gunicorn workers")
    bench.log(f"{'measurement':48} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>11}")
    for label, r in results.items():
        bench.log(
            f"{label:48} {r['rps']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['cpu_ms']:11.2f}"
            f"  failed {r['failed']:.0f}"
        )
    labels = list(results)
    ok = True
    for page, api in ((labels[0], labels[1]), (labels[2], labels[3])):
        cpu = results[api]["cpu_ms"] / results[page]["cpu_ms"]
        p99 = results[api]["p99"] / results[page]["p99"]
        met = cpu <= 1.0 and results[api]["failed"] == 0
        ok = ok and met
        bench.log(
            f"{api} / {page}: CPU per request {cpu:.2f} x, p99 {p99:.2f} x  (target <= 1 x)"
            f"  {'ok' if met else 'MISSED'}"
        )
    bench.log(
        f"load average (1 min) before/after: {load_before:.1f}/{load_after:.1f}"
        f" on {os.cpu_count()} cores"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
