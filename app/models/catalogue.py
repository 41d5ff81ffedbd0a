"""The reference lists a deviation is filed against: its categories and the agreements it may
cite. An admin keeps them (app/admin); a retired entry is inactive, never deleted."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, TwoLanguageName


class Category(TwoLanguageName, Base):
    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    # Shown to English readers; None shows the Norwegian name (TwoLanguageName).
    name_en: Mapped[str | None] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())


class Agreement(TwoLanguageName, Base):
    """A clause of the samarbeidsavtale or a tjenesteavtale that a deviation may cite."""

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
