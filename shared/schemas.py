"""Input and output schemas every service's API shares: pages of a list and points.

One definition each, so a page is bounded alike everywhere and a point is checked
alike whether a clerk, a phone or a device sends it.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from shared.geo import Datum

MAX_PAGE = 100_000  # page × page_size stays far below a 32-bit integer (SQLite, PostgreSQL)
DATUMS = tuple(d.value for d in Datum)


def page_size_field(max_size: int = 100) -> fields.Integer:
    """How many records a page holds; a service lowers ``max_size`` where a page of
    full records would amount to a bulk export."""
    return fields.Integer(load_default=50, validate=validate.Range(1, max_size))


class PageQuery(Schema):
    """Which page of a list."""

    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE))
    page_size = page_size_field()


class PageOut(Schema):
    """One page of a list: ``total`` counts every record in the caller's scope."""

    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


def datum_field(description: str = "", **kwargs: Any) -> fields.String:
    """The datum of coordinates sent: ``wgs84`` (GPS) unless ``gcj02`` (Chinese web maps:
    AMap, Tencent, WeChat), which ``shared.geo.to_wgs84`` converts."""
    metadata = {"description": description} if description else {}
    return fields.String(load_default=Datum.WGS84.value, validate=validate.OneOf(DATUMS),
                         metadata=metadata, **kwargs)


class LocationIn(Schema):
    """A point as a person or a phone sends it: longitude and latitude in degrees, in
    ``datum``."""

    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    datum = datum_field()
