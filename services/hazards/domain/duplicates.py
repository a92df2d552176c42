"""Duplicate hazards: same kind and at least 90% overlap, measured in metres."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from shared.geo import WGS84, utm_crs

OVERLAP = 0.9  # share of the smaller feature covered by the other
TOLERANCE_M = 5.0  # lines within this distance count as overlapping; points as the same


def find_duplicates(geoms: gpd.GeoSeries, kinds: np.ndarray) -> dict[int, int]:
    """Rows that repeat an earlier row, mapped to that earlier row's position.

    Parameters
    ----------
    geoms : GeoSeries in EPSG:4326 (lon/lat degrees), valid; earlier rows are the originals
        (put stored hazards first, then the file's features).
    kinds : hazard kind per row.

    Returns
    -------
    ``{later position: earlier position}``. Polygons overlap by area, lines by the length
    of the shorter within ``TOLERANCE_M`` metres of the other, points by distance.
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
        smaller = np.minimum(shapely.area(a[poly]), shapely.area(b[poly]))
        same[poly] = inter >= OVERLAP * np.maximum(smaller, 1e-9)
    line = (dim_a == 1) & (dim_b == 1)
    if line.any():
        la, lb = shapely.length(a[line]), shapely.length(b[line])
        short = np.where(la <= lb, a[line], b[line])
        long_ = np.where(la <= lb, b[line], a[line])
        covered = shapely.length(shapely.intersection(short, shapely.buffer(long_, TOLERANCE_M)))
        same[line] = covered >= OVERLAP * np.maximum(np.minimum(la, lb), 1e-9)
    same |= (dim_a == 0) & (dim_b == 0)  # already within TOLERANCE_M by the query
    out: dict[int, int] = {}
    for later, earlier in zip(left[same].tolist(), right[same].tolist(), strict=True):
        out[later] = min(earlier, out.get(later, earlier))
    return out
