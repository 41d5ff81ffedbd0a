"""The data protection officer's forms: shapes and the messages beside each field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.common.identity import is_valid, normalise


class PatientSearchForm(FlaskForm):
    number = StringField(
        _l("Pasientens fødselsnummer, D-nummer eller H-nummer"),
        validators=[
            DataRequired(_l("Skriv nummeret du vil søke etter.")),
            Length(max=40, message=_l("Et fødselsnummer har 11 sifre.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Søk"))

    def validate_number(self, field: StringField) -> None:
        if field.data and not is_valid(normalise(field.data)):
            raise ValidationError(
                _l(
                    "Dette er ikke et gyldig fødselsnummer, D-nummer eller H-nummer. "
                    "Sjekk at alle 11 sifrene stemmer."
                )
            )


class LogFilterForm(FlaskForm):
    """A GET form: filters in the address, no token needed."""

    class Meta:
        csrf = False

    email = StringField(_l("Bruker (e-postadresse)"), validators=[Optional(), Length(max=254)])
    reference = StringField(
        _l("Saksnummer (AV-ÅÅÅÅ-NNNNN)"), validators=[Optional(), Length(max=20)]
    )
