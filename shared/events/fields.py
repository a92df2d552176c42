"""Field types that several event schemas share."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class LonLat(Schema):
    """A WGS 84 point, longitude first, in degrees."""

    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))


class GeoJSONGeometry(fields.Dict):
    """An RFC 7946 geometry object (WGS 84, lon/lat order)."""

    _TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[no-untyped-def]
        value = super()._deserialize(value, attr, data, **kwargs)
        if value.get("type") not in self._TYPES or "coordinates" not in value:
            raise self.make_error("invalid")
        return value

    default_error_messages = {"invalid": "Not a GeoJSON geometry with type and coordinates."}


AGE_BANDS = ("0-2", "3-5", "6-11", "12-15", "16-17")
RISK_GRADES = ("high", "medium", "low")
