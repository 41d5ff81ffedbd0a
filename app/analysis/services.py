"""Incident analyses: rules and writes. Every change writes one AnalysisEvent.

Services take the acting user, check the rules, write, and flush; the route or CLI commits.
Permission to *see* and *edit* is app.common.permissions; the rules here are about the analysis
itself (what may still change, the ferdig rule, who may be named).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from app.analysis import labels
from app.common import permissions
from app.common.dates import OSLO, format_date, format_datetime, local
from app.common.identity import find_in_text
from app.extensions import db
from app.handling import workflow
from app.mail.services import absolute_url, queue_mail
from app.models import (
    ACTIVE_ANALYSIS_STATUSES,
    OPEN_ACTION_STATUSES,
    ActionStatus,
    ActionStrength,
    Analysis,
    AnalysisAction,
    AnalysisDeviation,
    AnalysisEvent,
    AnalysisEventKind,
    AnalysisMember,
    AnalysisReferenceCounter,
    AnalysisStatus,
    CareProblem,
    ContributoryFactor,
    Deviation,
    FactorGroup,
    LearningPoint,
    Organisation,
    RootCause,
    Status,
    TimelineEntry,
    User,
    utcnow,
)
from reports import analysis as report
from reports.analysis import AnalysisReport
from reports.i18n import NORWEGIAN, Language
from reports.summary import ActionRecord, AnalysisRecord

REMINDER_DAYS_BEFORE = 7

IDENTITY_MESSAGE = _l(
    "Teksten ser ut til å inneholde et fødselsnummer eller D-nummer. En hendelsesanalyse skal "
    "ikke inneholde pasientens identitet – fjern det."
)


class AnalysisError(ValueError):
    """A rule the input breaks. ``field`` names the form field to show it beside (or None for a
    message about the whole analysis)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


# --- Reading ------------------------------------------------------------------------------------


def get_by_reference(reference: str) -> Analysis | None:
    return db.session.scalar(
        sa.select(Analysis)
        .where(Analysis.reference == reference.upper())
        .options(
            selectinload(Analysis.members).joinedload(AnalysisMember.user),
            selectinload(Analysis.links).joinedload(AnalysisDeviation.deviation),
        )
    )


def visible_analyses(user: User, limit: int = 500) -> list[Analysis]:
    active_first = sa.case((Analysis.status.in_(ACTIVE_ANALYSIS_STATUSES), 0), else_=1)
    return list(
        db.session.scalars(
            sa.select(Analysis)
            .where(permissions.visible_analyses(user))
            .options(selectinload(Analysis.leader), selectinload(Analysis.actions))
            .order_by(active_first, Analysis.due_date, Analysis.id)
            .limit(limit)
        )
    )


def holding_analysis(deviation: Deviation) -> Analysis | None:
    """The active analysis that holds this deviation, if any."""
    return db.session.scalar(
        sa.select(Analysis)
        .join(AnalysisDeviation, AnalysisDeviation.analysis_id == Analysis.id)
        .where(AnalysisDeviation.deviation_id == deviation.id, AnalysisDeviation.holding.is_(True))
    )


def analyses_of_deviation(deviation: Deviation) -> list[Analysis]:
    return list(
        db.session.scalars(
            sa.select(Analysis)
            .join(AnalysisDeviation, AnalysisDeviation.analysis_id == Analysis.id)
            .where(AnalysisDeviation.deviation_id == deviation.id)
            .order_by(Analysis.id)
        )
    )


def analyses_open_for_linking(user: User) -> list[Analysis]:
    """Active analyses the user is a member of: where "Legg til i analyse" may put a deviation."""
    return list(
        db.session.scalars(
            sa.select(Analysis)
            .join(AnalysisMember, AnalysisMember.analysis_id == Analysis.id)
            .where(AnalysisMember.user_id == user.id, Analysis.status.in_(ACTIVE_ANALYSIS_STATUSES))
            .order_by(Analysis.id.desc())
        )
    )


def organisations() -> list[Organisation]:
    return list(
        db.session.scalars(
            sa.select(Organisation).where(Organisation.active).order_by(Organisation.name)
        )
    )


DEFAULT_ANALYSIS_WEEKS = 6


def default_due_date(start: date) -> date:
    """The handbook asks for an analysis within weeks, not months: six weeks is the suggestion."""
    return start + timedelta(weeks=DEFAULT_ANALYSIS_WEEKS)


@dataclass(frozen=True)
class CoveredDeviations:
    """What a viewer may be shown of an analysis's deviations: those their organisation sent or
    received in full; of the others only how many there are."""

    visible: list[Deviation]
    hidden_count: int


def covered_deviations(viewer: User, analysis: Analysis) -> CoveredDeviations:
    visible = [
        link.deviation
        for link in analysis.links
        if permissions.can_view_deviation(viewer, link.deviation)
    ]
    return CoveredDeviations(visible, len(analysis.links) - len(visible))


@dataclass(frozen=True)
class DeviationPanel:
    """The analysis box on a deviation's page."""

    analyses: list[Analysis]  # the analyses covering this deviation that the viewer may open
    holder: Analysis | None
    can_start: bool
    link_options: list[Analysis]


def deviation_panel(viewer: User, deviation: Deviation) -> DeviationPanel:
    covering = analyses_of_deviation(deviation)
    holder = next((a for a in covering if a.is_active), None)
    can_start = holder is None and permissions.can_start_analysis(viewer, deviation)
    options = analyses_open_for_linking(viewer) if can_start else []
    return DeviationPanel(
        analyses=[a for a in covering if permissions.can_view_analysis(viewer, a)],
        holder=holder,
        can_start=can_start,
        link_options=options,
    )


# --- Helpers ------------------------------------------------------------------------------------


def _event(
    analysis: Analysis,
    actor: User | None,
    kind: AnalysisEventKind,
    text: str = "",
    now: datetime | None = None,
) -> AnalysisEvent:
    event = AnalysisEvent(
        analysis_id=analysis.id,
        at=now or utcnow(),
        actor_id=actor.id if actor else None,
        kind=kind,
        text=text,
    )
    db.session.add(event)
    return event


def _lock(analysis: Analysis) -> None:
    """Serialise writers of one analysis (PostgreSQL row lock; SQLite serialises writers anyway),
    so the ferdig rule is checked against the action plan as it is when the status changes."""
    db.session.execute(sa.select(Analysis.id).where(Analysis.id == analysis.id).with_for_update())


def _check_text(values: dict[str, str | None]) -> None:
    for field, value in values.items():
        if find_in_text(value):
            raise AnalysisError(IDENTITY_MESSAGE, field)


def _require_content_open(analysis: Analysis) -> None:
    """Mandate, timeline, problems, factors, root causes and learning points: editable until
    the analysis is finished (or cancelled)."""
    if analysis.status is AnalysisStatus.FERDIG:
        raise AnalysisError(_l("Analysen er ferdig og kan ikke lenger endres her."))
    if analysis.status is AnalysisStatus.AVBRUTT:
        raise AnalysisError(_l("Analysen er avbrutt og kan ikke endres."))


def _require_not_cancelled(analysis: Analysis) -> None:
    """The action plan and the team live on after ferdig: actions are followed until done."""
    if analysis.status is AnalysisStatus.AVBRUTT:
        raise AnalysisError(_l("Analysen er avbrutt og kan ikke endres."))


def _require_editor(actor: User, analysis: Analysis) -> None:
    if not permissions.can_edit_analysis(actor, analysis):
        raise PermissionError("not a team member")


def _clean(text: str | None) -> str:
    return (text or "").strip()


def next_reference(year: int) -> tuple[int, str]:
    """The next analysis number of the year; atomic across processes (see deviations)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(AnalysisReferenceCounter)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    number = db.session.execute(
        sa.update(AnalysisReferenceCounter)
        .where(AnalysisReferenceCounter.year == year)
        .values(last_number=AnalysisReferenceCounter.last_number + 1)
        .returning(AnalysisReferenceCounter.last_number)
    ).scalar_one()
    return number, f"HA-{year}-{number:03d}"


def find_active_user(email: str) -> User | None:
    return db.session.scalar(
        sa.select(User).where(User.email == (email or "").strip().lower(), User.active.is_(True))
    )


# --- Creating and linking -----------------------------------------------------------------------


@dataclass(frozen=True)
class AnalysisInput:
    title: str
    mandate: str
    scope: str
    start_date: date
    due_date: date


def _check_details(data: AnalysisInput) -> None:
    if not _clean(data.title):
        raise AnalysisError(_l("Skriv en tittel."), "title")
    if not _clean(data.mandate):
        raise AnalysisError(_l("Skriv mandatet for analysen."), "mandate")
    if data.due_date < data.start_date:
        raise AnalysisError(_l("Fristen kan ikke være før startdatoen."), "due_date")
    _check_text({"title": data.title, "mandate": data.mandate, "scope": data.scope})


def _send_to_analysis(actor: User, deviation: Deviation, analysis: Analysis, now: datetime) -> None:
    """Mark the deviation til_analyse through the workflow, the one place that sets a status.

    A deviation a handler already marked (or one the workflow moved back to handling while the
    analysis held it) is linked as it is: the link, not the status, says which analysis has it.
    """
    if deviation.status is Status.TIL_ANALYSE:
        return
    try:
        workflow.transition(
            deviation,
            workflow.Move.ANALYSE,
            actor,
            text=_("Hendelsesanalyse %(ref)s", ref=analysis.reference),
            now=now,
        )
    except workflow.WorkflowError as error:
        raise AnalysisError(error.message) from error


def _link(
    analysis: Analysis, deviation: Deviation, actor: User, now: datetime
) -> AnalysisDeviation:
    holder = holding_analysis(deviation)
    if holder is not None:
        raise AnalysisError(
            _l(
                "Avviket %(ref)s er allerede med i hendelsesanalyse %(analysis)s.",
                ref=deviation.reference,
                analysis=holder.reference,
            )
        )
    if any(link.deviation_id == deviation.id for link in analysis.links):
        raise AnalysisError(_l("Avviket er allerede med i denne analysen."))
    link = AnalysisDeviation(
        analysis=analysis, deviation=deviation, holding=True, linked_at=now, linked_by_id=actor.id
    )
    db.session.add(link)
    _event(analysis, actor, AnalysisEventKind.DEVIATION_LINKED, deviation.reference, now)
    _send_to_analysis(actor, deviation, analysis, now)
    return link


def start_analysis(
    actor: User, deviation: Deviation, data: AnalysisInput, now: datetime | None = None
) -> Analysis:
    """A handler of the receiving organisation starts an analysis from a deviation; they lead it."""
    now = now or utcnow()
    if not permissions.can_start_analysis(actor, deviation):
        raise PermissionError("may not send this deviation to analysis")
    _check_details(data)
    holder = holding_analysis(deviation)
    if holder is not None:
        raise AnalysisError(
            _l(
                "Avviket %(ref)s er allerede med i hendelsesanalyse %(analysis)s.",
                ref=deviation.reference,
                analysis=holder.reference,
            )
        )
    today = local(now).date()
    number, reference = next_reference(today.year)
    analysis = Analysis(
        reference=reference,
        year=today.year,
        number=number,
        title=_clean(data.title),
        mandate=_clean(data.mandate),
        scope=_clean(data.scope),
        status=AnalysisStatus.PLANLAGT,
        start_date=data.start_date,
        due_date=data.due_date,
        leader_id=actor.id,
        created_at=now,
        created_by_id=actor.id,
    )
    db.session.add(analysis)
    analysis.members.append(AnalysisMember(user_id=actor.id, added_at=now))
    db.session.flush()
    _event(analysis, actor, AnalysisEventKind.CREATED, analysis.title, now)
    _link(analysis, deviation, actor, now)
    db.session.flush()
    return analysis


def link_deviation(
    actor: User, analysis: Analysis, deviation: Deviation, now: datetime | None = None
) -> None:
    """ "Legg til i analyse": a handler of the receiving organisation who is on the team."""
    now = now or utcnow()
    _require_editor(actor, analysis)
    if not permissions.can_start_analysis(actor, deviation):
        raise PermissionError("may not send this deviation to analysis")
    _lock(analysis)
    if not analysis.is_active:
        raise AnalysisError(_l("Bare planlagte eller pågående analyser kan få nye avvik."))
    _link(analysis, deviation, actor, now)
    db.session.flush()


def update_details(
    actor: User, analysis: Analysis, data: AnalysisInput, now: datetime | None = None
) -> None:
    _open_content(actor, analysis)
    _check_details(data)
    changes = []
    if _clean(data.title) != analysis.title:
        changes.append(_("tittel"))
    if _clean(data.mandate) != analysis.mandate:
        changes.append(_("mandat"))
    if _clean(data.scope) != analysis.scope:
        changes.append(_("avgrensning"))
    if data.start_date != analysis.start_date:
        changes.append(
            _(
                "start %(old)s → %(new)s",
                old=format_date(analysis.start_date),
                new=format_date(data.start_date),
            )
        )
    if data.due_date != analysis.due_date:
        changes.append(
            _(
                "frist %(old)s → %(new)s",
                old=format_date(analysis.due_date),
                new=format_date(data.due_date),
            )
        )
    if not changes:
        return
    analysis.title = _clean(data.title)
    analysis.mandate = _clean(data.mandate)
    analysis.scope = _clean(data.scope)
    analysis.start_date = data.start_date
    analysis.due_date = data.due_date
    _event(analysis, actor, AnalysisEventKind.DETAILS_CHANGED, ", ".join(changes), now)
    db.session.flush()


# --- Status -------------------------------------------------------------------------------------

STATUS_MOVES: dict[AnalysisStatus, frozenset[AnalysisStatus]] = {
    AnalysisStatus.PLANLAGT: frozenset(
        {AnalysisStatus.PAGAR, AnalysisStatus.FERDIG, AnalysisStatus.AVBRUTT}
    ),
    AnalysisStatus.PAGAR: frozenset({AnalysisStatus.FERDIG, AnalysisStatus.AVBRUTT}),
    AnalysisStatus.FERDIG: frozenset(),
    AnalysisStatus.AVBRUTT: frozenset(),
}


def ferdig_blockers(analysis: Analysis) -> list[str]:
    """Why the analysis cannot be set ferdig yet; empty when it can.

    A forkastet action is not part of the plan: it needs no owner, and it does not count as
    the plan's one action.
    """
    in_play = [a for a in analysis.actions if a.status is not ActionStatus.FORKASTET]
    if not in_play:
        return [
            _(
                "Analysen kan ikke settes som ferdig før handlingsplanen har minst ett tiltak "
                "(som ikke er forkastet)."
            )
        ]
    problems = []
    for action in in_play:
        missing = []
        if action.responsible_user_id is None:
            missing.append(_("ansvarlig person"))
        if action.due_date is None:
            missing.append(_("frist"))
        if missing:
            problems.append(
                _(
                    "Analysen kan ikke settes som ferdig: tiltak %(number)d mangler %(missing)s.",
                    number=action.number,
                    missing=_(" og ").join(missing),
                )
            )
    return problems


def set_status(
    actor: User, analysis: Analysis, new: AnalysisStatus, now: datetime | None = None
) -> None:
    now = now or utcnow()
    _require_editor(actor, analysis)
    _lock(analysis)
    db.session.refresh(analysis)
    old = analysis.status
    if new is old:
        return
    if new not in STATUS_MOVES[old]:
        raise AnalysisError(
            _l(
                "En analyse som er %(old)s kan ikke settes til %(new)s.",
                old=labels.STATUS[old].lower(),
                new=labels.STATUS[new].lower(),
            ),
            "status",
        )
    finished_at = analysis.finished_at
    if new is AnalysisStatus.FERDIG:
        blockers = ferdig_blockers(analysis)
        if blockers:
            raise AnalysisError(" ".join(blockers), "status")
        finished_at = now
    # Conditional UPDATE: if another writer changed the status since we read it, nothing matches.
    result = db.session.execute(
        sa.update(Analysis)
        .where(Analysis.id == analysis.id, Analysis.status == old)
        .values(status=new, finished_at=finished_at)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise AnalysisError(_l("Analysen ble endret av noen andre. Last siden på nytt."), "status")
    # The UPDATE bypassed the unit of work: reload these two from the row.
    db.session.expire(analysis, ["status", "finished_at"])
    if new not in ACTIVE_ANALYSIS_STATUSES:
        # Finished or cancelled: the deviations are free for another analysis later.
        for link in analysis.links:
            link.holding = None
    _event(
        analysis,
        actor,
        AnalysisEventKind.STATUS_CHANGED,
        f"{labels.STATUS[old]} → {labels.STATUS[new]}",
        now,
    )
    db.session.flush()


# --- Answering the deviations -------------------------------------------------------------------


def answerable_deviations(user: User, analysis: Analysis) -> list[Deviation]:
    """The covered deviations this user may now answer with a reference to the finished analysis:
    still open, handled by the user's organisation, and not taken up by another active analysis."""
    if analysis.status is not AnalysisStatus.FERDIG:
        return []
    return [
        link.deviation
        for link in analysis.links
        if not link.deviation.is_closed
        and permissions.can_handle_deviation(user, link.deviation)
        and holding_analysis(link.deviation) is None
    ]


def default_answer(analysis: Analysis) -> str:
    return _(
        "Avviket er gjennomgått i hendelsesanalyse %(ref)s sammen med de andre partene. Analysen "
        "er ferdig, og tiltakene i handlingsplanen følges opp.",
        ref=analysis.reference,
    )


def answer_deviations(
    actor: User, analysis: Analysis, text: str, now: datetime | None = None
) -> list[Deviation]:
    """Close every deviation the actor may answer through the workflow's answer move, with a
    response that names the analysis. All or nothing: the caller commits once."""
    now = now or utcnow()
    if not permissions.can_view_analysis(actor, analysis):
        raise PermissionError("may not see this analysis")
    _lock(analysis)
    if analysis.status is not AnalysisStatus.FERDIG:
        raise AnalysisError(_l("Avvikene kan besvares når analysen er ferdig."))
    response = _clean(text)
    if not response:
        raise AnalysisError(_l("Skriv svaret til dem som meldte avvikene."), "text")
    _check_text({"text": response})
    if analysis.reference not in response:
        # The reporter must be able to ask for the analysis by its reference.
        response = f"{response}\n\n" + _("Hendelsesanalyse: %(ref)s", ref=analysis.reference)
    deviations = answerable_deviations(actor, analysis)
    if not deviations:
        raise AnalysisError(_l("Ingen av avvikene i analysen venter på svar fra deg."))
    for deviation in deviations:
        try:
            workflow.transition(deviation, workflow.Move.ANSWER, actor, text=response, now=now)
        except workflow.WorkflowError as error:
            raise AnalysisError(
                _l("%(ref)s: %(message)s", ref=deviation.reference, message=error.message),
                "text" if error.field == "text" else None,
            ) from error
        _event(analysis, actor, AnalysisEventKind.DEVIATION_ANSWERED, deviation.reference, now)
    db.session.flush()
    return deviations


# --- Team ---------------------------------------------------------------------------------------


def add_member(
    actor: User, analysis: Analysis, email: str, now: datetime | None = None
) -> AnalysisMember:
    _require_editor(actor, analysis)
    _lock(analysis)
    _require_not_cancelled(analysis)
    user = find_active_user(email)
    if user is None:
        raise AnalysisError(_l("Finner ingen aktiv bruker med denne e-postadressen."), "email")
    if user.id in analysis.member_ids:
        raise AnalysisError(_l("%(name)s er allerede med i teamet.", name=user.name), "email")
    member = AnalysisMember(user=user, added_at=now or utcnow())
    analysis.members.append(member)
    _event(
        analysis,
        actor,
        AnalysisEventKind.MEMBER_ADDED,
        f"{user.name} ({user.organisation.name})",
        now,
    )
    db.session.flush()
    return member


def remove_member(
    actor: User, analysis: Analysis, member_id: int, now: datetime | None = None
) -> None:
    _require_editor(actor, analysis)
    _lock(analysis)
    _require_not_cancelled(analysis)
    member = next((m for m in analysis.members if m.id == member_id), None)
    if member is None:
        raise LookupError(member_id)
    if member.user_id == analysis.leader_id:
        raise AnalysisError(_l("Lederen kan ikke fjernes. Gjør en annen til leder først."))
    name = f"{member.user.name} ({member.user.organisation.name})"
    analysis.members.remove(member)
    _event(analysis, actor, AnalysisEventKind.MEMBER_REMOVED, name, now)
    db.session.flush()


def set_leader(
    actor: User, analysis: Analysis, member_id: int, now: datetime | None = None
) -> None:
    _require_editor(actor, analysis)
    _lock(analysis)
    _require_not_cancelled(analysis)
    member = next((m for m in analysis.members if m.id == member_id), None)
    if member is None:
        raise LookupError(member_id)
    if member.user_id == analysis.leader_id:
        return
    analysis.leader_id = member.user_id
    analysis.leader = member.user
    _event(analysis, actor, AnalysisEventKind.LEADER_CHANGED, member.user.name, now)
    db.session.flush()


# --- Timeline -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineInput:
    day: date
    at: time
    what: str
    source: str


def _timeline_moment(data: TimelineInput, now: datetime) -> datetime:
    moment = datetime.combine(data.day, data.at, tzinfo=OSLO)
    if moment > now:
        raise AnalysisError(_l("Tidspunktet kan ikke være fram i tid."), "day")
    if not _clean(data.what):
        raise AnalysisError(_l("Beskriv hva som skjedde."), "what")
    _check_text({"what": data.what, "source": data.source})
    return moment


def add_timeline_entry(
    actor: User, analysis: Analysis, data: TimelineInput, now: datetime | None = None
) -> TimelineEntry:
    now = now or utcnow()
    _open_content(actor, analysis)
    moment = _timeline_moment(data, now)
    entry = TimelineEntry(occurred_at=moment, what=_clean(data.what), source=_clean(data.source))
    analysis.timeline.append(entry)
    _event(analysis, actor, AnalysisEventKind.TIMELINE_ADDED, format_datetime(moment), now)
    db.session.flush()
    return entry


def update_timeline_entry(
    actor: User,
    analysis: Analysis,
    entry: TimelineEntry,
    data: TimelineInput,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    _open_content(actor, analysis)
    moment = _timeline_moment(data, now)
    before = format_datetime(entry.occurred_at)
    entry.occurred_at = moment
    entry.what = _clean(data.what)
    entry.source = _clean(data.source)
    text = before if before == format_datetime(moment) else f"{before} → {format_datetime(moment)}"
    _event(analysis, actor, AnalysisEventKind.TIMELINE_CHANGED, text, now)
    db.session.flush()


def delete_timeline_entry(
    actor: User, analysis: Analysis, entry: TimelineEntry, now: datetime | None = None
) -> None:
    _open_content(actor, analysis)
    text = format_datetime(entry.occurred_at)
    analysis.timeline.remove(entry)
    _event(analysis, actor, AnalysisEventKind.TIMELINE_DELETED, text, now)
    db.session.flush()


# --- Problems, contributory factors, root causes, learning points -------------------------------
# Plain texts that share one shape: add, change, delete while the analysis is open.


def _simple_text(text: str, field: str = "text") -> str:
    if not _clean(text):
        raise AnalysisError(_l("Skriv teksten."), field)
    _check_text({field: text})
    return _clean(text)


@dataclass(frozen=True)
class _TextList:
    """One of an analysis' numbered lists of plain texts: problems, root causes, learning points.
    They are added, changed and removed alike, each change a history row naming the item."""

    attr: str
    model: type[CareProblem | RootCause | LearningPoint]
    label: Callable[[int], str]
    added: AnalysisEventKind
    changed: AnalysisEventKind
    deleted: AnalysisEventKind

    def items(self, analysis: Analysis) -> list:
        return getattr(analysis, self.attr)

    def label_of(self, analysis: Analysis, item: object) -> str:
        return self.label(self.items(analysis).index(item) + 1)


_PROBLEMS = _TextList(
    "problems",
    CareProblem,
    lambda n: _("Problem %(n)d", n=n),
    AnalysisEventKind.PROBLEM_ADDED,
    AnalysisEventKind.PROBLEM_CHANGED,
    AnalysisEventKind.PROBLEM_DELETED,
)
_ROOT_CAUSES = _TextList(
    "root_causes",
    RootCause,
    lambda n: _("Rotårsak %(n)d", n=n),
    AnalysisEventKind.ROOT_CAUSE_ADDED,
    AnalysisEventKind.ROOT_CAUSE_CHANGED,
    AnalysisEventKind.ROOT_CAUSE_DELETED,
)
_LEARNING_POINTS = _TextList(
    "learning_points",
    LearningPoint,
    lambda n: _("Læringspunkt %(n)d", n=n),
    AnalysisEventKind.LEARNING_ADDED,
    AnalysisEventKind.LEARNING_CHANGED,
    AnalysisEventKind.LEARNING_DELETED,
)


def _open_content(actor: User, analysis: Analysis) -> None:
    """Every change to the analysis' content: an editor, the row locked, the content not frozen."""
    _require_editor(actor, analysis)
    _lock(analysis)
    _require_content_open(analysis)


def _add_text(kind: _TextList, actor: User, analysis: Analysis, text: str, now: datetime | None):
    _open_content(actor, analysis)
    item = kind.model(text=_simple_text(text))
    kind.items(analysis).append(item)
    db.session.flush()
    _event(analysis, actor, kind.added, kind.label(len(kind.items(analysis))), now)
    db.session.flush()
    return item


def _update_text(
    kind: _TextList, actor: User, analysis: Analysis, item, text: str, now: datetime | None
) -> None:
    _open_content(actor, analysis)
    item.text = _simple_text(text)
    _event(analysis, actor, kind.changed, kind.label_of(analysis, item), now)
    db.session.flush()


def _delete_text(kind: _TextList, actor: User, analysis: Analysis, item, now: datetime | None):
    label = kind.label_of(analysis, item)
    kind.items(analysis).remove(item)
    _event(analysis, actor, kind.deleted, label, now)
    db.session.flush()


def add_problem(
    actor: User, analysis: Analysis, text: str, now: datetime | None = None
) -> CareProblem:
    return _add_text(_PROBLEMS, actor, analysis, text, now)


def update_problem(
    actor: User, analysis: Analysis, problem: CareProblem, text: str, now: datetime | None = None
) -> None:
    _update_text(_PROBLEMS, actor, analysis, problem, text, now)


def delete_problem(
    actor: User, analysis: Analysis, problem: CareProblem, now: datetime | None = None
) -> None:
    _open_content(actor, analysis)
    _delete_text(_PROBLEMS, actor, analysis, problem, now)


def _problem_label(analysis: Analysis, problem: CareProblem) -> str:
    return _PROBLEMS.label_of(analysis, problem)


def _factor_label(analysis: Analysis, factor: ContributoryFactor) -> str:
    return f"{_problem_label(analysis, factor.problem)}: {labels.FACTOR_GROUP[factor.group]}"


def add_factor(
    actor: User,
    analysis: Analysis,
    problem: CareProblem,
    group: FactorGroup,
    text: str,
    now: datetime | None = None,
) -> ContributoryFactor:
    _open_content(actor, analysis)
    factor = ContributoryFactor(group=FactorGroup(group), text=_simple_text(text))
    problem.factors.append(factor)
    db.session.flush()
    _event(analysis, actor, AnalysisEventKind.FACTOR_ADDED, _factor_label(analysis, factor), now)
    db.session.flush()
    return factor


def update_factor(
    actor: User,
    analysis: Analysis,
    factor: ContributoryFactor,
    group: FactorGroup,
    text: str,
    now: datetime | None = None,
) -> None:
    _open_content(actor, analysis)
    factor.text = _simple_text(text)
    factor.group = FactorGroup(group)
    _event(analysis, actor, AnalysisEventKind.FACTOR_CHANGED, _factor_label(analysis, factor), now)
    db.session.flush()


def delete_factor(
    actor: User, analysis: Analysis, factor: ContributoryFactor, now: datetime | None = None
) -> None:
    _open_content(actor, analysis)
    label = _factor_label(analysis, factor)
    factor.problem.factors.remove(factor)
    _event(analysis, actor, AnalysisEventKind.FACTOR_DELETED, label, now)
    db.session.flush()


def add_root_cause(
    actor: User, analysis: Analysis, text: str, now: datetime | None = None
) -> RootCause:
    return _add_text(_ROOT_CAUSES, actor, analysis, text, now)


def update_root_cause(
    actor: User, analysis: Analysis, cause: RootCause, text: str, now: datetime | None = None
) -> None:
    _update_text(_ROOT_CAUSES, actor, analysis, cause, text, now)


def delete_root_cause(
    actor: User, analysis: Analysis, cause: RootCause, now: datetime | None = None
) -> None:
    _open_content(actor, analysis)
    answering = [a.number for a in analysis.actions if a.root_cause_id == cause.id]
    if answering:
        raise AnalysisError(
            _l(
                "Rotårsaken kan ikke slettes fordi tiltak %(numbers)s svarer på den. "
                "Endre tiltakene først.",
                numbers=", ".join(str(n) for n in answering),
            )
        )
    _delete_text(_ROOT_CAUSES, actor, analysis, cause, now)


def add_learning_point(
    actor: User, analysis: Analysis, text: str, now: datetime | None = None
) -> LearningPoint:
    return _add_text(_LEARNING_POINTS, actor, analysis, text, now)


def update_learning_point(
    actor: User, analysis: Analysis, point: LearningPoint, text: str, now: datetime | None = None
) -> None:
    _update_text(_LEARNING_POINTS, actor, analysis, point, text, now)


def delete_learning_point(
    actor: User, analysis: Analysis, point: LearningPoint, now: datetime | None = None
) -> None:
    _open_content(actor, analysis)
    _delete_text(_LEARNING_POINTS, actor, analysis, point, now)


# --- Action plan --------------------------------------------------------------------------------


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
    if not _clean(data.text):
        raise AnalysisError(_l("Beskriv tiltaket."), "text")
    _check_text({"text": data.text, "effect_measure": data.effect_measure})
    cause = next((c for c in analysis.root_causes if c.id == data.root_cause_id), None)
    if cause is None:
        raise AnalysisError(_l("Velg rotårsaken tiltaket svarer på."), "root_cause")
    org = db.session.get(Organisation, data.responsible_org_id) if data.responsible_org_id else None
    if org is None or not org.active:
        raise AnalysisError(_l("Velg ansvarlig organisasjon."), "responsible_org")
    person = None
    if _clean(data.responsible_email):
        person = find_active_user(data.responsible_email)
        if person is None:
            raise AnalysisError(
                _l("Finner ingen aktiv bruker med denne e-postadressen."), "responsible_email"
            )
        if person.organisation_id != org.id:
            raise AnalysisError(
                _l(
                    "%(name)s hører til %(their)s, ikke %(org)s. Velg riktig organisasjon eller person.",
                    name=person.name,
                    their=person.organisation.name,
                    org=org.name,
                ),
                "responsible_email",
            )
    if analysis.status is AnalysisStatus.FERDIG and data.status is not ActionStatus.FORKASTET:
        # Keeps the ferdig rule true after ferdig: no plan action loses its owner or due date.
        if person is None:
            raise AnalysisError(
                _l("Analysen er ferdig: tiltaket må ha en ansvarlig person."), "responsible_email"
            )
        if data.due_date is None:
            raise AnalysisError(_l("Analysen er ferdig: tiltaket må ha en frist."), "due_date")
    return cause, org, person


def add_action(
    actor: User, analysis: Analysis, data: ActionInput, now: datetime | None = None
) -> AnalysisAction:
    now = now or utcnow()
    _require_editor(actor, analysis)
    _lock(analysis)
    _require_not_cancelled(analysis)
    cause, org, person = _resolve_action(analysis, data)
    number = max((a.number for a in analysis.actions), default=0) + 1
    action = AnalysisAction(
        number=number,
        text=_clean(data.text),
        root_cause_id=cause.id,
        responsible_org_id=org.id,
        responsible_user_id=person.id if person else None,
        due_date=data.due_date,
        status=data.status,
        strength=data.strength,
        effect_measure=_clean(data.effect_measure),
        completed_at=now if data.status is ActionStatus.GJENNOMFORT else None,
    )
    analysis.actions.append(action)
    _event(analysis, actor, AnalysisEventKind.ACTION_ADDED, _("Tiltak %(n)d", n=number), now)
    db.session.flush()
    return action


def update_action(
    actor: User,
    analysis: Analysis,
    action: AnalysisAction,
    data: ActionInput,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    _require_editor(actor, analysis)
    _lock(analysis)
    _require_not_cancelled(analysis)
    cause, org, person = _resolve_action(analysis, data)
    changes = []
    if _clean(data.text) != action.text:
        changes.append(_("tekst"))
    if cause.id != action.root_cause_id:
        changes.append(_("rotårsak"))
    if org.id != action.responsible_org_id:
        changes.append(
            _("organisasjon %(old)s → %(new)s", old=action.responsible_org.name, new=org.name)
        )
    new_person_id = person.id if person else None
    if new_person_id != action.responsible_user_id:
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
    if _clean(data.effect_measure) != action.effect_measure:
        changes.append(_("effektmåling"))
    if not changes:
        return
    if data.status is ActionStatus.GJENNOMFORT and action.status is not ActionStatus.GJENNOMFORT:
        action.completed_at = now
    elif data.status is not ActionStatus.GJENNOMFORT:
        action.completed_at = None
    action.text = _clean(data.text)
    action.root_cause_id = cause.id
    action.responsible_org_id = org.id
    action.responsible_org = org
    action.responsible_user_id = new_person_id
    action.responsible_user = person
    action.due_date = data.due_date
    action.status = data.status
    action.strength = data.strength
    action.effect_measure = _clean(data.effect_measure)
    _event(
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
    _require_editor(actor, analysis)
    _lock(analysis)
    if analysis.status is AnalysisStatus.FERDIG:
        # The plan the analysis was finished with stays on record; a dropped action is forkastet.
        raise AnalysisError(
            _l("Tiltak i en ferdig analyse slettes ikke. Sett status til «Forkastet».")
        )
    _require_content_open(analysis)
    analysis.actions.remove(action)
    _event(
        analysis, actor, AnalysisEventKind.ACTION_DELETED, _("Tiltak %(n)d", n=action.number), now
    )
    db.session.flush()


# --- The tertial report ---------------------------------------------------------------------------


def tertial_records(until: date, organisation_id: int | None = None) -> list[AnalysisRecord]:
    """Every analysis started by ``until`` as plain records for reports.summary: start, finish
    and the actions' status, strength and due date; nothing else leaves the analysis.

    ``organisation_id`` narrows to the analyses covering a deviation that organisation reported
    or received (the handler's view of the statistics). A cancelled analysis counts as started,
    but its actions are not followed up and are left out.
    """
    query = (
        sa.select(Analysis)
        .where(Analysis.start_date <= until)
        .options(selectinload(Analysis.actions))
        .order_by(Analysis.id)
    )
    if organisation_id is not None:
        query = query.where(
            Analysis.id.in_(
                sa.select(AnalysisDeviation.analysis_id)
                .join(Deviation, Deviation.id == AnalysisDeviation.deviation_id)
                .where(
                    sa.or_(
                        Deviation.reporter_org_id == organisation_id,
                        Deviation.counterpart_org_id == organisation_id,
                    )
                )
            )
        )
    return [
        AnalysisRecord(
            started=a.start_date,
            finished=local(a.finished_at).date() if a.finished_at else None,
            actions=()
            if a.status is AnalysisStatus.AVBRUTT
            else tuple(
                ActionRecord(x.status.value, x.strength.value, x.due_date) for x in a.actions
            ),
        )
        for a in db.session.scalars(query)
    ]


# --- PDF --------------------------------------------------------------------------------------


def report_data(viewer: User, analysis: Analysis, now: datetime | None = None) -> AnalysisReport:
    """The analysis as plain data for reports.analysis, labels translated, times local."""
    covered = covered_deviations(viewer, analysis)
    cause_numbers = {c.id: i for i, c in enumerate(analysis.root_causes, start=1)}
    return AnalysisReport(
        reference=analysis.reference,
        title=analysis.title,
        status=str(labels.STATUS[analysis.status]),
        start_date=analysis.start_date,
        due_date=analysis.due_date,
        finished_on=local(analysis.finished_at).date() if analysis.finished_at else None,
        leader=f"{analysis.leader.name} ({analysis.leader.organisation.name})",
        mandate=analysis.mandate,
        scope=analysis.scope,
        deviations=[d.reference for d in covered.visible],
        hidden_deviations=covered.hidden_count,
        members=[
            report.Member(m.user.name, m.user.organisation.name, m.user_id == analysis.leader_id)
            for m in analysis.members
        ],
        timeline=[report.TimelineRow(t.occurred_at, t.what, t.source) for t in analysis.timeline],
        problems=[
            report.Problem(
                p.text,
                [report.Factor(str(labels.FACTOR_GROUP[f.group]), f.text) for f in p.factors],
            )
            for p in analysis.problems
        ],
        root_causes=[c.text for c in analysis.root_causes],
        actions=[
            report.ActionRow(
                number=a.number,
                text=a.text,
                root_cause_number=cause_numbers.get(a.root_cause_id) if a.root_cause_id else None,
                organisation=a.responsible_org.name,
                person=a.responsible_user.name if a.responsible_user else None,
                due=a.due_date,
                status=str(labels.ACTION_STATUS[a.status]),
                strength=str(labels.STRENGTH[a.strength]),
                effect_measure=a.effect_measure,
            )
            for a in analysis.actions
        ],
        learning_points=[p.text for p in analysis.learning_points],
        made_at=now or utcnow(),
    )


def render_pdf(
    viewer: User, analysis: Analysis, now: datetime | None = None, language: Language = NORWEGIAN
) -> bytes:
    """The labels in report_data follow the active locale; ``language`` must be the same one."""
    return report.render_analysis_pdf(report_data(viewer, analysis, now), language)


# --- Reminders ----------------------------------------------------------------------------------


def _mail_for(user: User, subject: str, body: str, key: str) -> bool:
    return queue_mail(user.email, subject, body, dedupe_key=key) is not None


def queue_analysis_reminders(now: datetime | None = None) -> int:
    """Queue the reminders that are due today; returns how many were queued.

    Idempotent: each reminder's dedupe key names the action or analysis and the due date it
    reminds of, so a second run queues nothing, and a moved due date earns fresh reminders.
    E-mails carry no case content: the analysis reference, the action's number, the date, a link.
    """
    now = now or utcnow()
    today = local(now).date()
    queued = 0

    actions = db.session.scalars(
        sa.select(AnalysisAction)
        .join(Analysis, Analysis.id == AnalysisAction.analysis_id)
        .join(User, User.id == AnalysisAction.responsible_user_id)
        .where(
            AnalysisAction.status.in_(OPEN_ACTION_STATUSES),
            AnalysisAction.due_date.is_not(None),
            AnalysisAction.due_date <= today + timedelta(days=REMINDER_DAYS_BEFORE),
            Analysis.status != AnalysisStatus.AVBRUTT,
            User.active.is_(True),
        )
        .options(
            selectinload(AnalysisAction.analysis), selectinload(AnalysisAction.responsible_user)
        )
        .order_by(AnalysisAction.id)
    )
    for action in actions:
        person = action.responsible_user
        assert person is not None and action.due_date is not None
        analysis = action.analysis
        link = absolute_url(
            "analysis.show", reference=analysis.reference, _anchor=f"tiltak-{action.number}"
        )
        with force_locale(person.language):
            if action.due_date >= today:
                subject = _(
                    "Tiltak %(n)d i hendelsesanalyse %(ref)s har frist %(due)s",
                    n=action.number,
                    ref=analysis.reference,
                    due=format_date(action.due_date),
                )
                body = _(
                    "Hei!\n\nTiltak %(n)d i hendelsesanalyse %(ref)s har frist %(due)s, og du står som "
                    "ansvarlig.\n\nSe tiltaket og oppdater status her:\n%(link)s\n\n"
                    "Denne e-posten er sendt automatisk fra Samhandlingsavvik.",
                    n=action.number,
                    ref=analysis.reference,
                    due=format_date(action.due_date),
                    link=link,
                )
                key = f"analysis-action:{action.id}:due-soon:{action.due_date.isoformat()}"
            else:
                subject = _(
                    "Fristen for tiltak %(n)d i hendelsesanalyse %(ref)s er passert",
                    n=action.number,
                    ref=analysis.reference,
                )
                body = _(
                    "Hei!\n\nFristen for tiltak %(n)d i hendelsesanalyse %(ref)s var %(due)s, og tiltaket "
                    "er ikke registrert som gjennomført. Du står som ansvarlig.\n\n"
                    "Se tiltaket og oppdater status her:\n%(link)s\n\n"
                    "Denne e-posten er sendt automatisk fra Samhandlingsavvik.",
                    n=action.number,
                    ref=analysis.reference,
                    due=format_date(action.due_date),
                    link=link,
                )
                key = f"analysis-action:{action.id}:overdue:{action.due_date.isoformat()}"
        queued += _mail_for(person, subject, body, key)

    overdue = db.session.scalars(
        sa.select(Analysis)
        .join(User, User.id == Analysis.leader_id)
        .where(
            Analysis.status.in_(ACTIVE_ANALYSIS_STATUSES),
            Analysis.due_date < today,
            User.active.is_(True),
        )
        .options(selectinload(Analysis.leader))
        .order_by(Analysis.id)
    )
    for analysis in overdue:
        leader = analysis.leader
        link = absolute_url("analysis.show", reference=analysis.reference)
        with force_locale(leader.language):
            subject = _("Hendelsesanalyse %(ref)s har passert fristen", ref=analysis.reference)
            body = _(
                "Hei!\n\nHendelsesanalyse %(ref)s skulle vært ferdig %(due)s. Du er leder for "
                "analysen.\n\nSe analysen her:\n%(link)s\n\n"
                "Denne e-posten er sendt automatisk fra Samhandlingsavvik.",
                ref=analysis.reference,
                due=format_date(analysis.due_date),
                link=link,
            )
        queued += _mail_for(
            leader, subject, body, f"analysis:{analysis.id}:overdue:{analysis.due_date.isoformat()}"
        )
    db.session.flush()
    return queued
