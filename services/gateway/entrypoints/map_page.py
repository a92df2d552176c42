"""The phone map page: a small HTML shell with the read model's layers embedded once as
JSON; static/phone_map.js draws them with Leaflet, served by the gateway itself (no CDN).

No folium here: its template render took longer than reading the data, and its inline
script needed ``'unsafe-inline'`` in the CSP. Assets: see ``Assets``."""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

from services.gateway.entrypoints.map_labels import LABELS
from shared.auth.flask import CSRF_COOKIE, CSRF_HEADER
from shared.auth.hardening import csp_hashes
from shared.clock import township_zone

STATIC = Path(__file__).with_name("static")
STYLES = ("leaflet/leaflet.css", "phone_map.css")
SCRIPTS = ("leaflet/leaflet.js", "phone_map.js")
STYLE = {"water": "#1f78b4", "road": "#e31a1c", "terrain": "#6a3d9a"}
TIANDITU = ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
            "&TILECOL={x}&tk=")
Q = 1_000_000  # steps of 1e-6 degrees: the precision the layers are rounded to
OSM = {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
       "attribution": "&copy; OpenStreetMap contributors"}
OSM_CREDIT = {"zh": "&copy; OpenStreetMap 贡献者", "en": OSM["attribution"]}


class Assets:
    """Leaflet and our script and styles, named by a hash of their content.

    A phone that has them (the ``ASSETS_COOKIE`` names this version) gets links: they
    come from its cache, kept for a day. A first visit gets them inline, which saves a
    whole round trip on weak signal (562 ms on Fast 3G); the page then fetches them
    into the cache for the next visit. Inline scripts and stylesheets are allowed by
    their hashes (``csp_hashes``, ``stylesheets``), never by 'unsafe-inline'."""

    def __init__(self, root: Path):
        self.text = {a: (root / a).read_text(encoding="utf-8") for a in STYLES + SCRIPTS}
        self.hashes = {a: hashlib.sha256(t.encode()).hexdigest()[:10]
                       for a, t in self.text.items()}
        self.version = hashlib.sha256("".join(self.hashes.values()).encode()).hexdigest()[:10]
        if any(m in self.text[a].lower() for a in SCRIPTS for m in ("</script", "<!--")):
            raise ValueError("a script to inline must not contain </script or <!--")
        self.csp_hashes = csp_hashes(*(self.text[a] for a in SCRIPTS))

    def urls(self, static_url: str) -> dict[str, str]:
        return {a: f"{static_url}/{a}?v={v}" for a, v in self.hashes.items()}

    def links(self, static_url: str) -> tuple[str, str]:
        """(in <head>, in <body> after the layers) for a phone that has them cached."""
        urls = self.urls(static_url)
        css = "".join(f'<link rel="stylesheet" href="{urls[a]}">' for a in STYLES)
        return css, "".join(f'<script src="{urls[a]}"></script>' for a in SCRIPTS)

    def stylesheets(self, static_url: str) -> list[str]:
        """The stylesheets as a first visit gets them inline (the CSP allows exactly these
        by hash): Leaflet's names its images relative to itself, not to the page."""
        return [self.text[a].replace("url(images/", f"url({static_url}/leaflet/images/")
                for a in STYLES]

    def inline(self, static_url: str) -> tuple[str, str]:
        """(in <head>, in <body> after the layers) for a first visit; the URL list tells
        our script what to fetch into the cache."""
        css = "".join(f"<style>{text}</style>" for text in self.stylesheets(static_url))
        urls = json.dumps(list(self.urls(static_url).values()))
        js = "".join(f"<script>{self.text[a]}</script>" for a in SCRIPTS)
        return css, f'<script id="shouhu-assets" type="application/json">{urls}</script>{js}'


ASSETS = Assets(STATIC)
ASSETS_COOKIE = "shouhu_assets"
SERVICE_WORKER = "/sw.js"  # at the root, so its scope covers /map (entrypoints/pwa.py)
# every page's head: the icon (no favicon.ico 404) and the installable app's manifest
CHROME = ('<link rel="icon" href="/favicon.ico" sizes="16x16 32x32 48x48">'
          '<link rel="manifest" href="/manifest.webmanifest">'
          '<meta name="theme-color" content="#1f78b4">')


@dataclass(frozen=True)
class MapPage:
    """What depends on the data and the caller (cached), without the assets. The danger
    zones (hidden at first, as large as all the rest) come after the scripts: the map is
    drawn before they have arrived, and they are read when the layer is switched on."""
    lang: str
    title: str
    body: str
    zones: str

    def document(self, static_url: str, first_visit: bool, served_at: str) -> str:
        """``served_at`` (an instant, per request, outside the cached part): how old the
        data is, as the phone says when it shows this page again without signal."""
        head, scripts = (ASSETS.inline if first_visit else ASSETS.links)(static_url)
        lang = "zh-CN" if self.lang == "zh" else "en"
        return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<meta name="shouhu-served-at" content="{html.escape(served_at)}">'
                f"{CHROME}<title>{html.escape(self.title)}</title>{head}</head>"
                f"<body>{self.body}{scripts}{self.zones}</body></html>")


def _tiles(tiles: str, tianditu_key: str, lang: str) -> dict[str, str] | None:
    """The configured base layer; with 'none' the vector layers stand alone."""
    if tiles == "none":
        return None
    if tiles == "openstreetmap":  # the licence's credit, in the page's language
        return {**OSM, "attribution": OSM_CREDIT[lang]}
    if tiles == "tianditu":
        return {"url": TIANDITU + tianditu_key, "subdomains": "01234567", "attribution": "天地图"}
    return {"url": tiles, "attribution": "tiles"}


def render_map(layers: dict[str, Any], tiles: str, tianditu_key: str, lang: str,
               checkin_url: str, pages: Sequence[tuple[str, str]] = (),
               villages: frozenset[str] = frozenset()) -> MapPage:
    """The page for a 360 px phone screen, less Leaflet and our script and styles.
    ``pages`` (address, label) are the caller's other pages, linked in the toolbar;
    with exact homes, a home's popup links to the child's page (visit, case). The map
    opens fitted to the team's route when it shows one, else to the caller's
    ``villages`` (their hazards and points), else to everything drawn."""
    lang = "en" if lang == "en" else "zh"
    t = LABELS[lang]
    packed = {k: _pack(v) if isinstance(v, dict) else v for k, v in layers.items()}
    fit = None if layers.get("route") else _village_bounds(layers, villages)
    config = {"lang": lang, "labels": t, "style": STYLE,
              "tiles": _tiles(tiles, tianditu_key, lang), "bounds": _bounds(layers), "fit": fit,
              "checkin_url": checkin_url, "q": Q,
              "csrf_cookie": CSRF_COOKIE, "csrf_header": CSRF_HEADER,
              "child_url": f"/children/{{id}}?lang={lang}", "sw": SERVICE_WORKER,
              "zone": township_zone().key,
              "layers": {k: v for k, v in packed.items() if k != "zones"}}
    return MapPage(lang, t["title"],
                   f'{_toolbar(lang, pages)}<div id="shouhu-map" class="shouhu-map"></div>'
                   '<div id="point-list" class="point-list" hidden></div>'
                   + _json_element("shouhu-config", config),
                   _json_element("shouhu-zones", packed["zones"]))


def _pack(collection: dict[str, Any]) -> dict[str, Any]:
    """Lines and rings as integer steps from the previous position (``d``, in 1/Q
    degrees, the layers' precision): a third of the bytes, and the steps along a zone's
    rounded corners repeat, so gzip takes most of the rest. Points stay as they are."""
    features = []
    for f in collection["features"]:
        g = f["geometry"]
        if g and g["type"] not in ("Point", "GeometryCollection"):
            f = {**f, "geometry": {"type": g["type"], "d": _steps(g["coordinates"])}}
        features.append(f)
    return {**collection, "features": features}


def _steps(c: list[Any]) -> list[Any]:
    if not c or not isinstance(c[0][0], int | float):
        return [_steps(x) for x in c]
    grid = np.rint(np.asarray(c, dtype=float)[:, :2] * Q).astype(np.int64)
    return cast(list[int], np.diff(grid, axis=0, prepend=[[0, 0]]).ravel().tolist())


def _json_element(element_id: str, data: Any) -> str:
    # "<" only occurs inside JSON strings, where \u003c means the same: nothing in the
    # data can close the <script> element
    text = json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script id="{element_id}" type="application/json">{text}</script>'


def _toolbar(lang: str, pages: Sequence[tuple[str, str]]) -> str:
    other = "en" if lang != "en" else "zh"
    links = "".join(f'<a href="{html.escape(href)}">{html.escape(label)}</a>'
                    for href, label in pages)
    return (
        '<div id="shouhu-bar" class="shouhu-bar">'
        f'<button id="locate-me" type="button">{LABELS[lang]["locate"]}</button>'
        f'<button id="list-points" type="button">{LABELS[lang]["list"]}</button>'
        '<span id="sync-badge" class="sync-badge" data-state="synced">✓</span>'
        f'{links}<a id="lang-switch" href="?lang={other}">'
        f'{"English" if other == "en" else "中文"}</a></div>')


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


def _village_bounds(layers: dict[str, Any], villages: frozenset[str]
                    ) -> list[tuple[float, float]] | None:
    """The caller's villages: their hazards and patrol points (None: no villages)."""
    if not villages:
        return None
    mine = {k: {"features": [f for f in layers[k]["features"]
                             if f["properties"].get("village_code") in villages]}
            for k in ("hazards", "points")}
    return _bounds({**mine, "homes": {"features": []}, "home_cells": {"features": []}})


def _bounds(layers: dict[str, Any]) -> list[tuple[float, float]] | None:
    """South-west and north-east corners of the team's route when one is shown (the
    phone opens on the day's walk), else of everything drawn; None on an empty map."""
    route = (layers.get("route") or {}).get("features") or []
    pts = [(lat, lon) for f in route for lon, lat in _flatten(f["geometry"]["coordinates"])] \
        or _coords(layers)
    if not pts:
        return None
    lats, lons = zip(*pts, strict=True)
    return [(min(lats), min(lons)), (max(lats), max(lons))]
