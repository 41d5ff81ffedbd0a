"""The main menu, built in Python: which links a user gets is a permission question, and one of
them (incident analyses) needs a query. Templates only draw what this returns.

At most five entries at the top level for every role (issue 22: six or seven made the header
wrap to five lines at 1280 px). So: "God historie" is a page of the Læring section (the start
page and the Læring page both link to it), statistics and incident analyses share one
"Forbedring" menu when one has both, and should a role ever have more than five entries left,
the last ones go under "Mer". Min konto, the language and Logg ut are the account menu's
(base.html), not entries here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.common import permissions
from app.models import Analysis, User

TOP_LEVEL_MAX = 5


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    # The blueprint whose every page marks the item as the current section, if not only its own.
    section: str | None = None

    def is_current(self, endpoint: str | None, blueprint: str | None) -> bool:
        return endpoint == self.endpoint or (self.section is not None and blueprint == self.section)


@dataclass(frozen=True)
class NavGroup:
    """A top-level entry that opens a menu of items (a disclosure button, not a link)."""

    key: str  # the id of its menu in the page
    label: str
    items: tuple[NavItem, ...]

    def is_current(self, endpoint: str | None, blueprint: str | None) -> bool:
        return any(item.is_current(endpoint, blueprint) for item in self.items)


def main_menu(user: User) -> list[NavItem | NavGroup]:
    if not user.is_authenticated:
        return []
    items: list[NavItem | NavGroup] = [
        NavItem("deviations.new", _l("Meld avvik")),
        NavItem("deviations.mine", _l("Mine avvik")),
    ]
    if permissions.can(user, "open", permissions.INBOX):
        items.append(NavItem("handling.inbox", _l("Mottak")))
    items.append(NavItem("learning.index", _l("Læring"), section="learning"))
    improvement = []
    if permissions.can(user, "view", permissions.STATISTICS):
        improvement.append(NavItem("statistics.index", _l("Statistikk"), section="statistics"))
    if permissions.any_visible(user, Analysis):
        improvement.append(NavItem("analysis.index", _l("Hendelsesanalyser"), section="analysis"))
    if len(improvement) > 1:
        items.append(NavGroup("meny-forbedring", _l("Forbedring"), tuple(improvement)))
    else:
        items += improvement
    if permissions.can(user, "open", permissions.PRIVACY):
        items.append(NavItem("privacy.index", _l("Personvern"), section="privacy"))
    if permissions.can(user, "open", permissions.ADMIN_AREA):
        items.append(NavItem("admin.index", _l("Administrasjon"), section="admin"))
    return _at_most_five(items)


def _at_most_five(items: list[NavItem | NavGroup]) -> list[NavItem | NavGroup]:
    if len(items) <= TOP_LEVEL_MAX:
        return items
    keep, rest = items[: TOP_LEVEL_MAX - 1], items[TOP_LEVEL_MAX - 1 :]
    flat: list[NavItem] = []
    for entry in rest:
        flat += entry.items if isinstance(entry, NavGroup) else [entry]
    return [*keep, NavGroup("meny-mer", _l("Mer"), tuple(flat))]
