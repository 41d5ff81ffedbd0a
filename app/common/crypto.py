"""Encryption at rest for the patient identity field, and its keyed hash.

The identity is a Fernet token (AES-128-CBC + HMAC-SHA256) under a list of keys, newest first
(MultiFernet): the newest encrypts, every key decrypts, so a key is rotated by putting a new one
first and running `flask rotate-patient-key` before the old one is removed.

Beside the token a deviation stores HMAC-SHA256 of the 11 digits under a key of its own. Equal
numbers give equal hashes, which is what the data protection officer's search needs (one indexed
lookup, nothing decrypted); without the key the hash cannot be tested against the few hundred
million possible numbers.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class PatientDataCipher:
    def __init__(self, keys: Sequence[str | bytes] | str | bytes, hash_key: str | bytes) -> None:
        if isinstance(keys, str | bytes):
            keys = [keys]
        if not keys:
            raise ValueError("at least one Fernet key is needed")
        self._newest = Fernet(keys[0])
        self._fernet = MultiFernet([Fernet(k) for k in keys])
        self._hash_key = hash_key.encode() if isinstance(hash_key, str) else hash_key

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode("ascii")).decode()

    def open(self, token: str) -> tuple[str, bool]:
        """The plaintext, and whether the newest key made the token (rotation then leaves it
        as it is). Raises InvalidToken when no key opens it."""
        try:
            return self._newest.decrypt(token.encode("ascii")).decode(), True
        except InvalidToken:
            return self.decrypt(token), False

    def hash(self, number: str) -> str:
        """The keyed hash of a normalised identity number (64 hex digits)."""
        return hmac.new(self._hash_key, number.encode("ascii"), hashlib.sha256).hexdigest()


__all__ = ["InvalidToken", "PatientDataCipher"]


def patient_cipher() -> PatientDataCipher:
    from flask import current_app

    return current_app.extensions["patient_cipher"]
