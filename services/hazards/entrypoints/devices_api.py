"""HTTP views for cameras and sensors: registration by staff, signed webhooks by devices.

Devices hold no bearer token: each signs the raw request body with its own secret
(HMAC-SHA256, configured in SHOUHU_HAZARDS_DEVICE_KEYS) in ``X-Shouhu-Signature:
sha256=<hex>``; ``sent_at`` in the body must be within the allowed clock skew.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.hazards.bootstrap import Hazards
from services.hazards.domain import devices as rules
from services.hazards.entrypoints.access import DEVICE_ADMINS
from services.hazards.entrypoints.patrol_schemas import (
    AlarmIn,
    AlarmOut,
    DeviceIn,
    DeviceOut,
    HeartbeatIn,
)
from services.hazards.service_layer import devices
from shared.auth.flask import allow, public
from shared.auth.hardening import body_limit
from shared.geo import to_wgs84
from shared.openapi import SIGNED_IN, errors

WEBHOOK_MAX_BYTES = 16 * 1024  # an alarm or heartbeat is a few hundred bytes
SIGNATURE = {"in": "header", "name": "X-Shouhu-Signature", "required": True,
             "schema": {"type": "string"},
             "description": "sha256=<hex HMAC-SHA256 of the raw body with the device's secret>"}


def devices_blueprint(hazards: Hazards) -> Blueprint:
    blp = Blueprint("devices", __name__, url_prefix="/devices",
                    description="AI cameras and electronic fences at the water")
    settings = hazards.settings
    skew = timedelta(seconds=settings.device_max_skew_s)

    def signed(fn: Callable[..., Any]) -> Callable[..., Any]:
        """Check the device's signature before the body is even parsed."""

        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            rules.verify(settings.device_keys.get(kwargs["device_id"]), request.get_data(),
                         request.headers.get("X-Shouhu-Signature"))
            return fn(*args, **kwargs)

        return public(wrapper)

    @blp.route("")
    class Devices(MethodView):
        @allow(*DEVICE_ADMINS)
        @blp.arguments(DeviceIn)
        @blp.response(201, DeviceOut)
        @errors(blp, *SIGNED_IN, 404)
        def post(self, body):  # type: ignore[no-untyped-def]
            """Register a device at a hazard (its secret must be configured)"""
            lon, lat = to_wgs84(body["location"]["lon"], body["location"]["lat"],
                                body["location"]["datum"])
            return devices.register_device(hazards.uow(), body["device_id"], lon, lat,
                                           body["interval_s"], body["hazard_id"],
                                           settings.device_keys)

        @allow(*DEVICE_ADMINS)
        @blp.response(200, DeviceOut(many=True))
        @errors(blp, *SIGNED_IN)
        def get(self):  # type: ignore[no-untyped-def]
            """Registered devices with their last heartbeat"""
            with hazards.uow() as uow:
                return uow.devices.list()

    @blp.route("/<device_id>/alarms")
    class Alarms(MethodView):
        @body_limit(WEBHOOK_MAX_BYTES)  # unauthenticated until verified: strictest
        @signed
        @blp.doc(parameters=[SIGNATURE], security=[])
        @blp.arguments(AlarmIn)
        @blp.response(201, AlarmOut)
        @errors(blp, 401, 404)
        def post(self, body, device_id):  # type: ignore[no-untyped-def]
            """A camera or fence alarm: becomes an urgent finding at the nearest hazard"""
            now = datetime.now(UTC)
            rules.check_fresh(body["sent_at"], now, skew)
            loc = body["location"]
            where = to_wgs84(loc["lon"], loc["lat"], loc["datum"]) if loc else None
            result = devices.alarm(hazards.uow(), device_id, body["alarm_id"], body["type"],
                                   where, body["sent_at"], now)
            return ({"status": "duplicate", "finding_id": ""} if result == "duplicate"
                    else {"status": "created", "finding_id": result})

    @blp.route("/<device_id>/heartbeats")
    class Heartbeats(MethodView):
        @body_limit(WEBHOOK_MAX_BYTES)  # unauthenticated until verified: strictest
        @signed
        @blp.doc(parameters=[SIGNATURE], security=[])
        @blp.arguments(HeartbeatIn)
        @blp.response(204)
        @errors(blp, 401, 404)
        def post(self, body, device_id):  # type: ignore[no-untyped-def]
            """A device says it is alive"""
            now = datetime.now(UTC)
            rules.check_fresh(body["sent_at"], now, skew)
            devices.heartbeat(hazards.uow(), device_id, now)

    return blp
