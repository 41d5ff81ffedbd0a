"""The tertial's input from plain rows: pandas DataFrames of deviations and their history.

For data that never was in the database, and as a cross-check in tests of the app's SQL
(app/statistics/services/queries.py computes the same figures with GROUP BY queries). pandas is
imported in the functions, not here: ``reports`` re-exports ``input_from_frames``, and every web worker imports
``reports`` (for the analysis records and the report language) without ever building a frame;
pandas costs some 60 MB per worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from reports import labels
from reports.summary import TREND_LENGTH, AnalysisRecord, TertialInput, deadline_end
from reports.tertial import Tertial

if TYPE_CHECKING:
    import pandas as pd

ROW_COLUMNS = (
    "id",  # any unique key, matching history.deviation_id
    "registered_at",  # aware UTC datetime
    "direction",  # value
    "reporter_org",
    "counterpart_org",
    "hospital_unit",  # clinic name or None (only meaningful to or from the hospital)
    "category",
    "harm",  # value
    "status",  # value, today
    "closed_at",  # aware UTC datetime or None/NaT
    "response_deadline",  # date
    "imported",  # bool
)
HISTORY_COLUMNS = ("deviation_id", "at", "to_status", "imported_row")


def status_as_of(rows: pd.DataFrame, history: pd.DataFrame, instant: datetime) -> pd.Series:
    """Each deviation's status at ``instant`` (exclusive), indexed like ``rows``.

    The last status event before the instant decides; none yet means 'sendt'. Imported rows have
    no real history (their one event is the import itself, stamped when the import ran), so they
    count as 'sendt' until their closing date and as their imported status after it.
    """
    import pandas as pd

    closed = rows["status"].isin(labels.CLOSED_STATUSES)
    closed_at = pd.to_datetime(rows["closed_at"], utc=True)
    closed_before = closed & closed_at.notna() & (closed_at < instant)

    hist = history[
        history["to_status"].notna()
        & ~history["imported_row"].astype(bool)
        & (pd.to_datetime(history["at"], utc=True) < instant)
    ].copy()
    hist["at"] = pd.to_datetime(hist["at"], utc=True)
    last = hist.sort_values(["at"], kind="stable").groupby("deviation_id")["to_status"].last()
    from_history = rows["id"].map(last).fillna("sendt")

    imported_status = rows["status"].where(
        ~(closed & closed_at.notna() & (closed_at >= instant)), "sendt"
    )
    result = from_history.where(~closed_before, rows["status"])
    return result.where(~rows["imported"].astype(bool), imported_status)


def input_from_frames(
    rows: pd.DataFrame,
    history: pd.DataFrame,
    tertial: Tertial,
    categories: Sequence[str],
    scope: str = labels.ALL_ORGANISATIONS,
    analyses: Sequence[AnalysisRecord] = (),
) -> TertialInput:
    """The same TertialInput the app's SQL produces, from one row per deviation."""
    import pandas as pd

    registered = pd.to_datetime(rows["registered_at"], utc=True)
    closed_at = pd.to_datetime(rows["closed_at"], utc=True)
    start, end = tertial.start_utc, tertial.end_utc
    cohort = rows[(registered >= start) & (registered < end)]

    def counts(column: str, frame: pd.DataFrame = cohort) -> dict[str, int]:
        return {str(k): int(v) for k, v in frame[column].dropna().value_counts().items()}

    window = tertial.last(TREND_LENGTH)
    trend: dict[tuple[Tertial, str], int] = {}
    for w in window:
        in_w = rows[(registered >= w.start_utc) & (registered < w.end_utc)]
        for category, count in in_w["category"].value_counts().items():
            trend[(w, str(category))] = int(count)

    hospital = cohort[cohort["direction"].isin(["kommune_sykehus", "sykehus_kommune"])]
    units = hospital["hospital_unit"].fillna(labels.UNKNOWN_UNIT)

    status_end = status_as_of(cohort, history, end)

    up_to_end = rows[registered < end]
    status_all = status_as_of(up_to_end, history, end)
    open_mask = status_all.isin(labels.OPEN_STATUSES)
    deadlines = pd.to_datetime(up_to_end["response_deadline"]).dt.date
    overdue_mask = open_mask & (deadlines <= tertial.end)

    answered = rows[closed_at.notna() & (closed_at >= start) & (closed_at < end)]
    ans_closed = pd.to_datetime(answered["closed_at"], utc=True)
    ans_registered = pd.to_datetime(answered["registered_at"], utc=True)
    whole_days = ((ans_closed - ans_registered) // pd.Timedelta(days=1)).astype(int)
    ends = pd.to_datetime(answered["response_deadline"]).dt.date.map(deadline_end)
    within = int((ans_closed < pd.to_datetime(ends, utc=True)).sum())

    return TertialInput(
        tertial=tertial,
        scope=scope,
        categories=list(categories),
        trend=trend,
        by_direction=counts("direction"),
        by_reporter_org=counts("reporter_org"),
        by_counterpart_org=counts("counterpart_org"),
        by_hospital_unit={str(k): int(v) for k, v in units.value_counts().items()},
        by_category=counts("category"),
        by_harm=counts("harm"),
        status_at_end={str(k): int(v) for k, v in status_end.value_counts().items()},
        handling_days={int(k): int(v) for k, v in whole_days.value_counts().items()},
        answered_within_deadline=within,
        open_at_end=int(open_mask.sum()),
        overdue_at_end=int(overdue_mask.sum()),
        analyses=list(analyses),
    )
