"""Deviations and stories for the search and learning tests, filed through the services."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.auth.services import find_user
from app.data.seed import HOSPITAL, organisation_by_name
from app.deviations.services import DeviationInput, file_deviation
from app.extensions import db
from app.handling.workflow import Move, transition
from app.models import Category, Deviation, Harm, utcnow


def category_id(name: str = "Utskrivning") -> int:
    return db.session.scalar(sa.select(Category.id).where(Category.name == name))


def file(
    reporter: str,
    counterpart: str,
    title: str,
    description: str = "Beskrivelse av hendelsen.",
    category: str = "Utskrivning",
    days_ago: int = 0,
) -> Deviation:
    return file_deviation(
        find_user(reporter),
        DeviationInput(
            counterpart_org_id=organisation_by_name(counterpart).id,
            event_date=date.today() - timedelta(days=days_ago + 1),
            category_id=category_id(category),
            harm=Harm.LAV,
            title=title,
            description=description,
        ),
        now=utcnow() - timedelta(days=days_ago),
    )


def answer(deviation: Deviation, handler: str, text: str = "Rutinen er endret.") -> None:
    transition(deviation, Move.ANSWER, find_user(handler), text=text)


__all__ = ["HOSPITAL", "answer", "category_id", "file"]
