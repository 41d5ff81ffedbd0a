"""Configuration fails closed: production is the default, and it refuses to start with a
one-line reason when a secret is missing, weak or a development value; keys can be rotated;
SQL parameters never reach a log."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

import config
from app import create_app
from app.data.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import User
from app.responses import CONTENT_SECURITY_POLICY
from tests.support import make_app

ROOT = Path(__file__).resolve().parents[1]
STRONG = "k3Vq9-wL0s!x7Yh2Pz4Rb8Tn6Mc1Jd5Gf0AeQ"
HASH_KEY = "Hq8m2-Zp5t!Wc7Ln0Rv4Xb9Sd3Kf6Jg1Yh"
SETTINGS = ("SECRET_KEY", "SECRET_KEY_FALLBACKS", "DATABASE_URL", "PATIENT_DATA_KEY",
            "PATIENT_DATA_KEYS", "PATIENT_ID_HASH_KEY", "BASE_URL", "FLASK_DEBUG", "AVVIK_CONFIG",
            "MAIL_USERNAME", "MAIL_USE_TLS")  # fmt: skip


def good(tmp_path: Path) -> dict[str, object]:
    return {
        "SECRET_KEY": STRONG,
        "SECRET_KEY_FALLBACKS": [],
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}",
        "PATIENT_DATA_KEYS": [Fernet.generate_key().decode()],
        "PATIENT_ID_HASH_KEY": HASH_KEY,
        "BASE_URL": "https://avvik.helsefellesskap.no",
        "DEBUG": False,
        "MAIL_USERNAME": None,
    }


def test_a_complete_production_configuration_starts_with_its_headers(tmp_path):
    app = create_app("production", **good(tmp_path))
    response = app.test_client().get("/logg-inn")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["PRODUCTION"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "dev-not-secret"}, "SECRET_KEY is a known development value"),
        ({"SECRET_KEY": "testing"}, "SECRET_KEY is a known development value"),
        ({"SECRET_KEY": "x" * 31}, "SECRET_KEY is shorter than 32 bytes"),
        ({"SECRET_KEY_FALLBACKS": ["dev-not-secret"]}, "SECRET_KEY_FALLBACKS is a known"),
        ({"SQLALCHEMY_DATABASE_URI": None}, "DATABASE_URL is not set"),
        ({"PATIENT_DATA_KEYS": []}, "PATIENT_DATA_KEYS (or PATIENT_DATA_KEY) is not set"),
        ({"PATIENT_DATA_KEYS": ["not-a-key"]}, "PATIENT_DATA_KEYS: key 1 is not a Fernet key"),
        ({"PATIENT_ID_HASH_KEY": None}, "PATIENT_ID_HASH_KEY is not set"),
        ({"PATIENT_ID_HASH_KEY": "short"}, "PATIENT_ID_HASH_KEY is shorter than 32 bytes"),
        ({"BASE_URL": None}, "BASE_URL is not set"),
        ({"BASE_URL": "http://avvik.helsefellesskap.no"}, "BASE_URL must begin with https://"),
        ({"SECRET_KEY": "passord" * 6}, "SECRET_KEY is one short text repeated"),
        ({"SECRET_KEY": "Sommer2026!" * 4}, "SECRET_KEY is one short"),
        ({"SECRET_KEY": "aaaaaaaaaabbbbbbbbbbccccccccccdddd"}, "SECRET_KEY has fewer than 10"),
        ({"PATIENT_ID_HASH_KEY": "z" * 40}, "PATIENT_ID_HASH_KEY is one short text repeated"),
        ({"PATIENT_ID_HASH_KEY": STRONG}, "PATIENT_ID_HASH_KEY is the same as a SECRET_KEY"),
        ({"DEBUG": True}, "FLASK_DEBUG is on"),
        ({"MAIL_USERNAME": "avvik", "MAIL_USE_TLS": False}, "MAIL_USERNAME is set without"),
        ({"TRUSTED_PROXIES": 1, "TRUSTED_PROXY_ADDRESSES": []},
         "TRUSTED_PROXIES is set without TRUSTED_PROXY_ADDRESSES"),
        ({"TRUSTED_PROXIES": 1, "TRUSTED_PROXY_ADDRESSES": ["nginx"]},
         "TRUSTED_PROXY_ADDRESSES: 'nginx' is not an address or network"),
    ],
)  # fmt: skip
def test_production_refuses_to_start(tmp_path, change, reason):
    with pytest.raises(RuntimeError) as refused:
        create_app("production", **{**good(tmp_path), **change})
    message = str(refused.value)
    assert message.startswith("Avvik refuses to start in production: ")
    assert reason in message and "\n" not in message


def test_an_unknown_configuration_name_is_refused():
    with pytest.raises(RuntimeError, match="AVVIK_CONFIG must be one of"):
        create_app("prod")


def _clean_environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    return {**env, **values}


def test_started_without_a_configuration_name_the_app_is_production():
    """What gunicorn does with `app:create_app()` and nothing set: refuse, in one line."""
    result = subprocess.run(
        [sys.executable, "-c", "from app import create_app; create_app()"],
        cwd=ROOT, env=_clean_environment(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        "RuntimeError: Avvik refuses to start in production: SECRET_KEY is not set; "
        "DATABASE_URL is not set; PATIENT_DATA_KEYS (or PATIENT_DATA_KEY) is not set; "
        "PATIENT_ID_HASH_KEY is not set; BASE_URL is not set"
    )


def test_gunicorn_prints_the_reason(tmp_path):
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    assert gunicorn, "gunicorn is a dependency"
    env = _clean_environment(
        SECRET_KEY=STRONG,
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.db'}",
        PATIENT_DATA_KEY=Fernet.generate_key().decode(),
        PATIENT_ID_HASH_KEY=HASH_KEY,
        BASE_URL="https://avvik.helsefellesskap.no",
        FLASK_DEBUG="1",
    )
    result = subprocess.run(
        [gunicorn, "--check-config", "app:create_app()"],
        cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Avvik refuses to start in production: FLASK_DEBUG is on" in result.stderr


@pytest.mark.commits
def test_a_rotated_secret_key_logs_nobody_out(database_url):
    old, new = "o" * 40, "n" * 40
    before = make_app(database_url, SECRET_KEY=old)
    client = before.test_client()
    login = client.post("/logg-inn", data={"email": "melder@trondheim.demo",
                                           "password": DEMO_PASSWORD})  # fmt: skip
    assert login.status_code == 302
    assert client.get("/avvik/mine").status_code == 200

    # The same browser, after the restart with the new key: the cookie signed by the old one.
    rotated = make_app(database_url, SECRET_KEY=new, SECRET_KEY_FALLBACKS=[old])
    client.application = rotated
    assert client.get("/avvik/mine").status_code == 200
    replaced = make_app(database_url, SECRET_KEY=new)
    client.application = replaced
    # Without the fallback: logged out (the front page is a visitor's, the own pages refused).
    assert client.get("/avvik/mine").status_code == 302
    for app in (before, rotated, replaced):
        with app.app_context():
            db.engine.dispose()


def test_a_form_token_signed_by_the_old_key_is_still_accepted(database_url):
    from flask_wtf.csrf import generate_csrf, validate_csrf

    old, new = "o" * 40, "n" * 40
    before = make_app(database_url, SECRET_KEY=old, WTF_CSRF_ENABLED=True)
    with before.test_request_context():
        from flask import session

        token = generate_csrf()
        raw = dict(session)
    after = make_app(database_url, SECRET_KEY=new, SECRET_KEY_FALLBACKS=[old],
                     WTF_CSRF_ENABLED=True)  # fmt: skip
    with after.test_request_context():
        from flask import session

        session.update(raw)
        validate_csrf(token)  # raises if refused
        assert generate_csrf() != token  # new tokens are signed with the new key


def test_sql_parameters_never_reach_a_message(ctx):
    value = "lekker-verdi-som-ikke-skal-logges@trondheim.demo"
    user = db.session.scalar(sa.select(User).limit(1))
    with pytest.raises(sa.exc.IntegrityError) as failed:
        db.session.execute(
            sa.insert(User).values(
                email=user.email, name=value, organisation_id=user.organisation_id
            )
        )
    assert value not in str(failed.value)
    assert "hidden due to hide_parameters" in str(failed.value)


def test_the_policy_header(client):
    header = client.get("/logg-inn").headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "form-action 'self'",
                      "base-uri 'none'", "object-src 'none'"):  # fmt: skip
        assert directive in header
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "data:" not in header
    assert CONTENT_SECURITY_POLICY["img-src"] == "'self'"
    assert "Strict-Transport-Security" not in client.get("/logg-inn").headers  # not over HTTP


def test_stylesheets_and_scripts_are_kept_an_hour_and_pages_never(client):
    page = client.get("/logg-inn")
    assert page.headers["Cache-Control"] == "no-store"
    assets = re.findall(r'(?:href|src)="(/(?:static|bootstrap/static)/[^"]+)"', page.get_data(True))
    assert len(assets) >= 4, assets
    for path in assets:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "max-age=3600" in response.headers["Cache-Control"], path
        response.close()


def test_development_signs_with_a_key_of_this_checkout_not_a_public_one(tmp_path):
    """Security review, finding 10: development once signed sessions with a key written in the
    repository. Now a random key is made once per checkout (instance/ is not in git) and kept,
    so a restart logs nobody out."""
    url = f"sqlite:///{tmp_path / 'dev.db'}"
    first = create_app("development", SQLALCHEMY_DATABASE_URI=url).config["SECRET_KEY"]
    again = create_app("development", SQLALCHEMY_DATABASE_URI=url).config["SECRET_KEY"]
    assert first == again
    assert first not in config.DEVELOPMENT_SECRET_KEYS
    assert len(first) >= 64 and len(set(first)) >= 10
    stored = (ROOT / "instance" / "secret_key").read_text().strip()
    assert stored == first
    assert "instance/" in (ROOT / ".gitignore").read_text().splitlines()
    assert config.DevelopmentConfig.SECRET_KEY is None
