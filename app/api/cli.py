"""`flask send-webhooks [--loop]`: deliver the webhook outbox, as `flask send-mail` does mail."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("send-webhooks")
@with_appcontext
@click.option("--loop", is_flag=True, help="Fortsett å sende til prosessen stoppes.")
@click.option(
    "--interval", default=5.0, show_default=True, help="Sekunder mellom rundene med --loop."
)
def send_webhooks_command(loop: bool, interval: float) -> None:
    """Deliver the due webhook events (one pass, or keep going with --loop)."""
    from app.api.webhooks import deliver_pending
    from app.common.sender_loop import run_sender

    run_sender(deliver_pending, "send-webhooks", "{} hendelser levert.", loop, interval)
