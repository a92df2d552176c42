"""What the gateway knows, learned only from events: plain records for the map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ChildHome:
    """A child as the map needs it: no name, no ID number."""

    child_id: str
    village_code: str
    lon: float
    lat: float
    age_band: str
    risk_grade: str


@dataclass(frozen=True)
class HazardShape:
    hazard_id: str
    kind: str
    name: str
    geometry: dict[str, Any]  # GeoJSON, EPSG:4326
