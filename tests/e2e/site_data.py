"""A site with something on every page: the demo deviations, a case with a patient identity, a
running incident analysis with a full plan, a data protection officer, an access log, a line in
the admin's log and a user with a pending invitation."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from app.admin import services as admin_services
from app.auth.services import find_user
from app.data.demo import create_demo_deviations
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.models import AccessAction, Role
from app.privacy.access_log import record_access
from tests import factories
from tests.factories import identity_number

PRIVACY_OFFICER = "personvern@stolav.demo"
PATIENT = identity_number("120345")


@dataclass(frozen=True)
class Site:
    with_identity: str  # a deviation's reference
    analysis: str  # an analysis's reference


def populate(app: Flask) -> Site:
    with app.app_context():
        create_demo_deviations()
        factories.new_user(PRIVACY_OFFICER, name="Petra Personvern", org=HOSPITAL,
                           roles=[Role.PERSONVERN])  # fmt: skip
        case = factories.deviation(title="Utskrevet uten epikrise og uten medisiner")
        with_identity = factories.deviation(
            title="Hjemmesykepleien fikk ikke beskjed om ny insulindose",
            description="Dosen ble endret på sykehuset, men endringen kom ikke med i PLO.",
            patient=PATIENT,
        )
        analysis = factories.analysis(case, filled=True)
        record_access(find_user("mottak@stolav.demo"), AccessAction.DEVIATION_VIEWED,
                      deviation=with_identity)  # fmt: skip
        # The admin pages as tests/e2e/test_admin_pages.py knew them: a change in the log and a
        # user still invited (the crawl checks those pages for it).
        admin = find_user("admin@demo.demo")
        trondheim = organisation_by_name("Trondheim")
        admin_services.update_organisation(admin, trondheim, response_days=21)
        admin_services.invite_user(admin, "ny@trondheim.demo", "Nora Ny", trondheim.id, None, set())
        db.session.commit()
        return Site(with_identity.reference, analysis.reference)
