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


def id_number_problem(number: str, birth_date: date, gender: str) -> tuple[str, dict] | None:
    """Why ``number`` cannot be this child's ID number, as a code and its parameters
    (``ledger_messages``), or None when it can.

    The number must have the right shape and check character, and agree with the
    recorded birth date and gender ('male' / 'female').
    """
    number = number.strip().upper()
    if not _SHAPE.match(number):
        return "id_shape", {}
    if check_character(number[:17]) != number[17]:
        return "id_check", {}
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "id_date", {}
    if born != birth_date:
        return "id_birth", {"born": born.isoformat(), "recorded": birth_date.isoformat()}
    id_gender = "male" if int(number[16]) % 2 == 1 else "female"
    if id_gender != gender:
        return "id_gender", {"id_gender": id_gender}
    return None


_REASONS = {"id_shape": "must be 17 digits followed by a digit or X",
            "id_check": "check digit does not match (GB 11643-1999)",
            "id_date": "holds an impossible birth date",
            "id_birth": "says born {born}, the record says {recorded}",
            "id_gender": "belongs to a {id_gender} person, the record says {gender}"}


def validate_id_number(number: str, birth_date: date, gender: str) -> str | None:
    """Why ``number`` cannot be this child's ID number (English, for the API), or None."""
    problem = id_number_problem(number, birth_date, gender)
    if problem is None:
        return None
    code, params = problem
    return _REASONS[code].format(gender=gender, **params)

