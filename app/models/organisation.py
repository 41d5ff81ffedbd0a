"""Organisations of the helsefellesskap and their unit trees."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TwoLanguageName, enum_column

# Days an organisation has to answer, until an admin sets its own.
DEFAULT_RESPONSE_DAYS = 14
MOTTAK_PHONE_MAX = 20


class OrgKind(StrEnum):
    KOMMUNE = "kommune"
    SYKEHUS = "sykehus"
    ANNET = "annet"


class Organisation(Base):
    __tablename__ = "organisation"
    __table_args__ = (
        sa.CheckConstraint("response_days > 0", name="response_days_positive"),
        # The helsefellesskap names at most one fallback mottak: the database holds it to one.
        sa.Index(
            "uq_organisation_fallback_mottak",
            "fallback_mottak",
            unique=True,
            sqlite_where=sa.text("fallback_mottak"),
            postgresql_where=sa.text("fallback_mottak"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind, "org_kind"))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    response_days: Mapped[int] = mapped_column(
        default=DEFAULT_RESPONSE_DAYS, server_default=str(DEFAULT_RESPONSE_DAYS)
    )
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    # Enhetsregisteret's 9-digit number: how a shared OpenID provider names the organisation.
    org_number: Mapped[str | None] = mapped_column(sa.String(9), unique=True)
    # Its users sign in only through an OpenID provider, never with a password.
    sso_only: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Its mottak receives, at once, the cases filed to an organisation whose mottak nobody
    # staffs (app/handling/fallback.py). Chosen by an admin; at most one (the index above).
    fallback_mottak: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The mottak's telephone: the filing form tells a reporter of a serious event to call it.
    mottak_phone: Mapped[str | None] = mapped_column(sa.String(MOTTAK_PHONE_MAX))

    units: Mapped[list[Unit]] = relationship(
        back_populates="organisation", order_by="Unit.name", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"


class Unit(TwoLanguageName, Base):
    __tablename__ = "unit"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    # Shown to English readers; None shows the Norwegian name (TwoLanguageName).
    name_en: Mapped[str | None] = mapped_column(sa.String(120))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    organisation: Mapped[Organisation] = relationship(back_populates="units")
    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    @property
    def path(self) -> str:
        """'Klinikk › Avdeling', the way staff name a unit."""
        return self.path_in("nb")

    def path_in(self, language: str) -> str:
        """The path in ``language``: each level's English name where it has one."""
        names = []
        unit: Unit | None = self
        while unit is not None:
            names.append(unit.name_in(language))
            unit = unit.parent
        return " › ".join(reversed(names))

    def __repr__(self) -> str:
        return f"<Unit {self.name}>"


def unit_paths(rows: Iterable[tuple[int, int | None, str]]) -> dict[int, str]:
    """Unit.path for every (id, parent_id, name) row at once, from plain columns."""
    parents = {unit_id: (parent_id, name) for unit_id, parent_id, name in rows}
    paths = {}
    for unit_id in parents:
        names: list[str] = []
        current: int | None = unit_id
        # A parent outside the rows ends the path; 20 levels guard against a cycle.
        while current is not None and current in parents and len(names) < 20:
            current, name = parents[current]
            names.append(name)
        paths[unit_id] = " › ".join(reversed(names))
    return paths
