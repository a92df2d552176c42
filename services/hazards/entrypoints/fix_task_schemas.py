"""Request and response schemas for fix tasks (隐患整改)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from shared.events.hazards import PROTECTIONS
from shared.schemas import PageOut, PageQuery

STATUSES = ("assigned", "reported_fixed", "confirmed")


class FixTaskIn(Schema):
    class Meta:
        unknown = RAISE

    hazard_id = fields.String(load_default="")
    protection = fields.String(load_default="", validate=validate.OneOf(("", *PROTECTIONS)))
    finding_id = fields.String(load_default="", metadata={
        "description": "instead of hazard_id and protection: the finding to put right"})
    due_on = fields.Date(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=500))

    @validates_schema
    def _target(self, data, **_kw):
        if not data["finding_id"] and not (data["hazard_id"] and data["protection"]):
            raise ValidationError("name hazard_id and protection, or a finding_id",
                                  "hazard_id")


class FixedIn(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=500))


class FixedPhoto(Schema):
    photo = fields.Raw(load_default=None, metadata={"type": "string", "format": "binary"})


class ConfirmIn(Schema):
    class Meta:
        unknown = RAISE

    fixed = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=500),
                         metadata={"description": "needed when not fixed: what is wrong"})


class FixTaskQuery(PageQuery):
    status = fields.String(load_default="", validate=validate.OneOf(("", *STATUSES)))


class FixTaskOut(Schema):
    id = fields.String()
    hazard_id = fields.String()
    village_code = fields.String()
    protection = fields.String()
    problem = fields.String()
    status = fields.String()
    due_on = fields.Date()
    assigned_to = fields.String()
    created_by = fields.String()
    created_at = fields.DateTime()
    finding_id = fields.String()
    note = fields.String()
    fixed_by = fields.String()
    fixed_at = fields.DateTime(allow_none=True)
    fixed_note = fields.String()
    has_photo = fields.Boolean()
    confirmed_by = fields.String()
    confirmed_at = fields.DateTime(allow_none=True)
    confirm_note = fields.String()
    version = fields.Integer()


class FixTaskPage(PageOut):
    items = fields.List(fields.Nested(FixTaskOut))
