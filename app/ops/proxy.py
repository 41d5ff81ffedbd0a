"""X-Forwarded-* believed only from the reverse proxy's own address.

Werkzeug's ProxyFix trusts the headers from whoever sends them. With the app reachable by any
other way than through the proxy (a second network, a misrouted port), a client could name its
own address in X-Forwarded-For and so walk past the per-address limits and into the security
log as someone else. So the headers are used only when the connection comes from one of the
configured addresses, and removed from every other request before anything reads them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDED_HEADERS = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
)


class TrustedProxyFix:
    def __init__(self, app, hops: int, addresses: Iterable[str]) -> None:
        self.app = app
        self.fixed = ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops)
        # An empty list trusts nobody: fail closed (production refuses to start so).
        self.networks = [ipaddress.ip_network(a.strip(), strict=False) for a in addresses]

    def trusted(self, remote: str | None) -> bool:
        try:
            address = ipaddress.ip_address(remote or "")
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def __call__(self, environ, start_response):
        if self.trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        for name in FORWARDED_HEADERS:
            environ.pop(name, None)
        return self.app(environ, start_response)
