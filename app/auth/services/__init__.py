"""Signing in: accounts and passwords, links, sessions, the second factor, throttling, the log.

One module per concern; this package exposes what other packages use, so callers write
``services.find_user(...)`` without knowing which file holds it. Like every service, these
take the acting user (and the request's ``Client``) as arguments and only flush.
"""

from app.auth.services.accounts import (
    PasswordAttempt,
    PasswordCheck,
    authenticate,
    change_password,
    check_password,
    complete_login,
    create_user,
    find_user,
    hash_password,
    record_password_check,
    set_language,
    try_password,
)
from app.auth.services.links import (
    INVITATION_VALID_HOURS,
    LINK_VALID_HOURS,
    RESET_VALID_HOURS,
    issue_token,
    request_password_reset,
    revoke_tokens,
    send_link,
    use_token,
    valid_token,
)
from app.auth.services.security_log import Client, record
from app.auth.services.sessions import end_all_sessions

__all__ = [
    "INVITATION_VALID_HOURS",
    "LINK_VALID_HOURS",
    "RESET_VALID_HOURS",
    "Client",
    "PasswordAttempt",
    "PasswordCheck",
    "authenticate",
    "change_password",
    "check_password",
    "complete_login",
    "create_user",
    "end_all_sessions",
    "find_user",
    "hash_password",
    "issue_token",
    "record",
    "record_password_check",
    "request_password_reset",
    "revoke_tokens",
    "send_link",
    "set_language",
    "try_password",
    "use_token",
    "valid_token",
]
