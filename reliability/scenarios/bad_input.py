"""Bad input, generated: the Hypothesis tests of every form (tests/test_bad_input_*.py), which
run through Flask's test client on both real databases inside `make test`, run here again with
twice the examples, and their counts are printed with the other figures. Zero server errors; a
refused form shows the user's text again; nothing in the database changes on a refusal (the
tests assert all three for every example)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict

from reliability.environment import ROOT, WORK
from reliability.figures import Figures

SCALE = 2


def run_both(scale: float = 1.0) -> list[Figures]:
    figures_file = WORK / "bad-input.jsonl"
    figures_file.unlink(missing_ok=True)
    env = dict(os.environ, AVVIK_BAD_INPUT_FIGURES=str(figures_file),
               AVVIK_BAD_INPUT_SCALE=str(SCALE * scale))  # fmt: skip
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
         *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_bad_input_*.py"))],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.monotonic() - started
    (WORK / "bad-input-pytest.log").write_text(result.stdout + result.stderr)
    by_database: dict[str, Figures] = {}
    forms: dict[str, set[str]] = defaultdict(set)
    lines = figures_file.read_text().splitlines() if figures_file.exists() else []
    for line in lines:
        entry = json.loads(line)
        kind = entry["database"]
        f = by_database.setdefault(kind, Figures("bad input (generated)", kind, seconds=seconds))
        f.requests += entry["examples"]
        f.succeeded += entry["changed"] + entry["answered"]
        f.refused += entry["refused"]
        f.server_errors += entry["server_errors"]
        forms[kind].add(entry["form"])
    rows = [by_database[k] for k in sorted(by_database)]
    for f in rows:
        f.notes.append(
            f"{len(forms[f.database])} forms, {f.requests:,} generated submissions "
            f"(both databases in {seconds:.0f} s, pytest -n 2); every one checked: no server "
            "error, a 4xx changed nothing, a refused form showed the text again."
        )
        f.require(result.returncode == 0, "the tests pass (see bad-input-pytest.log)")
        f.require(f.server_errors == 0, "no server errors")
    if not rows:
        rows = [Figures("bad input (generated)", "both", missed=["the tests did not run"])]
    return rows
