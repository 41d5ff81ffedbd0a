"""The second factor for password accounts: time-based codes (RFC 6238) and recovery codes.

A code from the authenticator app is accepted for the time step before, at and after now (the
phone's clock may be half a minute off), and a step once accepted is never accepted again, so a
code read over someone's shoulder is spent. Ten recovery codes per enrolment, each usable once,
are stored as sha256 hashes: 80 random bits each, too many to guess from a hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp
import sqlalchemy as sa

from app.auth.services import sessions
from app.auth.services.security_log import Client, record
from app.auth.services.throttle import is_locked, register_failure
from app.extensions import db
from app.models import RecoveryCode, SecurityEvent, User, utcnow

ISSUER = "Samhandlingsavvik"
RECOVERY_CODES = 10
_NOT_CODE = re.compile(r"[\s-]")


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> str:
    """The otpauth URI as an inline SVG (no image URL: the page's policy allows none)."""
    import segno  # only the set-up page draws a QR code

    return segno.make(uri, error="m").svg_inline(scale=5, border=2, title=title, svgclass="qr")


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code ``code`` is (one step of clock drift either way), or None."""
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for candidate in (step - 1, step, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_NOT_CODE.sub("", code).lower().encode("ascii", "ignore")).hexdigest()


def new_recovery_codes(user: User, now: datetime | None = None) -> list[str]:
    """Ten fresh codes (shown once); any earlier ones stop working."""
    now = now or utcnow()
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()
        code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
        codes.append(code)
        db.session.add(
            RecoveryCode(user_id=user.id, code_hash=_hash_recovery(code), created_at=now)
        )
    db.session.flush()
    return codes


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def enrol(
    user: User, secret: str, code: str, client: Client, now: datetime | None = None
) -> list[str] | None:
    """Confirm a new secret with a code from the app: the factor is on, and the recovery codes
    are returned to be shown once. None when the code does not fit the secret."""
    now = now or utcnow()
    step = _matching_step(secret, _NOT_CODE.sub("", code or ""), now)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_enabled_at = now
    user.totp_last_counter = step
    codes = new_recovery_codes(user, now)
    record(SecurityEvent.SECOND_FACTOR_ENROLLED, user=user, client=client, now=now)
    return codes


def verify(user: User, code: str, client: Client, now: datetime | None = None) -> str | None:
    """The second step of a login: "totp" or "recovery_code" when ``code`` is right, else None
    (counted as a failed attempt, so a guesser meets the same wait as for passwords)."""
    now = now or utcnow()
    if is_locked(user, now):
        record(SecurityEvent.LOGIN_FAILED, user=user, client=client, detail="locked", now=now)
        return None
    cleaned = _NOT_CODE.sub("", code or "")
    if user.totp_secret:
        step = _matching_step(user.totp_secret, cleaned, now)
        if step is not None and step > (user.totp_last_counter or -1):
            # Claimed in SQL: of two requests with the same code, only one moves the counter.
            claimed = db.session.execute(
                sa.update(User)
                .where(
                    User.id == user.id,
                    sa.or_(User.totp_last_counter.is_(None), User.totp_last_counter < step),
                )
                .values(totp_last_counter=step)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed:
                user.totp_last_counter = step
                return "totp"
    if len(cleaned) == 16:
        used = db.session.execute(
            sa.update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _hash_recovery(cleaned),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if used:
            return "recovery_code"
    register_failure(user, client, "wrong_code", now)
    return None


def reset(actor: User, user: User, client: Client, now: datetime | None = None) -> int:
    """An admin takes the second factor away (a lost phone): the user enrols again at their
    next password login when it is required. Every session of the user ends; returns how many."""
    now = now or utcnow()
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_counter = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    ended = sessions.end_all_sessions(user)
    record(SecurityEvent.SECOND_FACTOR_RESET, user=user, client=client, actor=actor, now=now)
    db.session.flush()
    return ended
