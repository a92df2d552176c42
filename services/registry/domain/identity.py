"""Resident identity numbers (GB 11643-1999): check digit, birth date and gender.

An 18-character number is 6 digits of address, 8 of birth date (YYYYMMDD), 3 of
sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check character.
Ledgers are typed by hand, so a wrong check digit is the commonest error we catch.
"""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_character(first17: str) -> str:
    """The MOD 11-2 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def validate_id_number(number: str, birth_date: date, gender: str) -> str | None:
    """Why ``number`` cannot be this child's ID number, or None when it can.

    The number must have the right shape and check character, and agree with the
    recorded birth date and gender ('male' / 'female').
    """
    number = number.strip().upper()
    if not _SHAPE.match(number):
        return "must be 17 digits followed by a digit or X"
    if check_character(number[:17]) != number[17]:
        return "check digit does not match (GB 11643-1999)"
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "holds an impossible birth date"
    if born != birth_date:
        return f"says born {born.isoformat()}, the record says {birth_date.isoformat()}"
    id_gender = "male" if int(number[16]) % 2 == 1 else "female"
    if id_gender != gender:
        return f"belongs to a {id_gender} person, the record says {gender}"
    return None

