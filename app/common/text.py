"""Cleaning text that comes from outside: form fields, import files."""

from __future__ import annotations

import re

# C0 control characters but tab and the line breaks: the set XML 1.0 (and so a spreadsheet
# cell) refuses, NUL among them, which PostgreSQL refuses in text.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def strip_control_characters(value: object) -> object:
    """Nobody types them; text pasted from another system can carry them, and a client that
    is not a browser can send anything. Removed, they lose the user nothing they can see."""
    return _CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value
