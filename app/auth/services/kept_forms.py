"""Forms posted after the session ended, kept until their sender has logged in again.

A nurse interrupted for longer than the idle limit presses *Send avvik* and meets the login
page; without this, what she typed was gone. The form is kept here, under the account whose
session had just ended and a random id in that browser's cookie, and comes back filled in on
the page it was on once that account has logged in there again (sign_in.restore_kept_form).

- Encrypted at rest: every value, the patient identity among them, is one Fernet token under
  the patient data keys, as a case's own identity is.
- For at most ``KEEP`` (an hour): an older row is never given back, and is deleted whenever a
  form is kept or given back, and by the daily maintenance.
- To its owner only: another account logging in on the same browser gets nothing, and the row
  is deleted.
- Given back once: the page that shows it deletes it.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.common.crypto import InvalidToken, patient_cipher
from app.extensions import db
from app.models import KeptForm, utcnow

KEEP = timedelta(hours=1)

# Fields a form carries but nobody types: a form holding nothing else is not worth keeping
# (a delete button, a move without text).
NOT_TYPED = frozenset({"csrf_token", "version", "move"})


# Never kept, whatever the form: a secret typed again costs nothing, and kept it would be one
# more copy (the CSRF token among them).
SECRET_PARTS = ("password", "passord", "secret", "token")


def _secret(name: str) -> bool:
    return any(part in name.lower() for part in SECRET_PARTS)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# Shown only in its own field, never in the text offered to copy.
PROTECTED = frozenset({"patient_id"})


def worth_keeping(fields: list[tuple[str, str]]) -> bool:
    return any(name not in NOT_TYPED and value.strip() for name, value in fields)


def copyable_text(fields: list[tuple[str, str]]) -> str:
    """What was typed, for the page to offer to copy where the form cannot be filled in (no
    JavaScript, or the form is gone): the typed values, the patient identity left out."""
    return "\n\n".join(
        value.strip()
        for name, value in fields
        if name not in NOT_TYPED and name not in PROTECTED and not _chosen(value.strip())
    )


def _chosen(value: str) -> bool:
    """A value picked rather than typed: empty, an id or a date, a choice's code ("lav")."""
    return not value or bool(re.fullmatch(r"[\d\-.:]+|[a-z_]{1,20}", value))


def keep(
    user_id: int,
    page: str,
    action: str,
    fields: list[tuple[str, str]],
    now: datetime | None = None,
) -> str | None:
    """Keep a posted form for ``user_id``; returns the id for the browser's cookie, or None
    when the form held nothing typed. Secrets (passwords, tokens) are never kept."""
    now = now or utcnow()
    fields = [(name, value) for name, value in fields if not _secret(name)]
    delete_expired(now)
    if not worth_keeping(fields):
        return None
    raw = secrets.token_urlsafe(32)
    payload = patient_cipher().encrypt(json.dumps({"fields": fields}, ensure_ascii=False))
    db.session.add(
        KeptForm(
            token_hash=_hash(raw),
            user_id=user_id,
            created_at=now,
            page=page[:2000],
            action=action[:2000],
            payload=payload,
        )
    )
    db.session.flush()
    return raw


@dataclass(frozen=True)
class Kept:
    """A kept form given back: the path it was posted to and its fields, in order."""

    action: str
    fields: list[tuple[str, str]]


@dataclass(frozen=True)
class Taken:
    form: Kept | None
    # False while the form waits for its page: the browser keeps its id until then.
    spent: bool


def take(raw: str | None, user_id: int, path: str, now: datetime | None = None) -> Taken:
    """The form kept under ``raw`` if it is ``user_id``'s and was on the page at ``path``;
    deleted once given back. Another account's, an expired or an unreadable one is deleted
    and nothing is given back."""
    now = now or utcnow()
    if not raw or len(raw) > 100:
        return Taken(None, spent=True)
    row = db.session.scalar(sa.select(KeptForm).where(KeptForm.token_hash == _hash(raw)))
    if row is None:
        return Taken(None, spent=True)
    if row.user_id != user_id or now - row.created_at >= KEEP:
        db.session.delete(row)
        db.session.flush()
        return Taken(None, spent=True)
    if row.page.split("?", 1)[0] != path:
        return Taken(None, spent=False)
    try:
        data = json.loads(patient_cipher().decrypt(row.payload))
        form = Kept(row.action, [(str(n), str(v)) for n, v in data["fields"]])
    except (InvalidToken, ValueError, KeyError, TypeError):
        form = None
    db.session.delete(row)
    db.session.flush()
    return Taken(form, spent=True)


def delete_expired(now: datetime) -> int:
    """Kept forms older than ``KEEP``: the daily maintenance, and every keep."""
    return db.session.execute(sa.delete(KeptForm).where(KeptForm.created_at <= now - KEEP)).rowcount


def reencrypt(now: datetime | None = None) -> int:
    """`flask rotate-patient-key`: every kept form under the newest key, so the old key can go
    at once without losing one. Unreadable or expired ones are deleted. Returns how many were
    re-encrypted."""
    now = now or utcnow()
    delete_expired(now)
    cipher = patient_cipher()
    changed = 0
    for row in db.session.scalars(sa.select(KeptForm)):
        try:
            plain, current = cipher.open(row.payload)
        except InvalidToken:
            db.session.delete(row)
            continue
        if not current:
            row.payload = cipher.encrypt(plain)
            changed += 1
    db.session.flush()
    return changed
