"""The action plan: each action answers a root cause, has a responsible organisation (and, by
ferdig, a person and a due date), a status and a strength after the RCA² hierarchy. The plan is
followed after ferdig, so it stays editable until the analysis is cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from app.analysis.history import day
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
    record_event(analysis, actor, AnalysisEventKind.ACTION_ADDED, now=now, detail={"n": number})
    db.session.flush()
    return action


def _changes(
    action: AnalysisAction,
    data: ActionInput,
    cause: RootCause,
    org: Organisation,
    person: User | None,
) -> list[dict]:
    """What an update changes, as codes for the history row (app/analysis/history.py draws
    them in the reader's language): the field, and for some the value before and after."""
    changes: list[dict] = []
    if clean(data.text) != action.text:
        changes.append({"field": "tekst"})
    if cause.id != action.root_cause_id:
        changes.append({"field": "rotarsak"})
    if org.id != action.responsible_org_id:
        changes.append(
            {"field": "organisasjon", "old": action.responsible_org.name, "new": org.name}
        )
    if (person.id if person else None) != action.responsible_user_id:
        old_name = action.responsible_user.name if action.responsible_user else None
        changes.append(
            {"field": "ansvarlig", "old": old_name, "new": person.name if person else None}
        )
    if data.due_date != action.due_date:
        changes.append({"field": "frist", "old": day(action.due_date), "new": day(data.due_date)})
    if data.status is not action.status:
        changes.append({"field": "status", "old": action.status.value, "new": data.status.value})
    if data.strength is not action.strength:
        changes.append(
            {"field": "styrke", "old": action.strength.value, "new": data.strength.value}
        )
    if clean(data.effect_measure) != action.effect_measure:
        changes.append({"field": "effektmaling"})
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
        now=now,
        detail={"n": action.number, "changes": changes},
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
        analysis, actor, AnalysisEventKind.ACTION_DELETED, now=now, detail={"n": action.number}
    )
    db.session.flush()
