"""Encryption at rest for the patient identity field (Fernet: AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class PatientDataCipher:
    def __init__(self, key: str | bytes) -> None:
        self._fernet = Fernet(key)

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode("ascii")).decode()


__all__ = ["InvalidToken", "PatientDataCipher"]


def patient_cipher() -> PatientDataCipher:
    from flask import current_app

    return current_app.extensions["patient_cipher"]
