"""The registry's HTTP API: views translate requests into commands, nothing more."""

from __future__ import annotations

from flask import Flask
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from services.registry.bootstrap import Registry
from services.registry.domain.exceptions import InvalidChild
from services.registry.entrypoints.schemas import ChildIn, ChildOut
from services.registry.service_layer import handlers
from services.registry.service_layer.commands import RegisterChild
from shared.auth.flask import allow, require_village
from shared.auth.principal import Role
from shared.web import create_flask

STAFF = (Role.STATION_ADMIN, Role.CHILD_SUPERVISOR, Role.CHILD_DIRECTOR)


def create_app(registry: Registry) -> Flask:
    app, api = create_flask(__name__, "Shouhu registry", registry.settings.keys)
    blp = Blueprint("children", __name__, url_prefix="/children",
                    description="Children, their homes and categories")

    @blp.route("")
    class Children(MethodView):
        @allow(*STAFF)
        @blp.arguments(ChildIn)
        @blp.response(201, ChildOut)
        def post(self, body):  # type: ignore[no-untyped-def]
            """Register a child"""
            require_village(body["village_code"])
            home = body.pop("home")
            cmd = RegisterChild(home_lon=home["lon"], home_lat=home["lat"],
                                home_datum=home["datum"], **body)
            try:
                return handlers.register_child(registry.uow(), cmd,
                                               registry.settings.common.region)
            except InvalidChild as exc:
                abort(422, message=str(exc), errors={"json": {exc.field: [exc.message]}})

    @blp.route("/<child_id>")
    class ChildById(MethodView):
        @allow(*STAFF)
        @blp.response(200, ChildOut)
        def get(self, child_id):  # type: ignore[no-untyped-def]
            """Read one child"""
            with registry.uow() as uow:
                child = uow.children.get(child_id)
            if child is None:
                abort(404, message=f"no child {child_id}")
            require_village(child.village_code)
            return child

    api.register_blueprint(blp)
    return app


def wsgi() -> Flask:
    """gunicorn's factory: ``gunicorn 'services.registry.entrypoints.api:wsgi()'``."""
    from services.registry.bootstrap import bootstrap

    return create_app(bootstrap())
