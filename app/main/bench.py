"""The bare endpoint `bench/filing_and_inbox.py` compares filing against.

Registered only when AVVIK_BENCH=1 (config BENCH_ENDPOINT): never part of a normal deployment.
"""

from flask import Blueprint

bp = Blueprint("bench", __name__, url_prefix="/bench")


@bp.get("/bare")
def bare() -> tuple[str, int, dict[str, str]]:
    return "ok", 200, {"Content-Type": "text/plain"}
