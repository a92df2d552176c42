"""Reading an uploaded road network file with GDAL (pyogrio), without unpacking archives.

A zipped Shapefile is read through GDAL's ``/vsizip/`` so no member is ever written to
disk (no path traversal); its declared sizes are checked against a cap first (no bomb).
OpenStreetMap files (``.osm``, ``.pbf``) are read from their ``lines`` layer.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pyogrio

from services.gateway.domain.exceptions import InvalidRoads

FORMATS = (".geojson", ".json", ".gpkg", ".osm", ".pbf", ".zip")
MAX_UNPACKED = 500 * 1024 * 1024
MAX_RATIO = 200


def read_roads(data: bytes, filename: str) -> tuple[gpd.GeoDataFrame, bool]:
    """The file's line features and whether it is OpenStreetMap data."""
    ext = PurePosixPath(filename.lower()).suffix
    if ext not in FORMATS:
        raise InvalidRoads("file", f"{filename!r}: send one of {', '.join(FORMATS)} "
                           "(a Shapefile zipped with its .dbf, .shx and .prj)")
    if not data:
        raise InvalidRoads("file", "the file is empty")
    with tempfile.TemporaryDirectory(prefix="gateway-roads-") as tmp:
        path = Path(tmp) / f"roads{ext}"
        path.write_bytes(data)
        source, layer = str(path), "lines" if ext in (".osm", ".pbf") else None
        if ext == ".zip":
            source = f"/vsizip/{path}/{_shapefile(data)}"
        try:
            frame = pyogrio.read_dataframe(source, layer=layer)
        except Exception as exc:  # GDAL says what it could not read
            raise InvalidRoads("file", f"cannot read {filename!r}: {exc}") from exc
    return frame, ext in (".osm", ".pbf")


def _shapefile(data: bytes) -> str:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as exc:
        raise InvalidRoads("file", "not a zip archive") from exc
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED or unpacked > MAX_RATIO * max(len(data), 1):
        raise InvalidRoads("file", "the archive unpacks too large (a zip bomb?)")
    shp = [m.filename for m in members if m.filename.lower().endswith(".shp")]
    if len(shp) != 1:
        raise InvalidRoads("file", f"the zip must hold one .shp, it holds {len(shp)}")
    return shp[0]
