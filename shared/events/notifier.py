"""Events the notifier publishes: the record of who was told what, and whether they acted."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from shared.events.catalogue import Classification, EventSpec


class Delivery(Schema):
    class Meta:
        unknown = EXCLUDE

    delivery_id = fields.String(required=True)
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    recipient_id = fields.String(required=True)
    channel = fields.String(required=True)
    attempt = fields.Integer(load_default=1)
    case_id = fields.String(load_default="")
    level = fields.Integer(load_default=0)  # escalation level: 0 first recipients, 1 next …


EVENTS = [
    EventSpec(type=f"notifier.delivery.{what}.v1", topic="notifier.deliveries",
              key="delivery_id", schema=Delivery, classification=Classification.INTERNAL,
              summary=summary)
    for what, summary in (
        ("sent", "A notification was delivered over a channel."),
        ("failed", "A channel failed to deliver a notification after its retries."),
        ("acknowledged", "A recipient acknowledged a notification."),
        ("escalated", "An unacknowledged notification was escalated to the next level."),
    )
]
