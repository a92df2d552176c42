"""Events the registry publishes about children, home visits and cases.

No names or ID numbers travel: subscribers that need them ask the registry with
their own authorisation. ``registry.case.opened`` is the new-case event other
departments subscribe to.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from shared.events.catalogue import Classification, EventSpec
from shared.events.fields import LonLat
from shared.events.vocabulary import AGE_BANDS, CASE_STEPS, RISK_GRADES, SITUATIONS, UNITS

VILLAGE_CODE = validate.Regexp(r"^\d{12}$", error="must be a 12-digit village code")


class _Event(Schema):
    class Meta:
        unknown = EXCLUDE


class ChildRegistered(_Event):
    """A child entered the registry or changed; carries what the patrol map needs."""

    child_id = fields.String(required=True)
    village_code = fields.String(required=True, validate=VILLAGE_CODE)
    home = fields.Nested(LonLat, required=True, allow_none=True)  # None: no coordinates
    age_band = fields.String(required=True, validate=validate.OneOf(AGE_BANDS))
    risk_grade = fields.String(required=True, validate=validate.OneOf(RISK_GRADES))
    categories = fields.List(fields.String(), load_default=list)
    living_alone = fields.Boolean(load_default=False)


class RiskChanged(_Event):
    child_id = fields.String(required=True)
    village_code = fields.String(required=True, validate=VILLAGE_CODE)
    previous_grade = fields.String(allow_none=True, load_default=None,
                                   validate=validate.OneOf(RISK_GRADES))
    risk_grade = fields.String(required=True, validate=validate.OneOf(RISK_GRADES))
    reasons = fields.List(fields.String(), load_default=list)
    visit_interval_days = fields.Integer(required=True, validate=validate.Range(min=1))


class ChildArchived(_Event):
    child_id = fields.String(required=True)
    village_code = fields.String(required=True, validate=VILLAGE_CODE)


class VisitRecorded(_Event):
    visit_id = fields.String(required=True)
    child_id = fields.String(required=True)
    village_code = fields.String(required=True, validate=VILLAGE_CODE)
    visited_at = fields.AwareDateTime(required=True)
    visitor_id = fields.String(required=True)
    next_due = fields.Date(required=True)


class VisitOverdue(_Event):
    child_id = fields.String(required=True)
    village_code = fields.String(required=True, validate=VILLAGE_CODE)
    due_date = fields.Date(required=True)
    child_director_id = fields.String(required=True)
    risk_grade = fields.String(required=True, validate=validate.OneOf(RISK_GRADES))


class CaseOpened(_Event):
    case_id = fields.String(required=True)
    child_id = fields.String(required=True)
    village_code = fields.String(required=True, validate=VILLAGE_CODE)
    situation = fields.String(required=True, validate=validate.OneOf(SITUATIONS))
    severity = fields.String(required=True, validate=validate.OneOf(("urgent", "normal")))
    step = fields.String(required=True, validate=validate.OneOf(CASE_STEPS))
    mandatory_report = fields.Boolean(required=True)
    opened_at = fields.AwareDateTime(required=True)


class CaseTransitioned(_Event):
    case_id = fields.String(required=True)
    child_id = fields.String(required=True)
    village_code = fields.String(required=True, validate=VILLAGE_CODE)
    from_step = fields.String(required=True, validate=validate.OneOf(CASE_STEPS))
    to_step = fields.String(required=True, validate=validate.OneOf(CASE_STEPS))
    owner_id = fields.String(required=True)


class CaseApprovalRequested(_Event):
    """A director asks the township's supervisors to approve a step of a case."""

    case_id = fields.String(required=True)
    request_id = fields.String(required=True)
    village_code = fields.String(required=True, validate=VILLAGE_CODE)
    from_step = fields.String(required=True, validate=validate.OneOf(CASE_STEPS))
    to_step = fields.String(required=True, validate=validate.OneOf(CASE_STEPS))
    requested_by = fields.String(required=True)


class CaseApprovalDecided(_Event):
    """A supervisor approved (the case moved) or returned (with a note) a request."""

    case_id = fields.String(required=True)
    request_id = fields.String(required=True)
    village_code = fields.String(required=True, validate=VILLAGE_CODE)
    to_step = fields.String(required=True, validate=validate.OneOf(CASE_STEPS))
    decision = fields.String(required=True, validate=validate.OneOf(("approved", "returned")))
    requested_by = fields.String(required=True)
    decided_by = fields.String(required=True)


class CaseReferred(_Event):
    case_id = fields.String(required=True)
    referral_id = fields.String(required=True)
    village_code = fields.String(required=True, validate=VILLAGE_CODE)
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))


class CaseClosed(_Event):
    case_id = fields.String(required=True)
    child_id = fields.String(required=True)
    village_code = fields.String(required=True, validate=VILLAGE_CODE)
    outcome = fields.String(required=True)


def _spec(type_: str, topic: str, key: str, schema: type[Schema], cls: Classification,
          summary: str) -> EventSpec:
    return EventSpec(type=type_, topic=topic, key=key, schema=schema, classification=cls,
                     summary=summary)


_C, _V, _K = "registry.children", "registry.visits", "registry.cases"
EVENTS = [
    _spec("registry.child.registered.v1", _C, "child_id", ChildRegistered,
          Classification.SENSITIVE, "A child was registered; home location for the map."),
    _spec("registry.child.updated.v1", _C, "child_id", ChildRegistered,
          Classification.SENSITIVE, "A child's map-relevant facts changed."),
    _spec("registry.child.risk_changed.v1", _C, "child_id", RiskChanged,
          Classification.PERSONAL, "A child's risk grade changed, with the reasons."),
    _spec("registry.child.archived.v1", _C, "child_id", ChildArchived,
          Classification.PERSONAL, "A child left the registry (turned 18, moved, archived)."),
    _spec("registry.visit.recorded.v1", _V, "child_id", VisitRecorded,
          Classification.PERSONAL, "A home visit was recorded (once per visit: a resent "
          "request publishes nothing); the next one is due then."),
    _spec("registry.visit.overdue.v1", _V, "child_id", VisitOverdue,
          Classification.PERSONAL, "A child's home visit is overdue (once per due date)."),
    _spec("registry.case.opened.v1", _K, "case_id", CaseOpened, Classification.SENSITIVE,
          "A case was opened (the new-case event other departments subscribe to); a child "
          "has at most one open case per situation."),
    _spec("registry.case.transitioned.v1", _K, "case_id", CaseTransitioned,
          Classification.PERSONAL, "A case moved to another step of the five-step response."),
    _spec("registry.case.approval_requested.v1", _K, "case_id", CaseApprovalRequested,
          Classification.PERSONAL, "A director asks a supervisor to approve a step (leaving "
          "assessment or assistance, or closing); one request waits at a time."),
    _spec("registry.case.approval_decided.v1", _K, "case_id", CaseApprovalDecided,
          Classification.PERSONAL, "A supervisor approved a request (a transitioned event "
          "follows) or returned it to the director with a note (kept in the registry)."),
    _spec("registry.case.referred.v1", _K, "case_id", CaseReferred,
          Classification.PERSONAL, "A case was referred to another unit."),
    _spec("registry.case.closed.v1", _K, "case_id", CaseClosed, Classification.PERSONAL,
          "A case was closed."),
]
