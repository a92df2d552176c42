"""Hazard exports: GeoJSON (RFC 7946), GeoPackage, KML (GDAL) and CSV (WKT column)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from shapely.geometry import mapping

from shared.exports import cell

FORMATS = {  # format → (GDAL driver, file suffix, content type)
    "geojson": (None, ".geojson", "application/geo+json"),
    "gpkg": ("GPKG", ".gpkg", "application/geopackage+sqlite3"),
    "kml": ("KML", ".kml", "application/vnd.google-earth.kml+xml"),
    "csv": (None, ".csv", "text/csv; charset=utf-8"),
}


def rfc7946(geoms: Any) -> list[dict[str, Any]]:
    """GeoJSON geometries per RFC 7946 from EPSG:4326 shapely geometries: lon/lat order,
    exterior rings counter-clockwise, coordinates rounded to 7 decimals (about 1 cm)."""
    oriented = shapely.orient_polygons(np.asarray(geoms, dtype=object), exterior_cw=False)
    rounded = shapely.transform(oriented, lambda xy: np.round(xy, 7))
    return [mapping(g) for g in rounded]  # faster than a to_geojson/json.loads round trip


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.isoformat() if hasattr(value, "isoformat") else value


def feature_collection(frame: gpd.GeoDataFrame, id_column: str) -> dict[str, Any]:
    """A FeatureCollection without a ``crs`` member (RFC 7946 forbids it)."""
    props = [c for c in frame.columns if c != frame.geometry.name]
    records = frame[props].to_dict("records")
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": rec[id_column], "geometry": geom,
         "properties": {k: _plain(v) for k, v in rec.items()}}
        for rec, geom in zip(records, rfc7946(frame.geometry.values), strict=True)]}


def export(frame: gpd.GeoDataFrame, fmt: str) -> tuple[bytes, str, str]:
    """Bytes, content type and file name of the hazards in ``frame`` (EPSG:4326)."""
    driver, suffix, content_type = FORMATS[fmt]
    name = "hazards" + suffix
    if fmt == "geojson":
        body = json.dumps(feature_collection(frame, "id"), ensure_ascii=False)
        return body.encode(), content_type, name
    flat = frame.copy()
    for col in flat.columns:
        if col != flat.geometry.name and flat[col].dtype == object:
            flat[col] = [_plain(v) for v in flat[col]]
    if fmt == "csv":
        table = flat.drop(columns=flat.geometry.name).assign(
            wkt=shapely.to_wkt(flat.geometry.values, rounding_precision=7))
        for col in table.select_dtypes(include="object").columns:
            table[col] = [cell(v) for v in table[col]]  # names typed by people
        return table.to_csv(index=False).encode("utf-8-sig"), content_type, name
    with tempfile.TemporaryDirectory(prefix="hazards-export-") as tmp:
        path = Path(tmp) / name
        pyogrio.write_dataframe(flat, path, driver=driver, layer="hazards")
        return path.read_bytes(), content_type, name
