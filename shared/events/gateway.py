"""Events the gateway publishes: patrol plans, ended sessions, staff background checks."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

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


class StaffCheckRecorded(Schema):
    """A person's background-check standing after a check was recorded (docs/adr/0506):
    services refuse close contact with children unless ``valid_until`` covers the day;
    on a match, the station must end the engagement by ``end_by``."""

    class Meta:
        unknown = EXCLUDE

    user_id = fields.String(required=True)
    township_code = fields.String(required=True)
    village_code = fields.String(load_default="")  # first village served, for routing
    result = fields.String(required=True, validate=validate.OneOf(("clear", "match")))
    checked_on = fields.Date(required=True)
    valid_until = fields.Date(load_default=None, allow_none=True)  # None: not valid at all
    end_by = fields.Date(load_default=None, allow_none=True)  # a match: 30 working days


EVENTS = [
    EventSpec(type="gateway.plan.published.v1", topic="gateway.plans", key="plan_id",
              schema=PlanPublished, classification=Classification.INTERNAL,
              summary="A patrol plan for a date range was published to the teams."),
    EventSpec(type="gateway.session.revoked.v1", topic="gateway.sessions", key="user_id",
              schema=SessionRevoked, classification=Classification.INTERNAL,
              summary="A sign-out, 'end all sessions' or a stolen refresh token ended "
                      "sessions: every service refuses their access tokens."),
    EventSpec(type="gateway.staff_check.recorded.v1", topic="gateway.staff_checks",
              key="user_id", schema=StaffCheckRecorded,
              classification=Classification.SENSITIVE,
              summary="A staff member's background check was recorded: until when they may "
                      "work with children, and on a match the date their engagement ends."),
]
