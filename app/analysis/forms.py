"""The analysis forms: the shape of the input and the messages beside each field.

Several forms share the analysis page, so each has a prefix and its fields ids of their own.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, ValidationError

from app.common import labels
from app.common.forms import AvvikForm, MaxLength, optional_int
from app.common.identity import find_in_text
from app.models import ActionStatus, ActionStrength, AnalysisStatus, FactorGroup
from app.models.analysis import ANALYSIS_TEXT_MAX, ANALYSIS_TITLE_MAX, ITEM_TEXT_MAX, SOURCE_MAX


class NoIdentity:
    """An analysis never holds patient identity: refuse free text with a fødselsnummer/D-nummer."""

    def __call__(self, form: FlaskForm, field: object) -> None:
        if find_in_text(field.data):  # type: ignore[attr-defined]
            raise ValidationError(
                _l(
                    "Teksten ser ut til å inneholde et fødselsnummer eller D-nummer. En "
                    "hendelsesanalyse skal ikke inneholde pasientens identitet – fjern det."
                )
            )


def _text(label, required_message=None, limit: int = ITEM_TEXT_MAX):
    validators = [DataRequired(required_message)] if required_message else [Optional()]
    return TextAreaField(label, validators=[*validators, MaxLength(limit), NoIdentity()])


DATE_MESSAGE = _l("Skriv inn en gyldig dato (dd.mm.åååå).")
TIME_MESSAGE = _l("Skriv inn klokkeslett (tt:mm).")


class LocalDateField(DateField):
    """WTForms' own parse error is English; ours says what to type."""

    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(DATE_MESSAGE) from error


class LocalTimeField(TimeField):
    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(TIME_MESSAGE) from error


class AnalysisForm(AvvikForm):
    title = StringField(
        _l("Tittel"),
        validators=[
            DataRequired(_l("Skriv en tittel.")),
            MaxLength(ANALYSIS_TITLE_MAX),
            NoIdentity(),
        ],
    )
    mandate = _text(_l("Mandat"), _l("Skriv mandatet for analysen."), ANALYSIS_TEXT_MAX)
    scope = _text(_l("Avgrensning"), None, ANALYSIS_TEXT_MAX)
    start_date = LocalDateField(_l("Startdato"), validators=[DataRequired(DATE_MESSAGE)])
    due_date = LocalDateField(_l("Frist for analysen"), validators=[DataRequired(DATE_MESSAGE)])
    submit = SubmitField(_l("Lagre"))

    def validate_due_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("Fristen kan ikke være før startdatoen."))


class StatusForm(AvvikForm):
    status = SelectField(
        _l("Ny status"),
        choices=[SelectChoice(s.value, labels.ANALYSIS_STATUS[s]) for s in AnalysisStatus],
        validators=[DataRequired(_l("Velg status."))],
    )
    submit = SubmitField(_l("Endre status"))


class LinkForm(AvvikForm):
    analysis = SelectField(
        _l("Hendelsesanalyse"),
        coerce=optional_int,
        validators=[DataRequired(_l("Velg analysen avviket skal med i."))],
    )
    submit = SubmitField(_l("Legg til i analyse"))


class MemberForm(AvvikForm):
    email = EmailField(
        _l("E-postadressen til den nye deltakeren"),
        validators=[
            DataRequired(_l("Skriv e-postadressen til den du vil legge til.")),
            MaxLength(254),
        ],
    )
    submit = SubmitField(_l("Legg til i teamet"))


class TimelineForm(AvvikForm):
    day = LocalDateField(_l("Dato"), validators=[DataRequired(DATE_MESSAGE)])
    at = LocalTimeField(_l("Klokkeslett"), validators=[DataRequired(TIME_MESSAGE)])
    what = _text(_l("Hva skjedde?"), _l("Beskriv hva som skjedde."))
    source = StringField(
        _l("Kilde (valgfritt)"), validators=[Optional(), MaxLength(SOURCE_MAX), NoIdentity()]
    )
    submit = SubmitField(_l("Lagre hendelsen"))


class ProblemForm(AvvikForm):
    text = _text(_l("Problem i pasientforløpet"), _l("Beskriv problemet."))
    submit = SubmitField(_l("Lagre problemet"))


class FactorForm(AvvikForm):
    problem = SelectField(
        _l("Gjelder problem"), coerce=optional_int, validators=[DataRequired(_l("Velg problemet."))]
    )
    group = RadioField(
        _l("Gruppe (Londonprotokollen)"),
        choices=[SelectChoice(g.value, labels.FACTOR_GROUP[g]) for g in FactorGroup],
        validators=[DataRequired(_l("Velg gruppen faktoren hører til."))],
    )
    text = _text(_l("Medvirkende faktor"), _l("Beskriv den medvirkende faktoren."))
    submit = SubmitField(_l("Lagre faktoren"))


class RootCauseForm(AvvikForm):
    text = _text(_l("Rotårsak"), _l("Beskriv rotårsaken."))
    submit = SubmitField(_l("Lagre rotårsaken"))


class ActionForm(AvvikForm):
    text = _text(_l("Tiltak"), _l("Beskriv tiltaket."))
    root_cause = SelectField(
        _l("Svarer på rotårsak"),
        coerce=optional_int,
        validators=[DataRequired(_l("Velg rotårsaken tiltaket svarer på."))],
    )
    responsible_org = SelectField(
        _l("Ansvarlig organisasjon"),
        coerce=optional_int,
        validators=[DataRequired(_l("Velg ansvarlig organisasjon."))],
    )
    responsible_email = EmailField(
        _l("Ansvarlig person (e-postadresse)"), validators=[Optional(), MaxLength(254)]
    )
    due_date = LocalDateField(_l("Frist"), validators=[Optional()])
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s.value, labels.ACTION_STATUS[s]) for s in ActionStatus],
        default=ActionStatus.PLANLAGT.value,
        validators=[DataRequired(_l("Velg status."))],
    )
    strength = RadioField(
        _l("Styrke (RCA²)"),
        choices=[SelectChoice(s.value, labels.STRENGTH[s]) for s in ActionStrength],
        validators=[DataRequired(_l("Velg hvor sterkt tiltaket er."))],
    )
    effect_measure = _text(_l("Hvordan måles effekten?"))
    submit = SubmitField(_l("Lagre tiltaket"))


class LearningForm(AvvikForm):
    text = _text(_l("Læringspunkt"), _l("Skriv læringspunktet."))
    submit = SubmitField(_l("Lagre læringspunktet"))


class ConfirmForm(AvvikForm):
    """Only the CSRF token: for delete, remove and make-leader buttons."""


class AnswerForm(AvvikForm):
    text = _text(
        _l("Svar til dem som meldte avvikene"), _l("Skriv svaret til dem som meldte avvikene.")
    )
    submit = SubmitField(_l("Besvar avvikene"))
