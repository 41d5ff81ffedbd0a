"""gunicorn reads this file from the working directory: `gunicorn "app:create_app()"`."""

import gc


def post_worker_init(worker):
    # Everything loaded so far (Flask, SQLAlchemy's mappers, the translations) lives as long as
    # the worker. Frozen, the collector stops walking it: full collections took 50-100 ms at
    # random requests and were the inbox's slowest answers; they now take about 2 ms.
    gc.collect()
    gc.freeze()
