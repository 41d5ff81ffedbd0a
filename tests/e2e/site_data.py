"""A site with something on every page: the demo deviations, a case with a patient identity, a
running incident analysis with a full plan, a data protection officer and an access log."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from app.auth.services import create_user, find_user
from app.data.demo import DEMO_PASSWORD, create_demo_deviations
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.models import AccessAction, Role
from app.privacy.access_log import record_access
from tests import analysis_helpers
from tests.helpers import make_identity_number

PRIVACY_OFFICER = "personvern@stolav.demo"
PATIENT = make_identity_number("120345")


@dataclass(frozen=True)
class Site:
    with_identity: str  # a deviation's reference
    analysis: str  # an analysis's reference


def populate(app: Flask) -> Site:
    with app.app_context():
        create_demo_deviations()
        create_user(PRIVACY_OFFICER, "Petra Personvern", organisation_by_name(HOSPITAL),
                    DEMO_PASSWORD, {Role.PERSONVERN})  # fmt: skip
        case = analysis_helpers.deviation(title="Utskrevet uten epikrise og uten medisiner")
        from app.deviations.services import DeviationInput, file_deviation

        with_identity = file_deviation(
            find_user("melder@trondheim.demo"),
            DeviationInput(
                counterpart_org_id=case.counterpart_org_id,
                event_date=case.event_date,
                category_id=case.category_id,
                harm=case.harm,
                title="Hjemmesykepleien fikk ikke beskjed om ny insulindose",
                description="Dosen ble endret på sykehuset, men endringen kom ikke med i PLO.",
                patient_id=PATIENT,
            ),
        )
        analysis = analysis_helpers.start(case)
        analysis_helpers.fill(analysis)
        record_access(find_user("mottak@stolav.demo"), AccessAction.DEVIATION_VIEWED,
                      deviation=with_identity)  # fmt: skip
        db.session.commit()
        return Site(with_identity.reference, analysis.reference)
