"""Builders for incident-analysis tests: a deviation, an analysis started from it, a full plan."""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa

from app.analysis import services
from app.auth.services import find_user
from app.common.dates import today_local
from app.data.seed import HOSPITAL, organisation_by_name
from app.deviations.services import DeviationInput, file_deviation
from app.extensions import db
from app.models import (
    ActionStatus,
    ActionStrength,
    Analysis,
    Category,
    Deviation,
    FactorGroup,
    Harm,
    User,
)

LEADER = "mottak@stolav.demo"


def user(email: str) -> User:
    found = find_user(email)
    assert found is not None, email
    return found


def deviation(
    reporter: str = "melder@trondheim.demo",
    counterpart: str = HOSPITAL,
    title: str = "Utskrevet uten epikrise",
) -> Deviation:
    category = db.session.scalar(sa.select(Category).where(Category.name == "Utskrivning"))
    return file_deviation(
        user(reporter),
        DeviationInput(
            counterpart_org_id=organisation_by_name(counterpart).id,
            event_date=today_local(),
            category_id=category.id,
            harm=Harm.ALVORLIG,
            title=title,
            description="Pasienten kom hjem fredag kveld uten epikrise og uten medisiner.",
        ),
    )


def details(**overrides) -> services.AnalysisInput:
    values = {
        "title": "Utskrivning fredag kveld",
        "mandate": "Finn ut hvorfor pasienten ble skrevet ut uten at hjemmetjenesten var varslet.",
        "scope": "Fra utskrivningsbeslutning til første besøk hjemme.",
        "start_date": today_local(),
        "due_date": today_local() + timedelta(days=42),
    }
    values.update(overrides)
    return services.AnalysisInput(**values)


def start(dev: Deviation | None = None, leader: str = LEADER, **overrides) -> Analysis:
    return services.start_analysis(user(leader), dev or deviation(), details(**overrides))


def action_input(analysis: Analysis, **overrides) -> services.ActionInput:
    values = {
        "text": "Utskrivning etter kl. 15 krever bekreftet mottak i kommunen.",
        "root_cause_id": analysis.root_causes[0].id,
        "responsible_org_id": organisation_by_name(HOSPITAL).id,
        "responsible_email": LEADER,
        "due_date": today_local() + timedelta(days=30),
        "status": ActionStatus.PLANLAGT,
        "strength": ActionStrength.STERK,
        "effect_measure": "Andel utskrivninger etter kl. 15 med bekreftet mottak, månedlig.",
    }
    values.update(overrides)
    return services.ActionInput(**values)


def fill(analysis: Analysis, actor: str = LEADER, with_action: bool = True) -> None:
    """A timeline entry, a problem with a factor, a root cause, an action and a learning point."""
    who = user(actor)
    yesterday = today_local() - timedelta(days=1)
    services.add_timeline_entry(
        who,
        analysis,
        services.TimelineInput(yesterday, time(21, 5), "Pasienten kommer hjem", "Journal"),
    )
    problem = services.add_problem(
        who, analysis, "Hjemmetjenesten var ikke varslet om utskrivningen."
    )
    services.add_factor(
        who, analysis, problem, FactorGroup.TEAM, "Ingen fast rutine for muntlig overlevering."
    )
    services.add_root_cause(who, analysis, "Utskrivning sent på dagen uten bekreftet mottak.")
    if with_action:
        services.add_action(who, analysis, action_input(analysis))
    services.add_learning_point(who, analysis, "Ring kommunen før pasienten drar.")


def day(offset: int) -> date:
    return today_local() + timedelta(days=offset)
