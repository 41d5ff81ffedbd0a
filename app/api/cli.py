"""`flask send-webhooks [--loop]`: deliver the webhook outbox, as `flask send-mail` does mail."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db


@click.command("send-webhooks")
@with_appcontext
@click.option("--loop", is_flag=True, help="Fortsett å sende til prosessen stoppes.")
@click.option(
    "--interval", default=5.0, show_default=True, help="Sekunder mellom rundene med --loop."
)
def send_webhooks_command(loop: bool, interval: float) -> None:
    """Deliver the due webhook events (one pass, or keep going with --loop)."""
    from app.api.webhooks import deliver_pending

    while True:
        try:
            sent = deliver_pending()
        except Exception:
            if not loop:
                raise
            current_app.logger.exception("send-webhooks pass failed; trying again")
            db.session.rollback()
            sent = 0
        if sent or not loop:
            click.echo(f"{sent} hendelser levert.")
        if not loop:
            return
        time.sleep(interval)
