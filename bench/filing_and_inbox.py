"""Filing and inbox under load: gunicorn (4 workers) with 1,000,000 deviations, on SQLite and on
PostgreSQL.

    make bench            # or: .venv/bin/python bench/filing_and_inbox.py [--seconds 10]

Prints, per database:
- filing throughput (full POST: CSRF, validation, routing, reference number, history, commit)
  from logged-in sessions at 16 connections, as a ratio of a bare Flask endpoint served by the
  same gunicorn workers in the same run (AVVIK_BENCH=1 registers /bench/bare; nothing else
  does), with p50 and p99, and every answer that was not the redirect to a receipt;
- the inbox (mottak@stolav.demo) at 4 connections: first page, a deep keyset page, a status
  filter, with p99 against the bare endpoint's p99;
- the server's CPU time per request (from /proc), which, unlike latency, does not grow when
  other jobs share the machine;
- on SQLite, the resident memory of each worker after it has served the form and the inbox
  (and no statistics).
Targets (issue 11): filing with 0 failed requests and >= 0.08 x the bare endpoint's throughput;
inbox first page p99 <= 3 x the bare endpoint's p99; a worker <= 90 MB RSS.

Load comes from Debian's `wrk` (the Makefile installs it); traffic goes only to 127.0.0.1. The
1M-row databases are made by `flask demo --deviations` (SQLite under instance/bench/, PostgreSQL
in the schema avvik_bench of AVVIK_BENCH_PG, default the local server's database `test`) and
reused on later runs.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DB_DIR = ROOT / "instance" / "bench"
ROWS = 1_000_000
CONNECTIONS = 16
# The inbox target is the cost of a page at 1M rows, not queueing: one connection per worker.
INBOX_CONNECTIONS = 4
USER_AGENT = "avvik-bench/1"  # Flask-Login's strong session protection ties a session to it
PASSWORD = "demo-avvik"
TARGET_RATIO, TARGET_INBOX_P99_X_BARE, TARGET_RSS_MB = 0.08, 3.0, 90.0
PG_SERVER = os.environ.get("AVVIK_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
PG_SCHEMA = "avvik_bench"


def log(message: str) -> None:
    print(message, flush=True)


def env_for(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        AVVIK_CONFIG="development",
        AVVIK_BENCH="1",
        SECRET_KEY="bench-only-secret",
        FLASK_APP="app",
    )
    env.pop("MAIL_SERVER", None)  # filings queue mail rows; nothing is sent
    return env


def _build(database_url: str, rows: int) -> None:
    log(f"Building {rows:,} deviations in {database_url} (once; reused later) …")
    _migrate(database_url)
    subprocess.run(
        [BIN / "flask", "demo", "--deviations", str(rows)],
        env=env_for(database_url),
        cwd=ROOT,
        check=True,
    )


def _migrate(url: str) -> None:
    subprocess.run(
        [BIN / "flask", "db", "upgrade"],
        env=env_for(url),
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _reuse(url: str, what: str) -> str:
    log(f"Reusing {what}")
    _migrate(url)  # a schema change since the database was built (a new index, a dropped one)
    return url


def ensure_sqlite(rows: int) -> str:
    DB_DIR.mkdir(parents=True, exist_ok=True)
    db_path = DB_DIR / f"avvik-{rows}.db"
    url = f"sqlite:///{db_path}"
    if db_path.exists():
        with sqlite3.connect(db_path) as conn:
            have = conn.execute("SELECT max(id) FROM deviation").fetchone()[0] or 0
        if have >= rows:
            return _reuse(url, f"{db_path} ({have:,} deviations)")
        db_path.unlink()
    _build(url, rows)
    with sqlite3.connect(db_path) as conn:
        conn.execute("ANALYZE")  # the planner picks the inbox indexes with statistics at hand
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return url


def ensure_postgresql(rows: int) -> str:
    import psycopg

    base = PG_SERVER.replace("postgresql://", "postgresql+psycopg://", 1)
    url = f"{base}?options=-csearch_path%3D{PG_SCHEMA}"
    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM information_schema.tables"
            " WHERE table_schema = %s AND table_name = 'deviation'",
            (PG_SCHEMA,),
        ).fetchone()
        have = exists and conn.execute(f"SELECT max(id) FROM {PG_SCHEMA}.deviation").fetchone()[0]
        if have and have >= rows:
            _vacuum(conn)
            return _reuse(url, f"PostgreSQL schema {PG_SCHEMA} ({have:,} deviations)")
        conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {PG_SCHEMA}")
    _build(url, rows)
    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        _vacuum(conn)
    return url


def _vacuum(conn) -> None:
    """VACUUM (ANALYZE), as autovacuum does to a database in service. A freshly loaded table has
    no visibility map, so PostgreSQL cannot count from an index alone and reads the table
    instead: the inbox's capped counts took 25 ms instead of 0.3 ms (measured 2026-12-02)."""
    conn.execute(f"VACUUM (ANALYZE) {PG_SCHEMA}.deviation")


class Server:
    """gunicorn on 127.0.0.1, port chosen by the OS and read back from its log."""

    def __init__(self, database_url: str, workers: int = 4) -> None:
        # Lives as long as the server; closed in stop().
        self.log_file = tempfile.NamedTemporaryFile("w+", prefix="avvik-bench-", suffix=".log")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                BIN / "gunicorn",
                "-w",
                str(workers),
                "-b",
                "127.0.0.1:0",
                "--log-level",
                "info",
                "--access-logfile",
                "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
                "app:create_app()",
            ],
            env=env_for(database_url),
            cwd=ROOT,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.port = self._wait_for_port()
        self._wait_ready(workers)

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            self.log_file.seek(0)
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", self.log_file.read())
            if found:
                return int(found.group(1))
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.log_file.seek(0)
        raise RuntimeError("gunicorn did not start:\n" + self.log_file.read())

    def _wait_ready(self, workers: int) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            self.log_file.seek(0)
            if self.log_file.read().count("Booting worker") >= workers:
                try:
                    if request(self.port, "GET", "/bench/bare")[0] == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn workers did not come up")

    def workers(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    pids.append(int(entry.name))
        return pids

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
        return sizes

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and its workers (Linux /proc): unlike latency,
        it does not grow when other jobs share the machine."""
        ticks = 0
        for pid in [self.proc.pid, *self.workers()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.log_file.close()


def request(port: int, method: str, path: str, body: dict | None = None, cookie: str = ""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    text = response.read().decode()
    set_cookie = response.getheader("Set-Cookie") or ""
    conn.close()
    return response.status, text, response.getheader("Location"), set_cookie


def _cookie(set_cookie: str, previous: str) -> str:
    found = re.search(r"(?:^|, )(session=[^;]+)", set_cookie)
    return found.group(1) if found else previous


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def log_in(port: int, email: str) -> str:
    status, html, _, set_cookie = request(port, "GET", "/logg-inn")
    cookie = _cookie(set_cookie, "")
    status, _, location, set_cookie = request(
        port,
        "POST",
        "/logg-inn",
        {"csrf_token": _csrf(html), "email": email, "password": PASSWORD},
        cookie,
    )
    assert status == 302 and "logg-inn" not in (location or ""), f"login failed for {email}"
    return _cookie(set_cookie, cookie)


def filing_sessions(port: int, count: int) -> list[tuple[str, str]]:
    """(cookie, urlencoded form body) per logged-in nurse session, ready to POST."""
    sessions = []
    for _ in range(count):
        cookie = log_in(port, "melder@trondheim.demo")
        status, html, _, set_cookie = request(port, "GET", "/avvik/nytt", cookie=cookie)
        # Login starts a fresh cookie session: the form page puts its CSRF token in it.
        cookie = _cookie(set_cookie, cookie)
        assert status == 200, status
        hospital = re.search(r'<option value="(\d+)"[^>]*>St\. Olavs hospital HF</option>', html)
        category = re.search(r'<option value="(\d+)"[^>]*>Utskrivning</option>', html)
        body = {
            "csrf_token": _csrf(html),
            "counterpart_org": hospital.group(1),
            "counterpart_unit": "",
            "event_date": date.today().isoformat(),
            "category": category.group(1),
            "harm": "lav",
            "title": "Utskrevet uten epikrise",
            "description": "Pasienten kom hjem kl. 21 uten epikrise. Ring 73 86 80 00 ved spørsmål.",
            "immediate_action": "Ringte avdelingen.",
            "suggestion": "Send epikrise samme dag.",
            "agreement": "",
            "patient_id": "",
            # The same case again and again: past the warning of a similar case in the last
            # day (its check, ~0.3 ms, is then skipped), as "Send likevel" goes.
            "send_likevel": "1",
        }
        sessions.append((cookie, urllib.parse.urlencode(body)))
    # One real filing per check: the POST must be accepted, not bounced to the login page.
    cookie, body = sessions[0]
    status, _, location, _ = request(
        port, "POST", "/avvik/nytt", dict(urllib.parse.parse_qsl(body)), cookie
    )
    assert status == 302 and "/sendt" in (location or ""), (status, location)
    return sessions


def lua_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def wrk_script(
    method: str, path: str, sessions: list[tuple[str, str]], expect: int, header: str = "Cookie"
) -> str:
    """Round-robin over the sessions; count answers other than ``expect`` so none hide.
    ``header`` carries each session's first value (bench/api_inbox.py sends Authorization)."""
    entries = ",\n".join(f'{{"{lua_escape(c)}", "{lua_escape(b)}"}}' for c, b in sessions)
    return f"""
local sessions = {{ {entries} }}
local i = 0
-- A global, not a local: thread:get() in done() reads only a thread's globals.
unexpected = 0
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function request()
  i = i % #sessions + 1
  local s = sessions[i]
  local headers = {{["{header}"] = s[1], ["User-Agent"] = "{USER_AGENT}"}}
  local body = nil
  if "{method}" == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = s[2]
  end
  return wrk.format("{method}", "{path}", headers, body)
end
function response(status, headers, body)
  if status ~= {expect} then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("unexpected") or 0) end
  io.write(string.format("RESULT requests=%d seconds=%.3f p50=%.3f p99=%.3f unexpected=%d errors=%d\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, bad, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.status + summary.errors.timeout))
end
"""


def run_wrk(
    server: Server,
    path: str,
    seconds: int,
    *,
    method: str = "GET",
    sessions: list[tuple[str, str]] | None = None,
    expect: int = 200,
    connections: int = CONNECTIONS,
    header: str = "Cookie",
) -> dict[str, float]:
    sessions = sessions or [("", "")]
    port = server.port
    cpu_before = server.cpu_seconds()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(method, path, sessions, expect, header))
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "5s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(script.name)
    found = re.search(
        r"RESULT requests=(\d+) seconds=([\d.]+) p50=([\d.]+) p99=([\d.]+) unexpected=(\d+) errors=(\d+)",
        out,
    )
    if not found:
        raise RuntimeError("wrk printed no result:\n" + out)
    requests, secs, p50, p99, unexpected, errors = (float(g) for g in found.groups())
    cpu_ms = 1000 * (server.cpu_seconds() - cpu_before) / requests
    return {
        "rps": requests / secs,
        "p50": p50,
        "p99": p99,
        "requests": requests,
        "cpu_ms": cpu_ms,
        "failed": unexpected + errors,
    }


def _query(database_url: str, sql: str, params: tuple) -> tuple:
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql, params).fetchone()
    import psycopg

    with psycopg.connect(PG_SERVER, options=f"-csearch_path={PG_SCHEMA}") as conn:
        return conn.execute(sql.replace("?", "%s"), params).fetchone()


def deep_cursor(database_url: str, org_name: str, depth: int) -> str:
    """The inbox's own keyset cursor for the row ``depth`` places down the list."""
    at, ident = _query(
        database_url,
        "SELECT d.registered_at, d.id FROM deviation d JOIN organisation o"
        " ON o.id = d.counterpart_org_id WHERE o.name = ?"
        " ORDER BY d.registered_at DESC, d.id DESC LIMIT 1 OFFSET ?",
        (org_name, depth),
    )
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    when = at.replace(tzinfo=UTC)
    raw = f"{when.isoformat()}|{ident}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def count_deviations(database_url: str) -> int:
    return _query(database_url, "SELECT max(id) FROM deviation", ())[0]


def run_on_databases(
    rows: int, check: Callable[[str, str], bool], only: str | None = None, target: str = ""
) -> int:
    """The frame of a bench that compares pages under wrk: each database (or ``only``) built
    or reused, ``check(name, url)`` run on it (True when its target is met), then the load
    average before and after, which says whether the figures are worth keeping. An exit code."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: run `make bench` (it installs Debian's wrk)")
    databases = {"sqlite": ensure_sqlite, "postgresql": ensure_postgresql}
    if only:
        databases = {only: databases[only]}
    load_before = os.getloadavg()[0]
    ok = True
    for name, ensure in databases.items():
        url = ensure(rows)
        ok = check(f"{name} ({count_deviations(url):,} deviations)", url) and ok
    log("")
    log(
        f"load average (1 min) before/after: {load_before:.1f}/{os.getloadavg()[0]:.1f}"
        f" on {os.cpu_count()} cores" + (f"; target: {target}" if target else "")
    )
    return 0 if ok else 1


def measure(database_url: str, rows: int, seconds: int, memory: bool) -> dict[str, dict]:
    server = Server(database_url)
    try:
        port = server.port
        filing = filing_sessions(port, CONNECTIONS)
        handler = log_in(port, "mottak@stolav.demo")
        depth = rows * 2 // 5  # 400,000 rows down at 1M: St. Olavs receives about 55 %
        cursor = deep_cursor(database_url, "St. Olavs hospital HF", depth)
        inbox_pages = {
            "inbox, first page": "/mottak",
            f"inbox, deep keyset page (row {depth:,})": f"/mottak?etter={cursor}",
            "inbox, status filter (under_behandling)": "/mottak?status=under_behandling",
            "inbox, status filter, deep page": "/mottak?status=besvart&etter=" + cursor,
        }
        for path in inbox_pages.values():
            status, html, _, _ = request(port, "GET", path, cookie=handler)
            assert status == 200 and "AV-" in html, (path, status)

        run_wrk(server, "/bench/bare", 2)  # warm the workers up
        results = {"bare Flask endpoint (/bench/bare)": run_wrk(server, "/bench/bare", seconds)}
        before = count_deviations(database_url)
        filed = run_wrk(server, "/avvik/nytt", seconds, method="POST", sessions=filing, expect=302)
        written = count_deviations(database_url) - before
        # Requests still in flight when wrk stops are written but not counted: at most one per
        # connection. A failed filing must have written nothing.
        answered = filed["requests"] - filed["failed"]
        if not answered <= written <= answered + CONNECTIONS:
            raise RuntimeError(f"{answered:.0f} filings answered but {written} deviations written")
        results["filing a deviation (POST /avvik/nytt)"] = filed
        for label, path in inbox_pages.items():
            results[label] = run_wrk(
                server, path, seconds, sessions=[(handler, "")], connections=INBOX_CONNECTIONS
            )
        rss = server.worker_rss_mb() if memory else []
    finally:
        server.stop()
    return {"results": results, "rss": rss}


def report(name: str, measured: dict) -> bool:
    results, rss = measured["results"], measured["rss"]
    bare = results["bare Flask endpoint (/bench/bare)"]
    filed = results["filing a deviation (POST /avvik/nytt)"]
    inbox_first = results["inbox, first page"]
    log("")
    log(f"== {name}")
    log(
        f"{'measurement':44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>11} {'failed':>7}"
    )
    for label, r in results.items():
        log(
            f"{label:44} {r['rps']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['cpu_ms']:11.2f}"
            f" {r['failed']:7.0f}"
        )
    ratio = filed["rps"] / bare["rps"]
    inbox_x = inbox_first["p99"] / bare["p99"]
    mark = {True: "ok", False: "MISSED"}
    checks = [
        (filed["failed"] == 0, f"filing failed requests: {filed['failed']:.0f}  (target 0)"),
        (
            ratio >= TARGET_RATIO,
            f"filing / bare throughput: {ratio:.3f}  (target >= {TARGET_RATIO})",
        ),
        (
            inbox_x <= TARGET_INBOX_P99_X_BARE,
            f"inbox first page p99 / bare p99: {inbox_x:.2f}  (target <= {TARGET_INBOX_P99_X_BARE:.0f})",
        ),
    ]
    if rss:
        sizes = ", ".join(f"{m:.0f}" for m in rss)
        text = f"worker RSS after form and inbox: {sizes} MB  (target <= {TARGET_RSS_MB:.0f})"
        checks.append((max(rss) <= TARGET_RSS_MB, text))
    for ok, text in checks:
        log(f"{text}  {mark[ok]}")
    log(
        f"  the filing ratio from server CPU per request (bare / filing): "
        f"{bare['cpu_ms'] / filed['cpu_ms']:.3f}"
    )
    return all(ok for ok, _ in checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="per measurement (default 10)")
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: run `make bench` (it installs Debian's wrk)")

    databases = {"sqlite": ensure_sqlite, "postgresql": ensure_postgresql}
    if args.only:
        databases = {args.only: databases[args.only]}
    urls = {name: ensure(args.rows) for name, ensure in databases.items()}
    load_before = os.getloadavg()[0]
    log(
        f"gunicorn: 4 workers on 127.0.0.1; {os.cpu_count()} CPU cores; {args.seconds} s per run; "
        f"{CONNECTIONS} connections (bare, filing), {INBOX_CONNECTIONS} (inbox)"
    )
    measured = {
        name: measure(url, args.rows, args.seconds, memory=name == "sqlite")
        for name, url in urls.items()
    }
    ok = True
    for name, result in measured.items():
        rows = count_deviations(urls[name])
        ok = report(f"{name} ({rows:,} deviations)", result) and ok
    load_after = os.getloadavg()[0]
    # The machine may be shared: a load above the core count inflates every latency here.
    log("")
    log(
        f"load average (1 min) before/after: {load_before:.1f}/{load_after:.1f} on {os.cpu_count()} cores"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
