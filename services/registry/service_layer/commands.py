"""Commands the registry accepts (imperative names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class RegisterChild:
    name: str
    gender: str
    birth_date: date
    village_code: str
    home_lon: float
    home_lat: float
    home_datum: str = "wgs84"
    categories: list[str] = field(default_factory=list)
