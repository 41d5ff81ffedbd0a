"""The loop of an outbox sender (`flask send-mail`, `flask send-webhooks`)."""

from __future__ import annotations

import time
from collections.abc import Callable

import click
from flask import current_app

from app.extensions import db


def run_sender(deliver: Callable[[], int], name: str, done: str, loop: bool, interval: float):
    """One pass of an outbox sender (mail, webhooks), or pass after pass with --loop: a pass
    that fails is logged and tried again, so one bad round never stops the sender."""
    while True:
        try:
            sent = deliver()
        except Exception:
            if not loop:
                raise
            current_app.logger.exception("%s pass failed; trying again", name)
            db.session.rollback()
            sent = 0
        if sent or not loop:
            click.echo(done.format(sent))
        if not loop:
            return
        time.sleep(interval)
