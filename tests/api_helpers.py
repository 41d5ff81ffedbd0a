"""Tokens and cases for the API's tests: clients made through the admin's service, cases filed
through the form's."""

from __future__ import annotations

from datetime import date, timedelta

from app.api.services import tokens
from app.auth.services import find_user
from app.data.seed import HOSPITAL, organisation_by_name
from app.deviations.services import DeviationInput, file_deviation
from app.extensions import db
from app.handling.thread import post_message
from app.models import Deviation, Harm, utcnow
from tests.factories import category_id

ORGS = (HOSPITAL, "Trondheim", "Malvik")
ADMIN = "admin@demo.demo"


def issue_token(
    app, organisation: str, scopes: set[str] | frozenset[str], *, days: int = 30, name=None
) -> str:
    """A committed client of ``organisation``; its token."""
    with app.app_context():
        made = tokens.create_client(
            find_user(ADMIN),
            organisation_by_name(organisation),
            name or f"Klient {organisation} {' '.join(sorted(scopes))}"[:80],
            set(scopes),
            utcnow() + timedelta(days=days),
        )
        db.session.commit()
        return made.token


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def file_case(
    reporter: str,
    counterpart: str,
    title: str = "Epikrise manglet",
    patient_id: str | None = None,
    days_ago: int = 0,
) -> Deviation:
    """Filed and flushed (call in an app context; commit yourself)."""
    return file_deviation(
        find_user(reporter),
        DeviationInput(
            counterpart_org_id=organisation_by_name(counterpart).id,
            event_date=date.today() - timedelta(days=days_ago + 1),
            category_id=category_id("Utskrivning"),
            harm=Harm.LAV,
            title=title,
            description="Beskrivelse av hendelsen.",
            patient_id=patient_id,
        ),
        now=utcnow() - timedelta(days=days_ago),
    )


def cases_between(app, patient_id: str | None = None) -> dict[str, str]:
    """One case each way between the hospital, Trondheim and Malvik, with a public message and
    an internal note on each: name -> reference. Committed."""
    made = {}
    with app.app_context():
        pairs = [
            ("melder@trondheim.demo", HOSPITAL, "trondheim->hospital", "mottak@stolav.demo"),
            ("melder@stolav.demo", "Trondheim", "hospital->trondheim", "mottak@trondheim.demo"),
            ("melder@stolav.demo", "Malvik", "hospital->malvik", "mottak@malvik.demo"),
        ]
        for reporter, counterpart, name, handler in pairs:
            deviation = file_case(reporter, counterpart, f"Sak {name}", patient_id=patient_id)
            post_message(deviation, find_user(handler), "Offentlig spørsmål til melder.")
            post_message(deviation, find_user(handler), "INTERN-NOTAT hemmelig", internal=True)
            made[name] = deviation.reference
        db.session.commit()
    return made


__all__ = ["HOSPITAL", "ORGS", "bearer", "cases_between", "file_case", "issue_token"]


def new_deviation(app, counterpart: str = HOSPITAL, **overrides) -> dict:
    """A valid body for POST /api/v1/deviations."""
    with app.app_context():
        body = {
            "counterpart_organisation_id": organisation_by_name(counterpart).id,
            "event_date": (date.today() - timedelta(days=1)).isoformat(),
            "category_id": category_id("Utskrivning"),
            "harm": "lav",
            "title": "Utskrevet uten epikrise",
            "description": "Pasienten kom hjem uten epikrise.",
        }
    return {**body, **overrides}
