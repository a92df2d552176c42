"""Turning an uploaded layer into hazards: CRS, datum, kinds, repairs, refusals, duplicates.

Pure: the file has already been read into a GeoDataFrame (adapters/geofiles.py). Every
decision is reported per feature so a dry run shows exactly what an import would do.
The feature label is the frame's index (``"12"``, or ``"lines:12"`` for multi-layer files).
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from services.hazards.domain.duplicates import find_duplicates
from services.hazards.domain.exceptions import ImportRefused
from services.hazards.domain.kinds import (
    PROTECTION_STATES,
    PROTECTIONS,
    normalise_kind,
    osm_kind,
    parse_other_tags,
)
from shared.config import Region
from shared.geo import WGS84, CoordinateError, Datum, check_in_region, to_wgs84

# Shapefile truncates field names to 10 characters: those forms are accepted too.
ALIASES = {
    "name": ("name", "名称", "名字"),
    "kind": ("kind", "类型", "类别"),
    "village_code": ("village_code", "village_co", "村代码"),
    "depth_m": ("depth_m", "depth", "水深"),
    "width_m": ("width_m", "width", "宽度"),
    "risk_season": ("risk_season", "risk_seaso", "风险季节"),
    "responsible_unit": ("responsible_unit", "责任单位"),
    "responsible_person": ("responsible_person", "责任人", "河长"),
    "barrier": ("barrier", "护栏", "防护隔离"),
    "warning_sign": ("warning_sign", "warning_si", "警示标志"),
    "rescue_equipment": ("rescue_equipment", "rescue_equ", "救援设备", "应急救援装备"),
}
STATE_WORDS = {"有": "present", "完好": "present", "损坏": "damaged", "破损": "damaged",
               "无": "missing", "缺": "missing", "缺失": "missing", "yes": "present",
               "no": "missing"}
OSM_KEYS = ("natural", "water", "waterway", "landuse", "highway", "leisure", "sport")
PLAN_COLUMNS = ["feature", "kind", "name", "village_code", *PROTECTIONS, "depth_m", "width_m",
                "risk_season", "responsible_unit", "responsible_person", "geometry"]
_VILLAGE = re.compile(r"^\d{12}$")


class _NoKind(ValueError):
    """A feature whose kind cannot be told (skipped silently in OpenStreetMap data)."""


@dataclass
class ImportReport:
    """What an import did or (dry run) would do, feature by feature."""

    features: int = 0
    accepted: int = 0
    imported: int = 0
    crs: str = ""
    crs_assumed: bool = False
    datum: str = "wgs84"
    dropped_z: int = 0
    repaired: list[dict[str, str]] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportPlan:
    hazards: gpd.GeoDataFrame  # one row per accepted feature, EPSG:4326, our columns
    report: ImportReport


def _mostly_degrees(raw: gpd.GeoDataFrame) -> tuple[bool, float, float]:
    """Do most features lie in lon/lat ranges? (one swapped point must not sink a file)"""
    geoms = raw.geometry.values
    pts = shapely.point_on_surface(geoms[~(shapely.is_empty(geoms) | shapely.is_missing(geoms))])
    if not len(pts):
        return True, 0.0, 0.0
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    ok = (np.abs(x) <= 180) & (np.abs(y) <= 90)
    bad = np.flatnonzero(~ok)
    sample = int(bad[0]) if len(bad) else 0
    return bool(ok.mean() >= 0.5), float(x[sample]), float(y[sample])


def to_wgs84_frame(raw: gpd.GeoDataFrame, report: ImportReport) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326; a missing CRS is accepted only for plausible degrees."""
    degrees, x, y = _mostly_degrees(raw)
    if raw.crs is None:
        if not degrees:
            raise ImportRefused(
                "the file declares no coordinate reference system and its coordinates "
                f"(e.g. x={x:.1f}, y={y:.1f}) are not longitude/latitude; "
                "add the .prj file or export as EPSG:4326")
        report.crs, report.crs_assumed = WGS84, True
        report.warnings.append("no CRS declared: assumed WGS 84 longitude/latitude")
        return raw.set_crs(WGS84)
    report.crs = raw.crs.to_string()
    if raw.crs.is_geographic and not degrees:
        raise ImportRefused(
            f"the file declares {report.crs} but its coordinates (e.g. x={x:.1f}, "
            f"y={y:.1f}) are not degrees: the declared CRS is wrong")
    return raw.to_crs(WGS84)


def _column(raw: pd.DataFrame, name: str) -> pd.Series:
    lower = {str(c).lower(): c for c in raw.columns}
    for alias in ALIASES.get(name, (name,)):
        if alias.lower() in lower:
            return raw[lower[alias.lower()]]
    return pd.Series([None] * len(raw), index=raw.index, dtype=object)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(value: Any) -> float | None:
    text = _text(value)
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _tags(raw: pd.DataFrame, i: int) -> dict[str, str]:
    row = raw.iloc[i]
    tags = dict(row["tags"]) if "tags" in raw and isinstance(row["tags"], dict) else {}
    tags.update(parse_other_tags(row.get("other_tags")))
    for key in OSM_KEYS:
        if key in raw and _text(row[key]):
            tags.setdefault(key, _text(row[key]))
    return tags


def _attributes(raw: pd.DataFrame, columns: dict[str, np.ndarray], i: int,
                default_kind: str | None) -> dict[str, Any]:
    """Our attributes for feature ``i``; raises ValueError naming what is wrong."""
    cols = {name: values[i] for name, values in columns.items()}
    kind = normalise_kind(cols["kind"])
    if kind is None:
        kind = osm_kind(_tags(raw, i)) or default_kind
    if kind is None:
        raise _NoKind(f"no hazard kind (kind={_text(cols['kind'])!r}, no OSM tags match): "
                      "give each feature a 'kind' (or '类型') column, or send kind=<kind> "
                      "with the upload for the whole file, e.g. kind=pond")
    village = _text(cols["village_code"])
    if village and not _VILLAGE.match(village):
        raise ValueError(f"village_code {village!r} is not a 12-digit village code")
    attrs: dict[str, Any] = {"kind": kind, "name": _text(cols["name"])[:200],
                             "village_code": village}
    for p in PROTECTIONS:
        state = _text(cols[p]).lower() or "missing"
        state = STATE_WORDS.get(state, state)
        if state not in PROTECTION_STATES:
            raise ValueError(f"{p} {state!r} is not one of {', '.join(PROTECTION_STATES)}")
        attrs[p] = state
    attrs.update(depth_m=_number(cols["depth_m"]), width_m=_number(cols["width_m"]),
                 risk_season=_text(cols["risk_season"])[:60],
                 responsible_unit=_text(cols["responsible_unit"])[:200],
                 responsible_person=_text(cols["responsible_person"])[:100])
    return attrs


def _repair(geom: shapely.Geometry) -> shapely.Geometry:
    """make_valid, keeping only parts of the original dimension (no stray lines/points)."""
    fixed = shapely.make_valid(geom)
    dim = shapely.get_dimensions(geom)
    parts = [p for p in shapely.get_parts(fixed) if shapely.get_dimensions(p) == dim]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _gcj02_to_wgs84(coords: np.ndarray) -> np.ndarray:
    return np.array([to_wgs84(x, y, Datum.GCJ02) for x, y in coords]).reshape(coords.shape)


def prepare_import(raw: gpd.GeoDataFrame, *, region: Region, datum: Datum = Datum.WGS84,
                   default_kind: str | None = None,
                   existing: gpd.GeoDataFrame | None = None, osm: bool = False) -> ImportPlan:
    """Validate and normalise an uploaded layer; nothing is written here.

    Parameters
    ----------
    raw : the file's features, any CRS (or none); index = feature label.
    region : township bounding box, WGS 84 degrees.
    datum : ``gcj02`` when the coordinates come from a Chinese web map (after CRS).
    default_kind : kind for features that carry none (e.g. a phone GPS track).
    existing : stored hazards (columns id, kind; EPSG:4326) for duplicate detection.
    osm : OpenStreetMap data, where most features (buildings, shops) are not hazards and
        are skipped with a count instead of being refused one by one.
    """
    report = ImportReport(features=len(raw), datum=str(Datum(datum)))
    frame = to_wgs84_frame(raw, report)
    geoms = frame.geometry.values
    has_z = shapely.has_z(geoms)
    report.dropped_z = int(has_z.sum())
    if has_z.any():
        geoms = shapely.force_2d(geoms)
    if Datum(datum) is Datum.GCJ02:
        geoms = shapely.transform(geoms, _gcj02_to_wgs84)
    valid = shapely.is_valid(geoms)
    rows: list[dict[str, Any]] = []
    read_fixes = _column(frame, "_repair").to_numpy(object)
    skipped = roads = 0
    labels = [str(x) for x in frame.index]
    columns = {name: _column(frame, name).to_numpy(object) for name in ALIASES}
    for i, label in enumerate(labels):
        geom = geoms[i]
        try:
            if geom is None or shapely.is_empty(geom):
                raise ValueError("empty geometry")
            attrs = _attributes(frame, columns, i, default_kind)
            if read_fixes[i]:
                report.repaired.append({"feature": label, "reason": read_fixes[i]})
            if not valid[i]:
                reason = shapely.is_valid_reason(geom)
                geom = _repair(geom)
                if shapely.is_empty(geom):
                    raise ValueError(f"invalid geometry that cannot be repaired: {reason}")
                report.repaired.append({"feature": label, "reason": reason})
            point = shapely.point_on_surface(geom)
            check_in_region(point.x, point.y, region, "geometry")
        except _NoKind as exc:
            if osm:
                skipped += 1
                roads += bool(_tags(frame, i).get("highway"))
                continue
            report.refused.append({"feature": label, "reason": str(exc)})
            continue
        except (ValueError, CoordinateError) as exc:
            report.refused.append({"feature": label, "reason": str(exc)})
            continue
        rows.append({"feature": label, **attrs, "geometry": geom})
    if skipped - roads:
        report.warnings.append(f"{skipped - roads} OpenStreetMap features are not hazards; "
                               "skipped")
    if roads:
        report.warnings.append(f"{roads} OpenStreetMap roads skipped: roads are not hazards; "
                               "import them as the road network (gateway POST "
                               "/api/road-network); enter real road dangers with their kind")
    plan = gpd.GeoDataFrame(pd.DataFrame(rows, columns=PLAN_COLUMNS), geometry="geometry",
                            crs=WGS84)
    plan = _drop_duplicates(plan, existing, report)
    plan["id"] = [str(uuid.uuid4()) for _ in range(len(plan))]
    report.accepted = len(plan)
    return ImportPlan(plan.reset_index(drop=True), report)


def _drop_duplicates(plan: gpd.GeoDataFrame, existing: gpd.GeoDataFrame | None,
                     report: ImportReport) -> gpd.GeoDataFrame:
    stored = existing if existing is not None else gpd.GeoDataFrame(
        {"id": [], "kind": []}, geometry=[], crs=WGS84)
    both = gpd.GeoSeries(np.concatenate([stored.geometry.values, plan.geometry.values]),
                         crs=WGS84)
    kinds = np.concatenate([stored["kind"].to_numpy(str), plan["kind"].to_numpy(str)])
    names = [f"hazard {h}" for h in stored["id"]] + [f"feature {f}" for f in plan["feature"]]
    n = len(stored)
    drop = []
    for later, earlier in sorted(find_duplicates(both, kinds).items()):
        if later >= n:
            report.duplicates.append({"feature": str(plan["feature"].iloc[later - n]),
                                      "duplicate_of": names[earlier]})
            drop.append(later - n)
    return plan.drop(plan.index[drop])
