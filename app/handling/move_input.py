"""What a handler's move brings with it, checked before the move is made: its text (an answer,
a reason), and where it sends the case (a colleague, a unit, an organisation). Each refusal
names the field it concerns, so the form shows it beside that field."""

from __future__ import annotations

from flask_babel import gettext as _

from app.common import permissions
from app.common.errors import ServiceError
from app.common.identity import find_in_text
from app.extensions import db
from app.handling.moves import Move
from app.models import Deviation, Organisation, Unit, User
from app.models.deviation import TEXT_MAX


def refused(code: str, message: str, field: str | None = None) -> ServiceError:
    """A refused move: ``field`` is the input it concerns, None for the move as a whole."""
    return ServiceError(message, field, code)


def check_text(text: str | None, what: str) -> str:
    value = (text or "").strip()
    if not value:
        raise refused("needs_text", what, "text")
    if len(value) > TEXT_MAX:
        raise refused(
            "too_long", _("Teksten er for lang: høyst %(max)d tegn.", max=TEXT_MAX), "text"
        )
    if find_in_text(value):
        raise refused(
            "identity",
            _(
                "Teksten ser ut til å inneholde et fødselsnummer eller D-nummer. Fjern det: "
                "pasientens identitet skal aldri stå i svar, begrunnelser eller meldinger."
            ),
            "text",
        )
    return value


TEXT_NEEDED = {
    Move.ANSWER: lambda: _("Skriv svaret til den som meldte avviket."),
    Move.REJECT: lambda: _(
        "Skriv hvorfor avviket avvises. Melderen ser begrunnelsen, "
        "for eksempel «ikke et samhandlingsavvik»."
    ),
    Move.REOPEN: lambda: _("Skriv hvorfor du åpner avviket igjen."),
}


def resolve_colleague(deviation: Deviation, target: User | int | None, actor: User) -> User | None:
    colleague = db.session.get(User, target) if isinstance(target, int) else target
    if colleague is None:
        return None
    if colleague.id == actor.id:
        raise refused("self", _("Vil du ha saken selv, trykk «Ta saken»."), "target_user")
    if not colleague.active or not permissions.can(colleague, "handle", deviation):
        raise refused(
            "bad_user",
            _("Kollegaen er ikke saksbehandler i mottaket her. Velg en i listen."),
            "target_user",
        )
    return colleague


def resolve_unit(
    deviation: Deviation, target: Unit | int | None, *, colleague: User | None = None
) -> Unit | None:
    unit = db.session.get(Unit, target) if isinstance(target, int) else target
    if unit is None and colleague is not None:
        return None
    if unit is None:
        raise refused(
            "needs_unit",
            _("Velg enheten eller kollegaen avviket skal videresendes til."),
            "target_unit",
        )
    if unit.organisation_id != deviation.counterpart_org_id or not unit.active:
        raise refused(
            "bad_unit",
            _("Enheten hører ikke til din organisasjon. Velg en enhet i listen."),
            "target_unit",
        )
    if unit.id == deviation.forwarded_unit_id and colleague is None:
        raise refused("same_unit", _("Avviket ligger allerede hos denne enheten."), "target_unit")
    return unit


def resolve_org(deviation: Deviation, target: Organisation | int | None) -> Organisation:
    org = db.session.get(Organisation, target) if isinstance(target, int) else target
    if org is None:
        raise refused("needs_org", _("Velg organisasjonen avviket skal sendes til."), "target_org")
    if not org.active:
        raise refused("bad_org", _("Organisasjonen er ikke aktiv. Velg en annen."), "target_org")
    if org.id == deviation.counterpart_org_id:
        raise refused(
            "same_org",
            _("Avviket er allerede hos denne organisasjonen. Bruk «Videresend til enhet» internt."),
            "target_org",
        )
    if org.id == deviation.reporter_org_id:
        raise refused(
            "reporter_org",
            _("Avviket kan ikke sendes til organisasjonen som meldte det."),
            "target_org",
        )
    return org
