"""Pages that belong to no feature: one blueprint, ``main``.

- blueprint: the blueprint
- pages: the start page and the accessibility statement

(The benchmark's bare endpoint, app/main/bench.py, is a blueprint of its own, registered only
when BENCH_ENDPOINT is set.)
"""

# Importing the view modules registers their routes on bp.
from app.main.routes import pages  # noqa: F401
from app.main.routes.blueprint import bp

__all__ = ["bp"]
