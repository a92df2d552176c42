"""Patrol check-ins from phones: position plausibility, track distance, finding severity."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from pyproj import Geod

from services.hazards.domain.exceptions import InvalidCheckIn

_GEOD = Geod(ellps="WGS84")
URGENT_ACTIONS = ("none", "reminded")  # children still at the water after the patrol left


@dataclass
class Finding:
    kind: str
    action: str = "none"
    note: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def severity(self) -> str:
        """Urgent when children are in danger now: a camera alarm, or children at the
        water whom the patrol neither stopped nor moved away."""
        if self.kind == "camera_alarm":
            return "urgent"
        if self.kind == "children_at_water" and self.action in URGENT_ACTIONS:
            return "urgent"
        return "normal"


@dataclass
class CheckIn:
    client_id: str  # generated on the phone; the same id twice is one check-in
    point_id: str
    member_id: str
    checked_at: datetime
    lon: float  # WGS 84 degrees
    lat: float
    accuracy_m: float = 0.0
    duration_s: int = 0
    findings: list[Finding] = field(default_factory=list)
    track: list[tuple[float, float]] = field(default_factory=list)  # WGS 84 lon/lat
    off_point_reason: str = ""  # set by the member to record a check-in away from the point
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def distance_m(self, point_lon: float, point_lat: float) -> float:
        """Geodesic distance from the patrol point, metres (WGS 84 ellipsoid)."""
        return float(_GEOD.inv(point_lon, point_lat, self.lon, self.lat)[2])

    def check_position(self, point_lon: float, point_lat: float, max_distance_m: float) -> float:
        """Refuse a position far from the point unless the member flagged why; return metres."""
        dist = self.distance_m(point_lon, point_lat)
        limit = max_distance_m + min(self.accuracy_m, max_distance_m)
        if dist > limit and not self.off_point_reason:
            raise InvalidCheckIn(
                "location", f"{dist:.0f} m from the patrol point (limit {limit:.0f} m "
                "including GPS accuracy); set off_point_reason to record it anyway")
        return dist

    def track_m(self) -> float:
        """Length of the attached GPS track, metres along the ellipsoid (0 without one)."""
        if len(self.track) < 2:
            return 0.0
        lons, lats = zip(*self.track, strict=True)
        return float(_GEOD.line_length(lons, lats))
