"""app.common.direct_sql: statements on the DBAPI cursor store what SQLAlchemy would store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.common.direct_sql import DirectInsert
from app.extensions import db
from app.models import MailStatus, OutboxMail


def test_a_direct_insert_round_trips_through_the_orm_with_the_tables_defaults(ctx):
    insert = DirectInsert(
        OutboxMail.__table__, ("to_address", "subject", "body", "dedupe_key"), returning="id"
    )
    before = datetime.now(UTC)
    ident = insert.scalar(
        db.session.connection(),
        {"to_address": "a@b.no", "subject": "Avvik AV-2026-00001", "body": "æøå", "dedupe_key": None},
    )
    core = db.session.execute(
        sa.insert(OutboxMail.__table__).returning(OutboxMail.__table__.c.id),
        {"to_address": "c@d.no", "subject": "s", "body": "b"},
    ).scalar_one()
    direct, reference = (db.session.get(OutboxMail, i) for i in (ident, core))
    assert (direct.to_address, direct.subject, direct.body) == ("a@b.no", "Avvik AV-2026-00001", "æøå")
    # The Python-side defaults, with the same types and storage as a Core INSERT gives them.
    assert direct.status is MailStatus.PENDING is reference.status
    assert direct.attempts == 0 == reference.attempts
    assert before <= direct.created_at <= reference.created_at
    assert direct.created_at.tzinfo is UTC
    # Stored in the same format: the two rows sort and compare by time in SQL.
    found = db.session.scalars(
        sa.select(OutboxMail.id).where(OutboxMail.created_at >= before).order_by(OutboxMail.created_at)
    ).all()
    assert found == [ident, core]


def test_a_direct_insert_refuses_columns_the_table_does_not_have():
    with pytest.raises(ValueError, match="no column"):
        DirectInsert(OutboxMail.__table__, ("to_address", "recipient"))


def test_the_session_user_has_the_same_typed_values_as_the_orms_own_load(ctx):
    from app.auth.services import load_session_user
    from app.models import User

    email = "mottak@stolav.demo"
    orm = db.session.scalars(sa.select(User).where(User.email == email)).one()
    expected = {
        "user": {k: getattr(orm, k) for k in ("id", "email", "name", "active", "language",
                                             "organisation_id", "unit_id")},
        "organisation": {k: getattr(orm.organisation, k) for k in ("id", "name", "kind", "active",
                                                                  "response_days")},
        "roles": orm.roles,
        "created_at": orm.created_at,
    }
    user_id = orm.id
    db.session.rollback()
    db.session.expunge_all()

    user = load_session_user(user_id)
    found = {
        "user": {k: getattr(user, k) for k in expected["user"]},
        "organisation": {k: getattr(user.organisation, k) for k in expected["organisation"]},
        "roles": user.roles,
        "created_at": user.created_at,  # left out of the statement: loads on first access
    }
    assert found == expected
    assert type(user.active) is bool
    assert type(user.organisation.kind) is type(expected["organisation"]["kind"])
    assert not db.session.dirty and not db.session.new
