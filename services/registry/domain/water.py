"""Distance from homes to the nearest water hazard, computed in metres.

Hazards arrive as GeoJSON in WGS 84; homes are WGS 84 lon/lat. Both are projected
into the township's UTM zone once, and an STRtree answers the nearest-hazard query
for all homes in one vectorised call (50,000 homes in well under a second).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import shape

from shared.geo import WGS84, utm_crs


@lru_cache(maxsize=8)
def _utm(centre: tuple[float, float]) -> CRS:
    return utm_crs(*centre)


class WaterIndex:
    """Water hazards and their danger zones in a metric CRS, for nearest-distance queries.

    Parameters
    ----------
    geometries : iterable of GeoJSON mappings of water hazards, WGS 84 lon/lat degrees.
    zones : iterable of GeoJSON polygons of danger zones, WGS 84 lon/lat degrees.
    centre : (lon, lat) in WGS 84 degrees picking the UTM zone (metres) for the work.
    """

    def __init__(self, geometries: Iterable[dict], zones: Iterable[dict],
                 centre: tuple[float, float]):
        self.crs = _utm(centre)
        self._to_metric = Transformer.from_crs(WGS84, self.crs, always_xy=True)
        self._water = self._tree(geometries)
        self._zones = self._tree(zones)

    def _tree(self, geojson: Iterable[dict]) -> shapely.STRtree | None:
        geoms = [shapely.transform(shape(g), self._project) for g in geojson]
        return shapely.STRtree(geoms) if geoms else None

    def _project(self, coords: np.ndarray) -> np.ndarray:
        x, y = self._to_metric.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    def _points(self, lons: Sequence[float], lats: Sequence[float]) -> np.ndarray:
        x, y = self._to_metric.transform(np.asarray(lons, float), np.asarray(lats, float))
        return shapely.points(x, y)

    def distances_m(self, lons: Sequence[float], lats: Sequence[float]) -> np.ndarray:
        """Distance in metres from each WGS 84 point to the nearest water hazard.

        NaN for every point when there is no hazard; 0 inside a pond's outline.
        """
        out = np.full(len(lons), np.nan)
        if self._water is None or len(lons) == 0:
            return out
        (idx, _), dist = self._water.query_nearest(self._points(lons, lats),
                                                   return_distance=True, all_matches=False)
        out[idx] = dist
        return out

    def in_zone(self, lons: Sequence[float], lats: Sequence[float]) -> np.ndarray:
        """Whether each WGS 84 point lies inside any hazard's danger zone (bool array)."""
        out = np.zeros(len(lons), dtype=bool)
        if self._zones is None or len(lons) == 0:
            return out
        idx, _ = self._zones.query(self._points(lons, lats), predicate="within")
        out[idx] = True
        return out
