"""Reading every supported format, made here with GDAL/osmium, plus hostile and broken files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import osmium
import pytest
from shapely.geometry import LineString, Point, Polygon

from services.hazards.adapters.geofiles import Limits, read_upload
from services.hazards.domain.exceptions import FileTooLarge, ImportRefused
from services.hazards.domain.importing import prepare_import
from shared.config import Region
from shared.geo import Datum

REGION = Region(105.5, 28.5, 107.5, 30.5)
SQUARE = Polygon([(106.65, 28.95), (106.652, 28.95), (106.652, 28.952), (106.65, 28.952)])


def _frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["大塘", "小河"], "kind": ["塘", "river"], "village_code": ["500110120201"] * 2,
         "barrier": ["present", "damaged"], "warning_sign": ["missing", "present"],
         "rescue_equipment": ["missing", "missing"], "depth_m": [2.5, 1.0]},
        geometry=[SQUARE, LineString([(106.64, 28.94), (106.66, 28.945)])], crs=4326)


def _ponds() -> gpd.GeoDataFrame:
    """Shapefiles hold one geometry type."""
    frame = _frame()
    frame.loc[1, "geometry"] = SQUARE.buffer(0.002).difference(SQUARE.buffer(0.001))
    frame.loc[1, "kind"] = "pond"
    return frame


def _plan(data: bytes, name: str, **kw):  # type: ignore[no-untyped-def]
    upload = read_upload(data, name)
    return prepare_import(upload.frame, region=REGION, osm=upload.osm, **kw)


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("driver,suffix", [("GeoJSON", ".geojson"), ("GPKG", ".gpkg"),
                                            ("KML", ".kml")])
def test_vector_formats(tmp_path: Path, driver: str, suffix: str):
    path = tmp_path / ("h" + suffix)
    _frame().to_file(path, driver=driver)
    plan = _plan(path.read_bytes(), path.name, default_kind="pond")
    assert plan.report.accepted == 2, plan.report
    assert plan.hazards["kind"].tolist() == ["pond", "river"]  # KML: ExtendedData
    assert plan.hazards["barrier"].tolist() == ["present", "damaged"]
    assert plan.hazards["name"].tolist() == ["大塘", "小河"]


def test_kmz_from_a_phone_app(tmp_path: Path):
    _frame()[["name", "geometry"]].to_file(tmp_path / "doc.kml", driver="KML")
    plan = _plan(_zip({"doc.kml": (tmp_path / "doc.kml").read_bytes()}), "track.kmz",
                 default_kind="stream")
    assert plan.report.accepted == 2 and set(plan.hazards["kind"]) == {"stream"}


def test_zipped_shapefile_in_gbk_without_cpg(tmp_path: Path):
    _ponds().to_file(tmp_path / "h.shp", encoding="GBK")
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix != ".cpg"}
    plan = _plan(_zip(files), "h.zip")
    assert plan.hazards["name"].tolist() == ["大塘", "小河"]
    assert plan.hazards["warning_sign"].tolist() == ["missing", "present"]  # 'warning_si'
    assert plan.report.crs == "EPSG:4326" and not plan.report.crs_assumed


def test_shapefile_in_a_projected_crs_is_converted(tmp_path: Path):
    _ponds().to_crs(32648).to_file(tmp_path / "h.shp")
    plan = _plan(_zip({p.name: p.read_bytes() for p in tmp_path.iterdir()}), "h.zip")
    assert plan.report.crs == "EPSG:32648"
    assert plan.hazards.geometry.iloc[0].hausdorff_distance(SQUARE) < 1e-7


def test_missing_crs_assumed_for_degrees_and_refused_for_metres(tmp_path: Path):
    _ponds().to_file(tmp_path / "h.shp")
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix != ".prj"}
    plan = _plan(_zip(files), "h.zip")
    assert plan.report.crs_assumed and plan.report.accepted == 2
    _ponds().to_crs(32648).to_file(tmp_path / "m.shp")
    files = {p.name: p.read_bytes() for p in tmp_path.glob("m.*") if p.suffix != ".prj"}
    with pytest.raises(ImportRefused, match="declares no coordinate reference system"):
        _plan(_zip(files), "m.zip")


def test_wrong_crs_is_refused():
    metres = _frame().to_crs(32648).set_crs(4326, allow_override=True)
    with pytest.raises(ImportRefused, match="declared CRS is wrong"):
        _plan(metres.to_json().encode(), "h.geojson")


def test_csv_with_chinese_headers_in_gb18030():
    text = "名称,类型,经度,纬度\n码头野泳点,野泳点,106.651,28.951\n坏行,塘,x,28.9\n"
    plan = _plan(text.encode("gb18030"), "spots.csv")
    assert plan.hazards["kind"].tolist() == ["swimming_spot"]
    assert plan.report.refused == [{"feature": "1", "reason": "empty geometry"}]


def _feature(geometry, **props):  # type: ignore[no-untyped-def]
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_broken_geometries_are_repaired_or_refused_with_index():
    ring = [[106.65, 28.95], [106.652, 28.95], [106.652, 28.952], [106.65, 28.952]]
    bowtie = [[106.65, 28.95], [106.66, 28.96], [106.66, 28.95], [106.65, 28.96], [106.65, 28.95]]
    doc = {"type": "FeatureCollection", "features": [
        _feature({"type": "Polygon", "coordinates": [bowtie]}, kind="pond"),
        _feature({"type": "Polygon", "coordinates": [ring]}, kind="pond"),  # unclosed
        _feature({"type": "Point", "coordinates": [28.95, 106.65]}, kind="dam"),
        _feature(None, kind="pond"),
        _feature({"type": "Point", "coordinates": [106.7, 28.9, 312.0]}, kind="dam"),
        _feature({"type": "Point", "coordinates": [106.7, 28.9]}, kind="volcano"),
    ]}
    plan = _plan(json.dumps(doc).encode(), "broken.geojson")
    report = plan.report
    assert {r["feature"] for r in report.repaired} == {"0", "1"}
    assert "Self-intersection" in report.repaired[0]["reason"]
    assert "ring not closed" in report.repaired[1]["reason"]
    refused = {r["feature"]: r["reason"] for r in report.refused}
    assert "swapped" in refused["2"] and refused["3"] == "empty geometry"
    assert "no hazard kind" in refused["5"]
    assert report.dropped_z == 1 and not plan.hazards.geometry.has_z.any()
    assert plan.hazards["feature"].tolist() == ["0", "1", "4"]
    assert plan.hazards.geometry.is_valid.all()


def test_duplicates_within_the_file_and_against_stored_hazards():
    shifted = Polygon([(x + 0.00001, y) for x, y in SQUARE.exterior.coords])
    frame = gpd.GeoDataFrame({"kind": ["pond", "pond", "river", "pond"]},
                             geometry=[SQUARE, shifted, SQUARE.exterior,
                                       Point(106.7, 28.9).buffer(0.001)], crs=4326)
    stored = gpd.GeoDataFrame({"id": ["h-1"], "kind": ["pond"]},
                              geometry=[Point(106.7, 28.9).buffer(0.001)], crs=4326)
    plan = prepare_import(frame, region=REGION, existing=stored)
    assert plan.report.duplicates == [{"feature": "1", "duplicate_of": "feature 0"},
                                      {"feature": "3", "duplicate_of": "hazard h-1"}]
    assert plan.hazards["feature"].tolist() == ["0", "2"]  # a river is not a pond


def test_gcj02_flag_moves_coordinates_to_wgs84():
    doc = {"type": "FeatureCollection",
           "features": [_feature({"type": "Point", "coordinates": [106.65, 28.95]}, kind="dam")]}
    plan = _plan(json.dumps(doc).encode(), "p.geojson", datum=Datum.GCJ02)
    p = plan.hazards.geometry.iloc[0]
    assert 0.002 < abs(p.x - 106.65) + abs(p.y - 28.95) < 0.01  # a few hundred metres


def test_overpass_geojson_tags():
    doc = {"type": "FeatureCollection", "features": [
        _feature(SQUARE.__geo_interface__, id="way/1", tags={"natural": "water", "water": "pond"}),
        _feature({"type": "LineString", "coordinates": [[106.6, 28.9], [106.61, 28.91]]},
                 id="way/2", tags={"waterway": "drain"}),
        _feature({"type": "Point", "coordinates": [106.6, 28.9]}, id="node/3",
                 tags={"amenity": "bench"}),
    ]}
    plan = _plan(json.dumps(doc).encode(), "overpass.geojson")
    assert plan.hazards["kind"].tolist() == ["pond", "ditch"]
    assert [r["feature"] for r in plan.report.refused] == ["2"]


def _osm_nodes(writer):  # type: ignore[no-untyped-def]
    coords = [(106.65, 28.95), (106.652, 28.95), (106.652, 28.952), (106.65, 28.952),
              (106.64, 28.951), (106.66, 28.951)]
    for i, loc in enumerate(coords, start=1):
        writer.add_node(osmium.osm.mutable.Node(id=i, location=loc, tags={}))
    writer.add_way(osmium.osm.mutable.Way(id=10, nodes=[1, 2, 3, 4, 1], tags={
        "natural": "water", "water": "reservoir", "name": "水库"}))
    writer.add_way(osmium.osm.mutable.Way(id=11, nodes=[5, 6], tags={"highway": "unclassified"}))
    writer.add_way(osmium.osm.mutable.Way(id=12, nodes=[1, 3], tags={"building": "yes"}))


@pytest.mark.parametrize("suffix", [".osm", ".osm.pbf"])
def test_openstreetmap_xml_and_pbf(tmp_path: Path, suffix: str):
    path = tmp_path / ("town" + suffix)
    writer = osmium.SimpleWriter(str(path))
    _osm_nodes(writer)
    writer.close()
    plan = _plan(path.read_bytes(), path.name)
    assert sorted(plan.hazards["kind"]) == ["reservoir"]
    assert plan.report.refused == []  # the building is skipped, not refused
    assert any("road network" in w for w in plan.report.warnings), "a road is not a hazard"


def test_hostile_archives_are_refused():
    with pytest.raises(ImportRefused, match="outside the archive"):
        read_upload(_zip({"../../etc/cron.d/x.shp": b"x"}), "evil.zip")
    bomb = _zip({"a.geojson": b"\0" * (50 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(FileTooLarge, match="zip bomb"):
        read_upload(bomb, "bomb.zip")
    with pytest.raises(FileTooLarge, match="unpacks to"):
        read_upload(_zip({"a.geojson": b"{}" * 1000}), "big.zip",
                    Limits(max_unpacked_bytes=1000))
    with pytest.raises(ImportRefused, match="unsupported file type"):
        read_upload(b"MZ", "setup.exe")
    with pytest.raises(ImportRefused, match="not a readable zip"):
        read_upload(b"garbage", "h.zip")
