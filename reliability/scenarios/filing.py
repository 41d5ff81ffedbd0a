"""Concurrent filing: 64 clients file 5,000 deviations in all, as reporters of six
organisations. Every answer is a receipt or a page with a message, never a server error; every
receipt's deviation is in the database once, as sent; references are unique and gap-free per
year; each receiving mottak got exactly one mail per deviation."""

from __future__ import annotations

import time
import uuid

from reliability import checks
from reliability.database import Database
from reliability.figures import Figures
from reliability.scenarios.load import FilingLoad
from reliability.server import Server

CLIENTS = 64
FILINGS = 5000


def run(template: Database, scale: float = 1.0) -> Figures:
    figures = Figures("concurrent filing", template.kind)
    filings = max(100, int(FILINGS * scale))
    db = template.copy("filing")
    server = Server(db, f"filing-{db.kind}")
    try:
        started = time.monotonic()
        load = FilingLoad(server.port, f"F{uuid.uuid4().hex[:6]}", CLIENTS, limit=filings).start()
        load.join()
        figures.seconds = time.monotonic() - started
        logged_errors = server.logged_server_errors()
    finally:
        server.stop()
    figures.add(load.tally)
    receipts = len(load.receipts)
    figures.notes.append(
        f"{receipts:,} receipts from {CLIENTS} clients in {figures.seconds:.0f} s "
        f"({receipts / figures.seconds:.0f} filings/s)."
    )
    lost = checks.lost_receipts(db, load.receipts)
    figures.deviations_lost = len(lost)
    figures.deviations_doubled = checks.doubled_titles(db, load.tag)
    figures.mails_lost, figures.mails_doubled = checks.mottak_mail(db, set(load.receipts))
    gaps = checks.reference_gaps(db)
    figures.require(not load.errors, f"clients failed: {load.errors[:1]}")
    figures.require(receipts == filings, f"{receipts} of {filings} filings receipted")
    figures.require(figures.server_errors == 0 and logged_errors == 0, "no server errors")
    figures.require(figures.no_answer == 0, "every request answered")
    figures.require(not lost, f"every receipt stored as sent ({lost[:3]})")
    figures.require(figures.deviations_doubled == 0, "nothing stored twice")
    figures.require(not gaps, f"references gap-free ({gaps[:2]})")
    figures.require(figures.mails_lost == figures.mails_doubled == 0, "one mail per handler")
    if db.kind == "sqlite":
        mode = db.journal_mode()
        figures.require(mode == "wal", f"SQLite in WAL mode (was {mode})")
    db.drop()
    return figures
