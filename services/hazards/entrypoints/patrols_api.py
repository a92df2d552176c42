"""HTTP views for patrol points and check-ins from phones."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.views import MethodView
from flask_smorest import Blueprint

from services.hazards.bootstrap import Hazards
from services.hazards.domain.checkins import CheckIn, Finding
from services.hazards.entrypoints.access import EDITORS, PATROLLERS, READERS, may_act_as
from services.hazards.entrypoints.patrol_schemas import (
    CheckInBatch,
    CheckInResults,
    GenerateOut,
    PhotoUpload,
    PointIn,
    PointOut,
    PointPatch,
    PointQuery,
)
from services.hazards.service_layer import patrols
from shared.auth.checks import needs_background_check
from shared.auth.flask import allow, current_principal
from shared.auth.hardening import body_limit
from shared.geo import to_wgs84
from shared.openapi import SIGNED_IN, errors


def _checkin(item: dict) -> tuple[CheckIn, str]:  # type: ignore[type-arg]
    loc = item.pop("location")
    findings = [Finding(**f) for f in item.pop("findings")]
    track = [(p[0], p[1]) for p in item.pop("track")]
    return CheckIn(lon=loc["lon"], lat=loc["lat"], accuracy_m=loc["accuracy_m"],
                   findings=findings, track=track, **item), loc["datum"]


def patrols_blueprint(hazards: Hazards) -> Blueprint:
    blp = Blueprint("patrol_points", __name__, url_prefix="/patrol-points",
                    description="Where patrols check, and how often")
    settings = hazards.settings

    @blp.route("")
    class Points(MethodView):
        @allow(*READERS)
        @blp.arguments(PointQuery, location="query")
        @blp.response(200, PointOut(many=True))
        @errors(blp, *SIGNED_IN)
        def get(self, args):  # type: ignore[no-untyped-def]
            """Active patrol points, optionally only those due a check now"""
            return patrols.list_points(hazards.uow(), args.get("hazard_id"), args["due"],
                                       datetime.now(UTC))

        @allow(*EDITORS)
        @blp.arguments(PointIn)
        @blp.response(201, PointOut)
        @errors(blp, *SIGNED_IN, 404)
        def post(self, body):  # type: ignore[no-untyped-def]
            """Add a patrol point by hand"""
            lon, lat = to_wgs84(body["location"]["lon"], body["location"]["lat"],
                                body["location"]["datum"])
            return patrols.add_point(hazards.uow(), body["hazard_id"], lon, lat,
                                     body["schedule"], body["note"], settings.common.region)

    @blp.route("/<point_id>")
    class PointById(MethodView):
        @allow(*EDITORS)
        @blp.arguments(PointPatch)
        @blp.response(200, PointOut)
        @errors(blp, *SIGNED_IN, 404)
        def patch(self, body, point_id):  # type: ignore[no-untyped-def]
            """Change a point's schedule, position, note, or deactivate it"""
            if "location" in body:
                loc = body.pop("location")
                body["lon"], body["lat"] = to_wgs84(loc["lon"], loc["lat"], loc["datum"])
            return patrols.update_point(hazards.uow(), point_id, body, settings.common.region)

    @blp.route("/generate")
    class Generate(MethodView):
        @allow(*EDITORS)
        @blp.response(200, GenerateOut)
        @errors(blp, *SIGNED_IN)
        def post(self):  # type: ignore[no-untyped-def]
            """Regenerate points at home clusters, crossings and swimming spots"""
            return patrols.regenerate_points(hazards.uow(), settings.cluster_m,
                                             settings.patrol_max_distance_m)

    checkins = Blueprint("checkins", __name__, url_prefix="/checkins",
                         description="Patrol check-ins from phones, idempotent by client_id")

    @checkins.route("")
    class CheckIns(MethodView):
        @allow(*PATROLLERS)
        @needs_background_check
        @checkins.arguments(CheckInBatch)
        @checkins.response(200, CheckInResults)
        @errors(checkins, *SIGNED_IN)
        def post(self, body):  # type: ignore[no-untyped-def]
            """Record a batch of queued check-ins; each result is created, duplicate or refused"""
            policy = patrols.CheckInPolicy(settings.common.region,
                                           settings.checkin_max_distance_m,
                                           may_act_as(current_principal()))
            batch = [_checkin(item) for item in body["checkins"]]
            return {"results": patrols.record_checkins(hazards.uow(), batch, policy)}

    @checkins.route("/<client_id>/photo")
    class Photo(MethodView):
        @body_limit(settings.photo_max_bytes + 64 * 1024)  # the photo and its form
        @allow(*PATROLLERS)
        @checkins.arguments(PhotoUpload, location="files")
        @checkins.response(201, CheckInResults)
        @errors(checkins, *SIGNED_IN, 404, 413)
        def post(self, files, client_id):  # type: ignore[no-untyped-def]
            """Attach a photo (JPEG/PNG/WEBP, size-limited; EXIF and location removed)"""
            checkin_id = patrols.attach_photo(hazards.uow(), client_id, files["photo"].read(),
                                              settings.photo_max_bytes,
                                              may_act_as(current_principal()))
            return {"results": [{"client_id": client_id, "status": "photo_attached",
                                 "checkin_id": checkin_id}]}

    return blp, checkins
