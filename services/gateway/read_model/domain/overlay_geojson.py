"""GeoJSON geometries to projected shapely geometries, one batch per geometry type.

``shapely.geometry.shape`` builds one geometry per Python call, and projecting them
afterwards walks them again; a county's 22,000 hazards cost about half a second that
way. Here the coordinates of all geometries of a type are gathered into one array,
projected in one call and built with ``shapely.from_ragged_array``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import shapely
from shapely import GeometryType

# How deep coordinates are nested, and the shapely type, per GeoJSON type.
_NESTING = {"Point": (0, GeometryType.POINT), "LineString": (1, GeometryType.LINESTRING),
            "MultiPoint": (1, GeometryType.MULTIPOINT), "Polygon": (2, GeometryType.POLYGON),
            "MultiLineString": (2, GeometryType.MULTILINESTRING),
            "MultiPolygon": (3, GeometryType.MULTIPOLYGON)}

Project = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def projected_geometries(objs: Sequence[dict[str, Any] | None], project: Project
                         ) -> np.ndarray:
    """Shapely geometries (None where the object is None) with projected coordinates;
    other geometry types (collections) go through ``shapely.geometry.shape``."""
    out = np.full(len(objs), None, dtype=object)
    by_type: dict[str, list[int]] = {}
    for i, obj in enumerate(objs):
        if obj is not None:
            by_type.setdefault(obj["type"] if obj["type"] in _NESTING else "", []).append(i)
    for kind, where in by_type.items():
        if not kind:
            raw = np.array([shapely.geometry.shape(objs[i]) for i in where], dtype=object)
            out[where] = shapely.transform(raw, lambda c: np.column_stack(
                project(c[:, 0], c[:, 1])))
            continue
        depth, geometry_type = _NESTING[kind]
        items: list[Any] = [objs[i]["coordinates"] for i in where]  # type: ignore[index]  # a GeoJSON dict here
        offsets = []
        for _ in range(depth):
            offsets.append(np.cumsum([0] + [len(item) for item in items]))
            items = [child for item in items for child in item]
        xy = np.array([(c[0], c[1]) for c in items], dtype=float).reshape(-1, 2)
        x, y = project(xy[:, 0], xy[:, 1])
        out[where] = shapely.from_ragged_array(geometry_type, np.column_stack([x, y]),
                                               tuple(reversed(offsets)) or None)
    return out
