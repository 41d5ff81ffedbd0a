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
            top = Unit(organisation=org, name=top_name)
            db.session.add(top)
            db.session.flush()
        for child in children:
            if (top.id, child) not in existing:
                db.session.add(Unit(organisation=org, parent=top, name=child))
    db.session.flush()


def _ensure_listed(model: type[Category | Agreement], names: list[str]) -> None:
    have = set(db.session.scalars(sa.select(model.name)))
    for position, name in enumerate(names):
        if name not in have:
            db.session.add(model(name=name, position=position))
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
