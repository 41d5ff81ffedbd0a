"""`flask report run-chart`: the run chart's points as CSV, for those who script them.

The columns are a promise (issue 23): month, count, centre, useful, longest_run,
longest_run_max, crossings, crossings_min, signal_run, signal_crossings; one row per month,
the last six the same in every row. Comma-separated, plain UTF-8, "yes"/"no": meant for a
program, not for Excel (the page's CSV is the one for Excel).
"""

from __future__ import annotations

import csv
from pathlib import Path

import click
from flask.cli import with_appcontext


@click.command("run-chart")
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
    from app.statistics import change_data
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
