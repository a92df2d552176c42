"""Request and response schemas of the registry API (they make its OpenAPI).

Every input schema refuses unknown fields, so a typo is a 422 naming the field
instead of a silently ignored value.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from services.registry.domain.cases import CHECKLISTS, DUTY_HOLDERS, STEPS
from services.registry.domain.model import CAPACITIES, CATEGORIES, PARENT_STATES
from services.registry.domain.visits import FINDING_AREAS
from shared.auth.approvals import BULK_LIMIT
from shared.events.registry import UNITS
from shared.schemas import LocationIn, PageOut, datum_field, page_size_field
from shared.schemas import PageQuery as SharedPageQuery

VILLAGE = validate.Regexp(r"^\d{12}$", error="must be a 12-digit village code")
MAX_PAGE_SIZE = BULK_LIMIT  # a larger page of full records would be a bulk export


class In(Schema):
    class Meta:
        unknown = RAISE


class HomeIn(LocationIn, In):
    """Where a child lives (or a visit took place). Any number is let through to the
    region check, which names the likely slip (lon and lat swapped) as no range can."""

    lon = fields.Float(required=True)
    lat = fields.Float(required=True)


class GuardianIn(In):
    name = fields.String(required=True, validate=validate.Length(1, 100))
    relation = fields.String(required=True, validate=validate.Length(1, 30))
    age = fields.Integer(allow_none=True, validate=validate.Range(14, 120))
    capacity = fields.String(load_default="full", validate=validate.OneOf(CAPACITIES))
    present = fields.Boolean(load_default=True)
    entrusted = fields.Boolean(load_default=False)
    phone = fields.String(allow_none=True, validate=validate.Regexp(r"^\+?[\d-]{5,20}$"))


class ParentsIn(In):
    father = fields.String(load_default="unknown", validate=validate.OneOf(PARENT_STATES))
    mother = fields.String(load_default="unknown", validate=validate.OneOf(PARENT_STATES))
    work_place = fields.String(load_default="", validate=validate.Length(max=100))
    weekly_contact = fields.Boolean(allow_none=True, load_default=None)


class ChildFacts(In):
    name = fields.String(validate=validate.Length(1, 100))
    gender = fields.String(validate=validate.OneOf(["male", "female"]))
    birth_date = fields.Date()
    village_code = fields.String(validate=VILLAGE)
    home = fields.Nested(HomeIn)
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)))
    id_number = fields.String(allow_none=True, validate=validate.Length(max=18))
    village_name = fields.String(validate=validate.Length(max=100))
    address = fields.String(validate=validate.Length(max=300))
    school = fields.String(validate=validate.Length(max=200))
    phone = fields.String(allow_none=True, validate=validate.Regexp(r"^\+?[\d-]{5,20}$"))
    guardians = fields.List(fields.Nested(GuardianIn))
    parents = fields.Nested(ParentsIn)
    living_alone = fields.Boolean()
    child_director_id = fields.String(validate=validate.Length(max=64))


class ChildIn(ChildFacts):
    """A new child; the first six fields are required, the rest optional."""

    name = fields.String(required=True, validate=validate.Length(1, 100))
    gender = fields.String(required=True, validate=validate.OneOf(["male", "female"]))
    birth_date = fields.Date(required=True)
    village_code = fields.String(required=True, validate=VILLAGE)
    home = fields.Nested(HomeIn, required=True)
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)),
                             load_default=list)


class RegisterQuery(In):
    on_duplicate = fields.String(load_default="refuse",
                                 validate=validate.OneOf(["refuse", "merge"]))


class PageQuery(SharedPageQuery, In):
    """Which page of a list; a page holds at most MAX_PAGE_SIZE full records."""

    page_size = page_size_field(MAX_PAGE_SIZE)


class ChildListQuery(PageQuery):
    village = fields.String(validate=VILLAGE)
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    grade = fields.String(validate=validate.OneOf(["high", "medium", "low"]))
    overdue = fields.Boolean(load_default=False)
    has_home = fields.Boolean(load_default=None, allow_none=True, metadata={
        "description": "false: only children whose home has no coordinates (a ledger row "
                       "without them), for a director to add the home; true: only placed"})


class HomeOut(Schema):
    lon = fields.Float()
    lat = fields.Float()


class GuardianOut(Schema):
    name = fields.String()
    relation = fields.String()
    age = fields.Integer(allow_none=True)
    capacity = fields.String()
    present = fields.Boolean()
    entrusted = fields.Boolean()
    phone = fields.String(allow_none=True)


class ChildOut(Schema):
    id = fields.String()
    name = fields.String()
    gender = fields.String()
    birth_date = fields.Date()
    age = fields.Integer()
    age_band = fields.String()
    id_number = fields.String(allow_none=True, metadata={"description": "masked unless "
                              "the caller's role needs it"})
    village_code = fields.String()
    village_name = fields.String()
    address = fields.String()
    school = fields.String()
    phone = fields.String(allow_none=True)
    home = fields.Nested(HomeOut, allow_none=True)  # None: the ledger gave no coordinates
    categories = fields.List(fields.String())
    guardians = fields.List(fields.Nested(GuardianOut))
    parents = fields.Nested(ParentsIn)
    living_alone = fields.Boolean()
    child_director_id = fields.String()
    risk_grade = fields.String()
    risk_score = fields.Integer()
    risk_reasons = fields.List(fields.String())
    water_distance_m = fields.Float(allow_none=True)
    next_visit_due = fields.Date(allow_none=True)
    last_visited_at = fields.Date(allow_none=True)
    reviewed_quarter = fields.String()
    version = fields.Integer()


class ChildPage(PageOut):
    items = fields.List(fields.Nested(ChildOut))


class VisitIn(In):
    visited_at = fields.AwareDateTime(required=True)
    location = fields.Nested(HomeIn, load_default=None, allow_none=True)
    findings = fields.Dict(keys=fields.String(validate=validate.OneOf(FINDING_AREAS)),
                           values=fields.String(validate=validate.Length(max=2000)),
                           load_default=dict)
    next_steps = fields.String(load_default="", validate=validate.Length(max=2000))


class VisitOut(Schema):
    visit_id = fields.String()
    child_id = fields.String()
    next_due = fields.Date()


class VisitRecordOut(Schema):
    id = fields.String()
    visitor_id = fields.String()
    visited_at = fields.DateTime()
    lon = fields.Float(allow_none=True)
    lat = fields.Float(allow_none=True)
    findings = fields.Dict(keys=fields.String(), values=fields.String())
    next_steps = fields.String()
    next_due = fields.Date()


class RevisionOut(Schema):
    version = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.String()
    action = fields.String()


class DueQuery(PageQuery):
    until = fields.Date(load_default=None)
    child_director_id = fields.String(load_default="")


class DueOut(Schema):
    child_id = fields.String(attribute="id")
    name = fields.String()
    village_code = fields.String()
    risk_grade = fields.String()
    next_visit_due = fields.Date()
    child_director_id = fields.String()
    overdue = fields.Boolean()


class DuePage(PageOut):
    items = fields.List(fields.Nested(DueOut))


class ReportIn(In):
    reporter = fields.String(validate=validate.Length(max=100))
    duty_holder = fields.String(validate=validate.OneOf(DUTY_HOLDERS))
    intake_at = fields.String()
    police_handover_at = fields.String()
    handling_at = fields.String()
    feedback_at = fields.String()


class CaseIn(In):
    child_id = fields.String(required=True)
    situation = fields.String(required=True, validate=validate.OneOf(sorted(CHECKLISTS)))
    severity = fields.String(validate=validate.OneOf(["urgent", "normal"]))
    step = fields.String(validate=validate.OneOf(["monitoring", "report", "emergency"]))
    report = fields.Nested(ReportIn, load_default=dict)
    note = fields.String(load_default="", validate=validate.Length(max=2000),
                         metadata={"description": "what was found; kept with the first step"})


class TransitionIn(In):
    to_step = fields.String(required=True, validate=validate.OneOf(STEPS))
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    outcome = fields.String(load_default="", validate=validate.Length(max=300))
    checklist_done = fields.List(fields.String(), load_default=list)
    report = fields.Nested(ReportIn, load_default=dict)


class ReferralIn(In):
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class FeedbackIn(In):
    feedback = fields.String(required=True, validate=validate.Length(1, 2000))


class ApprovalRequestIn(In):
    to_step = fields.String(required=True, validate=validate.OneOf(STEPS))
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    outcome = fields.String(load_default="", validate=validate.Length(max=300),
                            metadata={"description": "for a closure: the proposed outcome"})


class ApprovalDecisionIn(In):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "return")))
    note = fields.String(load_default="", validate=validate.Length(max=2000),
                         metadata={"description": "required when returning: why"})


class ApprovalOut(Schema):
    id = fields.String()
    to_step = fields.String()
    requested_by = fields.String()
    requested_at = fields.DateTime()
    note = fields.String()
    outcome = fields.String()
    decision = fields.String(metadata={"description": "'' while waiting, approved, returned"})
    decided_by = fields.String()
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String()


class StepOut(Schema):
    step = fields.String()
    owner_id = fields.String()
    entered_at = fields.DateTime()
    note = fields.String()
    approved_by = fields.String()


class ReferralOut(Schema):
    id = fields.String()
    unit = fields.String()
    sent_at = fields.DateTime()
    note = fields.String()
    feedback = fields.String()
    feedback_at = fields.DateTime(allow_none=True)
    open = fields.Boolean()


class MoveOut(Schema):
    to_step = fields.String()
    needs_approval = fields.Boolean(metadata={
        "description": "only a supervisor moves it; anyone else asks for approval"})


class CaseOut(Schema):
    id = fields.String()
    child_id = fields.String()
    village_code = fields.String()
    situation = fields.String()
    severity = fields.String()
    step = fields.String()
    owner_id = fields.String()
    opened_at = fields.DateTime()
    mandatory_report = fields.Boolean()
    report = fields.Dict()
    checklist = fields.List(fields.String())
    checklist_done = fields.List(fields.String())
    history = fields.List(fields.Nested(StepOut))
    referrals = fields.List(fields.Nested(ReferralOut))
    approvals = fields.List(fields.Nested(ApprovalOut))
    awaiting_approval = fields.Nested(ApprovalOut, allow_none=True,
                                      metadata={"description": "the request waiting, if any"})
    moves = fields.List(fields.Nested(MoveOut), metadata={
        "description": "the steps the case may go to next"})
    outcome = fields.String()
    version = fields.Integer()


class CasePage(PageOut):
    items = fields.List(fields.Nested(CaseOut))


class CaseListQuery(PageQuery):
    step = fields.String(load_default="", validate=validate.OneOf(["", *STEPS]))
    child_id = fields.String(load_default="")
    awaiting_approval = fields.Boolean(load_default=False, metadata={
        "description": "only cases whose request waits for a supervisor's decision"})


class ImportQuery(In):
    dry_run = fields.Boolean(load_default=True, metadata={
        "description": "report only, store nothing (the default)"})
    all_or_nothing = fields.Boolean(load_default=False, metadata={
        "description": "store nothing while any row is refused"})
    datum = datum_field("datum of homes in rows without a 坐标系 column: gcj02 for AMap / "
                        "Tencent maps")


class ImportFile(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class RowProblem(Schema):
    field = fields.String(metadata={"description": "the ledger's own header"})
    code = fields.String()
    message = fields.String(metadata={"description": "Chinese; English with "
                                                     "Accept-Language: en"})


class RowChange(Schema):
    field = fields.String()
    old = fields.String()
    new = fields.String()


class ImportRow(Schema):
    sheet = fields.String(metadata={"description": "sheet name ('' for CSV)"})
    row = fields.Integer(metadata={"description": "row number as Excel shows it; CSV line"})
    outcome = fields.String(metadata={"description": "accept | flag | refuse"})
    problems = fields.List(fields.Nested(RowProblem))
    categories = fields.List(fields.String())
    risk_grade = fields.String(allow_none=True)
    match = fields.String(metadata={"description": "new | update | unchanged"})
    child_id = fields.String(allow_none=True)
    changes = fields.List(fields.Nested(RowChange))
    cells = fields.Dict(keys=fields.String(), values=fields.String())


class IgnoredRow(Schema):
    sheet = fields.String()
    row = fields.Integer(allow_none=True)
    reason = fields.String()
    message = fields.String()


class MissingChild(Schema):
    child_id = fields.String()
    name = fields.String()
    birth_date = fields.String()
    village_code = fields.String()


class ImportOut(Schema):
    dry_run = fields.Boolean()
    all_or_nothing = fields.Boolean()
    stored = fields.Boolean(metadata={"description": "whether anything was stored"})
    message = fields.String(metadata={"description": "what was stored, in one sentence"})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    imported = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    rows = fields.List(fields.Nested(ImportRow))
    ignored = fields.List(fields.Nested(IgnoredRow))
    ignored_columns = fields.List(fields.String())
    missing = fields.List(fields.Nested(MissingChild), metadata={
        "description": "known children of the ledger's villages it no longer lists "
                       "(moved, turned 16…): to review, never deleted"})


class ExportQuery(In):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


class LedgerEntryIn(In):
    village_code = fields.String(required=True, validate=VILLAGE)
    at = fields.AwareDateTime(load_default=None)
    child_id = fields.String(load_default=None, allow_none=True)
    contact = fields.String(required=True, validate=validate.Length(1, 100))
    summary = fields.String(required=True, validate=validate.Length(1, 4000))
    outcome = fields.String(load_default="", validate=validate.Length(max=4000))


class LedgerEntryOut(Schema):
    id = fields.String()
    ledger = fields.String()
    at = fields.DateTime()
    village_code = fields.String()
    child_id = fields.String(allow_none=True)
    contact = fields.String()
    summary = fields.String()
    handled_by = fields.String()
    outcome = fields.String()


class UnreviewedOut(Schema):
    """A line of the review's work list; the full record is one audited read away."""

    id = fields.String()
    name = fields.String()
    village_code = fields.String()
    village_name = fields.String()
    risk_grade = fields.String()
    reviewed_quarter = fields.String(allow_none=True)
    child_director_id = fields.String()


class VillageReviewOut(Schema):
    village_code = fields.String()
    village_name = fields.String()
    children = fields.Integer()
    unreviewed = fields.Integer()
    by_category = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_grade = fields.Dict(keys=fields.String(), values=fields.Integer())
    visits_due = fields.Integer()
    visits_done = fields.Integer()
