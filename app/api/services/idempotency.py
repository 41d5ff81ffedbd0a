"""Idempotent writes: one ``Idempotency-Key`` per client gives one effect and one answer.

The key's row is inserted first, in the write's own transaction, and the answer stored before
the commit. A second call with the key finds the stored answer; a second call made while the
first is running waits for it (PostgreSQL: on the unique key, whose INSERT then fails and the
call reads the answer; SQLite: on the write lock, taken by BEGIN IMMEDIATE) and then finds it.
A write the service refused is rolled back with its key: nothing happened, so it may be tried
again. The same key with another request is a 422.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiClient, IdempotencyKey


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).hexdigest()


@dataclass(frozen=True)
class Stored:
    status: int
    body: Any
    same_request: bool


def stored(client: ApiClient, key: str, print_: str) -> Stored | None:
    row = db.session.scalar(
        sa.select(IdempotencyKey).where(
            IdempotencyKey.client_id == client.id, IdempotencyKey.key == key
        )
    )
    if row is None:
        return None
    body = json.loads(row.response) if row.response is not None else None
    return Stored(row.status or 0, body, row.fingerprint == print_)


def claim(client: ApiClient, key: str, print_: str) -> IdempotencyKey:
    """The key's row, flushed before the write: a concurrent twin stops here."""
    row = IdempotencyKey(client_id=client.id, key=key, fingerprint=print_)
    db.session.add(row)
    db.session.flush()
    return row


def answer(row: IdempotencyKey, status: int, body: Any) -> None:
    row.status = status
    row.response = json.dumps(body, default=str)
    db.session.flush()


# A retry comes within minutes or hours; a key is kept this long, then forgotten.
KEEP_DAYS = 7


def delete_old(now) -> int:  # type: ignore[no-untyped-def]
    """The daily maintenance's step (app/maintenance.py)."""
    from datetime import timedelta

    result = db.session.execute(
        sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < now - timedelta(days=KEEP_DAYS))
    )
    return result.rowcount
