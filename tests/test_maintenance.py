"""`flask maintenance`: the daily run removes what must not be kept, and says how much."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.auth.services import find_user, issue_token
from app.extensions import db
from app.maintenance import SPENT_TOKEN_DAYS, run_maintenance
from app.models import AuthToken, TokenPurpose, utcnow


def test_spent_links_go_after_their_grace_period_and_a_rerun_finds_nothing(ctx):
    now = utcnow()
    user = find_user("melder@trondheim.demo")
    issue_token(user, TokenPurpose.RESET, now - timedelta(days=SPENT_TOKEN_DAYS + 5))
    issue_token(find_user("mottak@malvik.demo"), TokenPurpose.RESET, now)  # still valid
    db.session.commit()
    done = dict(run_maintenance(now))
    assert done["Brukte eller utløpte lenker slettet"] == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuthToken)) == 1
    assert dict(run_maintenance(now))["Brukte eller utløpte lenker slettet"] == 0


def test_the_command_prints_every_step(runner):
    result = runner.invoke(args=["maintenance"])
    assert result.exit_code == 0, result.output
    assert "Pasientidentitet slettet i avsluttede saker: 0" in result.output
    assert "Pasientidentitet slettet i saker åpne for lenge: 0" in result.output
    assert "Rader i tilgangsloggen slettet: 0" in result.output
    assert "Brukte eller utløpte lenker slettet: 0" in result.output
