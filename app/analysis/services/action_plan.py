"""The action plan: each action answers a root cause, has a responsible organisation (and, by
ferdig, a person and a due date), a status and a strength after the RCA² hierarchy. The plan is
followed after ferdig, so it stays editable until the analysis is cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.analysis.services.editing import (
    check_no_identity,
    clean,
    lock,
    open_follow_up,
    record_event,
    require_content_open,
    require_editor,
)
from app.analysis.services.reading import find_active_user
from app.common import labels
from app.common.dates import format_date
from app.common.errors import ServiceError
from app.extensions import db
from app.models import (
    ActionStatus,
    ActionStrength,
    Analysis,
    AnalysisAction,
    AnalysisEventKind,
    AnalysisStatus,
    Organisation,
    RootCause,
    User,
    utcnow,
)


@dataclass(frozen=True)
class ActionInput:
    text: str
    root_cause_id: int | None
    responsible_org_id: int | None
    responsible_email: str
    due_date: date | None
    status: ActionStatus
    strength: ActionStrength
    effect_measure: str


def _resolve_action(
    analysis: Analysis, data: ActionInput
) -> tuple[RootCause, Organisation, User | None]:
    if not clean(data.text):
        raise ServiceError(_l("Beskriv tiltaket."), "text", code="needs_action_text")
    check_no_identity({"text": data.text, "effect_measure": data.effect_measure})
    cause = next((c for c in analysis.root_causes if c.id == data.root_cause_id), None)
    if cause is None:
        raise ServiceError(
            _l("Velg rotårsaken tiltaket svarer på."), "root_cause", code="needs_root_cause"
        )
    org = db.session.get(Organisation, data.responsible_org_id) if data.responsible_org_id else None
    if org is None or not org.active:
        raise ServiceError(
            _l("Velg ansvarlig organisasjon."), "responsible_org", code="needs_organisation"
        )
    person = None
    if clean(data.responsible_email):
        person = find_active_user(data.responsible_email)
        if person is None:
            raise ServiceError(
                _l("Finner ingen aktiv bruker med denne e-postadressen."),
                "responsible_email",
                code="unknown_user",
            )
        if person.organisation_id != org.id:
            raise ServiceError(
                _l(
                    "%(name)s hører til %(their)s, ikke %(org)s. Velg riktig organisasjon eller person.",
                    name=person.name,
                    their=person.organisation.name,
                    org=org.name,
                ),
                "responsible_email",
                code="person_in_other_organisation",
            )
    if analysis.status is AnalysisStatus.FERDIG and data.status is not ActionStatus.FORKASTET:
        # Keeps the ferdig rule true after ferdig: no plan action loses its owner or due date.
        if person is None:
            raise ServiceError(
                _l("Analysen er ferdig: tiltaket må ha en ansvarlig person."),
                "responsible_email",
                code="finished_needs_person",
            )
        if data.due_date is None:
            raise ServiceError(
                _l("Analysen er ferdig: tiltaket må ha en frist."),
                "due_date",
                code="finished_needs_due_date",
            )
    return cause, org, person


def add_action(
    actor: User, analysis: Analysis, data: ActionInput, now: datetime | None = None
) -> AnalysisAction:
    now = now or utcnow()
    open_follow_up(actor, analysis)
    cause, org, person = _resolve_action(analysis, data)
    number = max((a.number for a in analysis.actions), default=0) + 1
    action = AnalysisAction(
        number=number,
        text=clean(data.text),
        root_cause_id=cause.id,
        responsible_org_id=org.id,
        responsible_user_id=person.id if person else None,
        due_date=data.due_date,
        status=data.status,
        strength=data.strength,
        effect_measure=clean(data.effect_measure),
        completed_at=now if data.status is ActionStatus.GJENNOMFORT else None,
    )
    analysis.actions.append(action)
    record_event(analysis, actor, AnalysisEventKind.ACTION_ADDED, _("Tiltak %(n)d", n=number), now)
    db.session.flush()
    return action


def _changes(
    action: AnalysisAction,
    data: ActionInput,
    cause: RootCause,
    org: Organisation,
    person: User | None,
) -> list[str]:
    """What an update changes, in words for the history row."""
    changes = []
    if clean(data.text) != action.text:
        changes.append(_("tekst"))
    if cause.id != action.root_cause_id:
        changes.append(_("rotårsak"))
    if org.id != action.responsible_org_id:
        changes.append(
            _("organisasjon %(old)s → %(new)s", old=action.responsible_org.name, new=org.name)
        )
    if (person.id if person else None) != action.responsible_user_id:
        old_name = action.responsible_user.name if action.responsible_user else "–"
        changes.append(
            _("ansvarlig %(old)s → %(new)s", old=old_name, new=person.name if person else "–")
        )
    if data.due_date != action.due_date:
        changes.append(
            _(
                "frist %(old)s → %(new)s",
                old=format_date(action.due_date) or "–",
                new=format_date(data.due_date) or "–",
            )
        )
    if data.status is not action.status:
        changes.append(
            _(
                "status %(old)s → %(new)s",
                old=labels.ACTION_STATUS[action.status],
                new=labels.ACTION_STATUS[data.status],
            )
        )
    if data.strength is not action.strength:
        changes.append(
            _(
                "styrke %(old)s → %(new)s",
                old=labels.STRENGTH[action.strength],
                new=labels.STRENGTH[data.strength],
            )
        )
    if clean(data.effect_measure) != action.effect_measure:
        changes.append(_("effektmåling"))
    return changes


def update_action(
    actor: User,
    analysis: Analysis,
    action: AnalysisAction,
    data: ActionInput,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    open_follow_up(actor, analysis)
    cause, org, person = _resolve_action(analysis, data)
    changes = _changes(action, data, cause, org, person)
    if not changes:
        return
    if data.status is ActionStatus.GJENNOMFORT and action.status is not ActionStatus.GJENNOMFORT:
        action.completed_at = now
    elif data.status is not ActionStatus.GJENNOMFORT:
        action.completed_at = None
    action.text = clean(data.text)
    action.root_cause_id = cause.id
    action.responsible_org_id = org.id
    action.responsible_org = org
    action.responsible_user_id = person.id if person else None
    action.responsible_user = person
    action.due_date = data.due_date
    action.status = data.status
    action.strength = data.strength
    action.effect_measure = clean(data.effect_measure)
    record_event(
        analysis,
        actor,
        AnalysisEventKind.ACTION_CHANGED,
        _("Tiltak %(n)d: %(changes)s", n=action.number, changes=", ".join(changes)),
        now,
    )
    db.session.flush()


def delete_action(
    actor: User, analysis: Analysis, action: AnalysisAction, now: datetime | None = None
) -> None:
    require_editor(actor, analysis)
    lock(analysis)
    if analysis.status is AnalysisStatus.FERDIG:
        # The plan the analysis was finished with stays on record; a dropped action is forkastet.
        raise ServiceError(
            _l("Tiltak i en ferdig analyse slettes ikke. Sett status til «Forkastet»."),
            code="finished_action_kept",
        )
    require_content_open(analysis)
    analysis.actions.remove(action)
    record_event(
        analysis, actor, AnalysisEventKind.ACTION_DELETED, _("Tiltak %(n)d", n=action.number), now
    )
    db.session.flush()
