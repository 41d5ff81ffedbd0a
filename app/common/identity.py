"""Norwegian national identity numbers (fødselsnummer and D-nummer).

Used two ways: to validate the one protected field, and to refuse free text that holds one.
A number counts only when both mod-11 check digits hold and the first six digits are a date
(day + 40 for a D-nummer), so phone numbers, dates and case numbers pass.
"""

from __future__ import annotations

import re
from datetime import date

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

# Eleven digits, optionally written "ddmmyy nnnnn" or "ddmmyy-nnnnn", not part of a longer number.
_CANDIDATE = re.compile(r"(?<![\d])(\d{6})[ \-.]?(\d{5})(?![\d])")


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else check


def _birth_date_plausible(digits: list[int]) -> bool:
    day = digits[0] * 10 + digits[1]
    month = digits[2] * 10 + digits[3]
    year = digits[4] * 10 + digits[5]
    if day > 40:  # D-nummer: the day is raised by 40
        day -= 40
    try:
        # Century is unknown without the individual number; a leap year admits 29 Feb.
        date(2000 + year, month, day)
    except ValueError:
        try:
            date(1900 + year, month, day)
        except ValueError:
            return False
    return True


def is_valid(number: str) -> bool:
    """True for an 11-digit fødselsnummer or D-nummer with both check digits right."""
    if len(number) != 11 or not number.isdigit():
        return False
    digits = [int(c) for c in number]
    if not _birth_date_plausible(digits):
        return False
    k1 = _check_digit(digits[:9], _W1)
    if k1 is None or k1 != digits[9]:
        return False
    k2 = _check_digit(digits[:10], _W2)
    return k2 is not None and k2 == digits[10]


def normalise(number: str) -> str:
    """Strip the spaces, dots and dashes people type between the date and the rest."""
    return re.sub(r"[\s.\-]", "", number)


def find_in_text(text: str | None) -> bool:
    """True when the text holds something that is a valid identity number."""
    if not text:
        return False
    return any(is_valid(m.group(1) + m.group(2)) for m in _CANDIDATE.finditer(text))
