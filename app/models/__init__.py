"""Models, one module per aggregate; imported here so Alembic sees every table."""

from app.models.admin_log import AdminLogEntry
from app.models.auth_token import AuthToken, TokenPurpose
from app.models.base import Base, utcnow
from app.models.deviation import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Agreement,
    Category,
    Deviation,
    DeviationEvent,
    DeviationMessage,
    Direction,
    EventKind,
    Harm,
    ReferenceCounter,
    Status,
)
from app.models.mail import MailStatus, OutboxMail
from app.models.organisation import Organisation, OrgKind, Unit
from app.models.user import Role, User, UserRole
from app.models import guards  # noqa: F401  (registers the append-only listeners)

__all__ = [
    "AdminLogEntry",
    "AuthToken",
    "Agreement",
    "Base",
    "CLOSED_STATUSES",
    "Category",
    "Deviation",
    "DeviationEvent",
    "DeviationMessage",
    "Direction",
    "EventKind",
    "Harm",
    "MailStatus",
    "OutboxMail",
    "OPEN_STATUSES",
    "OrgKind",
    "Organisation",
    "ReferenceCounter",
    "Role",
    "Status",
    "TokenPurpose",
    "Unit",
    "User",
    "UserRole",
    "utcnow",
]
