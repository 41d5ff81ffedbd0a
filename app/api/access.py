"""Who a token is, and what it may see: the API's one door to the permission rules.

A client acts through its system user (app.models.api), seen with the roles its scopes imply:
either deviations scope or statistics:read makes it a saksbehandler of its organisation, so the
same predicates as the pages decide what it reads and which moves it may make. The scope
itself is checked first, per operation (routes/blueprint.py). Everything the API asks of the
permission rules goes through this module, so it follows them when they change.
"""

from __future__ import annotations

from app.api import scopes
from app.common import permissions
from app.models import ApiClient, Deviation, DeviationMessage, Organisation, Role, User


class ApiActor:
    """The client's system user with the roles its scopes imply, for this request only: the
    user row holds no role, so it is never mailed as a handler nor counts as mottak staff."""

    def __init__(self, client: ApiClient) -> None:
        self._user = client.user
        self.client = client
        granted = client.scope_set
        roles = {Role.MELDER}
        if granted & {scopes.DEVIATIONS_READ, scopes.DEVIATIONS_WRITE, scopes.STATISTICS_READ}:
            roles.add(Role.SAKSBEHANDLER)
        self.roles = frozenset(roles)

    def __getattr__(self, name: str) -> object:
        return getattr(self._user, name)

    @property
    def user(self) -> User:
        return self._user

    is_authenticated = True
    is_active = True


def can_read_deviation(actor: ApiActor, deviation: Deviation) -> bool:
    return permissions.can(actor, "view", deviation)  # type: ignore[arg-type]


def can_handle_deviation(actor: ApiActor, deviation: Deviation) -> bool:
    return permissions.can(actor, "handle", deviation)  # type: ignore[arg-type]


def can_post_message(actor: ApiActor, deviation: Deviation) -> bool:
    return permissions.can(actor, "post_message", deviation)  # type: ignore[arg-type]


def shows_message(actor: ApiActor, message: DeviationMessage) -> bool:
    """The public thread only: an internal note never leaves the pages, whoever asks."""
    return not message.internal and permissions.can(actor, "view", message)  # type: ignore[arg-type]


def can_view_statistics(actor: ApiActor) -> bool:
    return permissions.can(actor, "view", permissions.STATISTICS)  # type: ignore[arg-type]


def can_manage_clients(user: User, organisation: Organisation) -> bool:
    """An organisation's lokal_admin (and a central admin) keeps its API clients."""
    return permissions.can(user, "administer", organisation)


def can_administer(user: User) -> bool:
    return permissions.can(user, "open", permissions.ADMIN_AREA)
