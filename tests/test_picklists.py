"""The forms' pick lists are read on every view: what an admin adds is offered at once."""

from __future__ import annotations

from app.extensions import db
from app.models import Category, Organisation, OrgKind
from tests.support import login


def test_pick_lists_hold_active_organisations_and_unit_paths(ctx):
    from app.common.picklists import filing_lists

    lists = filing_lists()
    assert {"St. Olavs hospital HF", "Trondheim"} <= {o.name for o in lists.organisations}
    assert lists.organisations[0].kind == "sykehus"  # the hospital first
    paths = {u.path for units in lists.units_by_org.values() for u in units}
    assert {"Medisinsk klinikk", "Medisinsk klinikk › Geriatrisk avdeling"} <= paths


def test_what_an_admin_adds_is_offered_in_the_form_at_once(app, client):
    login(client, "melder@trondheim.demo")
    assert "Steinkjer" not in client.get("/avvik/nytt").get_data(as_text=True)
    with app.app_context():
        db.session.add(Organisation(name="Steinkjer", kind=OrgKind.KOMMUNE))
        db.session.add(Category(name="Ny kategori fra admin", position=99))
        db.session.commit()
    page = client.get("/avvik/nytt").get_data(as_text=True)
    assert "Steinkjer" in page
    assert "Ny kategori fra admin" in page
