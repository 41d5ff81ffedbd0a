"""An HTTP client as a browser would be one: its own cookies, the form's CSRF token, one
connection per request (gunicorn's sync workers close it after each answer)."""

from __future__ import annotations

import html
import http.client
import re
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from reliability.accounts import PASSWORD

USER_AGENT = "avvik-reliability/1"  # Flask-Login's strong session protection ties a session to it
TIMEOUT = 30
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_ALERT = re.compile(r'<div class="alert alert-(\w+)" role="status">(.*?)</div>', re.DOTALL)


class NoAnswer(Exception):
    """The connection failed or broke before an answer came: the outcome is unknown."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    started: float
    ended: float
    kind: str = ""  # how the tally counted it

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("location", "")).path

    def alerts(self) -> list[tuple[str, str]]:
        """The flashed messages on the page: (Bootstrap colour, text)."""
        return [(kind, html.unescape(text).strip()) for kind, text in _ALERT.findall(self.body)]

    def csrf(self) -> str:
        found = _CSRF.search(self.body)
        if not found:
            raise AssertionError(f"no CSRF token on the page (status {self.status})")
        return found.group(1)


def ordinary(response: Response) -> bool:
    """Success for most requests: a page or a redirect."""
    return 200 <= response.status < 400


class Client:
    """Every request it makes is counted in ``tally``: succeeded when ``ok`` says so, a server
    error on any 5xx, refused on any other answer (a page with a message: 404, 409, 422 …),
    no answer when the connection failed."""

    def __init__(
        self,
        port: int,
        tally: Tally,
        tls: ssl.SSLContext | None = None,
        source: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """``tls``: HTTPS with this context (through the proxy); ``source``: the local address
        to connect from (a client address of its own, 127.0.0.0/8); ``headers`` on each request."""
        self.port = port
        self.tally = tally
        self.tls = tls
        self.source = (source, 0) if source else None
        self.extra_headers = headers or {}
        self.cookies: dict[str, str] = {}

    def connection(self) -> http.client.HTTPConnection:
        if self.tls is not None:
            return http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=TIMEOUT, context=self.tls,
                source_address=self.source,
            )  # fmt: skip
        return http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=TIMEOUT, source_address=self.source
        )

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, object] | None = None,
        ok: Callable[[Response], bool] = ordinary,
    ) -> Response:
        headers = {"User-Agent": USER_AGENT, **self.extra_headers}
        if self.tls is not None:
            # Over HTTPS Flask-WTF also wants a same-origin Referer, as browsers send it.
            headers.setdefault("Referer", f"https://127.0.0.1:{self.port}{path}")
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode({k: str(v) for k, v in form.items()})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        try:
            conn = self.connection()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as error:
            self.tally.no_answer_at(started)
            raise NoAnswer(f"{type(error).__name__}: {error}") from error
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            if value:
                self.cookies[name.strip()] = value.strip()
            else:
                self.cookies.pop(name.strip(), None)
        answer = Response(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            data.decode("utf-8", errors="replace"),
            started,
            time.monotonic(),
        )
        answer.kind = self.tally.record(answer, ok)
        return answer

    def get(self, path: str, ok: Callable[[Response], bool] = ordinary) -> Response:
        return self.request("GET", path, ok=ok)

    def post(
        self, path: str, form: dict[str, object], ok: Callable[[Response], bool] = ordinary
    ) -> Response:
        return self.request("POST", path, form, ok)

    def log_in(self, email: str, password: str = PASSWORD) -> None:
        page = self.get("/logg-inn")
        answer = self.post(
            "/logg-inn", {"csrf_token": page.csrf(), "email": email, "password": password}
        )
        if answer.status != 302 or "logg-inn" in answer.location:
            raise AssertionError(f"login failed for {email}: {answer.status}")


@dataclass
class Tally:
    """What the clients of one scenario saw, counted as the issue asks."""

    requests: int = 0
    succeeded: int = 0
    refused: int = 0  # an answer with a message for the user: a 4xx page, a conflict
    server_errors: int = 0
    no_answer: int = 0
    events: list[tuple[float, float, str]] = field(default_factory=list)  # (start, end, kind)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, kind: str, started: float, ended: float) -> None:
        with self.lock:
            self.requests += 1
            setattr(self, kind, getattr(self, kind) + 1)
            self.events.append((started, ended, kind))

    def record(self, response: Response, ok: Callable[[Response], bool]) -> str:
        """Classify one answer: ``ok`` says what success looks like for this request."""
        if response.status >= 500:
            kind = "server_errors"
        elif ok(response):
            kind = "succeeded"
        else:
            kind = "refused"
        self.count(kind, response.started, response.ended)
        return kind

    def no_answer_at(self, started: float) -> None:
        self.count("no_answer", started, time.monotonic())


def run_threads(count: int, target: Callable[[int], None]) -> list[BaseException]:
    """``target(i)`` in ``count`` threads; the errors they died of (none, if all went well)."""
    errors: list[BaseException] = []

    def wrapped(i: int) -> None:
        try:
            target(i)
        except BaseException as error:  # noqa: BLE001  (reported by the scenario)
            errors.append(error)

    threads = [threading.Thread(target=wrapped, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
