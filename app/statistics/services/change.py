"""*Endring over tid*: the months' counts from the database, and the choices (period, baseline,
direction, category, organisation) checked and turned into what reports/runchart.py draws.

As for the tertial (app/statistics/queries.py), every count is an index range counted by the
database: one row per (direction, category, harm) with one ``count(*)`` per month over the
statistics index ``ix_deviation_stats_kind``, and per month the cases answered and those in
time over ``ix_deviation_closed``. pandas only reshapes those few thousand numbers, and is
imported in the functions that need it (reports.runchart), never when this module loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.common.dates import today_local
from app.extensions import db
from app.models import Category, Deviation, Direction, Harm, Organisation
from app.statistics.services.queries import _within_deadline, load_categories
from app.statistics.services.scope import ALL, Scope, scope_for_organisation

MAX_MONTHS = 60  # five years: the page's counts stay a few thousand index ranges
MIN_MONTHS = 10  # the rules need at least ten points
DEFAULT_MONTHS = 36


def _months():
    from reports import runchart  # pandas: only on this path

    return runchart


@dataclass(frozen=True)
class Period:
    first: date  # the first month (its first day)
    last: date  # the last month, included

    @property
    def months(self) -> list[date]:
        return _months().month_range(self.first, self.last)

    @property
    def start_utc(self):
        return _months().month_start_utc(self.first)

    @property
    def end_utc(self):
        runchart = _months()
        return runchart.month_start_utc(runchart.add_months(self.last, 1))

    # Read by app.statistics.services.exports.export_rows, which takes a tertial's bounds the same way.
    @property
    def code(self) -> str:
        runchart = _months()
        return f"{runchart.month_code(self.first)}_{runchart.month_code(self.last)}"


def _months_table(period: Period) -> sa.Values:
    """The period's months as a small literal table: index, start and end in UTC. One correlated
    count per (group, month) row then reads one index range, and the statement stays the same
    size however many months are shown."""
    runchart = _months()
    months = period.months
    bounds = [runchart.month_start_utc(m) for m in months] + [period.end_utc]
    kind = Deviation.registered_at.type
    return sa.values(
        sa.column("i", sa.Integer), sa.column("start", kind), sa.column("stop", kind), name="months"
    ).data([(i, bounds[i], bounds[i + 1]) for i in range(len(months))])


def counts_query(period: Period, scope: Scope) -> sa.Select:
    """direction, category id, harm, month index, count: a row per group and month."""
    months = _months_table(period).cte("months")
    pairs = sa.union_all(
        *(
            sa.select(
                sa.literal(d.value, sa.String).label("direction"),
                sa.literal(h.value, sa.String).label("harm"),
            )
            for d in Direction
            for h in Harm
        )
    ).cte("pairs")
    count = (
        sa.select(sa.func.count())
        .where(
            Deviation.direction == pairs.c.direction,
            Deviation.category_id == Category.id,
            Deviation.harm == pairs.c.harm,
            Deviation.registered_at >= months.c.start,
            Deviation.registered_at < months.c.stop,
            scope.filter(),
        )
        .scalar_subquery()
    )
    return sa.select(pairs.c.direction, Category.id, pairs.c.harm, months.c.i, count).select_from(
        pairs.join(Category, sa.true()).join(months, sa.true())
    )


def filters(direction: str | None, category_id: int | None) -> list[ColumnElement[bool]]:
    conditions = []
    if direction is not None:
        conditions.append(Deviation.direction == Direction(direction))
    if category_id is not None:
        conditions.append(Deviation.category_id == category_id)
    return conditions


def answers_query(
    period: Period, scope: Scope, direction: str | None = None, category_id: int | None = None
) -> sa.Select:
    """Per month: its index, the cases answered or rejected in it, and of those the ones in time
    (as the tertial page's "Besvart innen fristen": by the month the case was closed)."""
    months = _months_table(period).cte("months")
    closed_in = [
        Deviation.closed_at >= months.c.start,
        Deviation.closed_at < months.c.stop,
        scope.filter(),
        *filters(direction, category_id),
    ]
    answered = sa.select(sa.func.count()).where(*closed_in).scalar_subquery()
    within = sa.select(sa.func.count()).where(*closed_in, _within_deadline()).scalar_subquery()
    return sa.select(months.c.i, answered, within).order_by(months.c.i)


def first_month(scope: Scope) -> date | None:
    from app.common.dates import local

    first = db.session.scalar(sa.select(sa.func.min(Deviation.registered_at)).where(scope.filter()))
    if first is None:
        return None
    day = local(first).date()
    return day.replace(day=1)


def default_period(scope: Scope, today: date | None = None) -> Period:
    """The last 36 whole months, from the first month with data if that is later (but at least
    12 months, so a young installation still gets a baseline)."""
    runchart = _months()
    today = today or today_local()
    last = runchart.add_months(today.replace(day=1), -1)
    first = runchart.add_months(last, -(DEFAULT_MONTHS - 1))
    start = first_month(scope)
    if start is not None and start > first:
        first = min(start, runchart.add_months(last, -(runchart.DEFAULT_BASELINE - 1)))
    return Period(first, last)


@dataclass(frozen=True)
class Choices:
    """The page's (and the command's) choices, checked."""

    period: Period
    baseline: int
    direction: str | None
    category: str | None  # the category's name
    category_id: int | None
    scope: Scope


class BadChoice(ValueError):
    """A choice the page names in Norwegian: field is the form field, message the text."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def check_choices(
    base: Scope,
    *,
    first: str | None,
    last: str | None,
    baseline: str | int | None,
    direction: str | None,
    category: str | None,
    org: str | None,
    messages: Mapping[str, str],
    language: str = "nb",
) -> Choices:
    """``base`` is what the user may see; ``org`` narrows it to one organisation's cases (the
    improvement group may choose any; a handler only their own). ``messages`` are the texts to
    raise with, in the reader's language (reports and services have no Flask)."""
    runchart = _months()
    scope = base
    if org:
        if base.organisation_id is not None and org != base.name:
            raise BadChoice("org", messages["org"])
        try:
            scope = scope_for_organisation(org)
        except LookupError:
            raise BadChoice("org", messages["org"]) from None
    default = default_period(scope)
    try:
        first_month_ = runchart.parse_month(first) if first else default.first
    except ValueError:
        raise BadChoice("fra", messages["month"]) from None
    try:
        last_month = runchart.parse_month(last) if last else default.last
    except ValueError:
        raise BadChoice("til", messages["month"]) from None
    count = len(runchart.month_range(first_month_, last_month))
    if last_month < first_month_:
        raise BadChoice("til", messages["order"])
    if count < MIN_MONTHS:
        raise BadChoice("fra", messages["too_few"])
    if count > MAX_MONTHS:
        raise BadChoice("fra", messages["too_many"])
    if baseline in (None, ""):
        chosen_baseline = min(runchart.DEFAULT_BASELINE, count)
    else:
        try:
            chosen_baseline = int(str(baseline).strip())
        except ValueError:
            raise BadChoice("grunnlinje", messages["baseline"]) from None
        if not MIN_MONTHS <= chosen_baseline <= count:
            raise BadChoice("grunnlinje", messages["baseline"])
    if direction and direction not in {d.value for d in Direction}:
        raise BadChoice("retning", messages["direction"])
    category_id = None
    if category:
        # Either language's name: the page offers the reader's, and a link in Norwegian (the
        # name the address has always carried) keeps working for an English reader.
        found = db.session.scalars(
            sa.select(Category)
            .where(sa.or_(Category.name == category, Category.name_en == category))
            .order_by(sa.case((Category.name == category, 0), else_=1))
        ).first()
        if found is None:
            raise BadChoice("kategori", messages["category"])
        category_id, category = found.id, found.name_in(language)
    return Choices(
        Period(first_month_, last_month),
        chosen_baseline,
        direction or None,
        category or None,
        category_id,
        scope,
    )


def organisations_for(base: Scope) -> list[str]:
    if base.organisation_id is not None:
        return [base.name]
    return list(db.session.scalars(sa.select(Organisation.name).order_by(Organisation.name)))


def change_over_time(choices: Choices, direction_labels: Mapping[str, str], language: str = "nb"):
    """Everything the page, the PDF page and the command draw, for these choices; categories
    named in ``language`` (the downloads keep the Norwegian)."""
    runchart = _months()
    period, scope = choices.period, choices.scope
    months = period.months
    active, names = load_categories(language)
    if db.session.get_bind().dialect.name == "postgresql":
        # The counts are thousands of one-row index subplans (some 30 ms to run); their summed
        # cost estimate switches PostgreSQL's JIT on, which then spends 12 s compiling them
        # (EXPLAIN ANALYZE, 24 months). For this transaction only.
        db.session.execute(sa.text("SET LOCAL jit = off"))
    counts = [
        (months[i], direction, names[category_id], count)
        for direction, category_id, _harm, i, count in db.session.execute(
            counts_query(period, scope)
        )
        if count
    ]
    answers = db.session.execute(
        answers_query(period, scope, choices.direction, choices.category_id)
    ).all()
    answered = [int(n or 0) for _, n, _ in answers]
    within = [int(x or 0) for _, _, x in answers]
    return runchart.change_over_time(
        scope=scope.name,
        months=months,
        counts=counts,
        answered=answered,
        within=within,
        categories=active,
        directions=dict(direction_labels),
        baseline=choices.baseline,
        direction=choices.direction,
        category=choices.category,  # named by check_choices, in the same language
    )


def tertial_period(tertial, scope: Scope) -> Period:
    """The tertial PDF's page: the 36 months that end with the tertial's last month (from the
    first month with data if that is later, but at least 12)."""
    runchart = _months()
    last = runchart.add_months(tertial.end.replace(day=1), 0)
    first = runchart.add_months(last, -(DEFAULT_MONTHS - 1))
    start = first_month(scope)
    if start is not None and start > first:
        first = min(start, runchart.add_months(last, -(runchart.DEFAULT_BASELINE - 1)))
    return Period(first, last)


def tertial_change(
    tertial, scope: Scope, direction_labels: Mapping[str, str], language: str = "nb"
):
    period = tertial_period(tertial, scope)
    baseline = min(_months().DEFAULT_BASELINE, len(period.months))
    choices = Choices(period, baseline, None, None, None, scope)
    return change_over_time(choices, direction_labels, language)


__all__ = ["ALL", "BadChoice", "Choices", "Period", "change_over_time", "check_choices"]
