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


class DirectoryGap(Schema):
    """An urgent message for a place the directory names nobody in."""

    class Meta:
        unknown = EXCLUDE

    gap_id = fields.String(required=True)
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    rule = fields.String(required=True)
    village_code = fields.String(required=True)  # "" when the event named no place
    recipients = fields.Integer(required=True)  # station deliveries made instead; 0: none
    raised_at = fields.AwareDateTime(required=True)


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
] + [
    EventSpec(type="notifier.directory.gap.v1", topic="notifier.alarms", key="gap_id",
              schema=DirectoryGap, classification=Classification.INTERNAL,
              summary="An urgent message found nobody in the directory for its place and "
                      "went to the township station instead: fill the directory."),
]
