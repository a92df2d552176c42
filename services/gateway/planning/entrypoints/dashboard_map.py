"""The campaign dashboard's map (folium), for township staff at a desktop: hazards by
exposure (the most exposed marked), hazards lacking a protection, danger zones, patrol
points by last check-in and children as counts per privacy cell.

Leaflet comes from the gateway's static files; folium's other defaults (jQuery,
Bootstrap, awesome-markers, all from CDNs) are left out, as no layer here needs them.
The map is a document of its own, shown in an ``<iframe srcdoc>``: folium styles
``html, body`` for a full-screen map. It inherits the dashboard's CSP, which allows its
inline scripts and stylesheets by their SHA-256 (``MapFrame``), never by 'unsafe-inline';
folium writes no style attribute (Leaflet sets styles from script, which CSP allows).
Text from the data is HTML-escaped here: folium's tooltips write it as HTML."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import folium
from markupsafe import Markup, escape

from services.gateway.entrypoints.map_page import OSM, TIANDITU
from services.gateway.planning.entrypoints.campaign_labels import KINDS, PROTECTIONS
from services.gateway.read_model.domain.privacy import Cell
from shared.auth.hardening import csp_hashes

TOP, FIX_FIRST = 10, 50  # the most exposed marked; those lacking protection, as the table
RAMP = ("#fecc5c", "#fd8d3c", "#f03b20", "#bd0026", "#67000d")  # exposure, low to high
CHECKED, UNCHECKED, LACKING, CELLS = "#33a02c", "#e7298a", "#1f78b4", "#6a3d9a"
LABELS = {
    "zh": {"hazards": "危险点（按暴露度）", "top": f"暴露度最高的 {TOP} 处",
           "lacking": f"缺防护，先修（暴露度前 {FIX_FIRST} 处）", "zones": "危险区域",
           "points": "巡查点",
           "cells": "儿童（按网格计数）", "exposure": "暴露度", "missing": "缺少",
           "children": "名儿童", "checked": "7 天内已巡查", "unchecked": "7 天内未巡查",
           "low": "低", "high": "高",
           "cells_note": "每格计数，不显示住址（默认关闭，可在图层中打开）",
           **PROTECTIONS["zh"], **KINDS["zh"]},
    "en": {"hazards": "Hazards by exposure", "top": f"Top {TOP} by exposure",
           "lacking": f"Lacking protection: fix first (top {FIX_FIRST})", "zones": "Danger zones",
           "points": "Patrol points", "cells": "Children (count per cell)",
           "exposure": "exposure", "missing": "missing", "children": "children",
           "checked": "checked in the last 7 days", "unchecked": "not checked in 7 days",
           "low": "low", "high": "high",
           "cells_note": "counts per cell, no homes (off at first; turn on in the layers)",
           **PROTECTIONS["en"], **KINDS["en"]},
}
Item = tuple[dict[str, Any], dict[str, Any]]  # (geometry and tooltip, style)
_INLINE = re.compile(r"<script>(.*?)</script>", re.S)
_STYLES = re.compile(r"<style>(.*?)</style>", re.S)


@dataclass(frozen=True)
class MapFrame:
    srcdoc: Markup  # the map document, escaped once for the iframe's attribute
    csp_hashes: str  # script-src sources for its inline scripts
    style_hashes: str  # style-src sources for its inline stylesheets


def labels(lang: str) -> dict[str, str]:
    return LABELS["en" if lang == "en" else "zh"]


def render_dashboard_map(figures: dict[str, Any], tiles: str, tianditu_key: str, lang: str,
                         static_url: str) -> MapFrame:
    """The map document for ``map_figures``; ``static_url`` is where Leaflet is served."""
    t = labels(lang)
    fmap = folium.Map(location=(28.95, 106.65), zoom_start=14, tiles=None,
                      control_scale=True)
    fmap.default_js = [("leaflet", f"{static_url}/leaflet/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{static_url}/leaflet/leaflet.css")]
    _tiles(fmap, tiles, tianditu_key)
    hazards = figures["hazards"]["features"]
    top = max([h["properties"]["exposure"] for h in hazards] + [1.0])
    ranked = [h for h in sorted(hazards, key=lambda h: -h["properties"]["exposure"])
              if h["properties"]["exposure"] > 0]
    lacking = [h for h in ranked if h["properties"]["lacking"]][:FIX_FIRST]
    for layer in (  # drawn in this order: the cells under the hazards
            _layer([_zone(z, t) for z in figures["zones"]["features"]], t["zones"], show=False),
            # thousands of cells would bury the hazards: off until asked for
            _layer([_cell(c, t) for c in figures["cells"]], t["cells"], show=False),
            _layer([_hazard(h, top, t) for h in hazards], t["hazards"]),
            _layer([_lacking(h, t) for h in lacking], t["lacking"]),
            _layer([_top(h, rank, top, t) for rank, h in enumerate(ranked[:TOP], 1)], t["top"]),
            _layer([_point(p, t) for p in figures["points"]["features"]], t["points"])):
        layer.add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)  # a box, not a third of the map
    bounds = _bounds(hazards + figures["points"]["features"])
    if bounds:
        fmap.fit_bounds(bounds)
    document = fmap.get_root().render()
    return MapFrame(escape(document), csp_hashes(*_INLINE.findall(document)),
                    csp_hashes(*_STYLES.findall(document)))


def legend(lang: str) -> list[tuple[str, str]]:
    """(colour, meaning) pairs shown under the map."""
    t = labels(lang)
    return [(RAMP[0], f"{t['exposure']}: {t['low']}"), (RAMP[-1], f"{t['exposure']}: {t['high']}"),
            (LACKING, t["lacking"]), (CHECKED, t["checked"]), (UNCHECKED, t["unchecked"]),
            (CELLS, t["cells_note"])]


def _tiles(fmap: folium.Map, tiles: str, tianditu_key: str) -> None:
    """The configured base layer; with 'none' the vector layers stand alone."""
    if tiles == "none":
        return
    if tiles == "openstreetmap":
        folium.TileLayer(OSM["url"], attr=OSM["attribution"], name="OpenStreetMap").add_to(fmap)
    elif tiles == "tianditu":
        folium.TileLayer(TIANDITU + tianditu_key, attr="天地图", subdomains="01234567",
                         name="tianditu").add_to(fmap)
    else:
        folium.TileLayer(tiles, attr="tiles", name="tiles").add_to(fmap)


def _layer(items: list[Item], name: str,
           show: bool = True) -> folium.GeoJson:
    """One overlay of (feature, style) pairs; folium writes each distinct style once.
    Every feature carries its tooltip, but no tooltip on an empty layer: folium checks
    the fields against the first feature."""
    styles = [style for _, style in items]
    features = [{"type": "Feature", "id": i, "geometry": f["geometry"],
                 "properties": {"tip": f["tip"]}} for i, (f, _) in enumerate(items)]
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name=name, show=show,
        style_function=lambda f: styles[f["id"]], marker=folium.CircleMarker(radius=6),
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False) if features else None)


def _item(geometry: dict[str, Any], tip: str,
          style: dict[str, Any]) -> Item:
    return {"geometry": geometry, "tip": tip}, style


def _colour(exposure: float, top: float) -> str:
    return RAMP[min(int(exposure / top * len(RAMP)), len(RAMP) - 1)]


def _hazard_tip(h: dict[str, Any], t: dict[str, str]) -> str:
    p = h["properties"]
    kind = t.get(p["kind"], p["kind"])
    tip = (f"<b>{html.escape(p['name'] or str(h['id']))}</b><br>{html.escape(kind)}"
           f" · {t['exposure']} {p['exposure']:g}")
    if p["lacking"]:
        tip += f"<br>{t['missing']}: " + ", ".join(t.get(x, html.escape(x)) for x in p["lacking"])
    return tip


def _hazard(h: dict[str, Any], top: float, t: dict[str, str]) -> Item:
    colour = _colour(h["properties"]["exposure"], top)
    return _item(h["geometry"], _hazard_tip(h, t),
                 {"color": colour, "fillColor": colour, "weight": 3, "fillOpacity": 0.6})


def _lacking(h: dict[str, Any], t: dict[str, str]) -> Item:
    """A ring at the hazard's centre: its outline again would double the page."""
    return _item({"type": "Point", "coordinates": _centre(h["geometry"])}, _hazard_tip(h, t),
                 {"color": LACKING, "weight": 2, "dashArray": "4 3", "fill": False,
                  "radius": 9})


def _top(h: dict[str, Any], rank: int, top: float, t: dict[str, str]) -> Item:
    ratio = h["properties"]["exposure"] / top
    return _item({"type": "Point", "coordinates": _centre(h["geometry"])},
                    f"#{rank} " + _hazard_tip(h, t),
                    {"color": RAMP[-1], "fillColor": RAMP[-1], "weight": 2,
                     "fillOpacity": 0.6, "radius": round(6 + 12 * ratio, 1)})


def _zone(z: dict[str, Any], t: dict[str, str]) -> Item:
    return _item(z["geometry"], f"{t['zones']}: {html.escape(str(z['id']))}",
                 {"color": RAMP[2], "weight": 1, "fillOpacity": 0.1})


def _point(p: dict[str, Any], t: dict[str, str]) -> Item:
    recent = p["properties"]["recent"]
    colour = CHECKED if recent else UNCHECKED
    tip = (f"<b>{html.escape(str(p['id']))}</b> · {html.escape(p['properties']['reason'])}<br>"
           + t["checked" if recent else "unchecked"])
    return _item(p["geometry"], tip, {"color": colour, "fillColor": colour, "weight": 1,
                                         "fillOpacity": 0.9, "radius": 5})


def _cell(c: Cell, t: dict[str, str]) -> Item:
    return _item({"type": "Polygon", "coordinates": [[list(p) for p in c.ring]]},
                    f"{c.count} {t['children']}",
                    {"color": CELLS, "weight": 0.5, "opacity": 0.4,
                     "fillOpacity": min(0.05 + c.count / 100, 0.35)})


def _flatten(c: Any) -> list[tuple[float, float]]:
    if isinstance(c[0], int | float):
        return [(c[0], c[1])]
    return [p for x in c for p in _flatten(x)]


def _centre(geometry: dict[str, Any]) -> list[float]:
    pts = _flatten(geometry["coordinates"])
    return [round(sum(p[i] for p in pts) / len(pts), 6) for i in (0, 1)]


def _bounds(features: list[dict[str, Any]]) -> list[tuple[float, float]] | None:
    pts = [p for f in features for p in _flatten(f["geometry"]["coordinates"])]
    if not pts:
        return None
    return [(min(p[1] for p in pts), min(p[0] for p in pts)),
            (max(p[1] for p in pts), max(p[0] for p in pts))]
