"""Models, one module per aggregate; imported here so Alembic sees every table."""

from app.models import guards  # noqa: F401  (registers the append-only listeners)
from app.models.access_log import AccessAction, AccessAlert, AccessLogEntry, AlertKind
from app.models.admin_log import AdminLogEntry
from app.models.analysis import (
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
    FactorGroup,
    LearningPoint,
    RootCause,
    TimelineEntry,
)
from app.models.api import (
    ApiClient,
    DeliveryStatus,
    IdempotencyKey,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.models.auth_token import AuthToken, TokenPurpose
from app.models.base import Base, utcnow
from app.models.catalogue import Agreement, Category
from app.models.deviation import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Deviation,
    DeviationEvent,
    DeviationMessage,
    Direction,
    EventKind,
    Harm,
    HistoryLine,
    ReferenceCounter,
    Status,
)
from app.models.kept_form import KeptForm
from app.models.learning import GoodStory, Lesson, LessonStatus
from app.models.login_session import LoginSession, PendingLogin
from app.models.mail import MailStatus, OutboxMail
from app.models.organisation import Organisation, OrgKind, Unit
from app.models.reading import ThreadRead
from app.models.search import DeviationSearch
from app.models.second_factor import RecoveryCode
from app.models.security_log import SecurityEvent, SecurityLogEntry
from app.models.serious_notice import SeriousNotice
from app.models.user import Role, SsoIdentity, User, UserRole

__all__ = [
    "ACTIVE_ANALYSIS_STATUSES",
    "CLOSED_STATUSES",
    "OPEN_ACTION_STATUSES",
    "OPEN_STATUSES",
    "AccessAction",
    "AccessAlert",
    "AccessLogEntry",
    "ActionStatus",
    "ActionStrength",
    "AdminLogEntry",
    "Agreement",
    "AlertKind",
    "Analysis",
    "AnalysisAction",
    "AnalysisDeviation",
    "AnalysisEvent",
    "AnalysisEventKind",
    "AnalysisMember",
    "AnalysisReferenceCounter",
    "AnalysisStatus",
    "ApiClient",
    "AuthToken",
    "Base",
    "CareProblem",
    "Category",
    "ContributoryFactor",
    "DeliveryStatus",
    "Deviation",
    "DeviationEvent",
    "DeviationMessage",
    "DeviationSearch",
    "Direction",
    "EventKind",
    "FactorGroup",
    "GoodStory",
    "Harm",
    "HistoryLine",
    "IdempotencyKey",
    "KeptForm",
    "LearningPoint",
    "Lesson",
    "LessonStatus",
    "LoginSession",
    "MailStatus",
    "OrgKind",
    "Organisation",
    "OutboxMail",
    "PendingLogin",
    "RecoveryCode",
    "ReferenceCounter",
    "Role",
    "RootCause",
    "SecurityEvent",
    "SecurityLogEntry",
    "SeriousNotice",
    "SsoIdentity",
    "Status",
    "ThreadRead",
    "TimelineEntry",
    "TokenPurpose",
    "Unit",
    "User",
    "UserRole",
    "WebhookDelivery",
    "WebhookEndpoint",
    "utcnow",
]
