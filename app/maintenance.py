"""The daily maintenance run: what must not be kept for ever is removed, by itself.

`flask maintenance` (cron, once a day; `make run` runs it at start) runs every step below in
one transaction and prints how many rows each touched. Each step is safe to run again: a rerun
finds nothing more to do. Steps take the time to measure retention from, so tests can move it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import AuthToken, utcnow


@dataclass(frozen=True)
class Step:
    label: str  # what the command prints before the count (Norwegian, for the operator)
    run: Callable[[datetime], int]


def erase_closed_patient_ids(now: datetime) -> int:
    from app.deviations.retention import erase_expired_patient_ids

    return erase_expired_patient_ids(int(current_app.config["PATIENT_DATA_RETENTION_DAYS"]), now)


def erase_patient_ids_of_long_open_cases(now: datetime) -> int:
    from app.deviations.retention import erase_patient_ids_of_long_open_cases as erase

    return erase(int(current_app.config["PATIENT_DATA_MAX_OPEN_DAYS"]), now)


def anonymise_old_cases(now: datetime) -> int:
    from app.deviations.retention import anonymise_old_cases as anonymise

    return anonymise(int(current_app.config["CASE_RETENTION_YEARS"]), now)


def anonymise_departed_users(now: datetime) -> int:
    from app.deviations.retention import anonymise_departed_users as anonymise

    return anonymise(int(current_app.config["USER_RETENTION_YEARS"]), now)


def check_unusual_access(now: datetime) -> int:
    from app.common.dates import local
    from app.privacy.unusual_access import check_day

    # The two days before today: a day the cron job missed is still looked at.
    today = local(now).date()
    limit = int(current_app.config["UNUSUAL_ACCESS_CASES_PER_DAY"])
    return sum(check_day(today - timedelta(days=back), limit) for back in (2, 1))


def delete_old_access_log(now: datetime) -> int:
    from app.privacy.access_log import delete_expired

    return delete_expired(int(current_app.config["ACCESS_LOG_DAYS"]), now)


# A used or expired link is kept this long, so "the link has been used" can still be told apart
# from "no such link" for a while; after that the row only holds a hash nobody can use.
SPENT_TOKEN_DAYS = 30


def delete_old_access_alerts(now: datetime) -> int:
    from app.common.dates import local
    from app.privacy.unusual_access import delete_older_than

    days = int(current_app.config["ACCESS_LOG_DAYS"])
    return delete_older_than(local(now).date() - timedelta(days=days))


def delete_spent_tokens(now: datetime) -> int:
    cutoff = now - timedelta(days=SPENT_TOKEN_DAYS)
    result = db.session.execute(
        sa.delete(AuthToken).where(
            sa.or_(AuthToken.expires_at < cutoff, AuthToken.used_at < cutoff)
        )
    )
    return result.rowcount


def delete_expired_sessions(now: datetime) -> int:
    from app.auth.services.sessions import absolute_limit, delete_expired, idle_limit

    return delete_expired(now, idle_limit(), absolute_limit())


def delete_expired_kept_forms(now: datetime) -> int:
    from app.auth.services.kept_forms import delete_expired

    return delete_expired(now)


def delete_old_security_log(now: datetime) -> int:
    from app.auth.services.security_log import delete_older_than

    return delete_older_than(now - timedelta(days=int(current_app.config["SECURITY_LOG_DAYS"])))


def empty_sent_mail_bodies(now: datetime) -> int:
    from app.mail.services import empty_old_bodies

    return empty_old_bodies(now, int(current_app.config["MAIL_BODY_KEEP_DAYS"]))


def delete_old_api_rows(now: datetime) -> int:
    """The open API's idempotency keys and old webhook deliveries (app/api)."""
    from app.api import webhooks
    from app.api.services import idempotency

    return idempotency.delete_old(now) + webhooks.delete_old(now)


STEPS = [
    Step("Pasientidentitet slettet i avsluttede saker", erase_closed_patient_ids),
    Step("Pasientidentitet slettet i saker åpne for lenge", erase_patient_ids_of_long_open_cases),
    Step("Saker anonymisert etter CASE_RETENTION_YEARS", anonymise_old_cases),
    Step("Deaktiverte brukere anonymisert etter USER_RETENTION_YEARS", anonymise_departed_users),
    Step("Uvanlige oppslag funnet", check_unusual_access),
    Step("Rader i tilgangsloggen slettet", delete_old_access_log),
    Step("Funn av uvanlige oppslag eldre enn ACCESS_LOG_DAYS slettet", delete_old_access_alerts),
    Step("Brukte eller utløpte lenker slettet", delete_spent_tokens),
    Step("Innhold i sendte e-poster eldre enn MAIL_BODY_KEEP_DAYS slettet", empty_sent_mail_bodies),
    Step("Utløpte innlogginger slettet", delete_expired_sessions),
    Step(
        "Skjemaer tatt vare på over innloggingen, eldre enn en time, slettet",
        delete_expired_kept_forms,
    ),
    Step("Rader i sikkerhetsloggen eldre enn SECURITY_LOG_DAYS slettet", delete_old_security_log),
    Step("Gamle idempotensnøkler og webhook-leveranser slettet", delete_old_api_rows),
]


def run_maintenance(now: datetime | None = None) -> list[tuple[str, int]]:
    """Every step, in the caller's transaction; flushes, the caller commits."""
    now = now or utcnow()
    done = [(step.label, step.run(now)) for step in STEPS]
    db.session.flush()
    return done
