"""Configuration per environment.

Every mode honours ``DATABASE_URL``; SQLite in ``instance/`` is the embedded default.
"""

import os
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs and bare postgresql:// must go through psycopg 3, the driver we ship.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-not-secret")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'avvik.db'}")
    # hide_parameters: an error's text must not quote a row's values (case text, identity) into
    # the log; the statement and the error's class still say what failed.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True, "hide_parameters": True}
    # A Fernet key (urlsafe base64, 32 bytes) protecting the patient identity field at rest.
    PATIENT_DATA_KEY = os.environ.get("PATIENT_DATA_KEY")
    # Days after closing before the patient identity is erased.
    PATIENT_DATA_RETENTION_DAYS = int(os.environ.get("PATIENT_DATA_RETENTION_DAYS", "30"))
    BABEL_DEFAULT_LOCALE = "nb"
    BABEL_DEFAULT_TIMEZONE = "Europe/Oslo"
    LANGUAGES = ("nb", "en")
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BTN_SIZE = "md"
    WTF_CSRF_TIME_LIMIT = None  # a nurse may spend a long shift with the form open
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    INBOX_PAGE_SIZE = 25
    # The inbox counts open and overdue cases up to this and then shows "999+": counting tens of
    # thousands of open cases cost more than the rest of the page, and past a few hundred the
    # exact number tells a handler nothing more (the statistics page has it).
    INBOX_COUNT_CAP = 1000
    PRODUCTION = False
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in {"1", "true", "yes"}
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "avvik@helsefellesskap.invalid")
    # Without MAIL_SERVER the sender writes .eml files here (default instance/outbox/).
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR")
    # A failed mail waits 1, 2, 4 … minutes (at most 6 hours); after the last attempt it is failed.
    MAIL_RETRY_BASE_SECONDS = int(os.environ.get("MAIL_RETRY_BASE_SECONDS", "60"))
    MAIL_RETRY_MAX_SECONDS = int(os.environ.get("MAIL_RETRY_MAX_SECONDS", str(6 * 3600)))
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))
    # How long a sender's claim on a batch holds; the rows of a sender that died wait this long
    # before another takes them. Unset: 20 mails x 20 s SMTP timeout x 2 (800 s).
    MAIL_CLAIM_LEASE_SECONDS = os.environ.get("MAIL_CLAIM_LEASE_SECONDS")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    # GET /helse answers 503 when the oldest unsent mail has waited longer than this (0: never).
    HEALTH_MAIL_MAX_AGE_MINUTES = int(os.environ.get("HEALTH_MAIL_MAX_AGE_MINUTES", "30"))
    # bench/ only: serves /bench/bare, the yardstick the benchmark measures filing against.
    BENCH_ENDPOINT = os.environ.get("AVVIK_BENCH") == "1"
    # "Glemt passord" answers no sooner than this, so its timing does not tell whether the
    # address has an account (queueing a mail costs a few milliseconds more than not).
    FORGOT_PASSWORD_MIN_SECONDS = float(os.environ.get("FORGOT_PASSWORD_MIN_SECONDS", "0.4"))
    # Where users report accessibility problems (the accessibility statement shows it).
    ACCESSIBILITY_CONTACT = os.environ.get(
        "ACCESSIBILITY_CONTACT", "tilgjengelighet@helsefellesskap.invalid"
    )


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://")
    # A fixed test key: tests must never depend on a key on disk.
    PATIENT_DATA_KEY = "kTq2V0i7yT0xq2s2dXfWm8Bkq6r8m3N0S6F7vZ2cY1A="
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_CHEAP = True
    FORGOT_PASSWORD_MIN_SECONDS = 0.05
    SERVER_NAME = None
    BENCH_ENDPOINT = False


class ProductionConfig(Config):
    PRODUCTION = True
    BENCH_ENDPOINT = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls) -> None:
        missing = [
            name
            for name in ("SECRET_KEY", "DATABASE_URL", "PATIENT_DATA_KEY")
            if not os.environ.get(name)
        ]
        if missing:
            raise RuntimeError(
                "Production configuration refuses to start without: " + ", ".join(missing)
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
