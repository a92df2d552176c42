"""Children as the registry knows them: plain Python, no framework."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

AGE_BANDS = ((0, 2, "0-2"), (3, 5, "3-5"), (6, 11, "6-11"), (12, 15, "12-15"), (16, 17, "16-17"))


def age_on(birth_date: date, today: date) -> int:
    """Whole years completed on ``today``."""
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)


def age_band(birth_date: date, today: date) -> str:
    age = age_on(birth_date, today)
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return "16-17" if age > 17 else "0-2"


@dataclass
class Child:
    name: str
    gender: str
    birth_date: date
    village_code: str
    home_lon: float
    home_lat: float
    categories: list[str] = field(default_factory=list)
    risk_grade: str = "medium"
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
