"""A site with something on every page: the demo deviations, a case with a patient identity, a
running incident analysis with a full plan, a data protection officer and an access log."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from app.auth.services import find_user
from app.data.demo import create_demo_deviations
from app.data.seed import HOSPITAL
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
        db.session.commit()
        return Site(with_identity.reference, analysis.reference)
