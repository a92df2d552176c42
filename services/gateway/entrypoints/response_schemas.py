"""What the gateway answers, for its OpenAPI document: JSON response schemas, the
non-JSON bodies (pages, files); ``errors`` (from ``shared.openapi``) documents the error
responses each operation really returns.

JSON views are dumped through these schemas, so a field the schema does not name never
leaves the gateway. Forwarded writes answer with the owning service's body and status:
they are documented here (a copy of that service's contract), never dumped.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from flask_smorest import Blueprint
from flask_smorest.error_handler import ErrorSchema
from marshmallow import Schema, fields

from shared.openapi import SIGNED_IN as SIGNED_IN  # re-exported: the gateway's views use it
from shared.openapi import errors as errors

F = TypeVar("F", bound=Callable[..., Any])
HTML = "text/html"
TEXT: dict[str, Any] = {"type": "string"}  # a page or a file, whole
REFUSED_BEFORE_PAGE = (*SIGNED_IN, 422)  # no session, a role not allowed, a bad query
PAGE_ATTR = "_shouhu_page"  # on a view documented by page_errors: a browser's page
LOCATION = {"Location": {"schema": {"type": "string"}, "description": "where to go next"}}
SIGN_IN = ("A browser without a session (no Authorization header, HTML preferred to JSON): "
           "on to `/login?next=` this page")


def page_errors(blp: Blueprint, *pages: int,
                json: tuple[int, ...] = REFUSED_BEFORE_PAGE) -> Callable[[F], F]:
    """A page's error statuses: a page saying why (``pages``: the owning service's
    refusal, a service down), or the shared JSON error body (``json``: refused before
    the view runs). A status may come either way; a role refused before the view (403)
    is a page for a browser.

    It also marks the view as a page (``PAGE_ATTR``), which is what sends a browser
    without a session to sign in and shows one refused a page saying so
    (``phone_pages.install_page_refusals``), and documents the sign-in 303 on a ``get``:
    behaviour and document come from this one decorator."""
    shown = {*pages, 403}
    def decorate(fn: F) -> F:
        for status in sorted({*pages, *json}):
            why = HTTPStatus(status).phrase
            if status in shown:
                fn = blp.alt_response(status, schema=TEXT, content_type=HTML,
                                      description=why)(fn)
            if status in json:
                fn = blp.alt_response(status, schema=ErrorSchema, description=why)(fn)
        if fn.__name__ == "get":  # a MethodView's method is named after the HTTP one
            fn = blp.alt_response(303, description=SIGN_IN, headers=LOCATION)(fn)
        setattr(fn, PAGE_ATTR, True)
        return fn

    return decorate


class Geometry(Schema):
    type = fields.String()
    coordinates = fields.Raw(metadata={"description": "GeoJSON coordinates, EPSG:4326"})


class Feature(Schema):
    type = fields.String()
    id = fields.String()
    geometry = fields.Nested(Geometry)
    properties = fields.Dict()


class FeatureCollection(Schema):
    type = fields.String()
    features = fields.List(fields.Nested(Feature))


class MapLayersOut(Schema):
    view = fields.String(metadata={"description": "exact | cells: how homes are shown"})
    homes = fields.Nested(FeatureCollection)
    home_cells = fields.Nested(FeatureCollection)
    hazards = fields.Nested(FeatureCollection)
    zones = fields.Nested(FeatureCollection)
    points = fields.Nested(FeatureCollection)
    route = fields.Nested(FeatureCollection, allow_none=True)


class _HazardFigures(Schema):
    hazard_id = fields.String()
    kind = fields.String()
    name = fields.String()
    village_code = fields.String()
    exposure = fields.Float()
    children = fields.Integer()


class RankedHazard(_HazardFigures):
    lacking = fields.List(fields.String())
    protections = fields.Dict(keys=fields.String(), values=fields.String())


class HazardRankingOut(Schema):
    hazards = fields.List(fields.Nested(RankedHazard))


class Nearest(Schema):
    hazard_id = fields.String()
    distance_m = fields.Float()


class ChildNearest(Schema):
    child_id = fields.String()
    village_code = fields.String()
    water = fields.Nested(Nearest, allow_none=True)
    road = fields.Nested(Nearest, allow_none=True)


class ChildNearestOut(Schema):
    children = fields.List(fields.Nested(ChildNearest))


class CheckInResult(Schema):
    """The hazards service's answer per check-in (``POST /checkins``)."""

    client_id = fields.String()
    status = fields.String(metadata={"description": "created | duplicate | refused"})
    checkin_id = fields.String()
    errors = fields.Dict()


class CheckInResults(Schema):
    results = fields.List(fields.Nested(CheckInResult))


class VisitOut(Schema):
    """The registry's answer to a recorded home visit."""

    visit_id = fields.String()
    child_id = fields.String()
    next_due = fields.Date()


class Stop(Schema):
    point_id = fields.String()
    hazard_id = fields.String()
    name = fields.String(metadata={"description": "the hazard's name"})
    kind = fields.String()
    village_code = fields.String()
    lacking = fields.List(fields.String(), metadata={"description": "protections missing or "
                                                     "damaged: what to check"})
    merged = fields.List(fields.String(), metadata={"description": "other points of the same "
                                                    "water body checked at this stop"})
    lon = fields.Float()
    lat = fields.Float()
    exposure_tenths = fields.Integer()
    arrive_min = fields.Float(metadata={"description": "minutes after the shift starts"})
    leg_m = fields.Float(metadata={"description": "metres from the previous stop"})
    leg_by_road = fields.Boolean(metadata={"description": "false: a straight line × detour, "
                                           "no road joins the two"})


class Shift(Schema):
    day = fields.String(metadata={"format": "date"})
    start = fields.String(metadata={"description": "HH:MM"})
    end = fields.String(metadata={"description": "HH:MM"})
    stops = fields.List(fields.Nested(Stop))
    distance_m = fields.Float()
    road_m = fields.Float(metadata={"description": "of distance_m, along roads"})
    duration_min = fields.Float()
    track = fields.List(fields.List(fields.Float()), metadata={
        "description": "[lon, lat] along the roads, from the start back to it"})
    return_by_road = fields.Boolean()


class TeamPlanOut(Schema):
    team_id = fields.String()
    members = fields.List(fields.String())
    start = fields.List(fields.Float(), metadata={"description": "[lon, lat], EPSG:4326"})
    points = fields.List(fields.String())
    shifts = fields.List(fields.Nested(Shift))


class UnmetOut(Schema):
    point_id = fields.String()
    team_id = fields.String()
    required_days = fields.Integer(metadata={"description": "at most this many days between "
                                             "visits (exposure class, season, floor)"})
    longest_gap_days = fields.Integer()
    reason = fields.String(metadata={"description": "capacity: … or too_far: …"})


class PlanOut(Schema):
    plan_id = fields.String()
    starts_on = fields.String(metadata={"format": "date"})
    ends_on = fields.String(metadata={"format": "date"})
    metric = fields.String(metadata={"description": "road_network when a road network layer "
                                     "was used, else straight_line (× detour factor)"})
    road_network_version = fields.Integer(allow_none=True)
    frequency = fields.Dict(metadata={"description": "the visit frequencies planned for: "
                                      "[class, days] per season, season months, floor, merge"})
    road_share = fields.Float(metadata={"description": "share of the planned distance "
                                        "travelled along roads"})
    unmet = fields.List(fields.Nested(UnmetOut), metadata={
        "description": "points not visited as often as required, and why"})
    off_road = fields.List(fields.List(fields.String()), metadata={
        "description": "[point, why]: points whose legs are straight lines"})
    teams = fields.List(fields.Nested(TeamPlanOut))
    excluded = fields.List(fields.List(fields.String()),
                           metadata={"description": "[team, member, reason]"})


class CoverageOut(Schema):
    plan_id = fields.String()
    planned_points = fields.Integer()
    checked_points = fields.Integer()
    distance_walked_m = fields.Float()
    high_exposure_points = fields.Integer()
    high_exposure_checked_7d_share = fields.Float(allow_none=True)


class HazardRow(_HazardFigures):
    """A ranked hazard flattened for CSV."""

    village_name = fields.String()
    lacking = fields.String(metadata={"description": "space-separated protections"})


class ProtectionRow(Schema):
    """A missing or damaged protection; rows ranked by the hazard's exposure."""

    protection = fields.String()
    hazard_id = fields.String()
    kind = fields.String()
    name = fields.String()
    village_code = fields.String()
    village_name = fields.String()
    state = fields.String()
    exposure = fields.Float()
    children = fields.Integer()
    task_id = fields.String(metadata={"description": "the open fix task, if any"})
    task_status = fields.String(metadata={
        "description": "'' (none), assigned, reported_fixed or overdue"})
    task_due = fields.String(metadata={"description": "its due date, YYYY-MM-DD"})


class FixTasksRow(Schema):
    village_code = fields.String()
    village_name = fields.String()
    open = fields.Integer()
    overdue = fields.Integer()


class FindingsRow(Schema):
    week = fields.String(metadata={"description": "ISO week, YYYY-Www"})
    kind = fields.String()
    findings = fields.Integer()


class OverdueRow(Schema):
    village_code = fields.String()
    village_name = fields.String()
    overdue_visits = fields.Integer()


class CoverageRow(Schema):
    points = fields.Integer()
    checked_7d = fields.Integer()
    checkins_7d = fields.Integer()
    walked_7d_m = fields.Float()
    high_exposure_points = fields.Integer()
    high_exposure_checked_7d = fields.Integer()


class DirectoryGapRow(Schema):
    village_code = fields.String(metadata={"description": "'' when the event named no place"})
    rule = fields.String()
    event_type = fields.String()
    recipients = fields.Integer(metadata={"description": "station deliveries made instead"})
    raised_at = fields.AwareDateTime()


class DashboardOut(Schema):
    """Every table a list of flat rows, so each one also exports as CSV."""

    directory_gaps = fields.List(fields.Nested(DirectoryGapRow), metadata={
        "description": "urgent messages of the last 30 days the directory named nobody for"})
    hazards = fields.List(fields.Nested(HazardRow))
    protections = fields.List(fields.Nested(ProtectionRow))
    findings = fields.List(fields.Nested(FindingsRow))
    overdue = fields.List(fields.Nested(OverdueRow))
    coverage = fields.List(fields.Nested(CoverageRow))
    fix_tasks = fields.List(fields.Nested(FixTasksRow))
