"""Benchmark: *Endring over tid* (issue 23) for 36 months over a million deviations in SQLite,
against the tertial page in the same run.

    .venv/bin/python bench/change_over_time.py [--db PATH] [--months 36] [--repeat 5] [--only sqlite]

The database is bench/tertial_report.py's (built once with `flask demo --deviations N`; this
script builds it the same way if it is missing). SQLite only: the shared PostgreSQL bench schema
is not this script's to fill. Prints, each as median (fastest) of --repeat runs after a warm-up:
- the tertial page's data (services.tertial_summary, what its view loads);
- the change page's data for 36 months (change_data.change_over_time: the month counts, the
  P-chart's answers, pandas' series and the rules), and the same filtered to one category;
- the change page's charts drawn as SVG (both sizes);
and the ratio change / tertial. Target (issue 23): ≤ 2 ×.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tertial_report import MINIMA, build, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=ROOT / "instance" / "bench" / "avvik-1000000.db")
    parser.add_argument("--deviations", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=["sqlite"], default="sqlite", help="bare SQLite")
    args = parser.parse_args()
    args.db = args.db.resolve()
    if not args.db.exists():
        args.db.parent.mkdir(parents=True, exist_ok=True)
        build(args.db, args.deviations)

    os.environ["DATABASE_URL"] = f"sqlite:///{args.db}"
    import sqlalchemy as sa

    from app import create_app
    from app.common.dates import today_local
    from app.extensions import db
    from app.models import Deviation
    from app.statistics import change_data, services
    from reports import Tertial
    from reports import labels as report_labels
    from reports.runchart import add_months
    from reports.runchart_charts import change_svgs

    app = create_app("development")
    with app.app_context():
        tertial = Tertial.last_complete(today_local())
        last = add_months(today_local().replace(day=1), -1)
        period = change_data.Period(add_months(last, -(args.months - 1)), last)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Deviation))
        in_period = db.session.scalar(
            sa.select(sa.func.count()).where(
                Deviation.registered_at >= period.start_utc,
                Deviation.registered_at < period.end_utc,
            )
        )
        print(
            f"{total:,} avvik i databasen, {in_period:,} i de {args.months} månedene "
            f"{period.code}; tertialsiden for {tertial.code}"
        )
        labels = dict(report_labels.DIRECTIONS)
        everything = change_data.Choices(period, 12, None, None, None, services.ALL)
        category = db.session.scalar(sa.text("SELECT name FROM category ORDER BY position LIMIT 1"))
        category_id = db.session.scalar(
            sa.text("SELECT id FROM category ORDER BY position LIMIT 1")
        )
        one_category = change_data.Choices(period, 12, None, category, category_id, services.ALL)

        def tertial_page():
            return services.tertial_summary(tertial, services.ALL)

        def change_page():
            return change_data.change_over_time(everything, labels)

        def change_filtered():
            return change_data.change_over_time(one_category, labels)

        tertial_s, _ = timed(tertial_page, args.repeat)
        change_s, result = timed(change_page, args.repeat)
        filtered_s, _ = timed(change_filtered, args.repeat)
        draw_s, _ = timed(lambda: change_svgs(result), max(3, args.repeat // 2))

    def line(label: str, fn, seconds: float) -> None:
        print(f"{label:<44} {seconds:6.3f} s ({MINIMA[fn]:.3f} s)")

    print(
        f"Belastning (load average 1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"på {os.cpu_count()} kjerner"
    )
    print(f"{'':<44} median   (raskeste)")
    line("Tertialsiden, data", tertial_page, tertial_s)
    line(f"Endring over tid, data, {args.months} mnd", change_page, change_s)
    line(f"Endring over tid, data, én kategori ({category})", change_filtered, filtered_s)
    print(f"{'Endring over tid, seks SVG-er':<44} {draw_s:6.3f} s")
    ratio = change_s / tertial_s
    ratio_min = MINIMA[change_page] / MINIMA[tertial_page]
    print(
        f"Forhold endring / tertial:                  {ratio:6.2f} ×  ({ratio_min:.2f} ×)  (mål ≤ 2 ×)"
    )
    print(f"Signal i seriediagrammet: {result.run.rules.signal if result.run.rules else None}")


if __name__ == "__main__":
    main()
