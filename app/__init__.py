"""Avvik: samhandlingsavvik between the hospital and the municipalities."""

from __future__ import annotations

import os

from flask import Flask

from config import CONFIGS


class Avvik(Flask):
    def log_exception(self, exc_info) -> None:  # type: ignore[override]
        # Flask's own line names request.path, and a path can hold a password link's token;
        # the JSON log line adds the request id and the route (app/ops/logs.py).
        self.logger.error("unhandled exception", exc_info=exc_info)


def create_app(config_name: str | None = None, **overrides: object) -> Flask:
    config_name = config_name or os.environ.get("AVVIK_CONFIG", "development")
    config_cls = CONFIGS[config_name]
    if config_name == "production":
        config_cls.check()  # type: ignore[attr-defined]

    app = Avvik(__name__, instance_relative_config=True)
    app.config.from_object(config_cls)
    app.config.update(overrides)

    from app import setup

    setup.register_instance(app)
    setup.register_logging(app)
    setup.register_extensions(app)
    setup.register_database(app)
    setup.register_patient_cipher(app)
    setup.register_i18n(app)
    setup.register_input_guards(app)
    setup.register_blueprints(app)
    setup.register_template_helpers(app)
    setup.register_errorhandlers(app)
    setup.register_security_headers(app)
    setup.register_commands(app)
    return app
