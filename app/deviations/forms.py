"""The forms of a deviation: filing it, and the messages on its page (a move's form is in
app/handling/forms.py). Shapes and the messages beside each field; the rules live in the
services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.common import labels
from app.common.forms import AvvikForm, MaxLength, NoIdentityNumber, optional_int
from app.common.identity import is_valid, normalise
from app.models import Harm
from app.models.deviation import DESCRIPTION_MAX, MESSAGE_MAX, TEXT_MAX, TITLE_MAX


class DeviationForm(AvvikForm):
    # Declared in the order the form shows them, which is the order the error summary lists
    # them in. The pick lists are checked by the filing service, which reads each chosen row
    # anyway: the lists themselves are loaded only to show the form.
    counterpart_org = SelectField(
        _l("Hvem gjelder avviket?"),
        coerce=optional_int,
        validate_choice=False,
        validators=[DataRequired(_l("Velg organisasjonen avviket gjelder."))],
    )
    event_date = DateField(
        _l("Når skjedde det?"),
        validators=[DataRequired(_l("Skriv inn datoen da hendelsen skjedde (dd.mm.åååå)."))],
    )
    title = StringField(
        _l("Kort tittel"),
        validators=[
            DataRequired(_l("Skriv en kort tittel.")),
            MaxLength(TITLE_MAX),
            NoIdentityNumber(),
        ],
    )
    # May be left empty when the title says it all: the case then keeps the title as its
    # description (services.file_deviation), so one short sentence files a case.
    category = SelectField(
        _l("Kategori"),
        coerce=optional_int,
        validate_choice=False,
        validators=[DataRequired(_l("Velg en kategori."))],
    )
    description = TextAreaField(
        _l("Hva skjedde?"),
        validators=[Optional(), MaxLength(DESCRIPTION_MAX), NoIdentityNumber()],
    )
    # The line under each harm's choice card (deviations/new.html).
    harm_help = labels.HARM_HELP
    harm = RadioField(
        labels.HARM_SCALE,
        choices=[SelectChoice(h.value, labels.HARM[h]) for h in Harm],
        validators=[DataRequired(_l("Velg hvor stor skade pasienten fikk."))],
    )
    counterpart_unit = SelectField(
        _l("Enhet/avdeling (hvis kjent)"), coerce=optional_int, validate_choice=False
    )
    immediate_action = TextAreaField(
        _l("Hva ble gjort med en gang?"),
        validators=[Optional(), MaxLength(TEXT_MAX), NoIdentityNumber()],
    )
    suggestion = TextAreaField(
        _l("Forslag til forbedring"),
        validators=[Optional(), MaxLength(TEXT_MAX), NoIdentityNumber()],
    )
    agreement = SelectField(
        _l("Avtale som ikke ble fulgt (valgfritt)"), coerce=optional_int, validate_choice=False
    )
    patient_id = StringField(
        _l("Pasientens fødselsnummer (valgfritt)"),
        validators=[Optional(), Length(max=40)],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"},
    )
    # No SubmitField: the template writes its own button.

    def __init__(self, *args: object, own_org_id: int | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.own_org_id = own_org_id

    def validate_counterpart_org(self, field: SelectField) -> None:
        if field.data is not None and field.data == self.own_org_id:
            raise ValidationError(
                _l(
                    "Avviket kan ikke sendes til din egen organisasjon. Samhandlingsavvik går "
                    "mellom organisasjoner; interne avvik meldes i eget avvikssystem."
                )
            )

    def validate_event_date(self, field: DateField) -> None:
        from app.common.dates import today_local

        if field.data is not None and field.data > today_local():
            raise ValidationError(_l("Datoen kan ikke være fram i tid."))

    def validate_patient_id(self, field: StringField) -> None:
        if field.data and not is_valid(normalise(field.data)):
            raise ValidationError(
                _l(
                    "Dette er ikke et gyldig fødselsnummer eller D-nummer. "
                    "Sjekk at alle 11 sifrene stemmer."
                )
            )


class MessageForm(AvvikForm):
    body = TextAreaField(
        _l("Melding"),
        validators=[
            DataRequired(_l("Skriv en melding før du sender.")),
            MaxLength(MESSAGE_MAX),
            NoIdentityNumber(),
        ],
    )
    internal = BooleanField(_l("Internt notat (melderen ser det ikke)"))
    submit = SubmitField(_l("Send melding"))
