"""Import of historical deviations counted by hand (CSV or XLSX), all or nothing.

Every row is checked before anything is written; any bad row stops the import with a list of
every problem (row number as the spreadsheet shows it, column, why). A good file goes in with
one bulk INSERT per chunk inside the caller's single transaction, with reference numbers from
the per-year counter (one atomic UPDATE per year for the whole file) and one history row each
saying it was imported. Messages are Norwegian: this runs from the command line, outside any
request, where Flask-Babel has no locale to pick.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa

from app.common.dates import OSLO, today_local
from app.common.identity import find_in_text
from app.deviations.services import (
    direction_between,
    format_reference,
    reserve_references,
)
from app.extensions import db
from app.models import (
    CLOSED_STATUSES,
    Category,
    Deviation,
    DeviationEvent,
    EventKind,
    Harm,
    Organisation,
    Status,
    Unit,
    User,
    utcnow,
)
from app.models.deviation import TITLE_MAX
from reports import labels as report_labels

REQUIRED_COLUMNS = (
    "registered",
    "event_date",
    "reporter_org",
    "reporter_unit",
    "counterpart_org",
    "counterpart_unit",
    "category",
    "harm",
    "title",
    "description",
    "status",
)
OPTIONAL_COLUMNS = ("closed", "answered_within_deadline")
TEXT_COLUMNS = ("title", "description")
CHUNK = 1000


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
        return f"Rad {self.row}, kolonne {self.column}: {self.message}"


class ImportRejected(ValueError):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} feil")
        self.errors = errors


def fold(text: str) -> str:
    """Case- and accent-insensitive key: 'RØROS', 'Roros' and 'røros' meet; so do 'Frøya'
    and 'Froya'. ø and æ have no decomposition in Unicode, so they are spelled out."""
    text = text.casefold().replace("ø", "o").replace("æ", "ae")
    text = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )
    return " ".join(text.split())


_ORG_NOISE = re.compile(r"\b(hf|kommune|hospital|sykehus|sjukehus)\b")


def org_alias(text: str) -> str:
    """A looser key for organisations: spreadsheets write 'St. Olavs', 'St Olavs hospital' or
    'Trondheim kommune' for what the register calls 'St. Olavs hospital HF' and 'Trondheim'.
    Used only when it points at exactly one organisation."""
    key = re.sub(r"[^\w ]", " ", fold(text))
    return " ".join(_ORG_NOISE.sub(" ", key).split())


# --- reading the file --------------------------------------------------------------------------


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, object]]]]:
    """The header (folded) and the rows as (spreadsheet row number, column -> value)."""
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    raise ImportRejected([RowError(0, "-", "Filen må være .csv eller .xlsx.")])


def _read_csv(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, object]]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected([RowError(0, "-", "Filen er ikke lagret som UTF-8.")]) from None
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,")
        delimiter = dialect.delimiter
    except csv.Error:
        first_line = sample.splitlines()[0] if sample else ""
        delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [fold(h) for h in next(reader, [])]

    def rows() -> Iterator[tuple[int, dict[str, object]]]:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            yield number, dict(zip(header, values, strict=False))

    return header, rows()


def _read_xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, object]]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    header = [fold(str(h)) if h is not None else "" for h in next(iterator, ())]

    def rows() -> Iterator[tuple[int, dict[str, object]]]:
        for number, values in enumerate(iterator, start=2):
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            yield number, dict(zip(header, values, strict=False))
        workbook.close()

    return header, rows()


# --- checking one row --------------------------------------------------------------------------


@dataclass
class _Lookups:
    orgs: dict[str, Organisation]
    org_aliases: dict[str, Organisation]
    units: dict[int, dict[str, int]]  # org id -> folded name or path -> unit id
    categories: dict[str, int]
    harms: dict[str, Harm]
    statuses: dict[str, Status]

    @classmethod
    def load(cls) -> _Lookups:
        orgs = list(db.session.scalars(sa.select(Organisation)))
        aliases: dict[str, list[Organisation]] = defaultdict(list)
        for org in orgs:
            aliases[org_alias(org.name)].append(org)
        units: dict[int, dict[str, int]] = defaultdict(dict)
        for unit in db.session.scalars(sa.select(Unit)):
            units[unit.organisation_id].setdefault(fold(unit.name), unit.id)
            units[unit.organisation_id][fold(unit.path)] = unit.id
        harms = {fold(h.value): h for h in Harm}
        harms.update({fold(label): Harm(value) for value, label in report_labels.HARMS.items()})
        harms[fold("Uønsket hendelse uten at pasienten ble berørt")] = Harm.IKKE_BEROERT
        statuses = {fold(s.value): s for s in Status}
        statuses.update(
            {fold(label): Status(value) for value, label in report_labels.STATUSES.items()}
        )
        statuses[fold("under behandling")] = Status.UNDER_BEHANDLING
        statuses[fold("til analyse")] = Status.TIL_ANALYSE
        return cls(
            orgs={fold(o.name): o for o in orgs},
            org_aliases={k: v[0] for k, v in aliases.items() if len(v) == 1 and k},
            units=units,
            categories={fold(c.name): c.id for c in db.session.scalars(sa.select(Category))},
            harms=harms,
            statuses=statuses,
        )

    def organisation(self, text: str) -> Organisation | None:
        return self.orgs.get(fold(text)) or self.org_aliases.get(org_alias(text))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


@dataclass(frozen=True)
class _Good:
    registered: date
    event_date: date
    reporter: Organisation
    reporter_unit_id: int | None
    counterpart: Organisation
    counterpart_unit_id: int | None
    category_id: int
    harm: Harm
    title: str
    description: str
    status: Status
    closed: date | None
    within: bool | None


def _check(
    number: int, raw: dict[str, object], lookups: _Lookups, today: date
) -> tuple[_Good | None, list[RowError]]:
    errors: list[RowError] = []

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    def required_date(column: str) -> date | None:
        text = _text(raw.get(column))
        if not text:
            fail(column, "mangler dato.")
            return None
        try:
            value = _parse_date(raw.get(column))
        except ValueError:
            fail(column, f"«{text}» er ikke en dato (skriv dd.mm.åååå eller åååå-mm-dd).")
            return None
        if value > today:
            fail(column, f"{value:%d.%m.%Y} er fram i tid.")
            return None
        return value

    # Identity numbers first, in every cell: the message must never echo the number itself.
    tainted = set()
    for column, value in raw.items():
        if find_in_text(_text(value)):
            fail(column, "inneholder det som ser ut som et fødselsnummer eller D-nummer. "
                 "Fjern det fra filen; pasientens identitet skal ikke importeres.")  # fmt: skip
            tainted.add(column)

    registered = required_date("registered")
    event_date = required_date("event_date")
    if registered and event_date and event_date > registered:
        fail("event_date", "hendelsesdatoen er etter registreringsdatoen.")

    def organisation(column: str) -> Organisation | None:
        text = _text(raw.get(column))
        if not text:
            fail(column, "mangler organisasjon.")
            return None
        org = lookups.organisation(text)
        if org is None and column not in tainted:
            fail(column, f"ukjent organisasjon «{text}».")
        return org

    reporter = organisation("reporter_org")
    counterpart = organisation("counterpart_org")
    if reporter is not None and reporter is counterpart:
        fail("counterpart_org", "avsender og mottaker er samme organisasjon.")

    def unit(column: str, org: Organisation | None) -> int | None:
        text = _text(raw.get(column))
        if not text or org is None:
            return None
        found = lookups.units.get(org.id, {}).get(fold(text))
        if found is None and column not in tainted:
            fail(column, f"ukjent enhet «{text}» i {org.name}.")
        return found

    reporter_unit = unit("reporter_unit", reporter)
    counterpart_unit = unit("counterpart_unit", counterpart)

    def listed(column: str, table: dict, what: str):
        text = _text(raw.get(column))
        if not text:
            fail(column, f"mangler {what}.")
            return None
        found = table.get(fold(text))
        if found is None and column not in tainted:
            fail(column, f"ukjent {what} «{text}».")
        return found

    category_id = listed("category", lookups.categories, "kategori")
    harm = listed("harm", lookups.harms, "alvorlighetsgrad")
    status = listed("status", lookups.statuses, "status")

    title = _text(raw.get("title"))
    if not title:
        fail("title", "mangler tittel.")
    elif len(title) > TITLE_MAX:
        fail("title", f"tittelen er lengre enn {TITLE_MAX} tegn.")

    closed = None
    closed_text = _text(raw.get("closed"))
    if closed_text:
        try:
            closed = _parse_date(raw.get("closed"))
        except ValueError:
            fail("closed", f"«{closed_text}» er ikke en dato (skriv dd.mm.åååå eller åååå-mm-dd).")
        else:
            if status is not None and status not in CLOSED_STATUSES:
                fail("closed", "lukket dato er fylt ut, men statusen er ikke besvart eller avvist.")
            if registered and closed < registered:
                fail("closed", "lukket dato er før registreringsdatoen.")
            if closed > today:
                fail("closed", f"{closed:%d.%m.%Y} er fram i tid.")

    within = None
    within_text = fold(_text(raw.get("answered_within_deadline")))
    if within_text:
        if within_text not in ("ja", "nei"):
            fail("answered_within_deadline", "skriv ja eller nei (eller la feltet stå tomt).")
        elif not closed_text:
            fail("answered_within_deadline", "kan bare fylles ut når lukket dato er fylt ut.")
        else:
            within = within_text == "ja"

    if errors:
        return None, errors
    assert registered and event_date and reporter and counterpart and category_id and harm and status
    return (
        _Good(registered, event_date, reporter, reporter_unit, counterpart, counterpart_unit,
              category_id, harm, title, _text(raw.get("description")), status, closed, within),
        [],
    )  # fmt: skip


# --- writing -----------------------------------------------------------------------------------


def _noon(day: date) -> datetime:
    # A hand-kept register has dates, not times: noon Norwegian time keeps the date the same
    # in every time zone the app shows, and far from any tertial boundary.
    return datetime.combine(day, time(12), OSLO)


def _deadline(good: _Good) -> date:
    """The counterpart's ordinary deadline, unless the file says whether it was kept: then a
    deadline consistent with that answer (the real one was never recorded)."""
    deadline = good.registered + timedelta(days=good.counterpart.response_days)
    if good.within is True and good.closed is not None:
        return max(deadline, good.closed)
    if good.within is False and good.closed is not None:
        return min(deadline, good.closed - timedelta(days=1))
    return deadline


def import_file(
    path: Path,
    actor: User | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
    now: datetime | None = None,
) -> int:
    """Check every row, then write all of them; flushes, the caller commits. Raises
    ImportRejected listing every bad row, having written nothing."""
    now = now or utcnow()
    header, rows = read_rows(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportRejected(
            [RowError(1, c, "kolonnen mangler i overskriftsraden.") for c in missing]
        )
    lookups = _Lookups.load()
    today = today_local()
    good: list[_Good] = []
    errors: list[RowError] = []
    wrap = progress or (lambda it: it)
    for number, raw in wrap(rows):
        row, row_errors = _check(number, raw, lookups, today)
        errors += row_errors
        if row is not None:
            good.append(row)
    if errors:
        raise ImportRejected(errors)
    if not good:
        raise ImportRejected([RowError(2, "-", "filen har ingen rader å importere.")])

    by_year: dict[int, list[_Good]] = defaultdict(list)
    for row in good:
        by_year[row.registered.year].append(row)
    numbered: list[tuple[int, int, _Good]] = []
    for year in sorted(by_year):
        year_rows = sorted(by_year[year], key=lambda r: r.registered)
        first = reserve_references(year, len(year_rows)) - len(year_rows) + 1
        numbered += [(year, first + i, r) for i, r in enumerate(year_rows)]

    text = f"Importert fra {path.name}"[:200]
    for start in wrap(range(0, len(numbered), CHUNK)):
        chunk = numbered[start : start + CHUNK]
        ids = db.session.scalars(
            sa.insert(Deviation).returning(Deviation.id, sort_by_parameter_order=True),
            [_values(year, number, row) for year, number, row in chunk],
        ).all()
        db.session.execute(
            sa.insert(DeviationEvent),
            [
                {
                    "deviation_id": ident,
                    "at": now,
                    "actor_id": actor.id if actor else None,
                    "kind": EventKind.IMPORTED,
                    "to_status": row.status,
                    "text": text,
                }
                for ident, (_, _, row) in zip(ids, chunk, strict=True)
            ],
        )
    db.session.flush()
    return len(numbered)


def _values(year: int, number: int, row: _Good) -> dict[str, object]:
    return {
        "reference": format_reference(year, number),
        "year": year,
        "number": number,
        "registered_at": _noon(row.registered),
        "event_date": row.event_date,
        "reporter_id": None,
        "reporter_org_id": row.reporter.id,
        "reporter_org_name": row.reporter.name,
        "reporter_unit_id": row.reporter_unit_id,
        "counterpart_org_id": row.counterpart.id,
        "counterpart_org_name": row.counterpart.name,
        "counterpart_unit_id": row.counterpart_unit_id,
        "direction": direction_between(row.reporter, row.counterpart),
        "category_id": row.category_id,
        "harm": row.harm,
        "title": row.title,
        "description": row.description,
        "status": row.status,
        "response_deadline": _deadline(row),
        "closed_at": _noon(row.closed) if row.closed else None,
        "imported": True,
    }
