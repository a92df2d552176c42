"""Events the registry publishes about children, visits and cases."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from shared.events.catalogue import Classification, EventSpec
from shared.events.fields import AGE_BANDS, RISK_GRADES, LonLat


class ChildRegistered(Schema):
    """A child entered the registry. No name or ID number: subscribers that need
    them ask the registry with their own authorisation."""

    class Meta:
        unknown = EXCLUDE

    child_id = fields.String(required=True)
    village_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$"))
    home = fields.Nested(LonLat, required=True)
    age_band = fields.String(required=True, validate=validate.OneOf(AGE_BANDS))
    risk_grade = fields.String(required=True, validate=validate.OneOf(RISK_GRADES))
    categories = fields.List(fields.String(), load_default=list)


EVENTS = [
    EventSpec(
        type="registry.child.registered.v1",
        topic="registry.children",
        key="child_id",
        schema=ChildRegistered,
        classification=Classification.SENSITIVE,
        summary="A child was registered; carries the home location for the patrol map.",
    ),
]
