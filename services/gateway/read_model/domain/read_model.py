"""What the gateway knows, learned only from events: plain records for the map.

No names, ID numbers or phone numbers ever reach the gateway: the registry's events
carry an opaque child id, the village, the home point, the age band and the grade.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from shared.events.vocabulary import PROTECTIONS, WATER_KINDS


def hazard_class(kind: str) -> str:
    """'water', 'road' or 'terrain': nearest-hazard lists are kept per class."""
    if kind in WATER_KINDS:
        return "water"
    return "road" if kind.startswith("road") else "terrain"


@dataclass(frozen=True)
class ChildHome:
    """A child as the map needs it: no name, no ID number."""

    child_id: str
    village_code: str
    lon: float
    lat: float
    age_band: str
    risk_grade: str


def lacking(protections: dict[str, str]) -> list[str]:
    """Protections not in working order (missing or damaged), in a fixed order."""
    return [p for p in PROTECTIONS if protections.get(p, "missing") != "present"]


@dataclass(frozen=True)
class HazardFacts:
    """What the dashboard and the planner say of a hazard, without its outline and zone:
    a township's shapes are megabytes of JSON, which would be most of those pages' time."""

    hazard_id: str
    kind: str
    name: str
    village_code: str = ""
    protections: dict[str, str] = field(default_factory=dict)

    @property
    def lacking(self) -> list[str]:
        return lacking(self.protections)


@dataclass(frozen=True)
class HazardShape:
    hazard_id: str
    kind: str
    name: str
    geometry: dict[str, Any]  # GeoJSON, EPSG:4326
    village_code: str = ""
    protections: dict[str, str] = field(default_factory=dict)  # name → present|damaged|missing
    risk_season: str = ""
    zone: dict[str, Any] | None = None  # GeoJSON polygon, EPSG:4326, from zone events
    buffer_m: float | None = None

    @property
    def lacking(self) -> list[str]:
        return lacking(self.protections)


@dataclass(frozen=True)
class PatrolPoint:
    point_id: str
    hazard_id: str
    lon: float
    lat: float
    reason: str
    schedule: str
    active: bool


@dataclass(frozen=True)
class CheckIn:
    checkin_id: str
    point_id: str
    hazard_id: str
    member_id: str
    checked_at: datetime
    lon: float
    lat: float
    duration_s: int
    track_m: float


@dataclass(frozen=True)
class Finding:
    finding_id: str
    point_id: str
    hazard_id: str
    village_code: str
    kind: str
    action: str
    severity: str
    reported_at: datetime


@dataclass(frozen=True)
class FixTaskState:
    """A fix task (隐患整改) as far as the dashboard needs it."""

    task_id: str
    hazard_id: str
    village_code: str
    protection: str
    status: str  # assigned, reported_fixed, confirmed
    due_on: date
    overdue: bool = False

    @property
    def open(self) -> bool:
        return self.status != "confirmed"


@dataclass(frozen=True)
class DirectoryGap:
    """An urgent message the notifier found nobody for in this village."""

    gap_id: str
    village_code: str
    event_type: str
    rule: str
    recipients: int  # station deliveries made instead; 0: nobody at all
    raised_at: datetime


@dataclass(frozen=True)
class VisitState:
    """Where a child's home visits stand; ``overdue_since`` is set by overdue events."""

    child_id: str
    village_code: str
    last_visit_at: datetime | None
    next_due: date | None
    overdue_since: date | None
