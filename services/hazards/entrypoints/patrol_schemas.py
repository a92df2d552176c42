"""Request and response schemas for patrol points, check-ins and devices."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from shared.events.hazards import ACTIONS, FINDING_KINDS
from shared.schemas import LocationIn

PATROL_FINDINGS = tuple(k for k in FINDING_KINDS if k != "camera_alarm")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class Location(LocationIn, _Strict):
    """A patrol point's or a check-in's place (converted to WGS 84 when in GCJ-02)."""


class GpsFix(Location):
    accuracy_m = fields.Float(load_default=0.0, validate=validate.Range(min=0))


class PointIn(_Strict):
    hazard_id = fields.String(required=True)
    location = fields.Nested(Location, required=True)
    schedule = fields.String(load_default="", metadata={
        "description": "months=6-8;summer=daily;other=weekly;window=13:00-18:00 (defaults)"})
    note = fields.String(load_default="", validate=validate.Length(max=500))


class PointPatch(_Strict):
    location = fields.Nested(Location)
    schedule = fields.String()
    active = fields.Boolean()
    note = fields.String(validate=validate.Length(max=500))


class PointOut(Schema):
    id = fields.String()
    hazard_id = fields.String()
    lon = fields.Float()
    lat = fields.Float()
    reason = fields.String()
    schedule = fields.String()
    active = fields.Boolean()
    note = fields.String()
    last_checked_at = fields.DateTime(allow_none=True)
    due = fields.Boolean()


class PointQuery(Schema):
    hazard_id = fields.String()
    due = fields.Boolean(load_default=False, metadata={"description": "only points due a check"})


class GenerateOut(Schema):
    created = fields.Integer()
    moved = fields.Integer()
    deactivated = fields.Integer()
    unchanged = fields.Integer()
    homes = fields.Integer(metadata={"description": "homes the points were drawn from"})


class FindingIn(_Strict):
    kind = fields.String(required=True, validate=validate.OneOf(PATROL_FINDINGS))
    action = fields.String(load_default="none", validate=validate.OneOf(ACTIONS),
                           metadata={"description": "what the patrol did: reminded, stopped, "
                                     "moved_away (children at the water), or none"})
    note = fields.String(load_default="", validate=validate.Length(max=500))


class CheckInIn(_Strict):
    client_id = fields.String(required=True, validate=validate.Length(min=8, max=64),
                              metadata={"description": "generated on the phone; retries "
                                        "with the same id are recorded once"})
    point_id = fields.String(required=True)
    member_id = fields.String(required=True)
    checked_at = fields.AwareDateTime(required=True)
    location = fields.Nested(GpsFix, required=True)
    duration_s = fields.Integer(load_default=0, validate=validate.Range(min=0, max=86400))
    findings = fields.List(fields.Nested(FindingIn), load_default=list,
                           validate=validate.Length(max=20))
    track = fields.List(fields.List(fields.Float(), validate=validate.Length(equal=2)),
                        load_default=list, validate=validate.Length(max=5000),
                        metadata={"description": "GPS track [[lon, lat], …], same datum"})
    off_point_reason = fields.String(load_default="", validate=validate.Length(max=200),
                                     metadata={"description": "why the position is far from "
                                               "the point; without it such a check-in is "
                                               "refused"})


class CheckInBatch(_Strict):
    checkins = fields.List(fields.Nested(CheckInIn), required=True,
                           validate=validate.Length(min=1, max=200))


class CheckInResult(Schema):
    client_id = fields.String()
    status = fields.String(metadata={"description": "created | duplicate | refused"})
    checkin_id = fields.String()
    errors = fields.Dict()


class CheckInResults(Schema):
    results = fields.List(fields.Nested(CheckInResult))


class PhotoUpload(Schema):
    photo = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class DeviceIn(_Strict):
    device_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    location = fields.Nested(Location, required=True)
    interval_s = fields.Integer(load_default=300, validate=validate.Range(min=10, max=86400),
                                metadata={"description": "expected heartbeat interval"})
    hazard_id = fields.String(load_default=None, allow_none=True,
                              metadata={"description": "default: the nearest hazard"})


class DeviceOut(Schema):
    id = fields.String()
    hazard_id = fields.String()
    lon = fields.Float()
    lat = fields.Float()
    interval_s = fields.Integer()
    registered_at = fields.DateTime()
    last_seen = fields.DateTime(allow_none=True)
    silence_reported = fields.Boolean()


class AlarmIn(Schema):
    """What a camera or electronic fence sends; sign the raw body (see the header)."""

    alarm_id = fields.String(required=True, validate=validate.Length(min=1, max=100),
                             metadata={"description": "unique per device; retries are "
                                       "recorded once"})
    sent_at = fields.AwareDateTime(required=True)
    type = fields.String(load_default="fence_crossed", validate=validate.OneOf(
        ("fence_crossed", "person_in_water", "loitering", "other")))
    location = fields.Nested(Location, load_default=None, allow_none=True,
                             metadata={"description": "where it happened; default: the "
                                       "device's hazard"})
    confidence = fields.Float(load_default=None, allow_none=True,
                              validate=validate.Range(0, 1))


class HeartbeatIn(Schema):
    sent_at = fields.AwareDateTime(required=True)
    status = fields.String(load_default="ok", validate=validate.Length(max=40))


class AlarmOut(Schema):
    finding_id = fields.String()
    status = fields.String()
