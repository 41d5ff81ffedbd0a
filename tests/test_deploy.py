"""deploy/'s environment file names every setting config.py reads (the reliability scenario
on several hosts runs the rest of deploy/, reliability/scenarios/multihost.py)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Not for production: the benchmark's switch, development's mail folder, and the older name
# of PATIENT_DATA_KEYS.
NOT_IN_PRODUCTION = {"AVVIK_BENCH", "MAIL_OUTBOX_DIR", "PATIENT_DATA_KEY"}


def test_the_environment_example_names_every_setting():
    config = (ROOT / "config.py").read_text()
    read = set(re.findall(r'os\.environ(?:\.get\(|\[)"([A-Z_]+)"', config))
    read |= set(re.findall(r'_(?:flag|list|int|days|float|str)\("([A-Z_]+)"', config))
    example = (ROOT / "deploy" / "avvik.env.example").read_text()
    named = set(re.findall(r"^([A-Z_]+)=", example, re.MULTILINE))
    assert read - NOT_IN_PRODUCTION - named == set()
    assert {"AVVIK_CONFIG", "FLASK_APP", "GUNICORN_CMD_ARGS"} <= named


def test_every_key_has_the_command_that_makes_it():
    lines = (ROOT / "deploy" / "avvik.env.example").read_text().splitlines()
    for key in ("SECRET_KEY", "PATIENT_DATA_KEYS", "PATIENT_ID_HASH_KEY"):
        at = lines.index(f"{key}=")
        assert lines[at - 1].startswith("# generate: "), key


def test_every_unit_runs_a_command_the_app_has(app):
    """A unit's `flask …` names a command of this app, with options it takes: a renamed or
    removed command fails here, not on the operator's servers (the web unit and the mail
    sender also run in the reliability scenario on several hosts)."""
    commands = app.cli.list_commands(None)  # type: ignore[arg-type]
    runs = []
    for unit in sorted((ROOT / "deploy" / "systemd").glob("*.service")):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart=") and "/bin/flask " in line:
                runs.append(line.split("/bin/flask ", 1)[1].split())
    assert {run[0] for run in runs} >= {"send-mail", "send-webhooks", "maintenance"}
    runner = app.test_cli_runner()
    for name, *options in runs:
        assert name in commands, name
        command = app.cli.get_command(None, name)  # type: ignore[arg-type]
        known = {opt for param in command.params for opt in param.opts}
        assert set(options) <= known, (name, options)
        assert runner.invoke(args=[name, "--help"]).exit_code == 0, name
