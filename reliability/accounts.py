"""The accounts the scenarios log in with, beside the demo accounts (password for all)."""

from __future__ import annotations

from dataclasses import dataclass

PASSWORD = "demo-avvik"
HOSPITAL = "St. Olavs hospital HF"


@dataclass(frozen=True)
class Account:
    email: str
    name: str
    organisation: str
    handler: bool = False


def _slug(org: str) -> str:
    return {"St. Olavs hospital HF": "stolav"}.get(org, org.lower())


# Reporters in six organisations; the counterparts' mottak below (Orkland has none, and the
# suite names no fallback mottak: its deviations mail the central admins only).
REPORTING_ORGS = (HOSPITAL, "Trondheim", "Malvik", "Melhus", "Orkland", "Skaun")
REPORTERS = [
    Account(f"melder{n}.{_slug(org)}@reliability.test", f"Melder {n} {org}", org)
    for org in REPORTING_ORGS
    for n in range(1, 5)
]
# Demo accounts already staff St. Olavs, Trondheim and Malvik (one each).
EXTRA_MOTTAK = [
    Account("mottak1.melhus@reliability.test", "Mottak 1 Melhus", "Melhus", handler=True),
    Account("mottak2.melhus@reliability.test", "Mottak 2 Melhus", "Melhus", handler=True),
    Account("mottak1.skaun@reliability.test", "Mottak 1 Skaun", "Skaun", handler=True),
]
# The concurrent-handling scenario's twenty handlers at the hospital (made only there: they
# would each get a mail for every filing to the hospital in the other scenarios).
RACING_HANDLERS = [
    Account(
        f"saksbehandler{n:02d}.stolav@reliability.test", f"Saksbehandler {n:02d}", HOSPITAL, True
    )
    for n in range(1, 21)
]
