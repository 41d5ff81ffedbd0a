"""Throttling: per account (in the database, always on) and per client address (Flask-Limiter,
in memory or in Redis), and the client address behind a trusted proxy."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa

from app.auth.services import Client, find_user
from app.auth.services.throttle import LONGEST_WAIT, is_locked, register_failure, wait_after
from app.extensions import db, limiter
from app.models import OutboxMail, SecurityEvent, SecurityLogEntry, utcnow
from tests.support import IN_CI, app_with_limits, login, make_app

EMAIL = "melder@trondheim.demo"


def _attempt(client, password: str, email: str = EMAIL, **kwargs):
    return client.post("/logg-inn", data={"email": email, "password": password}, **kwargs)


def _rows(app, event: SecurityEvent) -> list[SecurityLogEntry]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(SecurityLogEntry)
                .where(SecurityLogEntry.event == event)
                .order_by(SecurityLogEntry.id)
            )
        )


def test_the_wait_grows_from_the_fifth_failure_to_fifteen_minutes():
    assert [wait_after(n) for n in range(1, 5)] == [timedelta(0)] * 4
    assert wait_after(5) == timedelta(seconds=30)
    assert wait_after(6) == timedelta(minutes=1)
    assert wait_after(8) == timedelta(minutes=4)
    assert wait_after(10) == LONGEST_WAIT == timedelta(minutes=15)
    assert wait_after(50) == LONGEST_WAIT


def test_five_failures_make_the_account_wait_and_the_message_says_only_failed(app, client):
    for _ in range(5):
        assert _attempt(client, "feil passord").status_code == 422
    with app.app_context():
        user = find_user(EMAIL)
        assert user.failed_logins == 5
        assert timedelta(seconds=25) < user.locked_until - utcnow() <= timedelta(seconds=30)
    # The right password while the account waits: refused, in the same words.
    refused = _attempt(client, "demo-avvik")
    assert refused.status_code == 422
    wrong = _attempt(client, "feil igjen", email="finnes.ikke@trondheim.demo")
    assert refused.get_data(as_text=True).count("Innloggingen mislyktes.") == 1
    assert wrong.get_data(as_text=True).count("Innloggingen mislyktes.") == 1
    locked = _rows(app, SecurityEvent.LOCKED)
    assert len(locked) == 1 and locked[0].detail == "30s" and locked[0].email == EMAIL
    assert _rows(app, SecurityEvent.LOGIN_FAILED)[-2].detail == "locked"
    # Once the wait is over the right password works, and the count starts again.
    with app.app_context():
        find_user(EMAIL).locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    login(client, EMAIL)
    with app.app_context():
        user = find_user(EMAIL)
        assert user.failed_logins == 0 and user.locked_until is None


def test_each_failure_after_the_fifth_doubles_the_wait(app, client):
    for expected in (30, 60, 120):
        with app.app_context():
            find_user(EMAIL).locked_until = None
            db.session.commit()
        while True:
            _attempt(client, "feil passord")
            with app.app_context():
                if find_user(EMAIL).locked_until is not None:
                    break
        assert _rows(app, SecurityEvent.LOCKED)[-1].detail == f"{expected}s"


def test_an_unknown_address_is_logged_but_never_a_password(app, client):
    _attempt(client, "x", email="ukjent@trondheim.demo")
    _attempt(client, "x", email="mitt hemmelige passord")
    failed = _rows(app, SecurityEvent.LOGIN_FAILED)
    assert [(r.email, r.detail, r.user_id) for r in failed] == [
        ("ukjent@trondheim.demo", "unknown_account", None),
        ("", "unknown_account", None),
    ]


def _limiter_off(database_url: str) -> None:
    """The limiter is one object for every app of this process, configured by the last app
    made: make one with the testing config again, as the other tests expect."""
    make_app(database_url)
    assert limiter.enabled is False


@pytest.fixture
def limited_app(database_url, tmp_path):
    """An app whose per-address limit is on (the testing config turns it off)."""
    with app_with_limits(
        database_url, SIGN_IN_RATE_LIMIT="3 per minute", MAIL_OUTBOX_DIR=str(tmp_path / "outbox")
    ) as app:
        yield app


def test_the_per_address_limit_answers_429_in_norwegian(limited_app):
    client = limited_app.test_client()
    for _ in range(5):
        assert client.get("/logg-inn").status_code == 200  # showing the page does not count
    for _ in range(3):
        assert _attempt(client, "feil").status_code == 422
    blocked = _attempt(client, "feil")
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert "For mange forsøk" in page and "Vent et minutt" in page
    assert int(blocked.headers["Retry-After"]) > 0
    # Another address is not held back.
    other = _attempt(client, "feil", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 422
    # The second factor, "Glemt passord" and the links are limited too.
    for path in ("/glemt-passord", "/passord/ugyldig-lenke"):
        codes = [client.post(path, data={"email": "x@y.no"}).status_code for _ in range(4)]
        assert codes[-1] == 429, (path, codes)


def test_the_per_account_wait_stays_when_the_per_address_limit_is_off(app, client):
    assert app.config["RATELIMIT_ENABLED"] is False
    for _ in range(25):
        assert _attempt(client, "feil").status_code == 422
    with app.app_context():
        assert find_user(EMAIL).locked_until is not None


def test_ratelimit_enabled_reads_the_environment(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("RATELIMIT_ENABLED", "0")
    assert importlib.reload(config).Config.RATELIMIT_ENABLED is False
    monkeypatch.setenv("RATELIMIT_ENABLED", "1")
    assert importlib.reload(config).Config.RATELIMIT_ENABLED is True
    monkeypatch.delenv("RATELIMIT_ENABLED")
    importlib.reload(config)


REDIS_URL = os.environ.get("AVVIK_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:
        if IN_CI:
            pytest.fail(f"Redis is not reachable at {REDIS_URL}: {error} (CI=true: required)")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    yield client
    client.close()


# Two app servers, each with its own connections, write the failures for real: a database of
# its own, or the account's failures would stay in this worker's shared database and lock it
# for a later test.
@pytest.mark.commits
def test_the_per_address_limit_is_shared_through_redis(database_url, redis_client, tmp_path):
    """Several app servers count one address together when they share Redis."""
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    servers = [
        make_app(
            database_url,
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI=REDIS_URL,
            SIGN_IN_RATE_LIMIT="3 per minute",
            MAIL_OUTBOX_DIR=str(tmp_path / "outbox"),
        )
        for _ in range(2)
    ]
    try:
        first, second = (app.test_client() for app in servers)
        env = {"REMOTE_ADDR": address}
        assert _attempt(first, "feil", environ_base=env).status_code == 422
        assert _attempt(second, "feil", environ_base=env).status_code == 422
        keys = [k.decode() for k in redis_client.scan_iter(f"*{address}*")]
        assert keys, "the limiter's counter is not in Redis"
        assert int(redis_client.get(keys[0])) == 2
        assert _attempt(first, "feil", environ_base=env).status_code == 422
        assert _attempt(second, "feil", environ_base=env).status_code == 429
        # The count lives in Redis, not in the process: clearing it there lets the address in.
        redis_client.delete(*keys)
        assert _attempt(first, "feil", environ_base=env).status_code == 422
    finally:
        for key in redis_client.scan_iter(f"*{address}*"):
            redis_client.delete(key)
        for app in servers:
            with app.app_context():
                db.engine.dispose()
        _limiter_off(database_url)


@pytest.mark.parametrize(
    ("hops", "proxies", "expected"),
    [(0, [], "10.0.0.1"), (1, ["10.0.0.0/24"], "203.0.113.7"), (1, ["10.0.0.1"], "203.0.113.7"),
     # From anyone but the proxy the header is the client's own word: ignored.
     (1, ["192.0.2.10"], "10.0.0.1"), (1, [], "10.0.0.1")],
)  # fmt: skip
def test_behind_a_trusted_proxy_the_forwarded_address_counts(
    database_url, tmp_path, hops, proxies, expected
):
    forwarded = {"HTTP_X_FORWARDED_FOR": "203.0.113.7", "REMOTE_ADDR": "10.0.0.1"}
    app = make_app(
        database_url,
        TRUSTED_PROXIES=hops,
        TRUSTED_PROXY_ADDRESSES=proxies,
        MAIL_OUTBOX_DIR=str(tmp_path / "outbox"),
    )
    with app.app_context():
        engine = db.engine
        engines = db.engines
    connection = engine.connect()
    transaction = connection.begin()
    engines[None] = connection  # type: ignore[index]
    try:
        _attempt(app.test_client(), "feil", environ_base=forwarded)
        assert _rows(app, SecurityEvent.LOGIN_FAILED)[-1].ip_address == expected
    finally:
        transaction.rollback()
        connection.close()
        engine.dispose()


def test_failures_decay_so_a_few_tries_an_hour_never_lock_the_account(app):
    """Finding 12: failures never expired, so about four requests an hour kept any account
    locked. A failure is forgotten per quiet interval (DECAY); four tries an hour for a day
    never lock it, and a fast run still does."""
    with app.app_context():
        user = find_user(EMAIL)
        # Earlier tests of this module have made the account wait: a clean start.
        user.failed_logins, user.locked_until, user.last_failed_login_at = 0, None, None
        db.session.flush()
        start = utcnow()
        for n in range(4 * 24):
            now = start + n * timedelta(minutes=15)
            register_failure(user, Client(), "wrong_password", now)
            assert not is_locked(user, now + timedelta(seconds=1)), n
        assert user.failed_logins == 1
        later = start + timedelta(days=2)
        for n in range(5):
            register_failure(user, Client(), "wrong_password", later + timedelta(seconds=n))
        assert is_locked(user, later + timedelta(seconds=5))
        db.session.rollback()


def test_the_owner_gets_a_mail_without_a_link_when_the_account_locks(app, client):
    with app.app_context():
        user = find_user(EMAIL)
        user.failed_logins, user.locked_until, user.last_failed_login_at = 0, None, None
        db.session.commit()
    for _ in range(7):
        _attempt(client, "feil passord")
    with app.app_context():
        mails = list(
            db.session.scalars(sa.select(OutboxMail).where(OutboxMail.to_address == EMAIL))
        )
        # One mail for the run, however long it goes on.
        assert len(mails) == 1
        assert mails[0].subject == "Kontoen din er midlertidig sperret"
        assert "http" not in mails[0].body and "sperret" in mails[0].body
