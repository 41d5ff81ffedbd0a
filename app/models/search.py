"""The search document of each deviation: derived data for the full-text search.

One row per deviation, written by app/search/index.py whenever the deviation's searchable text
changes (title, description, what was done, the suggestion, the response, and the thread's
messages; never internal notes, which not everyone who may see the case may read).

- PostgreSQL: ``document`` is a tsvector of the text in the ``norwegian`` configuration, with a
  GIN index.
- SQLite: ``document`` holds the text's Norwegian stems (app/search/text.py), and the FTS5 table
  ``deviation_fts`` indexes it as an external-content table. The three triggers below are the
  ones SQLite's FTS5 documentation gives for keeping such an index in step with its content
  table, so any write to ``deviation_search`` (the app's, a console's) updates the index.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

FTS_TABLE = "deviation_fts"

# detail=none: the index knows which deviations hold a word, not where (no phrase search,
# which the search does not offer); a fraction of the size and faster to update.
# columnsize=0: no per-row sizes, which only ranking would read.
_INSERT = f"INSERT INTO {FTS_TABLE}(rowid, document) VALUES (new.deviation_id, new.document);"
_DELETE = (
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, document) "
    "VALUES ('delete', old.deviation_id, old.document);"
)
SQLITE_FTS = [
    (
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(document, content='deviation_search', "
        "content_rowid='deviation_id', tokenize='unicode61 remove_diacritics 0', detail=none, "
        "columnsize=0)"
    ),
    f"CREATE TRIGGER deviation_search_ai AFTER INSERT ON deviation_search BEGIN {_INSERT} END",
    f"CREATE TRIGGER deviation_search_ad AFTER DELETE ON deviation_search BEGIN {_DELETE} END",
    (
        "CREATE TRIGGER deviation_search_au AFTER UPDATE ON deviation_search "
        f"BEGIN {_DELETE} {_INSERT} END"
    ),
]
SQLITE_FTS_DROP = f"DROP TABLE IF EXISTS {FTS_TABLE}"

SEARCH_DOCUMENT = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")


class DeviationSearch(Base):
    __tablename__ = "deviation_search"
    __table_args__ = (
        # Only on PostgreSQL (SQLite has FTS5); migrations/env.py compares it only there.
        sa.Index(
            "ix_deviation_search_document",
            "document",
            postgresql_using="gin",
            info={"dialect": "postgresql"},
        ).ddl_if(dialect="postgresql"),
    )

    deviation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("deviation.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    document: Mapped[str] = mapped_column(SEARCH_DOCUMENT)


def is_fts_table(name: str) -> bool:
    """FTS5's virtual table and its shadow tables (deviation_fts_data, …): not in the models,
    so Alembic's comparison leaves them out (migrations/env.py)."""
    return name == FTS_TABLE or name.startswith(f"{FTS_TABLE}_")


# So that create_all (tests, a new database) builds the index as the migration does.
_table = DeviationSearch.__table__
for _statement in SQLITE_FTS:
    event.listen(_table, "after_create", sa.DDL(_statement).execute_if(dialect="sqlite"))
event.listen(_table, "before_drop", sa.DDL(SQLITE_FTS_DROP).execute_if(dialect="sqlite"))
