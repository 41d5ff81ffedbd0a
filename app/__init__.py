"""Avvik: samhandlingsavvik between the hospital and the municipalities."""

from __future__ import annotations

import os

from flask import Flask

from config import CONFIGS, production_problems


class Avvik(Flask):
    def log_exception(self, exc_info) -> None:  # type: ignore[override]
        # Flask's own line names request.path, and a path can hold a password link's token;
        # the JSON log line adds the request id and the route (app/ops/logs.py).
        self.logger.error("unhandled exception", exc_info=exc_info)


def create_app(config_name: str | None = None, **overrides: object) -> Flask:
    # Fail closed: a server started without saying which configuration (for example
    # `gunicorn 'app:create_app()'`) gets production's, with its checks.
    config_name = config_name or os.environ.get("AVVIK_CONFIG") or "production"
    if config_name not in CONFIGS:
        raise RuntimeError(f"AVVIK_CONFIG must be one of {', '.join(CONFIGS)}, not {config_name!r}")

    app = Avvik(__name__, instance_relative_config=True)
    app.config.from_object(CONFIGS[config_name])
    app.config.update(overrides)
    if app.config.get("PRODUCTION") and (problems := production_problems(app.config)):
        # One line: gunicorn prints it as the reason the worker did not boot.
        raise RuntimeError("Avvik refuses to start in production: " + "; ".join(problems))

    from app import responses, setup
    from app.search.index import register_search_index

    setup.register_instance(app)
    setup.register_secret_key_rotation(app)
    setup.register_logging(app)
    setup.register_extensions(app)
    setup.register_database(app)
    register_search_index(app)  # the search documents follow every flush (app/search/index.py)
    setup.register_proxy(app)
    setup.register_sign_in(app)
    setup.register_patient_cipher(app)
    setup.register_i18n(app)
    setup.register_input_guards(app)
    setup.register_request_hooks(app)  # all of them, in their order, said there
    setup.register_blueprints(app)
    setup.register_template_helpers(app)
    responses.register_errorhandlers(app)
    setup.register_commands(app)
    return app
