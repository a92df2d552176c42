"""Hazards as geometry: water bodies and road sections, in WGS 84 lon/lat."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry

from services.hazards.domain.exceptions import InvalidHazard
from shared.config import Region
from shared.geo import CoordinateError, check_in_region

WATER_KINDS = ("river", "pond", "stream", "ditch", "canal", "reservoir", "dam", "swimming_spot")
ROAD_KINDS = ("road_no_barrier", "road_crossing", "road_sharp_bend", "road_play_area")
TERRAIN_KINDS = ("cliff", "steep_slope")


@dataclass
class Hazard:
    kind: str
    name: str
    geometry: BaseGeometry  # EPSG:4326, lon/lat degrees
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def check(self, region: Region) -> None:
        """Refuse empty, invalid or out-of-region geometry, naming the reason."""
        if self.kind not in (*WATER_KINDS, *ROAD_KINDS, *TERRAIN_KINDS):
            raise InvalidHazard("kind", f"unknown kind {self.kind!r}")
        if self.geometry.is_empty:
            raise InvalidHazard("geometry", "is empty")
        if not self.geometry.is_valid:
            raise InvalidHazard("geometry", "is not valid (self-intersecting or unclosed)")
        c = self.geometry.centroid
        try:
            check_in_region(c.x, c.y, region, "geometry")
        except CoordinateError as exc:
            raise InvalidHazard("geometry", str(exc)) from exc
