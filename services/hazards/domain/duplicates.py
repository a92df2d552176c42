"""Duplicate hazards: the same kind and the same geometry end to end, in metres.

A feature is only a duplicate when every part of it lies near the other and every part of
the other lies near it (Hausdorff distance): a short road link lying along a longer one,
or a small pond inside a reservoir, is a different feature and is kept.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from shared.geo import WGS84, utm_crs

OVERLAP = 0.9  # polygons: share of the larger one's area the two have in common
TOLERANCE_M = 5.0  # lines and points: no vertex or stretch farther than this from the other


def find_duplicates(geoms: gpd.GeoSeries, kinds: np.ndarray) -> dict[int, int]:
    """Rows that repeat an earlier row, mapped to that earlier row's position.

    Parameters
    ----------
    geoms : GeoSeries in EPSG:4326 (lon/lat degrees), valid; earlier rows are the originals
        (put stored hazards first, then the file's features).
    kinds : hazard kind per row.

    Returns
    -------
    ``{later position: earlier position}``. Polygons match when they share ``OVERLAP`` of
    the larger one's area; lines and points when their Hausdorff distance is at most
    ``TOLERANCE_M`` metres (end to end: a link sharing only a stretch with another is kept).
    """
    if len(geoms) < 2:
        return {}
    if geoms.crs is None or not geoms.crs.equals(WGS84):
        raise ValueError("find_duplicates expects EPSG:4326")
    minx, miny, maxx, maxy = geoms.total_bounds
    metric = geoms.to_crs(utm_crs((minx + maxx) / 2, (miny + maxy) / 2)).values
    left, right = shapely.STRtree(metric).query(metric, predicate="dwithin",
                                                distance=TOLERANCE_M)
    keep = (left > right) & (kinds[left] == kinds[right])
    left, right = left[keep], right[keep]
    if len(left) == 0:
        return {}
    a, b = metric[left], metric[right]
    dim_a, dim_b = shapely.get_dimensions(a), shapely.get_dimensions(b)
    same = np.zeros(len(left), dtype=bool)
    poly = (dim_a == 2) & (dim_b == 2)
    if poly.any():
        inter = shapely.area(shapely.intersection(a[poly], b[poly]))
        larger = np.maximum(shapely.area(a[poly]), shapely.area(b[poly]))
        same[poly] = inter >= OVERLAP * np.maximum(larger, 1e-9)
    other = (dim_a == dim_b) & (dim_a < 2)
    if other.any():
        same[other] = shapely.hausdorff_distance(a[other], b[other]) <= TOLERANCE_M
    out: dict[int, int] = {}
    for later, earlier in zip(left[same].tolist(), right[same].tolist(), strict=True):
        out[later] = min(earlier, out.get(later, earlier))
    return out
