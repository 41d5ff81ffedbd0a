"""The database a scenario runs against: a SQLite file in WAL mode, or a PostgreSQL database
of its own on the local server. One is prepared per kind and run (migrations, seed, accounts)
and each scenario works on a copy of it, so scenarios never see each other's rows."""

from __future__ import annotations

import os
import sqlite3
import uuid
from contextlib import closing

import psycopg
from sqlalchemy.engine import make_url

from reliability.environment import WORK, app_env, flask, python_module

PG_SERVER = os.environ.get("AVVIK_RELIABILITY_PG", "postgresql://postgres@127.0.0.1:5432/test")
KINDS = ("sqlite", "postgresql")


def pg_execute(statement: str) -> None:
    with psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)


class Database:
    def __init__(self, kind: str, name: str) -> None:
        self.kind = kind
        self.name = name
        if kind == "sqlite":
            self.path = WORK / f"{name}.db"
            self.url = f"sqlite:///{self.path}"
        else:
            self.path = None
            self.url = (
                make_url(PG_SERVER)
                .set(drivername="postgresql+psycopg", database=name)
                .render_as_string(hide_password=False)
            )

    @property
    def conninfo(self) -> str:
        return make_url(PG_SERVER).set(database=self.name).render_as_string(hide_password=False)

    @classmethod
    def prepared(cls, kind: str) -> Database:
        """Migrated with `flask db upgrade`, seeded, with the demo and the scenarios' accounts."""
        database = cls(kind, f"avvik_reliability_{uuid.uuid4().hex[:8]}_template")
        if kind == "postgresql":
            pg_execute(f'CREATE DATABASE "{database.name}"')
        env = app_env(database.url)
        flask(env, "db", "upgrade")
        python_module(env, "reliability.prepare")
        return database

    def copy(self, label: str) -> Database:
        copy = Database(self.kind, f"avvik_reliability_{uuid.uuid4().hex[:8]}_{label}")
        if self.kind == "sqlite":
            with (
                closing(sqlite3.connect(self.path)) as src,
                closing(sqlite3.connect(copy.path)) as dst,
            ):
                src.backup(dst)
        else:
            pg_execute(f'CREATE DATABASE "{copy.name}" TEMPLATE "{self.name}"')
        return copy

    def drop(self) -> None:
        if self.kind == "postgresql":
            pg_execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the database itself, not through the app. ``?`` placeholders on both."""
        if self.kind == "sqlite":
            with closing(sqlite3.connect(self.path, timeout=30)) as conn:
                return conn.execute(sql, params).fetchall()
        with psycopg.connect(self.conninfo, connect_timeout=10) as conn:
            return conn.execute(sql.replace("?", "%s"), params).fetchall()

    def scalar(self, sql: str, params: tuple = ()) -> object:
        return self.rows(sql, params)[0][0]

    def journal_mode(self) -> str | None:
        return self.scalar("PRAGMA journal_mode") if self.kind == "sqlite" else None
