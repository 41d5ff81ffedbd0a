"""Good stories (/gode-historier), lessons (/laering/…) and the Læring page (/laering)."""

from app.learning.routes import community, lessons, stories  # noqa: F401  (views on bp)
from app.learning.routes.blueprint import bp

__all__ = ["bp"]
