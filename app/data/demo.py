"""Demo accounts and a handful of demo deviations, for trying the system out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from app.auth.services import create_user, find_user
from app.common.dates import local
from app.data.seed import HOSPITAL, organisation_by_name, unit_by_path
from app.deviations.services import DeviationInput, file_deviation
from app.extensions import db
from app.models import Category, Deviation, Harm, Organisation, Role, User, utcnow

DEMO_PASSWORD = "demo-avvik"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    organisation: str
    roles: frozenset[Role]
    unit: str | None = None


DEMO_ACCOUNTS = [
    DemoAccount("melder@trondheim.demo", "Kari Nordmann", "Trondheim", frozenset(), "Hjemmetjenesten"),
    DemoAccount("melder@stolav.demo", "Ola Hansen", HOSPITAL, frozenset(), "Geriatrisk avdeling"),
    DemoAccount("mottak@stolav.demo", "Siri Mottak", HOSPITAL, frozenset({Role.SAKSBEHANDLER})),
    DemoAccount("mottak@trondheim.demo", "Trond Mottak", "Trondheim", frozenset({Role.SAKSBEHANDLER})),
    DemoAccount("mottak@malvik.demo", "Mona Mottak", "Malvik", frozenset({Role.SAKSBEHANDLER})),
    DemoAccount("forbedring@demo.demo", "Frida Forbedring", HOSPITAL, frozenset({Role.FORBEDRINGSGRUPPE})),
    DemoAccount("admin@demo.demo", "Anders Admin", HOSPITAL, frozenset({Role.ADMIN})),
    DemoAccount("lokaladmin@trondheim.demo", "Line Lokaladmin", "Trondheim", frozenset({Role.LOKAL_ADMIN})),
]  # fmt: skip

DEMO_DEVIATIONS = [
    # (reporter email, counterpart, category, harm, title, description, days ago)
    ("melder@trondheim.demo", HOSPITAL, "Utskrivning", Harm.MODERAT,
     "Utskrevet fredag kveld uten varsel", "Pasienten kom hjem fredag kl. 21 uten at hjemmetjenesten var varslet. Ingen medisiner i huset.", 20),
    ("melder@trondheim.demo", HOSPITAL, "Legemidler/legemiddelliste", Harm.LAV,
     "Legemiddelliste ikke oppdatert", "Legemiddellisten i epikrisen stemte ikke med det pasienten fikk på sykehuset.", 9),
    ("melder@trondheim.demo", HOSPITAL, "Elektronisk meldingsutveksling (PLO)", Harm.INGEN,
     "Innleggelsesrapport ikke mottatt", "Vi sendte innleggelsesrapport, men avdelingen sier de ikke har mottatt den.", 3),
    ("melder@stolav.demo", "Trondheim", "Innleggelse", Harm.IKKE_BEROERT,
     "Mangelfull innleggelsesrapport", "Innleggelsesrapporten manglet opplysninger om funksjonsnivå og pårørende.", 12),
    ("melder@stolav.demo", "Malvik", "Informasjon og kommunikasjon", Harm.LAV,
     "Fikk ikke tak i hjemmetjenesten", "Ringte hjemmetjenesten fire ganger før utskrivning uten å få svar.", 30),
    ("melder@stolav.demo", "Trondheim", "Hjelpemidler/utstyr", Harm.MODERAT,
     "Seng ikke på plass ved hjemkomst", "Pasienten trengte sykehusseng, men den var ikke levert da pasienten kom hjem.", 1),
]  # fmt: skip


def create_demo_accounts() -> list[tuple[DemoAccount, bool]]:
    """Returns each account and whether it was created now."""
    result = []
    for account in DEMO_ACCOUNTS:
        if find_user(account.email) is not None:
            result.append((account, False))
            continue
        org = organisation_by_name(account.organisation)
        unit = unit_by_path(org, account.unit) if account.unit else None
        create_user(account.email, account.name, org, DEMO_PASSWORD, set(account.roles), unit)
        result.append((account, True))
    return result


def create_demo_deviations() -> int:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Deviation)):
        return 0
    categories = {c.name: c for c in db.session.scalars(sa.select(Category))}
    now = utcnow()
    for email, counterpart, category, harm, title, description, days_ago in DEMO_DEVIATIONS:
        reporter = find_user(email)
        assert isinstance(reporter, User)
        when = now - timedelta(days=days_ago)
        file_deviation(
            reporter,
            DeviationInput(
                counterpart_org_id=organisation_by_name(counterpart).id,
                event_date=local(when).date() - timedelta(days=1),
                category_id=categories[category].id,
                harm=harm,
                title=title,
                description=description,
            ),
            now=when,
        )
    return len(DEMO_DEVIATIONS)


# The demo's fallback mottak: St. Olavs' mottak. The seed has no secretariat of its own, and in
# Trondheimsregionen the helsefellesskap's secretariat sits with the hospital's samhandling staff;
# it is also the demo's mottak that already takes cases from every municipality. Frøya, whose
# mottak nobody staffs in the demo, is the example: a case from Trondheim to Frøya lands here.
DEMO_FALLBACK = HOSPITAL


def name_demo_fallback() -> str | None:
    """Name the demo's fallback mottak unless one is named already (an admin's choice stays);
    returns the name when it named one now."""
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.fallback_mottak)):
        return None
    organisation_by_name(DEMO_FALLBACK).fallback_mottak = True
    db.session.flush()
    return DEMO_FALLBACK
