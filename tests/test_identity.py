import pytest
from cryptography.fernet import Fernet

from app.common.crypto import InvalidToken, PatientDataCipher
from app.common.identity import find_in_text, is_valid, normalise
from tests.helpers import break_check_digit, make_identity_number

FNR = make_identity_number("010190")
DNR = make_identity_number("150385", d_number=True)


def test_builder_makes_known_valid_number():
    # A published example from the registry's documentation of the algorithm.
    assert is_valid("01010750160")


@pytest.mark.parametrize("number", [FNR, DNR, make_identity_number("290200")])
def test_valid_numbers(number):
    assert is_valid(number)


def test_d_number_has_day_raised_by_40():
    assert int(DNR[:2]) == 55
    assert is_valid(DNR)


@pytest.mark.parametrize(
    "number",
    [
        break_check_digit(FNR),
        FNR[:9] + str((int(FNR[9]) + 1) % 10) + FNR[10],  # first check digit wrong
        "12345678901",
        "00000000000",
        FNR[:10],
        FNR + "1",
        "abcdefghijk",
        "",
    ],
)
def test_invalid_numbers(number):
    assert not is_valid(number)


def test_impossible_date_is_not_a_number():
    # 31 February: even with check digits that happen to fit, not a birth date.
    assert not is_valid("31029012345")
    assert not is_valid("29029912345")  # 1999 and 2099 are not leap years


@pytest.mark.parametrize(
    "text",
    [
        f"Pasient {FNR} kom inn",
        f"fnr:{FNR}.",
        f"Pasient {FNR[:6]} {FNR[6:]} ble utskrevet",
        f"{FNR[:6]}-{FNR[6:]}",
        f"D-nummer {DNR}",
        f"({FNR})",
    ],
)
def test_identity_number_found_in_text(text):
    assert find_in_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "Ring 73 86 80 00 eller 918 45 678",
        "Hendelsen 01.01.2024 kl 14:30",
        "Saksnummer 2024/12345 og rom 12",
        f"Ugyldig {break_check_digit(FNR)} skal ikke slå ut",
        f"Kontonummer 1{FNR}2 er lengre",
        "Telefon +4791845678",
        "",
        None,
    ],
)
def test_ordinary_numbers_pass(text):
    assert not find_in_text(text)


def test_normalise_strips_separators():
    assert normalise(f"{FNR[:6]} {FNR[6:]}") == FNR
    assert normalise(f"{FNR[:6]}-{FNR[6:]}") == FNR


def test_encryption_round_trip_and_tamper_detection():
    cipher = PatientDataCipher("kTq2V0i7yT0xq2s2dXfWm8Bkq6r8m3N0S6F7vZ2cY1A=")
    token = cipher.encrypt(FNR)
    assert FNR not in token
    assert cipher.decrypt(token) == FNR
    assert cipher.encrypt(FNR) != token  # random IV: equal numbers do not look equal at rest
    other = PatientDataCipher(Fernet.generate_key())
    with pytest.raises(InvalidToken):
        other.decrypt(token)
