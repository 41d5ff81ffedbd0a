"""The status and deadline badges, as Python: lists show one of each per row, and a Jinja
macro or include per row cost more than the rest of the row."""

from __future__ import annotations

from datetime import date

from flask import g
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from app.common import labels
from app.common.dates import format_date
from app.models import Status


def status_badge(status: Status) -> Markup:
    # Translated once per request and status, not once per row.
    cache = g.setdefault("_status_badges", {})
    badge = cache.get(status)
    if badge is None:
        badge = cache[status] = Markup('<span class="badge {}">{}</span>').format(
            labels.STATUS_BADGE[status], str(labels.STATUS[status])
        )
    return badge


def deadline_badge(deadline: date, today: date, bare: bool = False) -> Markup:
    """The deadline (``bare``: the date alone) and how many days are left or overdue."""
    when = format_date(deadline)
    text = when if bare else _("Svarfrist %(date)s", date=when)
    html = Markup('<span class="text-nowrap">{}</span>\n').format(text)
    return html + _days_left_badge((deadline - today).days)


def _days_left_badge(left: int) -> Markup:
    # Translated once per request and number of days, not once per row.
    cache = g.setdefault("_days_left_badges", {})
    badge = cache.get(left)
    if badge is None:
        if left < 0:
            badge_class = "text-bg-danger"
            label = ngettext("%(num)d dag over fristen", "%(num)d dager over fristen", -left)
        elif left == 0:
            badge_class, label = "text-bg-warning", _("Frist i dag")
        else:
            badge_class = "text-bg-warning" if left <= 3 else "text-bg-light border"
            label = ngettext("%(num)d dag igjen", "%(num)d dager igjen", left)
        badge = cache[left] = Markup('<span class="badge {}">{}</span>').format(
            badge_class, escape(label)
        )
    return badge
