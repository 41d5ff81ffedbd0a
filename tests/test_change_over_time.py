"""*Endring over tid*: a series imported with the historical importer, drawn through the page, the
command and the PDF; months in Oslo time; who sees what; bad input; the data set."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.extensions import db
from app.models import Category
from tests import statistics_data
from tests.support import pdf_text
from tests.test_import import HEADER, write_csv

# 24 months: a first year alternating 2, 4 around its median 3, then a year of 5 a month. The
# run above the median starts in December 2022 (a 4) and lasts 13 months: limit 8 for 24 useful
# points; 11 crossings (at least 8).
SERIES = [2, 4] * 6 + [5] * 12
MONTHS = [f"{2022 + i // 12}-{i % 12 + 1:02d}" for i in range(24)]
RUN_TEXT = (
    "Usedvanlig lang serie over medianen: 13 måneder, grensen er 8 — trolig en reell økning "
    "fra desember 2022 (til desember 2023)."
)


def _rows() -> list[list[str]]:
    rows = []
    for month, count in zip(MONTHS, SERIES, strict=True):
        year, number = month.split("-")
        for i in range(count):
            # Every third answered after its deadline: the P-chart's share is not 100 %.
            late = i % 3 == 2
            rows.append(
                [f"15.{number}.{year}", f"14.{number}.{year}", "Trondheim", "",
                 "St. Olavs hospital HF", "", "Utskrivning" if i % 2 else "Transport", "Lav",
                 "Importert", "", "besvart", f"20.{number}.{year}", "nei" if late else "ja"]
            )  # fmt: skip
    return rows


@pytest.fixture
def imported(app, runner, tmp_path):
    path = write_csv(tmp_path / "historikk.csv", _rows(), ";", HEADER)
    result = runner.invoke(args=["import-deviations", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{sum(SERIES)} avvik importert" in result.output
    return path


def _csv(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


def test_the_command_writes_the_promised_columns(runner, imported, tmp_path):
    out = tmp_path / "serie.csv"
    result = runner.invoke(
        args=["report", "run-chart", "--from", "2022-01", "--to", "2023-12", "--csv", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "24 måneder, 96 avvik, signal." in result.output
    rows = _csv(out.read_text(encoding="utf-8"))
    assert list(rows[0]) == [
        "month", "count", "centre", "useful", "longest_run", "longest_run_max", "crossings",
        "crossings_min", "signal_run", "signal_crossings",
    ]  # fmt: skip
    assert [r["month"] for r in rows] == MONTHS
    assert [int(r["count"]) for r in rows] == SERIES
    assert {
        (r["centre"], r["useful"], r["longest_run"], r["longest_run_max"], r["crossings"],
         r["crossings_min"], r["signal_run"], r["signal_crossings"]) for r in rows
    } == {("3.0", "24", "13", "8", "11", "8", "yes", "no")}  # fmt: skip


def test_the_command_filters_and_says_what_is_wrong(runner, imported, tmp_path):
    out = tmp_path / "serie.csv"
    args = ["report", "run-chart", "--from", "2022-01", "--to", "2023-12", "--csv", str(out)]
    result = runner.invoke(args=[*args, "--category", "Transport", "--baseline", "10"])
    assert result.exit_code == 0, result.output
    rows = _csv(out.read_text(encoding="utf-8"))
    assert [int(r["count"]) for r in rows] == [(n + 1) // 2 for n in SERIES]
    result = runner.invoke(args=[*args, "--direction", "sykehus_kommune", "--org", "Malvik"])
    assert result.exit_code == 0, result.output
    assert {r["count"] for r in _csv(out.read_text(encoding="utf-8"))} == {"0"}
    for extra, message in (
        (["--baseline", "9"], "Grunnlinjen må være fra 10 måneder"),
        (["--direction", "opp"], "Ukjent retning"),
        (["--category", "Finnes ikke"], "Finner ikke kategorien Finnes ikke."),
        (["--org", "Atlantis"], "Finner ikke organisasjonen Atlantis."),
    ):
        result = runner.invoke(args=[*args, *extra])
        assert result.exit_code == 2 and message in result.output, result.output
    result = runner.invoke(
        args=["report", "run-chart", "--from", "2023-13", "--to", "2023-12", "--csv", str(out)]
    )
    assert result.exit_code == 2 and "Skriv måneden som ÅÅÅÅ-MM" in result.output


def test_the_page_draws_the_imported_series(client, login_as, imported):
    login_as("forbedring@demo.demo")
    response = client.get("/statistikk/endring?fra=2022-01&til=2023-12&grunnlinje=12")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert RUN_TEXT in page
    # The run's points are ringed in the signal colour (reportlab writes #b93a00 so), in both
    # sizes of the chart: 13 rings each, and the run's line over them.
    assert page.count('stroke="rgb(72%,22%,0%)"') >= 2 * 13
    assert 'id="serie-tabell"' in page and "<svg" in page and "style=" not in page
    # The P-chart: every third case answered late, in each month of the baseline.
    p_rows = _csv(
        client.get("/statistikk/endring/p-diagram.csv?fra=2022-01&til=2023-12").get_data(
            as_text=True
        ),
        ";",
    )
    assert [int(r["answered"]) for r in p_rows] == SERIES
    assert [int(r["within_deadline"]) for r in p_rows] == [n - n // 3 for n in SERIES]
    run_rows = _csv(
        client.get("/statistikk/endring/seriediagram.csv?fra=2022-01&til=2023-12").get_data(
            as_text=True
        ),
        ";",
    )
    assert [int(r["count"]) for r in run_rows] == SERIES
    assert run_rows[0]["signal_run"] == "yes"
    pareto = _csv(client.get("/statistikk/endring/pareto.csv?fra=2022-01&til=2023-12").get_data(
        as_text=True), ";")  # fmt: skip
    assert [(r["category"], r["count"]) for r in pareto] == [
        ("Transport", "54"),
        ("Utskrivning", "42"),
    ]


def test_the_page_in_english(client, login_as, imported):
    login_as("forbedring@demo.demo")
    client.post("/sprak", data={"lang": "en"})
    page = client.get("/statistikk/endring?fra=2022-01&til=2023-12").get_data(as_text=True)
    assert "Unusually long run above the median: 13 months, the limit is 8" in page
    assert "December 2022" in page


def test_the_tertial_pdf_has_the_page(client, login_as, imported):
    login_as("forbedring@demo.demo")
    response = client.get("/statistikk/2023-T3/rapport.pdf")
    assert response.status_code == 200
    pages = pdf_text(response.data)
    [page] = [p for p in pages if "Endring over tid" in p and "Seriediagram" in p]
    flat = " ".join(page.split())
    assert "Avvik per registreringsmåned fra januar 2022 til desember 2023." in flat
    assert " ".join(RUN_TEXT.split()) in flat
    assert "P-diagram: andel besvart innen fristen" in flat
    assert "2 kategorier utgjør 100 % av avvikene: Transport, Utskrivning." in flat


def test_months_are_counted_in_oslo_time(app, runner, tmp_path):
    with app.app_context():
        statistics_data.insert_cases()
        db.session.commit()
    out = tmp_path / "serie.csv"
    result = runner.invoke(
        args=["report", "run-chart", "--from", "2023-01", "--to", "2023-10", "--csv", str(out)]
    )
    assert result.exit_code == 0, result.output
    # D8 is 23:30 on 30 April in Oslo (April), D9 00:30 on 1 May (May), both 30 April in UTC.
    counts = [int(r["count"]) for r in _csv(out.read_text(encoding="utf-8"))]
    assert counts == [0, 1, 1, 1, 3, 2, 1, 2, 0, 0]


def test_melder_and_anonymous_see_nothing(client, login_as):
    for url in (
        "/statistikk/endring",
        "/statistikk/endring/seriediagram.csv",
        "/statistikk/endring/datasett.xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/logg-inn" in response.headers["Location"]
    login_as("melder@trondheim.demo")
    for url in (
        "/statistikk/endring",
        "/statistikk/endring/pareto.csv",
        "/statistikk/endring/datasett.xlsx",
    ):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("email", ["forbedring@demo.demo", "admin@demo.demo"])
def test_group_and_admin_choose_any_organisation(client, login_as, imported, email):
    login_as(email)
    page = client.get("/statistikk/endring?fra=2022-01&til=2023-12").get_data(as_text=True)
    assert "Alle organisasjoner i helsefellesskapet" in page
    assert '<option value="Malvik">' in page and '<option value="Trondheim">' in page
    narrowed = client.get("/statistikk/endring?fra=2022-01&til=2023-12&org=Malvik")
    assert narrowed.status_code == 200
    assert "Malvik · januar 2022–desember 2023" in narrowed.get_data(as_text=True)


def test_a_handler_sees_their_own_organisation_only(client, login_as, imported):
    login_as("mottak@malvik.demo")
    response = client.get("/statistikk/endring?fra=2022-01&til=2023-12")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Malvik · januar 2022–desember 2023" in page
    assert '<option value="Trondheim">' not in page
    assert RUN_TEXT not in page  # Trondheim → hospital is none of Malvik's business
    rows = _csv(
        client.get("/statistikk/endring/seriediagram.csv?fra=2022-01&til=2023-12").get_data(
            as_text=True
        ),
        ";",
    )
    assert {r["count"] for r in rows} == {"0"}
    refused = client.get("/statistikk/endring?fra=2022-01&til=2023-12&org=Trondheim")
    assert refused.status_code == 422
    assert "Velg en organisasjon fra listen." in refused.get_data(as_text=True)
    assert client.get("/statistikk/endring/pareto.csv?org=Trondheim").status_code == 422
    # The hospital's handler sees the imported cases: they were sent to the hospital.
    login_as("mottak@stolav.demo")
    page = client.get("/statistikk/endring?fra=2022-01&til=2023-12").get_data(as_text=True)
    assert RUN_TEXT in page


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("fra=2025-13", "fra", "Skriv måneden som ÅÅÅÅ-MM, f.eks. 2025-03."),
        ("fra=mars&til=2025-12", "fra", "Skriv måneden som ÅÅÅÅ-MM, f.eks. 2025-03."),
        ("fra=9995-01&til=9999-12", "fra", "Skriv måneden som ÅÅÅÅ-MM, f.eks. 2025-03."),
        ("fra=2024-01&til=2024-00", "til", "Skriv måneden som ÅÅÅÅ-MM, f.eks. 2025-03."),
        ("fra=2025-06&til=2025-01", "til", "Til-måneden kan ikke være før fra-måneden."),
        ("fra=2025-01&til=2025-06", "fra", "Velg minst 10 måneder"),
        ("fra=2015-01&til=2025-06", "fra", "Velg høyst 60 måneder."),
        ("fra=2024-01&til=2024-12&grunnlinje=13", "grunnlinje", "Grunnlinjen må være fra 10"),
        ("fra=2024-01&til=2024-12&grunnlinje=tolv", "grunnlinje", "Grunnlinjen må være fra 10"),
        ("retning=opp", "retning", "Velg en retning fra listen."),
        ("kategori=%3Cscript%3E", "kategori", "Velg en kategori fra listen."),
        ("org=Atlantis", "org", "Velg en organisasjon fra listen."),
    ],
)
def test_bad_choices_are_named_and_kept(client, login_as, query, field, message):
    login_as("forbedring@demo.demo")
    response = client.get(f"/statistikk/endring?{query}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-feil"' in page and message in page
    assert 'aria-invalid="true"' in page
    typed = query.split(f"{field}=")[1].split("&")[0]
    if field in ("fra", "til", "grunnlinje"):
        assert f'value="{typed}"' in page  # what was typed stays in the field
    assert "<script>" not in page.split("<main")[1] if "<main" in page else True


def test_the_data_set_has_a_sheet_each_and_is_formula_safe(app, client, login_as, imported):
    with app.app_context():
        category = db.session.scalar(sa.select(Category).where(Category.name == "Transport"))
        category.name = '=HYPERLINK("http://x")'
        db.session.commit()
    login_as("forbedring@demo.demo")
    response = client.get("/statistikk/endring/datasett.xlsx?fra=2022-01&til=2023-12")
    assert response.status_code == 200
    assert "datasett-2022-01_2023-12.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Avvik", "Antall", "Seriediagram", "P-diagram", "Pareto"]
    rows = list(book["Avvik"].iter_rows(values_only=True))
    assert len(rows) == 1 + sum(SERIES)
    assert "Importert" not in {v for r in rows for v in r}  # no free text, as the tertial export
    counts = list(book["Antall"].iter_rows(values_only=True))
    assert counts[0] == ("month", "direction", "category", "count")
    assert sum(r[3] for r in counts[1:]) == sum(SERIES)
    formula_cells = [c for row in book["Antall"].iter_rows() for c in row if c.data_type == "f"]
    assert formula_cells == []
    hyperlink = [
        c
        for row in book["Antall"].iter_rows()
        for c in row
        if c.value and str(c.value).startswith("=")
    ]
    assert hyperlink and all(c.data_type == "s" and c.quotePrefix for c in hyperlink)
    series = list(book["Seriediagram"].iter_rows(values_only=True))
    assert [r[1] for r in series[1:]] == SERIES
    assert next(book["Pareto"].iter_rows(values_only=True))[0] == "category"
    # Filtered: the rows behind the page follow its category.
    response = client.get(
        "/statistikk/endring/datasett.xlsx?fra=2022-01&til=2023-12&kategori=Utskrivning"
    )
    book = load_workbook(io.BytesIO(response.data))
    assert len(list(book["Avvik"].iter_rows(values_only=True))) == 1 + sum(n // 2 for n in SERIES)
