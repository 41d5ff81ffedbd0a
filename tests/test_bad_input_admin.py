"""Generated bad input (tests/bad_input.py) for the administration: organisations, mottak,
units, the shared lists, users and invitations, and the one-button actions, as a central admin
and as a local admin who sends other organisations' ids."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.models import Category, Organisation, Unit, User
from tests.bad_input import Form, Kinds, drive


def test_admin_forms(app, login_as):
    with app.app_context():
        trondheim = organisation_by_name("Trondheim")
        hospital = organisation_by_name(HOSPITAL)
        ids = lambda q: [str(i) for i in db.session.scalars(q)]
        kinds = Kinds(
            {
                "org": ids(sa.select(Organisation.id)),
                "unit": ids(sa.select(Unit.id).limit(40)),
                "user": ids(sa.select(User.id)),
                "kind": ["kommune", "sykehus", "annet", "KOMMUNE"],
                "role": [
                    "saksbehandler",
                    "admin",
                    "lokal_admin",
                    "forbedringsgruppe",
                    "personvern",
                    "analytiker",
                    "melder",
                    "x",
                ],
                "language": ["nb", "en", "de", ""],
                "value": ["1", "0", "opp", "ned", ""],
                "org_name": [o.name for o in db.session.scalars(sa.select(Organisation))],
            }
        )
        t_id, h_id = trondheim.id, hospital.id
        t_unit = db.session.scalar(sa.select(Unit.id).where(Unit.organisation_id == t_id))
        h_unit = db.session.scalar(sa.select(Unit.id).where(Unit.organisation_id == h_id))
        category = db.session.scalar(sa.select(Category.id))
        t_user = db.session.scalar(sa.select(User.id).where(User.email == "melder@trondheim.demo"))
    forms = [
        Form("admin new organisation", "/admin/organisasjoner",
             {"name": "text", "kind": "kind", "response_days": "number"}, ("name",),
             {"name": "Steinkjer", "kind": "kommune", "response_days": "14"}),
        Form("admin organisation", f"/admin/organisasjoner/{t_id}",
             {"name": "text", "response_days": "number"}, ("name",),
             {"name": "Trondheim", "response_days": "21"}),
        Form("admin merge", f"/admin/organisasjoner/{t_id}/sla-sammen",
             {"target": "org", "confirm": "org_name"}, ("confirm",),
             {"target": str(h_id), "confirm": "Trondheim"}),
        Form("admin mottak", f"/admin/organisasjoner/{t_id}/mottak", {"user": "user"}, (),
             {"user": str(t_user)}),
        Form("admin new unit", f"/admin/organisasjoner/{t_id}/enheter",
             {"name": "text", "name_en": "text", "parent": "unit"}, ("name", "name_en"),
             {"name": "Ny enhet", "name_en": "New unit", "parent": ""}),
        Form("admin unit", f"/admin/enheter/{t_unit}",
             {"name": "text", "name_en": "text", "parent": "unit"}, ("name", "name_en"),
             {"name": "Omdøpt enhet", "name_en": "Renamed unit", "parent": ""}),
        Form("admin categories", "/admin/kategorier", {"name": "text", "name_en": "text"},
             ("name", "name_en"), {"name": "Ny kategori", "name_en": "New category"}),
        Form("admin category", f"/admin/kategorier/{category}",
             {"name": "text", "name_en": "text"}, ("name", "name_en"),
             {"name": "Omdøpt kategori", "name_en": "Renamed category"}),
        Form("admin invite", "/admin/brukere/ny",
             {"email": "email", "name": "text", "organisation": "org", "unit": "unit",
              "roles": "role", "language": "language"}, ("email", "name"),
             {"email": "ny@trondheim.demo", "name": "Ny Bruker", "organisation": str(t_id),
              "unit": "", "roles": "saksbehandler", "language": "nb"}),
        Form("admin user", f"/admin/brukere/{t_user}",
             {"name": "text", "organisation": "org", "unit": "unit", "roles": "role"}, ("name",),
             {"name": "Kari Nordmann", "organisation": str(t_id), "unit": "", "roles": ""}),
        Form("admin user active", f"/admin/brukere/{t_user}/aktiv", {"value": "value"}, (),
             {"value": "0"}),
        Form("admin category move", f"/admin/kategorier/{category}/flytt", {"value": "value"}, (),
             {"value": "ned"}),
        Form("admin fallback mottak", "/admin/reservemottak", {"organisation": "org"}, (),
             {"organisation": str(h_id)}),
    ]  # fmt: skip
    admin = login_as("admin@demo.demo")
    for form in forms:
        drive(app, admin, form, kinds, per_field=3, everything=4)
    # A local admin sends ids of other organisations, units and users.
    local = login_as("lokaladmin@trondheim.demo")
    # Their organisation's page has no name field (only a central admin renames).
    own_organisation = dataclasses.replace(forms[1], shown=())
    for form in (own_organisation, forms[3], forms[4], forms[8], forms[9]):
        drive(app, local, form, kinds, per_field=2, everything=3)
    hospital_unit = Form("admin other organisation's unit", f"/admin/enheter/{h_unit}",
                         {"name": "text", "parent": "unit"}, ("name",), {"name": "X", "parent": ""},
                         accepts_valid=False)  # fmt: skip
    drive(app, local, hospital_unit, kinds, per_field=2, everything=2)
