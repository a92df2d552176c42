"""Request and response schemas of the hazard inventory, import and export API."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates
from shapely.geometry import mapping

from services.hazards.domain.kinds import PROTECTIONS
from shared.events.fields import GeoJSONGeometry
from shared.events.hazards import HAZARD_KINDS, PROTECTION_STATES
from shared.schemas import datum_field

_VILLAGE = validate.Regexp(r"^(\d{12})?$", error="must be a 12-digit village code")
_STATE = validate.OneOf(PROTECTION_STATES)


# One hazard drawn or edited by hand; larger surveys come as files (POST /hazards/import)
MAX_VERTICES = 20_000


class HazardPatch(Schema):
    """Every field optional: what is sent changes, and the change is versioned."""

    class Meta:
        unknown = RAISE

    kind = fields.String(validate=validate.OneOf(HAZARD_KINDS))
    name = fields.String(validate=validate.Length(max=200))
    geometry = GeoJSONGeometry(max_vertices=MAX_VERTICES,
                               metadata={"description": "RFC 7946 geometry, WGS 84 lon/lat, "
                                                        f"at most {MAX_VERTICES} vertices"})
    village_code = fields.String(validate=_VILLAGE)
    barrier = fields.String(validate=_STATE)
    warning_sign = fields.String(validate=_STATE)
    rescue_equipment = fields.String(validate=_STATE)
    risk_season = fields.String(validate=validate.Length(max=60))
    depth_m = fields.Float(allow_none=True, validate=validate.Range(min=0))
    width_m = fields.Float(allow_none=True, validate=validate.Range(min=0))
    responsible_unit = fields.String(validate=validate.Length(max=200))
    responsible_person = fields.String(validate=validate.Length(max=100))
    last_inspected = fields.Date(allow_none=True)


class HazardIn(HazardPatch):
    kind = fields.String(required=True, validate=validate.OneOf(HAZARD_KINDS))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    geometry = GeoJSONGeometry(required=True, max_vertices=MAX_VERTICES,
                               metadata={"description": "RFC 7946 geometry, WGS 84 lon/lat, "
                                                        f"at most {MAX_VERTICES} vertices"})


class HazardOut(Schema):
    id = fields.String()
    kind = fields.String()
    name = fields.String()
    geometry = fields.Function(lambda h: mapping(h.geometry))
    village_code = fields.String()
    protections = fields.Dict(keys=fields.String(), values=fields.String())
    missing = fields.Function(lambda h: h.missing())
    risk_season = fields.String()
    depth_m = fields.Float(allow_none=True)
    width_m = fields.Float(allow_none=True)
    responsible_unit = fields.String()
    responsible_person = fields.String()
    last_inspected = fields.Date(allow_none=True)
    version = fields.Integer()


class VersionOut(Schema):
    version = fields.Integer()
    action = fields.String()
    changed_by = fields.String()
    changed_at = fields.DateTime()
    changes = fields.Dict()


class HazardQuery(Schema):
    bbox = fields.String(metadata={"description": "min_lon,min_lat,max_lon,max_lat (WGS 84)"})
    kind = fields.String(metadata={"description": "one kind or several, comma-separated"})
    village = fields.String(validate=_VILLAGE)
    missing = fields.String(validate=validate.OneOf((*PROTECTIONS, "any")),
                            metadata={"description": "only hazards lacking this protection "
                                      "(absent or damaged); 'any' for any of them"})

    @validates("bbox")
    def _bbox(self, value: str, **_: object) -> None:
        try:
            minx, miny, maxx, maxy = (float(p) for p in value.split(","))
        except ValueError as exc:
            raise ValidationError("must be min_lon,min_lat,max_lon,max_lat") from exc
        if minx > maxx or miny > maxy:
            raise ValidationError("minimum above maximum")

    @validates("kind")
    def _kind(self, value: str, **_: object) -> None:
        bad = [k for k in value.split(",") if k not in HAZARD_KINDS]
        if bad:
            raise ValidationError(f"unknown kind(s): {', '.join(bad)}")


class ExportQuery(HazardQuery):
    format = fields.String(load_default="geojson",
                           validate=validate.OneOf(("geojson", "gpkg", "kml", "csv")))


FILE = {"type": "string", "format": "binary"}  # an exported file, documented whole


class FeatureCollection(Schema):
    """RFC 7946: WGS 84 lon/lat, counter-clockwise exterior rings, no ``crs`` member."""

    type = fields.String(dump_default="FeatureCollection")
    features = fields.List(fields.Dict())


class ImportArgs(Schema):
    datum = datum_field("gcj02 for coordinates from Chinese web maps (AMap, WeChat); "
                        "converted to WGS 84")
    dry_run = fields.Boolean(load_default=False,
                             metadata={"description": "report only; nothing is written"})
    kind = fields.String(validate=validate.OneOf(HAZARD_KINDS),
                         metadata={"description": "kind for features that carry none"})
    village_code = fields.String(validate=_VILLAGE,
                                 metadata={"description": "village for features without one"})


class UploadFile(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class Feature(Schema):
    feature = fields.String()
    reason = fields.String()
    duplicate_of = fields.String()


class ImportReportOut(Schema):
    dry_run = fields.Boolean()
    features = fields.Integer()
    accepted = fields.Integer()
    imported = fields.Integer()
    crs = fields.String()
    crs_assumed = fields.Boolean()
    datum = fields.String()
    dropped_z = fields.Integer()
    repaired = fields.List(fields.Nested(Feature))
    refused = fields.List(fields.Nested(Feature))
    duplicates = fields.List(fields.Nested(Feature))
    warnings = fields.List(fields.String())
