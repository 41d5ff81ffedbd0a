"""gunicorn reads this file from the working directory: `gunicorn "app:create_app()"`."""

import gc

# gunicorn's own lines (start, workers booting and dying) as JSON lines on stderr, like the
# app's (app/ops/logs.py). No access log: the app writes one line per request itself, with
# the route's pattern instead of the path and query (which can hold tokens and search text).
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "app.ops.logs.JsonFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    # Anything else that logs (a library's warning) comes out as JSON on stderr too.
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}


def post_worker_init(worker):
    # Everything loaded so far (Flask, SQLAlchemy's mappers, the translations) lives as long as
    # the worker. Frozen, the collector stops walking it: full collections took 50-100 ms at
    # random requests and were the inbox's slowest answers; they now take about 2 ms.
    gc.collect()
    gc.freeze()
