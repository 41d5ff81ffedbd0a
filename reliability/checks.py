"""What the suite checks in the database itself after a scenario, read with plain SQL."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from cryptography.fernet import Fernet

from reliability.database import Database
from reliability.environment import PATIENT_DATA_KEY
from reliability.filing import Filing

_REFERENCE = re.compile(r"AV-\d{4}-\d{5}")
# The deadline reminders the mail host's timer may queue during a run: not the filing's mail.
# A serious event's three-day deadline is "near" from the start, so it gets one at once.
REMINDER_SUBJECTS = ("svarfristen nærmer seg", "svarfristen er passert")
_FIELDS = (
    "title", "description", "immediate_action", "suggestion", "harm", "category_id",
    "counterpart_org_id", "event_date",
)  # fmt: skip


def lost_receipts(
    db: Database, receipts: dict[str, Filing], key: str = PATIENT_DATA_KEY
) -> list[str]:
    """Receipted filings that are not in the database exactly once, whole, as sent: the row
    with every field, its one 'opprettet' history row, the patient identity decrypting to what
    was typed."""
    if not receipts:
        return []
    rows = db.rows(
        "SELECT d.reference, d.title, d.description, d.immediate_action, d.suggestion, d.harm,"
        " d.category_id, d.counterpart_org_id, d.event_date, d.patient_id_token, u.email,"
        " (SELECT count(*) FROM deviation_event e WHERE e.deviation_id = d.id"
        "  AND e.kind = 'opprettet')"
        ' FROM deviation d JOIN "user" u ON u.id = d.reporter_id'
    )
    found: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        found[row[0]].append(row)
    cipher = Fernet(key.encode())
    problems = []
    for reference, sent in receipts.items():
        matches = found.get(reference, [])
        if len(matches) != 1:
            problems.append(f"{reference}: {len(matches)} rows")
            continue
        row = matches[0]
        stored = dict(zip(_FIELDS, row[1:9], strict=True))
        stored["event_date"] = str(stored["event_date"])
        wanted = {f: getattr(sent, f) for f in _FIELDS}
        token = row[9]
        patient = (
            cipher.decrypt(token.encode() if isinstance(token, str) else token).decode()
            if token
            else ""
        )
        if (
            stored != wanted
            or patient != sent.patient_id
            or row[10] != sent.reporter
            or row[11] != 1
        ):
            problems.append(f"{reference}: stored differently from what was sent")
    return problems


def doubled_titles(db: Database, tag: str) -> int:
    """Filings stored more than once (a title is unique per filing in a scenario)."""
    return int(
        db.scalar(
            "SELECT count(*) FROM (SELECT title FROM deviation WHERE title LIKE ?"
            " GROUP BY title HAVING count(*) > 1) doubled",
            (f"{tag} %",),
        )
    )


def reference_gaps(db: Database) -> list[str]:
    """References unique and gap-free per year, and the year's counter at the last one."""
    problems = []
    counters = dict(db.rows("SELECT year, last_number FROM reference_counter"))
    for year, count, low, high, distinct in db.rows(
        "SELECT year, count(*), min(number), max(number), count(DISTINCT reference)"
        " FROM deviation GROUP BY year"
    ):
        if not (low == 1 and high == count == distinct == counters.get(year)):
            problems.append(
                f"{year}: {count} deviations, numbers {low}–{high}, {distinct} distinct "
                f"references, counter at {counters.get(year)}"
            )
    return problems


def half_written(db: Database) -> list[str]:
    """A deviation without its history row, or a history row without its deviation."""
    orphans = db.scalar(
        "SELECT count(*) FROM deviation_event e LEFT JOIN deviation d ON d.id = e.deviation_id"
        " WHERE d.id IS NULL"
    )
    bare = db.scalar(
        "SELECT count(*) FROM deviation d WHERE NOT EXISTS (SELECT 1 FROM deviation_event e"
        " WHERE e.deviation_id = d.id AND e.kind IN ('opprettet', 'importert'))"
    )
    problems = []
    if orphans:
        problems.append(f"{orphans} history rows without their deviation")
    if bare:
        problems.append(f"{bare} deviations without their history row")
    if db.kind == "sqlite":
        verdict = [row[0] for row in db.rows("PRAGMA integrity_check")]
        if verdict != ["ok"]:
            problems.append("integrity_check: " + "; ".join(verdict[:3]))
    return problems


def mottak_mail(db: Database, references: set[str]) -> tuple[int, int]:
    """(lost, doubled): each receiving mottak's handlers get exactly one 'new deviation' mail
    per deviation (the central admins, where nobody staffs the mottak), found by the reference
    in the subject (the mail holds nothing else)."""
    staff: dict[int, set[str]] = defaultdict(set)
    for email, org in db.rows(
        'SELECT u.email, u.organisation_id FROM "user" u JOIN user_role r ON r.user_id = u.id'
        " WHERE r.role = 'saksbehandler' AND u.active"
    ):
        staff[org].add(email)
    # A case to a mottak nobody staffs, with no fallback mottak named (the suite names none):
    # the central admins get one mail each, so that someone staffs it (app/handling/fallback.py).
    admins = {
        email
        for (email,) in db.rows(
            'SELECT u.email FROM "user" u JOIN user_role r ON r.user_id = u.id'
            " WHERE r.role = 'admin' AND u.active"
        )
    }
    counterpart = dict(
        db.rows("SELECT reference, counterpart_org_id FROM deviation WHERE reporter_id IS NOT NULL")
    )
    sent: dict[str, Counter] = defaultdict(Counter)
    for to_address, subject in db.rows("SELECT to_address, subject FROM outbox_mail"):
        found = _REFERENCE.search(subject)
        if found and found.group(0) in references and not subject.endswith(REMINDER_SUBJECTS):
            sent[found.group(0)][to_address] += 1
    lost = doubled = 0
    for reference in references:
        expected = staff.get(counterpart.get(reference)) or admins
        got = sent.get(reference, Counter())
        lost += sum(1 for email in expected if got[email] == 0)
        doubled += sum(n - 1 for n in got.values() if n > 1)
        doubled += sum(n for email, n in got.items() if email not in expected)
    return lost, doubled
