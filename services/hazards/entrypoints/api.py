"""The hazards HTTP API."""

from __future__ import annotations

from flask import Flask
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from shapely.errors import GEOSException
from shapely.geometry import shape

from services.hazards.bootstrap import Hazards
from services.hazards.domain.exceptions import InvalidHazard
from services.hazards.domain.model import Hazard
from services.hazards.entrypoints.schemas import HazardIn, HazardOut
from services.hazards.service_layer import handlers
from shared.auth.flask import allow
from shared.auth.principal import Role
from shared.web import create_flask


def create_app(hazards: Hazards) -> Flask:
    app, api = create_flask(__name__, "Shouhu hazards", hazards.settings.keys)
    blp = Blueprint("hazards", __name__, url_prefix="/hazards",
                    description="Water and road hazards")

    @blp.route("")
    class HazardList(MethodView):
        @allow(Role.STATION_ADMIN, Role.CHILD_SUPERVISOR)
        @blp.arguments(HazardIn)
        @blp.response(201, HazardOut)
        def post(self, body):  # type: ignore[no-untyped-def]
            """Add a hazard"""
            try:
                geom = shape(body["geometry"])
            except (GEOSException, ValueError, TypeError, IndexError) as exc:
                abort(422, message=f"geometry: {exc}", errors={"json": {"geometry": [str(exc)]}})
            hazard = Hazard(kind=body["kind"], name=body["name"], geometry=geom)
            try:
                return handlers.add_hazard(hazards.uow(), hazard, hazards.settings.common.region)
            except InvalidHazard as exc:
                abort(422, message=str(exc), errors={"json": {exc.field: [exc.message]}})

    api.register_blueprint(blp)
    return app


def wsgi() -> Flask:
    """gunicorn's factory: ``gunicorn 'services.hazards.entrypoints.api:wsgi()'``."""
    from services.hazards.bootstrap import bootstrap

    return create_app(bootstrap())
