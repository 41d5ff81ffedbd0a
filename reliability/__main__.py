"""`python -m reliability [--only a,b] [--database sqlite|postgresql] [--scale 0.2]`."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import traceback

from reliability.database import KINDS, Database
from reliability.environment import WORK
from reliability.figures import Figures, table, to_json
from reliability.scenarios import SCENARIOS, bad_input


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m reliability", description=__doc__)
    parser.add_argument(
        "--only", help="comma-separated scenarios: " + ", ".join([*SCENARIOS, "bad-input"])
    )
    parser.add_argument("--database", choices=KINDS, help="one database instead of both")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fewer requests for a quick look (e.g. 0.2)"
    )
    args = parser.parse_args(argv)
    chosen = args.only.split(",") if args.only else [*SCENARIOS, "bad-input"]
    unknown = [name for name in chosen if name not in SCENARIOS and name != "bad-input"]
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(unknown)}")
    kinds = [args.database] if args.database else list(KINDS)

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    started = time.monotonic()
    rows: list[Figures] = []
    for kind in kinds if any(name in SCENARIOS for name in chosen) else []:
        print(f"Preparing {kind} (migrations, seed, accounts) …", flush=True)
        template = Database.prepared(kind)
        try:
            for name in chosen:
                if name not in SCENARIOS:
                    continue
                run, databases = SCENARIOS[name]
                if kind not in databases:
                    continue
                print(f"  {name} on {kind} …", end=" ", flush=True)
                try:
                    figures = run(template, scale=args.scale)
                except Exception as error:  # noqa: BLE001  (a scenario that breaks is a result too)
                    traceback.print_exc()
                    figures = Figures(name, kind, missed=[f"the scenario broke: {error!r}"])
                print(f"{figures.seconds:.0f} s, {'met' if figures.ok else 'MISSED'}", flush=True)
                rows.append(figures)
        finally:
            template.drop()
    if "bad-input" in chosen:
        print("  bad-input (pytest, both databases) …", end=" ", flush=True)
        generated = bad_input.run_both(args.scale)
        print(
            f"{generated[0].seconds:.0f} s, {'met' if all(f.ok for f in generated) else 'MISSED'}"
        )
        rows += [f for f in generated if not args.database or f.database == args.database]
    print()
    print(table(rows))
    print(f"\nWhole run: {time.monotonic() - started:.0f} s. Logs and files: {WORK}")
    (WORK / "results.json").write_text(to_json(rows))
    return 0 if all(f.ok for f in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
