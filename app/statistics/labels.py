"""The statistics pages' words for report codes, in the request's language."""

from __future__ import annotations

from flask_babel import gettext as _

from reports import labels as report_labels


def direction_labels() -> dict[str, str]:
    """Each direction's label by its code (marked for translation in reports/labels.py)."""
    return {code: _(label) for code, label in report_labels.DIRECTIONS.items()}
