"""Settings from the environment are read by one strict set of rules: every on/off setting
accepts the same words, numbers are numbers, and a value that cannot be read stops the app with
the variable's name instead of meaning something else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def read_config(**env: str) -> subprocess.CompletedProcess[str]:
    """config.py imported in a fresh interpreter with exactly these settings."""
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    script = (
        "import json, config; c = config.Config;"
        "print(json.dumps({k: getattr(c, k) for k in dir(c) if k.isupper()}, default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, check=False, timeout=30,
    )  # fmt: skip


def settings(**env: str) -> dict[str, object]:
    result = read_config(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("word", ["1", "true", "yes", "on", "TRUE", "On", " yes "])
def test_every_on_off_setting_accepts_the_same_words_for_on(word):
    read = settings(MAIL_USE_TLS=word, REQUIRE_TOTP=word, RATELIMIT_ENABLED=word, AVVIK_BENCH=word)
    assert read["MAIL_USE_TLS"] is True
    assert read["REQUIRE_TOTP"] is True
    assert read["RATELIMIT_ENABLED"] is True
    assert read["BENCH_ENDPOINT"] is True


@pytest.mark.parametrize("word", ["0", "false", "no", "off", "OFF"])
def test_and_the_same_words_for_off(word):
    read = settings(MAIL_USE_TLS=word, RATELIMIT_ENABLED=word)
    assert read["MAIL_USE_TLS"] is False
    assert read["RATELIMIT_ENABLED"] is False


def test_unset_or_empty_settings_take_their_defaults():
    read = settings(MAIL_PORT="", RATELIMIT_ENABLED="  ")
    assert read["MAIL_PORT"] == 25
    assert read["RATELIMIT_ENABLED"] is True
    assert read["MAIL_CLAIM_LEASE_SECONDS"] is None


def test_numbers_are_numbers():
    read = settings(MAIL_CLAIM_LEASE_SECONDS="30", MAIL_PORT="587", TRUSTED_PROXIES="1",
                    FORGOT_PASSWORD_MIN_SECONDS="0.25")  # fmt: skip
    assert read["MAIL_CLAIM_LEASE_SECONDS"] == 30
    assert read["MAIL_PORT"] == 587
    assert read["TRUSTED_PROXIES"] == 1
    assert read["FORGOT_PASSWORD_MIN_SECONDS"] == 0.25
    assert settings()["SERIOUS_RESPONSE_DAYS"] == 3
    assert settings(SERIOUS_RESPONSE_DAYS="2")["SERIOUS_RESPONSE_DAYS"] == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAIL_PORT", "twenty-five"),
        ("MAIL_CLAIM_LEASE_SECONDS", "5s"),
        ("SESSION_IDLE_MINUTES", "-1"),
        ("TRUSTED_PROXIES", "1.5"),
        ("FORGOT_PASSWORD_MIN_SECONDS", "nan"),
        ("MAIL_USE_TLS", "ja"),
        ("REQUIRE_TOTP", "enabled"),
        ("SERIOUS_RESPONSE_DAYS", "0"),
        ("SERIOUS_RESPONSE_DAYS", "tre"),
    ],
)
def test_a_value_that_cannot_be_read_stops_the_app_naming_the_variable(name, value):
    result = read_config(**{name: value})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("config.ConfigError: " + name), last_line
    assert repr(value) in last_line


def test_dead_settings_are_gone():
    read = settings()
    assert not [name for name in read if name.startswith("REMEMBER_COOKIE")]
    assert "DEBUG" not in read
