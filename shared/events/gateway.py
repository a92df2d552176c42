"""Events the gateway publishes about patrol plans."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from shared.events.catalogue import Classification, EventSpec


class PlanPublished(Schema):
    class Meta:
        unknown = EXCLUDE

    plan_id = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    teams = fields.Integer(required=True)
    points = fields.Integer(required=True)


EVENTS = [
    EventSpec(type="gateway.plan.published.v1", topic="gateway.plans", key="plan_id",
              schema=PlanPublished, classification=Classification.INTERNAL,
              summary="A patrol plan for a date range was published to the teams."),
]
