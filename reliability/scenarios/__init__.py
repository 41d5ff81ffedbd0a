"""The scenarios, in the order the suite runs them: name -> (run, the databases it runs on).
The generated bad input ("bad-input", reliability/scenarios/bad_input.py) runs once, for both
databases, after these."""

from __future__ import annotations

from reliability.scenarios import backup, crash, filing, handling, mail, multihost, restart

BOTH = ("sqlite", "postgresql")
SCENARIOS = {
    "filing": (filing.run, BOTH),
    "crash": (crash.run, BOTH),
    "restart": (restart.run, ("postgresql",)),
    "handling": (handling.run, BOTH),
    "mail": (mail.run, BOTH),
    "backup": (backup.run, BOTH),
    "multihost": (multihost.run, ("postgresql",)),
}
