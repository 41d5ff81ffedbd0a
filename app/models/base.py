"""Declarative base, shared column types and enum helper."""

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic's batch mode rebuild SQLite tables and drop them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Stores naive UTC, hands back aware UTC: SQLite keeps no offset, PostgreSQL needs none."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def enum_column(enum_cls: type[StrEnum], name: str) -> sa.Enum:
    """A VARCHAR with a CHECK constraint holding the enum's *values*, so SQL and pandas see them."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class TwoLanguageName:
    """A name an admin enters in Norwegian and, optionally, in English (``name_en``): an English
    reader sees the English one where there is one, everyone else the Norwegian. Names stored in
    history, exports and CSV imports stay the Norwegian ones."""

    name: str
    name_en: str | None

    def name_in(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name

    @classmethod
    def name_column(cls, language: str) -> sa.ColumnElement[str]:
        """The same choice in SQL, for queries that select names rather than objects."""
        if language == "en":
            return sa.func.coalesce(cls.name_en, cls.name)  # type: ignore[attr-defined]
        return cls.name  # type: ignore[attr-defined,return-value]
