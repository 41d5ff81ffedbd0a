"""Names of organisations, units and list items: tidied, bounded and unique."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.common.errors import ServiceError
from app.extensions import db
from reports.cells import looks_like_formula

NAME_MAX = 120


def clean_name(value: str, field: str = "name", limit: int = NAME_MAX) -> str:
    """The name with its whitespace collapsed, refused when empty or longer than ``limit``."""
    name = " ".join((value or "").split())
    if not name:
        raise ServiceError(_l("Skriv inn et navn."), field, "required")
    if len(name) > limit:
        raise ServiceError(_l("Navnet er for langt."), field, "too_long")
    if looks_like_formula(name):
        # Names travel into the CSV and XLSX downloads, where this would start a formula.
        raise ServiceError(
            _l(
                "Navnet kan ikke begynne med =, +, - eller @: et regneark kunne lest det som en formel."
            ),
            field,
            "formula",
        )
    return name


def clean_english_name(value: str | None, limit: int = NAME_MAX) -> str | None:
    """The optional English name, tidied as ``clean_name`` does; None when left empty."""
    if not (value or "").strip():
        return None
    return clean_name(value, "name_en", limit)


def require_unique_name(name: str, others: sa.Select) -> None:
    """Refuse ``name`` when one of the names ``others`` selects equals it, ignoring case."""
    # Compared in Python: SQLite's lower() leaves Æ, Ø and Å as they are.
    wanted = name.casefold()
    if any(other.casefold() == wanted for other in db.session.scalars(others)):
        raise ServiceError(_l("Navnet er allerede i bruk."), "name", "taken")


def require_unique_names(name: str, name_en: str | None, others: sa.Select) -> None:
    """Refuse a Norwegian name another entry has, and an English name another entry carries in
    either language: English readers tell the entries apart by it, and the statistics count by
    the name shown. ``others`` selects the other entries' (name, name_en), read once."""
    rows = db.session.execute(others).all()
    wanted = name.casefold()
    if any(row[0].casefold() == wanted for row in rows):
        raise ServiceError(_l("Navnet er allerede i bruk."), "name", "taken")
    if name_en is None:
        return
    wanted = name_en.casefold()
    if any(other and other.casefold() == wanted for row in rows for other in row):
        raise ServiceError(_l("Navnet er allerede i bruk."), "name_en", "taken")
