"""The road network layer: import a file as a new version; read the current one."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.gateway.bootstrap import Gateway
from services.gateway.entrypoints.response_schemas import SIGNED_IN, errors
from services.gateway.planning.entrypoints.road_schemas import (
    RoadFile,
    RoadImportArgs,
    RoadNetworkOut,
)
from services.gateway.planning.service_layer import roads
from shared.access import roles
from shared.auth.flask import allow, current_principal

ROAD_EDITORS = roles("road_network", "write")
ROAD_READERS = roles("road_network", "read")


def build(gateway: Gateway) -> Blueprint:
    blp = Blueprint("roads", __name__, description="The road network layer plans follow")

    @blp.route("/api/road-network")
    class RoadNetwork(MethodView):
        @allow(*ROAD_EDITORS)
        @blp.arguments(RoadImportArgs, location="query")
        @blp.arguments(RoadFile, location="files")
        @blp.response(201, RoadNetworkOut)
        @errors(blp, *SIGNED_IN)
        def post(self, args, files):
            """Import roads (OSM PBF/XML, GeoJSON, GeoPackage, zipped Shapefile) as a new
            version; all or nothing, joins and connected pieces reported"""
            upload = files["file"]
            report = roads.import_roads(
                gateway.engine, upload.read(), upload.filename or "",
                gateway.settings.common.region, gateway.crs, current_principal().user_id,
                args["join_m"])
            return report, 201

        @allow(*ROAD_READERS)
        @blp.response(200, RoadNetworkOut)
        @errors(blp, *SIGNED_IN, 404)
        def get(self):
            """The road network version plans use now, with its import report"""
            with gateway.reader.connect() as conn:
                return roads.current(conn)

    return blp
