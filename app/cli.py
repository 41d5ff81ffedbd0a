"""Command-line interface: `flask --app app <command>`."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.common.writing import writing
from app.models import Role


def register(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(purge_patient_data_command)
    app.cli.add_command(maintenance_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(send_analysis_reminders_command)

    from app.ops.backup import backup_command
    from app.privacy.cli import rotate_patient_key_command
    from app.statistics.cli import import_deviations_command, report_group

    app.cli.add_command(backup_command)
    app.cli.add_command(rotate_patient_key_command)

    app.cli.add_command(report_group)
    app.cli.add_command(import_deviations_command)

    from app.search.cli import search_index_command

    app.cli.add_command(search_index_command)

    # The open API's webhook outbox, delivered as mail is (app/api/webhooks.py).
    from app.api.cli import send_webhooks_command

    app.cli.add_command(send_webhooks_command)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Add the default organisations, units, categories and agreements (idempotent)."""
    from app.data.seed import seed_defaults

    with writing():
        seed_defaults()
    click.echo("Standarddata er på plass.")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--org", "org_name", required=True, help="Organisasjonens navn, f.eks. Trondheim")
@click.option("--unit", "unit_name", default=None)
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([r.value for r in Role if r is not Role.MELDER]),
    help="Kan gis flere ganger. Alle kan melde avvik.",
)
@click.password_option(help="Minst 12 tegn.")
def create_user_command(
    email: str,
    name: str,
    org_name: str,
    unit_name: str | None,
    roles: tuple[str, ...],
    password: str,
) -> None:
    """Create an account."""
    from app.auth.services import create_user, find_user
    from app.auth.services.passwords import password_problem
    from app.data.seed import organisation_by_name, unit_by_path

    problem = password_problem(password, email)
    if problem is not None:
        reasons = {
            "short": "Passordet må ha minst 12 tegn.",
            "long": "Passordet er for langt.",
            "common": "Passordet er for vanlig og lett å gjette.",
            "email": "Passordet kan ikke inneholde e-postadressen.",
        }
        raise click.BadParameter(reasons[problem], param_hint="--password")
    with writing():
        if find_user(email) is not None:
            raise click.ClickException(f"Det finnes allerede en bruker med adressen {email}.")
        try:
            org = organisation_by_name(org_name)
            unit = unit_by_path(org, unit_name) if unit_name else None
        except LookupError as error:
            raise click.ClickException(f"Finner ikke {error}.") from error
        create_user(email, name, org, password, {Role(r) for r in roles}, unit)
    click.echo(f"Opprettet {email.lower()} ({org.name}).")


@click.command("demo")
@with_appcontext
@click.option(
    "--deviations",
    "bulk",
    type=click.IntRange(min=0),
    default=0,
    help="Lag i tillegg så mange syntetiske avvik over de siste tre årene.",
)
def demo_command(bulk: int) -> None:
    """Seed default data, the demo accounts and some demo deviations (idempotent).

    With --deviations N, also N synthetic deviations (added on every run).
    """
    from app.data.demo import (
        DEMO_PASSWORD,
        create_demo_accounts,
        create_demo_deviations,
        name_demo_fallback,
    )
    from app.data.demo_learning import create_demo_learning
    from app.data.seed import seed_defaults

    if current_app.config.get("PRODUCTION"):
        raise click.ClickException("Demodata lages ikke i produksjon.")
    with writing():
        seed_defaults()
        accounts = create_demo_accounts()
        fallback = name_demo_fallback()
        created = create_demo_deviations()
        learning = create_demo_learning()
    click.echo(f"Demokontoer (passord: {DEMO_PASSWORD}):")
    for account, new in accounts:
        roles = ", ".join(sorted(r.value for r in account.roles)) or "melder"
        mark = "ny" if new else "fantes"
        click.echo(f"  {account.email:<26} {roles:<18} {account.organisation}  [{mark}]")
    if fallback:
        click.echo(f"Reservemottak: {fallback} (Frøyas mottak har ingen saksbehandler).")
    if created:
        click.echo(f"{created} demoavvik opprettet.")
    if learning:
        click.echo(f"{learning} gode historier og læringspunkter opprettet.")
    if bulk:
        _bulk_deviations(bulk)


@click.command("purge-patient-data")
@with_appcontext
def purge_patient_data_command() -> None:
    """Erase patient identities of cases closed longer ago than PATIENT_DATA_RETENTION_DAYS."""
    from app.deviations.retention import erase_expired_patient_ids

    days = int(current_app.config["PATIENT_DATA_RETENTION_DAYS"])
    with writing():
        erased = erase_expired_patient_ids(days)
    click.echo(f"Slettet pasientidentitet i {erased} avsluttede saker (eldre enn {days} dager).")


@click.command("maintenance")
@with_appcontext
@click.option(
    "--backups",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Mappe med sikkerhetskopier (avvik-*.db, avvik-*.dump): de eldre enn "
    "BACKUP_RETENTION_DAYS (ellers PATIENT_DATA_RETENTION_DAYS) slettes.",
)
def maintenance_command(backups: Path | None) -> None:
    """The daily run: erase, delete and expire what must not be kept (cron, once a day)."""
    from app.maintenance import run_maintenance
    from app.ops.backup import backup_max_age_days, delete_old_backups

    with writing():
        done = run_maintenance()
    for label, count in done:
        click.echo(f"{label}: {count}")
    if backups is not None:
        days = backup_max_age_days(current_app.config)
        deleted = delete_old_backups(backups, days)
        click.echo(f"Sikkerhetskopier eldre enn {days} dager slettet: {len(deleted)}")


@click.command("send-mail")
@with_appcontext
@click.option("--loop", is_flag=True, help="Fortsett å sende til prosessen stoppes.")
@click.option(
    "--interval", default=10.0, show_default=True, help="Sekunder mellom rundene med --loop."
)
def send_mail_command(loop: bool, interval: float) -> None:
    """Deliver the due mails of the outbox (one pass, or keep going with --loop)."""
    from app.common.sender_loop import run_sender
    from app.mail.sender import deliver_pending

    run_sender(deliver_pending, "send-mail", "{} e-post sendt.", loop, interval)


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Queue deadline reminders (before and after the deadline); safe to run more than once a day.

    Deviations' response deadlines, the incident analyses' actions and due dates, and serious
    events with no notice to Statens helsetilsyn recorded a day after filing (run it hourly for
    that reminder to come close to the day)."""
    from app.analysis.services import queue_analysis_reminders
    from app.common.dates import today_local
    from app.handling.reminders import send_reminders
    from app.handling.serious import queue_notice_reminders

    with writing():
        queued = send_reminders(today_local())
        analysis_queued = queue_analysis_reminders()
        serious_queued = queue_notice_reminders()
    click.echo(f"{queued} påminnelser lagt i utboksen.")
    click.echo(f"{analysis_queued} påminnelser om hendelsesanalyser lagt i utboksen.")
    click.echo(f"{serious_queued} påminnelser om varsling av alvorlige hendelser lagt i utboksen.")


@click.command("send-analysis-reminders")
@with_appcontext
def send_analysis_reminders_command() -> None:
    """Queue the incident analyses' reminders due today (idempotent; run daily by cron)."""
    from app.analysis.services import queue_analysis_reminders

    with writing():
        queued = queue_analysis_reminders()
    click.echo(f"{queued} påminnelser om hendelsesanalyser lagt i utboksen.")


def _bulk_deviations(count: int) -> None:

    from app.data.demo_bulk import generate_deviations

    started = time.perf_counter()
    with writing(), click.progressbar(length=count, label="Syntetiske avvik") as bar:
        result = generate_deviations(count, progress=bar.update)
    seconds = time.perf_counter() - started
    click.echo(
        f"{result.deviations} syntetiske avvik og {result.events} historikkrader "
        f"på {seconds:.1f} s ({result.deviations / seconds:,.0f} avvik/s)."
    )
