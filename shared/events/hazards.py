"""Events the hazards service publishes about water and road hazards."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from shared.events.catalogue import Classification, EventSpec
from shared.events.fields import GeoJSONGeometry

HAZARD_KINDS = (
    "river", "pond", "stream", "ditch", "canal", "reservoir", "dam", "swimming_spot",
    "road_no_barrier", "road_crossing", "road_sharp_bend", "road_play_area",
    "cliff", "steep_slope",
)


class HazardCreated(Schema):
    class Meta:
        unknown = EXCLUDE

    hazard_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(HAZARD_KINDS))
    name = fields.String(load_default="")
    geometry = GeoJSONGeometry(required=True)


EVENTS = [
    EventSpec(
        type="hazards.hazard.created.v1",
        topic="hazards.hazards",
        key="hazard_id",
        schema=HazardCreated,
        classification=Classification.PUBLIC,
        summary="A water or road hazard was added to the inventory.",
    ),
]
