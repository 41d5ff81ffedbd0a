"""The search page: one blueprint, ``search``.

- blueprint: the blueprint
- pages: the search page (/sok)
"""

# Importing the view modules registers their routes on bp.
from app.search.routes import pages  # noqa: F401
from app.search.routes.blueprint import bp

__all__ = ["bp"]
