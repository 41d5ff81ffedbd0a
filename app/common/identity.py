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


def is_valid(number: str) -> bool:
    """True for 11 ASCII digits that are a valid fødselsnummer, D-nummer or H-nummer."""
    return (
        len(number) == LENGTH
        and number.isascii()
        and number.isdigit()
        and (fodselsnummer.is_valid(number))
    )


def normalise(number: str) -> str:
    """What was typed in the identity field without separators or invisible characters:
    "010190 100 46", "01.01.90-10046" and "01019010046" give the same 11 digits."""
    return re.sub(_SEPARATOR, "", _clean(number))


def find_all(text: str | None) -> list[str]:
    """Every valid identity number in the text, as 11 ASCII digits, in order of appearance."""
    if not text:
        return []
    found: list[str] = []
    for chain in _CHAIN.finditer(_clean(text)):
        groups = _GROUP.findall(chain.group())
        for start in range(len(groups)):
            digits = ""
            for group in groups[start:]:
                digits += group
                if len(digits) >= LENGTH:
                    break
            if len(digits) == LENGTH and is_valid(digits):
                found.append(digits)
    return found


def find_in_text(text: str | None) -> bool:
    """True when the text holds something that is a valid identity number."""
    return bool(find_all(text))
