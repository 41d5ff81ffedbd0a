"""Mail server faults: the SMTP server refuses, then accepts; the sender is killed in the middle
of a batch and two senders start at once. Every outbox row is delivered; none twice, except a
mail the server accepted just before the sender died, before it could mark the row sent (then
the Message-ID is the same, so the receiver can drop it). Both are counted and printed."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid

from reliability.database import Database
from reliability.environment import BIN, ROOT, WORK, app_env
from reliability.figures import Figures
from reliability.scenarios.load import FilingLoad
from reliability.server import Server
from reliability.smtp import Mailbox

FILINGS = 300
DEADLINE_SECONDS = 90


class Sender:
    """`flask send-mail --loop`, as cron or a systemd unit would run it next to the app."""

    def __init__(self, db: Database, mailbox: Mailbox, label: str) -> None:
        env = app_env(
            db.url,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=str(mailbox.port),
            MAIL_RETRY_BASE_SECONDS="1",
            MAIL_RETRY_MAX_SECONDS="2",
            MAIL_MAX_ATTEMPTS="1000",
            # A dead sender's rows come back in seconds, not the default 13 minutes.
            MAIL_CLAIM_LEASE_SECONDS="3",
        )
        log = (WORK / f"{label}.log").open("a")
        self.proc = subprocess.Popen(
            [str(BIN / "flask"), "send-mail", "--loop", "--interval", "0.2"],
            env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
        log.close()

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def run(template: Database, scale: float = 1.0) -> Figures:
    figures = Figures("mail server faults", template.kind)
    db = template.copy("mail")
    server = Server(db, f"mail-{db.kind}")
    started = time.monotonic()
    try:
        load = FilingLoad(
            server.port, f"M{uuid.uuid4().hex[:6]}", 8, limit=max(50, int(FILINGS * scale))
        )
        load.start().join()
    finally:
        server.stop()
    figures.add(load.tally)
    rows = {int(i) for (i,) in db.rows("SELECT id FROM outbox_mail")}

    senders: list[Sender] = []
    with Mailbox() as mailbox:
        try:
            mailbox.refuse = True
            senders.append(Sender(db, mailbox, f"mail-{db.kind}-sender-1"))
            _wait(lambda: mailbox.refused >= min(100, len(rows)), 30)
            mailbox.refuse = False
            _wait(lambda: mailbox.delivered() >= len(rows) * 0.4, 30)
            senders[0].kill()
            killed_at = time.monotonic()
            at_kill = mailbox.delivered()
            senders += [Sender(db, mailbox, f"mail-{db.kind}-sender-{n}") for n in (2, 3)]
            done = _wait(
                lambda: db.scalar("SELECT count(*) FROM outbox_mail WHERE status <> 'sent'") == 0,
                DEADLINE_SECONDS,
            )
            time.sleep(1)  # anything sent twice would arrive now
        finally:
            for sender in senders:
                sender.stop()
        figures.seconds = time.monotonic() - started
        accepted = {k: list(v) for k, v in mailbox.accepted.items()}
        refused, strangers = mailbox.refused, mailbox.strangers

    lost = sorted(rows - set(accepted))
    doubled = {i: times for i, times in accepted.items() if len(times) > 1}
    # A second copy is excused only for a mail accepted before the kill and again after it:
    # the killed sender cannot have marked it sent. It can hold at most one mail at a time.
    excused = [
        i for i, times in doubled.items() if len(times) == 2 and times[0] < killed_at < times[1]
    ]
    unexcused = sorted(set(doubled) - set(excused))
    statuses = dict(db.rows("SELECT status, count(*) FROM outbox_mail GROUP BY status"))
    figures.mails_lost = len(lost)
    figures.mails_doubled = sum(len(t) - 1 for t in doubled.values())
    figures.notes.append(
        f"{len(rows)} outbox rows; the server refused {refused} attempts, then accepted; "
        f"the first sender was killed after {at_kill} deliveries; two senders finished the rest. "
        f"Delivered twice with the same Message-ID after the kill: {len(excused)} "
        f"(allowed: at most 1); otherwise: {len(unexcused)}. Rows by status: {statuses}."
    )
    figures.require(not load.errors and len(load.receipts) == load.limit, "the filings went in")
    figures.require(done and set(statuses) == {"sent"}, "every row marked sent")
    figures.require(not lost, f"every row delivered (missing {lost[:5]})")
    figures.require(len(excused) <= 1 and not unexcused, f"nothing else twice ({unexcused[:5]})")
    figures.require(strangers == 0, "no mail without an outbox Message-ID")
    figures.require(refused > 0, "the refusals happened")
    db.drop()
    return figures
