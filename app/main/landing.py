"""Where a signed-in user starts: one decision, read by the front page ("/"), which is also
where the sign-in leads when no other page was asked for.

Each role's start page is a line here (issue 22: the improvement group starts on the
statistics; handlers on their queue), so the roles' pages never compete in the views.
"""

from __future__ import annotations

from flask import url_for

from app.common import permissions
from app.models import User


def landing_url(user: User) -> str | None:
    """The page ``user`` starts on, or None for the front page itself."""
    if permissions.can(user, "start_page", permissions.STATISTICS):
        return url_for("statistics.index")
    return None
