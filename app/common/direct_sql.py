"""Hot-path statements compiled once per dialect and run on the DBAPI cursor of the session's
connection.

On SQLite every filing waits for the one write lock, so the time between a filing's first write
and its commit limits how many filings all workers together can do, and every page loads the
logged-in user. SQLAlchemy's execution path cost ~150 µs a statement around ~100 µs of SQLite
work. Here a statement is compiled by SQLAlchemy, for the connection's dialect, the first time
it runs; after that a run is the column types' own bind processors (so values are stored
exactly as SQLAlchemy stores them) and one ``cursor.execute``, in the session's transaction.

What this skips, and so what a statement here must not need: cursor-execute events, statement
logging, and result type processing unless a caller asks for it (otherwise what comes back is
the driver's own: integers and strings as they are, booleans as 0/1 on SQLite, an enum column
as its stored string, which a StrEnum compares equal to). Python-side column defaults for
columns a caller leaves out are filled in by ``DirectInsert``.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from app.extensions import db


def session_connection() -> Connection:
    """The session's connection, its pending ORM changes flushed first as ``Session.execute``
    would: the connection's own execute path (and this module's) has no autoflush."""
    db.session.flush()
    return db.session.connection()


class _Plan(NamedTuple):
    sql: str
    order: tuple[str, ...] | None  # positional paramstyles: the binds in SQL order
    # Per bind as the SQL names it: the caller's key (None for a literal the statement carries,
    # e.g. a role in a WHERE), that literal, and the type's bind processor.
    binds: tuple[tuple[str, str | None, Any, Callable | None], ...]
    row: type | None  # a SELECT's named tuple, a repeated column name renamed ``_N``
    results: tuple[Callable | None, ...]  # its columns' result processors


def _compile(statement: sa.Executable, dialect: Dialect) -> _Plan:
    compiled = statement.compile(dialect=dialect)
    binds = tuple(
        (
            compiled.bind_names[bind],
            bind.key if bind.value is None and not bind.callable else None,
            bind.effective_value,
            bind.type.dialect_impl(dialect).bind_processor(dialect),
        )
        for bind in compiled.binds.values()
    )
    order = tuple(compiled.positiontup) if compiled.positiontup is not None else None
    row, results = None, ()
    if isinstance(statement, sa.Select):
        columns = statement.selected_columns
        row = namedtuple("Row", [column.key for column in columns], rename=True)
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
    return _Plan(compiled.string, order, binds, row, results)


class DirectStatement:
    """``build(dialect)`` gives the statement, every value a named ``bindparam``."""

    def __init__(self, build: Callable[[Dialect], sa.Executable]) -> None:
        self._build = build
        self._plans: dict[object, _Plan] = {}

    def _plan(self, dialect: Dialect, values: Mapping[str, Any]) -> _Plan:
        plan = self._plans.get(dialect.name)
        if plan is None:
            plan = self._plans[dialect.name] = _compile(self._build(dialect), dialect)
        return plan

    def _cursor(self, connection: Connection, values: Mapping[str, Any]):
        plan = self._plan(connection.dialect, values)
        bound = {}
        for name, key, literal, process in plan.binds:
            value = values[key] if key is not None else literal
            bound[name] = process(value) if process is not None else value
        parameters = tuple(bound[name] for name in plan.order) if plan.order else bound
        cursor = connection.connection.cursor()
        cursor.execute(plan.sql, parameters)
        return plan, cursor

    def execute(self, connection: Connection, values: Mapping[str, Any]):
        """Run in the connection's transaction; returns the DBAPI cursor (fetch RETURNING)."""
        return self._cursor(connection, values)[1]

    def scalar(self, connection: Connection, values: Mapping[str, Any]) -> Any:
        cursor = self.execute(connection, values)
        try:
            return cursor.fetchone()[0]
        finally:
            cursor.close()

    def run(self, connection: Connection, values: Mapping[str, Any]) -> None:
        self.execute(connection, values).close()

    def rows(self, connection: Connection, values: Mapping[str, Any], typed: bool = False) -> list:
        """A SELECT's rows as named tuples, by the statement's column names. ``typed`` passes
        each value through its column type's result processor, as SQLAlchemy's own rows do:
        enums, booleans and datetimes as Python sees them."""
        plan, cursor = self._cursor(connection, values)
        try:
            found = cursor.fetchall()
        finally:
            cursor.close()
        if typed and any(plan.results):
            return [
                plan.row._make(
                    value if process is None else process(value)
                    for process, value in zip(plan.results, row, strict=True)
                )
                for row in found
            ]
        return [plan.row._make(row) for row in found]


class DirectInsert(DirectStatement):
    """An INSERT of the columns a call passes values for, the table's Python-side defaults
    filling in the rest. The columns come from the values themselves, so a value added at the
    caller cannot be dropped silently; ``columns``, if given, is checked against the table here.
    """

    def __init__(
        self, table: sa.Table, columns: tuple[str, ...] | None = None, returning: str | None = None
    ) -> None:
        if columns is not None:
            _check_columns(table, columns)
        self._table, self._returning = table, returning
        self._defaults: dict[tuple[str, ...], dict[str, Callable[[], Any]]] = {}
        super().__init__(self._insert)

    def _insert(self, names: tuple[str, ...]) -> sa.Executable:
        table = self._table
        statement = sa.insert(table).values(
            {name: sa.bindparam(name, type_=table.c[name].type) for name in names}
        )
        return statement.returning(table.c[self._returning]) if self._returning else statement

    def _plan(self, dialect: Dialect, values: Mapping[str, Any]) -> _Plan:
        names = tuple(values)
        plan = self._plans.get((dialect.name, names))
        if plan is None:
            _check_columns(self._table, names)
            plan = self._plans[dialect.name, names] = _compile(self._insert(names), dialect)
        return plan

    def execute(self, connection: Connection, values: Mapping[str, Any]):
        given = tuple(values)
        defaults = self._defaults.get(given)
        if defaults is None:
            defaults = self._defaults[given] = _python_defaults(self._table, given)
        if defaults:
            values = {**values, **{name: make() for name, make in defaults.items()}}
        return super().execute(connection, values)


def _check_columns(table: sa.Table, columns: tuple[str, ...]) -> None:
    unknown = set(columns) - set(table.c.keys())
    if unknown:
        raise ValueError(f"{table.name} has no column {sorted(unknown)}")


def _python_defaults(table: sa.Table, given: tuple[str, ...]) -> dict[str, Callable[[], Any]]:
    defaults: dict[str, Callable[[], Any]] = {}
    for column in table.c:
        if column.key in given or column.default is None:
            continue
        default = column.default
        if default.is_scalar:
            defaults[column.key] = lambda arg=default.arg: arg
        elif default.is_callable:
            defaults[column.key] = lambda arg=default.arg: arg(None)
        else:  # a sequence or SQL expression: leave such columns to SQLAlchemy
            raise ValueError(f"{table.name}.{column.key}: default needs SQLAlchemy")
    return defaults
