"""Patrol plans: make one, read it, and each team's GPX, CSV, printable sheet, coverage."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from services.gateway.bootstrap import Gateway
from services.gateway.entrypoints.response_schemas import (
    HTML,
    SIGNED_IN,
    TEXT,
    CoverageOut,
    PlanOut,
    errors,
    page_errors,
)
from services.gateway.entrypoints.schemas import PlanIn
from services.gateway.planning.domain.plan_coverage import Frequency
from services.gateway.planning.domain.planner import Member, PlanRequest, Team, Window
from services.gateway.planning.entrypoints.plan_exports import team_csv, team_gpx
from services.gateway.planning.entrypoints.plan_sheet import SHEET_CSS, render_sheet
from services.gateway.planning.service_layer import plans
from services.gateway.planning.service_layer.members import team_members
from shared.access import roles
from shared.auth.flask import allow, current_principal
from shared.auth.hardening import csp_with_styles
from shared.geo import to_wgs84

# Role groups from the one access policy (shared/access.py).
PLAN_WRITERS = roles("plan", "write")
PLAN_READERS = roles("plan", "read")
TEAM_READERS = roles("plan", "follow")


def plan_request(body: dict[str, Any], members: dict[str, Member]) -> PlanRequest:
    """The request body as the planner's input; start points converted to WGS 84,
    members' background checks from the identity store (``team_members``)."""
    teams = tuple(Team(t["team_id"], tuple(members[m["member_id"]] for m in t["members"]),
                       to_wgs84(t["start"]["lon"], t["start"]["lat"], body["datum"]))
                  for t in body["teams"])
    windows = {k: Window(body[k]["start"], body[k]["end"]) if body[k] else
               getattr(PlanRequest, k) for k in ("weekday_window", "weekend_window")}
    return PlanRequest(
        starts_on=body["starts_on"], ends_on=body["ends_on"], teams=teams,
        shift_hours=body["shift_hours"], travel_mode=body["travel_mode"],
        detour_factor=body["detour_factor"], dwell_min=body["dwell_min"],
        holidays=tuple((h["start"], h["end"]) for h in body["holidays"]),
        weekday_window=windows["weekday_window"], weekend_window=windows["weekend_window"],
        frequency=frequency(body["frequency"]))


def frequency(body: dict[str, Any]) -> Frequency:
    """The request's visit frequencies over the defaults, class by class."""
    base = Frequency()
    changes: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                               for k, v in body.items()}
    for k in ("in_season", "off_season"):
        changes[k] = tuple({**dict(getattr(base, k)), **body.get(k, {})}.items())
    return replace(base, **changes)


def build(gateway: Gateway) -> Blueprint:
    blp = Blueprint("plans", __name__, description="Summer patrol plans")

    def team(plan_id: str, team_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        with gateway.reader.connect() as conn:
            return plans.get_plan(conn, plan_id), plans.get_team(conn, plan_id, team_id)

    @blp.route("/api/plans")
    class Plans(MethodView):
        @allow(*PLAN_WRITERS)
        @blp.arguments(PlanIn)
        @blp.response(201, PlanOut)
        @errors(blp, *SIGNED_IN)
        def post(self, body):
            """Plan patrols for a date range and publish the plan to the teams"""
            principal = current_principal()
            with gateway.reader.connect() as conn:
                members = team_members(conn, principal.township_code, [
                    m["member_id"] for t in body["teams"] for m in t["members"]],
                    body["starts_on"], body["ends_on"])
            plan_id = plans.create_plan(gateway.uow(), gateway.crs, plan_request(body, members),
                                        principal.user_id)
            with gateway.reader.connect() as conn:
                return plans.get_plan(conn, plan_id), 201

    @blp.route("/api/plans/<plan_id>")
    class PlanById(MethodView):
        @allow(*PLAN_READERS)
        @blp.response(200, PlanOut)
        @errors(blp, *SIGNED_IN, 404)
        def get(self, plan_id):
            """A plan: teams, shifts and ordered stops"""
            with gateway.reader.connect() as conn:
                return plans.get_plan(conn, plan_id)

    @blp.route("/api/plans/<plan_id>/coverage")
    class Coverage(MethodView):
        @allow(*PLAN_READERS)
        @blp.response(200, CoverageOut)
        @errors(blp, *SIGNED_IN, 404)
        def get(self, plan_id):
            """Planned vs checked points, distance walked, high-exposure share (7 days)"""
            with gateway.reader.connect() as conn:
                return plans.coverage(conn, plan_id)

    @blp.route("/plans/<plan_id>/teams/<team_id>/route.gpx")
    class Gpx(MethodView):
        @allow(*TEAM_READERS)
        @blp.response(200, TEXT, content_type="application/gpx+xml")
        @errors(blp, *SIGNED_IN, 404)
        def get(self, plan_id, team_id):
            """A team's routes as GPX"""
            return Response(team_gpx(plan_id, team(plan_id, team_id)[1]),
                            mimetype="application/gpx+xml")

    @blp.route("/plans/<plan_id>/teams/<team_id>/route.csv")
    class Csv(MethodView):
        @allow(*TEAM_READERS)
        @blp.response(200, TEXT, content_type="text/csv")
        @errors(blp, *SIGNED_IN, 404)
        def get(self, plan_id, team_id):
            """A team's stops as CSV"""
            return Response(team_csv(team(plan_id, team_id)[1]), mimetype="text/csv")

    @blp.route("/plans/<plan_id>/teams/<team_id>/sheet")
    class Sheet(MethodView):
        @allow(*TEAM_READERS)
        @blp.response(200, TEXT, content_type=HTML)
        @page_errors(blp, json=(*SIGNED_IN, 404))
        def get(self, plan_id, team_id):
            """A team's printable patrol sheet (HTML with a print stylesheet)"""
            return Response(render_sheet(*team(plan_id, team_id)), mimetype="text/html",
                            headers={"Content-Security-Policy": csp_with_styles(SHEET_CSS)})

    return blp
