"""The figures the suite prints: one row per scenario and database."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from reliability.client import Tally


@dataclass
class Figures:
    scenario: str
    database: str
    requests: int = 0
    succeeded: int = 0
    refused: int = 0
    server_errors: int = 0
    no_answer: int = 0
    deviations_lost: int = 0
    deviations_doubled: int = 0
    mails_lost: int = 0
    mails_doubled: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)  # targets not met

    def add(self, tally: Tally) -> None:
        self.requests += tally.requests
        self.succeeded += tally.succeeded
        self.refused += tally.refused
        self.server_errors += tally.server_errors
        self.no_answer += tally.no_answer

    def require(self, condition: bool, target: str) -> None:
        if not condition:
            self.missed.append(target)

    @property
    def ok(self) -> bool:
        return not self.missed


HEADER = (
    "| scenario | database | requests | succeeded | refused with a message | server errors "
    "| no answer | deviations lost | deviations doubled | mails lost | mails doubled | time "
    "| result |"
)


def table(rows: list[Figures]) -> str:
    lines = [HEADER, "|" + "---|" * 13]
    for f in rows:
        result = "met" if f.ok else "**missed: " + "; ".join(f.missed) + "**"
        lines.append(
            f"| {f.scenario} | {f.database} | {f.requests:,} | {f.succeeded:,} | {f.refused:,} "
            f"| {f.server_errors:,} | {f.no_answer:,} | {f.deviations_lost} "
            f"| {f.deviations_doubled} | {f.mails_lost} | {f.mails_doubled} | {f.seconds:.0f} s "
            f"| {result} |"
        )
    notes = [f"- **{f.scenario}, {f.database}**: " + " ".join(f.notes) for f in rows if f.notes]
    return "\n".join(lines + ([""] + notes if notes else []))


def to_json(rows: list[Figures]) -> str:
    return json.dumps([asdict(f) | {"ok": f.ok} for f in rows], indent=2, ensure_ascii=False)
