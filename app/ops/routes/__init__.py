"""Operations' endpoints: one blueprint, ``ops``.

- blueprint: the blueprint
- pages: ``GET /helse`` for load balancers and monitoring
"""

# Importing the view modules registers their routes on bp.
from app.ops.routes import pages  # noqa: F401
from app.ops.routes.blueprint import bp

__all__ = ["bp"]
