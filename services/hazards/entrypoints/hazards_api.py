"""HTTP views of the hazard inventory: CRUD, import, zones, exports."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from shapely.geometry import shape
from webargs.flaskparser import parser

from services.hazards.adapters.exports import export, feature_collection
from services.hazards.bootstrap import Hazards
from services.hazards.domain.model import Hazard
from services.hazards.domain.ports import HazardFilter
from services.hazards.entrypoints.access import EDITORS, READERS, context
from services.hazards.entrypoints.schemas import (
    FILE,
    ExportQuery,
    FeatureCollection,
    HazardIn,
    HazardOut,
    HazardPatch,
    HazardQuery,
    ImportArgs,
    ImportReportOut,
    UploadFile,
    VersionOut,
)
from services.hazards.service_layer import handlers
from shared.auth.flask import allow
from shared.auth.hardening import body_limit
from shared.auth.ratelimit import EXPORTS_PER_MINUTE, rate_limit
from shared.geo import Datum
from shared.openapi import SIGNED_IN, errors


def _filter(args: dict) -> HazardFilter:
    box = [float(p) for p in args["bbox"].split(",")] if args.get("bbox") else []
    bbox = (box[0], box[1], box[2], box[3]) if box else None  # the schema checked four numbers
    kinds = tuple(args["kind"].split(",")) if args.get("kind") else ()
    return HazardFilter(bbox=bbox, kinds=kinds, village_code=args.get("village"),
                        missing=args.get("missing"))


def _import_args(query: dict) -> dict:
    """Options may also come as form fields, checked as the query is (422)."""
    return {**query, **parser.parse(ImportArgs(), location="form")} if request.form else query


def _changes(body: dict) -> dict:
    if "geometry" in body:
        body["geometry"] = shape(body["geometry"])
    return body


def hazards_blueprint(hazards: Hazards) -> Blueprint:
    blp = Blueprint("hazards", __name__, url_prefix="/hazards",
                    description="Water, road and terrain hazards and their protections")

    @blp.route("")
    class HazardList(MethodView):
        @allow(*EDITORS)
        @blp.arguments(HazardIn)
        @blp.response(201, HazardOut)
        @errors(blp, *SIGNED_IN, 404)
        def post(self, body):
            """Add a hazard (publishes hazard.created and zone.changed)"""
            hazard = Hazard(**_changes(body))
            return handlers.add_hazard(hazards.uow(), hazard, context(hazards))

        @allow(*READERS)
        @blp.arguments(HazardQuery, location="query")
        @blp.response(200, FeatureCollection)
        @errors(blp, *SIGNED_IN)
        def get(self, args):
            """List hazards as an RFC 7946 FeatureCollection, filtered"""
            with hazards.uow() as uow:
                frame = uow.hazards.frame(_filter(args))
            return feature_collection(frame, "id")

    @blp.route("/<hazard_id>")
    class HazardById(MethodView):
        @allow(*READERS)
        @blp.response(200, HazardOut)
        @errors(blp, *SIGNED_IN, 404)
        def get(self, hazard_id):
            """Read one hazard"""
            return handlers.get_hazard(hazards.uow(), hazard_id)

        @allow(*EDITORS)
        @blp.arguments(HazardPatch)
        @blp.response(200, HazardOut)
        @errors(blp, *SIGNED_IN, 404)
        def patch(self, body, hazard_id):
            """Change a hazard's attributes, protections or outline (versioned)"""
            return handlers.update_hazard(hazards.uow(), hazard_id, _changes(body),
                                          context(hazards))

        @allow(*EDITORS)
        @blp.response(204)
        @errors(blp, *SIGNED_IN, 404)
        def delete(self, hazard_id):
            """Retire a hazard (filled in, fenced off for good)"""
            handlers.retire_hazard(hazards.uow(), hazard_id, context(hazards))

    @blp.route("/<hazard_id>/versions")
    class HazardVersions(MethodView):
        @allow(*READERS)
        @blp.response(200, VersionOut(many=True))
        @errors(blp, *SIGNED_IN, 404)
        def get(self, hazard_id):
            """Who changed what, when"""
            handlers.get_hazard(hazards.uow(), hazard_id)
            with hazards.uow() as uow:
                return uow.hazards.versions(hazard_id)

    @blp.route("/import")
    class HazardImport(MethodView):
        @body_limit(hazards.settings.max_upload_bytes)  # files: larger than JSON bodies
        @allow(*EDITORS)
        @blp.arguments(ImportArgs, location="query")
        @blp.arguments(UploadFile, location="files")
        @blp.response(200, ImportReportOut)
        @errors(blp, *SIGNED_IN, 404, 413)
        def post(self, args, files):
            """Import GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, CSV or OSM data.

            Options may come as query or form fields. The report lists every repaired,
            refused and duplicate feature; with dry_run nothing is written.
            """
            args = _import_args(args)
            upload = files["file"]
            opts = handlers.ImportOptions(
                filename=upload.filename or "", datum=Datum(args["datum"]),
                dry_run=args["dry_run"], default_kind=args.get("kind"),
                default_village=args.get("village_code", ""))
            report = handlers.import_file(hazards.uow(), upload.read(), opts, context(hazards))
            return {**report.to_dict(), "dry_run": opts.dry_run}

    @blp.route("/export")
    class HazardExport(MethodView):
        @allow(*READERS)
        @rate_limit(EXPORTS_PER_MINUTE, what="exports")
        @blp.arguments(ExportQuery, location="query")
        @blp.response(200, FeatureCollection, content_type="application/geo+json")
        @blp.alt_response(200, schema=FILE, content_type="application/geopackage+sqlite3",
                          success=True)
        @blp.alt_response(200, schema=FILE, content_type="application/vnd.google-earth.kml+xml",
                          success=True)
        @blp.alt_response(200, schema=FILE, content_type="text/csv", success=True)
        @errors(blp, *SIGNED_IN, 429)
        def get(self, args):
            """Export hazards as GeoJSON (RFC 7946), GeoPackage, KML or CSV"""
            with hazards.uow() as uow:
                frame = uow.hazards.frame(_filter(args))
            body, content_type, name = export(frame, args["format"])
            return Response(body, content_type=content_type,
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})

    return blp


def zones_blueprint(hazards: Hazards) -> Blueprint:
    blp = Blueprint("zones", __name__, url_prefix="/zones",
                    description="Danger zones: a buffer per hazard kind, in metres")

    @blp.route("")
    class Zones(MethodView):
        @allow(*READERS)
        @blp.arguments(HazardQuery, location="query")
        @blp.response(200, FeatureCollection)
        @errors(blp, *SIGNED_IN)
        def get(self, args):
            """Hazard zones as an RFC 7946 FeatureCollection"""
            with hazards.uow() as uow:
                frame = uow.zones.frame(_filter(args))
            return feature_collection(frame, "hazard_id")

    return blp
