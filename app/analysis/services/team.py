"""The analysis team: members from several organisations, one of them the leader. The team lives
on after ferdig (its members follow the action plan) but not after avbrutt."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.analysis.services.editing import open_follow_up, record_event
from app.common import permissions
from app.common.errors import NoSuchObject, ServiceError
from app.extensions import db
from app.models import Analysis, AnalysisEventKind, AnalysisMember, User, utcnow


def _member(analysis: Analysis, member_id: int) -> AnalysisMember:
    """NoSuchObject when the id is not on this team: the page answers 404."""
    member = next((m for m in analysis.members if m.id == member_id), None)
    if member is None:
        raise NoSuchObject(member_id)
    return member


def _organisations_of(actor: User, analysis: Analysis) -> set[int]:
    found = {actor.organisation_id}
    found.update(m.user.organisation_id for m in analysis.members)
    for link in analysis.links:
        found.update((link.deviation.reporter_org_id, link.deviation.counterpart_org_id))
    return found


def add_member(
    actor: User, analysis: Analysis, email: str, now: datetime | None = None
) -> AnalysisMember:
    open_follow_up(actor, analysis)
    # Only people the adder could look for anyway are found (permissions.team_candidates): any
    # other address, whether it has an account or not, gets the same answer, so a team member
    # learns nothing about who else uses the system.
    user = db.session.scalar(
        sa.select(User).where(
            User.email == (email or "").strip().lower(),
            User.active.is_(True),
            permissions.team_candidates(_organisations_of(actor, analysis)),
        )
    )
    if user is None:
        raise ServiceError(
            _l(
                "Finner ingen aktiv bruker med denne e-postadressen i organisasjonene som er "
                "med i analysen."
            ),
            "email",
            code="unknown_user",
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
