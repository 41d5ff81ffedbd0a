"""SQL pieces the features share, below all of them (statistics and search use ``unindexed``)."""

from __future__ import annotations

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class unindexed(FunctionElement):
    """The column itself, written ``+column`` on SQLite: a term its planner will not drive the
    query from (https://sqlite.org/optoverview.html#disqualifying_where_clause_terms_using_unary_).
    Without statistics (no ANALYZE) SQLite otherwise picks an index on an open-ended range or on
    the scope's organisation and reads hundreds of thousands of table rows."""

    inherit_cache = True

    def __init__(self, column: ColumnElement[object]) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _unindexed(element: unindexed, compiler: SQLCompiler, **kw: object) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: SQLCompiler, **kw: object) -> str:
    return "+" + compiler.process(element.clauses, **kw)
