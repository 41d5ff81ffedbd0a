"""`flask import-deviations`: good CSV (; and ,) and XLSX go in whole; any bad row keeps all out."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.extensions import db
from app.models import Deviation, DeviationEvent, EventKind, Harm, ReferenceCounter, Status
from app.statistics.services.importer import fold, org_alias
from tests.factories import identity_number

HEADER = [
    "registered", "event_date", "reporter_org", "reporter_unit", "counterpart_org",
    "counterpart_unit", "category", "harm", "title", "description", "status", "closed",
    "answered_within_deadline",
]  # fmt: skip
GOOD = [
    ["02.05.2022", "01.05.2022", "TRONDHEIM", "Hjemmetjenesten", "St. Olavs hospital HF",
     "Geriatrisk avdeling", "utskrivning", "Moderat", "Utskrevet uten varsel", "", "besvart",
     "10.05.2022", "ja"],
    ["2022-06-01", "2022-05-30", "St. Olavs", "", "roros", "", "Legemidler/legemiddelliste",
     "ingen skade", "Manglende legemiddelliste", "Lista fulgte ikke med.", "Avvist", "2022-06-20",
     "nei"],
    ["15.01.2023", "15.01.2023", "Malvik kommune", "", "St Olavs hospital", "", "TRANSPORT",
     "uønsket hendelse uten at pasienten ble berørt", "Sen transport", "", "under behandling",
     "", ""],
]  # fmt: skip


def write_csv(path, rows, delimiter=";", header=HEADER):
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def imported_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Deviation).where(Deviation.imported)
    )


def invoke(runner, path):
    return runner.invoke(args=["import-deviations", str(path)])


@pytest.mark.parametrize("delimiter", [";", ","])
def test_good_csv_imports_every_row_with_reference_and_history(app, runner, tmp_path, delimiter):
    rows = [[c.replace(",", "") for c in r] for r in GOOD]  # no quoting needed for the test rows
    result = invoke(runner, write_csv(tmp_path / "avvik.csv", rows, delimiter))
    assert result.exit_code == 0, result.output
    assert "3 avvik importert fra avvik.csv." in result.output
    with app.app_context():
        deviations = list(
            db.session.scalars(sa.select(Deviation).order_by(Deviation.registered_at))
        )
        assert [d.reference for d in deviations] == [
            "AV-2022-00001",
            "AV-2022-00002",
            "AV-2023-00001",
        ]
        first, second, third = deviations
        assert (first.reporter_org_name, first.counterpart_org_name) == (
            "Trondheim",
            "St. Olavs hospital HF",
        )
        assert (
            first.reporter_unit.name == "Hjemmetjenesten"
            and first.counterpart_unit.name == "Geriatrisk avdeling"
        )
        assert (first.harm, first.status, first.imported) == (Harm.MODERAT, Status.BESVART, True)
        assert first.closed_at.date() == date(2022, 5, 10) and first.response_deadline == date(
            2022, 5, 16
        )
        # "St. Olavs" and "roros" found St. Olavs hospital HF and Røros; "nei" put the deadline
        # before the closing day, so the statistics count it as late.
        assert (second.reporter_org_name, second.counterpart_org_name) == (
            "St. Olavs hospital HF",
            "Røros",
        )
        assert second.status == Status.AVVIST and second.response_deadline < second.closed_at.date()
        assert (third.reporter_org_name, third.harm, third.status) == (
            "Malvik",
            Harm.IKKE_BEROERT,
            Status.UNDER_BEHANDLING,
        )
        assert third.closed_at is None
        events = list(db.session.scalars(sa.select(DeviationEvent)))
        assert len(events) == 3 and {e.kind for e in events} == {EventKind.IMPORTED}
        assert all(e.text == "Importert fra avvik.csv" for e in events)
        counters = {c.year: c.last_number for c in db.session.scalars(sa.select(ReferenceCounter))}
        assert counters == {2022: 2, 2023: 1}


def test_good_xlsx_imports_with_date_cells(app, runner, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    row = list(GOOD[0])
    row[0], row[1] = datetime(2022, 5, 2), datetime(2022, 5, 1)  # Excel date cells
    sheet.append(row)
    sheet.append(GOOD[1])
    path = tmp_path / "avvik.xlsx"
    workbook.save(path)
    result = invoke(runner, path)
    assert result.exit_code == 0, result.output
    assert "2 avvik importert" in result.output
    with app.app_context():
        assert imported_count() == 2


def test_reference_numbers_continue_the_years_counter(app, runner, tmp_path):
    from app.deviations.services import next_reference

    with app.app_context():
        next_reference(2022)
        db.session.commit()
    assert invoke(runner, write_csv(tmp_path / "a.csv", GOOD[:1])).exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(Deviation.reference)) == "AV-2022-00002"


def test_every_bad_row_is_listed_and_nothing_is_imported(app, runner, tmp_path):
    identity = identity_number("010190")
    bad = [
        GOOD[0],  # good: must not go in either
        [*GOOD[0][:2], "Atlantis", *GOOD[0][3:]],  # row 3: unknown organisation
        [*GOOD[0][:6], "Været", *GOOD[0][7:]],  # row 4: unknown category
        [*GOOD[0][:7], "Katastrofal", *GOOD[0][8:]],  # row 5: unknown harm
        ["31.02.2022", *GOOD[0][1:]],  # row 6: no such date
        [*GOOD[0][:9], f"Pasient {identity} kom hjem", *GOOD[0][10:]],  # row 7: identity number
        [*GOOD[0][:11], "i går", GOOD[0][12]],  # row 8: bad closing date
        GOOD[1],
    ]
    result = invoke(runner, write_csv(tmp_path / "feil.csv", bad))
    assert result.exit_code == 1
    out = result.output
    assert "Ingenting ble importert. 6 feil i feil.csv:" in out
    assert "Rad 3, kolonne reporter_org: ukjent organisasjon «Atlantis»." in out
    assert "Rad 4, kolonne category: ukjent kategori «Været»." in out
    assert "Rad 5, kolonne harm: ukjent skade på pasienten «Katastrofal»." in out
    assert "Rad 6, kolonne registered: «31.02.2022» er ikke en dato" in out
    assert "Rad 7, kolonne description: inneholder det som ser ut som et fødselsnummer" in out
    assert "Rad 8, kolonne closed: «i går» er ikke en dato" in out
    assert identity not in out  # the message never repeats the number
    with app.app_context():
        assert imported_count() == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DeviationEvent)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReferenceCounter)) == 0


def test_missing_required_column_is_named(app, runner, tmp_path):
    header = [h for h in HEADER if h != "category"]
    rows = [[v for h, v in zip(HEADER, GOOD[0]) if h != "category"]]
    result = invoke(runner, write_csv(tmp_path / "kolonne.csv", rows, header=header))
    assert result.exit_code == 1
    assert "Rad 1, kolonne category: kolonnen mangler i overskriftsraden." in result.output
    with app.app_context():
        assert imported_count() == 0


def test_rule_breaking_values_are_refused(app, runner, tmp_path):
    rows = [
        [*GOOD[0][:4], "Trondheim", *GOOD[0][5:]],  # row 2: to itself
        [*GOOD[0][:10], "mottatt", "10.05.2022", ""],  # row 3: closed but open status
        ["01.05.2022", "03.05.2022", *GOOD[0][2:]],  # row 4: event after registration
        [*GOOD[0][:12], "kanskje"],  # row 5: neither ja nor nei
    ]
    result = invoke(runner, write_csv(tmp_path / "regler.csv", rows))
    assert result.exit_code == 1
    out = result.output
    assert "Rad 2, kolonne counterpart_org: avsender og mottaker er samme organisasjon." in out
    assert (
        "Rad 3, kolonne closed: lukket dato er fylt ut, men statusen er ikke besvart eller avvist."
        in out
    )
    assert "Rad 4, kolonne event_date: hendelsesdatoen er etter registreringsdatoen." in out
    assert "Rad 5, kolonne answered_within_deadline: skriv ja eller nei" in out


def test_name_matching_rules():
    assert fold("  RØROS ") == fold("Roros") == "roros"
    assert fold("Ørland") == fold("orland")
    assert fold("Frøya") == "froya"
    assert (
        org_alias("St. Olavs hospital HF")
        == org_alias("St. Olavs")
        == org_alias("st olavs hospital")
    )
    assert org_alias("Trondheim kommune") == org_alias("Trondheim")


def test_todays_labels_and_the_former_ones_read_back(ctx):
    """Exports and spreadsheets written before the glossary (2026-12) said "Lav", "Død",
    "Sendt" …; files written since say "Liten skade", "Dødsfall", "Ny". Both import."""
    from app.statistics.services.importer.checking import Lookups
    from reports import labels

    lookups = Lookups.load()
    for value, label in labels.HARMS.items():
        assert lookups.harms[fold(label)] is Harm(value), label
    for label, value in {**labels.FORMER_HARMS, "Lav": "lav", "Død": "dod"}.items():
        assert lookups.harms[fold(label)] is Harm(value), label
    for value, label in labels.STATUSES.items():
        assert lookups.statuses[fold(label)] is Status(value), label
    assert lookups.statuses[fold("Sendt")] is Status.SENDT
    assert lookups.statuses[fold("under behandling")] is Status.UNDER_BEHANDLING
