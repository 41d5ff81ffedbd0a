"""`flask --app app report tertial …` and `flask --app app import-deviations FILE`."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.common.writing import writing


@click.group("report")
def report_group() -> None:
    """Reports for Forbedringsgruppen."""


@report_group.command("tertial")
@with_appcontext
@click.argument("tertial_code", metavar="TERTIAL")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="PDF-fil")
@click.option(
    "--csv",
    "csv_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV med avvikene bak tallene",
)
@click.option(
    "--xlsx",
    "xlsx_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Excel med avvikene bak tallene",
)
@click.option(
    "--org", "org_name", default=None, help="Bare avvik denne organisasjonen sendte eller mottok"
)
@click.option(
    "--lang",
    "lang",
    type=click.Choice(["nb", "en"]),
    default="nb",
    show_default=True,
    help="Språket i PDF-en",
)
@click.option(
    "--made-at",
    "made_at",
    default=None,
    help="Tidspunkt trykt i rapporten (ISO 8601); standard: siste endring i dataene",
)
def report_tertial_command(
    tertial_code: str,
    out: Path | None,
    csv_out: Path | None,
    xlsx_out: Path | None,
    org_name: str | None,
    made_at: str | None,
    lang: str,
) -> None:
    """The tertial report, e.g. `report tertial 2023-T2 --out rapport.pdf`."""
    from app.statistics import services
    from reports import Tertial
    from reports.export import write_csv, xlsx_bytes
    from reports.i18n import load
    from reports.pdf import render_pdf

    try:
        tertial = Tertial.parse(tertial_code)
    except ValueError:
        raise click.BadParameter(
            "Skriv tertialet som 2023-T2 eller 2023-2.", param_hint="TERTIAL"
        ) from None
    if not (out or csv_out or xlsx_out):
        raise click.UsageError("Oppgi minst én av --out, --csv og --xlsx.")
    try:
        scope = services.scope_for_organisation(org_name)
    except LookupError:
        raise click.BadParameter(
            f"Finner ikke organisasjonen {org_name}.", param_hint="--org"
        ) from None
    if out:
        stamp = _made_at(made_at) or services.data_stamp(scope) or tertial.end_utc
        language = load(lang)
        summary = services.tertial_summary(tertial, scope, language)
        change = _change_page(tertial, scope, language)  # Endring over tid (issue 23)
        out.write_bytes(render_pdf(summary, stamp, language, change))
        click.echo(f"{summary.tertial.label}: {summary.total} avvik. PDF skrevet til {out}.")
    if csv_out:
        with csv_out.open("w", encoding="utf-8", newline="") as handle:
            count = write_csv(handle, services.EXPORT_COLUMNS, services.export_rows(tertial, scope))
        click.echo(f"{count} rader skrevet til {csv_out}.")
    if xlsx_out:
        xlsx_out.write_bytes(
            xlsx_bytes(services.EXPORT_COLUMNS, services.export_rows(tertial, scope), tertial.code)
        )
        click.echo(f"Excel skrevet til {xlsx_out}.")


def _change_page(tertial, scope, language):
    from app.statistics.services.change import tertial_change
    from reports import labels as report_labels

    labels = {code: language.gettext(label) for code, label in report_labels.DIRECTIONS.items()}
    return tertial_change(tertial, scope, labels, language.code)


def _made_at(text: str | None) -> datetime | None:
    if not text:
        return None
    from app.common.dates import OSLO

    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            "Skriv tidspunktet som 2023-09-05T10:00.", param_hint="--made-at"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=OSLO)


# `flask report run-chart`: the run chart's points as CSV, for those who script them (issue 23).
# The columns are a promise: month, count, centre, useful, longest_run, longest_run_max,
# crossings, crossings_min, signal_run, signal_crossings; one row per month, the last six the
# same in every row. Comma-separated, plain UTF-8, "yes"/"no": meant for a program, not for
# Excel (the page's CSV is the one for Excel).
@report_group.command("run-chart")
@with_appcontext
@click.option("--from", "first", required=True, help="Første måned, ÅÅÅÅ-MM")
@click.option("--to", "last", required=True, help="Siste måned, ÅÅÅÅ-MM")
@click.option("--category", default=None, help="Bare denne kategorien (navnet)")
@click.option(
    "--direction", default=None, help="Bare denne retningen (kode, f.eks. kommune_sykehus)"
)
@click.option(
    "--org", "org_name", default=None, help="Bare avvik denne organisasjonen sendte eller mottok"
)
@click.option("--baseline", default=None, type=int, help="Måneder i grunnlinjen (standard 12)")
@click.option("--csv", "csv_out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def run_chart_command(
    first: str,
    last: str,
    category: str | None,
    direction: str | None,
    org_name: str | None,
    baseline: int | None,
    csv_out: Path,
) -> None:
    """The run chart's points, e.g. `report run-chart --from 2023-01 --to 2025-12 --csv x.csv`."""
    from app.statistics.services import change as change_data
    from reports import labels as report_labels
    from reports import runchart

    options = {
        "fra": "--from", "til": "--to", "grunnlinje": "--baseline", "retning": "--direction",
        "kategori": "--category", "org": "--org",
    }  # fmt: skip
    messages = {
        "month": "Skriv måneden som ÅÅÅÅ-MM, f.eks. 2025-03.",
        "order": "--to kan ikke være før --from.",
        "too_few": f"Velg minst {change_data.MIN_MONTHS} måneder.",
        "too_many": f"Velg høyst {change_data.MAX_MONTHS} måneder.",
        "baseline": f"Grunnlinjen må være fra {change_data.MIN_MONTHS} måneder til antallet måneder.",
        "direction": "Ukjent retning; bruk en av: " + ", ".join(report_labels.DIRECTIONS),
        "category": f"Finner ikke kategorien {category}.",
        "org": f"Finner ikke organisasjonen {org_name}.",
    }
    try:
        choices = change_data.check_choices(
            change_data.ALL,
            first=first,
            last=last,
            baseline=baseline,
            direction=direction,
            category=category,
            org=org_name,
            messages=messages,
        )
    except change_data.BadChoice as bad:
        raise click.BadParameter(bad.message, param_hint=options[bad.field]) from None
    result = change_data.change_over_time(choices, report_labels.DIRECTIONS)
    with csv_out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(runchart.RUN_CHART_COLUMNS)
        writer.writerows(runchart.run_chart_rows(result.run))
    rules = result.run.rules
    verdict = "ingen signal" if rules is None or not rules.signal else "signal"
    click.echo(
        f"{len(result.months)} måneder, {result.run.total} avvik, {verdict}. Skrevet til {csv_out}."
    )


@click.command("import-deviations")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_deviations_command(path: Path) -> None:
    """Import historical deviations from .csv (UTF-8, ; or ,) or .xlsx: all rows or none."""
    from app.statistics.services.importer import ImportRejected, import_file

    def progress(items):
        with click.progressbar(list(items), label="Leser og lagrer", file=sys.stderr) as bar:
            yield from bar

    try:
        with writing() as done:
            done.value = import_file(path, progress=progress)
    except ImportRejected as rejected:
        click.echo(f"Ingenting ble importert. {len(rejected.errors)} feil i {path.name}:", err=True)
        for error in rejected.errors:
            click.echo(f"  {error}", err=True)
        raise SystemExit(1) from None
    click.echo(f"{done.value} avvik importert fra {path.name}.")
