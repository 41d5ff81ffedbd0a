"""Everything the system sends out during a browser test, and the check that none of it
identifies a patient: every e-mail, every download (PDF through pypdf's text, CSV, XLSX), and
every log line. A valid identity number in any layout the detector knows, or the title or the
description of any case, fails the test.

The live app keeps each response that is a download (tests/e2e/conftest.py); mails are what the
sender writes from the outbox; log lines come from the root logger at INFO and up.
"""

from __future__ import annotations

import io
import logging
from email import message_from_bytes, policy
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from app.common.identity import find_all
from app.extensions import db
from app.models import Deviation
from tests.support import pdf_text

# Shorter case texts ("Test", "Fall") are words any page may hold; these cannot be by chance.
MIN_CASE_TEXT = 12


class LogLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def as_text(name: str, body: bytes) -> str:
    """A download or a mail as the text a reader (or a search) would see in it."""
    if body.startswith(b"%PDF"):
        return "\n".join(pdf_text(body))
    if body.startswith(b"PK"):
        from openpyxl import load_workbook

        sheets = load_workbook(io.BytesIO(body)).worksheets
        # " | " between cells: the detector must not join two cells into one number.
        return "\n".join(
            " | ".join("" if v is None else str(v) for v in row)
            for sheet in sheets
            for row in sheet.iter_rows(values_only=True)
        )
    if name.endswith(".eml"):
        message = message_from_bytes(body, policy=policy.default)
        parts = [f"{k}: {v}" for k, v in message.items()]
        parts += [p.get_content() for p in message.walk() if p.get_content_maintype() == "text"]
        return "\n".join(parts)
    return body.decode("utf-8-sig", errors="replace")


def case_texts(app: Flask) -> list[str]:
    with app.app_context():
        rows = db.session.execute(sa.select(Deviation.title, Deviation.description)).all()
    return sorted({t for row in rows for t in row if t and len(t.strip()) >= MIN_CASE_TEXT})


def leaks(artifacts: dict[str, str], forbidden: list[str]) -> list[str]:
    found = []
    for name, text in artifacts.items():
        flat = " ".join(text.split())
        for number in find_all(text):
            found.append(f"{name}: identity number {number[:6]}…")
        for case_text in forbidden:
            if " ".join(case_text.split()) in flat:
                found.append(f"{name}: case text {case_text[:40]!r}")
    return found


def collect(app: Flask, outbox: Path, logs: LogLines) -> dict[str, str]:
    """Deliver the outbox (to .eml files), then every artifact as text, by name."""
    from app.mail.sender import deliver_pending

    with app.app_context():
        deliver_pending()
        db.session.remove()
    artifacts = {
        f"mail {path.name}": as_text(path.name, path.read_bytes())
        for path in sorted(outbox.glob("*.eml"))
    }
    for number, (path, body) in enumerate(app.extensions["test_downloads"]):
        artifacts[f"download {number} {path}"] = as_text(path, body)
    for number, (path, body) in enumerate(app.extensions.get("test_files", [])):
        artifacts[f"file {number} {path}"] = as_text(str(path), body)
    artifacts["log"] = "\n".join(logs.lines)
    return artifacts
