"""Events the gateway publishes: patrol plans and ended sessions."""

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


class SessionRevoked(Schema):
    """Tokens of a sign-in (``session_id``) or, when it is empty, every token of the user
    issued before ``not_before``, are revoked; services may forget it after ``expires_at``."""

    class Meta:
        unknown = EXCLUDE

    user_id = fields.String(required=True)
    session_id = fields.String(load_default="")
    not_before = fields.Integer(required=True)  # epoch seconds
    expires_at = fields.Integer(required=True)  # epoch seconds: no such token lives longer


EVENTS = [
    EventSpec(type="gateway.plan.published.v1", topic="gateway.plans", key="plan_id",
              schema=PlanPublished, classification=Classification.INTERNAL,
              summary="A patrol plan for a date range was published to the teams."),
    EventSpec(type="gateway.session.revoked.v1", topic="gateway.sessions", key="user_id",
              schema=SessionRevoked, classification=Classification.INTERNAL,
              summary="A sign-out, 'end all sessions' or a stolen refresh token ended "
                      "sessions: every service refuses their access tokens."),
]
