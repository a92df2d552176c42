"""The gateway: the phone map and the read model's JSON."""

from __future__ import annotations

from flask import Flask, Response
from flask.views import MethodView
from flask_smorest import Blueprint

from services.gateway.adapters.read_model_store import ReadModelStore
from services.gateway.bootstrap import Gateway
from services.gateway.entrypoints.map_page import render_map
from shared.auth.flask import allow
from shared.auth.principal import Role
from shared.web import create_flask

PEOPLE = tuple(r for r in Role if r is not Role.SERVICE)


def create_app(gateway: Gateway) -> Flask:
    app, api = create_flask(__name__, "Shouhu gateway", gateway.settings.keys)
    blp = Blueprint("map", __name__, description="The patrol map")

    def _load():  # type: ignore[no-untyped-def]
        with gateway.engine.connect() as conn:
            store = ReadModelStore(conn)
            return store.children(), store.hazards()

    @blp.route("/map")
    class MapPage(MethodView):
        @allow(*PEOPLE)
        def get(self):  # type: ignore[no-untyped-def]
            """The patrol map page (HTML)"""
            homes, hazards = _load()
            return Response(render_map(homes, hazards, gateway.settings.tiles),
                            mimetype="text/html")

    @blp.route("/api/map/layers")
    class Layers(MethodView):
        @allow(*PEOPLE)
        def get(self):  # type: ignore[no-untyped-def]
            """Homes and hazards as GeoJSON feature collections"""
            homes, hazards = _load()
            return {
                "homes": {"type": "FeatureCollection", "features": [
                    {"type": "Feature", "id": h.child_id,
                     "geometry": {"type": "Point", "coordinates": [h.lon, h.lat]},
                     "properties": {"risk_grade": h.risk_grade, "age_band": h.age_band}}
                    for h in homes]},
                "hazards": {"type": "FeatureCollection", "features": [
                    {"type": "Feature", "id": z.hazard_id, "geometry": z.geometry,
                     "properties": {"kind": z.kind, "name": z.name}} for z in hazards]},
            }

    api.register_blueprint(blp)
    return app


def wsgi() -> Flask:
    """gunicorn's factory: ``gunicorn 'services.gateway.entrypoints.api:wsgi()'``."""
    from services.gateway.bootstrap import bootstrap

    return create_app(bootstrap())
