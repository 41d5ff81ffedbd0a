"""Test data builders."""

from __future__ import annotations

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def make_identity_number(birth: str, individual: int = 123, d_number: bool = False) -> str:
    """A valid fødselsnummer (or D-nummer) for ddmmyy ``birth``: tries individual numbers upward
    until both check digits exist, as the registry does."""
    if d_number:
        birth = str(int(birth[0]) + 4) + birth[1:]
    for ind in range(individual, individual + 100):
        digits = [int(c) for c in f"{birth}{ind % 1000:03d}"]
        k1 = (11 - sum(d * w for d, w in zip(digits, _W1)) % 11) % 11
        if k1 == 10:
            continue
        digits.append(k1)
        k2 = (11 - sum(d * w for d, w in zip(digits, _W2)) % 11) % 11
        if k2 == 10:
            continue
        digits.append(k2)
        return "".join(map(str, digits))
    raise AssertionError("no valid number found")


def break_check_digit(number: str) -> str:
    return number[:10] + str((int(number[10]) + 1) % 10)


def pdf_text(pdf: bytes) -> list[str]:
    """Each page's text, a table row on one line (layout mode), runs of spaces made one."""
    import io

    from pypdf import PdfReader

    return [
        "\n".join(
            " ".join(line.split()) for line in p.extract_text(extraction_mode="layout").splitlines()
        )
        for p in PdfReader(io.BytesIO(pdf)).pages
    ]


def norwegian_msgids_in(text: str, source: str, data: set[str] = frozenset()) -> list[str]:
    """The msgids marked in ``source`` (a file under the project root) whose Norwegian text is in
    ``text`` although English differs: a heading the English report forgot to translate.

    ``%(x)s`` placeholders match anything; a msgid that equals its English translation, or that is
    in a stored name in ``data`` (a category "Annet", a "Klinikk for …"), cannot be told apart and
    is skipped.
    """
    import re
    from pathlib import Path

    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[1]
    with (root / "app/translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="en")
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    flat = " ".join(text.split())
    found = []
    for _line, message, _comments, _context in extract_from_file("python", root / source, keywords):
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid) if msgid else None
        english = entry.string if entry is not None else None
        # Two-letter words (" og ") also occur in the Norwegian data a report prints as stored.
        if not msgid or english == msgid or len(msgid.strip()) < 4:
            continue
        parts = re.split(r"%\(\w+\)[sd]", " ".join(msgid.split()))
        pattern = r"(?<!\w)" + r".+?".join(re.escape(p) for p in parts) + r"(?!\w)"
        if any(re.search(pattern, name) for name in data):
            continue
        if re.search(pattern, flat):
            found.append(msgid)
    return found
