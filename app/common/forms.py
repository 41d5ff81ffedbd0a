"""Form pieces every feature's forms share: the base form, optional ids, length limits, the
identity check."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import Length, ValidationError

from app.common.identity import find_in_text
from app.common.ids import parse_id
from app.common.text import strip_control_characters


class AvvikForm(FlaskForm):
    """The base of every form: each field's text is cleaned of control characters before any
    validator sees it (WTForms' documented way to give every field a default filter)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [strip_control_characters, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, filters=filters, **options)


def optional_int(value: object) -> int | None:
    """A select's id: empty is None; anything but an id the database can hold is refused
    (ValueError: WTForms shows the field's own message)."""
    if value in (None, "", "None"):
        return None
    number = parse_id(value)
    if number is None:
        raise ValueError(value)
    return number


class NoIdentityNumber:
    """Refuses free text holding a fødselsnummer or D-nummer: identity has its own field."""

    def __call__(self, form: FlaskForm, field: object) -> None:
        # A text already refused (too long) is not scanned: it cannot be stored anyway, and a
        # long text is the expensive one to scan.
        if field.errors:  # type: ignore[attr-defined]
            return
        if find_in_text(field.data):  # type: ignore[attr-defined]
            raise ValidationError(
                _l(
                    "Teksten ser ut til å inneholde et fødselsnummer eller D-nummer. "
                    "Fjern det her – pasientens identitet skal bare stå i feltet "
                    "«Pasientens fødselsnummer»."
                )
            )


class PickListField(SelectField):
    """A select whose value is no longer among its choices (the lists changed since the page
    was loaded, or the value was tampered with) gets a Norwegian message: WTForms' own is
    English. (The filing form leaves the check to the filing service, which reads each chosen
    row anyway, so a filing does not load the lists.)"""

    def pre_validate(self, form: FlaskForm) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_l("Valget finnes ikke lenger. Velg på nytt.")) from None


class MaxLength(Length):
    def __init__(self, limit: int) -> None:
        super().__init__(max=limit, message=_l("Teksten er for lang: høyst %(max)d tegn."))
