from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-postadresse"),
        validators=[DataRequired(_l("Skriv inn e-postadressen din.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Passord"),
        validators=[DataRequired(_l("Skriv inn passordet ditt.")), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Husk meg på denne enheten"))
    submit = SubmitField(_l("Logg inn"))
