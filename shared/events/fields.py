"""Field types that several event schemas share."""

from __future__ import annotations

import math
from typing import Any

import shapely.errors
from marshmallow import Schema, ValidationError, fields, validate
from shapely.geometry import shape


class LonLat(Schema):
    """A WGS 84 point, longitude first, in degrees."""

    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))


class GeoJSONGeometry(fields.Dict):
    """An RFC 7946 geometry object (WGS 84, lon/lat order).

    With ``max_vertices`` (bodies from people and devices, not events of our own
    services) the coordinates must also be finite numbers in positions, at most that
    many, forming a geometry shapely can build: malformed input is a 422 naming the
    field, and a million-vertex body never reaches the geometry engine."""

    _TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
    default_error_messages = {
        "invalid": "Not a GeoJSON geometry with type and coordinates.",
        "malformed": "Coordinates do not form a {type}: {why}.",
        "too_many": "More than {max} vertices: simplify the geometry or import it as a file.",
    }

    def __init__(self, *, max_vertices: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_vertices = max_vertices

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if value.get("type") not in self._TYPES or "coordinates" not in value:
            raise self.make_error("invalid")
        if self.max_vertices is not None:
            self._check_shape(value)
        return value

    def _check_shape(self, value: dict[str, Any]) -> None:
        if count_positions(value["coordinates"], self.max_vertices or 0) > (
                self.max_vertices or 0):
            raise self.make_error("too_many", max=self.max_vertices)
        try:
            shape(value)
        except (ValueError, TypeError, AttributeError, IndexError, KeyError,
                shapely.errors.GEOSException) as exc:
            raise self.make_error("malformed", type=value["type"], why=exc) from exc


def count_positions(coordinates: Any, stop_after: int) -> int:
    """Positions ([lon, lat] or [lon, lat, z] of finite numbers) in nested coordinates,
    counting no further than ``stop_after`` + 1; anything else raises ValidationError."""
    count, stack = 0, [coordinates]
    while stack and count <= stop_after:
        item = stack.pop()
        if not isinstance(item, list | tuple) or not item:
            raise ValidationError("coordinates must be nested arrays of positions")
        if all(isinstance(x, int | float) and not isinstance(x, bool) for x in item):
            if len(item) not in (2, 3) or not all(math.isfinite(x) for x in item):
                raise ValidationError("a position is [longitude, latitude] in finite numbers")
            count += 1
        else:
            stack.extend(item)
    return count
