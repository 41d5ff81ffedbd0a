"""Norwegian national identity numbers: fødselsnummer, D-nummer and H-nummer.

Used two ways: to validate the one protected field, and to refuse free text that holds one.

A number counts only when python-stdnum's ``no.fodselsnummer`` accepts it: both mod-11 check
digits hold, and the first six digits are a date that exists (day + 40 for a D-nummer, month
+ 40 for an H-nummer) in the century its individual number gives, not in the future. So phone
numbers, dates, times and reference numbers pass.

What people type is messier than "ddmmyy nnnnn": a number pasted from a journal may carry a
non-breaking, narrow or zero-width space, a soft hyphen, an en dash, a slash, a tab or line
break, "&nbsp;" from a web page, or be written "01.01.90 10046", "010 190 100 46". So text is
first normalised (HTML entities decoded, NFKC, invisible format characters removed), then every
run of digit groups joined by short separators is a candidate: each stretch of whole groups
that holds exactly 11 digits is checked. A longer unbroken digit run (an account number) never
counts, nor do digits inside it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from itertools import accumulate
from operator import mul

from stdnum.no import fodselsnummer

# Between two digit groups: up to three of these. After NFKC every space (no-break, narrow,
# ideographic …) is a plain space; dashes keep their own code points.
_SEPARATOR = r"[\s.\-/\u2010\u2012\u2013\u2014\u2015\u2212]"
_CHAIN = re.compile(rf"[0-9]+(?:{_SEPARATOR}{{1,3}}[0-9]+)*")
_GROUP = re.compile(r"[0-9]+")
LENGTH = 11


def _clean(text: str) -> str:
    """HTML entities decoded, compatibility forms folded (full-width digits, odd spaces), and
    the invisible format characters (zero-width space, soft hyphen, word joiner …) dropped."""
    text = unicodedata.normalize("NFKC", html.unescape(text))
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
# The weighted sums are taken over the ASCII codes; each code is its digit plus 48.
_OFFSET_1 = 48 * sum(_WEIGHTS_1)
_OFFSET_2 = 48 * sum(_WEIGHTS_2)


# The month as an identity number writes it: 01–12, or 41–52 in an H-nummer. Most stretches of
# digits fail here, before any arithmetic.
_MONTHS = frozenset(f"{m:02d}" for m in (*range(1, 13), *range(41, 53)))


def _check_digits_hold(number: str) -> bool:
    """The two mod-11 sums: about one candidate in a hundred passes, so a text full of digits
    costs stdnum's fuller check (the date, the century) only for those."""
    codes = number.encode("ascii")
    return (sum(map(mul, _WEIGHTS_1, codes)) - _OFFSET_1) % 11 == 0 and (
        sum(map(mul, _WEIGHTS_2, codes)) - _OFFSET_2
    ) % 11 == 0


def is_valid(number: str) -> bool:
    """True for 11 ASCII digits that are a valid fødselsnummer, D-nummer or H-nummer."""
    return (
        len(number) == LENGTH
        and number.isascii()
        and number.isdigit()
        and _check_digits_hold(number)
        and fodselsnummer.is_valid(number)
    )


def normalise(number: str) -> str:
    """What was typed in the identity field without separators or invisible characters:
    "010190 100 46", "01.01.90-10046" and "01019010046" give the same 11 digits."""
    return re.sub(_SEPARATOR, "", _clean(number))


def find_all(text: str | None) -> list[str]:
    """Every valid identity number in the text, as 11 ASCII digits, in order of appearance.

    A candidate is a stretch of whole digit groups of a chain holding exactly 11 digits: in the
    chain's digits joined together, a stretch that starts where a group starts and ends 11
    digits later where a group ends. Found so, the scan is linear in the text's length (a
    chain of "1 1 1 …" once cost the square of its length)."""
    if not text:
        return []
    found: list[str] = []
    checked: dict[str, bool] = {}  # a repeated pattern is checked once
    for chain in _CHAIN.finditer(_clean(text)):
        groups = _GROUP.findall(chain.group())
        digits = "".join(groups)
        if len(digits) < LENGTH:
            continue
        ends = list(accumulate(map(len, groups)))
        group_ends = set(ends)
        for start in (0, *ends[:-1]):
            if start + LENGTH in group_ends:
                candidate = digits[start : start + LENGTH]
                if candidate[2:4] not in _MONTHS:
                    continue
                valid = checked.get(candidate)
                if valid is None:
                    # Digits from the pattern are ASCII: is_valid's own checks are not needed.
                    valid = checked[candidate] = _check_digits_hold(
                        candidate
                    ) and fodselsnummer.is_valid(candidate)
                if valid:
                    found.append(candidate)
    return found


def find_in_text(text: str | None) -> bool:
    """True when the text holds something that is a valid identity number."""
    return bool(find_all(text))
