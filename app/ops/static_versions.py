"""A content hash on every static file's URL: ``url_for('static', filename='build/avvik.css')``
gives ``/static/build/avvik.css?v=<12 hex of its SHA-256>`` (the stylesheet `make install`
builds, hashed as built), and Bootstrap-Flask's scripts the same.

The reverse proxy (deploy/nginx/avvik.conf) serves such URLs from disk with a year's cache and
``immutable``: a release that changes a file changes its URL, so no browser keeps an old copy,
and one that does not change it costs phones nothing. A URL without ``v`` keeps Flask's one
hour. Flask's own mechanism for this is a URL default (the "URL Processors" chapter of its
documentation); the file names stay as they are, so nothing at install time renames files
and a template still names the file it means.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import Flask


@lru_cache(maxsize=512)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:12]


def version(folder: str | None, filename: str) -> str | None:
    """The file's short content hash, computed once per content (its modification time and
    size are the cache key, so a developer's edit shows at once); None for no such file."""
    if not folder:
        return None
    path = os.path.join(folder, filename)
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def register(app: Flask) -> None:
    @app.url_defaults
    def _static_version(endpoint: str, values: dict) -> None:
        if "filename" not in values or "v" in values:
            return
        if endpoint == "static":
            folder = app.static_folder
        elif endpoint.endswith(".static") and (bp := app.blueprints.get(endpoint[:-7])):
            folder = bp.static_folder
        else:
            return
        if (digest := version(folder, values["filename"])) is not None:
            values["v"] = digest
