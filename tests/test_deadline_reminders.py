"""When "svarfristen nærmer seg" comes: a third of the case's own response period before the
deadline (1 to 3 days), never the day the deadline was set, with a missed run caught up and a
rerun sending nothing. Days are passed to the reminder run as cron's "today" would be; the
cases are filed at noon in Oslo a month back, so no test meets midnight or the real today.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from app.common.dates import OSLO, today_local
from app.data.seed import organisation_by_name
from app.extensions import db
from app.handling import reminders, serious
from app.handling.notify import Notice
from app.handling.workflow import Move, transition
from app.models import Deviation, Harm, OutboxMail
from tests import factories

SOON = "svarfristen nærmer seg"
PASSED = "svarfristen er passert"
NOT_RECORDED = "varsling til Helsetilsynet ikke registrert"
FILED = today_local() - timedelta(days=30)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=OSLO).astimezone(UTC)


def day(n: int) -> date:
    return FILED + timedelta(days=n)


def mails_about(case: Deviation, *notices: Notice) -> list[OutboxMail]:
    """The case's reminder mails (by their dedupe keys), oldest first."""
    kinds = notices or (Notice.DEADLINE_SOON, Notice.DEADLINE_PASSED)
    prefixes = [f"{notice.value}:{case.id}:" for notice in kinds]
    return list(
        db.session.scalars(
            sa.select(OutboxMail)
            .where(
                sa.or_(*(OutboxMail.dedupe_key.startswith(p, autoescape=True) for p in prefixes))
            )
            .order_by(OutboxMail.id)
        )
    )


def what(case: Deviation, *notices: Notice) -> list[str]:
    """What each reminder mail says happened (the subject after the reference)."""
    return [mail.subject.split(": ", 1)[1] for mail in mails_about(case, *notices)]


def run(*days: int) -> None:
    for n in days:
        reminders.send_reminders(day(n))
    db.session.flush()


@pytest.mark.parametrize(
    ("period", "days_before"),
    [(1, 1), (2, 1), (3, 1), (4, 1), (5, 2), (7, 2), (8, 3), (14, 3), (30, 3), (365, 3), (0, 1)],
)
def test_the_soon_window_is_a_third_of_the_response_period(period, days_before):
    assert reminders.soon_days(period) == days_before


def test_the_soon_window_never_holds_the_day_the_deadline_was_set():
    set_on = date(2026, 3, 10)
    one_day = set_on + timedelta(days=1)
    assert not reminders.is_soon(set_on, set_on, one_day)
    assert reminders.is_soon(one_day, set_on, one_day)  # the deadline day: its only chance
    # A deadline already on its day when set (an odd import): no "soon" at all.
    assert not reminders.is_soon(set_on, set_on, set_on)


def test_a_serious_event_is_reminded_the_day_before_its_deadline_not_when_filed(ctx):
    case = factories.deviation(harm=Harm.ALVORLIG, now=at(FILED))
    assert case.response_deadline == day(3)
    run(0, 1)  # the day it is filed (with the hourly runs: after filing too), and the next
    assert what(case) == []
    run(2)
    [mail] = mails_about(case)
    assert mail.subject == f"ALVORLIG HENDELSE – Avvik {case.reference}: {SOON}"
    assert mail.to_address == "mottak@stolav.demo"
    assert "Svarfristen for avviket går snart ut, og det er ikke besvart ennå." in mail.body
    run(2, 3)  # a rerun, and the deadline day: nothing new
    assert what(case) == [SOON]
    run(4, 4)
    assert what(case) == [SOON, PASSED]


def test_a_14_day_case_is_still_reminded_three_days_before(ctx):
    case = factories.deviation(harm=Harm.MODERAT, now=at(FILED))
    assert case.response_deadline == day(14)
    run(*range(11))
    assert what(case) == []
    run(11)
    assert what(case) == [SOON]
    run(11, 12, 13, 14)
    assert what(case) == [SOON]
    run(15, 16)
    assert what(case) == [SOON, PASSED]


def test_a_missed_run_still_sends_and_a_rerun_sends_nothing(ctx):
    serious_case = factories.deviation(harm=Harm.DOD, now=at(FILED))
    ordinary = factories.deviation(harm=Harm.LAV, now=at(FILED))
    run(0, 1)  # then no run on day 2, the serious event's one day before its deadline
    run(3, 3)  # the deadline day catches up, once
    assert what(serious_case) == [SOON]
    run(5)  # the passed reminder, a day late, as before
    assert what(serious_case) == [SOON, PASSED]
    run(10)  # then none on day 11, the 14-day case's first
    run(12, 12)
    assert what(ordinary) == [SOON]
    run(17)
    assert what(ordinary) == [SOON, PASSED]


def test_an_organisation_with_short_response_days_is_reminded_in_proportion(ctx):
    malvik = organisation_by_name("Malvik")
    malvik.response_days = 2
    two_days = factories.deviation(counterpart="Malvik", now=at(FILED))
    assert two_days.response_deadline == day(2)
    run(0)
    assert what(two_days) == []
    run(1, 1)
    assert what(two_days) == [SOON]

    # One day: no day lies between filing and deadline, so the deadline day is its only chance.
    malvik.response_days = 1
    one_day = factories.deviation(counterpart="Malvik", now=at(day(5)))
    run(5)
    assert what(one_day) == []
    run(6, 6)
    assert what(one_day) == [SOON]
    run(7)
    assert what(one_day) == [SOON, PASSED]
    assert {m.to_address for m in mails_about(one_day)} == {"mottak@malvik.demo"}


def test_a_re_routed_case_counts_its_period_from_the_re_routing(ctx):
    """A serious event re-routed on day 10 has three days from then, not thirteen from its
    filing: no "soon" on the re-routing day, next to the mail that it was re-routed."""
    case = factories.deviation(harm=Harm.ALVORLIG, now=at(FILED))
    run(4)
    assert what(case) == [PASSED]  # the first deadline, day 3
    transition(
        case,
        Move.REROUTE,
        factories.user("mottak@stolav.demo"),
        target_org=organisation_by_name("Malvik").id,
        now=at(day(10)),
    )
    assert case.response_deadline == day(13)
    run(10, 11)
    assert what(case) == [PASSED]
    run(12, 12)
    assert what(case) == [PASSED, SOON]
    assert mails_about(case)[-1].to_address == "mottak@malvik.demo"


def test_day_one_of_a_serious_event_brings_the_notice_reminder_and_not_the_deadline_one(ctx):
    """The 24-hour "varsling ikke registrert" reminder comes on day one (filed at noon, the
    hourly run after noon the next day); the deadline reminder the day after: not the same
    day, nor the same run."""
    case = factories.deviation(harm=Harm.ALVORLIG, now=at(FILED))
    both = (Notice.DEADLINE_SOON, Notice.DEADLINE_PASSED, Notice.SERIOUS_NOT_RECORDED)
    for hour in range(24):  # day one's hourly runs
        reminders.send_reminders(day(1))
        serious.queue_notice_reminders(now=at(day(1), hour))
    assert what(case, *both) == [NOT_RECORDED]
    for hour in range(24):
        reminders.send_reminders(day(2))
        serious.queue_notice_reminders(now=at(day(2), hour))
    assert what(case, *both) == [NOT_RECORDED, SOON]
