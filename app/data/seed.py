"""Default data of the helsefellesskap: organisations, units, categories, agreements.

Idempotent: a second run adds what is missing and changes nothing that exists, so an admin's
edits survive an upgrade.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Agreement, Category, Organisation, OrgKind, Unit

HOSPITAL = "St. Olavs hospital HF"

# The helsefellesskap as it is today: Leksvik became part of Indre Fosen in 2018, Roan of
# Åfjord in 2020.
MUNICIPALITIES = [
    "Frøya", "Heim", "Hitra", "Holtålen", "Indre Fosen", "Malvik", "Melhus", "Midtre Gauldal",
    "Oppdal", "Orkland", "Rennebu", "Rindal", "Røros", "Selbu", "Skaun", "Trondheim",
    "Tydal", "Ørland", "Åfjord",
]  # fmt: skip

# The names an earlier seed gave the same municipality's organisation. An installation that has
# one of them keeps it (its cases, units and people are filed under it): the seed adds no
# successor beside it. Its admin merges or renames it when they choose (Administrasjon ›
# Organisasjoner), which keeps the old name in past cases and tertials.
SUPERSEDED = {"Indre Fosen": ("Leksvik",), "Åfjord": ("Roan",)}

CATEGORIES = [
    "Innleggelse",
    "Utskrivning",
    "Epikrise/dokumentasjon",
    "Legemidler/legemiddelliste",
    "Elektronisk meldingsutveksling (PLO)",
    "Hjelpemidler/utstyr",
    "Informasjon og kommunikasjon",
    "Behandling/oppfølging",
    "Transport",
    "Helseplattformen/IKT",
    "Annet",
]

AGREEMENTS = [
    "Overordnet samarbeidsavtale",
    "Tjenesteavtale 1: Ansvars- og oppgavefordeling",
    "Tjenesteavtale 2: Personer med behov for koordinerte tjenester",
    "Tjenesteavtale 3: Innleggelse i sykehus",
    "Tjenesteavtale 4: Døgnopphold for øyeblikkelig hjelp",
    "Tjenesteavtale 5: Utskrivningsklare pasienter",
    "Tjenesteavtale 6: Kunnskapsoverføring og informasjonsutveksling",
    "Tjenesteavtale 7: Forskning, utdanning, praksis og læretid",
    "Tjenesteavtale 8: Jordmortjenester",
    "Tjenesteavtale 9: IKT-løsninger lokalt",
    "Tjenesteavtale 10: Forebygging",
    "Tjenesteavtale 11: Beredskap og akuttmedisinsk kjede",
]

HOSPITAL_UNITS = {
    "Klinikk for akutt- og mottaksmedisin": ["Akuttmottaket", "Mottaksmedisinsk avdeling"],
    "Medisinsk klinikk": ["Avdeling for infeksjonssykdommer", "Geriatrisk avdeling", "Lungemedisinsk avdeling"],
    "Klinikk for hjertemedisin": ["Hjertemedisinsk avdeling"],
    "Klinikk for kirurgi": ["Gastrokirurgisk avdeling", "Karkirurgisk avdeling"],
    "Klinikk for ortopedi, revmatologi og hud": ["Ortopedisk avdeling"],
    "Nevroklinikken": ["Nevrologisk avdeling", "Slagenheten"],
    "Kreftklinikken": ["Avdeling for kreftbehandling"],
    "Klinikk for psykisk helsevern": ["Avdeling Østmarka", "Avdeling Brøset"],
    "Orkdal sjukehus": ["Medisinsk avdeling Orkdal"],
}  # fmt: skip

MUNICIPAL_UNITS = {
    "Helse og omsorg": ["Hjemmetjenesten", "Helsehus", "Legevakt", "Tildelingskontor", "Sykehjem"],
}


# The English names of the defaults above, shown to English readers (Norwegian where none).
# Migration 9c4e1a7d2b58 gives an existing installation's rows of these exact names the same.
ENGLISH_NAMES = {
    # categories
    "Innleggelse": "Admission",
    "Utskrivning": "Discharge",
    "Epikrise/dokumentasjon": "Discharge summary/documentation",
    "Legemidler/legemiddelliste": "Medicines/medication list",
    "Elektronisk meldingsutveksling (PLO)": "Electronic messaging (PLO)",
    "Hjelpemidler/utstyr": "Assistive devices/equipment",
    "Informasjon og kommunikasjon": "Information and communication",
    "Behandling/oppfølging": "Treatment/follow-up",
    "Transport": "Transport",
    "Helseplattformen/IKT": "Helseplattformen/ICT",
    "Annet": "Other",
    # agreements
    "Overordnet samarbeidsavtale": "Overall cooperation agreement",
    "Tjenesteavtale 1: Ansvars- og oppgavefordeling":
        "Service agreement 1: Division of responsibilities and tasks",
    "Tjenesteavtale 2: Personer med behov for koordinerte tjenester":
        "Service agreement 2: Persons who need coordinated services",
    "Tjenesteavtale 3: Innleggelse i sykehus": "Service agreement 3: Admission to hospital",
    "Tjenesteavtale 4: Døgnopphold for øyeblikkelig hjelp":
        "Service agreement 4: Municipal emergency inpatient care",
    "Tjenesteavtale 5: Utskrivningsklare pasienter":
        "Service agreement 5: Patients ready for discharge",
    "Tjenesteavtale 6: Kunnskapsoverføring og informasjonsutveksling":
        "Service agreement 6: Knowledge transfer and information exchange",
    "Tjenesteavtale 7: Forskning, utdanning, praksis og læretid":
        "Service agreement 7: Research, education, placements and apprenticeships",
    "Tjenesteavtale 8: Jordmortjenester": "Service agreement 8: Midwifery services",
    "Tjenesteavtale 9: IKT-løsninger lokalt": "Service agreement 9: Local ICT solutions",
    "Tjenesteavtale 10: Forebygging": "Service agreement 10: Prevention",
    "Tjenesteavtale 11: Beredskap og akuttmedisinsk kjede":
        "Service agreement 11: Emergency preparedness and the acute medical chain",
    # the hospital's units
    "Klinikk for akutt- og mottaksmedisin": "Clinic of Emergency and Acute Medicine",
    "Akuttmottaket": "Emergency Department",
    "Mottaksmedisinsk avdeling": "Department of Acute Medicine",
    "Medisinsk klinikk": "Clinic of Medicine",
    "Avdeling for infeksjonssykdommer": "Department of Infectious Diseases",
    "Geriatrisk avdeling": "Department of Geriatrics",
    "Lungemedisinsk avdeling": "Department of Pulmonary Medicine",
    "Klinikk for hjertemedisin": "Clinic of Cardiology",
    "Hjertemedisinsk avdeling": "Department of Cardiology",
    "Klinikk for kirurgi": "Clinic of Surgery",
    "Gastrokirurgisk avdeling": "Department of Gastrointestinal Surgery",
    "Karkirurgisk avdeling": "Department of Vascular Surgery",
    "Klinikk for ortopedi, revmatologi og hud": "Clinic of Orthopaedics, Rheumatology and Dermatology",
    "Ortopedisk avdeling": "Department of Orthopaedics",
    "Nevroklinikken": "Clinic of Neurosciences",
    "Nevrologisk avdeling": "Department of Neurology",
    "Slagenheten": "Stroke Unit",
    "Kreftklinikken": "Cancer Clinic",
    "Avdeling for kreftbehandling": "Department of Oncology",
    "Klinikk for psykisk helsevern": "Clinic of Mental Health Care",
    "Avdeling Østmarka": "Østmarka Department",
    "Avdeling Brøset": "Brøset Department",
    "Orkdal sjukehus": "Orkdal Hospital",
    "Medisinsk avdeling Orkdal": "Department of Medicine, Orkdal",
    # a municipality's units
    "Helse og omsorg": "Health and Care",
    "Hjemmetjenesten": "Home Care Services",
    "Helsehus": "Intermediate Care Centre",
    "Legevakt": "Out-of-hours Emergency Clinic",
    "Tildelingskontor": "Service Allocation Office",
    "Sykehjem": "Nursing Home",
}  # fmt: skip


def _get_or_create_org(name: str, kind: OrgKind) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, kind=kind)
        db.session.add(org)
        db.session.flush()
    return org


def _ensure_units(org: Organisation, tree: dict[str, list[str]]) -> None:
    existing = {(u.parent_id, u.name): u for u in org.units}
    for top_name, children in tree.items():
        top = existing.get((None, top_name))
        if top is None:
            top = Unit(organisation=org, name=top_name, name_en=ENGLISH_NAMES.get(top_name))
            db.session.add(top)
            db.session.flush()
        for child in children:
            if (top.id, child) not in existing:
                db.session.add(
                    Unit(organisation=org, parent=top, name=child, name_en=ENGLISH_NAMES.get(child))
                )
    db.session.flush()


def _ensure_listed(model: type[Category | Agreement], names: list[str]) -> None:
    have = set(db.session.scalars(sa.select(model.name)))
    for position, name in enumerate(names):
        if name not in have:
            db.session.add(model(name=name, name_en=ENGLISH_NAMES.get(name), position=position))
    db.session.flush()


def seed_defaults() -> None:
    hospital = _get_or_create_org(HOSPITAL, OrgKind.SYKEHUS)
    _ensure_units(hospital, HOSPITAL_UNITS)
    existing = set(db.session.scalars(sa.select(Organisation.name)))
    for name in MUNICIPALITIES:
        if name not in existing and existing.intersection(SUPERSEDED.get(name, ())):
            continue
        _ensure_units(_get_or_create_org(name, OrgKind.KOMMUNE), MUNICIPAL_UNITS)
    _ensure_listed(Category, CATEGORIES)
    _ensure_listed(Agreement, AGREEMENTS)


def organisation_by_name(name: str) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if org is None:
        raise LookupError(name)
    return org


def unit_by_path(org: Organisation, path: str) -> Unit:
    for unit in org.units:
        if unit.path == path or unit.name == path:
            return unit
    raise LookupError(path)
