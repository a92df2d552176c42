"""What one person may see on the map, as GeoJSON: the same dict feeds the JSON API
and the HTML page, so privacy by role is decided once."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

from pyproj import CRS

from services.gateway.adapters.read_model_store import ReadModelStore
from services.gateway.config import Settings
from services.gateway.domain.privacy import HomeView, aggregate_cells, home_view, in_scope
from services.gateway.domain.read_model import hazard_class
from shared.auth.principal import Principal


class RenderCache:
    """Rendered pages by read-model version and by everything that decides what the
    caller may see (view, township, villages) or asked for; any applied event changes
    the version, so nothing stale is served and nothing crosses scopes."""

    def __init__(self, size: int = 64):
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    @staticmethod
    def key(version: Hashable, principal: Principal, *extra: Hashable) -> Hashable:
        return (version, home_view(principal), principal.township_code,
                tuple(sorted(principal.village_codes)), date.today(), *extra)

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


def _fc(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _round(geometry: dict[str, Any], digits: int = 6) -> dict[str, Any]:
    """Coordinates to ~0.1 m: smaller pages, nothing lost at map scale."""
    def r(c: Any) -> Any:
        return round(c, digits) if isinstance(c, float) else [r(x) for x in c]

    return {"type": geometry["type"], "coordinates": r(geometry["coordinates"])}


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def map_layers(store: ReadModelStore, principal: Principal, settings: Settings, crs: CRS,
               route: dict[str, Any] | None = None) -> dict[str, Any]:
    """Hazards, zones, patrol points and homes as this principal may see them."""
    homes = in_scope(principal, store.children())
    view = home_view(principal)
    exposure = {e.hazard_id: e for e in store.exposures()}
    hazards = store.hazards()
    layers: dict[str, Any] = {
        "view": view.value,
        "homes": _fc([]),
        "home_cells": _fc([]),
        "hazards": _fc([{
            "type": "Feature", "id": h.hazard_id, "geometry": _round(h.geometry),
            "properties": {"kind": h.kind, "class": hazard_class(h.kind), "name": h.name,
                           "lacking": h.lacking,
                           "exposure": exposure[h.hazard_id].exposure
                           if h.hazard_id in exposure else 0.0}} for h in hazards]),
        "zones": _fc([{"type": "Feature", "id": h.hazard_id, "geometry": _round(h.zone),
                       "properties": {"kind": h.kind, "class": hazard_class(h.kind)}}
                      for h in hazards if h.zone]),
        "points": _fc(_points(store)),
        "route": route,
    }
    if view is HomeView.EXACT:
        near = {o.child_id: o for o in store.overlays()}
        water = {c: o.water.distance_m for c, o in near.items() if o.water}
        layers["homes"] = _fc([{
            "type": "Feature", "id": h.child_id, "geometry": _point(h.lon, h.lat),
            "properties": {"risk_grade": h.risk_grade, "age_band": h.age_band,
                           "village_code": h.village_code, "css": f"home home-{h.child_id}",
                           "water_m": water.get(h.child_id)}}
            for h in homes])
    else:
        cells = aggregate_cells(homes, settings.displacement_key, crs, settings.cell_m,
                                settings.min_cell_count)
        layers["home_cells"] = _fc([{
            "type": "Feature", "id": c.cell_id,
            "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in c.ring]]},
            "properties": {"count": c.count}} for c in cells])
    return layers


def _points(store: ReadModelStore) -> list[dict[str, Any]]:
    last = store.last_checkins()
    return [{"type": "Feature", "id": p.point_id, "geometry": _point(p.lon, p.lat),
             "properties": {"hazard_id": p.hazard_id, "reason": p.reason,
                            "schedule": p.schedule,
                            "last_checkin": last[p.point_id].isoformat()
                            if p.point_id in last else None}}
            for p in store.points()]
