"""Coordinates at the edges: datums, plausibility, metric CRS.

Everything stored is WGS 84 lon/lat (EPSG:4326). Phones in China often report GCJ-02
(the obfuscated datum of WeChat and AMap maps); inputs name their datum and are
converted here. GCJ-02 is not an EPSG datum, so pyproj cannot do it: the forward
transform is the published algorithm, and the inverse is found by fixed-point
iteration to better than 1e-7 degrees (about 1 cm).
"""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path

from pyproj import CRS
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from shared.config import ConfigError, Region

WGS84 = "EPSG:4326"

_A = 6378245.0  # Krasovsky 1940 semi-major axis, metres
_EE = 0.00669342162296594323  # its eccentricity squared


class Datum(StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"


class CoordinateError(ValueError):
    """A point that cannot be a place in this township; the message says why."""


def _out_of_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _delta(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS 84 degrees → GCJ-02 degrees (identity outside China)."""
    if _out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 degrees → WGS 84 degrees, by iterating the forward transform."""
    if _out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(30):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = glon - lon, glat - lat
        wlon, wlat = wlon - dlon, wlat - dlat
        if abs(dlon) < 1e-9 and abs(dlat) < 1e-9:
            break
    return wlon, wlat


def to_wgs84(lon: float, lat: float, datum: Datum | str = Datum.WGS84) -> tuple[float, float]:
    return gcj02_to_wgs84(lon, lat) if Datum(datum) is Datum.GCJ02 else (lon, lat)


def check_in_region(lon: float, lat: float, region: Region, what: str = "point") -> None:
    """Refuse a point outside the township's region, saying when it looks swapped."""
    if region.contains(lon, lat):
        return
    if region.contains(lat, lon):
        raise CoordinateError(
            f"{what} ({lon}, {lat}) looks like latitude/longitude swapped: "
            "send longitude first"
        )
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise CoordinateError(f"{what} ({lon}, {lat}) is not a longitude/latitude pair")
    raise CoordinateError(
        f"{what} ({lon}, {lat}) lies outside the configured region "
        f"[{region.min_lon}, {region.min_lat}, {region.max_lon}, {region.max_lat}]"
        f" (setting {region.setting})"
    )


def region_from_boundary(path: Path, margin_m: float) -> Region:
    """The region of a township's or county's boundary file (any CRS GDAL reads; all its
    polygons together) widened by ``margin_m`` metres in the local UTM zone; refusals name
    ``SHOUHU_REGION_BOUNDARY`` and the margin."""
    import geopandas as gpd
    import shapely

    setting = f"SHOUHU_REGION_BOUNDARY={path}, SHOUHU_REGION_MARGIN_M={margin_m:g}"
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # GDAL says why it cannot read the file
        raise ConfigError(f"SHOUHU_REGION_BOUNDARY={str(path)!r}: cannot read it: {exc}") from exc
    if frame.crs is None or frame.empty:
        raise ConfigError(f"SHOUHU_REGION_BOUNDARY={str(path)!r} must hold polygons with a CRS")
    shape = frame.to_crs(WGS84).union_all()
    centre = shape.centroid
    crs = utm_crs(centre.x, centre.y)
    widened = gpd.GeoSeries([shape], crs=WGS84).to_crs(crs).buffer(margin_m).to_crs(WGS84)[0]
    shapely.prepare(widened)
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in widened.bounds)
    return Region(min_lon, min_lat, max_lon, max_lat, boundary=widened, setting=setting)


def utm_crs(lon: float, lat: float) -> CRS:
    """The WGS 84 UTM zone CRS for a point; metric work on a township uses its centre."""
    infos = query_utm_crs_info(
        datum_name="WGS 84",
        area_of_interest=AreaOfInterest(lon, lat, lon, lat),
    )
    return CRS.from_epsg(int(infos[0].code))
