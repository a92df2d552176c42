"""A road network file as links: ids, one-way, class, level; refusals by feature; the
network's joined gaps and connected pieces reported.

Roads are their own layer, not hazards: a navigation network (link and node ids, one-way
flags), an OpenStreetMap extract (``highway=*`` ways, PBF or XML) or a hand-drawn file
(GeoJSON, GeoPackage, Shapefile). Real road dangers stay hazards, entered as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from services.gateway.planning.domain.road_graph import JOIN_M, Link, build_graph
from shared.config import Region
from shared.geo import CoordinateError, check_in_region

ID_COLUMNS = ("link_id", "linkid", "id", "osm_id", "objectid", "fid")
CLASS_COLUMNS = ("road_class", "class", "highway", "fclass", "kind", "type")
NODE_COLUMNS = (("from_node", "snodeid", "f_node", "u"), ("to_node", "enodeid", "t_node", "v"))
ONEWAY = {"yes": "yes", "true": "yes", "1": "yes", "ft": "yes", "f": "yes", "forward": "yes",
          "-1": "-1", "tf": "-1", "t": "-1", "backward": "-1", "reverse": "-1",
          "no": "no", "false": "no", "0": "no", "b": "no", "both": "no", "": "no"}
DIRECTION = {"0": "no", "1": "no", "2": "yes", "3": "-1"}  # navigation data: 2 drawn, 3 against
NOT_ROADS = frozenset({"proposed", "construction", "abandoned", "platform", "raceway",
                       "bus_stop", "elevator", "corridor"})
_TAG = re.compile(r'"([^"]+)"=>"([^"]*)"')


@dataclass
class RoadReport:
    """What an import did: counts, refusals by feature, joins, connected pieces."""

    features: int = 0
    accepted: int = 0
    refused: list[dict[str, str]] = field(default_factory=list)
    skipped_not_roads: int = 0
    join_m: float = JOIN_M
    joined: list[dict[str, Any]] = field(default_factory=list)
    components: int = 0
    component_km: list[float] = field(default_factory=list)  # largest first
    km: float = 0.0
    one_way: int = 0


@dataclass(frozen=True)
class RoadLink:
    """A link as stored: lon/lat vertices (EPSG:4326) and attributes."""

    link_id: str
    coords: tuple[tuple[float, float], ...]
    oneway: str = "no"
    road_class: str = "unclassified"
    layer: int = 0


def read_links(frame: gpd.GeoDataFrame, region: Region, osm: bool = False,
               join_m: float = JOIN_M) -> tuple[list[RoadLink], RoadReport]:
    """Links from a file's lines (any CRS, converted to EPSG:4326), refusing by feature
    with the reason; OSM features that are not roads are skipped with a count."""
    if frame.crs is None:
        raise CoordinateError("the road file has no CRS: save it with one (e.g. EPSG:4326)")
    frame = frame.to_crs("EPSG:4326")
    report = RoadReport(features=len(frame), join_m=join_m)
    cols = {c.lower(): c for c in frame.columns}
    links: list[RoadLink] = []
    ends: dict[str, tuple[float, float]] = {}
    for pos, (label, row) in enumerate(frame.iterrows()):
        tags = _tags(row, cols)
        if osm and (not tags.get("highway") or tags["highway"] in NOT_ROADS):
            report.skipped_not_roads += 1
            continue
        try:
            links += _links(str(label), pos, row, cols, tags, region, ends)
        except (ValueError, CoordinateError) as exc:
            report.refused.append({"feature": str(label), "reason": str(exc)})
    report.accepted = len(links)
    report.one_way = sum(k.oneway != "no" for k in links)
    return links, report


def describe(links: list[RoadLink], crs: CRS, report: RoadReport) -> RoadReport:
    """Fill in the network's length, joined gaps and connected pieces (metric ``crs``)."""
    graph = build_graph(to_metric(links, crs), join_m=report.join_m)
    count, labels = graph.components()
    km = np.zeros(count)
    for e in graph.edges:
        km[labels[e.u]] += e.length_m / 1000
    report.joined = [{"from_link": j.from_link, "to_link": j.to_link, "gap_m": j.gap_m}
                     for j in graph.joins]
    report.components, report.component_km = count, sorted(np.round(km, 2).tolist(),
                                                           reverse=True)
    report.km = round(float(km.sum()), 2)
    return report


def to_metric(links: list[RoadLink], crs: CRS) -> list[Link]:
    """The links in the metric ``crs`` (metres) for the road graph."""
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    out = []
    for k in links:
        x, y = tr.transform([c[0] for c in k.coords], [c[1] for c in k.coords])
        out.append(Link(np.column_stack([x, y]), k.link_id, k.oneway, k.road_class, k.layer))
    return out


def _tags(row: pd.Series, cols: dict[str, str]) -> dict[str, str]:
    tags = dict(_TAG.findall(str(row[cols["other_tags"]]))) if "other_tags" in cols and \
        isinstance(row[cols["other_tags"]], str) else {}
    for key in ("highway", "oneway", "layer", "bridge", "tunnel", "junction"):
        if key in cols and _text(row[cols[key]]):
            tags[key] = _text(row[cols[key]])
    return tags


def _links(label: str, pos: int, row: pd.Series, cols: dict[str, str], tags: dict[str, str],
           region: Region, ends: dict[str, tuple[float, float]]) -> list[RoadLink]:
    geom = row.geometry
    if geom is None or geom.is_empty or geom.geom_type not in ("LineString", "MultiLineString"):
        raise ValueError(f"a road must be a line, not {getattr(geom, 'geom_type', 'empty')}")
    link_id = _first(row, cols, ID_COLUMNS) or f"f{pos}"
    oneway, road_class = _oneway(row, cols, tags), _first(row, cols, CLASS_COLUMNS) or \
        tags.get("highway", "unclassified")
    layer = _layer(tags)
    parts = list(shapely.get_parts(shapely.force_2d(geom)))
    out = []
    for n, part in enumerate(parts):
        coords = [(round(float(x), 7), round(float(y), 7)) for x, y in part.coords]
        for x, y in (coords[0], coords[-1]):
            check_in_region(x, y, region, f"road {label}")
        if len(parts) == 1:
            coords = _snap_node_ids(row, cols, coords, ends)
        out.append(RoadLink(link_id if len(parts) == 1 else f"{link_id}.{n}", tuple(coords),
                            oneway, road_class, layer))
    return out


def _snap_node_ids(row: pd.Series, cols: dict[str, str], coords: list[tuple[float, float]],
                   ends: dict[str, tuple[float, float]]) -> list[tuple[float, float]]:
    """Ends with the same node id meet: later ones move onto the first one's place."""
    for names, at in zip(NODE_COLUMNS, (0, -1), strict=True):
        node = _first(row, cols, names)
        if node:
            coords[at] = ends.setdefault(node, coords[at])
    return coords


def _oneway(row: pd.Series, cols: dict[str, str], tags: dict[str, str]) -> str:
    if "direction" in cols and _text(row[cols["direction"]]):
        value = _text(row[cols["direction"]]).split(".")[0]
        if value not in DIRECTION:
            raise ValueError(f"direction {value!r} is not one of 0, 1 (both), 2 (as drawn), "
                             "3 (against)")
        return DIRECTION[value]
    value = _text(row[cols["oneway"]]).lower() if "oneway" in cols else tags.get("oneway", "")
    if tags.get("junction") == "roundabout" and not value:
        return "yes"
    if value not in ONEWAY:
        raise ValueError(f"oneway {value!r} is not one of yes, no, -1 (or FT, TF, B)")
    return ONEWAY[value]


def _layer(tags: dict[str, str]) -> int:
    try:
        return int(float(tags["layer"]))
    except (KeyError, ValueError):
        return 1 if tags.get("bridge", "no") != "no" else -1 if tags.get(
            "tunnel", "no") != "no" else 0


def _first(row: pd.Series, cols: dict[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        if name in cols and _text(row[cols[name]]):
            return _text(row[cols[name]])
    return ""


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value).strip()
    return text[:-2] if re.fullmatch(r"-?\d+\.0", text) else text
