"""Statements of the filing's write transaction, compiled once per dialect and run on the DBAPI
cursor of the session's connection.

On SQLite every filing waits for the one write lock, so the time between a filing's first write
and its commit limits how many filings all workers together can do. SQLAlchemy's execution
path cost ~150 µs a statement around ~100 µs of SQLite work. Here a statement is compiled by
SQLAlchemy, for the connection's dialect, the first time it runs; after that a run is the
column types' own bind processors (so values are stored exactly as SQLAlchemy stores them) and
one ``cursor.execute``, in the session's transaction.

What this skips, and so what a statement here must not need: cursor-execute events, statement
logging, result type processing unless a caller asks for it (otherwise what comes back is the
driver's own: integers and strings as they are, booleans as 0/1 on SQLite, an enum column as its
stored string, which a StrEnum compares equal to) and Python-side column defaults for columns a caller leaves out
(``DirectInsert`` fills those in itself).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

_Build = Callable[[Dialect], sa.Executable]


class DirectStatement:
    """``build(dialect)`` gives the statement, every value a named ``bindparam``."""

    def __init__(self, build: _Build) -> None:
        self._build = build
        self._plans: dict[str, tuple[str, tuple[str, ...] | None, tuple]] = {}
        self._row_types: dict[str, tuple] = {}

    def _plan(self, dialect: Dialect):
        plan = self._plans.get(dialect.name)
        if plan is None:
            compiled = self._build(dialect).compile(dialect=dialect)
            # Per bind as the SQL names it: the caller's key (None for a literal the statement
            # carries, e.g. a role in a WHERE), that literal, and the type's bind processor.
            binds = tuple(
                (
                    name,
                    bind.key if bind.value is None and not bind.callable else None,
                    bind.effective_value,
                    bind.type.dialect_impl(dialect).bind_processor(dialect),
                )
                for name, bind in ((compiled.bind_names[b], b) for b in compiled.binds.values())
            )
            order = tuple(compiled.positiontup) if compiled.positiontup is not None else None
            plan = self._plans[dialect.name] = (compiled.string, order, binds)
        return plan

    def execute(self, connection: Connection, values: Mapping[str, Any]):
        """Run in the connection's transaction; returns the DBAPI cursor (fetch RETURNING)."""
        sql, order, binds = self._plan(connection.dialect)
        bound = {}
        for name, key, literal, process in binds:
            value = values[key] if key is not None else literal
            bound[name] = process(value) if process is not None else value
        parameters = tuple(bound[name] for name in order) if order is not None else bound
        cursor = connection.connection.cursor()
        cursor.execute(sql, parameters)
        return cursor

    def scalar(self, connection: Connection, values: Mapping[str, Any]) -> Any:
        cursor = self.execute(connection, values)
        try:
            return cursor.fetchone()[0]
        finally:
            cursor.close()

    def run(self, connection: Connection, values: Mapping[str, Any]) -> None:
        self.execute(connection, values).close()

    def rows(self, connection: Connection, values: Mapping[str, Any], typed: bool = False) -> list:
        """A SELECT's rows as named tuples, by the statement's column names (a repeated name
        becomes ``_N``). ``typed`` passes each value through its column type's result
        processor, as SQLAlchemy's own rows do: enums, booleans and datetimes as Python sees
        them."""
        cursor = self.execute(connection, values)
        try:
            found = cursor.fetchall()
        finally:
            cursor.close()
        row, processors = self._row_plan(connection.dialect)
        if typed and any(processors):
            return [
                row._make(
                    value if process is None else process(value)
                    for process, value in zip(processors, values, strict=True)
                )
                for values in found
            ]
        return [row._make(values) for values in found]

    def _row_plan(self, dialect: Dialect):
        plan = self._row_types.get(dialect.name)
        if plan is None:
            columns = self._build(dialect).selected_columns
            row = namedtuple("Row", [column.key for column in columns], rename=True)
            processors = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in columns
            )
            plan = self._row_types[dialect.name] = (row, processors)
        return plan


class DirectInsert(DirectStatement):
    """An INSERT of the given columns, the table's Python-side defaults filling in the rest."""

    def __init__(self, table: sa.Table, columns: tuple[str, ...], returning: str | None = None):
        unknown = set(columns) - set(table.c.keys())
        if unknown:
            raise ValueError(f"{table.name} has no column {sorted(unknown)}")
        self._defaults: dict[str, Callable[[], Any]] = {}
        for column in table.c:
            if column.key in columns or column.default is None:
                continue
            default = column.default
            if default.is_scalar:
                self._defaults[column.key] = lambda arg=default.arg: arg
            elif default.is_callable:
                self._defaults[column.key] = lambda arg=default.arg: arg(None)
            else:  # a sequence or SQL expression: leave such columns to SQLAlchemy
                raise ValueError(f"{table.name}.{column.key}: default needs SQLAlchemy")
        names = (*columns, *self._defaults)

        def build(dialect: Dialect) -> sa.Executable:
            statement = sa.insert(table).values(
                {name: sa.bindparam(name, type_=table.c[name].type) for name in names}
            )
            return statement.returning(table.c[returning]) if returning else statement

        super().__init__(build)

    def execute(self, connection: Connection, values: Mapping[str, Any]):
        if self._defaults:
            values = {**{k: make() for k, make in self._defaults.items()}, **values}
        return super().execute(connection, values)
