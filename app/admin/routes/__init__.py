"""Administration pages: parse → permission check → one service call → one commit → render.

One blueprint (``admin``, in blueprint.py) and one module of pages per resource. Importing
this package imports them all, so every page is on ``bp`` before the app registers it.
"""

# Imported for what importing does: each module adds its pages to bp.
from app.admin.routes import (  # noqa: F401
    admin_log,
    lists,
    organisations,
    security_log,
    units,
    users,
)
from app.admin.routes.blueprint import bp

__all__ = ["bp"]
