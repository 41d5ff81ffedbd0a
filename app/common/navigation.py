"""The main menu, built in Python: which links a user gets is a permission question, and one of
them (incident analyses) needs a query. Templates only draw what this returns."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.common import permissions
from app.models import Analysis, User


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    # The blueprint whose every page marks the item as the current section, if not only its own.
    section: str | None = None

    def is_current(self, endpoint: str | None, blueprint: str | None) -> bool:
        return endpoint == self.endpoint or (self.section is not None and blueprint == self.section)


def main_menu(user: User) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    items = [
        NavItem("deviations.new", _l("Meld avvik")),
        NavItem("learning.new_story", _l("God historie")),
        NavItem("deviations.mine", _l("Mine avvik")),
    ]
    if permissions.can(user, "open", permissions.INBOX):
        items.append(NavItem("handling.inbox", _l("Mottak")))
    items.append(NavItem("learning.index", _l("Læring")))
    if permissions.can(user, "view", permissions.STATISTICS):
        items.append(NavItem("statistics.index", _l("Statistikk")))
    if permissions.any_visible(user, Analysis):
        items.append(NavItem("analysis.index", _l("Hendelsesanalyser"), section="analysis"))
    if permissions.can(user, "open", permissions.PRIVACY):
        items.append(NavItem("privacy.index", _l("Personvern"), section="privacy"))
    if permissions.can(user, "open", permissions.ADMIN_AREA):
        items.append(NavItem("admin.index", _l("Administrasjon"), section="admin"))
    return items
