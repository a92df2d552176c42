"""Reading uploaded hazard files safely, and writing exports, with GDAL (pyogrio).

Uploads are hostile until proven otherwise: archives are checked member by member for
paths that leave the archive, too many members, and decompression bombs before
anything is extracted, and extraction itself is capped.
"""

from __future__ import annotations

import io
import json
import logging
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely

from services.hazards.domain.exceptions import FileTooLarge, ImportRefused
from shared.geo import WGS84

log = logging.getLogger(__name__)

VECTOR = {".geojson", ".json", ".gpkg", ".kml", ".shp", ".osm", ".pbf"}
LON = ("lon", "lng", "long", "longitude", "经度", "x")
LAT = ("lat", "latitude", "纬度", "y")
OSM_LAYERS = ("points", "lines", "multilinestrings", "multipolygons")


@dataclass(frozen=True)
class Limits:
    max_members: int = 1000
    max_unpacked_bytes: int = 500 * 1024 * 1024
    max_ratio: int = 200  # uncompressed/compressed beyond this is a bomb, not a map


@dataclass
class Upload:
    frame: gpd.GeoDataFrame  # index = feature label; ``_repair`` names read-time fixes
    osm: bool  # OpenStreetMap data: features that are not hazards are skipped silently


def read_upload(data: bytes, filename: str, limits: Limits = Limits()) -> Upload:
    """Read an uploaded file into one frame, whatever its format; raise ImportRefused."""
    suffix = "".join(PurePosixPath(filename.lower()).suffixes[-2:])
    ext = PurePosixPath(filename.lower()).suffix
    if not data:
        raise ImportRefused("the file is empty")
    if ext == ".csv":
        return _read_csv(data)
    with tempfile.TemporaryDirectory(prefix="hazards-import-") as tmp:
        root = Path(tmp)
        if ext in (".zip", ".kmz"):
            path = _main_member(_safe_extract(data, root, limits))
        elif ext in VECTOR:
            path = root / ("upload" + (".osm.pbf" if suffix == ".osm.pbf" else ext))
            path.write_bytes(data)
        else:
            raise ImportRefused(
                f"unsupported file type {ext or filename!r}: send GeoJSON, GeoPackage, a "
                "zipped Shapefile, KML/KMZ, CSV with lon/lat, or OpenStreetMap .osm/.osm.pbf")
        return _read_vector(path)


def _safe_extract(data: bytes, root: Path, limits: Limits) -> list[Path]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ImportRefused(f"not a readable zip archive: {exc}") from exc
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > limits.max_members:
        raise ImportRefused(f"the archive has {len(members)} files (limit "
                            f"{limits.max_members})")
    total = 0
    for m in members:
        name = PurePosixPath(m.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts or ":" in m.filename:
            raise ImportRefused(f"archive member {m.filename!r} points outside the archive; "
                                "refused")
        total += m.file_size
        if m.file_size > 1024 * 1024 and m.file_size > limits.max_ratio * max(m.compress_size, 1):
            raise FileTooLarge(f"archive member {m.filename!r} expands {m.file_size} bytes "
                               f"from {m.compress_size} (more than {limits.max_ratio}:1): "
                               "refused as a zip bomb")
    if total > limits.max_unpacked_bytes:
        raise FileTooLarge(f"the archive unpacks to {total} bytes (limit "
                           f"{limits.max_unpacked_bytes})")
    out, written = [], 0
    for m in members:
        target = root / PurePosixPath(m.filename.replace("\\", "/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(m) as src, open(target, "wb") as dst:
            while chunk := src.read(1024 * 1024):
                written += len(chunk)  # sizes in the header may lie: count what comes out
                if written > limits.max_unpacked_bytes:
                    raise FileTooLarge(f"the archive unpacks to more than "
                                       f"{limits.max_unpacked_bytes} bytes; refused")
                dst.write(chunk)
        out.append(target)
    return out


def _main_member(paths: list[Path]) -> Path:
    for ext in (".shp", ".gpkg", ".geojson", ".json", ".kml"):
        found = sorted(p for p in paths if p.suffix.lower() == ext)
        if found:
            return found[0]
    raise ImportRefused("the archive holds no .shp, .gpkg, .geojson or .kml file")


def _read_vector(path: Path) -> Upload:
    osm = path.name.endswith((".osm", ".pbf"))
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # noqa: BLE001 - GDAL's errors vary; the message says enough
        raise ImportRefused(f"GDAL cannot read the file: {exc}") from exc
    if osm:
        layers = [name for name in layers if name in OSM_LAYERS]
    frames = []
    for name in layers:
        frame = _read_layer(path, name)
        if len(frame):
            prefix = f"{name}:" if len(layers) > 1 else ""
            frame.index = [f"{prefix}{i}" for i in range(len(frame))]
            frames.append(frame)
    if not frames:
        return Upload(gpd.GeoDataFrame({"_repair": []}, geometry=[], crs=WGS84), osm)
    crs = frames[0].crs
    frame = pd.concat([f.to_crs(crs) if crs and f.crs and f.crs != crs else f for f in frames])
    return Upload(gpd.GeoDataFrame(frame, geometry="geometry", crs=crs), osm)


def _read_layer(path: Path, layer: str) -> gpd.GeoDataFrame:
    """One layer, with geometries GEOS rejects (unclosed rings) repaired and flagged."""
    encoding = None
    if path.suffix.lower() == ".shp" and not path.with_suffix(".cpg").exists():
        encoding = "UTF-8"  # no code page declared: UTF-8, else the Chinese GB18030
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            meta, _, wkb, fields = pyogrio.raw.read(path, layer=layer, encoding=encoding)
        except UnicodeDecodeError:
            meta, _, wkb, fields = pyogrio.raw.read(path, layer=layer, encoding="GB18030")
        except Exception as exc:  # noqa: BLE001
            raise ImportRefused(f"GDAL cannot read layer {layer!r}: {exc}") from exc
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    broken = np.array([g is None and w is not None for g, w in zip(geoms, wkb, strict=True)],
                      dtype=bool)
    repair = np.full(len(geoms), "", dtype=object)
    if broken.any():
        geoms[broken] = shapely.from_wkb(wkb[broken], on_invalid="fix")
        repair[broken] = "ring not closed or too few points"
    columns = {str(n): f for n, f in zip(meta["fields"], fields, strict=True)}
    if isinstance(columns.get("tags"), np.ndarray):  # Overpass GeoJSON nests OSM tags
        columns["tags"] = np.array([_json(v) for v in columns["tags"]], dtype=object)
    return gpd.GeoDataFrame({**columns, "_repair": repair}, geometry=list(geoms),
                            crs=meta["crs"])


def _json(value: object) -> object:
    if isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _read_csv(data: bytes) -> Upload:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused("the CSV is neither UTF-8 nor GB18030 text")
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ImportRefused(f"cannot read the CSV: {exc}") from exc
    lower = {c.strip().lower(): c for c in table.columns}
    lon = next((lower[c] for c in LON if c in lower), None)
    lat = next((lower[c] for c in LAT if c in lower), None)
    if "wkt" in lower:
        geoms = shapely.from_wkt(table[lower["wkt"]].to_numpy(str), on_invalid="ignore")
    elif lon and lat:
        x = pd.to_numeric(table[lon], errors="coerce").to_numpy(float)
        y = pd.to_numeric(table[lat], errors="coerce").to_numpy(float)
        geoms = shapely.points(x, y)
        geoms[np.isnan(x) | np.isnan(y)] = None
    else:
        raise ImportRefused("the CSV needs lon and lat columns (or 经度 and 纬度), or a wkt "
                            "column, in WGS 84")
    frame = gpd.GeoDataFrame(table.assign(_repair=""), geometry=list(geoms), crs=WGS84)
    frame.index = [str(i) for i in range(len(frame))]
    return Upload(frame, osm=False)
