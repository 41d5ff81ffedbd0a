"""Crash under load: while 16 clients file, kill -9 a worker, then the gunicorn master, and
start it again. Every filing receipted before a kill is there and whole; no half-written
deviation exists; SQLite's integrity check is ok; the references stay gap-free."""

from __future__ import annotations

import time
import uuid

from reliability import checks
from reliability.database import Database
from reliability.figures import Figures
from reliability.scenarios.load import FilingLoad
from reliability.server import Server

CLIENTS = 16


def run(template: Database, scale: float = 1.0) -> Figures:
    figures = Figures("crash under load", template.kind)
    receipts_between = max(50, int(300 * scale))
    db = template.copy("crash")
    server = Server(db, f"crash-{db.kind}")
    started = time.monotonic()
    load = FilingLoad(server.port, f"C{uuid.uuid4().hex[:6]}", CLIENTS).start()
    try:
        load.wait_for(receipts_between)
        victim = server.kill_worker()
        killed_worker_at = time.monotonic()
        load.wait_for(len(load.receipts) + receipts_between)
        server.kill_master()
        killed_master_at = time.monotonic()
        down = dict(load.receipts)  # everything receipted up to the crash
        server.start()
        back_at = time.monotonic()
        load.wait_for(len(load.receipts) + receipts_between)
    finally:
        load.stop()
        server.stop()
    figures.seconds = time.monotonic() - started
    figures.add(load.tally)
    before_worker = {
        r: f for r, f in load.receipts.items() if load.receipt_times[r] < killed_worker_at
    }
    lost = checks.lost_receipts(db, load.receipts)
    figures.deviations_lost = len(lost)
    figures.deviations_doubled = checks.doubled_titles(db, load.tag)
    figures.mails_lost, figures.mails_doubled = checks.mottak_mail(db, set(load.receipts))
    half = checks.half_written(db)
    gaps = checks.reference_gaps(db)
    figures.notes.append(
        f"Worker {victim} killed after {len(before_worker)} receipts; master killed after "
        f"{len(down)}; back up {back_at - killed_master_at:.1f} s later (restart included); "
        f"{len(load.receipts)} receipts in all. Requests cut off by the kills: "
        f"{figures.no_answer + figures.server_errors}."
    )
    figures.require(not load.errors, f"clients failed: {load.errors[:1]}")
    figures.require(not lost, f"every receipt stored, whole, as sent ({lost[:3]})")
    figures.require(figures.deviations_doubled == 0, "nothing stored twice")
    figures.require(figures.mails_lost == figures.mails_doubled == 0, "one mail per handler")
    figures.require(not half, "; ".join(half))
    figures.require(not gaps, f"references gap-free ({gaps[:2]})")
    db.drop()
    return figures
