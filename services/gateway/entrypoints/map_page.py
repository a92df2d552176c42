"""The phone map: folium/Leaflet, Leaflet served by the gateway itself (no CDN), the
read model's layers embedded once as JSON, and a small script for locate-me, the
language switch and the offline check-in queue (static/phone_map.js)."""

from __future__ import annotations

import html
import json
from typing import Any, cast

import folium
from branca.element import Figure

from shared.auth.flask import CSRF_COOKIE, CSRF_HEADER

STYLE = {"water": "#1f78b4", "road": "#e31a1c", "terrain": "#6a3d9a"}
LABELS = {
    "zh": {"hazards": "危险点", "zones": "危险区域", "points": "巡查点", "route": "路线",
           "homes": "儿童住所", "cells": "儿童分布（聚合）", "title": "守护 · 巡查地图"},
    "en": {"hazards": "Hazards", "zones": "Danger zones", "points": "Patrol points",
           "route": "Route", "homes": "Children's homes", "cells": "Children (aggregated)",
           "title": "Shouhu · patrol map"},
}
TIANDITU = ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
            "&TILECOL={x}&tk=")


def _tiles(fmap: folium.Map, tiles: str, tianditu_key: str) -> None:
    """Add the configured base layer; with 'none' the vector layers stand alone."""
    if tiles == "none":
        return
    if tiles == "openstreetmap":
        folium.TileLayer("OpenStreetMap").add_to(fmap)
    elif tiles == "tianditu":
        folium.TileLayer(TIANDITU + tianditu_key, attr="天地图", subdomains="01234567",
                         name="tianditu").add_to(fmap)
    else:
        folium.TileLayer(tiles, attr="tiles", name="tiles").add_to(fmap)


def _geojson(data: dict[str, Any], name: str, style: dict[str, Any], show: bool = True,
             tooltip: list[str] | None = None) -> folium.GeoJson:
    """A vector layer; a tooltip only when there are features (folium checks its fields
    against the first feature and fails on an empty collection)."""
    return folium.GeoJson(
        data, name=name, show=show, style_function=lambda f, s=style: {
            **s, "color": STYLE.get(f["properties"].get("class", ""), s.get("color", "#555"))},
        tooltip=folium.GeoJsonTooltip(fields=tooltip) if tooltip and data["features"] else None)


def render_map(layers: dict[str, Any], tiles: str, tianditu_key: str, lang: str,
               static_url: str, checkin_url: str) -> str:
    """A standalone HTML page for a 360 px phone screen."""
    t = LABELS["en" if lang == "en" else "zh"]
    fmap = folium.Map(location=_centre(layers), zoom_start=15, tiles=None,
                      prefer_canvas=True, control_scale=True)
    fmap.default_js = [("leaflet", f"{static_url}/leaflet/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{static_url}/leaflet/leaflet.css"),
                        ("phone_css", f"{static_url}/phone_map.css")]
    _tiles(fmap, tiles, tianditu_key)
    overlays = [(t["zones"], _geojson(layers["zones"], t["zones"],
                                      {"weight": 1, "fillOpacity": 0.12}, show=False)),
                (t["hazards"], _geojson(layers["hazards"], t["hazards"],
                                        {"weight": 3, "fillOpacity": 0.35},
                                        tooltip=["name", "kind"]))]
    if layers["home_cells"]["features"]:
        overlays.append((t["cells"], _geojson(
            layers["home_cells"], t["cells"], {"color": "#ff7f00", "weight": 1,
                                               "fillOpacity": 0.3}, tooltip=["count"])))
    for _, layer in overlays:
        layer.add_to(fmap)
    bounds = _bounds(layers)
    if bounds:
        fmap.fit_bounds(bounds)
    config = {"map": fmap.get_name(), "lang": lang, "labels": t,
              "overlays": [[label, layer.get_name()] for label, layer in overlays],
              "layers": {k: layers[k] for k in ("homes", "points", "route")},
              "checkin_url": checkin_url, "csrf_cookie": CSRF_COOKIE, "csrf_header": CSRF_HEADER}
    root = cast(Figure, fmap.get_root())
    root.header.add_child(folium.Element(
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(t['title'])}</title>"))
    root.html.add_child(folium.Element(_toolbar(lang)))
    root.html.add_child(folium.Element(
        '<script id="shouhu-config" type="application/json">'
        + json.dumps(config, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
        + "</script>"))
    page = root.render()
    # our script must run after folium's, which defines the map at the end of <body>
    return page.replace("</html>", f'<script src="{static_url}/phone_map.js"></script></html>')


def _toolbar(lang: str) -> str:
    other = "en" if lang != "en" else "zh"
    return (
        '<div id="shouhu-bar" class="shouhu-bar">'
        '<button id="locate-me" type="button" data-i18n="locate">定位</button>'
        '<span id="sync-badge" class="sync-badge" data-state="synced">✓</span>'
        f'<a id="lang-switch" href="?lang={other}">{"English" if other == "en" else "中文"}</a>'
        "</div>")


def _coords(layers: dict[str, Any]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for key in ("homes", "points"):
        out += [(f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0])
                for f in layers[key]["features"]]
    for f in layers["hazards"]["features"] + layers["home_cells"]["features"]:
        out += [(lat, lon) for lon, lat in _flatten(f["geometry"]["coordinates"])]
    return out


def _flatten(c: Any) -> list[tuple[float, float]]:
    if isinstance(c[0], int | float):
        return [(c[0], c[1])]
    return [p for x in c for p in _flatten(x)]


def _bounds(layers: dict[str, Any]) -> list[tuple[float, float]] | None:
    pts = _coords(layers)
    if not pts:
        return None
    lats, lons = zip(*pts, strict=True)
    return [(min(lats), min(lons)), (max(lats), max(lons))]


def _centre(layers: dict[str, Any]) -> tuple[float, float]:
    b = _bounds(layers)
    return ((b[0][0] + b[1][0]) / 2, (b[0][1] + b[1][1]) / 2) if b else (28.95, 106.65)
