"""The processes a scenario starts (gunicorn, flask commands) and the environment they get:
the production configuration, with every secret it demands passed explicitly."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORK = ROOT / "instance" / "reliability"

# One per run: sessions outlive a crash and a restart, and the suite can read the protected
# field back to compare it with what was sent.
SECRET_KEY = secrets.token_hex(32)
PATIENT_DATA_KEY = Fernet.generate_key().decode()
PATIENT_ID_HASH_KEY = secrets.token_hex(32)
# /helse gives its figures only to the holder of this token (server.health reads them).
HEALTH_TOKEN = secrets.token_hex(16)


def app_env(
    database_url: str, base_url: str = "https://avvik.reliability.invalid", **extra: str
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "AVVIK_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        AVVIK_CONFIG="production",
        FLASK_APP="app",
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        PATIENT_DATA_KEY=PATIENT_DATA_KEY,
        PATIENT_DATA_KEYS=PATIENT_DATA_KEY,
        PATIENT_ID_HASH_KEY=PATIENT_ID_HASH_KEY,
        HEALTH_TOKEN=HEALTH_TOKEN,
        BASE_URL=base_url,
        # The clients log in from one address many times over: no per-address rate limit.
        RATELIMIT_ENABLED="0",
        # They sign in with a password alone: the second factor is the sign-in tests' subject
        # (tests/test_auth_*.py), not this suite's.
        REQUIRE_TOTP="0",
    )
    env.update(extra)
    return env


def flask(env: dict[str, str], *args: str, log: Path | None = None) -> str:
    """Run a flask command to its end; its output, or an error with it."""
    result = subprocess.run(
        [str(BIN / "flask"), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if log is not None:
        with log.open("a") as file:
            file.write(result.stdout + result.stderr)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def python_module(env: dict[str, str], module: str, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"python -m {module} failed:\n{result.stdout}\n{result.stderr}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
