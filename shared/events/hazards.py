"""Events the hazards service publishes about hazards, zones, patrols and devices."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from shared.events.catalogue import Classification, EventSpec
from shared.events.fields import GeoJSONGeometry, LonLat
from shared.events.vocabulary import (
    ACTIONS,
    FINDING_KINDS,
    HAZARD_KINDS,
    PROTECTION_STATES,
    PROTECTIONS,
)


class _Event(Schema):
    class Meta:
        unknown = EXCLUDE


class Protections(_Event):
    barrier = fields.String(load_default="missing", validate=validate.OneOf(PROTECTION_STATES))
    warning_sign = fields.String(load_default="missing",
                                 validate=validate.OneOf(PROTECTION_STATES))
    rescue_equipment = fields.String(load_default="missing",
                                     validate=validate.OneOf(PROTECTION_STATES))


class HazardCreated(_Event):
    hazard_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(HAZARD_KINDS))
    name = fields.String(load_default="")
    geometry = GeoJSONGeometry(required=True)
    village_code = fields.String(load_default="")
    protections = fields.Nested(Protections, load_default=lambda: Protections().load({}))
    risk_season = fields.String(load_default="")


class HazardRetired(_Event):
    hazard_id = fields.String(required=True)


class ZoneChanged(_Event):
    hazard_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(HAZARD_KINDS))
    buffer_m = fields.Float(required=True, validate=validate.Range(min=0))
    zone = GeoJSONGeometry(required=True)


class PatrolPointChanged(_Event):
    point_id = fields.String(required=True)
    hazard_id = fields.String(required=True)
    location = fields.Nested(LonLat, required=True)
    reason = fields.String(required=True, validate=validate.OneOf(
        ("home_cluster", "crossing", "swimming_spot", "manual")))
    schedule = fields.String(load_default="")
    active = fields.Boolean(load_default=True)


class CheckedIn(_Event):
    checkin_id = fields.String(required=True)
    point_id = fields.String(required=True)
    hazard_id = fields.String(required=True)
    member_id = fields.String(required=True)
    checked_at = fields.AwareDateTime(required=True)
    location = fields.Nested(LonLat, required=True)
    duration_s = fields.Integer(load_default=0, validate=validate.Range(min=0))
    track_m = fields.Float(load_default=0.0, validate=validate.Range(min=0))


class FindingReported(_Event):
    finding_id = fields.String(required=True)
    point_id = fields.String(load_default="")
    hazard_id = fields.String(required=True)
    village_code = fields.String(load_default="")
    kind = fields.String(required=True, validate=validate.OneOf(FINDING_KINDS))
    action = fields.String(load_default="none", validate=validate.OneOf(ACTIONS))
    severity = fields.String(required=True, validate=validate.OneOf(("urgent", "normal")))
    reported_at = fields.AwareDateTime(required=True)


class DeviceSilent(_Event):
    device_id = fields.String(required=True)
    hazard_id = fields.String(required=True)
    last_seen = fields.AwareDateTime(required=True, allow_none=True)
    interval_s = fields.Integer(required=True)




class FixTaskAssigned(_Event):
    """A missing or damaged protection became a fix task for the village committee."""

    task_id = fields.String(required=True)
    hazard_id = fields.String(required=True)
    village_code = fields.String(required=True)
    protection = fields.String(required=True, validate=validate.OneOf(PROTECTIONS))
    problem = fields.String(required=True, validate=validate.OneOf(("missing", "damaged")))
    due_on = fields.Date(required=True)
    assigned_to = fields.String(required=True)
    finding_id = fields.String(load_default="")


class FixTaskChanged(_Event):
    """A fix task was reported fixed, confirmed by a patrol, or found still broken."""

    task_id = fields.String(required=True)
    hazard_id = fields.String(required=True)
    village_code = fields.String(required=True)
    protection = fields.String(required=True, validate=validate.OneOf(PROTECTIONS))
    status = fields.String(required=True, validate=validate.OneOf(
        ("assigned", "reported_fixed", "confirmed")))
    due_on = fields.Date(required=True)
    at = fields.AwareDateTime(required=True)


class FixTaskOverdue(_Event):
    task_id = fields.String(required=True)
    hazard_id = fields.String(required=True)
    village_code = fields.String(required=True)
    protection = fields.String(required=True, validate=validate.OneOf(PROTECTIONS))
    due_on = fields.Date(required=True)


def _spec(type_: str, topic: str, key: str, schema: type[Schema], summary: str,
          cls: Classification = Classification.PUBLIC) -> EventSpec:
    return EventSpec(type=type_, topic=topic, key=key, schema=schema, classification=cls,
                     summary=summary)


_H, _P, _D, _F = "hazards.hazards", "hazards.patrols", "hazards.devices", "hazards.fix_tasks"
EVENTS = [
    _spec("hazards.hazard.created.v1", _H, "hazard_id", HazardCreated,
          "A water, road or terrain hazard was added to the inventory."),
    _spec("hazards.hazard.updated.v1", _H, "hazard_id", HazardCreated,
          "A hazard's geometry, attributes or protections changed."),
    _spec("hazards.hazard.retired.v1", _H, "hazard_id", HazardRetired,
          "A hazard was removed from the inventory (filled in, fenced off for good)."),
    _spec("hazards.zone.changed.v1", _H, "hazard_id", ZoneChanged,
          "A hazard's danger zone (buffer in metres) was computed or changed."),
    _spec("hazards.patrol_point.changed.v1", _P, "point_id", PatrolPointChanged,
          "A patrol point was generated, edited or deactivated."),
    _spec("hazards.patrol.checked_in.v1", _P, "point_id", CheckedIn,
          "A patrol member checked in at a point.", Classification.INTERNAL),
    _spec("hazards.finding.reported.v1", _P, "hazard_id", FindingReported,
          "A patrol or camera reported a finding; urgent when children are in danger now.",
          Classification.INTERNAL),
    _spec("hazards.device.silent.v1", _D, "device_id", DeviceSilent,
          "A camera or sensor missed its heartbeats.", Classification.INTERNAL),
    _spec("hazards.fix_task.assigned.v1", _F, "task_id", FixTaskAssigned,
          "A missing or damaged protection became a fix task (隐患整改) for the village "
          "committee, due on a date.", Classification.INTERNAL),
    _spec("hazards.fix_task.reported_fixed.v1", _F, "task_id", FixTaskChanged,
          "The village reported the fix, with a photo; the next patrol confirms it.",
          Classification.INTERNAL),
    _spec("hazards.fix_task.confirmed.v1", _F, "task_id", FixTaskChanged,
          "A patrol saw the fix: status confirmed (the hazard's protection is updated, "
          "hazards.hazard.updated.v1 follows) or assigned again (still broken).",
          Classification.INTERNAL),
    _spec("hazards.fix_task.overdue.v1", _F, "task_id", FixTaskOverdue,
          "A fix task is still with the village after its due date (once per due date).",
          Classification.INTERNAL),
]
