"""Database restart (PostgreSQL only): restart the PostgreSQL server while 16 clients file and
read. Requests in flight may fail with the app's own error page; within 10 seconds after the
database is back every request succeeds again, with the same gunicorn workers (pool_pre_ping
replaces the dead connections)."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from pathlib import Path

import psycopg

from reliability import checks
from reliability.accounts import REPORTERS
from reliability.client import Client, NoAnswer, Tally
from reliability.database import PG_SERVER, Database
from reliability.figures import Figures
from reliability.scenarios.load import FilingLoad
from reliability.server import Server

CLIENTS = 12
READERS = 4
RECOVERY_SECONDS = 10
AFTER_SECONDS = 5  # of load after the recovery window, to show it holds


def cluster() -> list[str]:
    (version,) = [p.name for p in Path("/etc/postgresql").iterdir()]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def restart_postgresql() -> tuple[float, float]:
    """(when it went down, when it answered again): the restart is short, for the other
    users of this server."""
    down = time.monotonic()
    subprocess.run([*cluster(), "restart"], check=True, capture_output=True, timeout=120)
    while True:
        try:
            with psycopg.connect(PG_SERVER, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return down, time.monotonic()
        except psycopg.OperationalError:
            time.sleep(0.05)


def run(template: Database, scale: float = 1.0) -> Figures:
    figures = Figures("database restart", template.kind)
    db = template.copy("restart")
    server = Server(db, f"restart-{db.kind}")
    workers_before = server.worker_pids()
    started = time.monotonic()
    load = FilingLoad(server.port, f"R{uuid.uuid4().hex[:6]}", CLIENTS).start()
    readers_tally = Tally()
    stop = threading.Event()

    def reader(i: int) -> None:
        account = REPORTERS[i]
        client = Client(server.port, readers_tally)
        client.log_in(account.email)
        while not stop.is_set():
            try:
                client.get("/avvik/mine")
            except NoAnswer:
                time.sleep(0.2)

    readers = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(READERS)]
    for thread in readers:
        thread.start()
    try:
        load.wait_for(max(50, int(200 * scale)))
        went_down, came_back = restart_postgresql()
        time.sleep(RECOVERY_SECONDS + AFTER_SECONDS)
    finally:
        stop.set()
        load.stop()
        for thread in readers:
            thread.join()
        workers_after = server.worker_pids()
        server.stop()
    figures.seconds = time.monotonic() - started
    figures.add(load.tally)
    figures.add(readers_tally)
    events = load.tally.events + readers_tally.events
    failed = [e for e in events if e[2] in ("server_errors", "no_answer", "refused")]
    late = [e for e in failed if e[0] >= came_back + RECOVERY_SECONDS]
    last_failure = max((e[1] for e in failed), default=None)
    recovered = 0.0 if last_failure is None else max(0.0, last_failure - came_back)
    after = [e for e in events if e[0] >= came_back + RECOVERY_SECONDS]
    lost = checks.lost_receipts(db, load.receipts)
    figures.deviations_lost = len(lost)
    figures.deviations_doubled = checks.doubled_titles(db, load.tag)
    figures.mails_lost, figures.mails_doubled = checks.mottak_mail(db, set(load.receipts))
    gaps = checks.reference_gaps(db)
    figures.notes.append(
        f"PostgreSQL was down {came_back - went_down:.1f} s; {len(failed)} requests failed "
        f"around it (the app's 503 page, or cut off); the last failure ended "
        f"{recovered:.1f} s after the database was back; {len(after)} requests from "
        f"{RECOVERY_SECONDS} s after it on, {len(late)} of them failed. Same workers before and "
        f"after: {workers_before == workers_after}."
    )
    figures.require(not load.errors, f"clients failed: {load.errors[:1]}")
    figures.require(not late and len(after) > 0, f"all succeed {RECOVERY_SECONDS} s after")
    figures.require(workers_before == workers_after, "no worker restarted")
    figures.require(not lost, f"every receipt stored as sent ({lost[:3]})")
    figures.require(figures.deviations_doubled == 0, "nothing stored twice")
    figures.require(figures.mails_lost == figures.mails_doubled == 0, "one mail per handler")
    figures.require(not gaps, f"references gap-free ({gaps[:2]})")
    db.drop()
    return figures
