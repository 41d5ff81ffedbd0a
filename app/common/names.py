"""Names an admin enters in two languages (categories, agreements, units), in the reader's.

One place decides which name a reader sees: the English one for an English reader where there is
one, else the Norwegian (``TwoLanguageName`` on the models). Pages, form choices and the
statistics call these; history, mails' stored texts, exports and the CSV importer keep the
Norwegian name, which is the name the data is kept under.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import get_locale

from app.extensions import db
from app.models import Unit
from app.models.base import TwoLanguageName
from app.models.organisation import unit_paths


def language() -> str:
    """The reader's language code, "nb" outside a request or a forced locale."""
    locale = get_locale()
    return locale.language if locale is not None else "nb"


def localized_name(obj: TwoLanguageName | None, lang: str | None = None) -> str:
    """A category's, agreement's or unit's name in the reader's language ("" for None)."""
    if obj is None:
        return ""
    return obj.name_in(lang or language())


def unit_path(unit: Unit | None, lang: str | None = None) -> str:
    """'Klinikk › Avdeling' in the reader's language ("" for None)."""
    if unit is None:
        return ""
    return unit.path_in(lang or language())


def name_column(model: type[TwoLanguageName], lang: str | None = None) -> sa.ColumnElement[str]:
    """The name in the reader's language, as a column for queries that select names."""
    return model.name_column(lang or language())


def all_unit_paths(lang: str | None = None) -> dict[int, str]:
    """Every unit's "Klinikk › Avdeling" by id, in the reader's language (or ``lang``), from
    the whole unit table in one query: a path needs its parents, and the table is small."""
    return unit_paths(
        db.session.execute(sa.select(Unit.id, Unit.parent_id, name_column(Unit, lang))).all()
    )
