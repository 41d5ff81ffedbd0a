"""The reliability suite: Avvik under load, faults and bad input, checked in the database.

    make reliability                         # every scenario on SQLite (WAL) and PostgreSQL
    .venv/bin/python -m reliability --only filing,crash --database sqlite

Each scenario starts the real app under gunicorn (4 workers) on a free port of 127.0.0.1
against a database of its own (a copy of one prepared once per run: migrations, seed and the
accounts in reliability/accounts.py), drives it with HTTP clients in threads (http.client,
loopback only), then reads the database itself. It prints, per scenario and database, the
requests made, how many succeeded, were refused with a message or failed with a server error,
and the deviations and mails lost or doubled; the exit status is 1 if any target was missed.

Not part of `make test`: it restarts the local PostgreSQL server and takes minutes. Work files
(gunicorn's JSON logs, the SQLite files) are kept in instance/reliability/ until the next run.
See docs/reliability.md.
"""
