"""Sign-in pages: parse → one service call → one commit → render.

One blueprint (``auth``, in blueprint.py) and one module of pages per concern. Importing this
package imports them all, so every page is on ``bp`` before the app registers it.
"""

# Imported for what importing does: each module adds its pages to bp.
from app.auth.routes import account, keep_alive, links, login, single_sign_on  # noqa: F401
from app.auth.routes.blueprint import bp

__all__ = ["bp"]
