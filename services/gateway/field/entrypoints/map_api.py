"""The phone map, its layers, the overlay rankings and forwarded check-ins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from services.gateway.bootstrap import Gateway
from services.gateway.entrypoints.map_page import ASSETS, ASSETS_COOKIE, render_map
from services.gateway.entrypoints.phone_pages import page_links
from services.gateway.entrypoints.response_schemas import (
    HTML,
    REFUSED_BEFORE_PAGE,
    SIGNED_IN,
    TEXT,
    CheckInResults,
    ChildNearestOut,
    HazardRankingOut,
    MapLayersOut,
    VisitOut,
    errors,
    page_errors,
)
from services.gateway.entrypoints.roles import CHECKERS, EXACT, PEOPLE
from services.gateway.entrypoints.schemas import CheckInBatch, MapQuery
from services.gateway.field.service_layer.home_audit import (
    MAP_HOME_FIELDS,
    NEAREST_FIELDS,
    audit_exact_homes,
)
from services.gateway.planning.service_layer import plans
from services.gateway.read_model.domain.privacy import HomeView, home_view
from services.gateway.read_model.service_layer import overlay_views
from services.gateway.read_model.service_layer.map_views import PageCache, map_layers
from shared.auth import Principal
from shared.auth.flask import COOKIE, CSRF_COOKIE, allow, csrf_token, current_principal
from shared.auth.hardening import behind_tls, csp_hashes

# Leaflet is served by the gateway itself, so the map page needs no CDN at all; the
# only inline scripts and stylesheets allowed are Leaflet's and ours, by hash (a first
# visit's page); Leaflet styles its elements from script, which the CSP does not block.
CSP = (f"default-src 'self'; script-src 'self' {ASSETS.csp_hashes}; "
       "style-src 'self' {styles}; img-src 'self' data: blob: https:; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")


def caller_token() -> str:
    """The caller's own bearer token, forwarded as is to the owning service."""
    header = request.headers.get("Authorization", "")
    return header[7:] if header.startswith("Bearer ") else request.cookies.get(COOKIE, "")


def build(gateway: Gateway, hazards: Any, registry: Any) -> Blueprint:
    blp = Blueprint("map", __name__, description="The patrol map and the overlay")

    def version() -> Any:
        with gateway.read_model() as store:
            return store.version()

    cache = PageCache(version)

    def audited(principal: Principal, view: str, fields: tuple[str, ...]) -> None:
        audit_exact_homes(gateway.engine, principal, view, fields, request.remote_addr or "",
                          request.headers.get("X-Purpose", "")[:200])

    def layers(principal: Principal, args: dict[str, Any]) -> dict[str, Any]:
        with gateway.read_model() as store:
            plan = args["plan"]
            route = plans.team_route(store.conn, plan, args["team"]) if plan else None
            return map_layers(store, principal, gateway.settings, gateway.crs, route)

    @blp.route("/map")
    class MapPage(MethodView):
        @allow(*PEOPLE)
        @blp.arguments(MapQuery, location="query")
        @blp.response(200, TEXT, content_type=HTML)
        @page_errors(blp, json=(*REFUSED_BEFORE_PAGE, 404))
        def get(self, args):
            """The phone map page (HTML), as the caller's role may see it"""
            principal, checkins = current_principal(), url_for("map.CheckIns")
            pages = page_links(principal, args["lang"])  # as the scope's home view decides
            page = cache.get(
                cache.scope(principal, args["lang"], args["plan"], args["team"]),
                lambda: render_map(layers(principal, args), gateway.settings.tiles,
                                   gateway.settings.tianditu_key, args["lang"], checkins,
                                   pages, principal.village_codes))
            audited(principal, "map_homes", MAP_HOME_FIELDS)
            first_visit = request.cookies.get(ASSETS_COOKIE) != ASSETS.version
            served_at = datetime.now(UTC).isoformat(timespec="seconds")
            static_url = url_for("static", filename="").rstrip("/")
            styles = csp_hashes(*ASSETS.stylesheets(static_url)) if first_visit else ""
            resp = Response(page.document(static_url, first_visit, served_at),
                            mimetype="text/html",
                            headers={"Content-Security-Policy": CSP.format(styles=styles)})
            if home_view(principal) is HomeView.CELLS:  # no exact homes: the phone may
                resp.headers["X-Shouhu-Offline"] = "keep"  # keep it for a start offline
            if first_visit:  # the page fetches the assets into the phone's cache
                resp.set_cookie(ASSETS_COOKIE, ASSETS.version, max_age=86400, httponly=True,
                                secure=behind_tls(), samesite="Strict")
            if request.cookies.get(CSRF_COOKIE) != csrf_token():  # the queue sends it back
                resp.set_cookie(CSRF_COOKIE, csrf_token(), secure=behind_tls(),
                                samesite="Strict")
            return resp

    @blp.route("/api/map/layers")
    class Layers(MethodView):
        @allow(*PEOPLE)
        @blp.arguments(MapQuery, location="query")
        @blp.response(200, MapLayersOut)
        @errors(blp, *SIGNED_IN, 404)
        def get(self, args):
            """Homes (exact or aggregated by role), hazards, zones, points, route"""
            principal = current_principal()
            answer = layers(principal, args)
            audited(principal, "map_homes", MAP_HOME_FIELDS)
            return answer

    @blp.route("/api/overlay/hazards")
    class HazardRanking(MethodView):
        @allow(*PEOPLE)
        @blp.response(200, HazardRankingOut)
        @errors(blp, *SIGNED_IN)
        def get(self):
            """Hazards by exposure, with the protections each lacks"""
            with gateway.read_model() as store:
                return {"hazards": overlay_views.hazard_ranking(store)}

    @blp.route("/api/overlay/children")
    class ChildNearest(MethodView):
        @allow(*EXACT)
        @blp.response(200, ChildNearestOut)
        @errors(blp, *SIGNED_IN)
        def get(self):
            """Nearest water and road hazard per child in the caller's villages"""
            principal = current_principal()
            with gateway.read_model() as store:
                nearest = overlay_views.child_nearest(store, principal)
            audited(principal, "child_nearest", NEAREST_FIELDS)
            return {"children": nearest}

    @blp.route("/api/checkins")
    class CheckIns(MethodView):
        @allow(*CHECKERS)
        @blp.arguments(CheckInBatch)
        @blp.alt_response(200, schema=CheckInResults, success=True)
        @errors(blp, *SIGNED_IN, 503)
        def post(self, body):
            """Forward check-ins to the hazards service with the caller's own token"""
            status, payload = hazards.post(
                "/checkins", caller_token(),
                overlay_views.checkins_for_hazards(CheckInBatch().dump(body),
                                                   current_principal()))
            return payload, status

    @blp.route("/api/children/<child_id>/visits")
    class Visits(MethodView):
        @allow(*EXACT)
        @blp.alt_response(201, schema=VisitOut, success=True)
        @blp.alt_response(200, schema=VisitOut, success=True,
                          description="A resend: the visit the registry already holds")
        @errors(blp, *SIGNED_IN, 404, 422, 503)
        def post(self, child_id):
            """Forward a home visit to the registry with the caller's own token (201, or
            200 for a resend of a visit already recorded)"""
            status, payload = registry.post(f"/children/{child_id}/visits", caller_token(),
                                            request.get_json(silent=True) or {})
            return payload, status

    return blp
