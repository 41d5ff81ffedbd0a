"""The shapes of the handling forms on a deviation's page. The rules live in workflow.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Optional

from app.deviations.forms import MaxLength, NoIdentityNumber, optional_int
from app.models.deviation import MESSAGE_MAX, TEXT_MAX


class MoveForm(FlaskForm):
    """One move. Each move's form on the page gets its own prefix (the move's value), so the
    ids are unique and an error shows beside the field of the form that was sent."""

    text = TextAreaField(validators=[Optional(), MaxLength(TEXT_MAX), NoIdentityNumber()])
    target_unit = SelectField(_l("Enhet"), coerce=optional_int, validate_choice=False)
    target_org = SelectField(_l("Organisasjon"), coerce=optional_int, validate_choice=False)
    submit = SubmitField()


class MessageForm(FlaskForm):
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
