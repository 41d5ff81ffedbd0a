"""English names for categories, agreements and units: a nullable name_en on each.

Revision ID: 9c4e1a7d2b58
Revises: c3f9a1d7e524
Create Date: 2026-12-06

An English reader sees name_en where it is set and the Norwegian name where it is not
(app/models/base.py TwoLanguageName). The upgrade fills name_en only for rows whose Norwegian name
is exactly one of the seed's defaults (app/data/seed.py ENGLISH_NAMES, copied here as it was at
this revision): an installation's own names get no English name until its admin enters one.
History, exports and the CSV importer keep using the Norwegian name.
"""

import sqlalchemy as sa
from alembic import op

revision = "9c4e1a7d2b58"
down_revision = "c3f9a1d7e524"
branch_labels = None
depends_on = None

TABLES = {"category": 120, "agreement": 200, "unit": 120}

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


def upgrade() -> None:
    for table, length in TABLES.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("name_en", sa.String(length), nullable=True))
    for table in TABLES:
        rows = sa.table(table, sa.column("name", sa.String), sa.column("name_en", sa.String))
        for name, english in ENGLISH_NAMES.items():
            op.execute(
                rows.update()
                .where(rows.c.name == name, rows.c.name_en.is_(None))
                .values(name_en=english)
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("name_en")
