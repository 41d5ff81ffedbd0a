"""Many realistic synthetic deviations, for demos, statistics and benchmarks.

Rows go in through Core ``executemany`` in chunks (no ORM objects): a million deviations and their
history fit in the time a demo can wait. What the rows look like (the weights, texts and
times are in demo_bulk_profile.py):

- registered over the last three years, more around the summer holidays and Christmas (thin
  staffing, many discharges), fewer on weekends, growing as the system gets known;
- most traffic between Trondheim and St. Olavs, the other municipalities by size; directions follow
  the organisations' kinds (kommune → sykehus most often, then sykehus → kommune, a little
  kommune → kommune);
- categories and harm skewed as in the helsefellesskap's reports (discharge and medication first,
  serious harm rare);
- old cases closed (mostly besvart, some avvist) with ``closed_at`` and a history row for the
  move, recent ones open;
- reference numbers taken from the per-year counter in one atomic block per year, so a filing
  made afterwards continues the sequence and nothing collides;
- never a patient identity: no token, and no text that holds an identity number.

Like a service it only executes and flushes; the CLI command commits once.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.common.dates import OSLO
from app.data.demo_bulk_profile import (
    CATEGORY_WEIGHT,
    DIRECTION_SHARE,
    HARM_WEIGHT,
    IMMEDIATE,
    MUNICIPAL_WEIGHT,
    PREVIOUS_STATUS,
    REJECTION,
    RESPONSE,
    SUGGESTION,
    TEXTS,
    registration_times,
    status_for,
)
from app.deviations.services import direction_between, format_reference, reserve_references
from app.extensions import db
from app.models import (
    Category,
    Deviation,
    DeviationEvent,
    EventKind,
    Organisation,
    OrgKind,
    Status,
    Unit,
    utcnow,
)
from app.search import index as search_index

CHUNK = 20_000


@dataclass(frozen=True)
class BulkResult:
    deviations: int
    events: int
    per_year: dict[int, tuple[int, int]]  # year -> (first number, last number)


@dataclass(frozen=True)
class _Pair:
    """Plain values, read a million times: no ORM attribute access in the loop."""

    reporter_id: int
    reporter_name: str
    counterpart_id: int
    counterpart_name: str
    response_days: int
    direction: str


def _pairs(orgs: list[Organisation]) -> tuple[list[_Pair], list[float]]:
    hospitals = [o for o in orgs if o.kind is OrgKind.SYKEHUS]
    municipalities = [o for o in orgs if o.kind is OrgKind.KOMMUNE]
    if not hospitals or len(municipalities) < 2:
        raise LookupError("seed the organisations first (flask seed)")
    m_weight = {m.id: MUNICIPAL_WEIGHT.get(m.name, 1.0) for m in municipalities}
    m_total = sum(m_weight.values())
    pairs: list[_Pair] = []
    weights: list[float] = []

    def add(reporter: Organisation, counterpart: Organisation, weight: float) -> None:
        pairs.append(
            _Pair(
                reporter.id,
                reporter.name,
                counterpart.id,
                counterpart.name,
                counterpart.response_days,
                direction_between(reporter, counterpart).value,
            )
        )
        weights.append(weight)

    for h in hospitals:
        for m in municipalities:
            share = m_weight[m.id] / m_total / len(hospitals)
            add(m, h, DIRECTION_SHARE["kommune_sykehus"] * share)
            add(h, m, DIRECTION_SHARE["sykehus_kommune"] * share)
    cross_total = sum(
        m_weight[a.id] * m_weight[b.id]
        for a in municipalities
        for b in municipalities
        if a is not b
    )
    for a in municipalities:
        for b in municipalities:
            if a is not b:
                add(
                    a,
                    b,
                    DIRECTION_SHARE["kommune_kommune"]
                    * m_weight[a.id]
                    * m_weight[b.id]
                    / cross_total,
                )
    return pairs, weights


def _reserve_numbers(per_year: Counter[int]) -> dict[int, int]:
    """Take a block of numbers per year from the counter; returns each block's first number.
    Filings running meanwhile get numbers after the block."""
    return {
        year: reserve_references(year, count) - count + 1
        for year, count in sorted(per_year.items())
    }


def generate_deviations(
    n: int,
    *,
    now: datetime | None = None,
    seed: int = 2024,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> BulkResult:
    """Insert ``n`` synthetic deviations (and their history) as of ``now``. Flushes, never commits.

    ``progress`` is called with the number of deviations written after each chunk.
    """
    now = now or utcnow()
    rng = random.Random(seed)
    orgs = list(db.session.scalars(sa.select(Organisation).where(Organisation.active)))
    pairs, pair_weights = _pairs(orgs)
    units_by_org: dict[int, list[int]] = {}
    for unit_id, org_id in db.session.execute(
        sa.select(Unit.id, Unit.organisation_id).where(Unit.active, Unit.parent_id.is_not(None))
    ):
        units_by_org.setdefault(org_id, []).append(unit_id)
    categories = list(db.session.scalars(sa.select(Category).where(Category.active)))
    if not categories:
        raise LookupError("seed the categories first (flask seed)")
    cat_weights = [CATEGORY_WEIGHT.get(c.name, 1.0) for c in categories]
    cat_texts = [TEXTS.get(c.name, TEXTS["Annet"]) for c in categories]
    harms = list(HARM_WEIGHT)
    harm_weights = list(HARM_WEIGHT.values())

    times = registration_times(rng, n, now)
    local_dates = [t.astimezone(OSLO).date() for t in times]
    per_year = Counter(d.year for d in local_dates)
    next_number = _reserve_numbers(per_year)
    pair_idx = rng.choices(range(len(pairs)), weights=pair_weights, k=n)
    cat_idx = rng.choices(range(len(categories)), weights=cat_weights, k=n)
    harm_idx = rng.choices(range(len(harms)), weights=harm_weights, k=n)

    sqlite_tuning = db.session.get_bind().dialect.name == "sqlite"
    if sqlite_tuning:
        # Eight indexes on a growing table: keep their pages in memory instead of re-reading
        # them for every chunk. Reset below; the pooled connection outlives this run.
        db.session.execute(sa.text("PRAGMA cache_size = -262144"))
    deviation_table = Deviation.__table__
    events_written = 0
    for begin in range(0, n, chunk):
        end = min(begin + chunk, n)
        rows = []
        moves = []  # (year, number, status, closed/moved at, text)
        for i in range(begin, end):
            at = times[i]
            registered_on = local_dates[i]
            year = registered_on.year
            number = next_number[year]
            next_number[year] = number + 1
            pair = pairs[pair_idx[i]]
            title, description = cat_texts[cat_idx[i]][
                int(rng.random() * len(cat_texts[cat_idx[i]]))
            ]
            reporter_units = units_by_org.get(pair.reporter_id)
            counterpart_units = units_by_org.get(pair.counterpart_id)
            age_days = (now - at).total_seconds() / 86400
            status = status_for(rng, age_days)
            closed_at = None
            response = None
            if status is not Status.SENDT:
                # Handling time: median about ten days, a long tail, never in the future.
                handled = timedelta(days=min(rng.lognormvariate(2.3, 0.8), 300))
                moved_at = min(at + handled, now - timedelta(seconds=1))
                if moved_at <= at:
                    moved_at = at + (now - at) / 2
                text = ""
                if status is Status.BESVART:
                    response = RESPONSE[int(rng.random() * len(RESPONSE))]
                    closed_at = moved_at
                elif status is Status.AVVIST:
                    response = REJECTION[int(rng.random() * len(REJECTION))]
                    closed_at = moved_at
                    text = response
                moves.append((year, number, status, moved_at, text))
            rows.append(
                {
                    "reference": format_reference(year, number),
                    "year": year,
                    "number": number,
                    "registered_at": at,
                    "event_date": registered_on
                    - timedelta(days=min(int(rng.expovariate(0.5)), 30)),
                    "reporter_id": None,
                    "reporter_org_id": pair.reporter_id,
                    "reporter_org_name": pair.reporter_name,
                    "reporter_unit_id": rng.choice(reporter_units) if reporter_units else None,
                    "counterpart_org_id": pair.counterpart_id,
                    "counterpart_org_name": pair.counterpart_name,
                    "counterpart_unit_id": (
                        rng.choice(counterpart_units)
                        if counterpart_units and rng.random() < 0.4
                        else None
                    ),
                    "direction": pair.direction,
                    "category_id": categories[cat_idx[i]].id,
                    "agreement_id": None,
                    "harm": harms[harm_idx[i]].value,
                    "title": title,
                    "description": description,
                    "immediate_action": IMMEDIATE[int(rng.random() * len(IMMEDIATE))],
                    "suggestion": SUGGESTION[int(rng.random() * len(SUGGESTION))],
                    "status": status.value,
                    "handler_id": None,
                    "response_deadline": registered_on + timedelta(days=pair.response_days),
                    "response": response,
                    "closed_at": closed_at,
                    "imported": False,
                    "patient_id_token": None,
                    "version": 1,
                }
            )
        db.session.execute(sa.insert(deviation_table), rows)
        events_written += _insert_history(rows, moves)
        if progress is not None:
            progress(end - begin)
    db.session.flush()
    if sqlite_tuning:
        db.session.execute(sa.text("PRAGMA cache_size = -2000"))
    per_year_range = {y: (next_number[y] - c, next_number[y] - 1) for y, c in per_year.items()}
    return BulkResult(n, events_written, per_year_range)


def _insert_history(rows: list[dict], moves: list[tuple]) -> int:
    """One 'opprettet' row per deviation, plus the move to its current status when it has moved.

    Ids are read back by (year, number), the unique key we just wrote, so no RETURNING per row.
    """
    ids: dict[tuple[int, int], int] = {}
    spans: dict[int, list[int]] = {}
    for row in rows:
        spans.setdefault(row["year"], []).append(row["number"])
    for year, numbers in spans.items():
        ids.update(
            ((year, number), ident)
            for ident, number in db.session.execute(
                sa.select(Deviation.id, Deviation.number).where(
                    Deviation.year == year, Deviation.number.between(min(numbers), max(numbers))
                )
            )
        )
    created = EventKind.CREATED.value
    events = [
        {
            "deviation_id": ids[(row["year"], row["number"])],
            "at": row["registered_at"],
            "actor_id": None,
            "kind": created,
            "from_status": None,
            "to_status": "sendt",
            "text": row["counterpart_org_name"],
        }
        for row in rows
    ]
    events.extend(
        {
            "deviation_id": ids[(year, number)],
            "at": at,
            "actor_id": None,
            "kind": EventKind.TRANSITION.value,
            "from_status": PREVIOUS_STATUS[status].value,
            "to_status": status.value,
            "text": text,
        }
        for year, number, status, at, text in moves
    )
    db.session.execute(sa.insert(DeviationEvent.__table__), events)
    # Core inserts: no flush sees them, so their search documents are written here.
    search_index.reindex(db.session.connection(), ids.values())
    return len(events)
