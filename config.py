"""Configuration per environment.

Every mode honours ``DATABASE_URL``; SQLite in ``instance/`` is the embedded default.
Without ``AVVIK_CONFIG`` the app runs the production configuration, which refuses to start
(``production_problems``) rather than run with a development secret or without its keys.
"""

import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from reports.timezone import TIMEZONE

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class ConfigError(ValueError):
    """A setting in the environment that cannot be read: the message names the variable."""


# Every on/off setting accepts the same words, and nothing else: a typo stops the app rather
# than silently meaning "off".
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _flag(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ConfigError(f"{name} must be one of {', '.join(sorted(_TRUE | _FALSE))}, not {value!r}")


def _int(name: str, default: int | None) -> int | None:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise ConfigError(f"{name} must not be negative, not {value!r}")
    return number


def _float(name: str, default: float) -> float:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {value!r}") from None
    if not number >= 0:  # also refuses nan
        raise ConfigError(f"{name} must be a number of at least 0, not {value!r}")
    return number


def _str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs and bare postgresql:// must go through psycopg 3, the driver we ship.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _list(name: str) -> list[str]:
    """A list from the environment: values separated by commas or whitespace."""
    return [v for v in re.split(r"[\s,]+", os.environ.get(name, "")) if v]


# Secrets that have been in this repository, its docs or its benchmarks: never good enough.
DEVELOPMENT_SECRET_KEYS = frozenset(
    {"dev-not-secret", "testing", "bench-only-secret", "change-me", "changeme", "secret"}
)
MIN_SECRET_BYTES = 32
MIN_SECRET_DISTINCT = 10


class Config:
    # Unset in development: a random key is made for this checkout (instance/secret_key), since
    # a default written here would be public and would sign anyone's session.
    SECRET_KEY = _str("SECRET_KEY")
    # Old keys, newest first: sessions and form tokens they signed stay valid while SECRET_KEY
    # is rotated, so a new key logs nobody out.
    SECRET_KEY_FALLBACKS: ClassVar[list[str]] = _list("SECRET_KEY_FALLBACKS")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'avvik.db'}")
    # Stylesheets and scripts are kept by the browser for an hour: without it a phone asks for
    # all four again (a conditional request each) on every page. A release that changes them
    # reaches a browser within the hour.
    SEND_FILE_MAX_AGE_DEFAULT = 3600
    # hide_parameters: a failed statement's message (in logs, in tracebacks) shows the SQL but
    # never the values, which may be case text or the ciphertext of a patient identity.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True, "hide_parameters": True}
    # Fernet keys (urlsafe base64, 32 bytes) protecting the patient identity field at rest,
    # newest first: the first encrypts, every one decrypts (`flask rotate-patient-key`).
    # PATIENT_DATA_KEY, a single key, is the older name and still works.
    PATIENT_DATA_KEYS: ClassVar[list[str]] = _list("PATIENT_DATA_KEYS") or _list("PATIENT_DATA_KEY")
    # The key of the keyed hash (HMAC-SHA256) stored beside each identity, so the data
    # protection officer finds a patient's cases by one indexed lookup without decrypting.
    # Not a Fernet key: the two are rotated apart.
    PATIENT_ID_HASH_KEY = _str("PATIENT_ID_HASH_KEY")
    # Days after closing before the patient identity is erased.
    PATIENT_DATA_RETENTION_DAYS = _int("PATIENT_DATA_RETENTION_DAYS", 30)
    # A case open this long loses its patient identity too (a history row says so).
    PATIENT_DATA_MAX_OPEN_DAYS = _int("PATIENT_DATA_MAX_OPEN_DAYS", 365)
    # How long a backup copy may live; unset: PATIENT_DATA_RETENTION_DAYS (app/ops/backup.py
    # says why). `flask maintenance --backups DIR` deletes older copies.
    BACKUP_RETENTION_DAYS = _int("BACKUP_RETENTION_DAYS", None)
    # A closed case keeps its free text, messages, the people and the sub-units it names this
    # many years after closing; then `flask maintenance` keeps only what the statistics count.
    CASE_RETENTION_YEARS = _int("CASE_RETENTION_YEARS", 10)
    # A deactivated account keeps its name and e-mail this many years, then is anonymised.
    USER_RETENTION_YEARS = _int("USER_RETENTION_YEARS", 2)
    # The daily check lists to the data protection officer anyone who read more distinct cases
    # than this in one day (app/privacy/unusual_access.py).
    UNUSUAL_ACCESS_CASES_PER_DAY = _int("UNUSUAL_ACCESS_CASES_PER_DAY", 50)
    # Who read which case: kept five years by default, then deleted by `flask maintenance`.
    ACCESS_LOG_DAYS = _int("ACCESS_LOG_DAYS", 5 * 365 + 1)
    BABEL_DEFAULT_LOCALE = "nb"
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    LANGUAGES = ("nb", "en")
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BTN_SIZE = "md"
    # The largest form (the filing form's texts at their limits, every character a four-byte
    # one percent-encoded) is about 110 kB: a bigger request is refused with 413 before it is
    # read, let alone checked for identity numbers.
    MAX_CONTENT_LENGTH = 256 * 1024
    WTF_CSRF_TIME_LIMIT = None  # a nurse may spend a long shift with the form open
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    INBOX_PAGE_SIZE = 25
    # The inbox counts open and overdue cases up to this and then shows "999+": counting tens of
    # thousands of open cases cost more than the rest of the page, and past a few hundred the
    # exact number tells a handler nothing more (the statistics page has it).
    INBOX_COUNT_CAP = 1000
    PRODUCTION = False
    MAIL_SERVER = _str("MAIL_SERVER")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _flag("MAIL_USE_TLS", False)
    MAIL_USERNAME = _str("MAIL_USERNAME")
    MAIL_PASSWORD = _str("MAIL_PASSWORD")
    MAIL_SENDER = _str("MAIL_SENDER", "avvik@helsefellesskap.invalid")
    # Without MAIL_SERVER the sender writes .eml files here (default instance/outbox/).
    MAIL_OUTBOX_DIR = _str("MAIL_OUTBOX_DIR")
    # A failed mail waits 1, 2, 4 … minutes (at most 6 hours); after the last attempt it is failed.
    MAIL_RETRY_BASE_SECONDS = _int("MAIL_RETRY_BASE_SECONDS", 60)
    MAIL_RETRY_MAX_SECONDS = _int("MAIL_RETRY_MAX_SECONDS", 6 * 3600)
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    # How long a sender's claim on a batch holds; the rows of a sender that died wait this long
    # before another takes them. Unset: 20 mails x 20 s SMTP timeout x 2 (800 s).
    MAIL_CLAIM_LEASE_SECONDS = _int("MAIL_CLAIM_LEASE_SECONDS", None)
    BASE_URL = _str("BASE_URL", "http://127.0.0.1:5000")
    # GET /helse answers 503 when the oldest unsent mail has waited longer than this (0: never).
    HEALTH_MAIL_MAX_AGE_MINUTES = _int("HEALTH_MAIL_MAX_AGE_MINUTES", 30)
    # `flask maintenance` empties the body of a mail sent (or given up) this many days ago; the
    # row stays, so "was it sent, when?" can still be answered.
    MAIL_BODY_KEEP_DAYS = _int("MAIL_BODY_KEEP_DAYS", 7)
    # GET /helse shows its detail (migration revision, mail-queue counts, problems) only to a
    # request carrying "Authorization: Bearer <HEALTH_TOKEN>"; anyone else gets the status code
    # and one word. Unset: nobody gets the detail.
    HEALTH_TOKEN = _str("HEALTH_TOKEN")
    # bench/ only: serves /bench/bare, the yardstick the benchmark measures filing against.
    BENCH_ENDPOINT = _flag("AVVIK_BENCH", False)
    # "Glemt passord" answers no sooner than this, so its timing does not tell whether the
    # address has an account (queueing a mail costs a few milliseconds more than not).
    FORGOT_PASSWORD_MIN_SECONDS = _float("FORGOT_PASSWORD_MIN_SECONDS", 0.4)
    # Where users report accessibility problems (the accessibility statement shows it).
    ACCESSIBILITY_CONTACT = _str("ACCESSIBILITY_CONTACT", "tilgjengelighet@helsefellesskap.invalid")

    # --- Sign-in: sessions, second factor, throttling, single sign-on, the security log ---
    # A session ends after this long without a request, and this long after login whatever.
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
    SESSION_MAX_HOURS = _int("SESSION_MAX_HOURS", 12)
    # The idle limit in seconds, in place of SESSION_IDLE_MINUTES when set: for the browser
    # test that lets a session really run out by time (tests/e2e/test_kept_forms.py) without
    # waiting minutes. The server ends the session by it exactly as by the minutes.
    SESSION_IDLE_SECONDS = _int("SESSION_IDLE_SECONDS", None)
    # The page warns this long before the session would end (app/static/session.js).
    SESSION_WARNING_SECONDS = _int("SESSION_WARNING_SECONDS", 120)
    # Every password account enrols a second factor at its next login (SSO accounts rely on
    # their provider's). Off in development, so the demo accounts log in with a password alone.
    REQUIRE_TOTP = _flag("REQUIRE_TOTP", False)
    # A JSON list of OpenID Connect providers (README, "Innlogging"); none when unset.
    OIDC_PROVIDERS_FILE = _str("OIDC_PROVIDERS_FILE")
    SECURITY_LOG_DAYS = _int("SECURITY_LOG_DAYS", 365)
    # Per client address on login, the second factor, "Glemt passord" and the link pages
    # (Flask-Limiter reads the RATELIMIT_* names itself). memory:// counts per process; with
    # several servers use Redis: redis://host:6379/0. The per-account wait is separate and
    # always on.
    RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = _str("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = _str("RATELIMIT_KEY_PREFIX", "avvik")
    RATELIMIT_HEADERS_ENABLED = True
    SIGN_IN_RATE_LIMIT = _str("SIGN_IN_RATE_LIMIT", "20 per minute")
    # The open API (app/api), in the same storage: per client address and per token.
    API_RATE_LIMIT = _str("API_RATE_LIMIT", "600 per minute")
    API_TOKEN_RATE_LIMIT = _str("API_TOKEN_RATE_LIMIT", "300 per minute")
    # Webhooks (app/api/webhooks.py): per attempt, back-off, dead letter after the last.
    WEBHOOK_TIMEOUT_SECONDS = _float("WEBHOOK_TIMEOUT_SECONDS", 10.0)
    WEBHOOK_RETRY_BASE_SECONDS = _int("WEBHOOK_RETRY_BASE_SECONDS", 30)
    WEBHOOK_RETRY_MAX_SECONDS = _int("WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600)
    WEBHOOK_MAX_ATTEMPTS = _int("WEBHOOK_MAX_ATTEMPTS", 10)
    # Plain HTTP to 127.0.0.1 as an endpoint: tests and development only, never production.
    WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    # How many reverse proxies stand in front of the app (0: none). With one or more, the
    # client address, scheme and host are read from their X-Forwarded-* headers (ProxyFix);
    # without a proxy those headers are anyone's to forge, so leave it at 0.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    # The addresses (or CIDR networks) those proxies connect from. X-Forwarded-* from any other
    # client address is ignored; production refuses TRUSTED_PROXIES without this.
    TRUSTED_PROXY_ADDRESSES = _list("TRUSTED_PROXY_ADDRESSES")


class DevelopmentConfig(Config):
    """`make run`: the defaults above, with keys generated into instance/ (app/setup.py)."""

    WEBHOOK_ALLOW_LOOPBACK_HTTP = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"
    SECRET_KEY_FALLBACKS: ClassVar[list[str]] = []
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://")
    # Fixed test keys: tests must never depend on a key on disk.
    PATIENT_DATA_KEYS: ClassVar[list[str]] = ["kTq2V0i7yT0xq2s2dXfWm8Bkq6r8m3N0S6F7vZ2cY1A="]
    PATIENT_ID_HASH_KEY = "testing-hash-key-testing-hash-key"
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_CHEAP = True
    FORGOT_PASSWORD_MIN_SECONDS = 0.05
    SERVER_NAME = None
    BENCH_ENDPOINT = False
    # Tests log in hundreds of times from 127.0.0.1; the limiter's own tests turn it on.
    RATELIMIT_ENABLED = False
    REQUIRE_TOTP = False
    WEBHOOK_ALLOW_LOOPBACK_HTTP = True


class ProductionConfig(Config):
    PRODUCTION = True
    BENCH_ENDPOINT = False
    SESSION_COOKIE_SECURE = True
    REQUIRE_TOTP = _flag("REQUIRE_TOTP", True)
    # No defaults: production_problems() names what is missing.
    SECRET_KEY = _str("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = (
        _database_url(os.environ["DATABASE_URL"]) if _str("DATABASE_URL") else None
    )
    BASE_URL = _str("BASE_URL")


def _secret_problem(name: str, value: str | None) -> str | None:
    if not value:
        return f"{name} is not set"
    if value in DEVELOPMENT_SECRET_KEYS:
        return f"{name} is a known development value"
    if len(value.encode()) < MIN_SECRET_BYTES:
        return f"{name} is shorter than {MIN_SECRET_BYTES} bytes"
    # Long but guessable: one word typed over and over ("passordpassord…"), or a handful of
    # characters. A generated key (README says how) has neither.
    if (value + value).find(value, 1) < len(value):
        return f"{name} is one short text repeated"
    if len(set(value)) < MIN_SECRET_DISTINCT:
        return f"{name} has fewer than {MIN_SECRET_DISTINCT} different characters"
    return None


def _proxy_address_problems(addresses: list[str]) -> list[str]:
    # Without them anyone could name their own address in X-Forwarded-For and walk past the
    # per-address limits and the security log.
    if not addresses:
        return ["TRUSTED_PROXIES is set without TRUSTED_PROXY_ADDRESSES (the proxies' addresses)"]
    problems = []
    for address in addresses:
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            problems.append(f"TRUSTED_PROXY_ADDRESSES: {address!r} is not an address or network")
    return problems


def production_problems(config: Mapping[str, object]) -> list[str]:
    """Why this configuration must not serve real users; empty when it may."""
    from cryptography.fernet import Fernet

    problems = [_secret_problem("SECRET_KEY", config.get("SECRET_KEY"))]  # type: ignore[arg-type]
    problems += [
        _secret_problem("SECRET_KEY_FALLBACKS", value)
        for value in config.get("SECRET_KEY_FALLBACKS") or []  # type: ignore[attr-defined]
    ]
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        problems.append("DATABASE_URL is not set")
    keys = config.get("PATIENT_DATA_KEYS") or []
    if not keys:
        problems.append("PATIENT_DATA_KEYS (or PATIENT_DATA_KEY) is not set")
    for number, key in enumerate(keys, start=1):  # type: ignore[arg-type]
        try:
            Fernet(key)
        except ValueError:
            problems.append(f"PATIENT_DATA_KEYS: key {number} is not a Fernet key")
    hash_key = config.get("PATIENT_ID_HASH_KEY")
    problems.append(_secret_problem("PATIENT_ID_HASH_KEY", hash_key))  # type: ignore[arg-type]
    if hash_key and hash_key in {
        config.get("SECRET_KEY"),
        *(config.get("SECRET_KEY_FALLBACKS") or []),
    }:  # type: ignore[misc]
        # One leaked key must not open both the sessions and the patients' hashes.
        problems.append("PATIENT_ID_HASH_KEY is the same as a SECRET_KEY")
    base_url = str(config.get("BASE_URL") or "")
    if not base_url:
        problems.append("BASE_URL is not set")
    elif not base_url.startswith("https://"):
        # Links in mails would send people (and their session cookies, which are Secure and so
        # would not even work there) over plain HTTP.
        problems.append("BASE_URL must begin with https://")
    if config.get("DEBUG"):
        problems.append("FLASK_DEBUG is on")
    if config.get("TRUSTED_PROXIES"):
        problems += _proxy_address_problems(config.get("TRUSTED_PROXY_ADDRESSES") or [])  # type: ignore[arg-type]
    if config.get("MAIL_USERNAME") and not config.get("MAIL_USE_TLS"):
        problems.append("MAIL_USERNAME is set without MAIL_USE_TLS: the password would go in clear")
    return [p for p in problems if p]


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
