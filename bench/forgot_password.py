"""'Glemt passord': does the answer take longer when the address has an account?

Times POST /glemt-passord for a known and an unknown address on a file SQLite database, first
with no minimum answer time (what the work itself costs: a token, an outbox row, a commit) and
then with the configured floor. Prints medians and the known/unknown ratio; a ratio near 1.00
with the floor means timing does not tell whether an address exists.

    .venv/bin/python bench/forgot_password.py [rounds]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app
from app.data.demo import create_demo_accounts
from app.data.seed import seed_defaults
from app.extensions import db


def measure(floor: float, rounds: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db",
            FORGOT_PASSWORD_MIN_SECONDS=floor,
        )
        with app.app_context():
            db.create_all()
            seed_defaults()
            create_demo_accounts()
            db.session.commit()
        client = app.test_client()
        timings: dict[str, list[float]] = {"known": [], "unknown": []}
        for i in range(rounds):
            for label, email in (("known", "melder@trondheim.demo"), ("unknown", f"ingen{i}@x.no")):
                started = time.perf_counter()
                response = client.post("/glemt-passord", data={"email": email})
                timings[label].append(time.perf_counter() - started)
                assert response.status_code == 200
        with app.app_context():
            db.engine.dispose()
    return statistics.median(timings["known"]), statistics.median(timings["unknown"])


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    for floor in (0.0, 0.4):
        known, unknown = measure(floor, rounds)
        print(
            f"floor {floor:.2f} s: known {known * 1000:7.1f} ms  unknown {unknown * 1000:7.1f} ms"
            f"  ratio {known / unknown:5.2f}  ({rounds} rounds each, median)"
        )


if __name__ == "__main__":
    main()
