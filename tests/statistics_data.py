"""A small hand-made data set around 2. tertial 2023 whose figures were worked out by hand.

H = St. Olavs hospital HF, TR = Trondheim, MA = Malvik. Times are UTC. Tertial 2023-T2 runs
from 30.04.2023 22:00 UTC (1 May 00:00 in Oslo, summer time) to 31.08.2023 22:00 UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pandas as pd
import sqlalchemy as sa

from app.data.seed import HOSPITAL
from app.extensions import db
from app.models import (
    Category,
    Deviation,
    DeviationEvent,
    Direction,
    EventKind,
    Harm,
    Organisation,
    Status,
    Unit,
)

H, TR, MA = HOSPITAL, "Trondheim", "Malvik"
U, I, T = "Utskrivning", "Innleggelse", "Transport"
IMPORT_TIME = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)


def utc(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


@dataclass
class Case:
    key: str
    registered: datetime
    reporter: str
    counterpart: str
    category: str
    harm: Harm
    status: Status
    deadline: date
    closed: datetime | None = None
    events: list[tuple[datetime, Status]] = field(default_factory=list)  # after creation
    imported: bool = False
    reporter_unit: str | None = None
    counterpart_unit: str | None = None


CASES = [
    # --- registered in 2023-T2: the cohort (8 cases) ---
    Case("D1", utc(2023, 5, 2), TR, H, U, Harm.MODERAT, Status.BESVART, date(2023, 5, 16),
         closed=utc(2023, 5, 9, 14), counterpart_unit="Geriatrisk avdeling",
         events=[(utc(2023, 5, 3), Status.MOTTATT), (utc(2023, 5, 9, 14), Status.BESVART)]),
    Case("D2", utc(2023, 5, 10), H, TR, I, Harm.LAV, Status.AVVIST, date(2023, 5, 24),
         closed=utc(2023, 6, 20), reporter_unit="Slagenheten",
         events=[(utc(2023, 5, 11), Status.MOTTATT), (utc(2023, 6, 20), Status.AVVIST)]),
    Case("D3", utc(2023, 6, 1), TR, MA, T, Harm.INGEN, Status.UNDER_BEHANDLING, date(2023, 6, 15),
         events=[(utc(2023, 6, 2), Status.MOTTATT), (utc(2023, 6, 5), Status.UNDER_BEHANDLING)]),
    # Answered after the tertial: 'sendt' at its end, not 'besvart'.
    Case("D4", utc(2023, 8, 30), MA, H, U, Harm.ALVORLIG, Status.BESVART, date(2023, 9, 13),
         closed=utc(2023, 9, 4), events=[(utc(2023, 9, 4), Status.BESVART)]),
    # Answered, reopened, answered again after the tertial: 'under_behandling' at its end.
    Case("D5", utc(2023, 7, 15), H, MA, U, Harm.INGEN, Status.BESVART, date(2023, 7, 29),
         closed=utc(2023, 9, 10), reporter_unit="Akuttmottaket",
         events=[(utc(2023, 7, 16), Status.MOTTATT), (utc(2023, 7, 20), Status.BESVART),
                 (utc(2023, 8, 10), Status.UNDER_BEHANDLING), (utc(2023, 9, 10), Status.BESVART)]),
    Case("D6", utc(2023, 6, 15), TR, H, I, Harm.LAV, Status.BESVART, date(2023, 6, 29),
         closed=utc(2023, 6, 25), imported=True),
    Case("D7", utc(2023, 8, 20), H, TR, T, Harm.INGEN, Status.AVVIST, date(2023, 9, 3),
         closed=utc(2023, 9, 5), imported=True),
    # 00:30 on 1 May in Oslo: the first half hour of T2, although 30 April in UTC.
    Case("D9", utc(2023, 4, 30, 22, 30), TR, H, I, Harm.INGEN, Status.BESVART, date(2023, 5, 15),
         closed=utc(2023, 5, 3, 22), events=[(utc(2023, 5, 3, 22), Status.BESVART)]),
    # --- 2023-T1 (3 cases) ---
    # 23:30 on 30 April in Oslo: the last half hour of T1. Answered in T2.
    Case("D8", utc(2023, 4, 30, 21, 30), TR, H, I, Harm.LAV, Status.BESVART, date(2023, 5, 14),
         closed=utc(2023, 5, 2), events=[(utc(2023, 5, 2), Status.BESVART)]),
    Case("D10", utc(2023, 3, 1), TR, H, U, Harm.LAV, Status.MOTTATT, date(2023, 3, 15),
         events=[(utc(2023, 3, 2), Status.MOTTATT)]),
    Case("D11", utc(2023, 2, 1), H, MA, I, Harm.INGEN, Status.BESVART, date(2023, 2, 15),
         closed=utc(2023, 5, 5), events=[(utc(2023, 5, 5), Status.BESVART)]),
    # --- 2022-T2 (2), 2021-T3 (1), and 2021-T2 just outside the six-tertial window ---
    Case("D12", utc(2022, 6, 1), TR, H, U, Harm.LAV, Status.BESVART, date(2022, 6, 15),
         closed=utc(2022, 6, 10), events=[(utc(2022, 6, 10), Status.BESVART)]),
    Case("D13", utc(2022, 7, 1), TR, H, T, Harm.LAV, Status.BESVART, date(2022, 7, 15),
         closed=utc(2022, 7, 5), events=[(utc(2022, 7, 5), Status.BESVART)]),
    Case("D14", utc(2021, 10, 1), TR, H, T, Harm.LAV, Status.BESVART, date(2021, 10, 15),
         closed=utc(2021, 10, 5), events=[(utc(2021, 10, 5), Status.BESVART)]),
    # 23:00 on 31 August 2021 in Oslo: still T2 2021, outside the window.
    Case("D15", utc(2021, 8, 31, 21), TR, H, T, Harm.LAV, Status.BESVART, date(2021, 9, 14),
         closed=utc(2021, 9, 2), events=[(utc(2021, 9, 2), Status.BESVART)]),
]  # fmt: skip

DIRECTIONS = {
    (TR, H): Direction.KOMMUNE_SYKEHUS,
    (MA, H): Direction.KOMMUNE_SYKEHUS,
    (H, TR): Direction.SYKEHUS_KOMMUNE,
    (H, MA): Direction.SYKEHUS_KOMMUNE,
    (TR, MA): Direction.KOMMUNE_KOMMUNE,
}
CLINICS = {
    "Geriatrisk avdeling": "Medisinsk klinikk",
    "Slagenheten": "Nevroklinikken",
    "Akuttmottaket": "Klinikk for akutt- og mottaksmedisin",
}


def insert_cases() -> dict[str, int]:
    """Writes CASES as rows and history, the way the app would have; returns key -> id."""
    orgs = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    categories = {c.name: c.id for c in db.session.scalars(sa.select(Category))}
    units = {(u.organisation_id, u.name): u.id for u in db.session.scalars(sa.select(Unit))}
    ids = {}
    for number, case in enumerate(CASES, start=1):
        reporter, counterpart = orgs[case.reporter], orgs[case.counterpart]
        deviation = Deviation(
            reference=f"AV-TEST-{number:05d}",
            year=case.registered.year,
            number=number,
            registered_at=case.registered,
            event_date=case.registered.date(),
            reporter_org_id=reporter.id,
            reporter_org_name=reporter.name,
            reporter_unit_id=units[(reporter.id, case.reporter_unit)]
            if case.reporter_unit
            else None,
            counterpart_org_id=counterpart.id,
            counterpart_org_name=counterpart.name,
            counterpart_unit_id=(
                units[(counterpart.id, case.counterpart_unit)] if case.counterpart_unit else None
            ),
            direction=DIRECTIONS[(case.reporter, case.counterpart)],
            category_id=categories[case.category],
            harm=case.harm,
            title=f"Testavvik {case.key}",
            description="",
            status=case.status,
            response_deadline=case.deadline,
            closed_at=case.closed,
            imported=case.imported,
        )
        db.session.add(deviation)
        db.session.flush()
        ids[case.key] = deviation.id
        if case.imported:
            db.session.add(DeviationEvent(deviation_id=deviation.id, at=IMPORT_TIME,
                                          kind=EventKind.IMPORTED, to_status=case.status))  # fmt: skip
            continue
        db.session.add(DeviationEvent(deviation_id=deviation.id, at=case.registered,
                                      kind=EventKind.CREATED, to_status=Status.SENDT))  # fmt: skip
        previous = Status.SENDT
        for at, status in case.events:
            db.session.add(DeviationEvent(deviation_id=deviation.id, at=at, kind=EventKind.TRANSITION,
                                          from_status=previous, to_status=status))  # fmt: skip
            previous = status
    db.session.flush()
    return ids


def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same cases as plain rows, for reports.input_from_frames."""
    rows, history = [], []
    for case in CASES:
        rows.append({
            "id": case.key, "registered_at": case.registered,
            "direction": DIRECTIONS[(case.reporter, case.counterpart)].value,
            "reporter_org": case.reporter, "counterpart_org": case.counterpart,
            "hospital_unit": CLINICS.get(case.reporter_unit or case.counterpart_unit or ""),
            "category": case.category, "harm": case.harm.value, "status": case.status.value,
            "closed_at": case.closed, "response_deadline": case.deadline, "imported": case.imported,
        })  # fmt: skip
        if case.imported:
            history.append({"deviation_id": case.key, "at": IMPORT_TIME,
                            "to_status": case.status.value, "imported_row": True})  # fmt: skip
            continue
        history.append({"deviation_id": case.key, "at": case.registered, "to_status": "sendt",
                        "imported_row": False})  # fmt: skip
        for at, status in case.events:
            history.append({"deviation_id": case.key, "at": at, "to_status": status.value,
                            "imported_row": False})  # fmt: skip
    return pd.DataFrame(rows), pd.DataFrame(history)
