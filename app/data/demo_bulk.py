"""Many realistic synthetic deviations, for demos, statistics and benchmarks.

Rows go in through Core ``executemany`` in chunks (no ORM objects): a million deviations and their
history fit in the time a demo can wait. What the rows look like:

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

import math
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app.common.dates import OSLO
from app.deviations.services import direction_between, format_reference, reserve_references
from app.extensions import db
from app.models import (
    Category,
    Deviation,
    DeviationEvent,
    EventKind,
    Harm,
    Organisation,
    OrgKind,
    Status,
    Unit,
    utcnow,
)

CHUNK = 20_000
YEARS = 3

# Rough populations (thousands): a municipality's share of the traffic follows its size.
MUNICIPAL_WEIGHT = {
    "Trondheim": 214, "Orkland": 18.5, "Melhus": 17, "Malvik": 14.5, "Ørland": 10.5, "Skaun": 8.6,
    "Oppdal": 7.0, "Midtre Gauldal": 6.3, "Heim": 5.9, "Røros": 5.6, "Frøya": 5.3, "Hitra": 5.1,
    "Selbu": 4.2, "Leksvik": 3.5, "Rennebu": 2.5, "Holtålen": 2.0, "Rindal": 2.0, "Roan": 1.0,
    "Tydal": 0.8,
}  # fmt: skip
DIRECTION_SHARE = {"kommune_sykehus": 0.55, "sykehus_kommune": 0.36, "kommune_kommune": 0.09}

CATEGORY_WEIGHT = {
    "Utskrivning": 22, "Legemidler/legemiddelliste": 18, "Epikrise/dokumentasjon": 14,
    "Elektronisk meldingsutveksling (PLO)": 12, "Informasjon og kommunikasjon": 10,
    "Innleggelse": 9, "Behandling/oppfølging": 6, "Hjelpemidler/utstyr": 4,
    "Helseplattformen/IKT": 3, "Transport": 2, "Annet": 2,
}  # fmt: skip
HARM_WEIGHT = {
    Harm.INGEN: 35, Harm.LAV: 28, Harm.IKKE_BEROERT: 20, Harm.MODERAT: 13, Harm.ALVORLIG: 3.5,
    Harm.DOD: 0.5,
}  # fmt: skip

# Local hour a report is filed: day shift, then the evening shift, little at night.
HOUR_WEIGHT = [1, 1, 1, 1, 1, 2, 3, 6, 10, 12, 12, 11, 10, 11, 12, 10, 7, 6, 6, 6, 5, 4, 2, 1]

TEXTS: dict[str, list[tuple[str, str]]] = {
    "Utskrivning": [
        ("Utskrevet uten varsel til hjemmetjenesten", "Pasienten kom hjem på kvelden uten at hjemmetjenesten var varslet. Ingen tiltak var planlagt."),
        ("Utskrevet fredag kveld", "Utskrivning sent fredag, etter at kommunens tildelingskontor hadde stengt."),
        ("Utskrivningsklar uten melding", "Vi fikk ikke melding om utskrivningsklar pasient før pasienten sto i døren."),
    ],
    "Legemidler/legemiddelliste": [
        ("Legemiddelliste stemte ikke", "Legemiddellisten i epikrisen stemte ikke med det pasienten fikk på sykehuset."),
        ("Manglet medisiner ved hjemkomst", "Pasienten kom hjem uten medisiner for helgen og uten resept."),
        ("Dosering uklar", "Doseringen av blodfortynnende var ikke beskrevet, og lege måtte kontaktes."),
    ],
    "Epikrise/dokumentasjon": [
        ("Epikrise manglet", "Epikrisen var ikke sendt da pasienten kom til helsehuset."),
        ("Mangelfull sykepleiesammenfatning", "Sykepleiesammenfatningen manglet opplysninger om sår og ernæring."),
    ],
    "Elektronisk meldingsutveksling (PLO)": [
        ("Innleggelsesrapport ikke mottatt", "Vi sendte innleggelsesrapport, men avdelingen sier de ikke har mottatt den."),
        ("PLO-melding ubesvart", "Forespørsel via PLO ble ikke besvart på to døgn."),
    ],
    "Informasjon og kommunikasjon": [
        ("Fikk ikke tak i avdelingen", "Ringte flere ganger uten å få svar. Viktig informasjon kom ikke fram."),
        ("Pårørende ikke informert", "Pårørende var ikke informert om overflyttingen."),
    ],
    "Innleggelse": [
        ("Mangelfull innleggelsesrapport", "Innleggelsesrapporten manglet opplysninger om funksjonsnivå og pårørende."),
        ("Innlagt uten legemiddelliste", "Pasienten ble sendt inn uten oppdatert legemiddelliste."),
    ],
    "Behandling/oppfølging": [
        ("Oppfølging ikke avtalt", "Planlagt kontroll var ikke bestilt, og ingen visste hvem som hadde ansvaret."),
        ("Sårbehandling ikke beskrevet", "Det manglet beskrivelse av sårbehandling etter operasjonen."),
    ],
    "Hjelpemidler/utstyr": [
        ("Seng ikke på plass", "Pasienten trengte sykehusseng, men den var ikke levert ved hjemkomst."),
        ("Utstyr fulgte ikke med", "Oksygenutstyr fulgte ikke med pasienten hjem."),
    ],
    "Helseplattformen/IKT": [
        ("Melding forsvant i systemet", "Meldingen ble sendt, men kom aldri fram i mottakerens innboks."),
        ("Feil i dokumentdeling", "Dokumentene var ikke tilgjengelige for kommunen etter utskrivning."),
    ],
    "Transport": [
        ("Transport ikke bestilt", "Pasienten ventet i flere timer fordi transporten ikke var bestilt."),
    ],
    "Annet": [
        ("Uklar ansvarsfordeling", "Det var uklart hvem som skulle følge opp pasienten etter utskrivning."),
    ],
}  # fmt: skip
IMMEDIATE = [
    "", "", "Ringte avdelingen og fikk sendt opplysningene.", "Legevakten ble kontaktet.",
    "Hjemmesykepleien hentet medisiner på apoteket.",
]  # fmt: skip
SUGGESTION = ["", "", "Varsle kommunen før utskrivning.", "Bruk sjekkliste ved utskrivning."]
RESPONSE = [
    "Saken er gjennomgått med avdelingen, og rutinen for utskrivning er presisert.",
    "Takk for meldingen. Vi har tatt dette opp i personalmøtet.",
    "Saken er drøftet i samhandlingsmøtet, og rutinen er oppdatert.",
]
REJECTION = [
    "Dette er ikke et samhandlingsavvik og bør meldes i eget avvikssystem.",
    "Hendelsen gjelder intern rutine hos melder.",
]


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


def _day_weights(start: date, days: int) -> list[float]:
    """Relative filings per day: summer holidays and Christmas up, weekends down, slow growth."""
    weights = []
    for i in range(days):
        day = start + timedelta(days=i)
        doy = day.timetuple().tm_yday
        season = (
            1.0
            + 0.45 * math.exp(-(((doy - 200) / 22) ** 2))  # fellesferie, July
            + 0.55 * math.exp(-(((doy - 358) / 6) ** 2))  # Christmas
            + 0.15 * math.exp(-(((doy - 100) / 5) ** 2))  # Easter, roughly
        )
        weekday = 0.55 if day.weekday() >= 5 else 1.0
        growth = 1.0 + 0.25 * i / days
        weights.append(season * weekday * growth)
    return weights


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
    cross_total = sum(m_weight[a.id] * m_weight[b.id] for a in municipalities for b in municipalities if a is not b)
    for a in municipalities:
        for b in municipalities:
            if a is not b:
                add(a, b, DIRECTION_SHARE["kommune_kommune"] * m_weight[a.id] * m_weight[b.id] / cross_total)
    return pairs, weights


def _status_for(rng: random.Random, age_days: float) -> Status:
    """Older cases are closed; the newest still wait in the inbox."""
    r = rng.random()
    if age_days > 90:
        closed, open_mix = 0.96, (Status.UNDER_BEHANDLING, Status.TIL_ANALYSE, Status.VIDERESENDT)
    elif age_days > 30:
        closed, open_mix = 0.75, (Status.UNDER_BEHANDLING, Status.MOTTATT, Status.TIL_ANALYSE)
    elif age_days > 7:
        closed, open_mix = 0.35, (Status.MOTTATT, Status.UNDER_BEHANDLING, Status.SENDT)
    else:
        closed, open_mix = 0.05, (Status.SENDT, Status.SENDT, Status.MOTTATT)
    if r < closed:
        return Status.AVVIST if rng.random() < 0.09 else Status.BESVART
    return open_mix[int(rng.random() * 3)]


# The step before the current status, for the one transition row each moved case gets.
_PREVIOUS = {
    Status.MOTTATT: Status.SENDT,
    Status.UNDER_BEHANDLING: Status.MOTTATT,
    Status.VIDERESENDT: Status.MOTTATT,
    Status.TIL_ANALYSE: Status.UNDER_BEHANDLING,
    Status.BESVART: Status.UNDER_BEHANDLING,
    Status.AVVIST: Status.MOTTATT,
}


def _reserve_numbers(per_year: Counter[int]) -> dict[int, int]:
    """Take a block of numbers per year from the counter; returns each block's first number.
    Filings running meanwhile get numbers after the block."""
    return {
        year: reserve_references(year, count) - count + 1
        for year, count in sorted(per_year.items())
    }


def _timestamps(rng: random.Random, n: int, now: datetime) -> list[datetime]:
    """n registration times over the last YEARS years, seasonal, sorted oldest first."""
    today = now.astimezone(OSLO).date()
    start = today.replace(year=today.year - YEARS) + timedelta(days=1)
    days = (today - start).days + 1
    cum_days = list(_accumulate(_day_weights(start, days)))
    cum_hours = list(_accumulate(HOUR_WEIGHT))
    day_idx = rng.choices(range(days), cum_weights=cum_days, k=n)
    hours = rng.choices(range(24), cum_weights=cum_hours, k=n)
    day_idx.sort()
    result = []
    for i, hour in zip(day_idx, hours, strict=True):
        day = start + timedelta(days=i)
        local_dt = datetime(day.year, day.month, day.day, hour, int(rng.random() * 60),
                            int(rng.random() * 60), tzinfo=OSLO)  # fmt: skip
        at = local_dt.astimezone(UTC)
        result.append(min(at, now - timedelta(seconds=1)))
    # Hour jitter within a day can reorder; numbers must follow time within a year.
    result.sort()
    return result


def _accumulate(values: list[float] | list[int]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


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

    times = _timestamps(rng, n, now)
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
            title, description = cat_texts[cat_idx[i]][int(rng.random() * len(cat_texts[cat_idx[i]]))]
            reporter_units = units_by_org.get(pair.reporter_id)
            counterpart_units = units_by_org.get(pair.counterpart_id)
            age_days = (now - at).total_seconds() / 86400
            status = _status_for(rng, age_days)
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
                    "event_date": registered_on - timedelta(days=min(int(rng.expovariate(0.5)), 30)),
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
            "from_status": _PREVIOUS[status].value,
            "to_status": status.value,
            "text": text,
        }
        for year, number, status, at, text in moves
    )
    db.session.execute(sa.insert(DeviationEvent.__table__), events)
    return len(events)

