"""Request and response schemas of the registry API (they make its OpenAPI)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate


class HomeIn(Schema):
    class Meta:
        unknown = RAISE

    lon = fields.Float(required=True)
    lat = fields.Float(required=True)
    datum = fields.String(load_default="wgs84", validate=validate.OneOf(["wgs84", "gcj02"]))


class ChildIn(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(1, 100))
    gender = fields.String(required=True, validate=validate.OneOf(["male", "female"]))
    birth_date = fields.Date(required=True)
    village_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$"))
    home = fields.Nested(HomeIn, required=True)
    categories = fields.List(fields.String(), load_default=list)


class ChildOut(Schema):
    id = fields.String()
    name = fields.String()
    gender = fields.String()
    birth_date = fields.Date()
    village_code = fields.String()
    home = fields.Method("_home")
    categories = fields.List(fields.String())
    risk_grade = fields.String()

    def _home(self, child):  # type: ignore[no-untyped-def]
        return {"lon": child.home_lon, "lat": child.home_lat}
