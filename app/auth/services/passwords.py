"""Password rules: long enough and not common. No composition rules (NIST SP 800-63B).

The list is Django's 20,000 common passwords from breaches plus a short Norwegian supplement.
A password is refused when it *is* one of them, or is one of them with only digits and
punctuation around it or repeated ("sommer2024!", "passordpassord"): length alone does not
make "password12345678" strong.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 256

_HERE = Path(__file__).resolve().parent
# Digits, punctuation and whitespace: what people pad a word with to pass a length rule.
_PADDING = re.compile(r"^[\W\d_]*(.*?)[\W\d_]*$", re.UNICODE)


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(_HERE / "common-passwords.txt.gz", "rt", encoding="utf-8") as handle:
        words = {line.strip().lower() for line in handle if line.strip()}
    with open(_HERE / "common-passwords-nb.txt", encoding="utf-8") as handle:
        words |= {
            line.strip().lower() for line in handle if line.strip() and not line.startswith("#")
        }
    return frozenset(words)


def _is_repetition(text: str) -> str | None:
    """The repeated unit when ``text`` is one string said several times ("abcabcabc")."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return None


def _common_core(password: str) -> bool:
    lowered = password.lower()
    common = common_passwords()
    if lowered in common:
        return True
    core = _PADDING.match(lowered).group(1)  # type: ignore[union-attr]
    if not core:
        return True  # only digits and punctuation: "123456789012", "!!!!!!!!!!!!"
    if core in common and len(core) >= 4:
        return True
    unit = _is_repetition(core)
    return unit is not None and (len(unit) < 4 or unit in common)


def password_problem(password: str, email: str | None = None) -> str | None:
    """None when acceptable, else a code: 'short', 'long', 'common' or 'email'."""
    if len(password) < MIN_LENGTH:
        return "short"
    if len(password) > MAX_LENGTH:
        return "long"
    if email:
        local_part = email.split("@", 1)[0].strip().lower()
        # A short local part ("ola") would refuse too much; four characters is a name.
        if len(local_part) >= 4 and local_part in password.lower():
            return "email"
    if _common_core(password):
        return "common"
    return None


def password_message(code: str) -> str:
    """What the user is told for a code of ``password_problem``."""
    return {
        "short": lambda: _l("Passordet må ha minst %(min)d tegn.", min=MIN_LENGTH),
        "long": lambda: _l("Passordet kan ha høyst %(max)d tegn.", max=MAX_LENGTH),
        "common": lambda: _l(
            "Dette passordet er for vanlig og lett å gjette. Velg noe lengre eller mer uvanlig, "
            "gjerne flere ord."
        ),
        "email": lambda: _l("Passordet kan ikke inneholde e-postadressen din."),
    }[code]()
