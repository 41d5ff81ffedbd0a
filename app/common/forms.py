"""Form pieces every feature's forms share: optional ids, length limits, the identity check."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import Length, ValidationError

from app.common.identity import find_in_text


def optional_int(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)  # type: ignore[arg-type]


class NoIdentityNumber:
    """Refuses free text holding a fødselsnummer or D-nummer: identity has its own field."""

    def __call__(self, form: FlaskForm, field: object) -> None:
        if find_in_text(field.data):  # type: ignore[attr-defined]
            raise ValidationError(
                _l(
                    "Teksten ser ut til å inneholde et fødselsnummer eller D-nummer. "
                    "Fjern det her – pasientens identitet skal bare stå i feltet "
                    "«Pasientens fødselsnummer»."
                )
            )


class MaxLength(Length):
    def __init__(self, limit: int) -> None:
        super().__init__(max=limit, message=_l("Teksten er for lang: høyst %(max)d tegn."))
