"""Benchmark: the tertial statistics on a million deviations in SQLite.

    .venv/bin/python bench/tertial_report.py [--db PATH] [--deviations N] [--tertial 2025-T2]

Builds the database once with the migrations and `flask demo --deviations N` (kept for reruns),
then prints, for the last complete tertial:
- the statistics page's data (SQL GROUP BY queries + summarise) against the same SQL statements
  replayed bare on the DBAPI cursor (captured from the page's own run), and their ratio;
- the whole PDF (data + rendering);
- the peak memory of `flask report tertial … --out` in a child process (ru_maxrss of children).
Targets (issue 4): page data ≤ 0.3 s and ≤ 3× bare SQL; PDF ≤ 1.5 s; report command ≤ 400 MB.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FLASK = str(Path(sys.executable).with_name("flask"))


def build(db_path: Path, count: int) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "AVVIK_CONFIG": "development"}
    print(f"Lager {db_path} med {count:,} avvik (én gang) …", flush=True)
    started = time.perf_counter()
    subprocess.run([FLASK, "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    subprocess.run([FLASK, "--app", "app", "demo", "--deviations", str(count)], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    with sqlite3.connect(db_path) as conn:
        conn.execute("ANALYZE")  # as bench/filing_and_inbox.py does: the two share the file
    print(f"  ferdig på {time.perf_counter() - started:.0f} s", flush=True)


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall time of ``repeat`` runs after one warm-up (the page cache is warm in use);
    the fastest run is kept in MINIMA, since other work on a shared machine only adds time."""
    result = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    MINIMA[fn] = min(times)
    return statistics.median(times), result


MINIMA: dict[object, float] = {}


def peak_memory_mb(db_path: Path, code: str) -> tuple[float, float]:
    """Peak RSS of the report command, measured from a fresh parent so no other child counts."""
    out = Path(tempfile.mkdtemp()) / "rapport.pdf"
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "AVVIK_CONFIG": "development"}
    result = subprocess.run(
        [sys.executable, "-c", probe, FLASK, "--app", "app", "report", "tertial", code, "--out", str(out)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    seconds, kilobytes = result.stdout.split()
    return float(seconds), int(kilobytes) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    # The same file as bench/filing_and_inbox.py: its filings land in the current tertial, not in
    # the last complete one measured here.
    parser.add_argument("--db", type=Path, default=ROOT / "instance" / "bench" / "avvik-1000000.db")
    parser.add_argument("--deviations", type=int, default=1_000_000)
    parser.add_argument("--tertial", default=None, help="standard: siste hele tertial")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    args.db = args.db.resolve()  # Flask-SQLAlchemy would read a relative path from instance/
    if not args.db.exists():
        args.db.parent.mkdir(parents=True, exist_ok=True)
        build(args.db, args.deviations)

    os.environ["DATABASE_URL"] = f"sqlite:///{args.db}"
    import sqlalchemy as sa

    from app import create_app
    from app.common.dates import today_local
    from app.extensions import db
    from app.models import Deviation
    from app.statistics import services
    from reports import Tertial, summarise
    from reports.pdf import render_pdf

    app = create_app("development")
    with app.app_context():
        tertial = (
            Tertial.parse(args.tertial) if args.tertial else Tertial.last_complete(today_local())
        )
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Deviation))
        in_tertial = db.session.scalar(
            sa.select(sa.func.count()).where(
                Deviation.registered_at >= tertial.start_utc,
                Deviation.registered_at < tertial.end_utc,
            )
        )
        print(f"{total:,} avvik i databasen, {in_tertial:,} i {tertial.label} ({tertial.code})")

        def page_data():
            return summarise(services.load_input(tertial, services.ALL))

        # The exact statements (and bound parameters) the page runs, captured once...
        captured: list[tuple[str, object]] = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            captured.append((statement, parameters))

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", capture)
        summary = page_data()
        sa.event.remove(engine, "before_cursor_execute", capture)

        # ... and replayed bare on the DBAPI cursor: no ORM, no type processing, no Python work.
        raw = engine.raw_connection()

        def bare_sql():
            cursor = raw.cursor()
            for statement, parameters in captured:
                cursor.execute(statement, parameters)
                cursor.fetchall()
            cursor.close()

        page_s, summary = timed(page_data, args.repeat)
        bare_s, _ = timed(bare_sql, args.repeat)
        raw.close()
        made_at = datetime(2000, 1, 1, tzinfo=UTC)
        pdf_s, pdf = timed(lambda: render_pdf(page_data(), made_at), max(3, args.repeat // 2))
        render_s, _ = timed(lambda: render_pdf(summary, made_at), max(3, args.repeat // 2))
        csv_s, rows = timed(lambda: sum(1 for _ in services.export_rows(tertial, services.ALL)), 1)

    cli_s, peak_mb = peak_memory_mb(args.db, tertial.code)
    page_min, bare_min = MINIMA[page_data], MINIMA[bare_sql]
    print(
        f"Belastning (load average 1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())} på {os.cpu_count()} kjerner"
    )
    print(
        f"SQL-spørringer på siden: {len(captured)} (tellinger i indeksområder + GROUP BY i databasen)"
    )
    print("                          median   (raskeste)")
    print(f"Statistikksidens data:   {page_s:6.3f} s ({page_min:.3f} s)   (mål ≤ 0,3 s)")
    print(f"Bare SQL, samme spørr.:  {bare_s:6.3f} s ({bare_min:.3f} s)")
    print(
        f"Forhold side / bare SQL: {page_s / bare_s:6.2f} ×  ({page_min / bare_min:.2f} ×)  (mål ≤ 3 ×)"
    )
    print(
        f"Hele PDF-en (data+tegn): {pdf_s:6.3f} s   (mål ≤ 1,5 s; herav tegning {render_s:.3f} s, {len(pdf):,} byte)"
    )
    print(f"Rapportkommandoen:       {cli_s:6.3f} s, toppminne {peak_mb:.0f} MB  (mål ≤ 400 MB)")
    print(f"Radene bak ({rows:,}) til CSV: {csv_s:.2f} s")


if __name__ == "__main__":
    main()
