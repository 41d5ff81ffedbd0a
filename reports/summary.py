"""The tertial summary: every figure of the report, from plain aggregated input.

Two ways in, one way out:
- ``TertialInput`` holds counts the app gets from SQL queries (app/statistics/services/: queries.py
  and __init__.py);
- ``input_from_frames`` (reports/frames.py) builds the same input from plain rows (a pandas
  DataFrame of deviations and one of their history), for data that never was in the database, and
  as a cross-check in tests;
- ``summarise`` turns the input into a ``TertialSummary``, which the screen, the PDF and the CLI all
  show. Nothing here knows about Flask or SQL.

The app imports this module in every web worker (the analysis records live here), so it holds
plain dataclasses and arithmetic; numpy loads only when a summary is made.

Definitions (also printed on the report's last page, see DEFINITIONS):
- a deviation belongs to the tertial of its registration (Norwegian time);
- *status at the end* is each such deviation's status at the last instant of the tertial, read from
  its history, not today's status;
- *open and overdue at the end* counts every deviation registered up to the end (from any earlier
  tertial too) that was open at that instant; overdue when its response deadline had passed;
- *handling time* is whole days (24 h) from registration until the case was answered or rejected
  (besvart/avvist), for the cases answered in the tertial; median and 90th percentile with linear
  interpolation (numpy's default);
- *answered within the deadline* is, of those same cases, the share answered by the end of the
  deadline day (midnight, Norwegian standard time).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from reports import labels
from reports.i18n import N_, NORWEGIAN, Language
from reports.learning import LearningInput, LearningSummary
from reports.rows import Row
from reports.tertial import Tertial

TREND_LENGTH = 6
# The deadline day ends at midnight Norwegian *standard* time (UTC+1). One fixed offset keeps the
# rule identical in SQLite (which has no time-zone data), PostgreSQL and pandas.
DEADLINE_DAY_END = timedelta(days=1, hours=-1)


def deadline_end(deadline: date) -> datetime:
    """The instant a response deadline runs out (aware UTC)."""
    return datetime.combine(deadline, time(), UTC) + DEADLINE_DAY_END


# Msgids: a report prints them through its language's gettext.
DEFINITIONS = [
    N_("Et avvik telles i tertialet det ble registrert (norsk tid)."),
    N_("Status ved utgangen av tertialet er hentet fra avvikets historikk, ikke dagens status."),
    N_(
        "Åpne og over fristen ved utgangen av tertialet omfatter alle avvik registrert til og med "
        "siste dag i tertialet, også fra tidligere tertialer, som ikke var besvart eller avvist "
        "da. Over fristen betyr at svarfristen var passert."
    ),
    N_(
        "Behandlingstid er hele døgn fra registrering til avviket ble besvart eller avvist, for "
        "avvik som ble besvart eller avvist i tertialet. Median og 90-persentil."
    ),
    N_(
        "Besvart innen fristen: andelen av de samme avvikene som ble besvart eller avvist innen "
        "utgangen av fristdagen."
    ),
    N_(
        "Importerte historiske avvik har bare registrerings- og lukkedato: før lukkedatoen telles "
        "de som sendt."
    ),
    N_(
        "Gode historier telles i tertialet de ble fortalt. Læringspunkter vises i tertialet de "
        "ble publisert, med tekst bare når forbedringsgruppen har valgt det."
    ),
    N_("Rapporten inneholder ingen pasientopplysninger og ingen tekst fra avvikene."),
]


@dataclass(frozen=True)
class ActionRecord:
    """One action of an incident analysis (issue 5 fills these in)."""

    status: str  # planlagt, pågår, gjennomført, forkastet (accents optional)
    strength: str  # sterk, middels, svak
    due: date | None = None


@dataclass(frozen=True)
class AnalysisRecord:
    """One incident analysis, as plain data: dates and its actions, nothing else."""

    started: date
    finished: date | None = None
    actions: tuple[ActionRecord, ...] = ()


@dataclass(frozen=True)
class TertialInput:
    """Aggregated counts for one tertial; every mapping key is a plain string or int."""

    tertial: Tertial
    scope: str
    categories: Sequence[str]  # display order; every configured category, even with no case
    trend: Mapping[tuple[Tertial, str], int]  # (tertial, category) -> count, last six tertials
    by_direction: Mapping[str, int]  # direction value -> count
    by_reporter_org: Mapping[str, int]
    by_counterpart_org: Mapping[str, int]
    by_hospital_unit: Mapping[str, int]  # clinic name -> count (cases to or from the hospital)
    by_category: Mapping[str, int]
    by_harm: Mapping[str, int]  # harm value -> count
    status_at_end: Mapping[str, int]  # status value -> count
    handling_days: Mapping[int, int]  # whole days -> cases answered in the tertial
    answered_within_deadline: int
    open_at_end: int
    overdue_at_end: int
    # Serious events (harm alvorlig or dod) of the tertial whose notice to Statens helsetilsyn
    # was recorded: notified, or recorded as not notifiable.
    serious_notified: int = 0
    serious_not_notifiable: int = 0
    analyses: Sequence[AnalysisRecord] = ()
    # Totals for tertials outside the trend window (the same tertial last year is always inside).
    extra_totals: Mapping[Tertial, int] = field(default_factory=dict)
    learning: LearningInput = field(default_factory=LearningInput)


@dataclass(frozen=True)
class Change:
    before: int
    delta: int
    ratio: float | None  # None when there was nothing before


@dataclass(frozen=True)
class Trend:
    tertials: list[Tertial]
    categories: list[str]
    counts: dict[str, list[int]]  # category -> count per tertial
    totals: list[int]


@dataclass(frozen=True)
class AnalysisSummary:
    started: int
    finished: int
    actions_by_status: list[Row]
    actions_by_strength: list[Row]
    actions_total: int
    overdue_actions: int


@dataclass(frozen=True)
class TertialSummary:
    tertial: Tertial
    scope: str
    total: int
    vs_previous: Change
    vs_last_year: Change
    by_direction: list[Row]
    by_reporter_org: list[Row]
    by_counterpart_org: list[Row]
    by_hospital_unit: list[Row]
    by_category: list[Row]
    by_harm: list[Row]
    status_at_end: list[Row]
    answered: int
    median_days: float | None
    p90_days: float | None
    answered_within_deadline: int
    within_deadline_share: float | None
    open_at_end: int
    overdue_at_end: int
    trend: Trend
    analyses: AnalysisSummary
    learning: LearningSummary
    # Serious events registered in the tertial (harm alvorlig or dod), and of them how many
    # were notified to Statens helsetilsyn, recorded as not notifiable, or not recorded at all.
    serious_events: int = 0
    serious_notified: int = 0
    serious_not_notifiable: int = 0

    @property
    def serious_unrecorded(self) -> int:
        return self.serious_events - self.serious_notified - self.serious_not_notifiable

    @property
    def open_in_tertial_at_end(self) -> int:
        return sum(r.count for r in self.status_at_end if r.key in labels.OPEN_STATUSES)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _rows(counts: Iterable[tuple[str, int]], total: int | None = None) -> list[Row]:
    pairs = list(counts)
    total = sum(c for _, c in pairs) if total is None else total
    return [Row(label, count, _share(count, total)) for label, count in pairs]


def _enum_rows(
    names: Mapping[str, str], counts: Mapping[str, int], language: Language, total: int | None
) -> list[Row]:
    """One row per stored value, in the order of ``names``, labelled in the report's language."""
    pairs = [(k, counts.get(k, 0)) for k in names]
    total = sum(c for _, c in pairs) if total is None else total
    return [Row(language.gettext(names[k]), c, _share(c, total), key=k) for k, c in pairs]


def _by_count(mapping: Mapping[str, int]) -> list[tuple[str, int]]:
    """Largest first, ties by name, so the table reads as a ranking; zero rows dropped."""
    return sorted(((k, v) for k, v in mapping.items() if v), key=lambda kv: (-kv[1], _fold(kv[0])))


def _fold(text: str) -> str:
    text = text.casefold().replace("ø", "o").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _change(now: int, before: int) -> Change:
    return Change(before, now - before, (now - before) / before if before else None)


def percentiles(histogram: Mapping[int, int]) -> tuple[float | None, float | None]:
    """Median and 90th percentile of values given as value -> count (linear interpolation)."""
    items = sorted((v, c) for v, c in histogram.items() if c)
    if not items:
        return None, None
    import numpy as np  # only where a summary is made: a web worker filing deviations never needs it

    values = np.repeat(np.array([v for v, _ in items], dtype=float), [c for _, c in items])
    median, p90 = np.percentile(values, [50, 90])
    return float(median), float(p90)


def _analyses(
    records: Sequence[AnalysisRecord], tertial: Tertial, _: Callable[[str], str]
) -> AnalysisSummary:
    started = [a for a in records if tertial.contains(a.started)]
    finished = [a for a in records if a.finished is not None and tertial.contains(a.finished)]
    # Actions of the analyses started in the tertial: the committee follows its own cohort.
    actions = [act for a in started for act in a.actions]
    status_keys = {_fold(k): k for k in labels.ACTION_STATUSES}
    by_status = {k: 0 for k in labels.ACTION_STATUSES}
    by_strength = {k: 0 for k in labels.ACTION_STRENGTHS}
    for act in actions:
        status = status_keys.get(_fold(act.status), _fold(act.status))
        by_status[status] = by_status.get(status, 0) + 1
        strength = _fold(act.strength)
        by_strength[strength] = by_strength.get(strength, 0) + 1
    # Overdue counts every unfinished action of every analysis begun by then, not only new ones.
    overdue = sum(
        1
        for a in records
        if a.started <= tertial.end
        for act in a.actions
        if status_keys.get(_fold(act.status)) not in labels.ACTION_DONE
        and act.due is not None
        and act.due <= tertial.end
    )
    return AnalysisSummary(
        started=len(started),
        finished=len(finished),
        actions_by_status=_rows(
            (_(labels.ACTION_STATUSES[k]) if k in labels.ACTION_STATUSES else k, v)
            for k, v in by_status.items()
        ),
        actions_by_strength=_rows(
            (_(labels.ACTION_STRENGTHS[k]) if k in labels.ACTION_STRENGTHS else k, v)
            for k, v in by_strength.items()
        ),
        actions_total=len(actions),
        overdue_actions=overdue,
    )


def summarise(data: TertialInput, language: Language = NORWEGIAN) -> TertialSummary:
    """The figures, labelled in ``language``: our own enum labels, the scope "all organisations"
    and "unit not given" are translated; names of organisations, units and categories are data
    and stay as stored."""
    _ = language.gettext
    t = data.tertial
    window = t.last(TREND_LENGTH)
    totals: dict[Tertial, int] = {w: 0 for w in window}
    for (tertial, _category), count in data.trend.items():
        totals[tertial] = totals.get(tertial, 0) + count
    totals.update(data.extra_totals)
    total = sum(data.by_category.values())

    categories = list(data.categories) + sorted(
        {c for c in data.by_category if c not in data.categories}
        | {c for _, c in data.trend if c not in data.categories}
    )
    trend_counts = {c: [data.trend.get((w, c), 0) for w in window] for c in categories}

    directions = [d for d in labels.DIRECTIONS if d != "annet" or data.by_direction.get(d)]
    answered = sum(data.handling_days.values())
    median, p90 = percentiles(data.handling_days)
    return TertialSummary(
        tertial=t,
        scope=_(data.scope) if data.scope == labels.ALL_ORGANISATIONS else data.scope,
        total=total,
        vs_previous=_change(total, totals.get(t.previous(), 0)),
        vs_last_year=_change(total, totals.get(t.same_last_year(), 0)),
        by_direction=_enum_rows(
            {d: labels.DIRECTIONS[d] for d in directions}, data.by_direction, language, total
        ),
        by_reporter_org=_rows(_by_count(data.by_reporter_org), total),
        by_counterpart_org=_rows(_by_count(data.by_counterpart_org), total),
        by_hospital_unit=_rows(
            (_(unit) if unit == labels.UNKNOWN_UNIT else unit, count)
            for unit, count in _by_count(data.by_hospital_unit)
        ),
        by_category=_rows(((c, data.by_category.get(c, 0)) for c in categories), total),
        by_harm=_enum_rows(labels.HARMS, data.by_harm, language, total),
        status_at_end=_enum_rows(labels.STATUSES, data.status_at_end, language, total),
        answered=answered,
        median_days=median,
        p90_days=p90,
        answered_within_deadline=data.answered_within_deadline,
        within_deadline_share=_share(data.answered_within_deadline, answered),
        open_at_end=data.open_at_end,
        overdue_at_end=data.overdue_at_end,
        trend=Trend(window, categories, trend_counts, [totals.get(w, 0) for w in window]),
        analyses=_analyses(data.analyses, t, _),
        learning=_learning(data.learning, language),
        serious_events=sum(data.by_harm.get(h, 0) for h in labels.SERIOUS_HARMS),
        serious_notified=data.serious_notified,
        serious_not_notifiable=data.serious_not_notifiable,
    )


def _learning(data: LearningInput, language: Language) -> LearningSummary:
    directions = [d for d in labels.DIRECTIONS if d != "annet" or data.stories_by_direction.get(d)]
    total = sum(data.stories_by_direction.values())
    return LearningSummary(
        stories_by_direction=_enum_rows(
            {d: labels.DIRECTIONS[d] for d in directions},
            data.stories_by_direction,
            language,
            total,
        ),
        stories_total=total,
        lessons=sorted(data.lessons, key=lambda lesson: (lesson.published, _fold(lesson.title))),
    )
