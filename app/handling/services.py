"""The receiving organisation's inbox (mottak)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Deviation, Status, User


@dataclass(frozen=True)
class InboxFilter:
    status: Status | None = None
    category_id: int | None = None


@dataclass(frozen=True)
class InboxPage:
    items: list[Deviation]
    next_cursor: str | None


def encode_cursor(deviation: Deviation) -> str:
    raw = f"{deviation.registered_at.astimezone(UTC).isoformat()}|{deviation.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """None for anything malformed: a bad link starts from the top instead of failing."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, ident = raw.split("|")
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None:
            return None
        return parsed, int(ident)
    except (ValueError, UnicodeDecodeError):
        return None


def inbox_page(
    user: User, filters: InboxFilter, cursor: str | None = None, page_size: int = 25
) -> InboxPage:
    """Newest first, keyset-paginated: each page costs the same at row 1 and at row 1,000,000."""
    query = (
        sa.select(Deviation)
        .where(Deviation.counterpart_org_id == user.organisation_id)
        .options(joinedload(Deviation.category), joinedload(Deviation.reporter_unit))
        .order_by(Deviation.registered_at.desc(), Deviation.id.desc())
        .limit(page_size + 1)
    )
    if filters.status is not None:
        query = query.where(Deviation.status == filters.status)
    if filters.category_id is not None:
        query = query.where(Deviation.category_id == filters.category_id)
    position = decode_cursor(cursor) if cursor else None
    if position is not None:
        at, ident = position
        query = query.where(
            sa.tuple_(Deviation.registered_at, Deviation.id)
            < sa.tuple_(sa.literal(at, Deviation.registered_at.type), sa.literal(ident))
        )
    rows = list(db.session.scalars(query).unique())
    next_cursor = encode_cursor(rows[page_size - 1]) if len(rows) > page_size else None
    return InboxPage(rows[:page_size], next_cursor)
