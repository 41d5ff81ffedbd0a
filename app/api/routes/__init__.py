"""The API's routes; importing the package registers every operation on the blueprint."""

from app.api import webhooks  # noqa: F401  (registers the flush listener)
from app.api.routes import (  # noqa: F401
    deviations,
    hooks,
    learning,
    reference,
    statistics,
    writes,
)
from app.api.routes.blueprint import bp, docs_bp, register
from app.api.routes.clients import admin_bp


def register_admin(app) -> None:  # type: ignore[no-untyped-def]
    app.register_blueprint(admin_bp)


__all__ = ["admin_bp", "bp", "docs_bp", "register", "register_admin"]
