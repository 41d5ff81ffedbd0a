"""The data protection officer's forms: shapes and the messages beside each field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
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


class CorrectPatientForm(FlaskForm):
    """Rectification: the patient number the case should have had."""

    patient_id = StringField(
        _l("Riktig fødselsnummer eller D-nummer"),
        validators=[
            DataRequired(_l("Skriv det riktige nummeret.")),
            Length(max=40, message=_l("Et fødselsnummer har 11 sifre.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Rett nummeret"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        # Two forms on the case page: prefixed, so their ids never meet.
        kwargs.setdefault("prefix", "pasient")
        super().__init__(*args, **kwargs)

    def validate_patient_id(self, field: StringField) -> None:
        if field.data and not is_valid(normalise(field.data)):
            raise ValidationError(
                _l(
                    "Dette er ikke et gyldig fødselsnummer eller D-nummer. "
                    "Sjekk at alle 11 sifrene stemmer."
                )
            )


class RedactForm(FlaskForm):
    """Rectification: a passage to remove from the case's texts, messages and history."""

    passage = TextAreaField(
        _l("Tekst som skal fjernes"),
        validators=[
            DataRequired(_l("Skriv teksten som skal fjernes, minst to tegn.")),
            Length(max=2000, message=_l("Teksten kan ha høyst %(max)d tegn.")),
        ],
        render_kw={"rows": 2, "spellcheck": "false"},
    )
    submit = SubmitField(_l("Fjern teksten"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "fjern")
        super().__init__(*args, **kwargs)
