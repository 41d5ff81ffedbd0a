"""Which of the deviation table's indexes do the app's own queries use, on SQLite and PostgreSQL?

Runs the app's read and write paths (inbox in its variants, counts, the reporter's list, the
deviation page, filing, reminders, retention, the tertial statistics for every scope, the
exports, the admin lists, a merge) against the 1,000,000-row benchmark databases that
`bench/filing_and_inbox.py` builds, inside a transaction that is rolled back. Every statement
that touches `deviation` is captured with its parameters and explained by the database itself
(EXPLAIN QUERY PLAN / EXPLAIN (FORMAT JSON)). Prints, per index, the paths whose plan uses it
on each database, and the indexes no plan uses: each of those is written on every filing for
nothing.

    .venv/bin/python bench/index_usage.py [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import filing_and_inbox as bench


def operations() -> dict[str, Callable[[], object]]:
    import sqlalchemy as sa

    from app.admin.services import lists as admin_lists
    from app.admin.services.organisations import merge_organisation
    from app.analysis.services import queue_analysis_reminders, visible_analyses
    from app.auth.services import find_user
    from app.common import permissions
    from app.common.dates import today_local
    from app.data.seed import HOSPITAL, organisation_by_name
    from app.deviations import services as deviations
    from app.deviations.retention import erase_expired_patient_ids
    from app.extensions import db
    from app.handling import reminders, thread
    from app.handling import services as handling
    from app.handling.serious import queue_notice_reminders
    from app.models import Agreement, Category, Deviation, Harm, Status
    from app.statistics import services as statistics
    from reports import Tertial

    handler = find_user("mottak@stolav.demo")
    malvik = find_user("mottak@malvik.demo")
    reporter = find_user("melder@trondheim.demo")
    today = today_local()
    tertial = Tertial.last_complete(today)
    category = db.session.scalar(sa.select(Category).where(Category.name == "Utskrivning"))
    deep = db.session.execute(
        sa.select(Deviation.registered_at, Deviation.id)
        .where(Deviation.counterpart_org_id == handler.organisation_id)
        .order_by(Deviation.registered_at.desc(), Deviation.id.desc())
        .offset(400_000)
        .limit(1)
    ).one()
    deep_cursor = handling.encode_cursor(
        handling.InboxRow(
            deep.id, "", deep.registered_at, "", "", None, "", Status.SENDT, None, today
        )
    )
    some = db.session.scalar(sa.select(Deviation.reference).order_by(Deviation.id.desc()).limit(1))
    newest = handling.InboxFilter()

    def page() -> None:
        deviation = deviations.get_by_reference(some)
        list(deviation.events)
        thread.thread(deviation, handler)

    return {
        "inbox: newest": lambda: handling.inbox_page(handler, newest),
        "inbox: deep page": lambda: handling.inbox_page(handler, newest, cursor=deep_cursor),
        "inbox: status filter": lambda: handling.inbox_page(
            handler, handling.InboxFilter(status=Status.UNDER_BEHANDLING)
        ),
        "inbox: category filter": lambda: handling.inbox_page(
            handler, handling.InboxFilter(category_id=category.id)
        ),
        "inbox: by deadline": lambda: handling.inbox_page(
            handler, handling.InboxFilter(sort=handling.SORT_DEADLINE)
        ),
        "inbox: counts": lambda: handling.inbox_counts(handler.organisation_id, today, 1000),
        "inbox: open serious events first": lambda: handling.open_serious_first(handler),
        "inbox: harm filter (serious)": lambda: handling.inbox_page(
            handler, handling.InboxFilter(harm=handling.HARM_SERIOUS)
        ),
        # A small organisation: a plan that filters St. Olavs' half of the table row by row
        # would read most of the table to fill Malvik's page.
        "inbox (small org): newest": lambda: handling.inbox_page(malvik, newest),
        "inbox (small org): by deadline": lambda: handling.inbox_page(
            malvik, handling.InboxFilter(sort=handling.SORT_DEADLINE)
        ),
        "inbox (small org): status filter": lambda: handling.inbox_page(
            malvik, handling.InboxFilter(status=Status.UNDER_BEHANDLING)
        ),
        "inbox (small org): counts": lambda: handling.inbox_counts(
            malvik.organisation_id, today, 1000
        ),
        "my deviations (hospital reporter)": lambda: deviations.my_deviations(
            find_user("melder@stolav.demo")
        ),
        "my deviations": lambda: deviations.my_deviations(reporter),
        "deviation page": page,
        "filing": lambda: deviations.file_deviation(
            reporter,
            deviations.DeviationInput(
                counterpart_org_id=organisation_by_name(HOSPITAL).id,
                event_date=today,
                category_id=category.id,
                harm=Harm.LAV,
                title="Epikrise manglet",
                description="Pasienten kom hjem uten epikrise.",
            ),
        ),
        "deadline reminders": lambda: reminders.send_reminders(today),
        "analysis reminders": queue_analysis_reminders,
        "serious-event notice reminders": queue_notice_reminders,
        "analysis list and menu": lambda: (
            visible_analyses(handler),
            permissions.may_see_any_analysis(malvik),
        ),
        "patient-data retention": lambda: erase_expired_patient_ids(30),
        "statistics: all": lambda: statistics.tertial_summary(tertial, statistics.ALL),
        "statistics: hospital": lambda: statistics.tertial_summary(
            tertial, statistics.scope_for(handler)
        ),
        "statistics: municipality": lambda: statistics.tertial_summary(
            tertial, statistics.scope_for(malvik)
        ),
        "statistics: data stamp": lambda: statistics.data_stamp(statistics.ALL),
        "export rows": lambda: sum(1 for _ in statistics.export_rows(tertial, statistics.ALL)),
        "admin: list usage": lambda: (
            admin_lists.usage_counts(Category),
            admin_lists.usage_counts(Agreement),
        ),
        "admin: delete a list item": lambda: admin_lists.delete_item(
            find_user("admin@demo.demo"), category
        ),
        "admin: merge organisations": lambda: merge_organisation(
            find_user("admin@demo.demo"),
            organisation_by_name("Indre Fosen"),
            organisation_by_name("Malvik"),
        ),
        "statistics: last year": lambda: statistics.tertial_summary(
            Tertial.last_complete(today - timedelta(days=365)), statistics.ALL
        ),
    }


def indexes_in_plan(dialect: str, connection, statement: str, parameters) -> set[str]:
    cursor = connection.connection.driver_connection.cursor()
    if dialect == "sqlite":
        cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        details = " ".join(row[3] for row in cursor.fetchall())
        return set(re.findall(r"INDEX (\w+)", details))
    cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
    plan = cursor.fetchone()[0]
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "Index Name" in node:
                found.add(node["Index Name"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(plan if isinstance(plan, list) else json.loads(plan))
    return found


def measure(database_url: str) -> tuple[dict[str, set[str]], list[str]]:
    import sqlalchemy as sa

    from app import create_app
    from app.common.errors import ServiceError
    from app.extensions import db
    from app.models import Deviation

    os.environ["DATABASE_URL"] = database_url
    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url)
    used: dict[str, set[str]] = defaultdict(set)
    with app.app_context():
        engine = db.engine
        dialect = engine.dialect.name
        table = Deviation.__table__
        names = sorted(
            [index.name for index in table.indexes]
            + [c.name for c in table.constraints if isinstance(c, sa.UniqueConstraint)]
        )
        connection = db.session.connection()
        for label, operation in operations().items():
            captured: list[tuple[str, object]] = []

            def capture(conn, cursor, statement, parameters, context, executemany, into=captured):
                if re.search(r"\bdeviation\b", statement) and not executemany:
                    into.append((statement, parameters))

            sa.event.listen(engine, "before_cursor_execute", capture)
            try:
                with db.session.begin_nested():
                    operation()
                    db.session.flush()
                    raise _Undo
            except (_Undo, ServiceError):  # a refusal ran its queries too
                pass
            finally:
                sa.event.remove(engine, "before_cursor_execute", capture)
            for statement, parameters in captured:
                if statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                    continue
                for index in indexes_in_plan(dialect, connection, statement, parameters):
                    used[index].add(label)
        db.session.rollback()
    return used, names


class _Undo(Exception):
    """Leaves the savepoint: every path runs against the data as it was."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--rows", type=int, default=bench.ROWS)
    args = parser.parse_args()
    ensure = {"sqlite": bench.ensure_sqlite, "postgresql": bench.ensure_postgresql}
    if args.only:
        ensure = {args.only: ensure[args.only]}
    results = {name: measure(make(args.rows)) for name, make in ensure.items()}
    names = sorted({n for _, listed in results.values() for n in listed})
    unused = []
    for name in names:
        print(f"\n{name}")
        everywhere = False
        for database, (used, _) in results.items():
            paths = sorted(used.get(name, ()))
            everywhere = everywhere or bool(paths)
            print(f"  {database:11} {', '.join(paths) if paths else '-'}")
        if not everywhere:
            unused.append(name)
    print("\nused by no plan on any database: " + (", ".join(unused) if unused else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
