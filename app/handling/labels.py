"""The words of a handler's moves: one entry per move, used by the deviation's page (button and
text field) and by the workflow's refusals ("kan ikke %(move)s nå")."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from app.handling.moves import Move


@dataclass(frozen=True)
class MoveLabel:
    button: LazyString  # the button on the deviation's page
    field: LazyString | None  # the label of the move's text field; None: the move has none
    verb: LazyString  # what the move does, in "Du har ikke tilgang til å %(move)s …"
    # The button that sends the move's form, where the button that opens it would say the same
    submit: LazyString | None = None


_COMMENT = _l("Kommentar (valgfritt, vises i historikken)")

MOVE_LABELS: dict[Move, MoveLabel] = {
    Move.ACKNOWLEDGE: MoveLabel(_l("Bekreft mottak"), None, _l("bekrefte mottak")),
    Move.START: MoveLabel(_l("Ta saken"), None, _l("ta saken")),
    Move.FORWARD: MoveLabel(
        _l("Videresend til enhet eller kollega"),
        _COMMENT,
        _l("videresende til en enhet eller en kollega"),
        _l("Videresend"),
    ),
    Move.REROUTE: MoveLabel(
        _l("Send til annen organisasjon"),
        _COMMENT,
        _l("sende avviket til en annen organisasjon"),
    ),
    Move.ANALYSE: MoveLabel(
        _l("Send til hendelsesanalyse"), _COMMENT, _l("sende til hendelsesanalyse")
    ),
    Move.ANSWER: MoveLabel(
        _l("Besvar og lukk"),
        # Not "Svar til melder": that is the composer's name for a message that leaves it open.
        _l("Endelig svar til melder"),
        _l("besvare og lukke"),
        _l("Send svaret og lukk"),
    ),
    Move.REJECT: MoveLabel(
        _l("Avvis"),
        _l("Begrunnelse (melderen ser den, f.eks. «ikke et samhandlingsavvik»)"),
        _l("avvise"),
    ),
    Move.REOPEN: MoveLabel(_l("Gjenåpne"), _l("Hvorfor åpnes avviket igjen?"), _l("gjenåpne")),
}
