"""The analysis team: members from several organisations, one of them the leader. The team lives
on after ferdig (its members follow the action plan) but not after avbrutt."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.analysis.services.editing import open_follow_up, record_event
from app.analysis.services.reading import find_active_user
from app.common.errors import NoSuchObject, ServiceError
from app.extensions import db
from app.models import Analysis, AnalysisEventKind, AnalysisMember, User, utcnow


def _member(analysis: Analysis, member_id: int) -> AnalysisMember:
    """NoSuchObject when the id is not on this team: the page answers 404."""
    member = next((m for m in analysis.members if m.id == member_id), None)
    if member is None:
        raise NoSuchObject(member_id)
    return member


def add_member(
    actor: User, analysis: Analysis, email: str, now: datetime | None = None
) -> AnalysisMember:
    open_follow_up(actor, analysis)
    user = find_active_user(email)
    if user is None:
        raise ServiceError(
            _l("Finner ingen aktiv bruker med denne e-postadressen."), "email", code="unknown_user"
        )
    if user.id in analysis.member_ids:
        raise ServiceError(
            _l("%(name)s er allerede med i teamet.", name=user.name),
            "email",
            code="already_member",
        )
    member = AnalysisMember(user=user, added_at=now or utcnow())
    analysis.members.append(member)
    record_event(
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
    open_follow_up(actor, analysis)
    member = _member(analysis, member_id)
    if member.user_id == analysis.leader_id:
        raise ServiceError(
            _l("Lederen kan ikke fjernes. Gjør en annen til leder først."),
            code="leader_cannot_be_removed",
        )
    name = f"{member.user.name} ({member.user.organisation.name})"
    analysis.members.remove(member)
    record_event(analysis, actor, AnalysisEventKind.MEMBER_REMOVED, name, now)
    db.session.flush()


def set_leader(
    actor: User, analysis: Analysis, member_id: int, now: datetime | None = None
) -> None:
    open_follow_up(actor, analysis)
    member = _member(analysis, member_id)
    if member.user_id == analysis.leader_id:
        return
    analysis.leader_id = member.user_id
    analysis.leader = member.user
    record_event(analysis, actor, AnalysisEventKind.LEADER_CHANGED, member.user.name, now)
    db.session.flush()
