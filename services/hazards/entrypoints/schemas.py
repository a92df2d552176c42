"""Request and response schemas of the hazards API."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate
from shapely.geometry import mapping

from shared.events.fields import GeoJSONGeometry
from shared.events.hazards import HAZARD_KINDS


class HazardIn(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, validate=validate.OneOf(HAZARD_KINDS))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    geometry = GeoJSONGeometry(required=True)


class HazardOut(Schema):
    id = fields.String()
    kind = fields.String()
    name = fields.String()
    geometry = fields.Function(lambda h: mapping(h.geometry))
