"""The patient identity at rest: Fernet under a list of keys, rotated by `flask
rotate-patient-key`, with a keyed hash beside it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from app.common.crypto import InvalidToken, PatientDataCipher, patient_cipher
from app.extensions import db
from app.models import Deviation
from app.privacy.rotation import rotate_batch
from app.setup import register_patient_cipher
from tests import factories
from tests.factories import identity_number

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()
HASH_KEY = "h" * 40
NUMBERS = [identity_number(birth) for birth in ("010190", "020285", "031170")]


def test_encryption_round_trip_and_tamper_detection():
    cipher = PatientDataCipher(OLD, HASH_KEY)
    token = cipher.encrypt(NUMBERS[0])
    assert NUMBERS[0] not in token
    assert cipher.decrypt(token) == NUMBERS[0]
    assert cipher.encrypt(NUMBERS[0]) != token  # random IV: equal numbers do not look equal
    with pytest.raises(InvalidToken):
        PatientDataCipher(NEW, HASH_KEY).decrypt(token)


def test_the_newest_key_encrypts_and_every_key_decrypts():
    old_token = PatientDataCipher([OLD], HASH_KEY).encrypt(NUMBERS[0])
    both = PatientDataCipher([NEW, OLD], HASH_KEY)
    assert both.open(old_token) == (NUMBERS[0], False)
    assert both.open(both.encrypt(NUMBERS[0])) == (NUMBERS[0], True)
    assert PatientDataCipher([NEW], HASH_KEY).decrypt(both.encrypt(NUMBERS[0])) == NUMBERS[0]


def test_the_keyed_hash_is_stable_and_depends_on_its_key():
    one, other = PatientDataCipher(OLD, HASH_KEY), PatientDataCipher(NEW, HASH_KEY)
    assert one.hash(NUMBERS[0]) == other.hash(NUMBERS[0])  # not the Fernet key's
    assert one.hash(NUMBERS[0]) != one.hash(NUMBERS[1])
    assert PatientDataCipher(OLD, "k" * 40).hash(NUMBERS[0]) != one.hash(NUMBERS[0])
    assert len(one.hash(NUMBERS[0])) == 64 and NUMBERS[0] not in one.hash(NUMBERS[0])


def _use_keys(app, keys: list[str], hash_key: str = HASH_KEY, **old) -> None:
    app.config.update(PATIENT_DATA_KEYS=keys, PATIENT_ID_HASH_KEY=hash_key, **old)
    register_patient_cipher(app)


def _tokens() -> dict[int, tuple[str, str]]:
    rows = db.session.execute(
        sa.select(Deviation.id, Deviation.patient_id_token, Deviation.patient_id_hash).where(
            Deviation.patient_id_token.is_not(None)
        )
    )
    return {row.id: (row.patient_id_token, row.patient_id_hash) for row in rows}


def test_the_old_single_key_setting_still_works(app):
    _use_keys(app, [OLD])
    with app.app_context():
        token = patient_cipher().encrypt(NUMBERS[0])
    _use_keys(app, [], PATIENT_DATA_KEY=OLD)
    with app.app_context():
        assert patient_cipher().decrypt(token) == NUMBERS[0]


def test_rotation_re_encrypts_everything_and_a_rerun_finds_nothing(app, runner):
    _use_keys(app, [OLD])
    with app.app_context():
        for number in NUMBERS:
            factories.deviation(patient=number)
        db.session.commit()
        before = _tokens()
    _use_keys(app, [NEW, OLD])
    result = runner.invoke(args=["rotate-patient-key", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "Kryptert på nytt med nyeste nøkkel: 3" in result.output
    assert "Allerede med nyeste nøkkel: 0" in result.output
    with app.app_context():
        after = _tokens()
        assert set(after) == set(before)
        only_new = PatientDataCipher([NEW], HASH_KEY)
        assert sorted(only_new.decrypt(token) for token, _ in after.values()) == sorted(NUMBERS)
        assert {h for _, h in after.values()} == {h for _, h in before.values()}
    again = runner.invoke(args=["rotate-patient-key"])
    assert "Kryptert på nytt med nyeste nøkkel: 0" in again.output
    assert "Allerede med nyeste nøkkel: 3" in again.output


def test_an_interrupted_rotation_is_finished_by_the_next_run(app, runner):
    _use_keys(app, [OLD])
    with app.app_context():
        for number in NUMBERS:
            factories.deviation(patient=number)
        db.session.commit()
    _use_keys(app, [NEW, OLD])
    with app.app_context():
        last, counts = rotate_batch(0, 1)  # one batch, then the process "dies"
        db.session.commit()
        assert last is not None and counts.reencrypted == 1
    result = runner.invoke(args=["rotate-patient-key"])
    assert "Kryptert på nytt med nyeste nøkkel: 2" in result.output
    assert "Allerede med nyeste nøkkel: 1" in result.output


def test_missing_hashes_are_filled_in_and_unreadable_tokens_reported(app, runner):
    _use_keys(app, [OLD])
    with app.app_context():
        first, second = (
            factories.deviation(patient=NUMBERS[0]),
            factories.deviation(patient=NUMBERS[1]),
        )
        # Stored before the hash existed, and one under a key that is gone.
        db.session.execute(
            sa.update(Deviation).where(Deviation.id == first.id).values(patient_id_hash=None)
        )
        stranger = PatientDataCipher(Fernet.generate_key(), HASH_KEY).encrypt(NUMBERS[1])
        db.session.execute(
            sa.update(Deviation).where(Deviation.id == second.id).values(patient_id_token=stranger)
        )
        db.session.commit()
        reference, first_id = second.reference, first.id
    result = runner.invoke(args=["rotate-patient-key"])
    assert result.exit_code == 1
    assert "Nøkkelhash lagt inn eller fornyet: 1" in result.output
    assert f"Kunne ikke åpnes med noen nøkkel: 1 ({reference})" in result.output
    with app.app_context():
        assert db.session.get(Deviation, first_id).patient_id_hash == patient_cipher().hash(
            NUMBERS[0]
        )
