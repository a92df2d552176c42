"""The installable app: its icon, its manifest and the service worker that lets the
patrol map open with no signal (``static/sw.js``; ADR 0406). Open to anyone: none of
them holds personal data, and a browser asks for them before anyone signs in."""

from __future__ import annotations

import json

from flask import Response, send_from_directory, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from services.gateway.entrypoints.map_page import ASSETS, SERVICE_WORKER, STATIC
from services.gateway.entrypoints.response_schemas import TEXT
from shared.auth.flask import public

ICONS = {"icons/icon-192.png": "192x192", "icons/icon-512.png": "512x512"}
ICO = "image/vnd.microsoft.icon"
MANIFEST = {
    "name": "守护 Shouhu · 巡查地图", "short_name": "守护", "lang": "zh-CN",
    "description": "防溺水巡查：地图、巡查点、离线签到", "start_url": "/map",
    "scope": "/", "display": "standalone", "background_color": "#ffffff",
    "theme_color": "#1f78b4",
}


def build() -> Blueprint:
    blp = Blueprint("pwa", __name__, description="The installable app")

    @blp.route("/favicon.ico")
    class Favicon(MethodView):
        @public
        @blp.response(200, TEXT, content_type=ICO)
        def get(self):  # type: ignore[no-untyped-def]
            """The site's icon (browsers ask for it on every page)"""
            return send_from_directory(STATIC, "favicon.ico", max_age=86400, mimetype=ICO)

    @blp.route("/manifest.webmanifest")
    class Manifest(MethodView):
        @public
        @blp.response(200, {"type": "object"}, content_type="application/manifest+json")
        def get(self):  # type: ignore[no-untyped-def]
            """The web app manifest: the map installs as an app on a phone's home screen"""
            icons = [{"src": url_for("static", filename=i), "sizes": size,
                      "type": "image/png", "purpose": "any"} for i, size in ICONS.items()]
            return Response(json.dumps({**MANIFEST, "icons": icons}, ensure_ascii=False),
                            mimetype="application/manifest+json")

    @blp.route(SERVICE_WORKER)
    class ServiceWorker(MethodView):
        @public
        @blp.response(200, TEXT, content_type="text/javascript")
        def get(self):  # type: ignore[no-untyped-def]
            """The service worker: the map's shell, its last page and tiles, offline"""
            static = url_for("static", filename="").rstrip("/")
            shell = [*ASSETS.urls(static).values(), *(f"{static}/{i}" for i in ICONS),
                     "/favicon.ico"]
            head = "var SHOUHU = " + json.dumps({"version": ASSETS.version, "shell": shell})
            body = (STATIC / "sw.js").read_text(encoding="utf-8")
            # always asked again (a new release's worker replaces the old one at once);
            # it fetches tiles from the configured tile server, hence connect-src https:
            return Response(f"{head};\n{body}", mimetype="text/javascript", headers={
                "Cache-Control": "no-cache",
                "Content-Security-Policy": "default-src 'self'; connect-src 'self' https:"})

    return blp
