"""Administration forms: the shape of the input and the messages beside each field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from app.admin.services import NAME_MAX, RESPONSE_DAYS_MAX
from app.common.forms import AvvikForm
from app.common.ids import parse_id


def optional_int(value: object) -> int | None:
    """An id, or None for anything else (the field's DataRequired then says what to do)."""
    return parse_id(value)


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _name_field(label: object, limit: int = NAME_MAX) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(_l("Skriv inn et navn.")),
            Length(max=limit, message=_l("Navnet er for langt: høyst %(max)d tegn.")),
        ],
    )


def _english_name_field(limit: int = NAME_MAX) -> StringField:
    # Optional: an English reader sees the Norwegian name where none is given.
    return StringField(
        _l("Navn på engelsk"),
        validators=[Length(max=limit, message=_l("Navnet er for langt: høyst %(max)d tegn."))],
        render_kw={"lang": "en"},
    )


def _days_field() -> IntegerField:
    return IntegerField(
        _l("Svarfrist (dager)"),
        validators=[
            InputRequired(_l("Skriv inn antall dager.")),
            NumberRange(
                1, RESPONSE_DAYS_MAX, _l("Svarfristen må være mellom %(min)s og %(max)s dager.")
            ),
        ],
    )


class OrganisationCreateForm(AvvikForm):
    name = _name_field(_l("Navn"))
    kind = SelectField(_l("Type"), validators=[DataRequired(_l("Velg type."))])
    response_days = _days_field()
    submit = SubmitField(_l("Opprett organisasjon"))


class OrganisationForm(AvvikForm):
    name = _name_field(_l("Navn"))
    response_days = _days_field()
    # Checked by the service (clean_phone); the length here only stops a pasted essay.
    mottak_phone = StringField(
        _l("Mottakets telefon"),
        validators=[Length(max=40, message=_l("Telefonnummeret er for langt."))],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Lagre"))


class SignInForm(AvvikForm):
    org_number = StringField(
        _l("Organisasjonsnummer"),
        validators=[Length(max=20, message=_l("Organisasjonsnummeret har ni sifre."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    sso_only = BooleanField(_l("Bare innlogging via organisasjonens egen innloggingstjeneste"))
    submit = SubmitField(_l("Lagre"))


class FallbackForm(AvvikForm):
    # Empty: no fallback mottak.
    organisation = SelectField(_l("Reservemottak"), coerce=optional_int)
    submit = SubmitField(_l("Lagre reservemottak"))


class MergeForm(AvvikForm):
    target = SelectField(
        _l("Slå sammen med (blir stående)"),
        coerce=optional_int,
        validators=[DataRequired(_l("Velg organisasjonen den skal slås sammen med."))],
    )
    confirm = StringField(
        _l("Skriv navnet på organisasjonen som skal slås inn, for å bekrefte"),
        validators=[DataRequired(_l("Skriv navnet for å bekrefte."))],
    )
    submit = SubmitField(_l("Slå sammen"))


class MottakAddForm(AvvikForm):
    user = SelectField(
        _l("Legg til i mottaket"),
        coerce=optional_int,
        validators=[DataRequired(_l("Velg en bruker."))],
    )
    submit = SubmitField(_l("Legg til"))


class UnitForm(AvvikForm):
    name = _name_field(_l("Navn på enheten"))
    name_en = _english_name_field()
    parent = SelectField(_l("Ligger under"), coerce=optional_int)
    submit = SubmitField(_l("Lagre"))


class ListItemForm(AvvikForm):
    name = _name_field(_l("Navn"), limit=200)
    name_en = _english_name_field(limit=200)
    submit = SubmitField(_l("Lagre"))


class UserInviteForm(AvvikForm):
    email = EmailField(
        _l("E-postadresse"),
        validators=[
            DataRequired(_l("Skriv inn e-postadressen.")),
            Length(max=254),
            Email(_l("Dette er ikke en gyldig e-postadresse."), check_deliverability=False),
        ],
    )
    name = _name_field(_l("Navn"))
    organisation = SelectField(
        _l("Organisasjon"), coerce=optional_int, validators=[DataRequired(_l("Velg organisasjon."))]
    )
    unit = SelectField(_l("Enhet"), coerce=optional_int, validate_choice=False)
    roles = CheckboxList(_l("Roller"), validate_choice=False)
    language = SelectField(_l("Språk i e-post og skjermbilder"))
    submit = SubmitField(_l("Send invitasjon"))


class UserForm(AvvikForm):
    name = _name_field(_l("Navn"))
    organisation = SelectField(
        _l("Organisasjon"), coerce=optional_int, validators=[DataRequired(_l("Velg organisasjon."))]
    )
    unit = SelectField(_l("Enhet"), coerce=optional_int, validate_choice=False)
    roles = CheckboxList(_l("Roller"), validate_choice=False)
    submit = SubmitField(_l("Lagre"))


class ActionForm(AvvikForm):
    """A button that changes one thing (deactivate, move up, send link): CSRF and a value."""

    value = HiddenField()
