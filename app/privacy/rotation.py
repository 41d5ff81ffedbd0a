"""Re-encrypting every stored patient identity under the newest key (`flask rotate-patient-key`).

Batches in id order, each its own transaction, so an interrupted run loses nothing and the next
run starts over and skips what is already under the newest key. Each row is written only if its
token is still the one read (retention may erase it meanwhile), and without touching the row's
version, so a handler working on the case is not interrupted. The keyed hash is written too:
this fills in the hash of identities stored before it existed, and renews every hash after
PATIENT_ID_HASH_KEY has changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from app.common.crypto import InvalidToken, patient_cipher
from app.extensions import db
from app.models import Deviation


@dataclass
class RotationCounts:
    reencrypted: int = 0
    already_current: int = 0
    hashed: int = 0
    unreadable: list[str] = field(default_factory=list)

    def add(self, other: RotationCounts) -> None:
        self.reencrypted += other.reencrypted
        self.already_current += other.already_current
        self.hashed += other.hashed
        self.unreadable += other.unreadable


def rotate_batch(after_id: int, size: int) -> tuple[int | None, RotationCounts]:
    """Rotate up to ``size`` identities of cases with an id above ``after_id``. Returns the
    last id seen (None when there was nothing left) and the counts. The caller commits."""
    cipher = patient_cipher()
    counts = RotationCounts()
    rows = db.session.execute(
        sa.select(
            Deviation.id, Deviation.reference, Deviation.patient_id_token, Deviation.patient_id_hash
        )
        .where(Deviation.patient_id_token.is_not(None), Deviation.id > after_id)
        .order_by(Deviation.id)
        .limit(size)
    ).all()
    for deviation_id, reference, token, stored_hash in rows:
        try:
            number, current = cipher.open(token)
        except InvalidToken:
            counts.unreadable.append(reference)
            continue
        new_token = token if current else cipher.encrypt(number)
        new_hash = cipher.hash(number)
        if new_token == token and new_hash == stored_hash:
            counts.already_current += 1
            continue
        db.session.execute(
            sa.update(Deviation)
            .where(Deviation.id == deviation_id, Deviation.patient_id_token == token)
            .values(patient_id_token=new_token, patient_id_hash=new_hash)
            .execution_options(synchronize_session=False)
        )
        counts.reencrypted += new_token != token
        counts.already_current += new_token == token
        counts.hashed += new_hash != stored_hash
    return (rows[-1].id if rows else None), counts
