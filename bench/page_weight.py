"""The filing form's first load on a phone, in bytes on the wire, as production sends it
(docs/performance.md, "The filing form on a phone"): gunicorn as deploy/systemd/avvik-web.service
runs it, behind Debian's nginx with deploy/nginx/avvik.conf (TLS, brotli and gzip, static files
from disk), set up by reliability/hosts.py's Proxy. A fresh SQLite database with the demo
accounts; a reporter signs in and loads /avvik/nytt and every file the page names, nothing
cached, asking as Android Chrome does (``Accept-Encoding: gzip, deflate, br``).

    .venv/bin/python bench/page_weight.py                      # this checkout
    .venv/bin/python bench/page_weight.py --root /tmp/main     # another one (e.g. main's, from
                                                               # `git archive main`), same venv

Needs `make install proxy`. Prints a Markdown table: each file on the wire and unpacked.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reliability import hosts
from reliability.environment import free_port

PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
REPORTER = "melder@trondheim.demo"
PASSWORD = "demo-avvik"


class _Upstream:
    """What Proxy needs of an application host: where it listens."""

    def __init__(self, bind: str) -> None:
        self.bind = bind


def _get(port: int, tls: ssl.SSLContext, path: str, headers: dict, body: str | None = None):
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=30)
    method = "POST" if body is not None else "GET"
    conn.request(method, path, body=body, headers={"Host": hosts.SERVER_NAME, **headers})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    headers = {k.lower(): v for k, v in response.getheaders()}
    headers["set-cookie"] = response.msg.get_all("Set-Cookie") or []
    return response.status, headers, data


def _cookies(headers: dict, jar: dict) -> None:
    for line in headers["set-cookie"]:
        name, _, value = line.split(";")[0].partition("=")
        jar[name.strip()] = value


def measure(port: int, tls: ssl.SSLContext) -> list[tuple[str, int, int]]:
    """The page and each file it names: bytes as sent (compressed as asked) and unpacked."""
    jar: dict[str, str] = {}
    base = {"User-Agent": PHONE}
    status, headers, page = _get(port, tls, "/logg-inn", base)
    _cookies(headers, jar)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    form = f"csrf_token={token}&email={REPORTER}&password={PASSWORD}"
    status, headers, _ = _get(
        port,
        tls,
        "/logg-inn",
        {
            **base,
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://{hosts.SERVER_NAME}:{port}/logg-inn",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        },
        body=form.replace("@", "%40"),
    )
    assert status in (302, 303), f"sign-in answered {status}"
    _cookies(headers, jar)
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    packed = {**base, "Accept-Encoding": "gzip, deflate, br", "Cookie": cookie}
    unpacked = {**packed, "Accept-Encoding": "identity"}
    status, _, html = _get(port, tls, "/avvik/nytt", unpacked)
    assert status == 200, f"the form answered {status}"
    files = ["/avvik/nytt"] + re.findall(
        r'(?:href|src)="(/(?:static|bootstrap/static)/[^"]+)"', html.decode()
    )
    sizes = []
    for path in files:
        status, headers, wire = _get(port, tls, path, packed)
        assert status == 200, (path, status)
        full = _get(port, tls, path, unpacked)[2]
        name = path.split("?")[0].rsplit("/", 1)[-1] or path
        sizes.append((f"{name} ({headers.get('content-encoding', 'none')})", len(wire), len(full)))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=hosts.ROOT, help="the checkout to serve")
    args = parser.parse_args()
    root = args.root.resolve()
    hosts.ROOT = root  # nginx serves /static/ from this checkout's app/static/
    python = Path(sys.executable)
    work = Path(tempfile.mkdtemp(prefix="avvik-weight-"))
    env = {
        **os.environ,
        "AVVIK_CONFIG": "development",
        "FLASK_APP": "app",
        "DATABASE_URL": f"sqlite:///{work}/avvik.db",
    }
    # `python -m` puts the working directory first on sys.path: the checkout's own app.
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run(
            [python, "-m", "flask", *command], cwd=root, env=env, check=True, capture_output=True
        )
    port = free_port()
    web = subprocess.Popen(
        [python, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=(work / "web.log").open("w"),
    )  # fmt: skip
    proxy = None
    try:
        hosts._wait_port("127.0.0.1", port, seconds=60)
        ca = hosts.make_certificates(work / "tls")
        upstream = _Upstream(f"127.0.0.1:{port}")
        proxy = hosts.Proxy([upstream, upstream], work / "tls")
        tls = ssl.create_default_context(cafile=str(ca))
        time.sleep(0.5)
        sizes = measure(proxy.https_port, tls)
    finally:
        if proxy is not None:
            proxy.stop()
        web.terminate()
        web.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    print(f"The filing form's first load on a phone, served from {root}\n")
    print("| file | on the wire | unpacked |\n|---|---:|---:|")
    for name, wire, full in sizes:
        print(f"| `{name}` | {wire:,} | {full:,} |")
    wire, full = sum(s[1] for s in sizes), sum(s[2] for s in sizes)
    print(f"| **in all** ({len(sizes)} requests) | **{wire:,}** | **{full:,}** |")


if __name__ == "__main__":
    main()
