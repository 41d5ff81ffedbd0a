"""Compiling the message catalogues (.po → .mo) from Python, for the test session and setup;
and the language handed to reports/ for a PDF.

`make install` does the same with pybabel; this keeps a test run right after a .po edit.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from reports.i18n import NORWEGIAN, Language

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


def catalogues() -> list[Path]:
    return sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def compile_catalogues(force: bool = False) -> list[Path]:
    """Write each stale .mo; returns those written. Fuzzy entries are left out, as pybabel does."""
    written = []
    for po_path in catalogues():
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parts[-3])
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


def report_language() -> Language:
    """The language for a PDF made now: the user's (or the CLI's forced) locale, as reports/ takes
    it: a plain gettext callable, so reports/ stays free of Flask."""
    from flask_babel import gettext

    from app.common.names import language

    code = language()
    return NORWEGIAN if code == "nb" else Language(code, gettext)
