from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from app.common.forms import AvvikForm


class LoginForm(AvvikForm):
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
    submit = SubmitField(_l("Logg inn"))


class CodeForm(AvvikForm):
    """The second step of a login, and confirming a new authenticator app."""

    code = StringField(
        _l("Kode"),
        validators=[
            DataRequired(_l("Skriv inn koden.")),
            Length(max=40, message=_l("Koden er for lang.")),
        ],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Fortsett"))


class EnrolForm(CodeForm):
    """Setting up the second factor from Min konto: the code, and the current password (a
    browser left signed in must not be enough to move the factor to another phone)."""

    current_password = PasswordField(
        _l("Nåværende passord"),
        validators=[DataRequired(_l("Skriv inn passordet du har nå.")), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


class ConfirmPasswordForm(AvvikForm):
    """A change that needs the current password again (new recovery codes)."""

    current_password = PasswordField(
        _l("Nåværende passord"),
        validators=[DataRequired(_l("Skriv inn passordet du har nå.")), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(AvvikForm):
    email = EmailField(
        _l("E-postadresse"),
        validators=[DataRequired(_l("Skriv inn e-postadressen din.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    submit = SubmitField(_l("Send lenke"))


class SetPasswordForm(AvvikForm):
    password = PasswordField(
        _l("Nytt passord"),
        validators=[DataRequired(_l("Skriv inn et passord.")), Length(max=1000)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Gjenta passordet"),
        validators=[
            DataRequired(_l("Skriv passordet en gang til.")),
            EqualTo("password", _l("Passordene er ikke like.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Lagre passord"))


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(
        _l("Nåværende passord"),
        validators=[DataRequired(_l("Skriv inn passordet du har nå.")), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Endre passord"))


class ButtonForm(AvvikForm):
    """A button that does one thing (end a session, new recovery codes): the CSRF token only."""
