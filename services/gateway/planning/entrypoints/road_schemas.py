"""Schemas of the road network layer's API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.gateway.planning.domain.road_graph import JOIN_M


class RoadFile(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class RoadImportArgs(Schema):
    join_m = fields.Float(load_default=JOIN_M, validate=validate.Range(0, 200), metadata={
        "description": "link ends this close (metres) to another link are joined to it; "
                       "every join is listed in the report"})


class _Refusal(Schema):
    feature = fields.String()
    reason = fields.String()


class _Join(Schema):
    from_link = fields.String()
    to_link = fields.String()
    gap_m = fields.Float()


class RoadNetworkOut(Schema):
    version = fields.Integer(metadata={"description": "every import is a new version; "
                                       "plans use the newest"})
    source = fields.String()
    imported_at = fields.DateTime()
    features = fields.Integer()
    accepted = fields.Integer(metadata={"description": "links stored"})
    refused = fields.List(fields.Nested(_Refusal))
    skipped_not_roads = fields.Integer(metadata={"description": "OSM features that are "
                                                 "not roads"})
    join_m = fields.Float()
    joined = fields.List(fields.Nested(_Join))
    components = fields.Integer(metadata={"description": "connected road pieces; a patrol "
                                          "point on another piece than its team's start "
                                          "is reported by the plan"})
    component_km = fields.List(fields.Float(), metadata={"description": "largest first"})
    km = fields.Float()
    one_way = fields.Integer()
