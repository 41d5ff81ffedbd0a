"""Checking one row of an import file: every problem in it, or the row as values to write."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from app.common.identity import find_in_text
from app.extensions import db
from app.models import CLOSED_STATUSES, Category, Harm, Organisation, Status, Unit
from app.models.deviation import TITLE_MAX
from app.statistics.services.importer.reading import RowError, fold
from reports import labels as report_labels
from reports.formatting import date_no

_ORG_NOISE = re.compile(r"\b(hf|kommune|hospital|sykehus|sjukehus)\b")


def org_alias(text: str) -> str:
    """A looser key for organisations: spreadsheets write 'St. Olavs', 'St Olavs hospital' or
    'Trondheim kommune' for what the register calls 'St. Olavs hospital HF' and 'Trondheim'.
    Used only when it points at exactly one organisation."""
    key = re.sub(r"[^\w ]", " ", fold(text))
    return " ".join(_ORG_NOISE.sub(" ", key).split())


@dataclass
class Lookups:
    orgs: dict[str, Organisation]
    org_aliases: dict[str, Organisation]
    units: dict[int, dict[str, int]]  # org id -> folded name or path -> unit id
    categories: dict[str, int]
    harms: dict[str, Harm]
    statuses: dict[str, Status]

    @classmethod
    def load(cls) -> Lookups:
        orgs = list(db.session.scalars(sa.select(Organisation)))
        aliases: dict[str, list[Organisation]] = defaultdict(list)
        for org in orgs:
            aliases[org_alias(org.name)].append(org)
        units: dict[int, dict[str, int]] = defaultdict(dict)
        for unit in db.session.scalars(sa.select(Unit)):
            units[unit.organisation_id].setdefault(fold(unit.name), unit.id)
            units[unit.organisation_id][fold(unit.path)] = unit.id
        # Files written before the glossary carry the former labels; today's win a clash.
        harms = {fold(h.value): h for h in Harm}
        harms.update(
            {fold(label): Harm(value) for label, value in report_labels.FORMER_HARMS.items()}
        )
        harms.update({fold(label): Harm(value) for value, label in report_labels.HARMS.items()})
        statuses = {fold(s.value): s for s in Status}
        statuses.update(
            {fold(label): Status(value) for label, value in report_labels.FORMER_STATUSES.items()}
        )
        statuses.update(
            {fold(label): Status(value) for value, label in report_labels.STATUSES.items()}
        )
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
class GoodRow:
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


def check_row(
    number: int, raw: dict[str, object], lookups: Lookups, today: date
) -> tuple[GoodRow | None, list[RowError]]:
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
            fail(column, f"{date_no(value)} er fram i tid.")
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
    harm = listed("harm", lookups.harms, "skade på pasienten")
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
                fail("closed", f"{date_no(closed)} er fram i tid.")

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
    assert (
        registered and event_date and reporter and counterpart and category_id and harm and status
    )
    return (
        GoodRow(registered, event_date, reporter, reporter_unit, counterpart, counterpart_unit,
              category_id, harm, title, _text(raw.get("description")), status, closed, within),
        [],
    )  # fmt: skip
