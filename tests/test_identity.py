"""The identity-number detector: what people actually type is caught, ordinary numbers pass.

The two tables are the specification: every layout in the first must be found, nothing in the
second may be. The numbers are made with the registry's algorithm (tests.factories).
"""

import pytest

from app.common.identity import find_all, find_in_text, is_valid, normalise
from tests.factories import break_check_digit, identity_number

FNR = identity_number("010190")
DNR = identity_number("150385", d_number=True)
HNR = identity_number("154385")  # H-nummer: the month raised by 40
Y2K = identity_number("290200", individual=500)  # born 29.02.2000: 500-999 means 2000s
OLD = identity_number("311299", individual=12)


def _layouts(n: str) -> list[str]:
    """The same number as nurses, journals and web pages write it."""
    return [
        n,
        f"{n[:6]} {n[6:]}",
        f"{n[:6]}-{n[6:]}",
        f"{n[:6]}.{n[6:]}",
        f"{n[:6]}  {n[6:]}",  # two spaces
        f"{n[:6]}\u00a0{n[6:]}",  # no-break space
        f"{n[:6]}\u202f{n[6:]}",  # narrow no-break space
        f"{n[:6]}\t{n[6:]}",
        f"{n[:6]}\n{n[6:]}",
        f"{n[:6]}\r\n{n[6:]}",
        f"{n[:6]}\u2013{n[6:]}",  # en dash
        f"{n[:6]}\u2014{n[6:]}",  # em dash
        f"{n[:6]}/{n[6:]}",
        f"{n[:6]} - {n[6:]}",
        f"{n[:2]}.{n[2:4]}.{n[4:6]} {n[6:]}",  # 01.01.90 10046
        f"{n[:2]} {n[2:4]} {n[4:6]} {n[6:]}",  # 01 01 90 10046
        f"{n[:6]} {n[6:9]} {n[9:]}",  # 010190 100 46
        f"{n[:3]} {n[3:6]} {n[6:9]} {n[9:]}",  # 010 190 100 46
        f"{n[:4]}\u200b{n[4:]}",  # zero-width space inside
        f"{n[:7]}\u00ad{n[7:]}",  # soft hyphen inside
        f"{n[:5]}\u2060{n[5:]}",  # word joiner
        f"{n[:6]}&nbsp;{n[6:]}",  # typed as text
        f"{n[:6]}&#160;{n[6:]}",
        "".join(chr(0xFF10 + int(d)) for d in n),  # full-width digits
    ]


FOUND = [
    *[(f"Pasient {text} kom inn", FNR) for text in _layouts(FNR)],
    (f"fnr:{FNR}.", FNR),
    (f"({FNR})", FNR),
    (f"D-nummer {DNR}", DNR),
    (f"D-nr {DNR[:6]} {DNR[6:]}", DNR),
    (f"H-nummer {HNR[:6]}-{HNR[6:]}", HNR),
    (f"Født 29.02.00: {Y2K}", Y2K),
    (f"{OLD[:2]}.{OLD[2:4]}.{OLD[4:6]} {OLD[6:]} er eldre", OLD),
    (f"Pasient {FNR} ble sendt hjem 12.03.2024 kl 14:30", FNR),
    (f"Ring 918 45 678 om pasient {FNR[:6]} {FNR[6:]}", FNR),
    (f"Først {FNR}, så {DNR}", FNR),
    (f"ID{FNR}", FNR),
]

PASSES = [
    "Ring 73 86 80 00 eller 918 45 678",
    "Telefon +47 918 45 678",
    "Telefon +4791845678",
    "Telefon 0047 918 45 678",
    "Tlf. 91845678 / 73868000",
    "Mobil 918-45-678",
    "Hendelsen 01.01.2024 kl 14:30",
    "Fra 01.01.2024 til 02.02.2024",
    "Dato 2024-03-12, klokken 08.15",
    "Kl. 14:30-15:45 på rom 12",
    "12.03.24 kl. 10.30",
    "Saksnummer 2024/12345 og rom 12",
    "Se AV-2026-00042 og AV-2026-00043",
    "Analyse HA-2026-001",
    "Organisasjonsnummer 974 749 025",
    "Kontonummer 1234.56.78903",
    "IBAN NO93 8601 1117 947",
    "Postnummer 7030 Trondheim",
    "Dose 5 mg x 3, 500 ml NaCl, 2 tabletter",
    "Blodtrykk 120/80, puls 72, temp 37.5",
    f"Ugyldig {break_check_digit(FNR)} skal ikke slå ut",
    f"Ugyldig {FNR[:9]}{(int(FNR[9]) + 1) % 10}{FNR[10]}",
    f"Kontonummer 1{FNR}2 er lengre",
    f"Lengre tall {FNR}0",
    "Impossible date 31029012345",
    "Not a leap year 29029912345",
    "FH-nummer-lignende 81234567890",
    "Født i framtiden: " + identity_number("010139", individual=500),
    "00000000000",
    "12345678901",
    "",
    None,
]


@pytest.mark.parametrize(("text", "number"), FOUND)
def test_identity_number_is_found(text, number):
    assert find_all(text)[:1] == [number]
    assert find_in_text(text)


@pytest.mark.parametrize("text", PASSES)
def test_ordinary_numbers_pass(text):
    assert find_all(text) == []
    assert not find_in_text(text)


def test_the_table_is_big_enough_both_ways():
    assert len(FOUND) >= 30 and len(PASSES) >= 30


def test_builder_makes_known_valid_number():
    # A published example from python-stdnum's documentation of the algorithm.
    assert is_valid("15108695088")
    assert is_valid(FNR) and is_valid(DNR) and is_valid(HNR) and is_valid(Y2K)


def test_d_number_has_day_raised_by_40():
    assert int(DNR[:2]) == 55


def test_1900_is_not_a_leap_year():
    # 29.02.00 with an individual number of the 1900s is 1900, which had no 29 February.
    assert not is_valid(identity_number("290200", individual=123))


@pytest.mark.parametrize(
    "number",
    [
        break_check_digit(FNR),
        FNR[:10],
        FNR + "1",
        "abcdefghijk",
        "0101901234 ",
        "\uff10" * 11,  # full-width: the field stores ASCII only, normalise folds it first
        "",
    ],
)
def test_invalid_numbers(number):
    assert not is_valid(number)


@pytest.mark.parametrize("typed", [text for text in _layouts(FNR) if "&" not in text])
def test_the_field_stores_eleven_ascii_digits(typed):
    assert normalise(typed) == FNR
    assert is_valid(normalise(typed))


def test_normalise_keeps_letters_for_the_check_to_refuse():
    assert not is_valid(normalise("0101 90 abcde"))
