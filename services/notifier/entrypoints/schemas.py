"""Request and response schemas of the notifier's API (they make its OpenAPI)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.notifier.domain.directory import CHANNELS, LANGS, ROLES
from shared.schemas import PageOut, PageQuery


class EventIn(Schema):
    type = fields.String(required=True, metadata={"description": "e.g. registry.case.opened.v1"})
    data = fields.Dict(required=True)
    at = fields.AwareDateTime(load_default=None, metadata={"description": "evaluate at"})


class PlannedDeliveryOut(Schema):
    recipient_id = fields.String()
    role = fields.String()
    channel = fields.String()
    not_before = fields.AwareDateTime()


class PlannedAlertOut(Schema):
    rule = fields.String()
    urgent = fields.Boolean()
    village_code = fields.String()
    ack_within_s = fields.Integer(allow_none=True)
    escalation = fields.List(fields.String())
    deliveries = fields.List(fields.Nested(PlannedDeliveryOut))


class RulesStatusOut(Schema):
    path = fields.String()
    digest = fields.String()
    loaded_at = fields.Float()
    rules = fields.Integer()
    error = fields.String()


class PersonIn(Schema):
    role = fields.String(required=True, validate=validate.OneOf(sorted(ROLES)))
    scope_code = fields.String(required=True, validate=validate.Regexp(r"^(\d{6}|\d{9}|\d{12})$"))
    contacts = fields.Dict(keys=fields.String(validate=validate.OneOf(CHANNELS)),
                           values=fields.String(), load_default=dict)
    user_id = fields.String(load_default="")
    lang = fields.String(load_default="zh", validate=validate.OneOf(LANGS))
    label = fields.String(load_default="", validate=validate.Length(max=120))


class PersonOut(PersonIn):
    person_id = fields.String()


class DeliveryQuery(PageQuery):
    event_id = fields.String()
    recipient_id = fields.String()
    case_id = fields.String()
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    state = fields.String(validate=validate.OneOf(("pending", "sending", "sent", "failed")))


class AttemptOut(Schema):
    attempt = fields.Integer()
    started_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime(allow_none=True)
    outcome = fields.String()
    detail = fields.String()


class DeliveryOut(Schema):
    delivery_id = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    case_id = fields.String()
    village_code = fields.String()
    rule = fields.String()
    recipient_id = fields.String()
    channel = fields.String()
    level = fields.Integer()
    urgent = fields.Boolean()
    state = fields.String()
    attempt = fields.Integer()
    created_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)
    acked_at = fields.AwareDateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    attempts = fields.List(fields.Nested(AttemptOut))


class DeliveryPage(PageOut):
    items = fields.List(fields.Nested(DeliveryOut))


class InboxItemOut(Schema):
    delivery_id = fields.String()
    event_type = fields.String()
    case_id = fields.String()
    urgent = fields.Boolean()
    subject = fields.String()
    body = fields.String()
    link = fields.String()
    created_at = fields.AwareDateTime()
    acked_at = fields.AwareDateTime(allow_none=True)
    alert_acked_at = fields.AwareDateTime(allow_none=True)


class AckOut(Schema):
    delivery_id = fields.String()
    acknowledged = fields.Boolean()
    first = fields.Boolean()
