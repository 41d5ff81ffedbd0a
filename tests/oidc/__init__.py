"""The test OpenID provider (npm oidc-provider, tests/oidc/provider.mjs) run by the test suite.

``running_provider(accounts)`` starts it on a free port of 127.0.0.1 and stops it afterwards;
``OidcProvider.register_client`` registers a client the way a hospital's IT department would,
only through the provider's dynamic registration endpoint instead of a portal.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from tests.support import IN_CI

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).resolve().parent / "provider.mjs"

# The accounts the provider knows. Avvik has accounts for the first two (demo data), not for
# the third; the last two make the provider sign a broken ID token.
ACCOUNTS: dict[str, dict[str, Any]] = {
    "melder@trondheim.demo": {
        "claims": {"email": "melder@trondheim.demo", "email_verified": True, "name": "Kari"}
    },
    "mottak@stolav.demo": {
        "claims": {
            "email": "mottak@stolav.demo",
            "email_verified": True,
            "name": "Siri Mottak",
            "orgnr": "974749025",
        }
    },
    "ny.ansatt@trondheim.demo": {
        "claims": {
            "email": "ny.ansatt@trondheim.demo",
            "email_verified": True,
            "name": "Nora Nyansatt",
        }
    },
    "ubekreftet@trondheim.demo": {
        "claims": {"email": "melder@trondheim.demo", "email_verified": False}
    },
    "utlopt@trondheim.demo": {
        "claims": {"email": "melder@trondheim.demo", "email_verified": True},
        "quirk": "expired",
    },
    "feil-mottaker@trondheim.demo": {
        "claims": {"email": "melder@trondheim.demo", "email_verified": True},
        "quirk": "wrong_audience",
    },
}


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required, not skipped)")
    pytest.skip(reason)


@dataclass
class OidcProvider:
    issuer: str

    def register_client(
        self,
        redirect_uri: str,
        post_logout_redirect_uri: str,
        public_jwk: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        metadata: dict[str, Any] = {
            "redirect_uris": [redirect_uri],
            "post_logout_redirect_uris": [post_logout_redirect_uri],
            "response_types": ["code"],
            "grant_types": ["authorization_code"],
        }
        if public_jwk is None:
            metadata["token_endpoint_auth_method"] = "client_secret_basic"
        else:
            metadata["token_endpoint_auth_method"] = "private_key_jwt"
            metadata["token_endpoint_auth_signing_alg"] = "RS256"
            metadata["jwks"] = {"keys": [public_jwk]}
        response = requests.post(f"{self.issuer}/reg", json=metadata, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()

    def write_providers_file(self, path: Path, *entries: dict[str, Any]) -> str:
        path.write_text(json.dumps(list(entries)), encoding="utf-8")
        return str(path)


@contextmanager
def running_provider(accounts: dict[str, dict[str, Any]] = ACCOUNTS) -> Iterator[OidcProvider]:
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed")
    if not (ROOT / "node_modules" / "oidc-provider").exists():
        _unavailable("npm package oidc-provider is not installed (run `make browser`)")
    # A file of this run's own: parallel test workers each start a provider.
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(accounts, handle)
    accounts_file = Path(handle.name)
    process = subprocess.Popen(
        [node, str(SCRIPT), str(accounts_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("READY "):
            pytest.fail(f"the test OpenID provider did not start: {line!r}")
        yield OidcProvider(line.split()[1])
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
        accounts_file.unlink(missing_ok=True)


def through_provider(start_location: str, login: str, back_to: str) -> str:
    """Follow the provider's redirects and log in there as ``login``, as a browser would;
    returns the URL the provider sends the browser back to (under ``back_to``)."""
    with requests.Session() as browser:
        return _follow(browser, start_location, login, back_to)


def _follow(browser: requests.Session, url: str, login: str, back_to: str) -> str:
    for _ in range(12):
        if url.startswith(back_to):
            return url
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and "/interaction/" in url:
            response = browser.post(
                url + "/login",
                data={"login": login},
                allow_redirects=False,
                timeout=10,
            )
        assert response.status_code in (302, 303), (response.status_code, response.text[:300])
        url = urljoin(url, response.headers["Location"])
    raise AssertionError("the provider never sent the browser back")
