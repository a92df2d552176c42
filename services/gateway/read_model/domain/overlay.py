"""The overlay engine: which at-risk homes lie near which hazards, and how exposed each
hazard is.

All metric work happens in one metric CRS (the township's UTM zone): homes and hazards
arrive as WGS 84 lon/lat and are projected once. Distances come from
``overlay_geometry`` (GEOS's own point-to-segment formula in numpy, bit-identical to
``shapely.distance``), so the bulk load never makes a GEOS call per home; its results
stay in numpy columns (``overlay_homes``) and a child's record is made when it is read.

A hazard's zone is the hazards service's zone polygon, a home within 1 mm of it
counting (so a home exactly on the edge is in); until a zone arrives, it is every home
within ``default_buffer_m`` of the hazard's geometry. Exposure is kept in integer tenths
(grade weight × age weight), so updating it one event at a time gives exactly the same
sums as computing it from scratch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer

from services.gateway.read_model.domain.overlay_geojson import projected_geometries
from services.gateway.read_model.domain.overlay_homes import HomeTable
from services.gateway.read_model.domain.overlay_index import (
    EDGE_TOLERANCE_M,
    NEAREST_CLASSES,
    LayeredIndex,
    ProjectedHazard,
    SmallIndex,
)
from services.gateway.read_model.domain.read_model import ChildHome, HazardShape, hazard_class

GRADE_WEIGHT = {"high": 3, "medium": 2, "low": 1}
# Tenths: toddlers and small children drown near home; teenagers swim further away.
AGE_WEIGHT_TENTHS = {"0-2": 15, "3-5": 15, "6-11": 12, "12-15": 10, "16-17": 6}


@cache
def child_weight_tenths(risk_grade: str, age_band: str) -> int:
    """A child's weight in a hazard's exposure, in tenths (exact integer arithmetic)."""
    return GRADE_WEIGHT.get(risk_grade, 1) * AGE_WEIGHT_TENTHS.get(age_band, 10)


@dataclass(frozen=True)
class Nearest:
    hazard_id: str
    distance_m: float  # metres in the engine's UTM CRS, rounded to the millimetre


@dataclass(frozen=True)
class ChildOverlay:
    child_id: str
    village_code: str
    water: Nearest | None
    road: Nearest | None


@dataclass(frozen=True)
class HazardExposure:
    hazard_id: str
    children: int
    weight_tenths: int

    @property
    def exposure(self) -> float:
        return self.weight_tenths / 10


@dataclass
class OverlayDelta:
    """What one change recomputed; ``None`` means the row is gone."""

    children: Mapping[str, ChildOverlay | None] = field(default_factory=dict)
    hazards: Mapping[str, HazardExposure | None] = field(default_factory=dict)


class _Rows(Mapping[str, Any]):
    """Rows made when read: the bulk load's 200,000 child records (and 22,000 hazard
    rows) are built only if someone iterates them."""

    def __init__(self, keys: Callable[[], Iterable[str]], row: Callable[[str], Any]):
        self._keys, self._row = keys, row

    def __getitem__(self, key: str) -> Any:
        found = self._row(key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._keys()))

    def __len__(self) -> int:
        return len(list(self._keys()))


class OverlayEngine:
    """Keeps homes, hazards and their overlay in memory and updates it per event.

    Parameters
    ----------
    crs : pyproj.CRS
        The metric CRS (township UTM zone) for every distance and buffer.
    max_distance_m : float
        Nearest hazards farther than this (metres) are not reported.
    default_buffer_m : float
        Zone used for exposure (metres around the geometry) until a zone event arrives.
    """

    def __init__(self, crs: CRS, max_distance_m: float = 500.0, default_buffer_m: float = 100.0):
        if not crs.is_projected:
            raise ValueError(f"overlay CRS must be metric, got {crs.to_string()}")
        self.crs = crs
        self.max_distance_m = max_distance_m
        self.default_buffer_m = default_buffer_m
        self._to_m = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self._homes = HomeTable(NEAREST_CLASSES)
        self._reset()

    def _reset(self) -> None:
        self._hazards: dict[str, ProjectedHazard] = {}
        self._count: dict[str, int] = {}  # hazard_id → children in its zone
        self._weight: dict[str, int] = {}  # hazard_id → sum of their weights
        self._index: LayeredIndex | None = None

    # -- projection ---------------------------------------------------------------
    def _project_hazards(self, hazards: list[HazardShape]) -> list[ProjectedHazard]:
        """Project geometries and zones in one go."""
        n = len(hazards)
        projected = projected_geometries([h.geometry for h in hazards]
                                         + [h.zone or None for h in hazards],
                                         self._to_m.transform)
        return [ProjectedHazard(hazard_class(h.kind), g, z)
                for h, g, z in zip(hazards, projected[:n], projected[n:], strict=True)]

    # -- bulk ---------------------------------------------------------------------
    def load(self, homes: Iterable[ChildHome], hazards: Iterable[HazardShape]) -> OverlayDelta:
        """Replace everything and compute the full overlay, vectorised. The children of
        the delta are made as they are read."""
        self._reset()
        hazards = list(hazards)
        self._hazards = dict(zip((h.hazard_id for h in hazards),
                                 self._project_hazards(hazards), strict=True))
        self._count = dict.fromkeys(self._hazards, 0)
        self._weight = dict.fromkeys(self._hazards, 0)
        homes = list(homes)
        x, y = self._to_m.transform(np.fromiter((h.lon for h in homes), float, len(homes)),
                                    np.fromiter((h.lat for h in homes), float, len(homes)))
        weights = np.fromiter((child_weight_tenths(h.risk_grade, h.age_band) for h in homes),
                              np.int64, len(homes))
        slots = self._homes.fill([h.child_id for h in homes], [h.village_code for h in homes],
                                 x, y, weights)
        self._measure(slots, self._hazard_index(), None)
        return OverlayDelta(_Rows(lambda: self._homes.slot, self.child),
                            _Rows(lambda: self._hazards, self.exposure))

    # -- one event ----------------------------------------------------------------
    def put_child(self, home: ChildHome) -> OverlayDelta:
        hazards: dict[str, HazardExposure | None] = {}
        old = self._homes.slot.get(home.child_id)
        if old is not None:
            self._leave_zones(old, hazards)
        x, y = self._to_m.transform(home.lon, home.lat)
        slot = self._homes.put(home.child_id, home.village_code, x, y,
                               child_weight_tenths(home.risk_grade, home.age_band))
        self._measure(np.array([slot]), self._hazard_index(), hazards)
        return OverlayDelta({home.child_id: self._overlay(slot)}, hazards)

    def remove_child(self, child_id: str) -> OverlayDelta:
        slot = self._homes.slot.get(child_id)
        if slot is None:
            return OverlayDelta()
        hazards: dict[str, HazardExposure | None] = {}
        self._leave_zones(slot, hazards)
        self._homes.remove(child_id)
        return OverlayDelta({child_id: None}, hazards)

    def put_hazard(self, hazard: HazardShape) -> OverlayDelta:
        """A new or changed hazard: only the homes near it, or whose nearest it was,
        are measured again; the index takes it in without a rebuild."""
        index = self._hazard_index()
        was_nearest = self._children_nearest_to(hazard.hazard_id)
        self._drop_hazard(hazard.hazard_id)
        hz = self._hazards[hazard.hazard_id] = self._project_hazards([hazard])[0]
        index.put(hazard.hazard_id, hz, self._hazards)
        self._count[hazard.hazard_id] = self._weight[hazard.hazard_id] = 0
        reach = max(self.max_distance_m, self.default_buffer_m, EDGE_TOLERANCE_M) + 1.0
        live = self._homes.live_near(shapely.total_bounds([hz.geom, hz.zone]), reach)
        alone = SmallIndex({hazard.hazard_id: hz}, self.max_distance_m,
                           self.default_buffer_m)
        found = alone.scan(self._homes.col["x"][live], self._homes.col["y"][live])
        self._join(live[found.member_point], found.member_number, found.ids, +1, None)
        near = live[(found.nearest != None).any(axis=0)]  # noqa: E711 - elementwise
        children = self._recompute(np.union1d(was_nearest, near))
        return OverlayDelta(children, {hazard.hazard_id: self.exposure(hazard.hazard_id)})

    def remove_hazard(self, hazard_id: str) -> OverlayDelta:
        if hazard_id not in self._hazards:
            return OverlayDelta()
        index = self._hazard_index()
        was_nearest = self._children_nearest_to(hazard_id)
        self._drop_hazard(hazard_id)
        index.remove(hazard_id, self._hazards)
        return OverlayDelta(self._recompute(was_nearest), {hazard_id: None})

    # -- reading ------------------------------------------------------------------
    def child(self, child_id: str) -> ChildOverlay | None:
        slot = self._homes.slot.get(child_id)
        return None if slot is None else self._overlay(slot)

    def exposure(self, hazard_id: str) -> HazardExposure:
        return HazardExposure(hazard_id, self._count.get(hazard_id, 0),
                              self._weight.get(hazard_id, 0))

    def exposures(self) -> list[HazardExposure]:
        """Every hazard, most exposed first (ties by id, so the order is stable)."""
        ranked = [self.exposure(h) for h in self._hazards]
        return sorted(ranked, key=lambda e: (-e.weight_tenths, e.hazard_id))

    # -- internals ----------------------------------------------------------------
    def _overlay(self, slot: int) -> ChildOverlay:
        col = self._homes.col

        def near(cls: str) -> Nearest | None:
            hid = col[f"{cls}_id"][slot]
            return None if hid is None else Nearest(hid, round(float(col[f"{cls}_m"][slot]), 3))

        return ChildOverlay(col["id"][slot], col["village"][slot], near("water"), near("road"))

    def _hazard_index(self) -> LayeredIndex:
        if self._index is None:
            self._index = LayeredIndex(self._hazards, self.max_distance_m,
                                       self.default_buffer_m)
        return self._index

    def _measure(self, slots: np.ndarray, index: LayeredIndex,
                 touched: dict[str, HazardExposure | None] | None) -> None:
        """Nearest hazards of these homes into the table, and their zones joined."""
        col = self._homes.col
        found = index.scan(col["x"][slots], col["y"][slots])
        self._write_nearest(slots, found.nearest, found.distance_m)
        self._join(slots[found.member_point], found.member_number, found.ids, +1, touched)

    def _recompute(self, slots: np.ndarray) -> dict[str, ChildOverlay | None]:
        """Nearest hazards again after a hazard changed (zones of others are unchanged)."""
        col = self._homes.col
        found = self._hazard_index().scan(col["x"][slots], col["y"][slots])
        self._write_nearest(slots, found.nearest, found.distance_m)
        return {col["id"][s]: self._overlay(s) for s in slots.tolist()}

    def _write_nearest(self, slots: np.ndarray, named: np.ndarray, dist: np.ndarray) -> None:
        for i, cls in enumerate(NEAREST_CLASSES):
            self._homes.col[f"{cls}_id"][slots] = named[i]
            self._homes.col[f"{cls}_m"][slots] = dist[i]

    def _leave_zones(self, slot: int, touched: dict[str, HazardExposure | None]) -> None:
        col = self._homes.col
        found = self._hazard_index().scan(col["x"][[slot]], col["y"][[slot]])
        self._join(np.full(len(found.member_point), slot), found.member_number, found.ids,
                   -1, touched)

    def _join(self, slots: np.ndarray, numbers: np.ndarray, ids: np.ndarray, sign: int,
              touched: dict[str, HazardExposure | None] | None) -> None:
        """Add (or with ``sign`` -1 take away) these homes to the hazards' exposure,
        noting the new figures in ``touched``."""
        count = np.bincount(numbers, minlength=len(ids))
        weight = np.bincount(numbers, weights=self._homes.col["weight"][slots],
                             minlength=len(ids))
        for k in np.flatnonzero(count).tolist():
            hid = ids[k]
            self._count[hid] += sign * int(count[k])
            self._weight[hid] += sign * int(weight[k])
            if touched is not None:
                touched[hid] = self.exposure(hid)

    def _children_nearest_to(self, hazard_id: str) -> np.ndarray:
        hz = self._hazards.get(hazard_id)
        if hz is None or hz.cls not in NEAREST_CLASSES:
            return np.zeros(0, dtype=np.int64)
        return self._homes.nearest_to(hz.cls, hazard_id)

    def _drop_hazard(self, hazard_id: str) -> None:
        self._hazards.pop(hazard_id, None)
        self._count.pop(hazard_id, None)
        self._weight.pop(hazard_id, None)
