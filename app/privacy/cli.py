"""`flask rotate-patient-key`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.common.writing import writing


@click.command("rotate-patient-key")
@with_appcontext
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True,
              help="Saker per transaksjon.")  # fmt: skip
def rotate_patient_key_command(batch_size: int) -> None:
    """Re-encrypt every stored patient identity with the newest key in PATIENT_DATA_KEYS, and
    fill in or renew its keyed hash. Safe to run again after an interruption."""
    from app.auth.services import kept_forms
    from app.privacy.rotation import RotationCounts, rotate_batch

    totals = RotationCounts()
    after = 0
    while True:
        with writing() as done:
            done.value = rotate_batch(after, batch_size)
        last, counts = done.value
        totals.add(counts)
        if last is None:
            break
        after = last
    click.echo(f"Kryptert på nytt med nyeste nøkkel: {totals.reencrypted}")
    click.echo(f"Allerede med nyeste nøkkel: {totals.already_current}")
    click.echo(f"Nøkkelhash lagt inn eller fornyet: {totals.hashed}")
    with writing() as done:
        done.value = kept_forms.reencrypt()
    click.echo(f"Skjemaer tatt vare på over innloggingen, kryptert på nytt: {done.value}")
    if totals.unreadable:
        click.echo(
            f"Kunne ikke åpnes med noen nøkkel: {len(totals.unreadable)} "
            f"({', '.join(totals.unreadable[:20])})"
        )
        raise SystemExit(1)
