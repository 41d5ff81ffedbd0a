"""MAIL_CLAIM_LEASE_SECONDS: how long the rows of a sender that died mid-batch wait."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail.sender import LEASE, claim
from app.mail.services import queue_mail
from app.models import OutboxMail, utcnow


def test_a_shorter_lease_lets_another_sender_take_over_sooner(app):
    with app.app_context():
        mail = queue_mail("mottak@stolav.demo", "Avvik AV-2026-00001: nytt avvik", "…")
        db.session.commit()
        mail_id = mail.id
        now = utcnow()
        _token, [claimed] = claim(now)  # and then this sender dies
        assert claimed == mail_id
        due = db.session.scalar(
            sa.select(OutboxMail.next_attempt_at).where(OutboxMail.id == mail_id)
        )
        assert due == now + LEASE  # 800 s by default
        app.config["MAIL_CLAIM_LEASE_SECONDS"] = "5"
        assert claim(now + timedelta(seconds=799))[1] == []
        _token, [again] = claim(now + LEASE)
        due = db.session.scalar(
            sa.select(OutboxMail.next_attempt_at).where(OutboxMail.id == mail_id)
        )
        assert again == mail_id and due == now + LEASE + timedelta(seconds=5)


def test_the_lease_is_whole_seconds_and_a_malformed_one_names_the_setting(app):
    with app.app_context():
        queue_mail("mottak@stolav.demo", "Avvik AV-2026-00001: nytt avvik", "…")
        db.session.commit()
        now = utcnow()
        app.config["MAIL_CLAIM_LEASE_SECONDS"] = 7  # as a parsed setting would give it
        _token, [mail_id] = claim(now)
        due = db.session.scalar(
            sa.select(OutboxMail.next_attempt_at).where(OutboxMail.id == mail_id)
        )
        assert due == now + timedelta(seconds=7)
        app.config["MAIL_CLAIM_LEASE_SECONDS"] = "sju"
        with pytest.raises(ValueError, match="MAIL_CLAIM_LEASE_SECONDS"):
            claim(now + timedelta(seconds=7))
