"""The mails administration queues: the data protection officer told of content roles given."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from app.common import labels, permissions
from app.extensions import db
from app.mail.services import queue_mail
from app.models import Role, User


def content_role_granted(actor: User, user: User, roles: set[Role]) -> None:
    """Tell the data protection officer(s) of the account's organisation that someone was given
    a role that opens case content, so a grant nobody asked for is seen. Who and which role
    only: no case, no patient."""
    officers = db.session.scalars(
        sa.select(User).where(
            User.organisation_id == user.organisation_id,
            User.active.is_(True),
            permissions.privacy_officers(),
        )
    )
    for officer in officers:
        with force_locale(officer.language or "nb"):
            names = ", ".join(sorted(str(labels.ROLE[r]) for r in roles))
            subject = _("En bruker har fått tilgang til avvik i Samhandlingsavvik")
            body = _(
                "Hei %(name)s,\n\n"
                "%(user)s (%(email)s) har fått rollen %(roles)s i %(organisation)s. "
                "Endringen ble gjort av %(actor)s.\n\n"
                "Du får denne e-posten fordi du er personvernansvarlig for organisasjonen. "
                "Endringen står i endringsloggen for administrasjon.\n",
                name=officer.name,
                user=user.name,
                email=user.email,
                roles=names,
                organisation=user.organisation.name,
                actor=actor.name,
            )
        queue_mail(officer.email, subject, body)
