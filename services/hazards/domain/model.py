"""Hazards as geometry: water bodies, road sections and terrain, in WGS 84 lon/lat."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from shapely.geometry.base import BaseGeometry

from services.hazards.domain.exceptions import InvalidHazard
from services.hazards.domain.kinds import HAZARD_KINDS, PROTECTION_STATES, PROTECTIONS
from shared.config import Region
from shared.geo import CoordinateError, check_in_region

VILLAGE_CODE = re.compile(r"^(\d{12})?$")
# Attributes a PATCH may change; geometry and kind also move the zone.
EDITABLE = ("kind", "name", "geometry", "village_code", "barrier", "warning_sign",
            "rescue_equipment", "risk_season", "depth_m", "width_m", "responsible_unit",
            "responsible_person", "last_inspected")


@dataclass
class Hazard:
    kind: str
    name: str
    geometry: BaseGeometry  # EPSG:4326, lon/lat degrees
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    village_code: str = ""
    barrier: str = "missing"
    warning_sign: str = "missing"
    rescue_equipment: str = "missing"
    risk_season: str = ""
    depth_m: float | None = None
    width_m: float | None = None
    responsible_unit: str = ""  # e.g. the village committee
    responsible_person: str = ""  # e.g. the river chief (a public office)
    last_inspected: date | None = None
    version: int = 1

    @property
    def protections(self) -> dict[str, str]:
        return {p: getattr(self, p) for p in PROTECTIONS}

    def missing(self) -> list[str]:
        """Protective measures that are absent or broken (what to fix first)."""
        return [p for p in PROTECTIONS if getattr(self, p) != "present"]

    def check(self, region: Region) -> None:
        """Refuse unknown kinds, bad attributes and empty, invalid or out-of-region geometry."""
        if self.kind not in HAZARD_KINDS:
            raise InvalidHazard("kind", f"unknown kind {self.kind!r}")
        for p in PROTECTIONS:
            if getattr(self, p) not in PROTECTION_STATES:
                raise InvalidHazard(p, f"must be one of {', '.join(PROTECTION_STATES)}")
        if not VILLAGE_CODE.match(self.village_code or ""):
            raise InvalidHazard("village_code", "must be a 12-digit village code")
        if self.geometry is None or self.geometry.is_empty:
            raise InvalidHazard("geometry", "is empty")
        if self.geometry.has_z:
            raise InvalidHazard("geometry", "has 3D coordinates; send lon/lat only")
        if not self.geometry.is_valid:
            raise InvalidHazard("geometry", "is not valid (self-intersecting or unclosed)")
        c = self.geometry.representative_point()
        try:
            check_in_region(c.x, c.y, region, "geometry")
        except CoordinateError as exc:
            raise InvalidHazard("geometry", str(exc)) from exc

    def apply(self, changes: dict[str, Any]) -> dict[str, list[Any]]:
        """Apply edits; return ``{field: [old, new]}`` for what really changed."""
        diff: dict[str, list[Any]] = {}
        for name in EDITABLE:
            if name not in changes:
                continue
            old, new = getattr(self, name), changes[name]
            same = old.equals(new) if name == "geometry" else old == new
            if not same:
                diff[name] = [_plain(old), _plain(new)]
                setattr(self, name, new)
        if diff:
            self.version += 1
        return diff

    def attributes(self) -> dict[str, Any]:
        """All fields except geometry, for storage and exports."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "geometry"}


def _plain(value: Any) -> Any:
    if isinstance(value, BaseGeometry):
        return value.wkt
    if isinstance(value, date):
        return value.isoformat()
    return value
