"""Request and query schemas of the gateway's API (they make its OpenAPI document)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from shared.events.hazards import ACTIONS, FINDING_KINDS
from shared.schemas import LocationIn, datum_field


class PageQuery(Schema):
    """The language of a page: Chinese unless ``lang=en``."""

    class Meta:
        unknown = EXCLUDE

    lang = fields.String(load_default="zh", validate=validate.OneOf(("zh", "en")))


class MapQuery(PageQuery):
    plan = fields.String(load_default=None)
    team = fields.String(load_default=None)


class _Lenient(Schema):
    """Phones on old app versions may send extra fields: ignore them."""

    class Meta:
        unknown = EXCLUDE


class Location(LocationIn, _Lenient):
    accuracy_m = fields.Float(validate=validate.Range(min=0))


class FindingIn(_Lenient):
    kind = fields.String(required=True, validate=validate.OneOf(FINDING_KINDS))
    action = fields.String(load_default="none", validate=validate.OneOf(ACTIONS))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class CheckInIn(_Lenient):
    """What the hazards service's ``POST /checkins`` takes, less ``member_id`` (the
    gateway sets it from the caller's token)."""

    client_id = fields.String(required=True, validate=validate.Length(min=8, max=64))
    point_id = fields.String(required=True)
    checked_at = fields.AwareDateTime(required=True)
    location = fields.Nested(Location, required=True)
    duration_s = fields.Integer(load_default=0, validate=validate.Range(min=0, max=86400))
    findings = fields.List(fields.Nested(FindingIn), load_default=list)
    track = fields.List(fields.List(fields.Float()), load_default=list)
    off_point_reason = fields.String(load_default="", validate=validate.Length(max=200))


class CheckInBatch(Schema):
    checkins = fields.List(fields.Nested(CheckInIn), required=True,
                           validate=validate.Length(min=1, max=200))


class MemberIn(Schema):
    """A user id: the background check comes from the identity store, never the caller."""

    member_id = fields.String(required=True, validate=validate.Length(1, 64))


class TeamIn(Schema):
    team_id = fields.String(required=True)
    start = fields.Nested(Location, required=True)
    members = fields.List(fields.Nested(MemberIn), required=True,
                          validate=validate.Length(min=1))


class WindowIn(Schema):
    start = fields.Time(required=True)
    end = fields.Time(required=True)


class DateRange(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)


_DAYS = fields.Integer(validate=validate.Range(1, 366))


class ClassDays(Schema):
    """Days allowed between visits per exposure class."""

    high = _DAYS
    medium = _DAYS
    none = _DAYS


class FrequencyIn(Schema):
    in_season = fields.Nested(ClassDays, metadata={"description": "default high 2, medium 7, "
                                                   "none 14"})
    off_season = fields.Nested(ClassDays, metadata={"description": "default 7, 14, 31"})
    season_months = fields.List(fields.Integer(validate=validate.Range(1, 12)),
                                metadata={"description": "default June–August"})
    floor_days = fields.Integer(validate=validate.Range(1, 366), metadata={
        "description": "every point at least once in this many days (default 31)"})
    merge_m = fields.Float(validate=validate.Range(0, 1000), metadata={
        "description": "points of one hazard closer than this are one stop (default 100)"})


class PlanIn(Schema):
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    teams = fields.List(fields.Nested(TeamIn), required=True,
                        validate=validate.Length(min=1, max=50))
    datum = datum_field()
    shift_hours = fields.Float(load_default=3.0, validate=validate.Range(0.5, 10))
    travel_mode = fields.String(load_default="walk",
                                validate=validate.OneOf(("walk", "bicycle", "motorbike")))
    detour_factor = fields.Float(load_default=1.3, validate=validate.Range(1.0, 3.0))
    dwell_min = fields.Float(load_default=10.0, validate=validate.Range(0, 120))
    weekday_window = fields.Nested(WindowIn, load_default=None)
    weekend_window = fields.Nested(WindowIn, load_default=None)
    holidays = fields.List(fields.Nested(DateRange), load_default=list)
    frequency = fields.Nested(FrequencyIn, load_default=dict, metadata={
        "description": "how often each point must be visited (docs/gateway.md)"})


class DueQuery(PageQuery):
    days = fields.Integer(load_default=7, validate=validate.OneOf((7, 30, 90)),
                          metadata={"description": "children due within this many days"})
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10_000),
                          metadata={"description": "which page of the list (50 a page)"})


class ChildQuery(PageQuery):
    recorded = fields.Boolean(load_default=False, metadata={
        "description": "a visit was just recorded: the page confirms it with the next "
                       "due date (where the visit form's 303 leads)"})


class WithoutHomeQuery(PageQuery):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10_000),
                          metadata={"description": "which page of the list (50 a page)"})


class HomeQuery(PageQuery):
    saved = fields.Boolean(load_default=False, metadata={
        "description": "the home was just saved: the page confirms it with the child's new "
                       "grade and distance to water (where the home form's 303 leads)"})


class CaseQuery(PageQuery):
    opened = fields.Boolean(load_default=False, metadata={
        "description": "the case was just opened: the page says so (where the case "
                       "form's 303 leads)"})
    already_open = fields.Boolean(load_default=False, metadata={
        "description": "the case form found this case open for the same situation: the "
                       "page says so"})
    done = fields.String(load_default="", validate=validate.OneOf(
        ("", "moved", "asked", "approved", "returned")), metadata={
        "description": "what the step or approval form just did: the page says so"})


class PageForm(Schema):
    """A page's form. Every field is a string the owning service checks, so its answer
    names the field and the page shows the form again as it was typed."""

    class Meta:
        unknown = EXCLUDE

    csrf_token = fields.String(load_default="", metadata={
        "description": "the shouhu_csrf cookie's value, when signed in by cookie"})


def _typed(description: str = "") -> fields.String:
    return fields.String(load_default="", metadata={"description": description})


class VisitForm(PageForm):
    visited_at = _typed("local time (Asia/Shanghai), YYYY-MM-DDTHH:MM")
    guardianship = _typed()
    living_conditions = _typed()
    home_safety = _typed()
    mental_state = _typed()
    next_steps = _typed()


class HomeForm(PageForm):
    lon = _typed("longitude, decimal degrees (东经)")
    lat = _typed("latitude, decimal degrees (北纬)")
    version = _typed("the record's version when the form was opened (a change made "
                     "since is not overwritten)")
    datum = fields.String(load_default="gcj02", validate=validate.OneOf(("wgs84", "gcj02")),
                          metadata={"description": "gcj02 for AMap / Tencent maps on a "
                                                   "phone, wgs84 for GPS / Tianditu"})


class StepForm(PageForm):
    to_step = _typed("the step to go to (one the case page offers)")
    note = _typed()
    outcome = _typed("to close: the outcome")
    checklist_done = fields.List(fields.String(), load_default=list, metadata={
        "description": "emergency handling items done (checkboxes)"})


class DecisionForm(PageForm):
    decision = _typed("approve or return")
    note = _typed("why, when returning")


class FixAssignForm(PageForm):
    hazard_id = _typed()
    protection = _typed("barrier, warning_sign or rescue_equipment")
    due_on = _typed("YYYY-MM-DD")


class FixReportForm(PageForm):
    note = _typed()


class FixPhoto(Schema):
    photo = fields.Raw(load_default=None, metadata={"type": "string", "format": "binary"})


class FixConfirmForm(PageForm):
    fixed = _typed("true (fixed) or false (still not fixed)")
    note = _typed("what is still wrong, when not fixed")


class FixTaskQuery(PageQuery):
    done = fields.String(load_default="", validate=validate.OneOf(
        ("", "assigned", "reported", "confirmed", "reopened", "already")), metadata={
        "description": "what the form just did: the page says so"})


class CaseForm(PageForm):
    situation = _typed("living_alone, guardian_incapable, … (the registry's situations)")
    severity = _typed("urgent, normal, or empty: by the situation")
    note = _typed()


class LedgerQuery(PageQuery):
    outcome = fields.String(load_default="", validate=validate.OneOf(
        ("", "accept", "flag", "refuse")), metadata={"description": "show only these rows"})


class LedgerForm(PageForm):
    datum = datum_field("datum of homes in rows without a 坐标系 column: gcj02 for AMap / "
                        "Tencent maps")


class LedgerImportForm(PageForm):
    all_or_nothing = fields.Boolean(load_default=False, metadata={
        "description": "store nothing while any row is refused"})
