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
