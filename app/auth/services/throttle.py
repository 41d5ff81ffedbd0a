"""Per-account throttling: after a run of failed attempts, the account's next attempt waits.

Kept on the user row, so every app server sees it, and independent of the per-address limit
(Flask-Limiter), which RATELIMIT_ENABLED can turn off; this cannot be.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.auth import notify
from app.auth.services.security_log import Client, record
from app.extensions import db
from app.models import SecurityEvent, User

# Failed attempts in a row before the account waits; the wait doubles from the first to the
# most, so a person who mistypes loses half a minute and a guesser ~100 tries a day.
FREE_ATTEMPTS = 5
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
# Failures decay: one is forgotten for every quiet interval this long since the last. A guesser
# keeps an account waiting only by trying more often than that, which the per-address limit
# and the security log see; a few tries an hour never lock anyone out.
DECAY = timedelta(minutes=10)


def wait_after(failures: int) -> timedelta:
    """How long the account waits after its ``failures``-th failed attempt in a row."""
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    # The exponent stops where the wait has long reached its cap (2**20 × 30 s overflows).
    return min(LONGEST_WAIT, FIRST_WAIT * 2 ** min(failures - FREE_ATTEMPTS, 10))


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def forgotten(user: User, now: datetime) -> int:
    """How many of the account's counted failures have decayed by ``now``."""
    last = user.last_failed_login_at
    if not user.failed_logins or last is None or now <= last:
        return 0
    return min(user.failed_logins, int((now - last) / DECAY))


def register_failure(user: User, client: Client, reason: str, now: datetime) -> None:
    """Count a failed password or code and, from the fifth in a short run, make the account
    wait. The owner is told by mail when a run first locks the account."""
    decayed = forgotten(user, now)
    # Counted in SQL, so two servers failing the same account at once both count.
    counted = User.failed_logins - decayed + 1
    user.failed_logins = sa.case((counted < 1, 1), else_=counted)
    user.last_failed_login_at = now
    db.session.flush()
    failures = user.failed_logins
    record(SecurityEvent.LOGIN_FAILED, user=user, client=client, detail=reason, now=now)
    wait = wait_after(failures)
    if wait:
        user.locked_until = now + wait
        db.session.flush()
        record(
            SecurityEvent.LOCKED,
            user=user,
            client=client,
            detail=f"{int(wait.total_seconds())}s",
            now=now,
        )
        if failures == FREE_ATTEMPTS:
            notify.account_locked(user, now)


def clear_failures(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_failed_login_at = None
