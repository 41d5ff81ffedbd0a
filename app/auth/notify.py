"""E-mails about an account, through the outbox, in the recipient's language: the links that
set a password, and the notice that a password was changed."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from app.common.dates import format_datetime
from app.mail.services import absolute_url, queue_mail
from app.models import TokenPurpose, User


def _hours_text(hours: int) -> str:
    return ngettext("%(num)d time", "%(num)d timer", hours)


def link_mail(user: User, purpose: TokenPurpose, raw: str, hours: int) -> None:
    """The invitation or the reset link, in the recipient's language, whoever triggered it."""
    link = absolute_url("auth.set_password", token=raw)
    with force_locale(user.language or "nb"):
        if purpose is TokenPurpose.INVITATION:
            subject = _("Du er invitert til Samhandlingsavvik")
            body = _(
                "Hei %(name)s,\n\n"
                "Du har fått en konto i Samhandlingsavvik for %(organisation)s.\n"
                "Velg ditt eget passord her (lenken virker i %(hours)s og kan brukes én gang):\n\n"
                "%(link)s\n\n"
                "Brukernavnet ditt er e-postadressen %(email)s.\n",
                name=user.name,
                organisation=user.organisation.name,
                hours=_hours_text(hours),
                link=link,
                email=user.email,
            )
        else:
            subject = _("Nytt passord til Samhandlingsavvik")
            body = _(
                "Hei %(name)s,\n\n"
                "Noen (forhåpentlig du) har bedt om å sette nytt passord for kontoen din.\n"
                "Velg nytt passord her (lenken virker i %(hours)s og kan brukes én gang):\n\n"
                "%(link)s\n\n"
                "Har du ikke bedt om dette, kan du se bort fra e-posten. Passordet ditt er uendret.\n",
                name=user.name,
                hours=_hours_text(hours),
                link=link,
            )
    queue_mail(user.email, subject, body)


def password_changed(user: User, now: datetime) -> None:
    """Tell the account's owner, so a change they did not make does not go unnoticed.
    No link (a mail that says "click here" about a password teaches phishing) and no case."""
    with force_locale(user.language or "nb"):
        subject = _("Passordet ditt er endret")
        body = _(
            "Hei %(name)s,\n\n"
            "Passordet til kontoen din i Samhandlingsavvik ble endret %(when)s.\n\n"
            "Var det du, trenger du ikke gjøre noe.\n"
            "Var det ikke du, må du straks kontakte den lokale administratoren i "
            "organisasjonen din.\n",
            name=user.name,
            when=format_datetime(now, at=_("kl.")),
        )
    queue_mail(user.email, subject, body)
