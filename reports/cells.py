"""What a spreadsheet would run: the one rule the downloads and the admin forms share, apart
from openpyxl so that a web worker checking a name loads no spreadsheet library."""

from __future__ import annotations

# What makes Excel, LibreOffice or Google Sheets read a cell as a formula or a command
# (OWASP's list for CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)
