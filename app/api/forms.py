"""The admin page's form for a new API client: the shape of the input only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.common.forms import AvvikForm, optional_int
from app.models.api import API_CLIENT_NAME_MAX


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClientForm(AvvikForm):
    organisation = SelectField(
        _l("Organisasjon"),
        coerce=optional_int,
        validators=[InputRequired(_l("Velg organisasjon."))],
    )
    name = StringField(
        _l("Navn på klienten"),
        description=_l("F.eks. «Kvalitetssystemet (EQS)». Vises som «API: navn» i historikken."),
        validators=[
            DataRequired(_l("Gi klienten et navn.")),
            Length(max=API_CLIENT_NAME_MAX, message=_l("Navnet er for langt: høyst %(max)d tegn.")),
        ],
    )
    scopes = CheckboxList(_l("Tilganger"), validators=[DataRequired(_l("Velg minst én tilgang."))])
    expires_on = DateField(
        _l("Gyldig til og med"),
        validators=[InputRequired(_l("Velg en dato."))],
    )
    submit = SubmitField(_l("Opprett klient og vis nøkkelen"))


class RevokeForm(AvvikForm):
    submit = SubmitField(_l("Trekk tilbake"))


class EndpointForm(AvvikForm):
    organisation = SelectField(
        _l("Organisasjon"),
        coerce=optional_int,
        validators=[InputRequired(_l("Velg organisasjon."))],
    )
    url = StringField(
        _l("Adresse (HTTPS)"),
        validators=[
            DataRequired(_l("Skriv inn adressen som skal motta hendelsene.")),
            Length(max=500, message=_l("Adressen er for lang: høyst %(max)d tegn.")),
        ],
    )
    events = CheckboxList(_l("Hendelser"), validators=[DataRequired(_l("Velg minst én hendelse."))])
    submit = SubmitField(_l("Registrer mottaker og vis nøkkelen"))


class ResendForm(AvvikForm):
    submit = SubmitField(_l("Send igjen"))


class ActionForm(AvvikForm):
    submit = SubmitField(_l("Deaktiver"))
