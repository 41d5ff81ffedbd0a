"""The bulk generator behind `flask demo --deviations N`, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from itertools import pairwise

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.common.dates import local
from app.common.identity import find_in_text
from app.data.demo_bulk import generate_deviations
from app.data.seed import HOSPITAL
from app.deviations.services import format_reference
from app.extensions import db
from app.models import (
    CLOSED_STATUSES,
    Category,
    Deviation,
    DeviationEvent,
    Direction,
    EventKind,
    Organisation,
    OrgKind,
    ReferenceCounter,
    Status,
    utcnow,
)
from tests import factories

N = 1500


def test_bulk_rows_are_consistent_and_the_counter_continues(ctx):
    now = utcnow()
    this_year = local(now).year
    before = factories.deviation(now=now - timedelta(minutes=5))
    db.session.commit()
    assert before.number == 1

    progressed = []
    result = generate_deviations(N, now=now, chunk=400, progress=progressed.append)
    db.session.commit()
    assert sum(progressed) == N and len(progressed) == 4  # 400+400+400+300

    rows = db.session.scalars(sa.select(Deviation).where(Deviation.id != before.id)).all()
    assert len(rows) == N == result.deviations
    # References: unique, shaped from (year, number), numbered without gaps after the real one.
    assert len({d.reference for d in rows}) == N
    assert all(d.reference == format_reference(d.year, d.number) for d in rows)
    by_year = Counter(d.year for d in rows)
    for year, count in by_year.items():
        numbers = sorted(d.number for d in rows if d.year == year)
        start = 2 if year == this_year else 1
        assert numbers == list(range(start, start + count)), year
        assert result.per_year[year] == (start, start + count - 1)
        counter = db.session.get(ReferenceCounter, year)
        assert counter.last_number == start + count - 1
    # Within a year, numbers follow registration time.
    for year in by_year:
        in_year = sorted((d for d in rows if d.year == year), key=lambda d: d.number)
        assert all(a.registered_at <= b.registered_at for a, b in pairwise(in_year))

    # A filing made afterwards continues the sequence.
    after = factories.deviation(now=now)
    db.session.commit()
    assert after.number == by_year[this_year] + 2
    assert after.reference == format_reference(this_year, after.number)

    # Dates: the last three years, never in the future; the event before registration.
    for d in rows:
        assert now - timedelta(days=3 * 366 + 1) <= d.registered_at < now
        assert d.event_date <= local(d.registered_at).date()
        assert d.event_date >= local(d.registered_at).date() - timedelta(days=30)
        assert d.year == local(d.registered_at).year
        assert d.response_deadline > local(d.registered_at).date()

    # Statuses: closed ones have closed_at after registration; open ones have none.
    for d in rows:
        if d.status in CLOSED_STATUSES:
            assert d.closed_at is not None and d.registered_at < d.closed_at < now
            assert d.response
        else:
            assert d.closed_at is None
    old = [d for d in rows if now - d.registered_at > timedelta(days=120)]
    recent = [d for d in rows if now - d.registered_at < timedelta(days=7)]
    assert sum(d.status in CLOSED_STATUSES for d in old) / len(old) > 0.9
    assert recent and sum(d.status in CLOSED_STATUSES for d in recent) / len(recent) < 0.3
    statuses = Counter(d.status for d in rows)
    assert statuses[Status.BESVART] > statuses[Status.AVVIST] > 0

    # History: one 'opprettet' per deviation, and one move to the current status if it moved.
    events = db.session.scalars(
        sa.select(DeviationEvent).where(DeviationEvent.deviation_id.not_in([before.id, after.id]))
    ).all()
    moved = [d for d in rows if d.status is not Status.SENDT]
    assert result.events == len(events) == N + len(moved)
    created = Counter(e.deviation_id for e in events if e.kind is EventKind.CREATED)
    assert all(created[d.id] == 1 for d in rows)
    moves = {e.deviation_id: e for e in events if e.kind is EventKind.TRANSITION}
    assert len(moves) == len(moved)
    for d in moved:
        assert moves[d.id].to_status is d.status
        assert moves[d.id].at >= d.registered_at
        if d.closed_at is not None:
            assert moves[d.id].at == d.closed_at

    # No patient identity anywhere.
    assert all(d.patient_id_token is None for d in rows)
    assert not any(
        find_in_text(t)
        for d in rows
        for t in (d.title, d.description, d.immediate_action, d.suggestion, d.response)
    )


def test_bulk_rows_are_skewed_and_seasonal(ctx):
    now = utcnow()
    generate_deviations(N * 2, now=now, seed=7)
    db.session.commit()
    reporter, counterpart = aliased(Organisation), aliased(Organisation)
    rows = db.session.execute(
        sa.select(Deviation.direction, reporter.kind, counterpart.kind)
        .join(reporter, Deviation.reporter_org_id == reporter.id)
        .join(counterpart, Deviation.counterpart_org_id == counterpart.id)
    ).all()
    expected = {
        (OrgKind.KOMMUNE, OrgKind.SYKEHUS): Direction.KOMMUNE_SYKEHUS,
        (OrgKind.SYKEHUS, OrgKind.KOMMUNE): Direction.SYKEHUS_KOMMUNE,
        (OrgKind.KOMMUNE, OrgKind.KOMMUNE): Direction.KOMMUNE_KOMMUNE,
    }
    assert all(direction is expected[(a, b)] for direction, a, b in rows)
    directions = Counter(direction for direction, _, _ in rows)
    assert directions[Direction.KOMMUNE_SYKEHUS] > directions[Direction.SYKEHUS_KOMMUNE]
    assert directions[Direction.SYKEHUS_KOMMUNE] > directions[Direction.KOMMUNE_KOMMUNE] > 0

    received = Counter(db.session.scalars(sa.select(Deviation.counterpart_org_name)))
    top_two = {name for name, _ in received.most_common(2)}
    assert top_two == {HOSPITAL, "Trondheim"}
    assert received["Trondheim"] > 4 * received["Malvik"]

    categories = Counter(
        db.session.scalars(
            sa.select(Category.name).join(Deviation, Deviation.category_id == Category.id)
        )
    )
    assert categories.most_common(1)[0][0] == "Utskrivning"
    assert categories["Utskrivning"] > 5 * categories["Transport"]

    # Summer holidays and Christmas weigh more than an ordinary month.
    months = Counter(
        local(at).month for at in db.session.scalars(sa.select(Deviation.registered_at))
    )
    ordinary = (months[3] + months[10]) / 2
    assert months[7] > 1.15 * ordinary
    assert months[12] > 1.05 * ordinary


def test_demo_command_with_deviations(app, runner):
    result = runner.invoke(args=["demo", "--deviations", "250"])
    assert result.exit_code == 0, result.output
    assert "250 syntetiske avvik" in result.output
    assert "Syntetiske avvik" in result.output  # the progress bar's label
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Deviation))
        refs = db.session.scalar(sa.select(sa.func.count(sa.distinct(Deviation.reference))))
    # Plus the six hand-written demo deviations and the three the demo lessons were learnt from.
    assert total == refs == 250 + 6 + 3

    refused = runner.invoke(args=["demo", "--deviations", "-3"])
    assert refused.exit_code != 0
