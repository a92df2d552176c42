"""What one person may see on the map, as GeoJSON: the same dict feeds the JSON API
and the HTML page, so privacy by role is decided once."""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from typing import Any

import numpy as np
from pyproj import CRS

from services.gateway.config import Settings
from services.gateway.read_model.adapters.read_model_store import ReadModelStore
from services.gateway.read_model.adapters.villages import village_name
from services.gateway.read_model.domain.field_points import field_point
from services.gateway.read_model.domain.privacy import (
    HomeView,
    aggregate_cells,
    home_view,
    in_scope,
)
from services.gateway.read_model.domain.read_model import HazardShape, hazard_class
from shared.auth.principal import Principal
from shared.clock import township_today

log = logging.getLogger(__name__)


class PageCache:
    """Rendered pages by read-model version and by scope: everything that decides what
    the caller may see (view, township, villages, day) or asked for. Any applied event
    changes the version, so nothing stale is served and nothing crosses scopes.

    A render takes a few hundred milliseconds on a loaded machine, so a warmer thread
    keeps the pages asked for in the last ``recent_s`` seconds ready: it polls the
    version and renders them again once an event has settled, and a caller after an
    event is served from the cache. It stops when nobody has asked for ``recent_s``. A key is
    rendered once at a time: a caller arriving mid-render waits for that render."""

    def __init__(self, version: Callable[[], Hashable], size: int = 64, warm: int = 8,
                 recent_s: float = 600.0, poll_s: float = 0.5):
        self._version = version
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, threading.Event] = {}
        self._recent: OrderedDict[Hashable, tuple[float, Callable[[], Any]]] = OrderedDict()
        self._size, self._warm, self._recent_s, self._poll_s = size, warm, recent_s, poll_s
        self._lock = threading.Lock()
        self._warmer: threading.Thread | None = None
        self._seen: Hashable = None  # the warmer's last polled and last warmed versions
        self._warmed: Hashable = None
        self._failing = False

    @staticmethod
    def scope(principal: Principal, *extra: Hashable) -> Hashable:
        return (home_view(principal), principal.township_code,
                tuple(sorted(principal.village_codes)), township_today(), *extra)

    def get(self, scope: Hashable, make: Callable[[], Any]) -> Any:
        """The page for this scope at the current version; ``make`` must not depend on
        the request (the warmer calls it again later, from its own thread)."""
        with self._lock:
            self._recent[scope] = (time.monotonic(), make)
            self._recent.move_to_end(scope)
            if self._warmer is None:
                self._warmer = threading.Thread(
                    target=_warm_loop, args=(weakref.ref(self), self._poll_s), daemon=True,
                    name="map-page-warmer")
                self._warmer.start()
        return self._fill((self._version(), scope), make)

    @property
    def warming(self) -> bool:
        with self._lock:
            return self._warmer is not None

    def cached(self, scope: Hashable) -> bool:
        """Whether this scope's page for the current version is ready."""
        key = (self._version(), scope)
        with self._lock:
            return key in self._items

    def _fill(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            busy = self._pending.get(key)
            if busy is None:
                mine = self._pending[key] = threading.Event()
        if busy is not None:
            busy.wait()
            return self._fill(key, make)  # rendered meanwhile (or failed: try ourselves)
        try:
            value = make()
            with self._lock:
                self._items[key] = value
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
            return value
        finally:
            with self._lock:
                del self._pending[key]
            mine.set()

    def _warm_once(self) -> bool:
        """One poll of the warmer; False when nobody asked for ``recent_s`` seconds.
        A version is warmed once it held for a poll interval: during a burst of events
        (a seed, a replay) the pages would be stale before they were done."""
        with self._lock:
            now = time.monotonic()
            for scope in [s for s, (at, _) in self._recent.items() if now - at > self._recent_s]:
                del self._recent[scope]
            if not self._recent:
                self._warmer = None
                return False
            jobs = list(self._recent.items())[-self._warm:]
        try:
            version = self._version()
            if version == self._seen != self._warmed:
                self._warmed = version  # tried once: if a render fails, callers render
                for scope, (_, make) in reversed(jobs):  # the latest asked first
                    self._fill((version, scope), make)
            self._seen, self._failing = version, False
        except Exception as exc:  # noqa: BLE001 - keep warming; callers render
            if not self._failing:  # once per spell of failures, not twice a second
                log.warning("map page warmer: %s", type(exc).__name__)
            self._failing = True
        return True


def _warm_loop(ref: weakref.ref[PageCache], poll_s: float) -> None:
    """The warmer thread holds its cache weakly: it ends with the cache (an app that is
    gone) as well as when nobody asks any more."""
    while True:
        time.sleep(poll_s)
        cache = ref()
        if cache is None or not cache._warm_once():
            return
        del cache


def _fc(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _round(geometry: dict[str, Any], digits: int = 6) -> dict[str, Any]:
    """Coordinates to ~0.1 m: smaller pages, nothing lost at map scale. A position or a
    list of positions at a time in numpy: a township's outlines and zones hold some
    100,000 numbers, and rounding them one by one took most of a page's render."""
    def r(c: Any) -> Any:
        if not c or isinstance(c[0], int | float) or isinstance(c[0][0], int | float):
            return np.round(np.asarray(c, dtype=float), digits).tolist()
        return [r(x) for x in c]

    return {"type": geometry["type"], "coordinates": r(geometry["coordinates"])}


def _point(lon: float, lat: float) -> dict[str, Any]:
    """A position to ~0.1 m, like the outlines (17 digits a number cost the page 5 KB)."""
    return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}


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
                           "lacking": h.lacking, "village_code": h.village_code,
                           "exposure": exposure[h.hazard_id].exposure
                           if h.hazard_id in exposure else 0.0}} for h in hazards]),
        "zones": _fc([{"type": "Feature", "id": h.hazard_id, "geometry": _round(h.zone),
                       "properties": {"kind": h.kind, "class": hazard_class(h.kind)}}
                      for h in hazards if h.zone]),
        "points": _fc(_points(store, hazards)),
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


def _points(store: ReadModelStore, hazards: list[HazardShape]) -> list[dict[str, Any]]:
    """Each point named after its hazard, with its village and what to check there;
    the last check-in as an instant with its offset (the phone shows Chinese time)."""
    last = store.last_checkins()
    by_id = {h.hazard_id: h for h in hazards}
    features = []
    for p in store.points():
        f = field_point(p, by_id.get(p.hazard_id))
        features.append({
            "type": "Feature", "id": p.point_id, "geometry": _point(p.lon, p.lat),
            "properties": {"hazard_id": p.hazard_id, "reason": p.reason,
                           "schedule": p.schedule, "name": f.name, "kind": f.kind,
                           "village_code": f.village_code,
                           "village": village_name(f.village_code) if f.village_code else "",
                           "check": list(f.check),
                           "last_checkin": _instant(last[p.point_id])
                           if p.point_id in last else None}})
    return features


def _instant(at: datetime) -> str:
    """ISO 8601 with the offset: SQLite hands back naive UTC."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).isoformat()
