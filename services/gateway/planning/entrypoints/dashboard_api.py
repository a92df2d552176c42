"""The campaign dashboard (HTML with charts), its JSON and CSV exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from flask import Response, abort, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from markupsafe import Markup

from services.gateway.bootstrap import Gateway
from services.gateway.entrypoints.phone_pages import local_today
from services.gateway.entrypoints.response_schemas import (
    HTML,
    SIGNED_IN,
    TEXT,
    DashboardOut,
    errors,
    page_errors,
)
from services.gateway.entrypoints.roles import FIX_ASSIGNERS, PLANNERS
from services.gateway.entrypoints.schemas import PageQuery
from services.gateway.planning.entrypoints.dashboard_charts import render_charts
from services.gateway.planning.entrypoints.dashboard_map import MapFrame, render_dashboard_map
from services.gateway.planning.entrypoints.dashboard_page import Assign, render_dashboard
from services.gateway.planning.service_layer import campaign_charts
from services.gateway.planning.service_layer.dashboard import TABLES, dashboard, map_figures
from services.gateway.read_model.service_layer.map_views import PageCache
from shared import clock
from shared.auth import Principal
from shared.auth.flask import CSRF_COOKIE, allow, csrf_token, current_principal
from shared.auth.hardening import behind_tls
from shared.exports import record_cells

FIX_DAYS = 14  # the due date the dashboard's assign form offers: two weeks on
# The page itself has no script and no inline style; the map's iframe inherits this
# policy, and its inline scripts and stylesheets are allowed by their hashes (see
# dashboard_map), Leaflet as 'self'.
CSP = ("default-src 'self'; script-src 'self' {hashes}; style-src 'self' {styles}; "
       "img-src 'self' data: blob: https:; connect-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def build(gateway: Gateway) -> Blueprint:
    blp = Blueprint("dashboard", __name__, description="The campaign dashboard")

    def version() -> Any:
        with gateway.read_model() as store:
            return store.version()

    maps = PageCache(version)  # a folium render of a township takes a while: see docs

    def figures():
        with gateway.read_model() as store:
            return dashboard(store, current_principal())

    def charts(lang: str) -> list[tuple[str, Markup]]:
        with gateway.read_model() as store:
            series = campaign_charts.charts(store, current_principal(),
                                            clock.now())
        return render_charts(series, lang)

    def render_map(principal: Principal, lang: str, static_url: str) -> MapFrame:
        with gateway.read_model() as store:
            layers = map_figures(store, principal, gateway.settings,
                                 gateway.crs)
        return render_dashboard_map(layers, gateway.settings.tiles,
                                    gateway.settings.tianditu_key, lang, static_url)

    @blp.route("/dashboard")
    class Page(MethodView):
        @allow(*PLANNERS)
        @blp.arguments(PageQuery, location="query")
        @blp.response(200, TEXT, content_type=HTML)
        @page_errors(blp)
        def get(self, args):
            """The campaign dashboard (HTML) with its map, as the caller's role may see it"""
            principal, lang = current_principal(), args["lang"]
            static_url = url_for("static", filename="").rstrip("/")
            frame = maps.get(maps.scope(principal, lang),
                             lambda: render_map(principal, lang, static_url))
            csrf = csrf_token()  # the sign-in's own
            assign = Assign(csrf, (local_today() + timedelta(days=FIX_DAYS)).isoformat()) \
                if principal.role in FIX_ASSIGNERS else None
            resp = Response(render_dashboard(figures(), frame.srcdoc, lang, charts(lang), assign,
                                             static_url),
                            mimetype="text/html",
                            headers={"Content-Security-Policy": CSP.format(
                                hashes=frame.csp_hashes, styles=frame.style_hashes)})
            if request.cookies.get(CSRF_COOKIE) != csrf:
                resp.set_cookie(CSRF_COOKIE, csrf, secure=behind_tls(), samesite="Strict")
            return resp

    @blp.route("/api/dashboard")
    class Figures(MethodView):
        @allow(*PLANNERS)
        @blp.response(200, DashboardOut)
        @errors(blp, *SIGNED_IN)
        def get(self):
            """Every dashboard table as JSON"""
            return figures()

    @blp.route("/dashboard/<table>.csv")
    class Export(MethodView):
        @allow(*PLANNERS)
        @blp.response(200, TEXT, content_type="text/csv")
        @errors(blp, *SIGNED_IN, 404)
        def get(self, table):
            """One dashboard table as CSV (hazards, protections, findings, overdue, coverage)"""
            if table not in TABLES:
                abort(404, description=f"no table {table}")
            rows = figures()[table]
            buf = io.StringIO()
            if rows:
                out = csv.DictWriter(buf, fieldnames=list(rows[0]))
                out.writeheader()
                out.writerows(record_cells(r) for r in rows)
            return Response(buf.getvalue(), mimetype="text/csv", headers={
                "Content-Disposition": f"attachment; filename={table}.csv"})

    return blp
