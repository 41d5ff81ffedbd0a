"""Who a verified OpenID Connect login is: the e-mail claim, matched to an active account of the
organisation the provider speaks for.

The provider has already proven the person (Authlib verified the ID token); what is decided
here is which account, if any, that person may use. Every refusal is logged with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.auth.services.accounts import create_user, find_user
from app.auth.services.security_log import Client, record
from app.auth.sso import Provider
from app.extensions import db
from app.models import Organisation, SecurityEvent, User, utcnow


@dataclass(frozen=True)
class SsoMatch:
    user: User | None
    refusal: str | None = None  # a stable code; the route shows its message
    created: bool = False


def _organisation_number(value: Any) -> str | None:
    """An organisation number from a claim: "974 749 025", 974749025 or ["974749025"]."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, int | str):
        digits = re.sub(r"\s", "", str(value))
        if re.fullmatch(r"\d{9}", digits):
            return digits
    return None


def mapped_organisation(provider: Provider, claims: dict[str, Any]) -> Organisation | None:
    if provider.organisation:
        query = sa.select(Organisation).where(Organisation.name == provider.organisation)
    else:
        number = _organisation_number(claims.get(provider.organisation_claim or ""))
        if number is None:
            return None
        query = sa.select(Organisation).where(Organisation.org_number == number)
    org = db.session.scalar(query)
    return org if org is not None and org.active else None


def _verified_email(claims: dict[str, Any]) -> str | None:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        return None
    # Absent is accepted (Entra ID sends none for its own accounts); an explicit false is not.
    if claims.get("email_verified") in (False, "false", "False"):
        return None
    return email.strip().lower()


def match_account(
    provider: Provider, claims: dict[str, Any], client: Client, now: datetime | None = None
) -> SsoMatch:
    now = now or utcnow()
    detail = f"sso:{provider.name}:"

    def refuse(code: str, user: User | None = None, email: str | None = None) -> SsoMatch:
        record(
            SecurityEvent.LOGIN_FAILED,
            user=user,
            email=email,
            client=client,
            detail=detail + code,
            now=now,
        )
        return SsoMatch(None, code)

    email = _verified_email(claims)
    if email is None:
        return refuse("no_verified_email", email=claims.get("email"))
    org = mapped_organisation(provider, claims)
    user = find_user(email)
    if org is None:
        return refuse("unknown_organisation", user=user, email=email)
    if user is None:
        if provider.create_users != "melder":
            return refuse("no_account", email=email)
        name = claims.get("name") if isinstance(claims.get("name"), str) else None
        user = create_user(email, (name or email)[:120], org, None)
        return SsoMatch(user, created=True)
    if user.organisation_id != org.id:
        return refuse("wrong_organisation", user=user)
    if not user.active:
        return refuse("inactive", user=user)
    return SsoMatch(user)
