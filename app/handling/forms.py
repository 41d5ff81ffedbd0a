"""The form of a handler's move (and the reporter's reopening) on the deviation's page. Shapes
and the messages beside each field; the rules live in workflow.py."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from app.common.forms import AvvikForm, MaxLength, NoIdentityNumber, optional_int
from app.common.ids import parse_id
from app.common.picklists import active_organisations, active_units_of
from app.extensions import db
from app.handling.labels import MOVE_LABELS
from app.handling.moves import Move
from app.handling.notify import staffs_mottak_of
from app.models import Deviation, User
from app.models.deviation import TEXT_MAX
from app.models.serious_notice import NOTICE_NAME_MAX, NOTICE_REFERENCE_MAX


class MoveForm(AvvikForm):
    """One move. Each move's form on the page gets its own prefix (the move's value), so the
    ids are unique and an error shows beside the field of the form that was sent. A move that
    sends the case somewhere has its own form with the fields of where (below), so the page's
    other forms bind no selects they never show."""

    text = TextAreaField(validators=[Optional(), MaxLength(TEXT_MAX), NoIdentityNumber()])
    # The deviation's version the page showed: a move decided on an older page is refused.
    version = HiddenField()
    submit = SubmitField()

    def seen_version(self) -> int | None:
        value = (self.version.data or "").strip()
        return parse_id(value)

    def targets(self) -> dict[str, int | None]:
        """Where the move sends the case: ids for workflow.transition's target arguments."""
        return {
            name: getattr(self, name).data if hasattr(self, name) else None
            for name in ("target_unit", "target_org", "target_user")
        }


class ForwardForm(MoveForm):
    target_unit = SelectField(_l("Enhet"), coerce=optional_int, validate_choice=False)
    target_user = SelectField(_l("Eller en kollega"), coerce=optional_int, validate_choice=False)


class RerouteForm(MoveForm):
    target_org = SelectField(_l("Organisasjon"), coerce=optional_int, validate_choice=False)


FORM_OF_MOVE: dict[Move, type[MoveForm]] = {Move.FORWARD: ForwardForm, Move.REROUTE: RerouteForm}


def move_form(
    deviation: Deviation, move: Move, formdata: object = None, *, actor_id: int | None = None
) -> MoveForm:
    """The move's form with its words and, for a forwarding or rerouting, the places it can go."""
    form = FORM_OF_MOVE.get(move, MoveForm)(formdata=formdata, prefix=move.value)
    labels = MOVE_LABELS[move]
    form.submit.label.text = str(labels.submit or labels.button)
    form.text.label.text = str(labels.field) if labels.field is not None else ""
    if isinstance(form, ForwardForm):
        # One organisation's units and mottak staff, as plain rows: the page prints ids and
        # names only.
        units = active_units_of(deviation.counterpart_org_id)
        form.target_unit.choices = [SelectChoice("", _("Velg enhet …"))] + [
            SelectChoice(u.id, u.path) for u in units if u.id != deviation.forwarded_unit_id
        ]
        form.target_user.choices = [SelectChoice("", _("Ingen bestemt kollega"))] + [
            SelectChoice(person.id, person.name)
            for person in colleagues(deviation.counterpart_org_id)
            if person.id != actor_id
        ]
    if isinstance(form, RerouteForm):
        form.target_org.choices = [SelectChoice("", _("Velg organisasjon …"))] + [
            SelectChoice(o.id, o.name)
            for o in active_organisations()
            if o.id not in (deviation.counterpart_org_id, deviation.reporter_org_id)
        ]
    return form


# The two outcomes a receiving handler records about a serious event.
NOTIFIED = "varslet"
NOT_NOTIFIABLE = "ikke_pliktig"


class SeriousNoticeForm(AvvikForm):
    """Varslet Helsetilsynet (date, by whom, the notice's reference), or not notifiable and
    why. Which fields an outcome needs is the service's rule (app/handling/serious.py)."""

    outcome = RadioField(
        _l("Varsling til Statens helsetilsyn"),
        choices=[
            SelectChoice(NOTIFIED, _l("Varslet Helsetilsynet")),
            SelectChoice(NOT_NOTIFIABLE, _l("Ikke varslingspliktig")),
        ],
        validators=[DataRequired(_l("Velg om hendelsen er varslet eller ikke varslingspliktig."))],
    )
    notified_on = DateField(_l("Dato varselet ble sendt"), validators=[Optional()])
    notified_by = StringField(
        _l("Varslet av"), validators=[MaxLength(NOTICE_NAME_MAX), NoIdentityNumber()]
    )
    reference = StringField(
        _l("Helsetilsynets referanse (valgfritt)"),
        validators=[MaxLength(NOTICE_REFERENCE_MAX), NoIdentityNumber()],
    )
    reason = TextAreaField(
        _l("Hvorfor er hendelsen ikke varslingspliktig?"),
        validators=[MaxLength(TEXT_MAX), NoIdentityNumber()],
    )
    submit = SubmitField(_l("Registrer varslingen"))


def colleagues(organisation_id: int) -> list[sa.Row]:
    """The handlers of the organisation's mottak, by name: whom a case can be sent to. Ids and
    names only, in one query: the page needs nothing else of them."""
    return list(
        db.session.execute(
            sa.select(User.id, User.name)
            .where(*staffs_mottak_of(organisation_id))
            .order_by(User.name, User.id)
        )
    )
