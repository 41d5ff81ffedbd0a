"""The form's pick lists are kept per worker for PICKLIST_CACHE_SECONDS, then re-read."""

from __future__ import annotations

import time

from app.deviations.services import filing_choices
from app.extensions import db
from app.models import Organisation, OrgKind


def test_pick_lists_are_cached_then_refreshed(ctx):
    ctx.config["PICKLIST_CACHE_SECONDS"] = 0.3
    first = filing_choices()
    assert {"St. Olavs hospital HF", "Trondheim"} <= {o.name for o in first.organisations}
    paths = {u.path for units in first.units_by_org.values() for u in units}
    assert {"Medisinsk klinikk", "Medisinsk klinikk › Geriatrisk avdeling"} <= paths

    db.session.add(Organisation(name="Indre Fosen", kind=OrgKind.KOMMUNE))
    db.session.commit()
    assert filing_choices() is first  # within the window: no query, the same lists
    time.sleep(0.35)
    refreshed = filing_choices()
    assert "Indre Fosen" in {o.name for o in refreshed.organisations}


def test_no_cache_when_disabled(ctx):
    assert ctx.config["PICKLIST_CACHE_SECONDS"] == 0
    first = filing_choices()
    db.session.add(Organisation(name="Åfjord", kind=OrgKind.KOMMUNE))
    db.session.commit()
    assert "Åfjord" in {o.name for o in filing_choices().organisations}
    assert filing_choices() is not first
